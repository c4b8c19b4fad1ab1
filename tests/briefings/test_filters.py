"""The briefing list's filters: combined in the address, counted per option, and the same on the RSS feed."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.urls import reverse

from briefings.models import Briefing, ProfessionalGroup
from tests.factories import BriefingFactory, ProfessionalGroupFactory, ThemeFactory

pytestmark = pytest.mark.django_db

LIST = "/briefings/"
FEED = "/feeds/briefings/"


@pytest.fixture
def shelf():
    """Four briefings across kinds, themes, audiences, groups and years."""
    neglect = ThemeFactory(name="Child neglect", slug="child-neglect")
    compliance = ThemeFactory(name="Disguised compliance", slug="disguised-compliance")
    health = ProfessionalGroupFactory(slug="health")
    police = ProfessionalGroupFactory(slug="police")
    made = {
        "health-2024": BriefingFactory(
            title="Health 2024", themes=[neglect], audience="children", published=datetime.date(2024, 5, 1)
        ),
        "both-2025": BriefingFactory(
            title="Both 2025",
            kind=Briefing.Kind.THEMATIC_REVIEW,
            themes=[neglect, compliance],
            audience="all_ages",
            published=datetime.date(2025, 2, 1),
        ),
        "police-2025": BriefingFactory(
            title="Police 2025", themes=[compliance], audience="adults", published=datetime.date(2025, 6, 1)
        ),
        "none-2024": BriefingFactory(title="Nobody 2024", published=datetime.date(2024, 9, 1)),
    }
    made["health-2024"].professional_groups.set([health])
    made["both-2025"].professional_groups.set([health, police])
    made["police-2025"].professional_groups.set([police])
    BriefingFactory(title="Draft for police", draft=True).professional_groups.set([police])
    return made


def titles(response):
    return sorted(b.title for b in response.context["page"].object_list)


def option_label(response, field, value):
    return dict(response.context["filters"].fields[field].choices)[value]


def test_professional_groups_are_seeded_for_staff_to_keep():
    slugs = set(ProfessionalGroup.objects.values_list("slug", flat=True))
    assert {"all-agencies", "health", "education", "police", "social-care", "early-help"} <= slugs


def test_each_filter_narrows_the_list(client, shelf):
    assert titles(client.get(LIST, {"group": "health"})) == ["Both 2025", "Health 2024"]
    assert titles(client.get(LIST, {"audience": "adults"})) == ["Police 2025"]
    assert titles(client.get(LIST, {"theme": "disguised-compliance"})) == ["Both 2025", "Police 2025"]
    assert titles(client.get(LIST, {"kind": "thematic_review"})) == ["Both 2025"]
    assert titles(client.get(LIST, {"year": "2024"})) == ["Health 2024", "Nobody 2024"]


def test_filters_combine_in_the_address(client, shelf):
    response = client.get(LIST, {"group": "police", "year": "2025", "theme": "child-neglect"})
    assert titles(response) == ["Both 2025"]
    body = response.content.decode()
    assert "1 briefing matches your filters" in body
    # The form shows the choices made, so the address can be shared and the page reloaded as it was.
    assert '<option value="police" selected>' in body
    assert '<option value="2025" selected>' in body


def test_counts_per_option_keep_the_other_filters(client, shelf):
    everything = client.get(LIST)
    assert option_label(everything, "group", "health") == "Health (2)"
    assert option_label(everything, "group", "police") == "Police (2)"  # the draft is not counted
    assert option_label(everything, "group", "education") == "Education (0)"
    assert option_label(everything, "theme", "child-neglect") == "Child neglect (2)"
    assert option_label(everything, "year", 2024) == "2024 (2)"
    assert option_label(everything, "audience", "children") == "Children (2)"
    assert option_label(everything, "kind", "thematic_review") == "Thematic review (1)"
    narrowed = client.get(LIST, {"year": "2025", "group": "health"})
    # 2025 briefings for police, whatever group is chosen now.
    assert option_label(narrowed, "group", "police") == "Police (2)"
    assert option_label(narrowed, "year", 2024) == "2024 (1)"  # health briefings from 2024
    assert option_label(narrowed, "theme", "disguised-compliance") == "Disguised compliance (1)"
    assert option_label(narrowed, "group", "") == "Any group"


def test_counts_take_the_same_few_queries_however_many_options(client, shelf, django_assert_max_num_queries):
    client.get(LIST)  # site settings and the like, made once
    with django_assert_max_num_queries(12):
        client.get(LIST, {"group": "health", "year": "2025"})
    for n in range(30):
        theme = ThemeFactory(name=f"Theme {n}")
        BriefingFactory(themes=[theme], published=datetime.date(2010 + n % 10, 1, 1)).professional_groups.set(
            [ProfessionalGroupFactory(name=f"Group {n}")]
        )
    client.get(LIST)  # the site settings are read again after a content change
    with django_assert_max_num_queries(12):
        client.get(LIST, {"group": "health", "year": "2025"})


@pytest.mark.parametrize(
    "query",
    [
        "group=no-such-group",
        "audience=martians",
        "group[]=health",
        "group=%00",
        "year=2024&group=health&group=police",
        "theme=child-neglect&year=abc&audience=%F0%9F%92%A9",
    ],
)
def test_unknown_values_are_ignored_never_an_error(client, shelf, query):
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    assert client.get(f"{FEED}?{query}").status_code == 200


def test_a_bad_value_drops_only_itself(client, shelf):
    assert titles(client.get(LIST, {"group": "health", "year": "abc"})) == ["Both 2025", "Health 2024"]


def test_list_links_to_the_feed_for_its_filters(client, shelf):
    body = client.get(LIST, {"group": "police", "year": "2025", "page": "1"}).content.decode()
    assert 'href="/feeds/briefings/?group=police&amp;year=2025"' in body
    assert 'rel="alternate" type="application/rss+xml"' in body
    plain = client.get(LIST).content.decode()
    assert 'href="/feeds/briefings/">RSS feed of new briefings' in plain


def feed_titles(response):
    root = ET.fromstring(response.content)  # noqa: S314 - our own response
    return root, sorted(item.findtext("title") for item in root.iter("item"))


def test_feed_takes_the_same_filters(client, shelf):
    root, found = feed_titles(client.get(FEED, {"group": "police", "year": "2025"}))
    assert found == ["Both 2025", "Police 2025"]
    channel = root.find("channel")
    assert channel.findtext("title").endswith("briefings (Police, 2025)")
    assert channel.findtext("link").endswith("/briefings/?group=police&year=2025")
    _, everything = feed_titles(client.get(FEED))
    assert len(everything) == 4


def test_filtered_pages_are_cached_apart(client, shelf, settings):
    settings.PAGE_CACHE_SECONDS = 600
    assert titles(client.get(LIST, {"group": "health"})) == ["Both 2025", "Health 2024"]
    second = client.get(LIST, {"group": "police"})
    assert "Police 2025" in second.content.decode() and "Health 2024" not in second.content.decode()
    feed = client.get(FEED, {"group": "health"}).content.decode()
    assert "Health 2024" in feed and "Police 2025" not in feed


def test_briefing_admin_edits_professional_groups(admin_client, shelf):
    briefing = shelf["none-2024"]
    page = admin_client.get(reverse("admin:briefings_briefing_change", args=[briefing.pk])).content.decode()
    assert 'name="professional_groups"' in page and 'type="checkbox"' in page


def test_editors_see_professional_groups_and_publishers_change_them(editor, publisher):
    editor_client, publisher_client = Client(), Client()
    editor_client.force_login(editor)
    publisher_client.force_login(publisher)
    url = reverse("admin:briefings_professionalgroup_changelist")
    assert editor_client.get(url).status_code == 200
    add = reverse("admin:briefings_professionalgroup_add")
    assert editor_client.post(add, {"name": "Probation", "slug": "probation", "position": 9}).status_code == 403
    assert not ProfessionalGroup.objects.filter(slug="probation").exists()
    response = publisher_client.post(add, {"name": "Probation", "slug": "probation", "position": 9})
    assert response.status_code == 302
    assert ProfessionalGroup.objects.filter(slug="probation").exists()
