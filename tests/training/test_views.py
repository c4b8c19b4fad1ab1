import re

import pytest
from django.urls import reverse

from pages.navigation import links
from tests.factories import BriefingFactory, CourseFactory, SessionFactory, ThemeFactory, uk
from training.models import Course, LearningOutcome, Session

pytestmark = pytest.mark.django_db


def titles(response):
    return [course.title for course in response.context["courses"]]


def booking_buttons(body):
    return re.findall(r'<a class="button"[^>]*>(.*?)</a>', body, flags=re.S)


@pytest.fixture
def catalogue(db):
    neglect = ThemeFactory(name="Child neglect")
    icon = ThemeFactory(name="ICON")
    classroom = CourseFactory(title="Child Neglect", format="classroom", audience="practitioners")
    classroom.themes.add(neglect)
    elearning = CourseFactory(title="ICON eLearning", format="elearning", audience="everyone")
    elearning.themes.add(icon)
    CourseFactory(title="Draft course", is_published=False, format="classroom")
    return classroom, elearning


def test_list_shows_only_published_courses(client, catalogue):
    response = client.get(reverse("training:list"))
    assert titles(response) == ["Child Neglect", "ICON eLearning"]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("format=elearning", ["ICON eLearning"]),
        ("format=classroom", ["Child Neglect"]),
        ("theme=child-neglect", ["Child Neglect"]),
        ("audience=everyone", ["ICON eLearning"]),
        ("format=classroom&theme=icon", []),
    ],
)
def test_list_filters(client, catalogue, query, expected):
    response = client.get(reverse("training:list") + "?" + query)
    assert response.status_code == 200
    assert titles(response) == expected


@pytest.mark.parametrize(
    "query",
    [
        "format=nonsense",
        "theme=no-such-theme",
        "audience=%00",
        "format=classroom&format=elearning",
        "theme[]=x",
        "format=" + "x" * 5000,
        "theme=%F0%9F%98%80",
        "audience=everyone'--",
    ],
)
def test_list_ignores_odd_filter_values(client, catalogue, query):
    response = client.get(reverse("training:list") + "?" + query)
    assert response.status_code == 200
    assert len(titles(response)) >= 1


def test_list_filter_form_has_labels(client, catalogue):
    body = client.get(reverse("training:list")).content.decode()
    for name in ("format", "theme", "audience"):
        assert f'<label for="id_{name}">' in body
        assert f'id="id_{name}"' in body
    assert 'method="get"' in body


def test_list_shows_next_upcoming_session_date(client, catalogue):
    classroom, _ = catalogue
    SessionFactory(course=classroom, starts=uk(2031, 3, 4, 9, 30), ends=uk(2031, 3, 4, 12, 30))
    SessionFactory(
        course=classroom, starts=uk(2031, 2, 4, 9, 30), ends=uk(2031, 2, 4, 12), status=Session.Status.CANCELLED
    )
    SessionFactory(course=classroom, days=-10)
    body = client.get(reverse("training:list")).content.decode()
    assert "Tuesday 4 March 2031" in body
    assert "4 February 2031" not in body
    assert "Start any time" in body


def test_detail_shows_course_facts_outcomes_and_prerequisites(client, course):
    course.audience_detail = "Health visitors and school nurses"
    course.duration = "Half day (3 hours)"
    course.cost = "Free to partner agencies"
    course.provider = "Example Partnership"
    course.level = 2
    course.description = "Some **bold** text <script>alert(1)</script>"
    course.prerequisites_text = "GCP2 may only be used by practitioners who have completed the training."
    course.save()
    first = CourseFactory(title="Neglect eLearning")
    hidden = CourseFactory(title="Hidden draft", is_published=False)
    course.prerequisites.add(first, hidden)
    LearningOutcome.objects.create(course=course, position=2, text="Second outcome")
    LearningOutcome.objects.create(course=course, position=1, text="First outcome")
    body = client.get(course.get_absolute_url()).content.decode()
    for text in ["Health visitors and school nurses", "Half day (3 hours)", "Free to partner agencies",
                 "Example Partnership", "Level 2", "<strong>bold</strong>", "By the end you will be able to",
                 "GCP2 may only be used", first.get_absolute_url()]:  # fmt: skip
        assert text in body, text
    assert "<script>alert" not in body
    assert body.index("First outcome") < body.index("Second outcome")
    assert "Hidden draft" not in body


def test_detail_offers_booking_for_open_future_sessions_only(client, course):
    open_session = SessionFactory(
        course=course, starts=uk(2031, 3, 4, 9, 30), ends=uk(2031, 3, 4, 12, 30), places_total=20
    )
    SessionFactory(course=course, starts=uk(2031, 3, 5, 9, 30), ends=uk(2031, 3, 5, 12, 30), status=Session.Status.FULL)
    SessionFactory(
        course=course,
        starts=uk(2031, 3, 6, 9, 30),
        ends=uk(2031, 3, 6, 12),
        status=Session.Status.CANCELLED,
        note="Trainer ill",
    )
    SessionFactory(course=course, days=-3, note="Long gone")
    body = client.get(course.get_absolute_url()).content.decode()
    buttons = booking_buttons(body)
    assert len(buttons) == 1
    assert "on Tuesday 4 March 2031, 9:30am to 12:30pm" in buttons[0]
    assert "(opens the booking site)" in buttons[0]
    assert f'href="{open_session.booking_link}" rel="noopener noreferrer" referrerpolicy="no-referrer"' in body
    assert "Full" in body and "This session is full." in body
    assert "Cancelled" in body and "Trainer ill" in body
    assert "Long gone" not in body
    assert "Places" in body and "20" in body


def test_session_that_has_started_is_not_bookable(client, course):
    SessionFactory(course=course, days=-0.01, hours=5)
    body = client.get(course.get_absolute_url()).content.decode()
    assert booking_buttons(body) == []
    assert "can no longer be booked" in body


def test_online_session_shows_online(client, course):
    SessionFactory(course=course, is_online=True, location="")
    assert "Online" in client.get(course.get_absolute_url()).content.decode()


def test_session_booking_link_overrides_course_link(client, course):
    SessionFactory(course=course, booking_url="https://learning.example.org/own-link")
    body = client.get(course.get_absolute_url()).content.decode()
    assert 'href="https://learning.example.org/own-link"' in body


def test_elearning_has_one_start_button(client):
    course = CourseFactory(format=Course.Format.ELEARNING, booking_url="https://learning.example.org/icon")
    body = client.get(course.get_absolute_url()).content.decode()
    buttons = booking_buttons(body) + re.findall(r'<a class="button button--start"[^>]*>(.*?)</a>', body)
    assert buttons == ['Start the eLearning<span class="no-print"> (opens the booking site)</span>']
    assert "Dates and booking" not in body


def test_unpublished_course_is_404_for_public(client):
    draft = CourseFactory(is_published=False)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(reverse("training:course-sessions-ics", args=[draft.slug])).status_code == 404


def test_staff_can_preview_unpublished_course(staff_client):
    draft = CourseFactory(is_published=False, title="Draft course")
    SessionFactory(course=draft)
    response = staff_client.get(draft.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert "Not published" in body
    assert "Add all sessions to your calendar" not in body


def test_published_course_has_no_preview_label(client, course):
    assert "Not published" not in client.get(course.get_absolute_url()).content.decode()


def test_detail_lists_published_related_briefings(client, course):
    live = BriefingFactory(title="Neglect: what reviews tell us", published=uk(2024, 5, 1, 0).date())
    draft = BriefingFactory(title="Secret draft", draft=True)
    live.courses.add(course)
    draft.courses.add(course)
    body = client.get(course.get_absolute_url()).content.decode()
    assert "Neglect: what reviews tell us" in body
    assert live.get_absolute_url() in body
    assert "Secret draft" not in body


def test_detail_has_calendar_link_when_sessions_exist(client, course):
    url = reverse("training:course-sessions-ics", args=[course.slug])
    assert url not in client.get(course.get_absolute_url()).content.decode()
    SessionFactory(course=course)
    body = client.get(course.get_absolute_url()).content.decode()
    assert "Add all sessions to your calendar" in body
    assert url in body


def test_home_page_lists_upcoming_sessions_in_uk_time(client, course):
    SessionFactory(course=course, starts=uk(2031, 7, 1, 9, 30), ends=uk(2031, 7, 1, 12, 30))
    SessionFactory(course=course, days=-2, note="past")
    body = client.get(reverse("home")).content.decode()
    assert "Tuesday 1 July 2031, 9:30am to 12:30pm" in body
    assert course.get_absolute_url() in body


@pytest.mark.parametrize("n", [1, 50])
def test_list_query_count_does_not_grow_with_courses(client, django_assert_max_num_queries, site_settings, n):
    theme = ThemeFactory(name="Child neglect")
    for _ in range(n):
        course = CourseFactory()
        course.themes.add(theme)
        SessionFactory(course=course)
        SessionFactory(course=course, days=20)
    links()  # the partnership pages' header and footer links: read once per worker after each content change
    with django_assert_max_num_queries(5):
        response = client.get(reverse("training:list") + "?theme=child-neglect")
    assert len(response.context["courses"]) == n


@pytest.mark.parametrize("n", [1, 50])
def test_detail_query_count_does_not_grow_with_sessions(
    client, django_assert_max_num_queries, site_settings, course, n
):
    for _ in range(n):
        SessionFactory(course=course)
        LearningOutcome.objects.create(course=course, text="Outcome")
        course.prerequisites.add(CourseFactory())
    links()  # the partnership pages' header and footer links: read once per worker after each content change
    with django_assert_max_num_queries(8):
        response = client.get(course.get_absolute_url())
    assert response.content.decode().count('class="session ') == n


@pytest.mark.parametrize("n", [1, 50])
def test_home_query_count_does_not_grow_with_sessions(client, django_assert_max_num_queries, site_settings, n):
    for _ in range(n):
        SessionFactory(course=CourseFactory())
    with django_assert_max_num_queries(8):
        assert client.get(reverse("home")).status_code == 200
