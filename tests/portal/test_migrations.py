"""Upgrading a site that already has content: data migrations fill what the new code relies on."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from training.models import Course as CurrentCourse

BEFORE = [("portal", "0003_searchdocument"), ("briefings", "0002_initial"), ("training", "0001_initial")]
AFTER = [("portal", "0004_searchdocument_public_from")]


@pytest.mark.django_db(transaction=True)
def test_0004_fills_public_from_for_an_existing_index():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Briefing = apps.get_model("briefings", "Briefing")
    Resource = apps.get_model("briefings", "Resource")
    Course = apps.get_model("training", "Course")
    SearchDocument = apps.get_model("portal", "SearchDocument")
    day = datetime.date(2025, 3, 4)
    live = Briefing.objects.create(title="Live", slug="live", summary="S", status="published", published=day)
    draft = Briefing.objects.create(title="Draft", slug="draft", summary="S", status="draft")
    poster = Resource.objects.create(briefing=live, title="Poster", url="https://example.org/p")
    secret = Resource.objects.create(briefing=draft, title="Secret", url="https://example.org/s")
    leaflet = Resource.objects.create(title="Leaflet", url="https://example.org/l")
    course = Course.objects.create(title="Course", slug="course", summary="S", is_published=True)
    hidden = Course.objects.create(title="Hidden", slug="hidden", summary="S", is_published=False)
    rows = [
        ("briefing", live.pk, {"briefing": live}),
        ("briefing", draft.pk, {"briefing": draft}),
        ("resource", poster.pk, {"resource": poster, "briefing": live}),
        ("resource", secret.pk, {"resource": secret, "briefing": draft}),
        ("resource", leaflet.pk, {"resource": leaflet}),
        ("course", course.pk, {"course": course}),
        ("course", hidden.pk, {"course": hidden}),
    ]
    for doc_type, object_id, links in rows:
        SearchDocument.objects.create(type=doc_type, object_id=object_id, title=str(object_id), url="/", **links)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    found = {
        (row.type, row.object_id): row.public_from for row in apps.get_model("portal", "SearchDocument").objects.all()
    }
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to the latest schema for the other tests
    always = datetime.date(1, 1, 1)
    assert found == {
        ("briefing", live.pk): day,
        ("briefing", draft.pk): None,
        ("resource", poster.pk): day,
        ("resource", secret.pk): None,
        ("resource", leaflet.pk): always,
        ("course", course.pk): always,
        ("course", hidden.pk): None,
    }


COURSE_FLAG = [("training", "0002_text_length_limits")]
COURSE_STATUS = [("training", "0003_course_publication")]


@pytest.mark.django_db(transaction=True)
def test_0003_course_publication_keeps_every_published_course_public():
    executor = MigrationExecutor(connection)
    executor.migrate(COURSE_FLAG)
    apps = executor.loader.project_state(COURSE_FLAG).apps
    Course = apps.get_model("training", "Course")
    HistoricalCourse = apps.get_model("training", "HistoricalCourse")
    live = Course.objects.create(title="Live", slug="live", summary="S", is_published=True)
    Course.objects.create(title="Hidden", slug="hidden", summary="S", is_published=False)
    HistoricalCourse.objects.create(
        id=live.pk, title="Live", slug="live", summary="S", is_published=True, created_at=live.created_at,
        updated_at=live.updated_at, version=1, history_date=live.created_at, history_type="+",
    )  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(COURSE_STATUS)
    apps = executor.loader.project_state(COURSE_STATUS).apps
    rows = {c.slug: (c.status, c.published) for c in apps.get_model("training", "Course").objects.all()}
    old = apps.get_model("training", "HistoricalCourse").objects.values_list("status", "published").get()
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    today = datetime.date.today()
    assert rows == {"live": ("published", rows["live"][1]), "hidden": ("draft", None)}
    assert rows["live"][1] is not None and rows["live"][1] <= today
    assert old == ("published", rows["live"][1])
    assert list(CurrentCourse.objects.published().values_list("slug", flat=True)) == ["live"]


@pytest.mark.django_db(transaction=True)
def test_stored_markdown_html_is_filled_for_existing_content():
    from portal.markdown import RENDERER_VERSION, render_block, render_inline

    before = [("portal", "0008_pendingrevision"), ("briefings", "0005_text_length_limits"),
              ("training", "0003_course_publication")]  # fmt: skip
    after = [("portal", "0009_stored_markdown_html"), ("briefings", "0006_stored_markdown_html"),
             ("training", "0004_stored_markdown_html")]  # fmt: skip
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    Briefing = apps.get_model("briefings", "Briefing")
    briefing = Briefing.objects.create(title="Old", slug="old", summary="S", status="draft")
    apps.get_model("briefings", "Section").objects.create(briefing=briefing, heading="H", body="| a |\n|---|\n| *1* |")
    apps.get_model("briefings", "DiscussionQuestion").objects.create(briefing=briefing, text="1. Why **now**?")
    theme = apps.get_model("briefings", "Theme").objects.create(name="T", slug="t", description="Theme *text*")
    apps.get_model("briefings", "FeaturedTheme").objects.create(
        theme=theme, starts=datetime.date(2025, 1, 1), ends=datetime.date(2025, 2, 1), message="Now *this*"
    )
    apps.get_model("training", "Course").objects.create(title="C", slug="c", summary="S", description="**Course**")
    apps.get_model("portal", "SiteSettings").objects.create(pk=1, accessibility_statement="## Ours")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    apps = executor.loader.project_state(after).apps
    found = {
        (label, field): list(apps.get_model(label)._base_manager.values_list(f"{field}_html", "markdown_version"))
        for label, field in [("briefings.Section", "body"), ("briefings.DiscussionQuestion", "text"),
                             ("briefings.Theme", "description"), ("briefings.FeaturedTheme", "message"),
                             ("training.Course", "description"), ("portal.SiteSettings", "accessibility_statement")]
    }  # fmt: skip
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    v = RENDERER_VERSION
    assert found == {
        ("briefings.Section", "body"): [(render_block("| a |\n|---|\n| *1* |"), v)],
        ("briefings.DiscussionQuestion", "text"): [(render_inline("1. Why **now**?"), v)],
        ("briefings.Theme", "description"): [("<p>Theme <em>text</em></p>\n", v)],
        ("briefings.FeaturedTheme", "message"): [("<p>Now <em>this</em></p>\n", v)],
        ("training.Course", "description"): [("<p><strong>Course</strong></p>\n", v)],
        ("portal.SiteSettings", "accessibility_statement"): [("<h2>Ours</h2>\n", v)],
    }
    assert '<div class="table-wrap"><table>' in found[("briefings.Section", "body")][0][0]
