"""Repeated searches are answered from the cache until any content changes."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from briefings.models import Briefing
from portal.models import SiteSettings
from portal.site.search import PAGE_SIZE
from tests.factories import BriefingFactory


@pytest.fixture(autouse=True)
def search_cache_on(settings, db):
    settings.SEARCH_CACHE_SECONDS = 600
    SiteSettings.load()  # created on first use otherwise, and that save moves the generation on
    cache.clear()
    yield
    cache.clear()


def search(client, query, **params):
    with CaptureQueriesContext(connection) as captured:
        body = client.get("/search/", {"q": query, **params}).content.decode()
    return body, [q["sql"] for q in captured.captured_queries if "searchdocument" in q["sql"]]


@pytest.mark.django_db
def test_repeated_search_reads_no_index_and_shows_the_same_results(client):
    BriefingFactory(title="Chronologies in neglect cases", sections=[("Why", "A chronology shows drift.")])
    first, first_queries = search(client, "chronology")
    second, second_queries = search(client, "chronology")
    assert first_queries and not second_queries
    assert "Chronologies in neglect cases" in second
    assert "1 result" in second or "Chronologies in neglect cases" in first


@pytest.mark.django_db
def test_a_content_change_is_found_at_once(client):
    briefing = BriefingFactory(title="Chronologies in neglect cases", sections=[("Why", "A chronology shows drift.")])
    assert "Chronologies in neglect cases" in search(client, "chronology")[0]
    briefing.status = Briefing.Status.DRAFT
    briefing.save()
    assert "Chronologies in neglect cases" not in search(client, "chronology")[0]
    BriefingFactory(title="Another chronology briefing")
    assert "Another chronology briefing" in search(client, "chronology")[0]


@pytest.mark.django_db
def test_other_pages_and_filters_are_cached_apart(client):
    for n in range(PAGE_SIZE + 2):
        BriefingFactory(title=f"Supervision and drift {n}")
    page_one = search(client, "drift")[0]
    page_two = search(client, "drift", page=2)[0]
    assert page_one != page_two
    assert "Page 2 of 2" in search(client, "drift", page=2)[0]
    assert search(client, "drift", kind="course")[0] != page_one
