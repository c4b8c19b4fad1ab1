"""Courses and sessions at awkward times: midnight, overnight, across the clock changes, two days, no places."""

from datetime import UTC, datetime
from html import unescape

import pytest
from django.urls import reverse
from icalendar import Calendar

from training.demo import DemoDataError, load_training
from training.models import Course, Session

from .helpers import CORPUS, Elements, html_text

pytestmark = pytest.mark.django_db

ODD_SESSIONS = CORPUS / "training" / "odd-sessions.yaml"
BOOKING = "https://learning.example.org/archebu/cwrs-esgeulustod?sesiwn=3&iaith=cy#ffurflen-ŵyr"

# (UK wall-clock start as written, start in UTC, end in UTC, what the course page says)
EXPECTED = [
    (datetime(2030, 6, 2, 23, 0, tzinfo=UTC), datetime(2030, 6, 3, 1, 0, tzinfo=UTC),
     "Monday 3 June 2030, midnight to 2am"),
    (datetime(2030, 6, 7, 22, 30, tzinfo=UTC), datetime(2030, 6, 8, 0, 0, tzinfo=UTC),
     "Friday 7 June 2030, 11:30pm to Saturday 8 June 2030, 1am"),
    # BST ends at 2am on 27 October 2030: 11pm BST is 10pm UTC, 3am GMT is 3am UTC (five hours).
    (datetime(2030, 10, 26, 22, 0, tzinfo=UTC), datetime(2030, 10, 27, 3, 0, tzinfo=UTC),
     "Saturday 26 October 2030, 11pm to Sunday 27 October 2030, 3am"),
    # BST starts at 1am on 31 March 2030: 11pm GMT is 11pm UTC, 3am BST is 2am UTC (three hours).
    (datetime(2030, 3, 30, 23, 0, tzinfo=UTC), datetime(2030, 3, 31, 2, 0, tzinfo=UTC),
     "Saturday 30 March 2030, 11pm to Sunday 31 March 2030, 3am"),
    # 1:30am happens twice on 27 October: the first (BST, 00:30 UTC); 2:30am is after the change (GMT).
    (datetime(2030, 10, 27, 0, 30, tzinfo=UTC), datetime(2030, 10, 27, 2, 30, tzinfo=UTC),
     "Sunday 27 October 2030, 1:30am to 2:30am"),
    (datetime(2030, 7, 1, 8, 30, tzinfo=UTC), datetime(2030, 7, 2, 15, 30, tzinfo=UTC),
     "Monday 1 July 2030, 9:30am to Tuesday 2 July 2030, 4:30pm"),
    (datetime(2030, 9, 9, 17, 0, tzinfo=UTC), datetime(2030, 9, 9, 23, 0, tzinfo=UTC),
     "Monday 9 September 2030, 6pm to midnight"),
]  # fmt: skip


@pytest.fixture
def course(db):
    (course,) = load_training(ODD_SESSIONS)
    return course


def test_odd_session_times_are_stored_as_the_right_instants(course):
    stored = [(s.starts, s.ends) for s in Session.objects.order_by("pk")]
    assert stored == [(starts, ends) for starts, ends, _ in EXPECTED]


def test_course_page_shows_each_session_in_uk_time(client, course):
    response = client.get(course.get_absolute_url())
    assert response.status_code == 200
    text = html_text(response.content.decode())
    for _, _, when in EXPECTED:
        assert when in text


def test_course_page_keeps_every_outcome_and_the_description_table(client, course):
    html = client.get(course.get_absolute_url()).content.decode()
    assert course.outcomes.count() == 40
    assert "Outcome 40 – describe" in html
    tags = [tag for tag, _ in Elements(html).tags]
    assert tags.count("table") == 1 and tags.count("th") == 3
    assert "Bring a drink and a notebook." in html


def test_session_with_no_places_is_shown_as_full_and_offers_no_booking(client, course):
    html = client.get(course.get_absolute_url()).content.decode()
    session = Session.objects.get(places_left=0)
    item = html[html.index(f'id="session-{session.pk}"') :]
    item = item[: item.index("</li>")]
    assert "This session is full." in item
    assert "Book a place" not in item
    feed = Calendar.from_ical(client.get(reverse("training:sessions-ics")).content)
    (event,) = [e for e in feed.walk("VEVENT") if e["uid"].startswith(f"session-{session.pk}@")]
    assert "This session is full." in str(event["description"])


def test_booking_links_with_query_fragment_and_welsh_letters_are_kept_exactly(client, course):
    html = client.get(course.get_absolute_url()).content.decode()
    hrefs = {unescape(attrs["href"]) for tag, attrs in Elements(html).tags if tag == "a" and "href" in attrs}
    assert BOOKING in hrefs
    feed = client.get(reverse("training:course-sessions-ics", args=[course.slug])).content.decode()
    assert BOOKING in Calendar.from_ical(feed).walk("VEVENT")[0]["description"]


def test_ics_feed_times_are_correct_in_utc(client, course):
    response = client.get(reverse("training:sessions-ics"))
    assert response.status_code == 200
    events = Calendar.from_ical(response.content).walk("VEVENT")
    got = sorted((e.decoded("dtstart"), e.decoded("dtend")) for e in events)
    assert got == sorted((starts, ends) for starts, ends, _ in EXPECTED)
    assert all(e.decoded("dtstart").utcoffset().total_seconds() == 0 for e in events)
    assert b"DTSTART:20301026T220000Z" in response.content


def write(tmp_path, sessions):
    path = tmp_path / "training.yaml"
    path.write_text("courses:\n  - slug: c\n    title: C\n    summary: S\n    sessions:\n" + sessions, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "session, message",
    [
        ("      - {date: 2030-06-03, start: '09:30'}\n", "'end' is required"),
        ("      - {date: 2030-06-03, start: '09:30', end: ''}\n", "'end' is required"),
        ("      - {date: 2030-06-03, end: '09:30'}\n", "'start' is required"),
        ("      - {date: 2030-03-31, start: '01:30', end: '03:00'}\n", "does not exist in the UK on 31 March 2030"),
        ("      - {date: 2030-06-07, start: '23:30', end: '01:00'}\n", "add 'days: 2'"),
        ("      - {date: 2030-02-30, start: '09:00', end: '10:00'}\n", "'date' must be a date"),
        ("      - {date: 2030-06-03, days_ahead: 3, start: '09:00', end: '10:00'}\n", "not both"),
        ("      - {date: 2030-06-03, days: 0, start: '09:00', end: '10:00'}\n", "'days' must be"),
        ("      - {date: 2030-06-03, start: '25:00', end: '26:00'}\n", "UK time"),
    ],
)
def test_impossible_session_times_are_rejected_clearly(tmp_path, session, message):
    with pytest.raises(DemoDataError) as error:
        load_training(write(tmp_path, session))
    assert message in str(error.value)
    assert "session 1" in str(error.value)
    assert Course.objects.count() == 0


def test_unquoted_times_are_read_as_times_not_minutes(tmp_path):
    load_training(write(tmp_path, "      - date: 2030-06-03\n        start: 9:30\n        end: 13:15\n"))
    session = Session.objects.get()
    assert (session.starts, session.ends) == (
        datetime(2030, 6, 3, 8, 30, tzinfo=UTC),
        datetime(2030, 6, 3, 12, 15, tzinfo=UTC),
    )
