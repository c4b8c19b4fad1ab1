"""The partnership's own names for kinds of briefing (site settings) are shown everywhere; search finds every name."""

import importlib
import io
import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from alerts.models import AlertEvent
from alerts.sending import describe
from briefings import body
from briefings.models import Briefing, StoredBody
from portal.models import SiteSettings
from portal.site.models import SynonymGroup
from tests.factories import BriefingFactory, CourseFactory, PrintBriefingFactory, SubscriberFactory
from tests.mail.conftest import run_worker
from tests.portal.search_helpers import result_titles

# Committed for real: the worker that re-indexes and re-stores after a rename runs as it would in production.
pytestmark = pytest.mark.django_db(transaction=True)

SEVEN = Briefing.Kind.SEVEN_MINUTE_BRIEFING
REVIEW = Briefing.Kind.THEMATIC_REVIEW
# Plain text that would be markup if it were ever put in a page unescaped, with curly quotes.
HOSTILE = "<script>alert(1)</script> “Safer” briefing"


@pytest.fixture(autouse=True)
def shipped_synonyms():
    """The synonym groups the site ships (a migration's data, gone once an earlier transactional test flushed)."""
    shipped = importlib.import_module("portal.site.migrations.0001_search_synonyms").DEFAULT_GROUPS
    for terms in shipped:
        SynonymGroup.objects.get_or_create(terms=terms)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what waits for the commit (the tests run inside one transaction that never commits)."""

    def run(change, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return change(*args, **kwargs)

    return run


@pytest.fixture
def name_kinds(committed):
    """Save the site settings with these kind names ({field suffix: name}), as staff would; the worker runs."""

    def run(**names):
        site = SiteSettings.load()
        for field, value in names.items():
            setattr(site, f"name_{field}", value)
        committed(site.save)
        run_worker()
        return site

    return run


def safer7(name_kinds):
    return name_kinds(seven_minute_briefing="Safer7 briefing", seven_minute_briefing_plural="Safer7 briefings")


def text(response):
    assert response.status_code == 200
    return unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))


def eyebrows(response):
    return [unescape(t) for t in re.findall(r'<p class="eyebrow">([^<]*)</p>', response.content.decode())]


def test_the_built_in_names_are_shown_until_staff_set_their_own(client, committed):
    briefing = committed(BriefingFactory)
    assert Briefing.kind_name_of(SEVEN) == "7-minute briefing"
    assert Briefing.kind_name_of(SEVEN, plural=True) == "7-minute briefings"
    assert briefing.kind_name == "7-minute briefing"
    assert "7-minute briefing" in eyebrows(client.get(briefing.get_absolute_url()))


def test_the_page_shows_the_partnerships_name_and_its_stored_body_is_rendered_again(client, committed, name_kinds):
    briefing = committed(BriefingFactory, title="Home conditions")
    assert "7-minute briefing" in stored_html(briefing)
    safer7(name_kinds)
    # Stored again when the settings were saved, not left for every reader to render.
    reread = Briefing.objects.select_related("stored_body").get(pk=briefing.pk)
    assert body.stored(reread) is not None
    assert "Safer7 briefing" in stored_html(briefing)
    assert "7-minute briefing" not in stored_html(briefing)
    page = client.get(briefing.get_absolute_url())
    assert "Safer7 briefing" in eyebrows(page)
    assert '<meta property="article:section" content="Safer7 briefing">' in page.content.decode()


def test_a_stored_body_from_before_a_name_change_is_never_served(client, committed, name_kinds):
    briefing = committed(BriefingFactory)
    site = SiteSettings.load()
    site.name_seven_minute_briefing, site.name_seven_minute_briefing_plural = "Learning brief", "Learning briefs"
    site.save()  # no worker has run: the body stored under the old name is still there
    assert "7-minute briefing" in stored_html(briefing)
    assert "Learning brief" in eyebrows(client.get(briefing.get_absolute_url()))


def test_a_name_change_stores_again_only_the_bodies_of_that_kind(committed, name_kinds):
    seven = committed(BriefingFactory)
    review = committed(BriefingFactory, kind=REVIEW)
    review_key = StoredBody.objects.get(briefing=review).key
    safer7(name_kinds)
    assert StoredBody.objects.get(briefing=review).key == review_key
    assert "Safer7 briefing" in stored_html(seven)


def test_a_new_name_for_several_alone_stores_the_bodies_again_and_is_never_served_stale(client, committed, name_kinds):
    briefing = committed(BriefingFactory)
    safer7(name_kinds)
    site = SiteSettings.load()
    site.name_seven_minute_briefing_plural = "Safer7s"
    site.save()  # no worker has run yet
    assert site.kind_names_changed == {SEVEN}
    assert body.stored(Briefing.objects.select_related("stored_body").get(pk=briefing.pk)) is None
    assert ">Safer7s</a>" in client.get(briefing.get_absolute_url()).content.decode()  # the breadcrumbs
    run_worker()
    assert ">Safer7s</a>" in StoredBody.objects.get(briefing=briefing).crumbs


def stored_html(briefing):
    return StoredBody.objects.get(briefing=briefing).html


def test_lists_home_page_and_course_page_use_the_partnerships_name(client, committed, name_kinds):
    course = CourseFactory()
    briefing = committed(BriefingFactory)
    committed(briefing.courses.add, course)
    safer7(name_kinds)
    assert "Safer7 briefing" in eyebrows(client.get(reverse("briefings:list")))
    assert "Safer7 briefing" in eyebrows(client.get("/"))
    assert "(Safer7 briefing)" in text(client.get(course.get_absolute_url()))
    description = re.search(
        r'<meta name="description" content="([^"]*)"', client.get(reverse("briefings:list")).content.decode()
    )
    assert "Safer7 briefings" in description.group(1)


def test_the_list_filter_names_each_kind_the_partnerships_way_with_its_count(client, committed, name_kinds):
    committed(BriefingFactory)
    committed(BriefingFactory)
    committed(BriefingFactory, kind=REVIEW)
    name_kinds(
        seven_minute_briefing="Safer7 briefing",
        seven_minute_briefing_plural="Safer7 briefings",
        thematic_review="Learning review",
        thematic_review_plural="Learning reviews",
    )
    response = client.get(reverse("briefings:list"))
    choices = dict(response.context["filters"].fields["kind"].choices)
    assert choices[SEVEN] == "Safer7 briefing (2)"
    assert choices[REVIEW] == "Learning review (1)"
    assert choices[Briefing.Kind.AUDIT_FINDINGS] == "Audit findings (0)"
    assert '<option value="seven_minute_briefing">Safer7 briefing (2)</option>' in response.content.decode()


def test_the_feed_titles_and_categories_use_the_partnerships_name(client, committed, name_kinds):
    committed(BriefingFactory, title="Home conditions")
    safer7(name_kinds)
    response = client.get(reverse("feed-briefings"), {"kind": SEVEN})
    channel = ET.fromstring(response.content).find("channel")  # noqa: S314 - our own response
    assert channel.findtext("title").endswith("(Safer7 briefing)")
    categories = [c.text for c in channel.find("item").findall("category")]
    assert "Safer7 briefing" in categories


def test_the_pdf_the_team_pack_and_the_presenter_use_the_partnerships_name(client, committed, name_kinds):
    briefing = committed(PrintBriefingFactory)
    safer7(name_kinds)
    reader = PdfReader(io.BytesIO(client.get(reverse("briefings:pdf", args=[briefing.slug])).content))
    pdf = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert "Safer7 briefing" in pdf
    assert "7-minute briefing" not in pdf
    pack = client.get(reverse("briefings:team-pack", args=[briefing.slug]))
    assert "Team meeting pack · Safer7 briefing" in eyebrows(pack)
    assert "Safer7 briefing" in eyebrows(client.get(reverse("briefings:present", args=[briefing.slug])))


def test_an_alert_email_names_the_new_briefing_the_partnerships_way(committed, name_kinds):
    SubscriberFactory()
    briefing = committed(BriefingFactory)
    safer7(name_kinds)
    item = describe(AlertEvent(kind=AlertEvent.Kind.NEW_BRIEFING, briefing=briefing, title=briefing.title))
    assert item["label"] == "New Safer7 briefing"


@pytest.mark.parametrize("query", ["Safer7", "Safer7 briefing", "7-minute briefing", "7MB", "seven minute"])
def test_search_finds_a_kind_by_the_partnerships_name_and_by_the_other_names(client, committed, name_kinds, query):
    committed(BriefingFactory, title="Home conditions", summary="What home visits show.")
    committed(BriefingFactory, title="Audit of plans", summary="Plans.", kind=Briefing.Kind.AUDIT_FINDINGS)
    safer7(name_kinds)
    assert result_titles(client.get(reverse("search"), {"q": query})) == ["Home conditions"]


def test_search_finds_a_name_no_synonym_knows_and_shows_and_filters_by_it(client, committed, name_kinds):
    committed(BriefingFactory, title="Many families", summary="Across cases.", kind=REVIEW)
    committed(BriefingFactory, title="Home conditions", summary="What home visits show.")
    name_kinds(thematic_review="Learning lesson", thematic_review_plural="Learning lessons")
    url = reverse("search")
    assert result_titles(client.get(url, {"q": "learning lesson"})) == ["Many families"]
    assert result_titles(client.get(url, {"q": "thematic review"})) == ["Many families"]
    response = client.get(url, {"q": "families", "kind": REVIEW})
    assert result_titles(response) == ["Many families"]
    assert "Learning lesson" in eyebrows(response)
    options = {value: label for value, label, _n in response.context["kind_options"]}
    assert options[REVIEW] == "Learning lessons"
    # A later name replaces the earlier one in the index: the old one no longer finds it.
    name_kinds(thematic_review="Case digest", thematic_review_plural="Case digests")
    assert result_titles(client.get(url, {"q": "case digest"})) == ["Many families"]
    assert result_titles(client.get(url, {"q": "learning lesson"})) == []


def test_until_the_worker_has_re_indexed_results_show_the_new_name_and_the_old_name_finds(client, committed):
    committed(BriefingFactory, title="Many families", summary="Across cases.", kind=REVIEW)
    site = SiteSettings.load()
    site.name_thematic_review, site.name_thematic_review_plural = "Learning lesson", "Learning lessons"
    committed(site.save)
    url = reverse("search")
    response = client.get(url, {"q": "thematic review"})
    assert result_titles(response) == ["Many families"]
    assert "Learning lesson" in eyebrows(response)
    run_worker()
    assert result_titles(client.get(url, {"q": "learning lesson"})) == ["Many families"]


def test_a_name_change_shows_at_once_on_pages_the_page_cache_holds(client, committed, name_kinds, settings):
    settings.PAGE_CACHE_SECONDS = 600
    briefing = committed(BriefingFactory)
    assert "7-minute briefing" in eyebrows(client.get(briefing.get_absolute_url()))
    assert "7-minute briefing" in eyebrows(client.get(reverse("briefings:list")))
    safer7(name_kinds)
    assert "Safer7 briefing" in eyebrows(client.get(briefing.get_absolute_url()))
    assert "Safer7 briefing" in eyebrows(client.get(reverse("briefings:list")))


def test_a_name_is_plain_text_escaped_on_every_page(client, committed, name_kinds):
    # Set past the form's checks (as an import or the shell could): the pages must still escape it.
    briefing = committed(PrintBriefingFactory)
    name_kinds(seven_minute_briefing=HOSTILE, seven_minute_briefing_plural=HOSTILE)
    pages = [
        briefing.get_absolute_url(),
        reverse("briefings:list"),
        "/",
        reverse("briefings:team-pack", args=[briefing.slug]),
        reverse("briefings:present", args=[briefing.slug]),
        f"{reverse('search')}?q={briefing.title}",
        f"{reverse('feed-briefings')}?kind={SEVEN}",
    ]
    for url in pages:
        content = client.get(url).content.decode()
        assert "<script>alert(1)" not in content, url
        assert "“Safer” briefing" in content, url


def test_names_are_checked_one_line_no_markup_not_too_long_and_with_a_plural():
    site = SiteSettings.load()
    site.name_seven_minute_briefing = "<b>Safer7</b> briefing"
    site.name_seven_minute_briefing_plural = "Safer7 briefings"
    with pytest.raises(ValidationError) as error:
        site.full_clean()
    assert "name_seven_minute_briefing" in error.value.message_dict
    site.name_seven_minute_briefing = "S" * 61
    with pytest.raises(ValidationError):
        site.full_clean()
    site.name_seven_minute_briefing, site.name_seven_minute_briefing_plural = "Safer7 briefing", ""
    with pytest.raises(ValidationError) as error:
        site.full_clean()
    assert "name_seven_minute_briefing_plural" in error.value.message_dict
    site.name_seven_minute_briefing_plural = "Safer7 briefings"
    site.full_clean()


def settings_form(**names):
    data = {
        "partnership_name": "Example Partnership",
        "contact_email": "a@example.org",
        "emergency_line": "Call 999.",
        "exit_url": "https://www.bbc.co.uk/weather",
        "accessibility_statement": "",
        "statement_prepared": "",
        "privacy_notice": "",
        "record_retention_months": "24",
    }
    return data | {f"name_{field}": value for field, value in names.items()}


def test_staff_set_the_names_in_site_settings_and_a_bad_one_changes_nothing(staff_client, committed, client):
    briefing = committed(BriefingFactory, title="Home conditions")
    url = reverse("admin:portal_sitesettings_change", args=[SiteSettings.load().pk])
    refused = committed(
        staff_client.post, url, settings_form(seven_minute_briefing="<i>x</i>", seven_minute_briefing_plural="x")
    )
    assert refused.status_code == 200
    assert "errornote" in refused.content.decode()
    assert SiteSettings.load().name_seven_minute_briefing == ""
    saved = committed(
        staff_client.post,
        url,
        settings_form(seven_minute_briefing="  Safer7   briefing ", seven_minute_briefing_plural="Safer7 briefings"),
    )
    assert saved.status_code == 302
    assert SiteSettings.load().name_seven_minute_briefing == "Safer7 briefing"
    run_worker()
    staff_client.logout()
    assert result_titles(client.get(reverse("search"), {"q": "safer7 briefing"})) == ["Home conditions"]
    assert "Safer7 briefing" in eyebrows(client.get(briefing.get_absolute_url()))
