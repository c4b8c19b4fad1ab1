"""An editor cannot publish or unpublish by any admin route; a publisher can."""

import pytest
from django.urls import reverse

from briefings.models import Briefing
from tests.factories import BriefingFactory, CourseFactory
from training.models import Course

from .conftest import form_data, post_data

pytestmark = pytest.mark.urls("tests.trust.urls")


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def test_editor_sees_publication_status_read_only(editor_client):
    briefing = BriefingFactory(draft=True, questions=1, key_facts=1, resources=1)
    response = editor_client.get(change_url(briefing))
    assert response.status_code == 200
    assert 'name="status"' not in response.content.decode()
    assert "status" not in response.context["adminform"].form.fields


def test_editor_crafted_post_setting_status_published_is_ignored(editor_client):
    briefing = BriefingFactory(draft=True, questions=1, key_facts=1, resources=1)
    data = form_data(editor_client.get(change_url(briefing)), "briefing_form")
    data["status"] = ["published"]
    data["title"] = ["A better title"]
    response = editor_client.post(change_url(briefing), post_data(data))
    assert response.status_code == 302
    briefing.refresh_from_db()
    assert briefing.title == "A better title"
    assert briefing.status == "draft"


def test_editor_crafted_post_cannot_unpublish_or_move_publication_date(editor_client):
    briefing = BriefingFactory(questions=1, key_facts=1, resources=1)
    original_date = briefing.published
    data = form_data(editor_client.get(change_url(briefing)), "briefing_form")
    assert "published" not in data  # the date of a published briefing is locked too
    data.update(status=["draft"], published=["2099-01-01"], summary=["Updated summary."])
    editor_client.post(change_url(briefing), post_data(data))
    briefing.refresh_from_db()
    assert (briefing.status, briefing.published, briefing.summary) == ("published", original_date, "Updated summary.")


def test_editor_adding_a_briefing_with_status_published_gets_a_draft(editor_client):
    url = reverse("admin:briefings_briefing_add")
    data = form_data(editor_client.get(url + "?kind=audit_findings"), "briefing_form")
    data.update(
        title=["Added by an editor"], slug=["added-by-an-editor"], summary=["Short."], status=["published"],
        published=["2024-01-01"],
    )  # fmt: skip
    response = editor_client.post(url, post_data(data))
    assert response.status_code == 302
    assert Briefing.objects.get(slug="added-by-an-editor").status == "draft"


def test_publish_actions_are_hidden_from_editor_and_refused_when_posted(editor_client):
    briefing = BriefingFactory(draft=True, questions=1, key_facts=1, resources=1)
    changelist = reverse("admin:briefings_briefing_changelist")
    page = editor_client.get(changelist).content.decode()
    assert "publish_selected" not in page
    response = editor_client.post(
        changelist, {"action": "publish_selected", "_selected_action": [briefing.pk], "index": 0}
    )
    assert response.status_code in (200, 302)
    briefing.refresh_from_db()
    assert briefing.status == "draft"


def test_list_editable_status_is_refused_for_editor(editor_client):
    briefing = BriefingFactory(draft=True, questions=1, key_facts=1, resources=1)
    changelist = reverse("admin:briefings_briefing_changelist")
    page = editor_client.get(changelist).content.decode()
    assert 'name="form-0-status"' not in page
    editor_client.post(
        changelist,
        {
            "form-TOTAL_FORMS": 1, "form-INITIAL_FORMS": 1, "form-0-id": briefing.pk,
            "form-0-status": "published", "form-0-published": "2024-01-01", "_save": "Save",
        },
    )  # fmt: skip
    briefing.refresh_from_db()
    assert briefing.status == "draft"


def test_history_revert_by_editor_keeps_current_publication(editor_client, publisher):
    briefing = BriefingFactory(title="Neglect in the early years", questions=1, key_facts=1, resources=1)
    old = briefing.history.first()
    briefing.status, briefing.title = "draft", "Changed since"
    briefing.save()
    url = reverse("admin:briefings_briefing_simple_history", args=[briefing.pk, old.history_id])
    data = form_data(editor_client.get(url), "historicalbriefing_form")
    data["status"] = ["published"]
    assert editor_client.post(url, post_data(data)).status_code == 302
    briefing.refresh_from_db()
    assert (briefing.title, briefing.status) == ("Neglect in the early years", "draft")


def test_restore_with_parts_by_editor_keeps_current_publication(editor_client):
    briefing = BriefingFactory(title="Neglect in the early years", questions=1, key_facts=1, resources=1)
    old = briefing.history.first()
    briefing.status, briefing.title = "draft", "Changed since"
    briefing.save()
    url = reverse("admin:briefings_briefing_restore", args=[briefing.pk, old.history_id])
    assert editor_client.post(url).status_code == 302
    briefing.refresh_from_db()
    assert (briefing.title, briefing.status) == ("Neglect in the early years", "draft")


def test_publisher_can_publish_from_the_form_and_by_bulk_action(publisher_client):
    first, second = (
        BriefingFactory(title="First", draft=True, questions=1, key_facts=1, resources=1),
        BriefingFactory(title="Second", draft=True, questions=1, key_facts=1, resources=1),
    )
    data = form_data(publisher_client.get(change_url(first)), "briefing_form")
    data["status"] = ["published"]
    assert publisher_client.post(change_url(first), post_data(data)).status_code == 302
    first.refresh_from_db()
    assert first.status == "published"
    publisher_client.post(
        reverse("admin:briefings_briefing_changelist"),
        {"action": "publish_selected", "_selected_action": [second.pk], "index": 0},
    )
    second.refresh_from_db()
    assert second.status == "published"


@pytest.mark.urls("portal.site.urls")
def test_editor_cannot_publish_a_course_by_form_or_bulk_action(editor_client):
    course = CourseFactory(draft=True, outcomes=1)
    url = change_url(course)
    response = editor_client.get(url)
    assert 'name="status"' not in response.content.decode()
    data = form_data(response, "course_form")
    data["status"], data["published"] = ["published"], ["2024-05-01"]
    data["summary"] = ["Edited by an editor."]
    assert editor_client.post(url, post_data(data)).status_code == 302
    course.refresh_from_db()
    assert (course.is_published, course.summary) == (False, "Edited by an editor.")
    changelist = reverse("admin:training_course_changelist")
    assert "publish_selected" not in editor_client.get(changelist).content.decode()
    editor_client.post(changelist, {"action": "publish_selected", "_selected_action": [course.pk], "index": 0})
    assert Course.objects.get(pk=course.pk).is_published is False


@pytest.mark.urls("portal.site.urls")
def test_publisher_can_publish_a_course(publisher_client):
    course = CourseFactory(draft=True, outcomes=1)
    publisher_client.post(
        reverse("admin:training_course_changelist"),
        {"action": "publish_selected", "_selected_action": [course.pk], "index": 0},
    )
    assert Course.objects.get(pk=course.pk).is_published is True


def test_import_by_someone_who_may_not_publish_saves_a_draft(db):
    from briefings.importer import import_file

    raw = (
        b"---\ntitle: Imported by an editor\nkind: seven_minute_briefing\nsummary: Short.\n"
        b"published: 2024-05-01\nstatus: published\n---\n## 1. Background\nText.\n"
    )
    result = import_file("editor.md", raw, can_publish=False)
    assert result.ok, result.error
    assert Briefing.objects.get(title="Imported by an editor").status == "draft"
