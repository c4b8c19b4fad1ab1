"""sitemap.xml lists every public page and nothing else; robots.txt points at it; pages carry meta tags."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from tests.factories import BriefingFactory, CourseFactory, ThemeFactory

pytestmark = pytest.mark.django_db
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_paths(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 - our own response
    urls = [loc.text for loc in root.findall("s:url/s:loc", NS)]
    assert all(url.startswith("http://testserver/") for url in urls)
    return sorted(url.removeprefix("http://testserver") for url in urls)


def test_sitemap_lists_exactly_the_public_pages(client):
    theme = ThemeFactory(name="Neglect")
    live = BriefingFactory(title="Live")
    BriefingFactory(title="Draft", draft=True, published=None)
    course = CourseFactory(title="Open course")
    CourseFactory(title="Hidden course", draft=True)
    expected = [
        "/",
        "/accessibility/",
        "/briefings/",
        "/search/",
        "/staying-safe-online/",
        "/themes/",
        "/training/",
        live.get_absolute_url(),
        theme.get_absolute_url(),
        course.get_absolute_url(),
    ]
    assert sitemap_paths(client) == sorted(expected)


def test_every_sitemap_page_opens_for_the_public(client):
    ThemeFactory(name="Neglect")
    BriefingFactory(title="Live")
    CourseFactory(title="Open course")
    for path in sitemap_paths(client):
        assert client.get(path).status_code == 200, path


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_admin_and_results(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /search/?" in lines


def test_briefing_page_has_open_graph_tags_from_its_summary(client):
    briefing = BriefingFactory(title="Neglect & teenagers", summary='Why "older" children are missed.')
    body = client.get(briefing.get_absolute_url()).content.decode()
    assert '<meta property="og:title" content="Neglect &amp; teenagers">' in body
    assert '<meta property="og:description" content="Why &quot;older&quot; children are missed.">' in body
    assert '<meta property="og:type" content="article">' in body
    assert f'<meta property="og:url" content="http://testserver{briefing.get_absolute_url()}">' in body
    assert '<meta property="og:site_name" content="Example Safeguarding Children Partnership">' in body
    assert '<meta name="description" content="Why &quot;older&quot; children are missed.">' in body


def test_course_page_has_open_graph_tags_from_its_summary(client):
    course = CourseFactory(title="Graded Care Profile 2", summary="Assess the care a child receives.")
    body = client.get(course.get_absolute_url()).content.decode()
    assert '<meta property="og:title" content="Graded Care Profile 2">' in body
    assert '<meta property="og:description" content="Assess the care a child receives.">' in body


def test_other_pages_have_site_open_graph_tags(client):
    body = client.get(reverse("home")).content.decode()
    assert '<meta property="og:type" content="website">' in body
    assert '<meta property="og:url" content="http://testserver/">' in body
