"""A part changed on its own (session, resource, ...) makes the owner's open forms stale, and the reverse.

The scenario: a publisher opens a course; a second publisher cancels session 1 from the sessions list; the
publisher saves the course form they opened before. That save must be refused with the usual
"changed while you were editing" message, leaving session 1 cancelled and out of the calendar feed.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from briefings.models import Briefing, Resource
from tests.factories import BriefingFactory, CourseFactory, UserFactory
from training.models import Course, Session

from .conftest import form_data, post_data

STALE = "was changed while you were editing it"
NOT_SAVED = "Your changes have NOT been saved"


@pytest.fixture
def publisher(db):
    client = Client()
    client.force_login(UserFactory(username="pat", publisher=True, first_name="Pat", last_name="Publisher"))
    return client


@pytest.fixture
def editor(db):
    # A second person whose changes go live at once (an editor's would wait for approval: test_signoff).
    client = Client()
    client.force_login(UserFactory(username="eddie", publisher=True, first_name="Eddie", last_name="Editor"))
    return client


@pytest.fixture
def course(db):
    course = CourseFactory(title="Child neglect", outcomes=1)
    starts = timezone.now().replace(microsecond=0) + timedelta(days=10)
    for n in range(2):
        Session.objects.create(
            course=course,
            starts=starts + timedelta(days=n),
            ends=starts + timedelta(days=n, hours=3),
            location=f"Room {n + 1}",
        )
    return course


@pytest.fixture
def briefing(db):
    return BriefingFactory(title="Neglect in the early years", draft=True, questions=1, key_facts=1, resources=1)


def first_session(course):
    return course.sessions.order_by("starts").first()


def open_course(client, course):
    url = reverse("admin:training_course_change", args=[course.pk])
    return url, form_data(client.get(url), "course_form")


def open_briefing(client, briefing):
    url = reverse("admin:briefings_briefing_change", args=[briefing.pk])
    return url, form_data(client.get(url), "briefing_form")


def assert_refused(response, typed):
    assert response.status_code == 200
    page = response.content.decode()
    assert STALE in page and NOT_SAVED in page
    assert typed in page, "what was typed is still in the form"


def in_feed(client, session, status="CONFIRMED"):
    """Whether the calendar feed holds the session with this STATUS (a cancelled one stays in, as CANCELLED)."""
    cal = Calendar.from_ical(client.get(reverse("training:sessions-ics")).content)
    uid = f"session-{session.pk}@"
    return any(str(e["UID"]).startswith(uid) and str(e["STATUS"]) == status for e in cal.walk("VEVENT"))


def save_stale_course(publisher, url, data):
    data["summary"] = ["Publisher's new summary."]
    return publisher.post(url, post_data(data))


def assert_course_refused(response, course):
    assert_refused(response, "Publisher&#x27;s new summary.")
    course.refresh_from_db()
    assert course.summary != "Publisher's new summary."


def changelist_action(client, url, action, pks):
    return client.post(url, {"action": action, "_selected_action": [str(pk) for pk in pks], "index": "0"})


# Owner forms made stale by a change to a session -------------------------------------------------


def test_session_cancelled_by_bulk_action_then_stale_course_save_is_refused(publisher, editor, course, client):
    session = first_session(course)
    assert in_feed(client, session)
    url, data = open_course(publisher, course)

    response = changelist_action(editor, reverse("admin:training_session_changelist"), "mark_cancelled", [session.pk])
    assert response.status_code == 302

    assert_course_refused(save_stale_course(publisher, url, data), course)
    session.refresh_from_db()
    assert session.status == Session.Status.CANCELLED
    assert in_feed(client, session, status="CANCELLED")


def test_session_cancelled_on_its_own_form_then_stale_course_save_is_refused(publisher, editor, course):
    session = first_session(course)
    url, data = open_course(publisher, course)

    session_url = reverse("admin:training_session_change", args=[session.pk])
    session_data = form_data(editor.get(session_url), "session_form")
    session_data["status"] = [Session.Status.CANCELLED]
    assert editor.post(session_url, post_data(session_data)).status_code == 302

    response = save_stale_course(publisher, url, data)
    assert_course_refused(response, course)
    assert "Eddie Editor saved it at" in response.content.decode(), "the message names who changed the session"
    session.refresh_from_db()
    assert session.status == Session.Status.CANCELLED


def test_session_added_on_its_own_form_then_stale_course_save_is_refused(publisher, editor, course):
    url, data = open_course(publisher, course)
    add_url = reverse("admin:training_session_add")
    add_data = form_data(editor.get(add_url), "session_form")
    starts = timezone.localtime() + timedelta(days=30)
    add_data.update(
        course=[str(course.pk)],
        starts_0=[starts.strftime("%Y-%m-%d")],
        starts_1=["09:30"],
        ends_0=[starts.strftime("%Y-%m-%d")],
        ends_1=["12:30"],
        location=["Town hall"],
    )
    assert editor.post(add_url, post_data(add_data)).status_code == 302
    assert course.sessions.count() == 3

    assert_course_refused(save_stale_course(publisher, url, data), course)


def test_session_deleted_on_its_own_page_then_stale_course_save_is_refused(publisher, course):
    session = first_session(course)
    url, data = open_course(publisher, course)
    delete_url = reverse("admin:training_session_delete", args=[session.pk])
    assert publisher.post(delete_url, {"post": "yes"}).status_code == 302

    assert_course_refused(save_stale_course(publisher, url, data), course)
    assert not Session.objects.filter(pk=session.pk).exists()


def test_sessions_deleted_by_bulk_action_then_stale_course_save_is_refused(publisher, course):
    session = first_session(course)
    url, data = open_course(publisher, course)
    changelist = reverse("admin:training_session_changelist")
    response = publisher.post(
        changelist, {"action": "delete_selected", "_selected_action": [str(session.pk)], "post": "yes"}
    )
    assert response.status_code == 302

    assert_course_refused(save_stale_course(publisher, url, data), course)
    assert not Session.objects.filter(pk=session.pk).exists()


def test_session_reverted_from_its_history_then_stale_course_save_is_refused(publisher, editor, course):
    session = first_session(course)
    session.status = Session.Status.FULL
    session.save()
    open_version = session.history.order_by("history_date").first()
    url, data = open_course(publisher, course)

    revert_url = reverse("admin:training_session_simple_history", args=[session.pk, open_version.history_id])
    revert_data = form_data(editor.get(revert_url), "historicalsession_form")
    assert editor.post(revert_url, post_data(revert_data)).status_code == 302
    session.refresh_from_db()
    assert session.status == Session.Status.OPEN

    assert_course_refused(save_stale_course(publisher, url, data), course)


@pytest.mark.urls("tests.trust.parts_urls")
def test_session_cancelled_by_queryset_update_action_then_stale_course_save_is_refused(publisher, editor, course):
    session = first_session(course)
    url, data = open_course(publisher, course)
    changelist = reverse("admin:training_session_changelist")
    assert changelist_action(editor, changelist, "cancel_with_update", [session.pk]).status_code == 302
    session.refresh_from_db()
    assert session.status == Session.Status.CANCELLED

    assert_course_refused(save_stale_course(publisher, url, data), course)
    session.refresh_from_db()
    assert session.status == Session.Status.CANCELLED


@pytest.mark.urls("tests.trust.parts_urls")
def test_session_cancelled_by_list_editing_then_stale_course_save_is_refused(publisher, editor, course):
    session = first_session(course)
    url, data = open_course(publisher, course)
    changelist = reverse("admin:training_session_changelist")
    list_data = form_data(editor.get(changelist), "changelist-form")
    row = next(k.split("-")[1] for k, v in list_data.items() if k.endswith("-id") and v == [str(session.pk)])
    list_data[f"form-{row}-status"] = [Session.Status.CANCELLED]
    list_data["_save"] = ["Save"]
    list_data.pop("action", None)
    assert editor.post(changelist, post_data(list_data)).status_code == 302
    session.refresh_from_db()
    assert session.status == Session.Status.CANCELLED

    assert_course_refused(save_stale_course(publisher, url, data), course)


def test_update_of_sessions_in_code_moves_every_owner_version(course):
    other = CourseFactory(title="Neglect for managers", draft=True, outcomes=1)
    Session.objects.create(
        course=other, starts=timezone.now() + timedelta(days=3), ends=timezone.now() + timedelta(days=3, hours=1),
        location="Room 9",
    )  # fmt: skip
    before = dict(Course.objects.values_list("pk", "version"))
    assert Session.objects.filter(course__in=[course, other]).update(note="Bring a pen") == 3
    after = dict(Course.objects.values_list("pk", "version"))
    assert after[course.pk] > before[course.pk] and after[other.pk] > before[other.pk]


def test_bulk_create_and_bulk_update_of_parts_move_the_owner_version(briefing):
    def version():
        return Briefing.objects.values_list("version", flat=True).get(pk=briefing.pk)

    before = version()
    Resource.objects.bulk_create([Resource(briefing=briefing, title="Poster", url="https://example.org/poster")])
    assert version() > before

    before = version()
    resources = list(briefing.resources.all())
    for resource in resources:
        resource.title = resource.title.upper()
    Resource.objects.bulk_update(resources, ["title"])
    assert version() > before

    before = version()
    briefing.resources.update(kind=Resource.Kind.POSTER)
    assert version() > before


def test_fresh_course_form_after_a_session_change_saves(publisher, editor, course):
    session = first_session(course)
    changelist_action(editor, reverse("admin:training_session_changelist"), "mark_full", [session.pk])
    url, data = open_course(publisher, course)
    data["summary"] = ["Saved from a fresh form."]
    assert publisher.post(url, post_data(data)).status_code == 302
    course.refresh_from_db()
    assert course.summary == "Saved from a fresh form."
    session.refresh_from_db()
    assert session.status == Session.Status.FULL


# Owner forms made stale by a change to a resource ------------------------------------------------


def save_stale_briefing(publisher, url, data):
    data["summary"] = ["Publisher's new summary."]
    return publisher.post(url, post_data(data))


def assert_briefing_refused(response, briefing):
    assert_refused(response, "Publisher&#x27;s new summary.")
    briefing.refresh_from_db()
    assert briefing.summary != "Publisher's new summary."


def test_resource_fixed_in_the_resources_admin_then_stale_briefing_save_is_refused(publisher, editor, briefing):
    resource = briefing.resources.get()
    url, data = open_briefing(publisher, briefing)

    resource_url = reverse("admin:briefings_resource_change", args=[resource.pk])
    resource_data = form_data(editor.get(resource_url), "resource_form")
    resource_data["url"] = ["https://example.org/toolkit-2025"]
    assert editor.post(resource_url, post_data(resource_data)).status_code == 302

    assert_briefing_refused(save_stale_briefing(publisher, url, data), briefing)
    resource.refresh_from_db()
    assert resource.url == "https://example.org/toolkit-2025"


def test_resource_moved_to_another_briefing_makes_both_briefings_stale(publisher, editor, briefing):
    other = BriefingFactory(title="Neglect of teenagers", draft=True, questions=1, key_facts=1, resources=1)
    resource = briefing.resources.get()
    url, data = open_briefing(publisher, briefing)
    other_url, other_data = open_briefing(publisher, other)

    resource_url = reverse("admin:briefings_resource_change", args=[resource.pk])
    resource_data = form_data(editor.get(resource_url), "resource_form")
    resource_data["briefing"] = [str(other.pk)]
    assert editor.post(resource_url, post_data(resource_data)).status_code == 302

    assert_briefing_refused(save_stale_briefing(publisher, url, data), briefing)
    assert_briefing_refused(save_stale_briefing(publisher, other_url, other_data), other)
    resource.refresh_from_db()
    assert resource.briefing == other


def test_resource_deleted_then_stale_briefing_save_is_refused(publisher, briefing):
    resource = briefing.resources.get()
    url, data = open_briefing(publisher, briefing)
    changelist = reverse("admin:briefings_resource_changelist")
    response = publisher.post(
        changelist, {"action": "delete_selected", "_selected_action": [str(resource.pk)], "post": "yes"}
    )
    assert response.status_code == 302

    assert_briefing_refused(save_stale_briefing(publisher, url, data), briefing)
    assert not Resource.objects.filter(pk=resource.pk).exists()


@pytest.mark.urls("tests.trust.parts_urls")
def test_resource_changed_by_queryset_update_action_then_stale_briefing_save_is_refused(publisher, editor, briefing):
    resource = briefing.resources.get()
    url, data = open_briefing(publisher, briefing)
    changelist = reverse("admin:briefings_resource_changelist")
    assert changelist_action(editor, changelist, "guidance_with_update", [resource.pk]).status_code == 302

    assert_briefing_refused(save_stale_briefing(publisher, url, data), briefing)
    resource.refresh_from_db()
    assert resource.kind == Resource.Kind.GUIDANCE


@pytest.mark.urls("tests.trust.parts_urls")
def test_resource_fixed_by_list_editing_then_stale_briefing_save_is_refused(publisher, editor, briefing):
    resource = briefing.resources.get()
    url, data = open_briefing(publisher, briefing)
    changelist = reverse("admin:briefings_resource_changelist")
    list_data = form_data(editor.get(changelist), "changelist-form")
    list_data["form-0-url"] = ["https://example.org/fixed"]
    list_data["_save"] = ["Save"]
    list_data.pop("action", None)
    assert editor.post(changelist, post_data(list_data)).status_code == 302

    assert_briefing_refused(save_stale_briefing(publisher, url, data), briefing)
    resource.refresh_from_db()
    assert resource.url == "https://example.org/fixed"


# The reverse: a part's own form made stale by a save of its owner ---------------------------------


def test_stale_session_form_after_the_course_changed_that_session_is_refused(publisher, editor, course):
    session = first_session(course)
    session_url = reverse("admin:training_session_change", args=[session.pk])
    session_data = form_data(editor.get(session_url), "session_form")

    url, data = open_course(publisher, course)
    row = next(k.split("-")[1] for k, v in data.items() if k.startswith("sessions-") and v == [str(session.pk)])
    data[f"sessions-{row}-status"] = [Session.Status.CANCELLED]
    assert publisher.post(url, post_data(data)).status_code == 302

    session_data["note"] = ["Editor's note about parking."]
    response = editor.post(session_url, post_data(session_data))
    assert_refused(response, "Editor&#x27;s note about parking.")
    session.refresh_from_db()
    assert (session.status, session.note) == (Session.Status.CANCELLED, "")


def test_stale_session_form_after_a_bulk_action_on_that_session_is_refused(publisher, editor, course):
    session = first_session(course)
    session_url = reverse("admin:training_session_change", args=[session.pk])
    session_data = form_data(editor.get(session_url), "session_form")
    changelist_action(publisher, reverse("admin:training_session_changelist"), "mark_cancelled", [session.pk])

    session_data["note"] = ["Editor's note."]
    assert_refused(editor.post(session_url, post_data(session_data)), "Editor&#x27;s note.")
    session.refresh_from_db()
    assert session.status == Session.Status.CANCELLED


def test_stale_resource_form_after_the_briefing_changed_that_resource_is_refused(publisher, editor, briefing):
    resource = briefing.resources.get()
    resource_url = reverse("admin:briefings_resource_change", args=[resource.pk])
    resource_data = form_data(editor.get(resource_url), "resource_form")

    url, data = open_briefing(publisher, briefing)
    data["resources-0-title"] = ["Neglect toolkit (2025 edition)"]
    assert publisher.post(url, post_data(data)).status_code == 302

    resource_data["description"] = ["Editor's description."]
    assert_refused(editor.post(resource_url, post_data(resource_data)), "Editor&#x27;s description.")
    resource.refresh_from_db()
    assert (resource.title, resource.description) == ("Neglect toolkit (2025 edition)", "")


def test_fresh_part_forms_save_one_after_another(editor, course, briefing):
    session = first_session(course)
    session_url = reverse("admin:training_session_change", args=[session.pk])
    for note in ["One.", "Two."]:
        session_data = form_data(editor.get(session_url), "session_form")
        session_data["note"] = [note]
        assert editor.post(session_url, post_data(session_data)).status_code == 302
    session.refresh_from_db()
    assert session.note == "Two."

    resource = briefing.resources.get()
    resource_url = reverse("admin:briefings_resource_change", args=[resource.pk])
    for text in ["First.", "Second."]:
        resource_data = form_data(editor.get(resource_url), "resource_form")
        resource_data["description"] = [text]
        assert editor.post(resource_url, post_data(resource_data)).status_code == 302
    resource.refresh_from_db()
    assert resource.description == "Second."


# Links between briefings and courses, edited from either side -------------------------------------


def test_link_added_from_the_course_then_stale_briefing_save_is_refused(publisher, course, briefing):
    url, data = open_briefing(publisher, briefing)
    course_url, course_data = open_course(publisher, course)
    course_data.update(
        {
            "Briefing_courses-TOTAL_FORMS": ["1"],
            "Briefing_courses-0-briefing": [str(briefing.pk)],
            "Briefing_courses-0-course": [str(course.pk)],
        }
    )
    assert publisher.post(course_url, post_data(course_data)).status_code == 302
    assert list(briefing.courses.all()) == [course]

    assert_briefing_refused(save_stale_briefing(publisher, url, data), briefing)
    assert list(Briefing.objects.get(pk=briefing.pk).courses.all()) == [course]


def test_link_added_from_the_briefing_then_stale_course_save_is_refused(publisher, course, briefing):
    course_url, course_data = open_course(publisher, course)
    url, data = open_briefing(publisher, briefing)
    data["courses"] = [str(course.pk)]
    assert publisher.post(url, post_data(data)).status_code == 302

    assert_course_refused(save_stale_course(publisher, course_url, course_data), course)
    assert list(course.briefings.all()) == [briefing]
