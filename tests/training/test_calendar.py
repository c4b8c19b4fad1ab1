from datetime import UTC, datetime

import pytest
from django.urls import reverse
from icalendar import Calendar

from tests.factories import CourseFactory, SessionFactory, uk
from training.models import Session

pytestmark = pytest.mark.django_db


def parse(response):
    return Calendar.from_ical(response.content)


def events(cal):
    return list(cal.walk("VEVENT"))


def test_feed_is_valid_icalendar_with_headers(client, course):
    SessionFactory(course=course)
    response = client.get(reverse("training:sessions-ics"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="training-sessions.ics"'
    cal = parse(response)
    assert cal.name == "VCALENDAR"
    assert str(cal["VERSION"]) == "2.0"
    assert "PRODID" in cal
    assert str(cal["METHOD"]) == "PUBLISH"
    assert "training" in str(cal["X-WR-CALNAME"])
    assert response.content.startswith(b"BEGIN:VCALENDAR\r\n")


def test_feed_has_upcoming_sessions_on_published_courses_cancelled_ones_too(client, course):
    # A cancelled session stays in the feed (as STATUS:CANCELLED), so a calendar that had it shows it cancelled.
    keep = [
        SessionFactory(course=course, days=2),
        SessionFactory(course=course, days=9, status=Session.Status.FULL),
        SessionFactory(course=course, days=4, status=Session.Status.CANCELLED),
    ]
    SessionFactory(course=course, days=-2)
    SessionFactory(course=CourseFactory(is_published=False), days=3)
    cal = parse(client.get(reverse("training:sessions-ics")))
    uids = sorted(str(event["UID"]) for event in events(cal))
    assert uids == sorted(f"session-{s.pk}@testserver" for s in keep)


def test_event_times_are_utc_in_summer_and_winter(client, course):
    SessionFactory(course=course, starts=uk(2031, 7, 1, 9, 30), ends=uk(2031, 7, 1, 12, 30))
    SessionFactory(course=course, starts=uk(2031, 12, 2, 9, 30), ends=uk(2031, 12, 2, 12, 30))
    response = client.get(reverse("training:sessions-ics"))
    summer, winter = sorted(events(parse(response)), key=lambda e: e.decoded("DTSTART"))
    assert summer.decoded("DTSTART") == datetime(2031, 7, 1, 8, 30, tzinfo=UTC)
    assert summer.decoded("DTEND") == datetime(2031, 7, 1, 11, 30, tzinfo=UTC)
    assert winter.decoded("DTSTART") == datetime(2031, 12, 2, 9, 30, tzinfo=UTC)
    assert b"DTSTART:20310701T083000Z" in response.content


def test_event_carries_summary_location_description_url_and_status(client, course):
    course.summary = "Recognising neglect, with “curly quotes”, commas; and semicolons."
    course.save()
    session = SessionFactory(
        course=course,
        location="Civic Centre, Market Square",
        note="Bring a laptop",
        booking_url="https://learning.example.org/book/1",
    )
    event = events(parse(client.get(reverse("training:sessions-ics"))))[0]
    assert str(event["SUMMARY"]) == "Child Neglect"
    assert str(event["LOCATION"]) == "Civic Centre, Market Square"
    description = str(event["DESCRIPTION"])
    assert "“curly quotes”, commas; and semicolons." in description
    assert "https://learning.example.org/book/1" in description
    assert "Bring a laptop" in description
    assert str(event["URL"]) == "http://testserver" + course.get_absolute_url()
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "DTSTAMP" in event
    assert str(event["UID"]) == f"session-{session.pk}@testserver"


def test_online_session_location_is_online(client, course):
    SessionFactory(course=course, is_online=True, location="")
    event = events(parse(client.get(reverse("training:sessions-ics"))))[0]
    assert str(event["LOCATION"]) == "Online"


def test_course_feed_has_only_that_course(client, course):
    SessionFactory(course=course)
    SessionFactory(course=course, days=5)
    SessionFactory(course=CourseFactory(), days=3)
    response = client.get(reverse("training:course-sessions-ics", args=[course.slug]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="child-neglect-sessions.ics"'
    cal = parse(response)
    assert len(events(cal)) == 2
    assert "Child Neglect" in str(cal["X-WR-CALNAME"])


def test_feed_route_is_not_taken_for_a_course_slug(client):
    CourseFactory(slug="sessions", title="A course called sessions")
    assert client.get("/training/sessions.ics")["Content-Type"].startswith("text/calendar")
    assert client.get("/training/sessions/").status_code == 200


def test_empty_feed_is_still_valid(client, db):
    cal = parse(client.get(reverse("training:sessions-ics")))
    assert events(cal) == []
    assert str(cal["VERSION"]) == "2.0"


def test_unknown_course_feed_is_404(client, db):
    assert client.get("/training/no-such-course/sessions.ics").status_code == 404


@pytest.mark.parametrize("n", [1, 50])
def test_feed_query_count_does_not_grow(client, django_assert_max_num_queries, site_settings, n):
    for _ in range(n):
        SessionFactory(course=CourseFactory())
    with django_assert_max_num_queries(2):
        response = client.get(reverse("training:sessions-ics"))
    assert len(events(parse(response))) == n
