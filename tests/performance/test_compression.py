"""Compressed responses (issue 14.4): brotli or gzip for public pages, stored compressed by the
page cache, with an ETag per encoding; never for a response that may carry a secret (BREACH)."""

import gzip

import brotli
import pytest
from django.core.cache import cache

from briefings.models import Briefing
from portal import compression
from portal.models import SiteSettings
from tests.factories import BriefingFactory, CourseFactory, SessionFactory

URL = "/briefings/lived-experience/"


def decode(response):
    encoding = response.get("Content-Encoding")
    if encoding == "br":
        return brotli.decompress(response.content)
    if encoding == "gzip":
        return gzip.decompress(response.content)
    return response.content


@pytest.fixture(params=[600, 0], ids=["page-cache", "no-page-cache"])
def page_cache(request, settings, db):
    settings.PAGE_CACHE_SECONDS = request.param
    SiteSettings.load()
    cache.clear()
    yield request.param
    cache.clear()


@pytest.fixture
def briefing(db):
    return BriefingFactory(
        title="Neglect and the lived experience of the child",
        slug="lived-experience",
        summary="What daily life is like for a neglected child. " * 5,
    )


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_a_public_page_is_compressed_when_the_browser_accepts_it(client, page_cache, briefing, encoding):
    plain = client.get(URL)
    assert "Content-Encoding" not in plain
    for _ in range(2):  # a miss, then (with the page cache) a hit
        response = client.get(URL, HTTP_ACCEPT_ENCODING=f"{encoding}, identity")
        assert response.status_code == 200
        assert response["Content-Encoding"] == encoding
        assert int(response["Content-Length"]) == len(response.content) < len(plain.content) / 2
        assert decode(response).decode().count("Neglect and the lived experience of the child") >= 1
        assert "Accept-Encoding" in response["Vary"]
    assert "Accept-Encoding" in plain["Vary"]


def test_brotli_is_preferred_and_a_refused_encoding_is_not_used(client, page_cache, briefing):
    assert client.get(URL, HTTP_ACCEPT_ENCODING="gzip, deflate, br, zstd")["Content-Encoding"] == "br"
    assert client.get(URL, HTTP_ACCEPT_ENCODING="br;q=0, gzip")["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in client.get(URL, HTTP_ACCEPT_ENCODING="gzip;q=0, br;q=0")
    assert "Content-Encoding" not in client.get(URL, HTTP_ACCEPT_ENCODING="identity")


@pytest.mark.parametrize(
    "url", ["/", "/briefings/", "/feeds/briefings/", "/sitemap.xml", "/training/sessions.ics", "/search/?q=neglect"]
)
def test_feeds_calendars_sitemap_and_search_are_compressed(client, page_cache, briefing, url):
    course = CourseFactory(title="Neglect basics", summary="s " * 50)
    for day in range(1, 6):
        SessionFactory(course=course, days=day, hours=2, location="Room " * 10)
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip", url
    assert decode(response)


def test_a_cache_hit_does_not_compress_again(client, settings, briefing, monkeypatch):
    settings.PAGE_CACHE_SECONDS = 600
    SiteSettings.load()
    calls = []
    real = compression.compress
    monkeypatch.setattr(compression, "compress", lambda *args, **kwargs: calls.append(args[1]) or real(*args, **kwargs))
    first = client.get(URL, HTTP_ACCEPT_ENCODING="br")
    assert calls == ["br"]
    for _ in range(3):
        assert client.get(URL, HTTP_ACCEPT_ENCODING="br").content == first.content
    assert calls == ["br"]
    client.get(URL, HTTP_ACCEPT_ENCODING="gzip")
    client.get(URL, HTTP_ACCEPT_ENCODING="gzip")
    assert calls == ["br", "gzip"]


def test_each_encoding_has_its_own_etag_and_304_still_works(client, settings, briefing):
    settings.PAGE_CACHE_SECONDS = 600
    SiteSettings.load()
    tags = {}
    for encoding in ["br", "gzip", "identity"]:
        client.get(URL, HTTP_ACCEPT_ENCODING=encoding)  # stored
        response = client.get(URL, HTTP_ACCEPT_ENCODING=encoding)
        tags[encoding] = response["ETag"]
        again = client.get(URL, HTTP_ACCEPT_ENCODING=encoding, HTTP_IF_NONE_MATCH=tags[encoding])
        assert again.status_code == 304
        assert "Accept-Encoding" in again["Vary"]
    assert len(set(tags.values())) == 3
    # A tag of another encoding is not this representation: the page is sent in full.
    assert client.get(URL, HTTP_ACCEPT_ENCODING="br", HTTP_IF_NONE_MATCH=tags["gzip"]).status_code == 200


def test_nothing_that_may_carry_a_secret_is_compressed(client, staff_client, page_cache, briefing):
    """BREACH: a session or CSRF cookie, a response setting a cookie, or a staff page: never compressed."""
    from django.test import Client

    assert "Content-Encoding" not in staff_client.get(URL, HTTP_ACCEPT_ENCODING="br, gzip")
    assert "Content-Encoding" not in staff_client.get("/admin/", HTTP_ACCEPT_ENCODING="br, gzip")
    anonymous = Client()
    login = anonymous.get("/admin/login/", HTTP_ACCEPT_ENCODING="br, gzip")
    assert "csrfmiddlewaretoken" in login.content.decode()
    assert "Content-Encoding" not in login
    anonymous.cookies["csrftoken"] = "x" * 32
    rendered = anonymous.get(URL, HTTP_ACCEPT_ENCODING="br, gzip")
    if not page_cache:
        assert "Content-Encoding" not in rendered
    # A page from the page cache holds no secret by construction (it set no cookie and was made for
    # nobody signed in), so it is the same bytes for everyone and may be compressed for anyone.


@pytest.mark.django_db
def test_the_longest_demo_briefing_is_at_most_12_kb_transferred(client, demo_content, settings):
    settings.PAGE_CACHE_SECONDS = 600
    sizes = {}
    for briefing in Briefing.objects.published():
        for encoding in ["gzip", "br"]:
            response = client.get(briefing.get_absolute_url(), HTTP_ACCEPT_ENCODING=encoding)
            assert response["Content-Encoding"] == encoding
            sizes[(briefing.slug, encoding)] = len(response.content)
    assert sizes
    assert max(sizes.values()) <= 12 * 1024, sorted(sizes.items(), key=lambda item: -item[1])[:3]
