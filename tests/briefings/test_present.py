"""Presenter mode: one panel a screen for a team meeting, from the stored HTML, cacheable like the page."""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from briefings.models import Briefing, Section
from portal.models import SiteSettings
from tests.factories import BriefingFactory

pytestmark = pytest.mark.django_db


SCREEN = re.compile(
    r'<section class="present-panel[^>]*>\s*(?:<p class="eyebrow">.*?</p>\s*)?'
    r'<(?:h2|p class="present-panel__title")[^>]*>(.*?)</(?:h2|p)>',
    re.S,
)


def panels(content):
    """The headings of the presenter's screens, in order."""
    return [re.sub(r"<[^>]+>", "", screen).strip() for screen in SCREEN.findall(content)]


def test_a_seven_minute_briefing_is_presented_panels_then_key_facts_then_one_question_a_screen(client):
    briefing = BriefingFactory(
        title="Home conditions", sections=7, key_facts=2, questions=["Who sees the child?", "What changed?"]
    )
    response = client.get(f"/briefings/{briefing.slug}/present/")
    assert response.status_code == 200
    assert panels(response.content.decode()) == [
        "Home conditions",
        *[f"{n} Part {n}" for n in range(1, 8)],
        "Key facts",
        "Question 1 of 2",
        "Question 2 of 2",
        "Record your team’s discussion",
    ]
    content = response.content.decode()
    assert 'data-target-seconds="420"' in content
    assert "Who sees the child?" in content


def test_a_thematic_review_has_no_seven_minute_timer(client):
    briefing = BriefingFactory(kind=Briefing.Kind.THEMATIC_REVIEW, sections=3, sample_description="Twelve cases.")
    content = client.get(f"/briefings/{briefing.slug}/present/").content.decode()
    assert 'data-target-seconds="0"' in content
    assert panels(content)[:2] == [briefing.title, "What we looked at"]
    assert "of 7:00" not in content


def test_the_last_screen_links_to_the_team_record_form(client):
    BriefingFactory(slug="lived-experience")
    content = client.get("/briefings/lived-experience/present/").content.decode()
    assert 'href="/briefings/lived-experience/record/"' in content


def test_sections_are_shown_from_their_stored_html_not_rendered_again(client):
    briefing = BriefingFactory(sections=1)
    # Only what was stored can reach the page: this HTML is not what the Markdown would render to.
    Section.objects.filter(briefing=briefing)._update({"body_html": "<p>stored-html-marker</p>"})
    content = client.get(f"/briefings/{briefing.slug}/present/").content.decode()
    assert "stored-html-marker" in content


def test_a_draft_is_404_for_the_public_and_previewed_by_staff_uncached(staff_client):
    draft = BriefingFactory(draft=True, published=None, slug="not-yet")
    assert Client().get("/briefings/not-yet/present/").status_code == 404
    response = staff_client.get("/briefings/not-yet/present/")
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert draft.title in response.content.decode()


def test_the_page_has_no_inline_script_or_style_and_allows_full_screen_only_here(client):
    briefing = BriefingFactory()
    response = client.get(f"/briefings/{briefing.slug}/present/")
    content = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", content)
    assert " style=" not in content and "<style" not in content
    assert "/static/js/present.js" in content
    assert "fullscreen=(self)" in response["Permissions-Policy"]
    assert "fullscreen=()" in client.get(briefing.get_absolute_url())["Permissions-Policy"]


def test_the_quick_exit_is_on_the_presenter_page(client):
    briefing = BriefingFactory()
    content = client.get(f"/briefings/{briefing.slug}/present/").content.decode()
    assert 'id="exit-this-page"' in content


def test_the_briefing_page_links_to_presenter_mode(client):
    briefing = BriefingFactory(slug="lived-experience")
    content = client.get(briefing.get_absolute_url()).content.decode()
    assert 'href="/briefings/lived-experience/present/"' in content
    assert "Present in a team meeting" in content


def test_the_presenter_page_is_served_from_the_page_cache(client, settings, django_assert_num_queries):
    settings.PAGE_CACHE_SECONDS = 600
    SiteSettings.load()
    cache.clear()
    briefing = BriefingFactory(questions=2, key_facts=1)
    first = client.get(f"/briefings/{briefing.slug}/present/")
    with django_assert_num_queries(0):
        second = client.get(f"/briefings/{briefing.slug}/present/")
    assert second.status_code == 200 and second["ETag"] == first["ETag"]
    assert "fullscreen=(self)" in second["Permissions-Policy"]


def test_presenter_queries_do_not_grow_with_the_parts(client, django_assert_max_num_queries):
    small = BriefingFactory(sections=1, questions=1, key_facts=1)
    large = BriefingFactory(sections=12, questions=8, key_facts=6)
    client.get("/")
    with django_assert_max_num_queries(6) as small_queries:
        client.get(f"/briefings/{small.slug}/present/")
    with django_assert_max_num_queries(len(small_queries)):
        client.get(f"/briefings/{large.slug}/present/")
