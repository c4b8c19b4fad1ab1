"""Sign-off: a change to a published briefing or course by someone who may not publish waits for approval.

Every admin route is tried (form with inlines, a part's own page, list editing, bulk action,
import, restore, recover, history revert, crafted POST): the public page keeps the approved
version and the change is kept as a pending revision, until a publisher approves it.
"""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from briefings.importer import briefing_to_data, import_file, render_briefing
from briefings.models import Briefing, Section
from mail.models import OutgoingEmail
from portal import publication
from portal.models import PendingRevision
from tests.factories import BriefingFactory, CourseFactory, UserFactory
from training.models import Session

from .conftest import form_data, post_data

pytestmark = pytest.mark.urls("portal.site.urls")


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def review_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_signoff_review", args=[obj.pk])


def public(path):
    return Client().get(path).content.decode()


def edit_first_section(client, briefing, text):
    url = change_url(briefing)
    data = form_data(client.get(url), "briefing_form")
    data["sections-0-body"] = [text]
    return client.post(url, post_data(data))


def pending(obj):
    return publication.pending_for(obj)


@pytest.fixture
def live(db):
    return BriefingFactory(title="Seven minutes on neglect", sections=2, questions=1, key_facts=1, resources=1)


def test_editor_form_change_to_a_published_briefing_waits_for_approval(client, editor, publisher, live):
    page = live.get_absolute_url()
    assert "Body of part 1." in public(page)  # now in the page cache
    client.force_login(editor)
    response = edit_first_section(client, live, "Rewritten by the editor.")
    assert response.status_code == 302
    assert "Rewritten by the editor." not in public(page)
    assert Section.objects.get(briefing=live, position=1).body == "Body of part 1."
    revision = pending(live)
    assert revision.author == editor and revision.status == "pending"
    banner = client.get(change_url(live)).content.decode()
    assert "This briefing has changes waiting for approval" in banner
    assert "Rewritten by the editor." in banner  # the form opens on the editor's own change
    preview = client.get(reverse("admin:briefings_briefing_signoff_preview", args=[live.pk])).content.decode()
    assert "Rewritten by the editor." in preview and "Preview:" in preview
    assert "Rewritten by the editor." not in public(page)

    client.force_login(publisher)
    review = client.get(review_url(live)).content.decode()
    assert "Body of part 1." in review and "Rewritten by the editor." in review
    client.post(review_url(live), {"revision": revision.pk, "decision": "approve", "comment": ""})
    assert "Rewritten by the editor." in public(page)  # the cached page is gone
    revision.refresh_from_db()
    assert revision.status == "approved" and revision.decided_by == publisher
    assert Briefing.objects.get(pk=live.pk).status == "published"


def test_a_second_save_adds_to_the_editors_waiting_change(editor_client, live):
    edit_first_section(editor_client, live, "First change.")
    url = change_url(live)
    data = form_data(editor_client.get(url), "briefing_form")
    assert data["sections-0-body"] == ["First change."]
    data["summary"] = ["A new summary."]
    data["sections-2-heading"], data["sections-2-body"] = ["A new part"], ["Added while waiting."]
    data["sections-2-position"] = ["3"]
    assert editor_client.post(url, post_data(data)).status_code == 302
    assert PendingRevision.objects.count() == 1
    snapshot = pending(live).snapshot
    bodies = [row["fields"]["body"] for row in snapshot["parts"]["briefings.Section"]]
    assert bodies == ["First change.", "Body of part 2.", "Added while waiting."]
    assert snapshot["fields"]["summary"] == "A new summary."
    assert Briefing.objects.get(pk=live.pk).summary != "A new summary."
    assert Section.objects.filter(briefing=live).count() == 2


def test_a_second_person_cannot_lay_their_change_over_the_first(client, editor, live):
    other = UserFactory(username="other", editor=True)
    client.force_login(editor)
    edit_first_section(client, live, "Eddie's change.")
    client.force_login(other)
    response = edit_first_section(client, live, "Other's change.")
    assert response.status_code == 200
    assert "waiting for a publisher" in response.content.decode()
    assert pending(live).snapshot["parts"]["briefings.Section"][0]["fields"]["body"] == "Eddie's change."


def test_publishers_own_edit_goes_live_at_once(publisher_client, live):
    edit_first_section(publisher_client, live, "Straight to the public.")
    assert "Straight to the public." in public(live.get_absolute_url())
    assert not PendingRevision.objects.exists()


def test_draft_edits_are_saved_and_a_draft_is_submitted_then_published(client, editor, publisher):
    draft = BriefingFactory(title="A draft", draft=True, sections=2, questions=1, key_facts=1, resources=1)
    client.force_login(editor)
    edit_first_section(client, draft, "Draft text.")
    assert Section.objects.get(briefing=draft, position=1).body == "Draft text."
    assert "Submit for approval" in client.get(change_url(draft)).content.decode()
    client.post(reverse("admin:briefings_briefing_signoff_submit", args=[draft.pk]))
    revision = pending(draft)
    assert revision.publish
    assert Client().get(draft.get_absolute_url()).status_code == 404
    publication.approve(revision, publisher)
    assert "Draft text." in public(draft.get_absolute_url())


def test_returned_with_a_comment_the_public_page_never_changes(client, editor, publisher, live):
    client.force_login(editor)
    edit_first_section(client, live, "Not good enough.")
    revision = pending(live)
    client.force_login(publisher)
    response = client.post(review_url(live), {"revision": revision.pk, "decision": "return", "comment": "  "})
    assert PendingRevision.objects.get(pk=revision.pk).status == "pending"  # a return needs a comment
    client.post(review_url(live), {"revision": revision.pk, "decision": "return", "comment": "Say who to call."})
    revision.refresh_from_db()
    assert (revision.status, revision.comment) == ("returned", "Say who to call.")
    assert "Not good enough." not in public(live.get_absolute_url())
    assert list(publication.returned_to(editor)) == [revision]
    assert response.status_code == 302
    client.force_login(editor)
    form = client.get(change_url(live)).content.decode()
    assert "Say who to call." in form and "Not good enough." in form  # the returned change, to correct
    edit_first_section(client, live, "Better now, with the number.")
    form = client.get(change_url(live)).content.decode()
    assert "Say who to call." not in form and "changes waiting for approval" in form


def test_editor_cannot_approve(editor_client, live):
    edit_first_section(editor_client, live, "Approve myself?")
    revision = pending(live)
    editor_client.post(review_url(live), {"revision": revision.pk, "decision": "approve"})
    assert PendingRevision.objects.get(pk=revision.pk).status == "pending"
    assert "Approve myself?" not in public(live.get_absolute_url())


def test_course_session_on_its_own_page_waits(editor_client):
    course = CourseFactory(title="Neglect basics", outcomes=1)
    start = timezone.now() + datetime.timedelta(days=10)
    session = Session.objects.create(
        course=course, starts=start, ends=start + datetime.timedelta(hours=3), location="Town hall"
    )
    url = change_url(session)
    data = form_data(editor_client.get(url), "session_form")
    data["location"] = ["Moved to the library"]
    assert editor_client.post(url, post_data(data)).status_code == 302
    assert Session.objects.get(pk=session.pk).location == "Town hall"
    assert "Moved to the library" not in public(course.get_absolute_url())
    assert pending(course).snapshot["parts"]["training.Session"][0]["fields"]["location"] == "Moved to the library"


def test_session_bulk_action_waits(editor_client):
    course = CourseFactory(title="Neglect basics", outcomes=1)
    start = timezone.now() + datetime.timedelta(days=10)
    session = Session.objects.create(course=course, starts=start, ends=start + datetime.timedelta(hours=3))
    editor_client.post(
        reverse("admin:training_session_changelist"),
        {"action": "mark_cancelled", "_selected_action": [session.pk], "index": 0},
    )
    assert Session.objects.get(pk=session.pk).status == "open"
    assert pending(course).snapshot["parts"]["training.Session"][0]["fields"]["status"] == "cancelled"


def test_course_form_with_linked_briefing_waits(editor_client, live):
    course = CourseFactory(title="Neglect basics", outcomes=1)
    url = change_url(course)
    data = form_data(editor_client.get(url), "course_form")
    data["title"] = ["Neglect basics, renamed"]
    data["Briefing_courses-TOTAL_FORMS"] = ["1"]
    data["Briefing_courses-0-briefing"] = [str(live.pk)]
    data["Briefing_courses-0-course"] = [str(course.pk)]
    assert editor_client.post(url, post_data(data)).status_code == 302
    assert not live.courses.exists()
    assert "Neglect basics, renamed" not in public(course.get_absolute_url())
    assert {r.object_id for r in PendingRevision.objects.all()} == {course.pk, live.pk}


def test_import_over_a_published_briefing_waits(editor, live):
    text = render_briefing(briefing_to_data(Briefing.objects.get(pk=live.pk)))
    text = text.replace("Body of part 1.", "Imported text.")
    result = import_file("over.md", text.encode(), can_publish=False, user=editor)
    assert result.ok and result.action == "waiting for approval"
    assert "Imported text." not in public(live.get_absolute_url())
    assert pending(live).author == editor


def test_restore_and_revert_by_an_editor_wait(client, editor, publisher, live):
    client.force_login(publisher)
    edit_first_section(client, live, "Second version.")
    old = live.history.order_by("history_date").first()
    client.force_login(editor)
    restore = reverse("admin:briefings_briefing_restore", args=[live.pk, old.history_id])
    assert client.post(restore).status_code == 302
    assert "Second version." in public(live.get_absolute_url())
    assert pending(live).snapshot["parts"]["briefings.Section"][0]["fields"]["body"] == "Body of part 1."


def test_editor_cannot_delete_a_published_briefing(editor_client, live):
    editor_client.post(reverse("admin:briefings_briefing_delete", args=[live.pk]), {"post": "yes"})
    assert Briefing.objects.filter(pk=live.pk).exists()


def test_recovered_by_an_editor_it_is_a_draft(client, editor, publisher, live):
    pk = live.pk
    client.force_login(publisher)
    live.delete()
    deletion = Briefing.history.filter(history_type="-").get()
    client.force_login(editor)
    client.post(reverse("admin:briefings_briefing_recover_deleted"), {"history_id": deletion.history_id})
    recovered = Briefing.objects.get(pk=pk)
    assert recovered.status == "draft"
    # Public once, not now: readers are told it was withdrawn.
    assert Client().get(recovered.get_absolute_url()).status_code == 410


def test_submitting_and_deciding_send_mail(django_capture_on_commit_callbacks, client, editor, publisher, live):
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        edit_first_section(client, live, "Tell them.")
    to_publisher = OutgoingEmail.objects.get()
    assert to_publisher.to == [publisher.email] and "Seven minutes on neglect" in to_publisher.subject
    assert review_url(live) in to_publisher.body
    client.force_login(publisher)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            review_url(live), {"revision": pending(live).pk, "decision": "return", "comment": "Cite the source."}
        )
    to_editor = OutgoingEmail.objects.exclude(pk=to_publisher.pk).get()
    assert to_editor.to == [editor.email] and "Cite the source." in to_editor.body


@pytest.fixture
def course_with_session(db):
    course = CourseFactory(title="Neglect basics", outcomes=1)
    start = timezone.now() + datetime.timedelta(days=10)
    Session.objects.create(course=course, starts=start, ends=start + datetime.timedelta(hours=3), location="Hall")
    return course


@pytest.mark.urls("tests.trust.parts_urls")
def test_list_editing_a_session_of_a_published_course_waits(editor_client, course_with_session):
    session = course_with_session.sessions.get()
    changelist = reverse("admin:training_session_changelist")
    data = form_data(editor_client.get(changelist), "changelist-form")
    data["form-0-status"] = ["cancelled"]
    data["_save"] = ["Save"]
    data.pop("action", None)
    assert editor_client.post(changelist, post_data(data)).status_code == 302
    assert Session.objects.get(pk=session.pk).status == "open"
    assert pending(course_with_session).snapshot["parts"]["training.Session"][0]["fields"]["status"] == "cancelled"


@pytest.mark.urls("tests.trust.parts_urls")
def test_a_queryset_update_action_on_sessions_waits(editor_client, course_with_session):
    session = course_with_session.sessions.get()
    editor_client.post(
        reverse("admin:training_session_changelist"),
        {"action": "cancel_with_update", "_selected_action": [session.pk], "index": 0},
    )
    assert Session.objects.get(pk=session.pk).status == "open"
    assert pending(course_with_session) is not None


def test_history_revert_form_by_an_editor_waits(client, editor, publisher, live):
    client.force_login(publisher)
    first = live.history.order_by("history_date").first()
    data = form_data(client.get(change_url(live)), "briefing_form")
    data["summary"] = ["A publisher's new summary."]
    client.post(change_url(live), post_data(data))
    client.force_login(editor)
    url = reverse("admin:briefings_briefing_simple_history", args=[live.pk, first.history_id])
    revert = form_data(client.get(url), "historicalbriefing_form")
    assert client.post(url, post_data(revert)).status_code == 302
    assert Briefing.objects.get(pk=live.pk).summary == "A publisher's new summary."
    assert pending(live).snapshot["fields"]["summary"] == first.summary


def test_crafted_post_changing_a_heading_and_unpublishing_waits_and_keeps_publication(editor_client, live):
    url = change_url(live)
    data = form_data(editor_client.get(url), "briefing_form")
    data["sections-1-heading"] = ["A crafted heading"]
    data["status"], data["published"] = ["draft"], ["2099-01-01"]
    assert editor_client.post(url, post_data(data)).status_code == 302
    assert Section.objects.get(briefing=live, position=2).heading == "Part 2"
    snapshot = pending(live).snapshot
    assert snapshot["parts"]["briefings.Section"][1]["fields"]["heading"] == "A crafted heading"
    assert (snapshot["fields"]["status"], snapshot["fields"]["published"]) == ("published", live.published.isoformat())
    assert Client().get(live.get_absolute_url()).status_code == 200


def test_a_bulk_action_over_a_published_and_a_draft_course_splits(editor_client, course_with_session):
    draft = CourseFactory(title="Draft course", draft=True, outcomes=1)
    start = timezone.now() + datetime.timedelta(days=12)
    Session.objects.create(course=draft, starts=start, ends=start + datetime.timedelta(hours=2))
    sessions = list(Session.objects.values_list("pk", flat=True))
    editor_client.post(
        reverse("admin:training_session_changelist"),
        {"action": "mark_full", "_selected_action": sessions, "index": 0},
    )
    assert draft.sessions.get().status == "full"
    assert course_with_session.sessions.get().status == "open"
    assert pending(course_with_session).snapshot["parts"]["training.Session"][0]["fields"]["status"] == "full"
    assert pending(draft) is None


def test_linking_a_draft_briefing_to_a_published_course_waits_with_the_course(editor_client):
    course = CourseFactory(title="Neglect basics", outcomes=1)
    draft = BriefingFactory(title="A draft briefing", draft=True, sections=2, questions=1, key_facts=1, resources=1)
    url = change_url(course)
    data = form_data(editor_client.get(url), "course_form")
    data["Briefing_courses-TOTAL_FORMS"] = ["1"]
    data["Briefing_courses-0-briefing"] = [str(draft.pk)]
    data["Briefing_courses-0-course"] = [str(course.pk)]
    assert editor_client.post(url, post_data(data)).status_code == 302
    assert pending(course).snapshot["links"]["briefings"] == [draft.pk]
    assert list(draft.courses.all()) == [course]  # on the draft's side, saved: drafts are never public
