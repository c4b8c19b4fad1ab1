"""A briefing's admin form puts the common job first: rarely used fields folded away, parts in page order, a preview."""

import re

import pytest
from django.urls import reverse

from tests.factories import BriefingFactory

pytestmark = pytest.mark.django_db


def change_page(client, briefing):
    return client.get(reverse("admin:briefings_briefing_change", args=[briefing.pk])).content.decode()


def folded(html, legend):
    """Whether the fieldset titled `legend` starts closed (a <details> without `open`)."""
    match = re.search(r"<details(?P<attrs>[^>]*)>\s*<summary>\s*<h2[^>]*>\s*" + re.escape(legend), html)
    return match is not None and "open" not in match.group("attrs")


def test_rarely_used_fields_are_folded_away(staff_client):
    html = change_page(staff_client, BriefingFactory())
    for legend in ["About this briefing", "Training linked to this learning", "Review dates", "Web address"]:
        assert folded(html, legend), legend
    assert not folded(html, "Publication")
    # The title, kind, summary and themes come first, before any folded part.
    rows = [
        html.index(f"field-{name}") for name in ("title", "kind", "summary", "themes", "status", "review_due", "slug")
    ]
    assert rows == sorted(rows)


def test_parts_come_in_the_order_the_page_shows_them(staff_client):
    html = change_page(staff_client, BriefingFactory(key_facts=1, questions=1, resources=1))
    groups = [html.index(f'id="{prefix}-group"') for prefix in ("key_facts", "sections", "questions", "resources")]
    assert groups == sorted(groups)


def test_a_draft_offers_a_preview_and_a_published_briefing_view_on_site(staff_client):
    draft_html = change_page(staff_client, BriefingFactory(draft=True))
    assert "Preview (not public yet)" in draft_html and "View on site" not in draft_html
    published_html = change_page(staff_client, BriefingFactory())
    assert "View on site" in published_html and "Preview (not public yet)" not in published_html
    # At the top: the link comes before the form's first field.
    assert published_html.index('class="viewsitelink"') < published_html.index('name="title"')
