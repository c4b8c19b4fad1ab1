"""The page admin: help for editors, a preview of a draft, and the list staff work from."""

import pytest
from django.urls import reverse

from tests.factories import PageFactory

pytestmark = pytest.mark.django_db


def test_a_drafts_form_offers_a_preview_and_explains_each_field(editor_client):
    draft = PageFactory(title="Neglect toolkit", slug="neglect-toolkit", draft=True)
    body = editor_client.get(reverse("admin:pages_page_change", args=[draft.pk])).content.decode()
    assert 'class="viewsitelink">Preview (not public yet)' in body
    assert "address: “about” gives /about/." in body
    assert "never name or identify a child" in body
    assert "Lowest first among the pages in the same place" in body
    assert reverse("formatting-help") in body  # the Markdown help beside the body


def test_the_list_shows_each_pages_address_and_place(publisher_client):
    PageFactory(title="About us", slug="about", placement="header", position=10)
    body = publisher_client.get(reverse("admin:pages_page_changelist")).content.decode()
    assert '<a href="/about/">/about/</a>' in body
    assert "Header (top of every page)" in body


def test_an_editor_is_told_why_a_reserved_address_is_refused(editor_client):
    data = {"title": "Training", "slug": "training", "summary": "x", "body": "x", "status": "draft",
            "placement": "", "position": "10"}  # fmt: skip
    response = editor_client.post(reverse("admin:pages_page_add"), data)
    assert response.status_code == 200
    assert "/training/ is one of the site&#x27;s own addresses" in response.content.decode()
