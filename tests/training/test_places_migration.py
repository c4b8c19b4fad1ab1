"""Upgrading to "places in total" and "places left" keeps what the course page said."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("training", "0004_stored_markdown_html")]
AFTER = [("training", "0005_session_places_total_and_left")]


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
def test_places_become_the_total_and_zero_stays_full():
    apps = migrate(BEFORE)
    Course = apps.get_model("training", "Course")
    Session = apps.get_model("training", "Session")
    course = Course.objects.create(title="C", slug="c", summary="S")
    starts = datetime.datetime(2030, 6, 3, 9, tzinfo=datetime.UTC)
    ends = starts + datetime.timedelta(hours=3)
    for places in (20, 0, None):
        Session.objects.create(course=course, starts=starts, ends=ends, places=places, location=f"Room {places}")

    apps = migrate(AFTER)
    Session = apps.get_model("training", "Session")
    after = {s.location: (s.places_total, s.places_left) for s in Session.objects.all()}

    assert after == {"Room 20": (20, None), "Room 0": (None, 0), "Room None": (None, None)}
