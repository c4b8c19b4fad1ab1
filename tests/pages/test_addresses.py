"""A page lives at /<slug>/: it never takes a route the site already answers, and no route hides a page."""

import pytest
from django.test import override_settings
from django.urls import URLResolver, get_resolver, path, resolve, reverse

from pages.admin import PageAdminForm
from pages.models import Page
from pages.routes import reserved_slugs
from portal.site import urls as site_urls
from tests.factories import PageFactory

pytestmark = pytest.mark.django_db

FORM = {"title": "About us", "summary": "Who we are.", "body": "We are the partnership.", "status": "draft",
        "placement": "", "position": 10, "link_text": ""}  # fmt: skip


def form(**changes):
    return PageAdminForm(data={**FORM, **changes})


def top_level_segments(patterns):
    """The first part of every route in the site's URLconf, found here independently of pages.routes."""
    found = set()
    for entry in patterns:
        head = str(entry.pattern).split("/", 1)[0]
        if isinstance(entry, URLResolver) and not head:
            found |= top_level_segments(entry.url_patterns)
        elif head and "<" not in head:
            found.add(head)
    return found


def test_the_page_route_is_the_last_of_the_site():
    last = site_urls.urlpatterns[-1]
    assert isinstance(last, URLResolver) and last.namespace == "pages"
    assert resolve("/about/").view_name == "pages:detail"


def whole_routes(patterns, prefix=""):
    """Every route that is one segment and a slash (`briefings/`, `search/`), with its URL name."""
    found = []
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += whole_routes(entry.url_patterns, route)
        elif route.count("/") == 1 and route.endswith("/") and "<" not in route:
            found.append(route)
    return found


@pytest.mark.parametrize("segment", sorted(top_level_segments(get_resolver().url_patterns)))
def test_every_top_level_route_is_refused_as_a_slug(segment):
    bound = form(slug=segment)
    assert not bound.is_valid()
    if "." not in segment:  # robots.txt is no slug at all, and says so
        assert "one of the site's own addresses" in bound.errors["slug"][0]


def test_no_route_of_the_site_is_taken_over_by_the_page_route():
    routes = whole_routes(get_resolver().url_patterns)
    assert {"briefings/", "training/", "search/", "accessibility/"} <= set(routes)
    assert [route for route in routes if resolve(f"/{route}").view_name == "pages:detail"] == []


@pytest.mark.parametrize("slug", ["static", "media", "Admin", "SEARCH"])
def test_static_media_and_any_case_of_a_route_are_refused(slug):
    assert not form(slug=slug).is_valid()


def test_a_free_slug_is_accepted_and_kept_lower_case():
    bound = form(slug="Neglect-Strategy")
    assert bound.is_valid(), bound.errors
    assert bound.save().slug == "neglect-strategy"


def test_every_route_the_site_answers_at_the_top_is_in_the_reserved_list():
    expected = top_level_segments(get_resolver().url_patterns) | {"static", "media"}
    assert expected <= set(reserved_slugs())
    assert {"briefings", "themes", "training", "search", "admin", "alerts", "feeds", "sitemap.xml"} <= expected


urlpatterns = [path("about/", lambda request: None, name="shadow"), *site_urls.urlpatterns]


@override_settings(ROOT_URLCONF=__name__)
def test_a_new_route_at_the_top_becomes_reserved_at_once():
    """Added later, a route `about/` would hide the About page: the slug is then refused, read from the URLconf."""
    assert "about" in reserved_slugs()
    assert not form(slug="about").is_valid()


def test_the_demo_pages_are_not_hidden_by_any_route(demo_content, client):
    for slug in ("about", "contact"):
        assert slug not in reserved_slugs()
        assert resolve(f"/{slug}/").view_name == "pages:detail"
        assert client.get(f"/{slug}/").status_code == 200


def test_a_page_answers_at_its_address_and_an_unknown_one_is_the_sites_not_found(client):
    page = PageFactory(title="Neglect toolkit", slug="neglect-toolkit")
    assert page.get_absolute_url() == "/neglect-toolkit/" == reverse("pages:detail", args=["neglect-toolkit"])
    response = client.get("/neglect-toolkit/")
    assert response.status_code == 200
    assert "<h1" in response.content.decode() and "Neglect toolkit" in response.content.decode()
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert "Page not found" in missing.content.decode()


def test_a_slug_taken_by_another_page_is_refused():
    PageFactory(slug="contact")
    bound = form(slug="contact")
    assert not bound.is_valid() and "slug" in bound.errors


def test_changing_the_slug_redirects_the_old_address_in_one_hop(client):
    page = PageFactory(title="Posters", slug="posters")
    page.slug = "posters-and-videos"
    page.save()
    response = client.get("/posters/")
    assert response.status_code == 301 and response["Location"] == "/posters-and-videos/"
    assert client.get("/posters-and-videos/").status_code == 200


def test_a_new_page_at_a_redirected_address_takes_it_over(client):
    page = PageFactory(slug="old-name")
    page.slug = "new-name"
    page.save()
    PageFactory(slug="old-name", title="Another page")
    assert client.get("/old-name/").status_code == 200
    assert Page.objects.count() == 2
