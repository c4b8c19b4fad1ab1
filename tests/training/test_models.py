from datetime import UTC, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import CourseFactory, SessionFactory, uk
from training.models import Session
from training.templatetags.training_tags import session_place, session_when, uk_time

pytestmark = pytest.mark.django_db

BAD_LINKS = [
    "javascript:alert(1)",
    "JAVASCRIPT:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "ftp://files.example.org/course.pdf",
    "mailto:learning@example.org",
    "vbscript:msgbox(1)",
    "//learning.example.org/course",
]


@pytest.mark.parametrize("link", BAD_LINKS)
def test_course_booking_link_rejects_anything_but_http_and_https(course, link):
    course.booking_url = link
    with pytest.raises(ValidationError) as error:
        course.full_clean()
    assert "booking_url" in error.value.message_dict


@pytest.mark.parametrize("link", BAD_LINKS)
def test_session_booking_link_rejects_anything_but_http_and_https(course, link):
    session = SessionFactory(course=course)
    session.booking_url = link
    with pytest.raises(ValidationError) as error:
        session.full_clean()
    assert "booking_url" in error.value.message_dict


@pytest.mark.parametrize("link", ["https://learning.example.org/book", "HTTP://learning.example.org/book?id=3"])
def test_booking_link_accepts_http_and_https(course, link):
    course.booking_url = link
    course.full_clean()


def test_session_falls_back_to_course_booking_link(course):
    session = SessionFactory(course=course)
    assert session.booking_link == course.booking_url
    session.booking_url = "https://learning.example.org/session-1"
    assert session.booking_link == "https://learning.example.org/session-1"


def test_session_is_bookable_only_when_open_in_future_with_a_link(course):
    assert SessionFactory(course=course, days=3).is_bookable
    assert not SessionFactory(course=course, days=-3).is_bookable
    assert not SessionFactory(course=course, days=3, status=Session.Status.FULL).is_bookable
    assert not SessionFactory(course=course, days=3, status=Session.Status.CANCELLED).is_bookable
    no_link = CourseFactory(booking_url="")
    assert not SessionFactory(course=no_link, days=3).is_bookable


def test_upcoming_excludes_past_cancelled_and_unpublished(course):
    upcoming = SessionFactory(course=course, days=2)
    full = SessionFactory(course=course, days=4, status=Session.Status.FULL)
    SessionFactory(course=course, days=-2)
    SessionFactory(course=course, days=5, status=Session.Status.CANCELLED)
    SessionFactory(course=CourseFactory(is_published=False), days=2)
    assert list(Session.objects.upcoming()) == [upcoming, full]


def test_summer_session_is_stored_in_utc_and_shown_in_uk_time(course):
    """1 July is British Summer Time: 9:30am in London is 08:30 UTC."""
    session = SessionFactory(course=course, starts=uk(2026, 7, 1, 9, 30), ends=uk(2026, 7, 1, 12, 30))
    session.refresh_from_db()
    assert session.starts.astimezone(UTC).hour == 8
    assert session.starts.astimezone(UTC).minute == 30
    assert session_when(session) == "Wednesday 1 July 2026, 9:30am to 12:30pm"


def test_winter_session_is_stored_in_utc_and_shown_in_uk_time(course):
    """3 March is Greenwich Mean Time: 9:30am in London is 09:30 UTC."""
    session = SessionFactory(course=course, starts=uk(2026, 3, 3, 9, 30), ends=uk(2026, 3, 3, 12, 30))
    session.refresh_from_db()
    assert session.starts.astimezone(UTC).hour == 9
    assert session_when(session) == "Tuesday 3 March 2026, 9:30am to 12:30pm"


def test_session_over_two_days_shows_both_dates(course):
    session = SessionFactory(course=course, starts=uk(2026, 3, 3, 13), ends=uk(2026, 3, 4, 12))
    assert session_when(session) == "Tuesday 3 March 2026, 1pm to Wednesday 4 March 2026, midday"


def test_times_read_as_gov_uk_style():
    assert uk_time(uk(2026, 3, 3, 0)) == "midnight"
    assert uk_time(uk(2026, 3, 3, 12)) == "midday"
    assert uk_time(uk(2026, 3, 3, 16, 5)) == "4:05pm"
    assert uk_time(uk(2026, 3, 3, 9)) == "9am"


def test_place_is_online_or_venue(course):
    assert session_place(SessionFactory(course=course, is_online=True, location="")) == "Online"
    assert (
        session_place(SessionFactory(course=course, is_online=True, location="Microsoft Teams"))
        == "Online (Microsoft Teams)"
    )
    assert session_place(SessionFactory(course=course, location="Civic Centre")) == "Civic Centre"


def test_session_str_uses_uk_time(course):
    session = SessionFactory(course=course, starts=uk(2026, 7, 1, 9, 30), ends=uk(2026, 7, 1, 12, 30))
    assert "09:30" in str(session)
    assert timezone.localtime(session.starts).utcoffset() == timedelta(hours=1)
