"""The site's own briefings admin: an editor cannot publish by form, bulk action or import."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from briefings.models import Briefing
from tests.conftest import import_through_admin
from tests.factories import BriefingFactory

from .conftest import form_data, post_data

pytestmark = pytest.mark.urls("portal.site.urls")


def test_editor_crafted_post_on_the_briefing_admin_cannot_publish(editor_client):
    briefing = BriefingFactory(draft=True, questions=1, key_facts=1, resources=1)
    url = reverse("admin:briefings_briefing_change", args=[briefing.pk])
    response = editor_client.get(url)
    assert 'name="status"' not in response.content.decode()
    data = form_data(response, "briefing_form")
    data.update(status=["published"], summary=["Edited by an editor."])
    assert editor_client.post(url, post_data(data)).status_code == 302
    briefing.refresh_from_db()
    assert (briefing.status, briefing.summary) == ("draft", "Edited by an editor.")


def test_editor_bulk_publish_on_the_briefing_admin_is_hidden_and_refused(editor_client):
    briefing = BriefingFactory(draft=True, questions=1, key_facts=1, resources=1)
    changelist = reverse("admin:briefings_briefing_changelist")
    assert "publish_selected" not in editor_client.get(changelist).content.decode()
    editor_client.post(changelist, {"action": "publish_selected", "_selected_action": [briefing.pk], "index": 0})
    assert Briefing.objects.get(pk=briefing.pk).status == "draft"


def test_editor_admin_import_of_a_published_file_saves_a_draft(editor_client):
    upload = SimpleUploadedFile(
        "published.md",
        b"---\ntitle: Imported through admin\nkind: audit_findings\nsummary: Short.\n"
        b"status: published\npublished: 2024-05-01\n---\n## Key learning\nText.\n",
        content_type="text/markdown",
    )
    import_through_admin(editor_client, [upload])
    assert Briefing.objects.get(title="Imported through admin").status == "draft"


def test_editor_admin_import_leaves_a_published_briefing_published_and_a_draft_a_draft(editor_client):
    BriefingFactory(title="Already live", slug="already-live", questions=1, key_facts=1, resources=1)
    upload = SimpleUploadedFile(
        "unpublish.md",
        b"---\ntitle: Already live\nslug: already-live\nkind: audit_findings\nsummary: Changed.\n"
        b"status: draft\n---\n## Key learning\nText.\n",
        content_type="text/markdown",
    )
    import_through_admin(editor_client, [upload])
    assert Briefing.objects.get(slug="already-live").status == "published"
