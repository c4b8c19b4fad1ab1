"""Related briefings, breadcrumbs and sharing on the public pages (issue 21, item 6)."""

import datetime
import html
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from briefings import related
from briefings.models import Briefing, StoredBody
from portal.cache import GENERATION_KEY
from portal.models import SiteSettings
from tests.factories import BriefingFactory, CourseFactory, SessionFactory, SubscriberFactory, ThemeFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 1, 1)


def related_titles(client, briefing):
    page = client.get(briefing.get_absolute_url()).content.decode()
    match = re.search(r'<section class="related-briefings".*?</section>', page, re.S)
    if match is None:
        return []
    return [html.unescape(title) for title in re.findall(r'<a href="/briefings/[^"]+/">([^<]+)</a>', match.group(0))]


def days_ago(n):
    return timezone.localdate() - datetime.timedelta(days=n)


def test_related_briefings_share_most_themes_first_then_kind_then_newest(client):
    neglect, curiosity, sharing = ThemeFactory(name="Neglect"), ThemeFactory(name="Curiosity"), ThemeFactory()
    briefing = BriefingFactory(title="This one", themes=[neglect, curiosity, sharing], kind="thematic_review")
    BriefingFactory(title="One theme, old", themes=[neglect], kind="audit_findings", published=days_ago(90))
    BriefingFactory(title="Two themes", themes=[neglect, curiosity], kind="audit_findings", published=days_ago(60))
    BriefingFactory(title="One theme, same kind", themes=[sharing], kind="thematic_review", published=days_ago(80))
    BriefingFactory(title="One theme, new", themes=[curiosity], kind="audit_findings", published=days_ago(5))
    BriefingFactory(title="Nothing shared", themes=[ThemeFactory()], kind="audit_findings")
    assert related_titles(client, briefing) == ["Two themes", "One theme, same kind", "One theme, new"]


def test_same_kind_counts_when_no_theme_is_shared(client):
    briefing = BriefingFactory(title="This one", kind="audit_findings")
    BriefingFactory(title="Another audit", kind="audit_findings")
    BriefingFactory(title="A review", kind="thematic_review")
    assert related_titles(client, briefing) == ["Another audit"]


def test_related_briefings_never_show_itself_drafts_future_or_withdrawn_ones(client):
    theme = ThemeFactory()
    briefing = BriefingFactory(title="This one", themes=[theme])
    BriefingFactory(title="A draft", themes=[theme], draft=True)
    BriefingFactory(title="Next week", themes=[theme], published=timezone.localdate() + datetime.timedelta(days=7))
    withdrawn = BriefingFactory(title="Withdrawn", themes=[theme])
    withdrawn.status = Briefing.Status.DRAFT
    withdrawn.save()
    BriefingFactory(title="Public", themes=[theme])
    assert related_titles(client, briefing) == ["Public"]


def test_at_most_three_related_briefings(client):
    theme = ThemeFactory()
    briefing = BriefingFactory(themes=[theme])
    for _ in range(6):
        BriefingFactory(themes=[theme])
    assert len(related_titles(client, briefing)) == 3


def test_a_briefing_with_nothing_related_shows_no_related_section(client):
    briefing = BriefingFactory(kind="audit_findings")
    assert 'class="related-briefings"' not in client.get(briefing.get_absolute_url()).content.decode()


def stored_related(briefing):
    return StoredBody.objects.get(briefing=briefing).related


def saved_with_one_related(capture_on_commit_callbacks):
    """A briefing and "First out" sharing its theme, saved and committed as the admin would: the worker is queued."""
    theme = ThemeFactory()
    with capture_on_commit_callbacks(execute=True):
        briefing = BriefingFactory(themes=[theme])
        BriefingFactory(title="First out", themes=[theme])
    return briefing, theme


def test_related_briefings_are_stored_by_the_worker_and_never_served_stale(
    client, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """They change when other briefings do: each content change queues the worker, and pages never wait for it."""
    briefing, theme = saved_with_one_related(django_capture_on_commit_callbacks)
    assert DBTaskResult.objects.filter(task_path="briefings.related.store_related", status="READY").exists()
    assert related.store_related.call() == 2  # what the worker does
    assert "First out" in stored_related(briefing)
    client.get("/")  # the site settings and header links are read once per worker
    with django_assert_num_queries(1):  # the briefing, its body and its related briefings: one row
        assert related_titles(client, briefing) == ["First out"]
    assert related.store_related.call() == 0  # nothing changed since: a second task does nothing
    with django_capture_on_commit_callbacks(execute=True):
        BriefingFactory(title="Newly published", themes=[theme])
    assert "Newly published" not in stored_related(briefing)  # the worker has not run yet
    assert related_titles(client, briefing) == ["Newly published", "First out"]
    related.store_related.call()
    assert "Newly published" in stored_related(briefing)
    assert related_titles(client, briefing) == ["Newly published", "First out"]


def test_sections_out_of_date_with_no_change_are_stored_again_by_the_worker(
    client, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """The cache lost the content generation: the first page to notice queues the worker, once."""
    briefing, _theme = saved_with_one_related(django_capture_on_commit_callbacks)
    related.store_related.call()
    tasks = DBTaskResult.objects.filter(task_path="briefings.related.store_related")
    tasks.delete()  # taken by the worker
    caches["default"].delete(GENERATION_KEY)
    assert related_titles(client, briefing) == ["First out"]  # chosen by the page meanwhile
    assert tasks.get().status == "READY"
    tasks.update(status="RUNNING")
    assert related_titles(client, briefing) == ["First out"]
    assert tasks.count() == 1  # not once per page
    assert related.store_related.call() == 2
    client.get("/")
    with django_assert_num_queries(1):
        assert related_titles(client, briefing) == ["First out"]


def test_a_change_queues_the_daily_run_once_for_a_minute_past_midnight(django_capture_on_commit_callbacks):
    days = {timezone.localdate()}
    for title in ("First", "Second"):
        with django_capture_on_commit_callbacks(execute=True):
            BriefingFactory(title=title)
    days.add(timezone.localdate())  # a run across midnight may queue for either day
    daily = DBTaskResult.objects.filter(task_path="briefings.related.store_related_daily", status="READY")
    assert daily.count() == 1
    run_after = timezone.localtime(daily.get().run_after)
    assert run_after.time() == datetime.time(0, 1) and run_after.date() - datetime.timedelta(days=1) in days
    assert related.store_related_daily.call() == 2
    assert daily.count() == 2  # tomorrow's, queued again by today's run (and the one the worker would have taken)


def test_a_briefing_out_today_is_related_from_midnight_though_nothing_was_stored_since(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    theme = ThemeFactory()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        briefing = BriefingFactory(themes=[theme])
        BriefingFactory(title="Out tomorrow", themes=[theme], published=tomorrow)
    related.store_related.call()
    assert related_titles(client, briefing) == []
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert related_titles(client, briefing) == ["Out tomorrow"]


def test_related_briefings_are_ranked_among_the_newest_candidates_only(monkeypatch):
    """However many briefings share a theme, only the newest few are ranked: a page's cost stays flat."""
    monkeypatch.setattr(related, "RELATED_CANDIDATES", 2)
    neglect, curiosity = ThemeFactory(name="Neglect"), ThemeFactory(name="Curiosity")
    briefing = BriefingFactory(title="This one", themes=[neglect, curiosity], kind="thematic_review")
    BriefingFactory(
        title="Both themes, oldest", themes=[neglect, curiosity], kind="audit_findings", published=days_ago(90)
    )
    BriefingFactory(title="One theme, newer", themes=[neglect], kind="audit_findings", published=days_ago(10))
    BriefingFactory(title="One theme, newest", themes=[curiosity], kind="audit_findings", published=days_ago(5))
    assert [b.title for b in related.query(briefing.pk, briefing.kind)] == ["One theme, newest", "One theme, newer"]


def test_related_briefings_cost_one_query_however_many_there_are(django_assert_max_num_queries, settings):
    settings.DATABASE_PREPARED_STATEMENTS = False  # the SQL itself is read below, not EXECUTE of it
    counts = []
    for n in (1, 30):
        theme = ThemeFactory()
        briefing = BriefingFactory(themes=[theme, ThemeFactory()])
        for _ in range(n):
            BriefingFactory(themes=[theme, ThemeFactory()], sections=1)
        client = Client()
        client.get(briefing.get_absolute_url())
        with django_assert_max_num_queries(25) as captured:
            client.get(briefing.get_absolute_url() + f"?n={n}")
        counts.append(len(captured))
        related = [q["sql"] for q in captured.captured_queries if "COUNT" in q["sql"].upper()]
        assert len(related) == 1, related
    assert counts[0] == counts[1], counts


# --- Breadcrumbs ---


def breadcrumbs(page):
    """[(label, href or None)] of the page's breadcrumb nav; the current page has aria-current and no link."""
    match = re.search(r'<nav class="breadcrumbs" aria-label="Breadcrumb">(.*?)</nav>', page, re.S)
    assert match, "no breadcrumbs"
    items = []
    for attributes, item in re.findall(r"<li([^>]*)>(.*?)</li>", match.group(1), re.S):
        link = re.search(r'<a href="([^"]*)">(.*?)</a>', item, re.S)
        if link:
            items.append((html.unescape(link.group(2)).strip(), html.unescape(link.group(1))))
        else:
            assert 'aria-current="page"' in attributes, attributes
            items.append((html.unescape(re.sub(r"<[^>]+>", "", item)).strip(), None))
    return items


def structured_trail(page):
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(scripts) == 1, scripts
    data = json.loads(scripts[0])
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "BreadcrumbList"
    return [(item["position"], item["name"], item["item"]) for item in data["itemListElement"]]


def test_a_briefing_page_has_breadcrumbs_through_its_kind_with_structured_data(client):
    briefing = BriefingFactory(title='Neglect & "care"', kind="seven_minute_briefing")
    page = client.get(briefing.get_absolute_url()).content.decode()
    assert breadcrumbs(page) == [
        ("Home", "/"),
        ("Briefings", "/briefings/"),
        ("7-minute briefings", "/briefings/?kind=seven_minute_briefing"),
        ('Neglect & "care"', None),
    ]
    assert structured_trail(page) == [
        (1, "Home", "http://testserver/"),
        (2, "Briefings", "http://testserver/briefings/"),
        (3, "7-minute briefings", "http://testserver/briefings/?kind=seven_minute_briefing"),
        (4, 'Neglect & "care"', f"http://testserver{briefing.get_absolute_url()}"),
    ]


def test_structured_data_cannot_close_its_script_element(client):
    briefing = BriefingFactory(title="</script><script>alert(1)</script>")
    page = client.get(briefing.get_absolute_url()).content.decode()
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    assert "<" not in script
    assert structured_trail(page)[-1][1] == "</script><script>alert(1)</script>"


@pytest.fixture
def pages():
    """(path, expected trail without Home) for every public page type below the home page."""
    theme = ThemeFactory(name="Child neglect")
    briefing = BriefingFactory(title="A review", kind="thematic_review", themes=[theme])
    course = CourseFactory(title="Spotting neglect", themes=[theme])
    SessionFactory(course=course)
    subscriber = SubscriberFactory()
    about = ("A review", briefing.get_absolute_url())
    briefings = [("Briefings", "/briefings/"), ("Thematic reviews", "/briefings/?kind=thematic_review")]
    return [
        ("/briefings/", ["Briefings"]),
        (briefing.get_absolute_url(), [*briefings, "A review"]),
        (reverse("briefings:team-pack", args=[briefing.slug]), [*briefings, about, "Team meeting pack"]),
        ("/themes/", ["Themes"]),
        (theme.get_absolute_url(), [("Themes", "/themes/"), "Child neglect"]),
        ("/training/", ["Training"]),
        (course.get_absolute_url(), [("Training", "/training/"), "Spotting neglect"]),
        ("/training/whats-on/", [("Training", "/training/"), "What's on"]),
        ("/search/?q=neglect", ["Search"]),
        ("/privacy/", ["Privacy notice"]),
        ("/accessibility/", ["Accessibility statement"]),
        ("/staying-safe-online/", ["Staying safe online"]),
        (reverse("alerts:subscribe"), ["Email updates"]),
        (reverse("alerts:manage", args=[subscriber.token]), [("Email updates", "/alerts/"), "Your email updates"]),
        (reverse("learning:record", args=[briefing.slug]), [*briefings, about, "Record a team discussion"]),
    ]


def test_every_page_below_home_has_breadcrumbs_ending_on_itself(client, pages):
    for path, trail in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.content.decode()
        expected = [("Home", "/")] + [(step, None) if isinstance(step, str) else step for step in trail]
        assert breadcrumbs(page) == expected, path
        structured = structured_trail(page)
        assert [name for _, name, _ in structured] == [label for label, _ in expected], path
        assert structured[-1][2] == "http://testserver" + path.split("?")[0], path


def test_the_home_page_has_no_breadcrumbs(client):
    page = client.get("/").content.decode()
    assert 'aria-label="Breadcrumb"' not in page
    assert "BreadcrumbList" not in page


def test_breadcrumbs_are_one_component_a_new_page_adds_in_one_line():
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/about/contact/")
    rendered = Template('{% load portal_tags %}{% breadcrumbs "About us" "/about/" "Contact" %}').render(
        Context({"request": request})
    )
    assert breadcrumbs(rendered) == [("Home", "/"), ("About us", "/about/"), ("Contact", None)]
    assert structured_trail(rendered)[-1] == (3, "Contact", "http://testserver/about/contact/")


# --- Share ---


def test_briefing_page_offers_email_to_a_colleague_with_title_and_address(client):
    briefing = BriefingFactory(title="Neglect & the “toxic trio”: 50% of cases?")
    page = client.get(briefing.get_absolute_url()).content.decode()
    href = html.unescape(re.search(r'<a class="share__email" href="([^"]+)"', page).group(1))
    assert href.startswith("mailto:?")
    assert " " not in href and "“" not in href
    query = parse_qs(urlsplit(href).query, strict_parsing=True)
    assert query == {"subject": [briefing.title], "body": [f"http://testserver{briefing.get_absolute_url()}"]}


def test_copy_link_button_is_hidden_until_javascript_shows_it(client):
    briefing = BriefingFactory()
    page = client.get(briefing.get_absolute_url()).content.decode()
    button = re.search(r"<button[^>]*data-copy-link[^>]*>", page).group(0)
    assert " hidden" in button
    assert f'data-copy-link="http://testserver{briefing.get_absolute_url()}"' in button
    assert 'aria-live="polite"' in page


def test_course_page_offers_sharing_too(client):
    course = CourseFactory(title="Spotting neglect")
    page = client.get(course.get_absolute_url()).content.decode()
    assert "data-copy-link" in page
    assert "mailto:?subject=Spotting%20neglect&amp;body=http%3A%2F%2Ftestserver%2Ftraining%2F" in page


def test_draft_preview_offers_no_sharing_or_related(staff_client):
    theme = ThemeFactory()
    BriefingFactory(themes=[theme])
    draft = BriefingFactory(themes=[theme], draft=True)
    page = staff_client.get(draft.get_absolute_url()).content.decode()
    assert "data-copy-link" not in page
    assert 'class="related-briefings"' not in page


def test_a_cached_page_shows_a_newly_published_related_briefing_at_once(client, settings, django_assert_num_queries):
    """The page cache is emptied by any content change, related briefings included."""
    settings.PAGE_CACHE_SECONDS = 600
    SiteSettings.load()  # made on first use otherwise, and that save would empty the cache after the first page
    theme = ThemeFactory()
    briefing = BriefingFactory(themes=[theme])
    assert related_titles(client, briefing) == []
    with django_assert_num_queries(0):  # served from the page cache
        assert related_titles(client, briefing) == []
    draft = BriefingFactory(title="Soon related", themes=[theme], draft=True)
    assert related_titles(client, briefing) == []
    draft.status = Briefing.Status.PUBLISHED
    draft.save()
    assert related_titles(client, briefing) == ["Soon related"]
