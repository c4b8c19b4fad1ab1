"""A partnership page follows the briefings' sign-off and history: an editor's change to a live page waits."""

import pytest
from django.test import Client
from django.urls import reverse

from pages.models import Page
from portal import publication
from portal.models import PendingRevision
from tests.factories import PageFactory
from tests.trust.conftest import form_data, post_data

pytestmark = pytest.mark.django_db

CHANGE = "admin:pages_page_change"


def public(path):
    return Client().get(path).content.decode()


def edit(client, page, **fields):
    url = reverse(CHANGE, args=[page.pk])
    data = form_data(client.get(url), "page_form")
    for name, value in fields.items():
        data[name] = [value]
    return client.post(url, post_data(data))


@pytest.fixture
def about(db):
    return PageFactory(title="About us", slug="about", body="We are the partnership.\n\n## Our work\n\nReviews.")


def test_editor_change_to_a_published_page_waits_until_a_publisher_approves(client, editor, publisher, about):
    client.force_login(editor)
    response = edit(client, about, body="We are the partnership, rewritten.")
    assert response.status_code == 302
    assert "rewritten" not in public("/about/")
    assert Page.objects.get(pk=about.pk).body == about.body
    revision = publication.pending_for(about)
    assert revision.author == editor and not revision.publish
    assert "rewritten" in client.get(reverse(CHANGE, args=[about.pk])).content.decode()  # opens on their change
    preview = client.get(reverse("admin:pages_page_signoff_preview", args=[about.pk])).content.decode()
    assert "rewritten" in preview and "Preview:" in preview

    client.force_login(publisher)
    review_url = reverse("admin:pages_page_signoff_review", args=[about.pk])
    review = client.get(review_url).content.decode()
    assert "We are the partnership." in review and "rewritten" in review
    client.post(review_url, {"revision": revision.pk, "decision": "approve", "comment": ""})
    assert "We are the partnership, rewritten." in public("/about/")
    assert PendingRevision.objects.get(pk=revision.pk).status == "approved"


def test_editor_cannot_publish_a_new_page_but_can_submit_it(client, editor, publisher):
    client.force_login(editor)
    add = reverse("admin:pages_page_add")
    data = {"title": "Neglect strategy", "slug": "neglect-strategy", "summary": "Our strategy.", "body": "Text.",
            "status": "published", "published": "", "placement": "header", "position": "20"}  # fmt: skip
    assert client.post(add, data).status_code == 302
    page = Page.objects.get(slug="neglect-strategy")
    assert page.status == Page.Status.DRAFT
    assert Client().get("/neglect-strategy/").status_code == 404
    assert "Not published" in client.get("/neglect-strategy/").content.decode()  # staff preview
    client.post(reverse("admin:pages_page_signoff_submit", args=[page.pk]))
    revision = publication.pending_for(page)
    assert revision.publish
    publication.approve(revision, publisher)
    assert Client().get("/neglect-strategy/").status_code == 200


def test_publisher_edit_goes_live_at_once_and_history_keeps_each_version(publisher_client, about):
    edit(publisher_client, about, title="About the partnership")
    assert "About the partnership" in public("/about/")
    assert about.history.count() == 2
    assert [row.title for row in about.history.order_by("history_date")] == ["About us", "About the partnership"]
    history = publisher_client.get(reverse("admin:pages_page_history", args=[about.pk]))
    assert history.status_code == 200 and "About the partnership" in history.content.decode()


def test_an_editor_restoring_an_old_version_waits_too(client, editor, publisher, about):
    client.force_login(publisher)
    edit(client, about, body="Second version.")
    first = about.history.order_by("history_date").first()
    client.force_login(editor)
    assert client.post(reverse("admin:pages_page_restore", args=[about.pk, first.history_id])).status_code == 302
    assert "Second version." in public("/about/")
    assert publication.pending_for(about).snapshot["fields"]["body"] == about.body


def test_editor_cannot_delete_a_published_page(editor_client, about):
    editor_client.post(reverse("admin:pages_page_delete", args=[about.pk]), {"post": "yes"})
    assert Page.objects.filter(pk=about.pk).exists()


def test_a_waiting_page_change_is_on_the_review_desk(client, editor, publisher, about):
    client.force_login(editor)
    edit(client, about, summary="A new summary.")
    client.force_login(publisher)
    desk = client.get(reverse("admin:index")).content.decode()
    assert "About us" in desk and reverse("admin:pages_page_signoff_review", args=[about.pk]) in desk
