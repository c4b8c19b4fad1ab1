"""Staff put pages in the header or footer in the order they choose; the links cost no query per page."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pages.models import Page
from portal.models import SiteSettings
from tests.factories import PageFactory

pytestmark = pytest.mark.django_db


def nav_links(body, where):
    pattern = {"header": r'<nav class="site-nav".*?</nav>', "footer": r'<footer class="site-footer">.*?</footer>'}
    block = re.search(pattern[where], body, re.DOTALL).group(0)
    return re.findall(r'<a href="(/[^"]*)"[^>]*>([^<]*)</a>', block)


def test_pages_appear_where_staff_put_them_in_their_order(client):
    PageFactory(title="Contact us", slug="contact", placement="header", position=20)
    PageFactory(title="About the partnership", slug="about", placement="header", position=10, link_text="About us")
    PageFactory(title="Posters and videos", slug="posters", placement="footer", position=5)
    PageFactory(title="Neglect toolkit", slug="toolkit", placement="footer", position=1)
    PageFactory(title="Not linked", slug="not-linked", placement="")
    PageFactory(title="A draft", slug="draft-page", placement="header", draft=True)
    body = client.get("/").content.decode()
    header = nav_links(body, "header")
    assert header[-2:] == [("/about/", "About us"), ("/contact/", "Contact us")]
    footer = nav_links(body, "footer")
    assert footer[-2:] == [("/toolkit/", "Neglect toolkit"), ("/posters/", "Posters and videos")]
    assert "/not-linked/" not in body and "/draft-page/" not in body


def test_the_current_page_is_marked_in_the_navigation(client):
    PageFactory(title="About us", slug="about", placement="header")
    PageFactory(title="Contact us", slug="contact", placement="header")
    body = client.get("/about/").content.decode()
    assert '<a href="/about/" aria-current="page">About us</a>' in body
    assert '<a href="/contact/">Contact us</a>' in body
    assert 'href="/contact/" aria-current' not in client.get("/").content.decode()


def test_the_navigation_costs_no_query_once_read_and_follows_every_change(client):
    SiteSettings.load()
    page = PageFactory(title="About us", slug="about", placement="header", position=10)
    client.get("/")  # reads the settings and the navigation once for this content generation
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/").content.decode()
    assert ("/about/", "About us") in nav_links(body, "header")
    assert [q["sql"] for q in queries if "pages_page" in q["sql"]] == []

    page.placement, page.link_text = "footer", "Who we are"
    page.save()
    body = client.get("/").content.decode()
    assert ("/about/", "Who we are") in nav_links(body, "footer")
    assert "/about/" not in dict(nav_links(body, "header"))
    page.delete()
    assert "/about/" not in client.get("/").content.decode()


def test_with_the_page_cache_on_a_new_page_link_shows_at_once(client, settings):
    settings.PAGE_CACHE_SECONDS = 600
    SiteSettings.load()
    cache.clear()
    first = client.get("/briefings/").content.decode()
    assert "/contact/" not in first
    page = PageFactory(title="Contact us", slug="contact", placement="footer")
    assert ("/contact/", "Contact us") in nav_links(client.get("/briefings/").content.decode(), "footer")
    Page.objects.filter(pk=page.pk).update(title="Contact the team")  # no signal: the next save shows it
    page.refresh_from_db()
    page.save()
    assert ("/contact/", "Contact the team") in nav_links(client.get("/briefings/").content.decode(), "footer")


def test_a_page_published_for_a_later_day_is_not_in_the_navigation(client):
    PageFactory(slug="soon", placement="header", published=timezone.localdate() + datetime.timedelta(days=1))
    assert "/soon/" not in client.get("/").content.decode()
