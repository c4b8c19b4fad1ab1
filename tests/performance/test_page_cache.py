"""The anonymous page cache: fast for readers, never stale after an edit, never leaking staff views."""

import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from briefings.models import Briefing
from portal.cache import invalidate
from portal.models import SiteSettings
from tests.factories import BriefingFactory


@pytest.fixture(autouse=True)
def page_cache_on(settings, db):
    settings.PAGE_CACHE_SECONDS = 600
    SiteSettings.load()  # created on first use otherwise, and that save would invalidate the first page
    cache.clear()
    yield
    cache.clear()


LIVED_EXPERIENCE = {
    "title": "Neglect and the lived experience of the child",
    "slug": "lived-experience",
    "summary": "What daily life is like for a neglected child.",
}


def nonce_of(response):
    match = re.search(r"'nonce-([^']+)'", response.get("Content-Security-Policy", ""))
    return match.group(1) if match else None


@pytest.mark.django_db
def test_second_anonymous_request_is_served_without_touching_the_database(client, django_assert_num_queries):
    BriefingFactory(**LIVED_EXPERIENCE)
    first = client.get("/briefings/lived-experience/")
    assert first.status_code == 200
    with django_assert_num_queries(0):
        second = client.get("/briefings/lived-experience/")
    assert second.status_code == 200
    assert "Neglect and the lived experience of the child" in second.content.decode()
    assert second["ETag"] == first["ETag"]


@pytest.mark.django_db
def test_cached_page_gets_a_fresh_csp_nonce_that_matches_its_header(client):
    BriefingFactory(**LIVED_EXPERIENCE)
    first = client.get("/briefings/lived-experience/")
    second = client.get("/briefings/lived-experience/")
    for response in (first, second):
        nonce = nonce_of(response)
        if nonce:
            assert "__csp_nonce_placeholder__" not in response.content.decode()
            assert "__csp_nonce_placeholder__" not in response["Content-Security-Policy"]
    if nonce_of(first):
        assert nonce_of(first) != nonce_of(second)


@pytest.mark.django_db
def test_edit_shows_at_once(client):
    briefing = BriefingFactory(**LIVED_EXPERIENCE)
    assert "lived experience" in client.get(briefing.get_absolute_url()).content.decode()
    briefing.title = "Cumulative harm: seeing the whole picture"
    briefing.save()
    assert "Cumulative harm: seeing the whole picture" in client.get(briefing.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_unpublishing_removes_the_page_from_the_public_at_once(client):
    briefing = BriefingFactory(**LIVED_EXPERIENCE)
    assert client.get(briefing.get_absolute_url()).status_code == 200
    briefing.status = Briefing.Status.DRAFT
    briefing.save()
    # Withdrawn: "gone" (410) with a page saying so, never the cached page.
    assert client.get(briefing.get_absolute_url()).status_code == 410


@pytest.mark.django_db
def test_admin_post_invalidates_even_when_a_bulk_update_sends_no_signal(client, staff_user):
    briefing = BriefingFactory(**LIVED_EXPERIENCE)
    assert client.get(briefing.get_absolute_url()).status_code == 200
    # queryset.update() sends no signal, so the cached page is still served...
    Briefing.objects.filter(pk=briefing.pk).update(status=Briefing.Status.DRAFT)
    assert client.get(briefing.get_absolute_url()).status_code == 200
    # ...until the admin request that made the change completes.
    staff = client.__class__()
    staff.force_login(staff_user)
    response = staff.post(
        "/admin/briefings/briefing/", {"action": "unpublish_selected", "_selected_action": [briefing.pk]}
    )
    assert response.status_code in (200, 302)
    assert client.get(briefing.get_absolute_url()).status_code == 410  # withdrawn
    assert "lived experience" not in client.get("/briefings/").content.decode()


@pytest.mark.django_db
def test_staff_draft_preview_is_never_cached_for_the_public(client, staff_user):
    draft = BriefingFactory(title="Secret draft", slug="draft-one", draft=True, published=None)
    staff = client.__class__()
    staff.force_login(staff_user)
    assert staff.get(draft.get_absolute_url()).status_code == 200
    assert client.get(draft.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_staff_never_receive_a_cached_public_page(client, staff_user):
    BriefingFactory(**LIVED_EXPERIENCE)
    client.get("/briefings/lived-experience/")  # now cached for the public
    staff = client.__class__()
    staff.force_login(staff_user)
    response = staff.get("/briefings/lived-experience/")
    assert response.status_code == 200
    assert "ETag" not in response  # rendered for this request, not taken from the cache


@pytest.mark.django_db
def test_conditional_request_answers_304(client):
    BriefingFactory(**LIVED_EXPERIENCE)
    etag = client.get("/briefings/lived-experience/")["ETag"]
    response = client.get("/briefings/lived-experience/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert client.get("/briefings/lived-experience/", HTTP_IF_NONE_MATCH='"other"').status_code == 200


@pytest.mark.django_db
def test_a_hit_answers_with_the_headers_the_page_was_made_with(client):
    BriefingFactory(**LIVED_EXPERIENCE)
    made = client.get("/briefings/lived-experience/")
    for hit in (
        client.get("/briefings/lived-experience/"),
        client.get("/briefings/lived-experience/", HTTP_ACCEPT_ENCODING="br"),
    ):
        assert hit.status_code == 200
        assert [v.strip() for v in hit["Vary"].split(",")] == ["Cookie", "Accept-Encoding"]
        for name in ("Content-Type", "Content-Language", "Referrer-Policy", "X-Frame-Options"):
            assert hit.get(name) == made.get(name), name
    plain = client.get("/briefings/lived-experience/")
    assert plain["Content-Length"] == str(len(plain.content)) == made["Content-Length"]
    assert client.head("/briefings/lived-experience/").content == b""


@pytest.mark.django_db
def test_contrast_choice_is_part_of_the_cache_key(client):
    BriefingFactory(**LIVED_EXPERIENCE)
    plain = client.get("/briefings/lived-experience/").content.decode()
    client.cookies["contrast"] = "high"
    contrast = client.get("/briefings/lived-experience/").content.decode()
    assert plain != contrast


@pytest.mark.django_db
def test_not_found_pages_are_not_cached(client):
    assert client.get("/briefings/not-yet/").status_code == 404
    Briefing.objects.bulk_create([Briefing(title="Not yet", slug="not-yet", summary="s", status="published",
                                           published=timezone.localdate())])  # fmt: skip
    assert client.get("/briefings/not-yet/").status_code == 200


@pytest.mark.django_db
def test_invalidate_makes_the_next_request_render_afresh(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    BriefingFactory(**LIVED_EXPERIENCE)
    client.get("/")
    with CaptureQueriesContext(connection) as cached:
        client.get("/")
    invalidate()
    with CaptureQueriesContext(connection) as fresh:
        client.get("/")
    assert len(cached.captured_queries) == 0
    assert len(fresh.captured_queries) > 0


@pytest.mark.django_db
def test_a_request_reads_the_generation_once_and_sees_its_own_invalidation(client, settings, monkeypatch):
    """The page key, site settings and search key all use the generation; one read serves them."""
    from portal import cache as page_cache_module

    BriefingFactory(**LIVED_EXPERIENCE)
    store = page_cache_module.page_cache()
    reads = []
    real_get = type(store).get

    def counting_get(self, key, *args, **kwargs):
        if key.endswith(page_cache_module.GENERATION_KEY):
            reads.append(key)
        return real_get(self, key, *args, **kwargs)

    monkeypatch.setattr(type(store), "get", counting_get)
    client.cookies["sessionid"] = "no-such-session"  # bypasses the page cache: the page is rendered
    assert client.get("/briefings/lived-experience/").status_code == 200
    assert len(reads) == 1
    # Outside a request nothing is kept: each call reads the cache, and an invalidation is seen at once.
    before = page_cache_module.generation()
    invalidate()
    assert page_cache_module.generation() == before + 1


def test_a_generation_lost_by_the_shared_cache_never_comes_back(db):
    """After a cache restart or eviction, numbers used before would revive entries workers keep in memory."""
    from portal import cache as page_cache_module

    seen = {page_cache_module.generation()}
    for _ in range(3):
        invalidate()
        seen.add(page_cache_module.generation())
    page_cache_module.page_cache().delete(page_cache_module.GENERATION_KEY)
    assert page_cache_module.generation() not in seen
    page_cache_module.page_cache().delete(page_cache_module.GENERATION_KEY)
    invalidate()  # a bump of a lost number also starts from one never used
    assert page_cache_module.generation() not in seen


class CountingView:
    """A view that says how many times it ran, with the Cache-Control header it is given."""

    def __init__(self, cache_control=None):
        self.cache_control = cache_control
        self.calls = 0

    def __call__(self, request):
        from django.http import HttpResponse

        self.calls += 1
        response = HttpResponse(f"<p>rendered {self.calls} " + "x" * 2000 + "</p>", content_type="text/html")
        if self.cache_control is not None:
            response["Cache-Control"] = self.cache_control
        return response


def fetch(view, **headers):
    from django.test import RequestFactory

    from portal.cache import PageCacheMiddleware

    return PageCacheMiddleware(view)(RequestFactory().get("/a-page/", **headers))


@pytest.mark.parametrize("cache_control", ["max-age=0", "public, s-maxage=0, max-age=600", "max-age=soon"])
def test_a_view_can_keep_its_page_out_of_the_page_cache_with_max_age(cache_control):
    view = CountingView(cache_control)
    fetch(view)
    assert b"rendered 2" in fetch(view).content
    assert view.calls == 2


def test_without_max_age_a_page_is_kept_for_page_cache_seconds():
    view = CountingView("public")
    fetch(view)
    assert b"rendered 1" in fetch(view).content
    assert view.calls == 1


@pytest.mark.parametrize("headers", [{}, {"HTTP_ACCEPT_ENCODING": "gzip, br"}])
def test_a_page_is_kept_only_as_long_as_its_max_age_says(settings, headers):
    """PAGE_CACHE_SECONDS is 600, the view asks for 1 second: the page (and its compressed copy) is rendered again."""
    import time

    settings.PAGE_CACHE_SECONDS = 600
    view = CountingView("max-age=1")
    fetch(view, **headers)
    fetch(view, **headers)
    assert view.calls == 1
    deadline = time.monotonic() + 30
    while view.calls == 1 and time.monotonic() < deadline:
        time.sleep(0.05)
        fetch(view, **headers)
    assert view.calls == 2
