"""RSS feeds: valid XML listing exactly the published briefings, newest first."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import BriefingFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def items(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")  # noqa: S314 - our own response
    return channel, channel.findall("item")


def test_feed_lists_exactly_the_published_briefings_newest_first(client):
    BriefingFactory(title="Older", published=datetime.date(2023, 5, 1))
    BriefingFactory(title="Newer", summary="What the newer one says.", published=datetime.date(2024, 6, 1))
    BriefingFactory(title="Draft", draft=True, published=None)
    BriefingFactory(title="Future", published=timezone.localdate() + datetime.timedelta(days=1))
    channel, found = items(client.get(reverse("feed-briefings")))
    assert [item.findtext("title") for item in found] == ["Newer", "Older"]
    assert found[0].findtext("description") == "What the newer one says."
    assert found[0].findtext("link").endswith("/briefings/newer/")
    assert found[0].findtext("pubDate").startswith("Sat, 01 Jun 2024")
    assert "briefings" in channel.findtext("title")


def test_theme_feed_lists_only_that_themes_published_briefings(client):
    theme = ThemeFactory(name="Adolescent neglect", summary="Teenagers.")
    BriefingFactory(title="On theme", themes=[theme])
    BriefingFactory(title="Draft on theme", themes=[theme], draft=True, published=None)
    BriefingFactory(title="Off theme")
    channel, found = items(client.get(reverse("feed-theme", args=[theme.slug])))
    assert [item.findtext("title") for item in found] == ["On theme"]
    assert [c.text for c in found[0].findall("category")] == ["7-minute briefing", "Adolescent neglect"]
    assert "Adolescent neglect" in channel.findtext("title")


def test_theme_feed_for_unknown_theme_is_404(client):
    assert client.get("/feeds/themes/no-such-theme/").status_code == 404


def test_feed_stays_valid_xml_with_control_characters_and_markup_in_text(client):
    BriefingFactory(title="Form\x0cfeed <b>&</b>", summary="Pasted\x0b text with <script> & \x1b escapes.")
    _, found = items(client.get(reverse("feed-briefings")))
    assert found[0].findtext("title") == "Form feed <b>&</b>"
    assert found[0].findtext("description") == "Pasted text with <script> & escapes."


def test_pages_advertise_the_feed(client):
    theme = ThemeFactory(name="Neglect")
    home = client.get("/").content.decode()
    assert 'type="application/rss+xml"' in home and 'href="/feeds/briefings/"' in home
    theme_page = client.get(theme.get_absolute_url()).content.decode()
    assert f'href="/feeds/themes/{theme.slug}/"' in theme_page
