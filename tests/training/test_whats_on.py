"""What's on (sessions by month), one session's "Add to calendar", and full or cancelled sessions in calendar feeds."""

import pytest
import vobject
from django.core.exceptions import ValidationError
from django.urls import reverse
from icalendar import Calendar

from portal.models import SiteSettings
from tests.factories import CourseFactory, SessionFactory, ThemeFactory, uk
from training.models import Session

pytestmark = pytest.mark.django_db

WHATS_ON = "/training/whats-on/"


def both_parsers(content):
    """The VEVENTs as (UID, STATUS, TRANSP) read by icalendar and by vobject, which must agree."""
    first = sorted(
        (str(e["UID"]), str(e["STATUS"]), str(e["TRANSP"])) for e in Calendar.from_ical(content).walk("VEVENT")
    )
    cal = vobject.readOne(content.decode())
    second = sorted((e.uid.value, e.status.value, e.transp.value) for e in getattr(cal, "vevent_list", []))
    assert first == second
    return first


@pytest.fixture
def sessions(course):
    return {
        "open": SessionFactory(
            course=course, starts=uk(2031, 3, 4, 9, 30), ends=uk(2031, 3, 4, 12, 30), places_total=20, places_left=12
        ),
        "full": SessionFactory(
            course=course, starts=uk(2031, 3, 20, 13), ends=uk(2031, 3, 20, 16), places_total=20, places_left=0
        ),
        "cancelled": SessionFactory(
            course=course, starts=uk(2031, 4, 2, 9), ends=uk(2031, 4, 2, 12), status=Session.Status.CANCELLED
        ),
    }


def test_whats_on_groups_upcoming_sessions_by_month_with_places_in_words(client, sessions):
    SessionFactory(course=sessions["open"].course, days=-3)  # past: not listed
    SessionFactory(course=CourseFactory(draft=True), starts=uk(2031, 3, 5, 9), ends=uk(2031, 3, 5, 10))
    response = client.get(WHATS_ON)
    assert response.status_code == 200
    months = [(month, [s.pk for s in group]) for month, group in response.context["months"]]
    assert months == [
        ("March 2031", [sessions["open"].pk, sessions["full"].pk]),
        ("April 2031", [sessions["cancelled"].pk]),
    ]
    body = response.content.decode()
    assert '<h2 id="month-1">March 2031</h2>' in body
    assert "12 places left" in body and ">Full<" in body and ">Cancelled<" in body
    assert "Tuesday 4 March 2031, 9:30am to 12:30pm" in body


def test_one_place_left_is_singular(client, course):
    SessionFactory(course=course, places_total=20, places_left=1)
    assert "1 place left" in client.get(WHATS_ON).content.decode()


def test_whats_on_filters_by_course_and_theme_without_javascript(client, sessions):
    theme = ThemeFactory(name="Neglect", slug="neglect")
    other = SessionFactory(course=CourseFactory(title="Other course", themes=[theme]), starts=uk(2031, 5, 1, 9))
    by_course = client.get(WHATS_ON, {"course": "child-neglect"})
    assert [s.pk for _, group in by_course.context["months"] for s in group] == [
        sessions["open"].pk,
        sessions["full"].pk,
        sessions["cancelled"].pk,
    ]
    by_theme = client.get(WHATS_ON, {"theme": "neglect"})
    assert [s.pk for _, group in by_theme.context["months"] for s in group] == [other.pk]
    body = by_theme.content.decode()
    assert '<form class="course-filters" method="get"' in body and '<button type="submit">' in body
    assert '<option value="neglect" selected>' in body


@pytest.mark.parametrize("query", ["course=nope", "theme=%00", "course[]=x&theme=neglect", "course=" + "x" * 500])
def test_whats_on_ignores_odd_filters(client, sessions, query):
    response = client.get(f"{WHATS_ON}?{query}")
    assert response.status_code == 200


def test_whats_on_is_in_the_navigation_and_on_the_training_list(client, sessions):
    body = client.get(reverse("training:list")).content.decode()
    assert f'href="{WHATS_ON}"' in body
    assert f'<a href="{WHATS_ON}" aria-current="page">What\'s on</a>' in client.get(WHATS_ON).content.decode()


def test_each_session_offers_its_own_calendar_file(client, sessions, course):
    for page in (WHATS_ON, course.get_absolute_url()):
        body = client.get(page).content.decode()
        assert f'href="/training/child-neglect/sessions/{sessions["open"].pk}.ics"' in body
        assert f'href="/training/child-neglect/sessions/{sessions["cancelled"].pk}.ics"' not in body


def test_one_session_ics_holds_that_event_only(client, sessions):
    response = client.get(f"/training/child-neglect/sessions/{sessions['open'].pk}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="child-neglect-2031-03-04-0930.ics"'
    host = "testserver"
    assert both_parsers(response.content) == [(f"session-{sessions['open'].pk}@{host}", "CONFIRMED", "OPAQUE")]


def test_one_session_ics_needs_its_own_published_course(client, sessions):
    pk = sessions["open"].pk
    assert client.get(f"/training/other-course/sessions/{pk}.ics").status_code == 404
    assert client.get("/training/child-neglect/sessions/999999.ics").status_code == 404
    hidden = SessionFactory(course=CourseFactory(title="Hidden", draft=True))
    assert client.get(f"/training/hidden/sessions/{hidden.pk}.ics").status_code == 404


def test_feeds_show_full_and_cancelled_sessions_as_free_time_in_two_parsers(client, sessions, course):
    opened = (f"session-{sessions['open'].pk}@testserver", "CONFIRMED", "OPAQUE")
    full = (f"session-{sessions['full'].pk}@testserver", "CONFIRMED", "TRANSPARENT")
    cancelled = (f"session-{sessions['cancelled'].pk}@testserver", "CANCELLED", "TRANSPARENT")
    expected = sorted([opened, full, cancelled])
    assert both_parsers(client.get(reverse("training:sessions-ics")).content) == expected
    assert both_parsers(client.get(reverse("training:course-sessions-ics", args=[course.slug])).content) == expected
    one = client.get(f"/training/child-neglect/sessions/{sessions['full'].pk}.ics").content
    assert both_parsers(one) == [full]


def test_a_full_status_with_places_is_also_free_time(client, course):
    session = SessionFactory(course=course, status=Session.Status.FULL, places_total=20, places_left=20)
    content = client.get(f"/training/child-neglect/sessions/{session.pk}.ics").content
    assert both_parsers(content) == [(f"session-{session.pk}@testserver", "CONFIRMED", "TRANSPARENT")]


def test_a_course_with_no_sessions_gives_a_valid_calendar(client, course):
    response = client.get(reverse("training:course-sessions-ics", args=[course.slug]))
    assert response.status_code == 200
    assert both_parsers(response.content) == []
    cal = Calendar.from_ical(response.content)
    assert [c.name for c in cal.subcomponents] == ["VTIMEZONE"]  # RFC 5545: at least one component
    assert str(vobject.readOne(response.content.decode()).vtimezone.tzid.value) == "Europe/London"


def test_full_session_says_how_to_join_the_waiting_list(client, course):
    session = SessionFactory(course=course, status=Session.Status.FULL)
    site = SiteSettings.load()
    site.contact_email = "training@partnership.example.org"
    site.save()
    body = client.get(WHATS_ON).content.decode()
    assert 'href="mailto:training@partnership.example.org?subject=Child%20Neglect%20waiting%20list"' in body
    course.waiting_list = "https://learning.example.org/waiting-list"
    course.save()
    body = client.get(course.get_absolute_url()).content.decode()
    assert 'href="https://learning.example.org/waiting-list"' in body and "Join the waiting list" in body
    course.waiting_list = "waiting@partnership.example.org"
    course.save()
    body = client.get(WHATS_ON).content.decode()
    assert 'href="mailto:waiting@partnership.example.org?subject=Child%20Neglect%20waiting%20list"' in body
    ics = client.get(f"/training/child-neglect/sessions/{session.pk}.ics").content
    description = str(Calendar.from_ical(ics).walk("VEVENT")[0]["DESCRIPTION"])
    assert "To join the waiting list: waiting@partnership.example.org" in description


@pytest.mark.parametrize("value", ["javascript:alert(1)", "not an address", "ftp://x.example.org/list", "a@b"])
def test_waiting_list_must_be_a_web_or_email_address(course, value):
    course.waiting_list = value
    with pytest.raises(ValidationError, match="web address .* or an email address"):
        course.full_clean()
