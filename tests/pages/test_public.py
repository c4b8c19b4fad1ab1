"""What readers get from a partnership page: the shared template, print, search, sitemap, 410 once withdrawn."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from pages.models import Page
from portal.publication import set_published
from tests.conftest import INLINE_SCRIPT
from tests.factories import PageFactory

pytestmark = pytest.mark.django_db

RICH = """Everyone who works with children has a part to play.

## What we ask of every agency

- Notice when a child’s needs are not met
- Talk to the family, and to the child
- Share what you know

### Who to contact

| Service | Telephone |
|---|---|
| Children’s Front Door | 0306 999 0123 |

Read the [neglect toolkit](https://example.org/toolkit) before a first visit.

<script>alert("x")</script><p onclick="x()">Clicked</p>"""


def test_a_page_renders_its_markdown_sanitised_in_the_shared_template(client):
    page = PageFactory(title="Neglect strategy", slug="neglect-strategy", summary="Our plan.", body=RICH)
    body = client.get(page.get_absolute_url()).content.decode()
    assert body.count("<h1") == 1 and "<h2>What we ask of every agency</h2>" in body
    assert "<li>Share what you know</li>" in body and "<table>" in body
    assert 'href="https://example.org/toolkit"' in body
    assert "<script>alert" not in body and "onclick" not in body
    assert 'id="exit-this-page"' in body and 'class="site-footer"' in body  # the shared chrome
    assert '<meta name="description" content="Our plan.">' in body
    assert Page.objects.get(pk=page.pk).body_html.startswith("<p>Everyone")  # rendered on write


def test_a_page_has_no_inline_script_style_or_event_handler_and_a_csp_header(client):
    page = PageFactory(body=RICH)
    response = client.get(page.get_absolute_url())
    body = response.content.decode()
    assert not INLINE_SCRIPT.search(body)
    assert not re.search(r"\sstyle=", body)
    assert not re.search(r"\son[a-z]+=", body)
    assert "script-src" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"].split("script-src")[1].split(";")[0]


def test_the_printed_page_carries_its_address_and_a_print_button(client):
    page = PageFactory(title="Contact us", slug="contact")
    body = client.get(page.get_absolute_url()).content.decode()
    header = re.search(r'<div class="print-only print-header">(.*?)</div>', body, re.DOTALL).group(1)
    assert "Contact us · online at" in header and "http://testserver/contact/" in header
    assert 'class="print-date"' in header
    assert re.search(
        r'<button type="button" class="print-button" data-print-button hidden>Print this page</button>', body
    )


def test_a_draft_is_not_found_for_readers_and_shown_to_staff_unstored(client, staff_client):
    draft = PageFactory(slug="draft-page", draft=True)
    assert Client().get("/draft-page/").status_code == 404
    response = staff_client.get(draft.get_absolute_url())
    assert response.status_code == 200 and "Not published" in response.content.decode()
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_a_page_the_public_could_read_is_gone_410_once_unpublished():
    page = PageFactory(title="Posters and videos", slug="posters")
    assert Client().get("/posters/").status_code == 200
    set_published(Page, [page.pk], False, reason="Unpublished")
    response = Client().get("/posters/")
    assert response.status_code == 410
    assert "This page has been withdrawn" in response.content.decode()
    assert "Posters and videos" in response.content.decode()


def test_a_page_published_for_later_is_not_found_until_its_day():
    PageFactory(slug="soon", published=timezone.localdate() + datetime.timedelta(days=3))
    assert Client().get("/soon/").status_code == 404


def test_search_finds_a_page_by_a_word_in_its_body_and_never_a_draft(client):
    PageFactory(title="Neglect toolkit", slug="toolkit", body="Use the chronology template before supervision.")
    PageFactory(title="Draft toolkit", slug="draft-toolkit", draft=True, body="Chronology draft notes.")
    body = client.get("/search/?q=chronology").content.decode()
    assert 'href="/toolkit/"' in body and "Neglect toolkit" in body
    assert "Draft toolkit" not in body
    assert "<mark>chronology</mark>" in body.lower()
    only_pages = client.get("/search/?q=chronology&kind=page").content.decode()
    assert "Partnership pages (1)" in only_pages and 'href="/toolkit/"' in only_pages


def test_a_withdrawn_page_leaves_search_at_once(client):
    page = PageFactory(title="Posters", slug="posters", body="Campaign posters about hidden harm.")
    assert 'href="/posters/"' in client.get("/search/?q=posters").content.decode()
    page.withdraw()
    page.save()
    assert 'href="/posters/"' not in client.get("/search/?q=posters").content.decode()


def sitemap_paths(client):
    root = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314 - our own response
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    return {loc.text.removeprefix("http://testserver") for loc in root.findall("s:url/s:loc", ns)}


def test_the_sitemap_lists_published_pages_and_not_drafts(client):
    PageFactory(slug="about")
    PageFactory(slug="draft-page", draft=True)
    paths = sitemap_paths(client)
    assert "/about/" in paths and "/draft-page/" not in paths


def test_demo_about_and_contact_are_published_in_the_navigation(demo_content, client):
    about, contact = Page.objects.get(slug="about"), Page.objects.get(slug="contact")
    assert about.is_published and contact.is_published
    assert (about.placement, contact.placement) == ("header", "footer")
    body = client.get("/").content.decode()
    assert re.search(r'<nav class="site-nav".*<a href="/about/">About us</a>.*</nav>', body, re.DOTALL)
    assert re.search(r'<footer class="site-footer">.*<a href="/contact/">Contact us</a>.*</footer>', body, re.DOTALL)
    contact_page = client.get("/contact/").content.decode()
    assert "<table>" in contact_page and "mailto:learning@example.org" in contact_page
    assert "/contact/" in sitemap_paths(client)


def test_loading_the_demo_again_changes_no_page_and_adds_no_version(demo_content):
    counts = (Page.objects.count(), Page.history.count())
    call_command("load_demo", verbosity=0)
    assert (Page.objects.count(), Page.history.count()) == counts == (2, 2)
