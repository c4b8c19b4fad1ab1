"""Each page type says what it is in its Open Graph tags; a page about a briefing, not the briefing, is a website."""

import re
from html import unescape

import pytest

from briefings.models import Theme
from portal.models import SiteSettings
from tests.factories import BriefingFactory, CourseFactory, PageFactory

pytestmark = pytest.mark.django_db


def og(client, address):
    response = client.get(address)
    assert response.status_code == 200, address
    content = response.content.decode()
    tags = re.findall(r'<meta property="((?:og|article):[a-z_]+)" content="([^"]*)">', content)
    return [(name, unescape(value)) for name, value in tags], content


@pytest.fixture
def briefing(django_capture_on_commit_callbacks):
    theme = Theme.objects.create(name="Home conditions", slug="home-conditions", summary="Homes & hazards.")
    with django_capture_on_commit_callbacks(execute=True):  # its head tags are stored with its body
        return BriefingFactory(title="Curly “quotes” & <tags>", summary="What we learned.", themes=[theme])


def test_a_briefing_and_its_team_pack_are_articles_with_their_themes(client, briefing):
    for address in (briefing.get_absolute_url(), f"{briefing.get_absolute_url()}team-pack/"):
        tags, content = og(client, address)
        assert tags == [
            ("og:site_name", SiteSettings.load().partnership_name),
            ("og:url", f"http://testserver{address}"),
            ("og:type", "article"),
            ("og:title", "Curly “quotes” & <tags>"),
            ("og:description", "What we learned."),
            ("article:published_time", briefing.published.isoformat()),
            ("article:section", "7-minute briefing"),
            ("article:tag", "Home conditions"),
        ], address
        assert "&lt;tags&gt;" in content and "<tags>" not in content


def test_a_course_a_partnership_page_and_a_theme_are_websites_with_their_own_title(client, briefing):
    course = CourseFactory(title="Graded Care Profile 2", summary="A day's training.")
    page = PageFactory(title="About us", summary="Who we are.")
    theme = Theme.objects.get(slug="home-conditions")
    for address, title, description in [
        (course.get_absolute_url(), "Graded Care Profile 2", "A day's training."),
        (page.get_absolute_url(), "About us", "Who we are."),
        (theme.get_absolute_url(), "Home conditions", "Homes & hazards."),
    ]:
        tags, _ = og(client, address)
        assert tags[2:] == [("og:type", "website"), ("og:title", title), ("og:description", description)], address
    _, content = og(client, theme.get_absolute_url())
    feed = f'title="{SiteSettings.load().partnership_name}: briefings on Home conditions"'
    assert f'{feed} href="/feeds/themes/home-conditions/"' in content


def test_other_pages_even_about_a_briefing_are_the_sites_own(client, briefing):
    name = SiteSettings.load().partnership_name
    for address in ("/", "/briefings/", f"{briefing.get_absolute_url()}record/"):
        tags, content = og(client, address)
        assert [value for tag, value in tags if tag == "og:type"] == ["website"], address
        assert [value for tag, value in tags if tag == "og:title"] == [name], address
        assert "/feeds/themes/" not in content
