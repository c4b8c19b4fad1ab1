import re
from datetime import UTC

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import BriefingFactory, CourseFactory, SessionFactory, uk
from training.forms import WEB_ADDRESS_MESSAGE, SessionForm
from training.models import Course, LearningOutcome, Session

pytestmark = pytest.mark.django_db


def management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def course_post(**overrides):
    data = {
        "title": "Graded Care Profile 2",
        "slug": "graded-care-profile-2",
        "summary": "Training in the GCP2 tool.",
        "description": "",
        "audience": "practitioners",
        "format": "classroom",
        "booking_url": "https://learning.example.org/gcp2",
        "status": "published",
        "published": "2024-05-01",
        **management("outcomes"),
        **management("sessions"),
        **management("Briefing_courses"),
    }
    data.update(overrides)
    return data


def session_data(**overrides):
    data = {
        "starts_0": "01/07/2026",
        "starts_1": "09:30",
        "ends_0": "01/07/2026",
        "ends_1": "12:30",
        "location": "Civic Centre",
        "status": "open",
    }
    data.update(overrides)
    return data


def test_admin_pages_are_200_for_staff(staff_client, course):
    session = SessionFactory(course=course)
    LearningOutcome.objects.create(course=course, text="Recognise neglect", position=1)
    urls = [
        reverse("admin:app_list", args=["training"]),
        reverse("admin:training_course_changelist"),
        reverse("admin:training_course_add"),
        reverse("admin:training_course_change", args=[course.pk]),
        reverse("admin:training_course_history", args=[course.pk]),
        reverse("admin:training_course_delete", args=[course.pk]),
        reverse("admin:training_session_changelist"),
        reverse("admin:training_session_add"),
        reverse("admin:training_session_change", args=[session.pk]),
        reverse("admin:training_session_history", args=[session.pk]),
        reverse("admin:training_course_changelist") + "?upcoming=none",
        reverse("admin:training_course_changelist") + "?upcoming=yes&format__exact=classroom",
        reverse("admin:training_course_changelist") + "?q=neglect",
        reverse("admin:training_session_changelist") + "?status__exact=full&when=upcoming",
        reverse("admin:training_session_changelist") + "?when=past&starts__year=2026",
    ]
    for url in urls:
        assert staff_client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    "link",
    ["javascript:alert(1)", "JAVASCRIPT:alert(1)", " javascript:alert(1)", "data:text/html,hi", "ftp://x.org/a",
     "mailto:a@example.org"],
)  # fmt: skip
def test_admin_refuses_non_web_booking_link_with_clear_message(staff_client, link):
    response = staff_client.post(reverse("admin:training_course_add"), course_post(booking_url=link))
    assert response.status_code == 200
    assert not Course.objects.exists()
    assert "starts with https://" in response.content.decode()


def test_admin_refuses_bad_session_booking_link_in_course_inline(staff_client):
    data = course_post(**management("sessions", total=1))
    data.update({f"sessions-0-{k}": v for k, v in session_data(booking_url="javascript:alert(1)").items()})
    response = staff_client.post(reverse("admin:training_course_add"), data)
    assert response.status_code == 200
    assert "starts with https://" in response.content.decode()
    assert not Session.objects.exists()


def plain(**overrides):
    data = {
        "starts_0": "2026-07-01",
        "starts_1": "09:30",
        "ends_0": "2026-07-01",
        "ends_1": "12:30",
        "location": "Civic Centre",
        "status": "open",
    }
    return {**data, **overrides}


def test_session_form_error_when_end_is_before_start(course):
    form = SessionForm(data=plain(course=course.pk, ends_1="08:00"))
    assert not form.is_valid()
    assert form.errors["ends"] == ["The end must be after the start. Check the date and the time of both."]
    assert "__all__" not in form.errors


def test_session_admin_shows_form_error_not_500_when_end_before_start(staff_client, course):
    data = session_data(course=course.pk, ends_1="09:30")
    response = staff_client.post(reverse("admin:training_session_add"), data)
    assert response.status_code == 200
    assert "The end must be after the start" in response.content.decode()
    assert not Session.objects.exists()


def test_session_admin_saves_london_time_as_utc(staff_client, course):
    response = staff_client.post(reverse("admin:training_session_add"), session_data(course=course.pk))
    assert response.status_code == 302
    session = Session.objects.get()
    assert session.starts == uk(2026, 7, 1, 9, 30)
    assert session.starts.astimezone(UTC).hour == 8


def test_session_form_needs_a_place_unless_online(course):
    assert "location" in SessionForm(data=plain(course=course.pk, location="")).errors
    assert SessionForm(data=plain(course=course.pk, location="", is_online="on")).is_valid()


def test_web_address_message_is_specific():
    assert "https://" in WEB_ADDRESS_MESSAGE
    assert "javascript:" in WEB_ADDRESS_MESSAGE


def test_course_with_outcomes_and_sessions_saved_from_admin(staff_client):
    data = course_post(**management("outcomes", total=3), **management("sessions", total=1))
    data.update({"outcomes-0-text": "Second", "outcomes-0-position": "2"})
    data.update({"outcomes-1-text": "First", "outcomes-1-position": "1"})
    data.update({"outcomes-2-text": "Added last", "outcomes-2-position": ""})
    data.update({f"sessions-0-{k}": v for k, v in session_data().items()})
    response = staff_client.post(reverse("admin:training_course_add"), data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    course = Course.objects.get()
    assert [o.text for o in course.outcomes.all()] == ["First", "Second", "Added last"]
    assert course.outcomes.get(text="Added last").position == 3
    assert course.sessions.count() == 1


def test_course_cannot_be_its_own_prerequisite(staff_client, course):
    data = course_post(title=course.title, slug=course.slug, prerequisites=[course.pk], loaded_version=course.version)
    response = staff_client.post(reverse("admin:training_course_change", args=[course.pk]), data)
    assert response.status_code == 200
    assert not course.prerequisites.exists()


def test_stale_course_edit_is_refused(staff_client, course):
    Course.objects.filter(pk=course.pk).update(version=course.version + 1)
    data = course_post(title="Changed", slug=course.slug, loaded_version=course.version)
    response = staff_client.post(reverse("admin:training_course_change", args=[course.pk]), data)
    assert response.status_code == 200
    assert response.context["conflict"] is not None and not response.context["adminform"].form.is_bound
    course.refresh_from_db()
    assert course.title == "Child Neglect"


def test_no_upcoming_session_filter_lists_courses_without_dates(staff_client, course):
    SessionFactory(course=course, days=5)
    quiet = CourseFactory(title="Quiet course")
    SessionFactory(course=quiet, days=-5)
    SessionFactory(course=quiet, days=5, status=Session.Status.CANCELLED)
    response = staff_client.get(reverse("admin:training_course_changelist") + "?upcoming=none")
    names = [c.title for c in response.context["cl"].result_list]
    assert names == ["Quiet course"]
    response = staff_client.get(reverse("admin:training_course_changelist") + "?upcoming=yes")
    assert [c.title for c in response.context["cl"].result_list] == ["Child Neglect"]


def test_course_changelist_shows_next_session(staff_client, course):
    SessionFactory(course=course, starts=uk(2031, 1, 14, 9, 30), ends=uk(2031, 1, 14, 12))
    body = staff_client.get(reverse("admin:training_course_changelist")).content.decode()
    assert "Tue 14 Jan 2031 09:30" in body
    assert "None scheduled" not in body


def test_course_change_page_lists_linked_briefings(staff_client, course):
    briefing = BriefingFactory(title="Neglect briefing", draft=True)
    briefing.courses.add(course)
    body = staff_client.get(reverse("admin:training_course_change", args=[course.pk])).content.decode()
    assert "Linked briefings" in body
    assert "Neglect briefing" in body


def bulk(client, action, *courses):
    return client.post(
        reverse("admin:training_course_changelist"),
        {"action": action, "_selected_action": [c.pk for c in courses]},
        follow=True,
    )


def test_publisher_can_bulk_publish_and_unpublish(publisher_client):
    drafts = [CourseFactory(is_published=False) for _ in range(2)]
    response = bulk(publisher_client, "publish_selected", *drafts)
    assert "2 courses published." in response.content.decode()
    assert Course.objects.published().count() == 2
    assert all(c.version == 2 for c in Course.objects.all())
    assert drafts[0].history.count() == 2
    bulk(publisher_client, "unpublish_selected", drafts[0])
    assert Course.objects.published().count() == 1


def test_editor_cannot_publish(editor_client):
    draft = CourseFactory(is_published=False)
    response = editor_client.get(reverse("admin:training_course_changelist"))
    action_form = response.context["action_form"]
    actions = [value for value, _ in action_form.fields["action"].choices] if action_form else []
    assert "publish_selected" not in actions
    bulk(editor_client, "publish_selected", draft)
    draft.refresh_from_db()
    assert not draft.is_published
    body = editor_client.get(reverse("admin:training_course_change", args=[draft.pk])).content.decode()
    assert not re.search(r'name="status"', body)


def test_session_status_actions(staff_client, course):
    session = SessionFactory(course=course)
    staff_client.post(
        reverse("admin:training_session_changelist"), {"action": "mark_full", "_selected_action": [session.pk]}
    )
    session.refresh_from_db()
    assert session.status == Session.Status.FULL


def test_session_view_on_site_goes_to_course(staff_client, course):
    session = SessionFactory(course=course)
    body = staff_client.get(reverse("admin:training_session_change", args=[session.pk])).content.decode()
    assert "View on site" in body


def test_outcomes_are_numbered_one_two_three_like_a_briefings_parts(staff_client, course):
    """Outcomes follow the same ordering rule as a briefing's sections: positions close up, empty ones go last."""
    first = LearningOutcome.objects.create(course=course, text="First", position=10)
    second = LearningOutcome.objects.create(course=course, text="Second", position=20)
    data = course_post(
        title=course.title,
        slug=course.slug,
        loaded_version=Course.objects.get(pk=course.pk).version,
        **management("outcomes", total=3, initial=2),
    )
    data.update({"outcomes-0-id": str(first.pk), "outcomes-0-course": str(course.pk)})
    data.update({"outcomes-0-text": "First", "outcomes-0-position": "10"})
    data.update({"outcomes-1-id": str(second.pk), "outcomes-1-course": str(course.pk)})
    data.update({"outcomes-1-text": "Second", "outcomes-1-position": "20"})
    data.update({"outcomes-2-text": "Added last", "outcomes-2-position": ""})
    response = staff_client.post(reverse("admin:training_course_change", args=[course.pk]), data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert [(o.position, o.text) for o in course.outcomes.all()] == [(1, "First"), (2, "Second"), (3, "Added last")]


def test_a_course_published_with_no_date_is_published_from_today(publisher_client):
    response = publisher_client.post(reverse("admin:training_course_add"), course_post(published=""))
    assert response.status_code == 302
    course = Course.objects.get(slug="graded-care-profile-2")
    assert (course.status, course.published) == ("published", timezone.localdate())
