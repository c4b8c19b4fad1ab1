"""The edges of the HTTP layer: HTTPS redirects with a warm page cache, bad Host headers,
oversized request bodies, draft previews and the page cache's nonce (issues 13 and 14)."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import path

from briefings import print_views
from portal.models import SiteSettings
from tests.factories import BriefingFactory, CourseFactory
from tests.trust.test_headers import assert_strict_headers

URL = "/briefings/lived-experience/"


@pytest.fixture
def page_cache_on(settings, db):
    settings.PAGE_CACHE_SECONDS = 600
    SiteSettings.load()
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def https(settings):
    """The production HTTPS settings (SECURE_SSL=true): TLS ends at the proxy, which says so."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]


LIVED_EXPERIENCE = {
    "title": "Neglect and the lived experience of the child",
    "slug": "lived-experience",
    "summary": "What daily life is like for a neglected child.",
}

# --- HTTPS is never bypassed (issue 14.3) --------------------------------------------------------


@pytest.mark.parametrize("url", [URL, "/", "/briefings/", "/feeds/briefings/", "/sitemap.xml", "/robots.txt"])
def test_plain_http_is_redirected_even_when_the_page_is_cached(client, page_cache_on, https, url):
    BriefingFactory(**LIVED_EXPERIENCE)
    host = {"HTTP_HOST": "portal.example.org"}  # as a browser sends it, whatever the scheme
    assert client.get(url, HTTP_X_FORWARDED_PROTO="https", **host).status_code == 200
    assert client.get(url, HTTP_X_FORWARDED_PROTO="https", **host).status_code == 200  # a cache hit
    response = client.get(url, **host)
    assert response.status_code == 301
    assert response["Location"] == f"https://portal.example.org{url}"
    assert client.head(url, **host).status_code == 301


def test_a_page_cached_over_https_is_not_served_over_http(client, page_cache_on, settings):
    """With the redirect left to the proxy, the two schemes still never share a cached page."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    BriefingFactory(**LIVED_EXPERIENCE)
    client.get(URL, HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="portal.example.org")
    with CaptureQueriesContext(connection) as plain:
        assert client.get(URL, HTTP_HOST="portal.example.org").status_code == 200
    assert len(plain.captured_queries) > 0


# --- A wrong Host header (issue 13.11) -----------------------------------------------------------


@pytest.mark.parametrize("cache_seconds", [0, 600])
def test_a_wrong_host_gets_a_friendly_400_with_the_security_headers(client, db, settings, cache_seconds):
    settings.ALLOWED_HOSTS = ["portal.example.org"]
    settings.PAGE_CACHE_SECONDS = cache_seconds
    response = client.get("/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert_strict_headers(response)
    page = response.content.decode()
    assert "Exit this page" in page and "<h1>" in page
    assert "Bad Request (400)" not in page


# --- Request size limits (issue 13.12) -----------------------------------------------------------


def post_claiming(client, url, length, **extra):
    """A POST that says it carries `length` bytes but holds only a few: reading it would fail."""
    return client.generic(
        "POST", url, b"next=/", content_type="application/x-www-form-urlencoded", CONTENT_LENGTH=str(length), **extra
    )


def test_a_huge_anonymous_post_is_refused_before_it_is_read(client, db):
    response = post_claiming(client, "/contrast/", 300 * 1024 * 1024)
    assert response.status_code == 413
    assert "Exit this page" in response.content.decode()
    assert_strict_headers(response)


def test_public_posts_accept_only_small_bodies(client, db):
    assert post_claiming(client, "/contrast/", 17 * 1024).status_code == 413
    assert post_claiming(client, "/admin/login/", 17 * 1024).status_code == 413
    # An ordinary contrast toggle still works.
    assert client.post("/contrast/", {"next": "/briefings/"}).status_code == 302


def test_staff_uploads_have_limits_sized_for_their_purpose(staff_client):
    assert post_claiming(staff_client, "/markdownx/upload/", 4 * 1024 * 1024).status_code == 413
    assert post_claiming(staff_client, "/admin/briefings/resource/add/", 80 * 1024 * 1024).status_code == 413


def test_a_staff_sized_body_is_refused_to_a_made_up_session_cookie(client, db):
    client.cookies["sessionid"] = "no-such-session"
    assert post_claiming(client, "/admin/briefings/resource/add/", 5 * 1024 * 1024).status_code == 413


# --- Smaller items (issue 13.13) ---------------------------------------------------------------


def test_host_case_and_port_share_one_cached_pdf(client, db):
    briefing = BriefingFactory(**LIVED_EXPERIENCE)
    with mock.patch.object(print_views, "html_to_pdf", wraps=print_views.html_to_pdf) as render:
        for host in ["localhost", "LOCALHOST:1", "LocalHost:65000", "localhost."]:
            assert client.get(f"/briefings/{briefing.slug}.pdf", HTTP_HOST=host).status_code == 200
        assert render.call_count == 1


def test_staff_previews_of_drafts_are_private_and_not_indexed(staff_client):
    draft = BriefingFactory(**LIVED_EXPERIENCE, draft=True, published=None)
    course = CourseFactory(title="Draft course", draft=True)
    for url in [draft.get_absolute_url(), f"/briefings/{draft.slug}/team-pack/", f"/training/{course.slug}/"]:
        response = staff_client.get(url)
        assert response.status_code == 200, url
        assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"], url
        assert '<meta name="robots" content="noindex">' in response.content.decode(), url


def test_text_that_looks_like_the_nonce_placeholder_is_left_alone_on_cached_pages(client, page_cache_on):
    BriefingFactory(**{**LIVED_EXPERIENCE, "summary": "Write __csp_nonce_placeholder__ here."})
    first = client.get(URL).content.decode()
    second = client.get(URL).content.decode()
    assert "Write __csp_nonce_placeholder__ here." in first
    assert "Write __csp_nonce_placeholder__ here." in second


def nonce_page(request):
    from django.http import HttpResponse

    return HttpResponse(f'<script nonce="{request.csp_nonce}">1</script><p>__csp_nonce_placeholder__ stays</p>')


urlpatterns = [path("nonce-page/", nonce_page)]


def test_a_real_nonce_on_a_cached_page_is_fresh_on_every_hit(client, page_cache_on, settings):
    settings.ROOT_URLCONF = __name__
    first, second = client.get("/nonce-page/"), client.get("/nonce-page/")
    for response in (first, second):
        nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
        assert f'<script nonce="{nonce}">' in response.content.decode()
        assert "__csp_nonce_placeholder__ stays" in response.content.decode()
    assert first.content != second.content
