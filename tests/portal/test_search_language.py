"""Search speaks the field's language: abbreviations and synonyms both ways, kinds, "Did you mean", snippets."""

import pytest
from django.urls import reverse

from briefings.models import Briefing
from portal.site.models import SynonymGroup
from portal.site.search.query import expand, parse_query
from portal.site.search.results import synonym_map
from tests.factories import BriefingFactory, CourseFactory, ThemeFactory
from tests.portal.search_helpers import result_titles, text_of

URL = reverse("search")


def titles(client, q, **params):
    return result_titles(client.get(URL, {"q": q, **params}))


def synonyms_of(*groups):
    return synonym_map(groups)


def test_a_phrase_spelt_over_several_words_becomes_one_group_of_its_synonyms():
    synonyms = synonyms_of("7MB, 7-minute, seven minute, Safer7")
    parsed = expand(parse_query("7-minute briefing"), synonyms)
    assert parsed.groups == [
        [["7", "minute"], ["7mb"], ["seven", "minute"], ["safer7"], ["7minute"]],
        [["briefing"]],
    ]
    # The same from separate words, from the abbreviation, and from the other spelling.
    assert expand(parse_query("7 minute briefing"), synonyms).groups[0][:4] == parsed.groups[0][:4]
    assert [t for t in expand(parse_query("safer7"), synonyms).groups[0] if t == ["7", "minute"]] == [["7", "minute"]]


def test_a_hyphenated_word_also_matches_its_joined_form_and_excluded_words_take_their_synonyms():
    assert expand(parse_query("child-care"), {}).groups == [[["child", "care"], ["childcare"]]]
    parsed = expand(parse_query("neglect -GCP"), synonyms_of("GCP, graded care profile"))
    assert parsed.excluded == [["gcp"], ["graded", "care", "profile"]]


def test_a_synonym_group_needs_two_terms():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        SynonymGroup(terms="GCP").clean()
    with pytest.raises(ValidationError):
        SynonymGroup(terms="GCP, ,  , gcp").clean()
    SynonymGroup(terms="GCP, Graded Care Profile").clean()


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["7-minute briefing", "7 minute", "7MB", "Safer7", "seven minute briefing"])
def test_every_name_for_a_7_minute_briefing_finds_one(client, query):
    BriefingFactory(title="Chronic neglect", summary="A seven-minute look at drift.", sections=0)
    BriefingFactory(title="Drift and delay", summary="What we learnt.", kind=Briefing.Kind.THEMATIC_REVIEW, sections=0)
    assert titles(client, query) == ["Chronic neglect"]


@pytest.mark.django_db
def test_the_kind_of_briefing_is_searchable_even_when_its_text_never_names_it(client):
    BriefingFactory(title="Home conditions", summary="Nothing about the format.", sections=0)
    assert titles(client, "7MB") == ["Home conditions"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("GCP", {"Uses the full name", "Uses the short name"}),
        ("graded care profile", {"Uses the full name", "Uses the short name"}),
        ("domestic abuse", {"Says DA"}),
        ("DA", {"Says DA"}),
        ("CSPR", {"Practice review"}),
        ("child in need", {"Says CIN"}),
        ("CSE", {"Exploitation"}),
    ],
)
def test_abbreviations_and_names_match_both_ways(client, query, found):
    BriefingFactory(title="Uses the full name", summary="Complete the Graded Care Profile 2 with the family.")
    BriefingFactory(title="Uses the short name", summary="Complete a GCP2 early.", sections=0)
    BriefingFactory(title="Says DA", summary="Where DA and neglect meet.", sections=0)
    BriefingFactory(title="Practice review", summary="A local child safeguarding practice review.", sections=0)
    BriefingFactory(title="Says CIN", summary="Families on CIN plans.", sections=0)
    BriefingFactory(title="Exploitation", summary="Child sexual exploitation and neglect.", sections=0)
    assert set(titles(client, query)) == found


@pytest.mark.django_db
def test_synonyms_staff_add_in_admin_work_at_once(publisher_client, client):
    BriefingFactory(title="Looked after children", summary="Care leavers and neglect.", sections=0)
    assert titles(client, "LAC") == []
    response = publisher_client.post(
        reverse("admin:site_synonymgroup_add"), {"terms": "LAC, looked after children, children in care"}, follow=True
    )
    assert response.status_code == 200
    assert SynonymGroup.objects.filter(terms="LAC, looked after children, children in care").exists()
    assert titles(client, "LAC") == ["Looked after children"]


@pytest.mark.django_db
def test_editors_see_the_synonyms_but_only_publishers_change_them(editor_client):
    assert editor_client.get(reverse("admin:site_synonymgroup_changelist")).status_code == 200
    response = editor_client.post(reverse("admin:site_synonymgroup_add"), {"terms": "neglect, cake"})
    assert response.status_code == 403
    assert not SynonymGroup.objects.filter(terms="neglect, cake").exists()


@pytest.mark.django_db
def test_the_defaults_ship_with_the_field_s_usual_abbreviations():
    shipped = " | ".join(SynonymGroup.objects.values_list("terms", flat=True)).lower()
    for term in ["7mb", "safer7", "gcp2", "graded care profile", "cse", "domestic abuse", "cspr", "lcspr", "cin"]:
        assert term in shipped


@pytest.mark.django_db
def test_no_item_appears_twice_even_when_several_synonyms_match_it(client):
    BriefingFactory(
        title="Graded Care Profile 2 (GCP2)", summary="The GCP and the GCP2: a graded care profile.", sections=2
    )
    response = client.get(URL, {"q": "GCP graded care profile"})
    urls = [result.document.url for result in response.context["results"]]
    assert len(urls) == 1


@pytest.mark.django_db
def test_a_match_only_in_a_theme_shows_the_matched_theme_as_the_snippet(client):
    theme = ThemeFactory(name="Disguised compliance")
    course = CourseFactory(title="Child Protection Conferences", summary="How conferences work.")
    course.themes.add(theme)
    from tests.factories import index_now

    index_now()
    response = client.get(URL, {"q": "disguised compliance"})
    [result] = response.context["results"]
    assert "<mark>Disguised</mark> <mark>compliance</mark>" in str(result.snippet)


@pytest.mark.django_db
@pytest.mark.parametrize(("typed", "meant"), [("neglet", "neglect"), ("adolesent", "adolescent")])
def test_a_misspelt_query_offers_did_you_mean(client, typed, meant):
    BriefingFactory(title="Adolescent neglect", summary="Seeing the young person.", sections=0)
    response = client.get(URL, {"q": typed})
    assert response.context["count"] == 0
    assert response.context["suggestion"] == meant
    page = text_of(response)
    assert f"Did you mean {meant}?" in page
    assert f'href="?q={meant}"' in response.content.decode()


@pytest.mark.django_db
def test_did_you_mean_keeps_the_right_words_and_is_offered_only_when_it_finds_something(client):
    BriefingFactory(title="Neglect strategy", summary="The partnership's plan.", sections=0)
    assert client.get(URL, {"q": "neglet strategy"}).context["suggestion"] == "neglect strategy"
    assert client.get(URL, {"q": "qwxzvbnm"}).context["suggestion"] == ""
    assert client.get(URL, {"q": "neglect"}).context["suggestion"] == ""


@pytest.mark.django_db
def test_did_you_mean_never_offers_a_word_only_a_draft_uses(client):
    BriefingFactory(title="Zebrafinch neglect", summary="Secret draft.", sections=0, draft=True)
    BriefingFactory(title="Neglect", summary="Public.", sections=0)
    assert client.get(URL, {"q": "zebrafinc"}).context["suggestion"] == ""
