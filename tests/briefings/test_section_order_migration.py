"""Upgrading to one field for a section's place (its order) keeps the numbers readers saw; seeds starter layouts."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("briefings", "0008_import_batch")]
AFTER = [("briefings", "0009_starter_layouts_and_section_order")]


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.fixture(autouse=True)
def back_to_the_latest_schema():
    """Whatever the test's outcome, the other tests find the schema of the latest migrations."""
    yield
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_numbers_become_the_order_and_numbers_elsewhere_stay_in_the_heading():
    apps = migrate(BEFORE)
    for name in ("Editor", "Publisher"):  # a commit-mode test before this one may have flushed the roles
        apps.get_model("auth", "Group").objects.get_or_create(name=name)
    Briefing = apps.get_model("briefings", "Briefing")
    Section = apps.get_model("briefings", "Section")
    seven = Briefing.objects.create(title="Seven", slug="seven", summary="S", kind="seven_minute_briefing")
    # Positions and numbers disagreeing, an unnumbered part, and a gap in the positions.
    for position, number, heading in [(5, 2, "Why"), (1, 1, "Background"), (9, None, "Note"), (7, 3, "Found")]:
        Section.objects.create(briefing=seven, position=position, number=number, heading=heading)
    review = Briefing.objects.create(title="Review", slug="review", summary="S", kind="thematic_review")
    Section.objects.create(briefing=review, position=2, number=4, heading="Recommendations")
    Section.objects.create(briefing=review, position=1, number=None, heading="Journey")

    apps = migrate(AFTER)
    Section = apps.get_model("briefings", "Section")
    StarterSection = apps.get_model("briefings", "StarterSection")
    seven_after = list(
        Section.objects.filter(briefing__slug="seven").order_by("position").values_list("position", "heading")
    )
    review_after = list(
        Section.objects.filter(briefing__slug="review").order_by("position").values_list("position", "heading")
    )
    starters = list(
        StarterSection.objects.filter(layout__kind="seven_minute_briefing")
        .order_by("position")
        .values_list("heading", flat=True)
    )
    editor_perms = set(Group.objects.get(name="Editor").permissions.values_list("codename", flat=True))
    publisher_perms = set(Group.objects.get(name="Publisher").permissions.values_list("codename", flat=True))

    assert seven_after == [(1, "Background"), (2, "Why"), (3, "Found"), (4, "Note")]
    assert review_after == [(1, "Journey"), (2, "4. Recommendations")]
    assert len(starters) == 7 and len(set(starters)) == 7 and "Information" not in starters
    assert {"view_starterlayout", "view_startersection"} <= editor_perms
    assert not {"change_starterlayout", "add_startersection", "change_startersection"} & editor_perms
    assert {
        "change_starterlayout",
        "add_startersection",
        "change_startersection",
        "delete_startersection",
    } <= publisher_perms
