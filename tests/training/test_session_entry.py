"""Sessions entered as staff type them: forgiving dates and times, one date for a one-day session, places."""

import pytest
from django.urls import reverse

from tests.factories import CourseFactory, SessionFactory, uk
from training.forms import SessionForm
from training.models import Session

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(db):
    return CourseFactory(booking_url="https://learning.example.org/book")


def form(course, **fields):
    data = {"course": course.pk, "location": "Civic Centre", "status": "open", "starts_0": "3/12/2026"}
    return SessionForm(data={**data, **fields})


@pytest.mark.parametrize(
    ("start", "end", "starts", "ends"),
    [
        ("2pm", "4pm", (14, 0), (16, 0)),
        ("14:00", "16:30", (14, 0), (16, 30)),
        ("2.30pm", "4.45 pm", (14, 30), (16, 45)),
        ("2:30 pm", "5:00 p.m.", (14, 30), (17, 0)),
        ("1430", "1600", (14, 30), (16, 0)),
        ("9.30am", "12pm", (9, 30), (12, 0)),
        ("12am", "1am", (0, 0), (1, 0)),
    ],
)
def test_times_are_accepted_as_typed_and_one_date_is_enough(course, start, end, starts, ends):
    session_form = form(course, starts_1=start, ends_1=end)
    assert session_form.is_valid(), session_form.errors
    session = session_form.save()
    assert session.starts == uk(2026, 12, 3, *starts)
    assert session.ends == uk(2026, 12, 3, *ends)


@pytest.mark.parametrize("date", ["3/12/2026", "03/12/2026", "3 Dec 2026", "3 December 2026", "2026-12-03"])
def test_dates_are_read_day_first(course, date):
    session_form = form(course, starts_0=date, starts_1="2pm", ends_1="4pm")
    assert session_form.is_valid(), session_form.errors
    assert session_form.save().starts == uk(2026, 12, 3, 14)


def test_an_end_date_is_kept_for_a_session_over_two_days(course):
    session_form = form(course, starts_1="9am", ends_0="4/12/2026", ends_1="4pm")
    assert session_form.is_valid(), session_form.errors
    assert session_form.save().ends == uk(2026, 12, 4, 16)


def test_ending_at_midnight_with_no_date_ends_at_the_end_of_the_day(course):
    session_form = form(course, starts_1="10pm", ends_1="12am")
    assert session_form.is_valid(), session_form.errors
    assert session_form.save().ends == uk(2026, 12, 4, 0)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"starts_1": "2", "ends_1": "4pm"}, "starts", "Enter a time like 14:00 or 2pm"),
        ({"starts_1": "13pm", "ends_1": "4pm"}, "starts", "Enter a time like 14:00 or 2pm"),
        ({"starts_1": "2pm", "ends_1": "teatime"}, "ends", "Enter a time like 14:00 or 2pm"),
        ({"starts_0": "31/2/2026", "starts_1": "2pm", "ends_1": "4pm"}, "starts", "Enter a date like 3/12/2026"),
        ({"starts_0": "12/31/2026", "starts_1": "2pm", "ends_1": "4pm"}, "starts", "Enter a date like 3/12/2026"),
        ({"starts_0": "", "starts_1": "2pm", "ends_1": "4pm"}, "starts", "Enter the date"),
        ({"starts_1": "", "ends_1": "4pm"}, "starts", "Enter the time"),
        ({"starts_1": "2pm", "ends_1": ""}, "ends", "Enter the time"),
        ({"starts_1": "4pm", "ends_1": "2pm"}, "ends", "The end must be after the start"),
        ({"starts_1": "x" * 5000, "ends_1": "\x00"}, "starts", "Enter a time like 14:00 or 2pm"),
    ],
)
def test_what_is_refused_says_what_was_expected(course, fields, field, message):
    session_form = form(course, **fields)
    assert not session_form.is_valid()
    assert message in " ".join(session_form.errors[field])


def test_places_in_total_and_places_left_are_separate_named_fields(course):
    session_form = form(course, starts_1="2pm", ends_1="4pm", places_total="20", places_left="5")
    assert session_form.is_valid(), session_form.errors
    session = session_form.save()
    assert (session.places_total, session.places_left) == (20, 5)
    labels = {name: str(field.label) for name, field in SessionForm().fields.items()}
    assert labels["places_total"] == "Places in total" and labels["places_left"] == "Places left"


def test_more_places_left_than_in_total_is_refused(course):
    session_form = form(course, starts_1="2pm", ends_1="4pm", places_total="20", places_left="25")
    assert not session_form.is_valid()
    assert session_form.errors["places_left"] == ["Places left cannot be more than the places in total (20)."]


def test_no_places_left_marks_an_open_session_full(course):
    session_form = form(course, starts_1="2pm", ends_1="4pm", places_total="20", places_left="0")
    assert session_form.is_valid(), session_form.errors
    session = session_form.save()
    assert session.status == Session.Status.FULL and not session.is_bookable


def test_course_page_shows_places_left_or_full(client, course):
    course_page = course.get_absolute_url()
    with_places = SessionFactory(course=course, places_total=20, places_left=3)
    one_left = SessionFactory(course=course, places_total=20, places_left=1, days=11)
    none_left = SessionFactory(course=course, places_total=20, places_left=0, days=12)
    marked_full = SessionFactory(course=course, status=Session.Status.FULL, days=13)
    total_only = SessionFactory(course=course, places_total=12, days=14)
    html = client.get(course_page).content.decode()

    def item(session):
        part = html[html.index(f'id="session-{session.pk}"') :]
        return part[: part.index("</li>")]

    assert "3 places left" in item(with_places) and "Book a place" in item(with_places)
    assert "1 place left" in item(one_left)
    for full in (none_left, marked_full):
        assert "<dd>Full</dd>" in item(full) and "Book a place" not in item(full)
    assert "12 in total" in item(total_only)
    assert list(Session.objects.bookable()) == [with_places, one_left, total_only]


def test_session_admin_takes_2pm_and_a_uk_date(staff_client, course):
    data = {
        "course": course.pk,
        "starts_0": "3/12/2026",
        "starts_1": "2pm",
        "ends_0": "",
        "ends_1": "4.30pm",
        "location": "Civic Centre",
        "status": "open",
        "places_total": "20",
        "places_left": "20",
    }
    response = staff_client.post(reverse("admin:training_session_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    session = Session.objects.get()
    assert (session.starts, session.ends) == (uk(2026, 12, 3, 14), uk(2026, 12, 3, 16, 30))


def test_session_change_page_shows_the_time_without_seconds(staff_client, course):
    session = SessionFactory(course=course, starts=uk(2026, 12, 3, 14), ends=uk(2026, 12, 3, 16))
    html = staff_client.get(reverse("admin:training_session_change", args=[session.pk])).content.decode()
    assert 'name="starts_1" value="14:00"' in html
