"""Site search: what it finds, in what order, and what it never shows the public."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from briefings.models import Briefing, Section
from pages.navigation import links
from portal.models import SearchDocument, SiteSettings
from portal.site.search import index, query, results
from tests.factories import BriefingFactory, CourseFactory, ResourceFactory, ThemeFactory
from tests.portal.search_helpers import result_titles, text_of

pytestmark = pytest.mark.django_db
URL = reverse("search")


def titles(client, q, **params):
    return result_titles(client.get(URL, {"q": q, **params}))


# --- What it finds ------------------------------------------------------------------------------


def test_finds_a_word_that_appears_only_in_a_section_body(client):
    BriefingFactory(
        title="Home conditions", sections=[("Background", "Practitioners noticed mouldy bedding at each visit.")]
    )
    BriefingFactory(title="Something else", sections=[("Background", "Nothing relevant here.")])
    assert titles(client, "mouldy") == ["Home conditions"]


def test_finds_words_in_questions_key_facts_and_section_headings(client):
    BriefingFactory(title="Questions", questions=["How would you describe the toddler's daily routine?"])
    BriefingFactory(title="Facts", key_facts=[("60%", "of serious case reviews featured neglect")])
    BriefingFactory(title="Headings", sections=[("Escalation pathways", "Body text.")])
    assert titles(client, "routine") == ["Questions"]
    assert titles(client, "serious case reviews") == ["Facts"]
    assert titles(client, "escalation") == ["Headings"]


def test_finds_courses_by_description_and_learning_outcomes(client):
    CourseFactory(title="Graded Care Profile 2", description="Using the **GCP2** tool with families.")
    CourseFactory(title="Trauma-informed practice", outcomes=["Recognise the impact of adversity in childhood"])
    assert titles(client, "GCP2") == ["Graded Care Profile 2"]
    assert titles(client, "adversity") == ["Trauma-informed practice"]


def test_finds_resources_by_title_and_description(client):
    ResourceFactory(title="Neglect toolkit", description="A workbook for supervision sessions.")
    response = client.get(URL, {"q": "workbook"})
    assert result_titles(response) == ["Neglect toolkit"]
    assert "Resource" in text_of(response)


def test_title_match_ranks_above_body_match(client):
    BriefingFactory(
        title="Working with families",
        sections=[("Background", "Disguised compliance can look like cooperation. Disguised compliance again.")],
    )
    BriefingFactory(title="Disguised compliance", sections=[("Background", "How families can appear to engage.")])
    assert titles(client, "disguised compliance") == ["Disguised compliance", "Working with families"]


def test_summary_match_ranks_above_body_match(client):
    BriefingFactory(title="Body only", sections=[("One", "Professional curiosity matters.")])
    BriefingFactory(title="Summary", summary="Professional curiosity in practice.")
    assert titles(client, "curiosity") == ["Summary", "Body only"]


def test_stemming_finds_other_forms_of_a_word(client):
    BriefingFactory(title="Findings", sections=[("Method", "The audit looked at fourteen cases.")])
    assert titles(client, "audits") == ["Findings"]
    assert titles(client, "auditing") == ["Findings"]


def test_quoted_phrase_matches_the_words_together_only(client):
    BriefingFactory(title="Together", sections=[("A", "Signs of disguised compliance were missed.")])
    BriefingFactory(title="Apart", sections=[("A", "Compliance with the plan was disguised by the family.")])
    assert sorted(titles(client, "disguised compliance")) == ["Apart", "Together"]
    assert titles(client, '"disguised compliance"') == ["Together"]


def test_minus_word_excludes_items_with_that_word(client):
    BriefingFactory(title="Teenagers", sections=[("A", "Neglect of adolescents is often missed.")])
    BriefingFactory(title="Babies", sections=[("A", "Neglect of infants and head trauma.")])
    assert titles(client, "neglect -adolescents") == ["Babies"]
    assert titles(client, 'neglect -"head trauma"') == ["Teenagers"]


def test_or_finds_either_word(client):
    BriefingFactory(title="Teenagers", sections=[("A", "Adolescents at risk.")])
    BriefingFactory(title="Babies", sections=[("A", "Infants at risk.")])
    BriefingFactory(title="Neither", sections=[("A", "Adults at risk.")])
    assert sorted(titles(client, "adolescents or infants")) == ["Babies", "Teenagers"]
    assert sorted(titles(client, "risk adolescents OR infants")) == ["Babies", "Teenagers"]


def test_theme_names_are_searchable(client):
    theme = ThemeFactory(name="Disguised compliance")
    BriefingFactory(title="A briefing", themes=[theme])
    assert titles(client, "disguised") == ["A briefing"]


# --- What it never shows -------------------------------------------------------------------------


def test_drafts_and_future_briefings_are_never_found(client):
    BriefingFactory(title="Draft neglect", draft=True, published=None)
    BriefingFactory(title="Future neglect", published=timezone.localdate() + datetime.timedelta(days=3))
    BriefingFactory(title="Published neglect")
    assert titles(client, "neglect") == ["Published neglect"]


def test_staff_do_not_see_drafts_in_search_either(staff_client):
    BriefingFactory(title="Draft neglect", draft=True, published=None)
    assert titles(staff_client, "neglect") == []


def test_unpublished_courses_are_never_found(client):
    CourseFactory(title="Neglect course draft", draft=True)
    CourseFactory(title="Neglect course")
    assert titles(client, "neglect") == ["Neglect course"]


def test_resources_of_drafts_are_never_found_but_stand_alone_ones_are(client):
    BriefingFactory(title="Draft", draft=True, published=None, resources=["Secret toolkit"])
    BriefingFactory(title="Live", resources=["Public toolkit"])
    ResourceFactory(title="Stand-alone toolkit")
    assert sorted(titles(client, "toolkit")) == ["Public toolkit", "Stand-alone toolkit"]


def test_unpublishing_without_signals_still_hides_the_briefing(client, django_capture_on_commit_callbacks):
    """A queryset.update() (from a shell, say) sends no signal and leaves the index saying the
    briefing is public: the results shown are checked against the briefing itself, and the rows
    found out of date are re-indexed, so the counts come right too."""
    briefing = BriefingFactory(title="Neglect", resources=["Neglect poster"])
    assert sorted(titles(client, "neglect")) == ["Neglect", "Neglect poster"]
    Briefing.objects.filter(pk=briefing.pk).update(status=Briefing.Status.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(URL, {"q": "neglect"})
    assert result_titles(response) == []
    assert not SearchDocument.objects.filter(public_from__isnull=False).exists()
    response = client.get(URL, {"q": "neglect"})
    assert result_titles(response) == [] and response.context["count"] == 0


def test_a_briefing_dated_ahead_appears_on_its_day_without_reindexing(client, monkeypatch):
    today = timezone.localdate()
    BriefingFactory(
        title="Neglect ahead", published=today + datetime.timedelta(days=2), resources=["Neglect ahead poster"]
    )
    assert titles(client, "neglect") == []
    assert SearchDocument.objects.filter(public_from=today + datetime.timedelta(days=2)).count() == 2
    monkeypatch.setattr(timezone, "localdate", lambda *args: today + datetime.timedelta(days=2))
    assert sorted(titles(client, "neglect")) == ["Neglect ahead", "Neglect ahead poster"]


def test_public_from_follows_each_source(client, django_capture_on_commit_callbacks):
    live = BriefingFactory(title="Live", resources=["Live poster"])
    draft = BriefingFactory(title="Draft", draft=True, published=None, resources=["Draft poster"])
    ResourceFactory(title="Stand-alone leaflet")
    course = CourseFactory(title="Published course")
    CourseFactory(title="Draft course", draft=True)
    public_from = dict(SearchDocument.objects.values_list("title", "public_from"))
    assert public_from == {
        "Live": live.published,
        "Live poster": live.published,
        "Draft": None,
        "Draft poster": None,
        "Stand-alone leaflet": index.ALWAYS,
        "Published course": course.published,
        "Draft course": None,
    }
    with django_capture_on_commit_callbacks(execute=True):
        draft.status = Briefing.Status.PUBLISHED
        draft.published = datetime.date(2025, 1, 6)
        draft.save()
    assert SearchDocument.objects.get(title="Draft poster").public_from == datetime.date(2025, 1, 6)


def test_counts_and_pages_come_from_one_statement_and_agree(client):
    theme = ThemeFactory(name="Neglect")
    for n in range(23):
        BriefingFactory(
            title=f"Neglect review {n:02}", kind=Briefing.Kind.THEMATIC_REVIEW, themes=[theme] if n % 2 else []
        )
    for n in range(3):
        CourseFactory(title=f"Neglect course {n}", themes=[theme])
    ResourceFactory(title="Neglect leaflet")
    response = client.get(URL, {"q": "neglect", "kind": "thematic_review", "page": "2"})
    assert response.context["count"] == 23
    assert len(response.context["results"]) == 3
    options = {value: count for value, _label, count in response.context["kind_options"]}
    assert options == {
        "": 27, "briefing": 23, "thematic_review": 23, "seven_minute_briefing": 0, "audit_findings": 0,
        "course": 3, "resource": 1, "page": 0,
    }  # fmt: skip
    themed = client.get(URL, {"q": "neglect", "theme": theme.slug, "kind": "course"})
    assert themed.context["count"] == 3
    assert {value: count for value, _label, count in themed.context["kind_options"]}[""] == 11 + 3
    # Beyond the last page, and a page number too big for the database: the last page.
    for page in ("3", "0", "-4", "9" * 30):
        last = client.get(URL, {"q": "neglect", "kind": "thematic_review", "page": page})
        assert last.context["page_obj"].number == 2, page
        assert len(last.context["results"]) == 3, page


# --- Keeping the index up to date -------------------------------------------------------------------


def test_editing_a_section_updates_the_index_when_the_transaction_commits(client, django_capture_on_commit_callbacks):
    briefing = BriefingFactory(title="Edited", sections=[("A", "Original wording.")])
    section = briefing.sections.get()
    with django_capture_on_commit_callbacks(execute=True):
        section.body = "Revised wording about hoarding."
        section.save()
    assert titles(client, "hoarding") == ["Edited"]
    assert titles(client, "original") == []


def test_many_changes_in_one_transaction_index_each_briefing_once(django_capture_on_commit_callbacks, monkeypatch):
    briefing = BriefingFactory(title="Edited", sections=[("A", "One."), ("B", "Two.")])
    calls = []
    monkeypatch.setitem(index.INDEXERS, "briefing", lambda ids: calls.append(set(ids)))
    with django_capture_on_commit_callbacks(execute=True):
        briefing.title = "Edited again"
        briefing.save()
        for section in briefing.sections.all():
            section.save()
        briefing.questions.create(text="A new question")
    assert calls == [{briefing.pk}]


def test_editing_the_title_and_unpublishing_and_deleting_update_the_index(client, django_capture_on_commit_callbacks):
    briefing = BriefingFactory(title="Old title")
    with django_capture_on_commit_callbacks(execute=True):
        briefing.title = "New title"
        briefing.save()
    assert titles(client, "title") == ["New title"]
    with django_capture_on_commit_callbacks(execute=True):
        briefing.status = Briefing.Status.DRAFT
        briefing.save()
    assert titles(client, "title") == []
    with django_capture_on_commit_callbacks(execute=True):
        briefing.delete()
    assert not SearchDocument.objects.exists()


def test_changes_rolled_back_are_not_indexed(client, django_capture_on_commit_callbacks):
    from django.db import transaction

    briefing = BriefingFactory(title="Kept", sections=[("A", "Original wording.")])
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                Section.objects.filter(briefing=briefing).update(body="Rolled back wording.")
                briefing.sections.get().save()
                raise RuntimeError
        except RuntimeError:
            pass
        briefing.sections.get().save()  # the same key again, after the rollback: still indexed
    assert titles(client, "original") == ["Kept"]
    assert titles(client, "rolled") == []


def test_renaming_a_theme_reindexes_its_items(client, django_capture_on_commit_callbacks):
    theme = ThemeFactory(name="Old name")
    BriefingFactory(title="Tagged", themes=[theme])
    with django_capture_on_commit_callbacks(execute=True):
        theme.name = "Physical neglect"
        theme.save()
    assert titles(client, "physical") == ["Tagged"]


def test_moving_a_resource_to_a_draft_hides_it(client, django_capture_on_commit_callbacks):
    draft = BriefingFactory(title="Draft", draft=True, published=None)
    resource = ResourceFactory(title="Movable leaflet")
    assert titles(client, "leaflet") == ["Movable leaflet"]
    with django_capture_on_commit_callbacks(execute=True):
        resource.briefing = draft
        resource.save()
    assert titles(client, "leaflet") == []
    assert SearchDocument.objects.get(type="resource").briefing == draft


def test_rebuild_command_recreates_the_index(client):
    BriefingFactory(title="Rebuilt", sections=[("A", "Chronology of concerns.")])
    CourseFactory(title="Course")
    SearchDocument.objects.all().delete()
    assert titles(client, "chronology") == []
    call_command("rebuild_search_index", verbosity=0)
    assert titles(client, "chronology") == ["Rebuilt"]
    assert SearchDocument.objects.count() == 2


def test_imported_briefings_are_indexed(client, tmp_path, django_capture_on_commit_callbacks):
    (tmp_path / "imported.md").write_text(
        "---\ntitle: Imported briefing\nkind: seven_minute_briefing\nsummary: Short.\n"
        "published: 2024-05-01\nstatus: published\nquestions:\n  - Who sees the baby every day?\n"
        "---\n## 1. Background\nWords about nappy rash and weight loss.\n",
        encoding="utf-8",
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_briefings", str(tmp_path), verbosity=0)
    assert titles(client, "nappy") == ["Imported briefing"]
    assert titles(client, "baby") == ["Imported briefing"]


@pytest.mark.django_db(transaction=True)
def test_saves_outside_tests_transaction_are_indexed_on_commit(client):
    from django.db import transaction

    with transaction.atomic():
        briefing = Briefing.objects.create(
            title="Committed", slug="committed", summary="S.", status="published", published=datetime.date(2024, 1, 1)
        )
        Section.objects.create(briefing=briefing, heading="A", body="Words about neglectful supervision.")
        assert not SearchDocument.objects.exists()  # nothing until the commit
    assert titles(client, "supervision") == ["Committed"]


# --- The page ---------------------------------------------------------------------------------------


def test_results_are_labelled_by_type_and_link_to_their_pages(client):
    briefing = BriefingFactory(title="Neglect review", kind=Briefing.Kind.THEMATIC_REVIEW)
    course = CourseFactory(title="Neglect course")
    ResourceFactory(title="Neglect leaflet", url="https://example.org/leaflet.pdf")
    body = client.get(URL, {"q": "neglect"}).content.decode()
    assert "Thematic review" in body
    assert "Course: Classroom" in body
    assert "Resource" in body
    assert f'href="{briefing.get_absolute_url()}"' in body
    assert f'href="{course.get_absolute_url()}"' in body
    assert 'href="https://example.org/leaflet.pdf"' in body


def test_snippet_highlights_matches_and_escapes_everything_else(client):
    BriefingFactory(title="Escaped", summary='Look for <b>hoarding</b> & "clutter" <script>alert(1)</script>.')
    body = client.get(URL, {"q": "hoarding"}).content.decode()
    snippet = body[body.index('class="result-snippet"') :]
    assert snippet.startswith('class="result-snippet">Look for')
    assert "<mark>hoarding</mark>" in snippet
    assert "&amp; &quot;clutter" in snippet
    # Tag-like text is escaped (SQLite) or dropped by ts_headline (PostgreSQL), never markup.
    assert "<b>" not in snippet
    assert "<script>" not in body


def test_query_is_echoed_escaped_in_the_search_box(client):
    body = client.get(URL, {"q": '"><script>alert(1)</script>'}).content.decode()
    assert "<script>alert(1)" not in body
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in body


def test_result_count_and_no_results_help(client):
    BriefingFactory(title="Neglect one")
    BriefingFactory(title="Neglect two")
    assert "2 results for" in text_of(client.get(URL, {"q": "neglect"}))
    page = text_of(client.get(URL, {"q": "zebra"}))
    assert "No results for" in page
    assert "check the spelling" in page


def test_filter_by_kind_and_by_theme(client):
    theme = ThemeFactory(name="Adolescent neglect")
    BriefingFactory(title="Neglect audit", kind=Briefing.Kind.AUDIT_FINDINGS, themes=[theme])
    BriefingFactory(title="Neglect 7MB")
    CourseFactory(title="Neglect course", themes=[theme])
    assert titles(client, "neglect", kind="audit_findings") == ["Neglect audit"]
    assert sorted(titles(client, "neglect", kind="briefing")) == ["Neglect 7MB", "Neglect audit"]
    assert titles(client, "neglect", kind="course") == ["Neglect course"]
    assert sorted(titles(client, "neglect", theme=theme.slug)) == ["Neglect audit", "Neglect course"]
    assert titles(client, "neglect", theme=theme.slug, kind="course") == ["Neglect course"]


def test_filter_options_show_counts(client):
    BriefingFactory(title="Neglect audit", kind=Briefing.Kind.AUDIT_FINDINGS)
    CourseFactory(title="Neglect course")
    body = client.get(URL, {"q": "neglect"}).content.decode()
    assert "All results (2)" in body
    assert "Audit findings (1)" in body
    assert "Training courses (1)" in body


def test_filters_are_offered_only_when_there_is_something_to_filter(client):
    BriefingFactory(title="Neglect")
    assert 'id="search-kind"' in client.get(URL, {"q": "neglect"}).content.decode()
    assert 'id="search-kind"' not in client.get(URL, {"q": "zebra"}).content.decode()
    assert 'id="search-kind"' in client.get(URL, {"q": "zebra", "kind": "course"}).content.decode()


def test_invalid_filters_are_ignored(client):
    BriefingFactory(title="Neglect")
    assert titles(client, "neglect", kind="nonsense", theme="no-such-theme") == ["Neglect"]


def test_results_are_paginated(client):
    for n in range(25):
        BriefingFactory(title=f"Neglect {n:02}")
    first = client.get(URL, {"q": "neglect"})
    second = client.get(URL, {"q": "neglect", "page": "2"})
    assert len(first.context["results"]) == results.PAGE_SIZE
    assert len(second.context["results"]) == 25 - results.PAGE_SIZE
    assert set(result_titles(first)).isdisjoint(result_titles(second))
    assert 'href="?q=neglect&amp;page=2"' in first.content.decode()
    # Out of range or junk page numbers still get a page.
    assert len(result_titles(client.get(URL, {"q": "neglect", "page": "999"}))) == 5
    assert len(result_titles(client.get(URL, {"q": "neglect", "page": "x"}))) == 20


def test_snippet_shows_a_match_deep_in_a_long_briefing(client):
    filler = " ".join(f"Paragraph {n} about routine visits and school attendance." for n in range(400))
    BriefingFactory(
        title="Long review", sections=[("Findings", filler + " Families with hoarding needed a joint plan.")]
    )
    response = client.get(URL, {"q": "families hoarding"})
    assert result_titles(response) == ["Long review"]
    snippet = str(response.context["results"][0].snippet)
    assert "<mark>hoarding</mark>" in snippet, snippet


def test_page_has_one_h1_and_labelled_controls(client):
    BriefingFactory(title="Neglect")
    body = client.get(URL, {"q": "neglect"}).content.decode()
    assert body.count("<h1") == 1
    for control in ("search-q", "search-kind", "search-theme"):
        assert f'for="{control}"' in body
        assert f'id="{control}"' in body


@pytest.mark.parametrize("matches", [1, 50])
def test_number_of_queries_does_not_grow_with_results(client, django_assert_max_num_queries, matches):
    theme = ThemeFactory(name="Neglect")
    for n in range(matches):
        briefing = BriefingFactory(title=f"Neglect {n}", themes=[theme], resources=[f"Neglect poster {n}"])
    CourseFactory(title="Neglect course", themes=[theme])
    SiteSettings.load()  # created on first use; afterwards one query per page
    results.synonyms()  # read once per worker after each content change, not per page
    links()  # so are the partnership pages' header and footer links
    # Site settings, themes for the filter, counts per type with the page's ids (one statement),
    # those rows with snippets; on PostgreSQL also set_config and (in a test's transaction) a
    # savepoint and release.
    with django_assert_max_num_queries(7 if connection.vendor == "postgresql" else 4):
        response = client.get(URL, {"q": "neglect", "theme": theme.slug})
    assert response.context["count"] == 2 * matches + 1
    assert briefing.title in result_titles(response) or matches > results.PAGE_SIZE


# --- Odd input ---------------------------------------------------------------------------------------

NASTY = [
    "",
    " ",
    "a" * 10_000,
    "neglect " * 2000,
    "!!!",
    '"',
    '"unbalanced quote',
    'unbalanced" quote"',
    "'; DROP TABLE briefings_briefing; --",
    "1' OR '1'='1",
    "neglect\x00",
    "\x00",
    "\x00\x01\x02\x03\x1b",
    "😀 neglect 👶🏽",
    "-",
    "-neglect",
    "or",
    "or or or",
    "neglect or",
    "NEAR(a b)",
    "title:neglect",
    "a AND b NOT c",
    "col:* ^neglect",
    "(neglect",
    "neglect)",
    "*",
    "neglect*",
    "&|!<->:*",
    "\\",
    "%_%",
    "‘curly’ “quotes”",
    "ǹéglèct",
    "\u202eRTL override",
    "x" * 300 + " neglect",
]


@pytest.mark.parametrize("query", NASTY)
def test_odd_queries_get_a_normal_page(client, query):
    BriefingFactory(title="Neglect")
    response = client.get(URL, {"q": query, "page": query, "kind": query, "theme": query})
    assert response.status_code == 200
    assert b'id="search-q"' in response.content


def test_invalid_utf8_and_percent_encoded_nul_get_a_normal_page(client):
    BriefingFactory(title="Neglect")
    response = client.get(URL + "?q=%FF%FE%ED%A0%80neglect%00&page=%00&kind=%FF&theme=%00")
    assert response.status_code == 200


def test_repeated_parameters_use_the_last_value(client):
    BriefingFactory(title="Neglect")
    response = client.get(URL + "?q=zebra&q=neglect&kind=course&kind=&page=1&page=2")
    assert result_titles(response) == ["Neglect"]


def test_long_queries_are_cut_to_200_characters(client):
    response = client.get(URL, {"q": "a" * 10_000})
    assert len(response.context["query"]) == query.MAX_QUERY_LENGTH


def test_query_with_only_punctuation_asks_for_a_word(client):
    assert "Enter at least one word" in text_of(client.get(URL, {"q": "!!! ---"}))


def test_empty_query_shows_the_form_without_results(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["results"] == []
    assert "No results" not in text_of(response)


# --- The query language ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fts5", "websearch"),
    [
        ("neglect", '("neglect")', "neglect"),
        ("Neglect Audits", '("neglect") AND ("audits")', "neglect audits"),
        ('"disguised compliance"', '("disguised compliance")', '"disguised compliance"'),
        ('"unbalanced phrase', '("unbalanced phrase")', '"unbalanced phrase"'),
        ("a or b", '("a" OR "b")', "a or b"),
        ("x a or b", '("x") AND ("a" OR "b")', "x a or b"),
        ("neglect -teen", '(("neglect")) NOT "teen"', "neglect -teen"),
        ('neglect -"head trauma"', '(("neglect")) NOT "head trauma"', 'neglect -"head trauma"'),
        ("title:neglect", '("title neglect")', '"title neglect"'),
        ('NEAR("a" b) AND', '("near a") AND ("b") AND ("and")', '"near a" b and'),
        ("co-sleeping", '("co sleeping")', '"co sleeping"'),
    ],
)
def test_query_translation(text, fts5, websearch):
    parsed = query.parse_query(query.clean_query(text))
    assert parsed.fts5() == fts5
    assert parsed.websearch() == websearch


@pytest.mark.parametrize("text", ["", "!!!", "-neglect", "or", '""', "😀"])
def test_queries_without_a_word_to_find_are_not_run(text):
    assert not query.parse_query(query.clean_query(text))


def test_clean_query_removes_nul_and_control_characters():
    assert query.clean_query("ne\x00gl\x1bect\n\tcase") == "ne gl ect case"


# --- PostgreSQL plans --------------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL query plans")
@pytest.mark.parametrize("kind", ["", "course"])
def test_postgres_search_queries_need_no_sequential_scan(kind):
    """With sequential scans switched off, a query part with no index would make every plan look
    equally (enormously) expensive and the planner would pick one at random."""
    import json

    theme = ThemeFactory(name="Neglect")
    BriefingFactory(title="Neglect", resources=["Neglect toolkit"], themes=[theme])
    CourseFactory(title="Neglect course")
    found = results.Search(query.parse_query("neglect -zebra"), theme)
    with found.backend.planner_settings(), connection.cursor() as cursor:
        for sql, params in [found.statement(kind, 1), found.shown_queryset([1, 2]).query.sql_with_params()]:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
            plan = plan if isinstance(plan, list) else json.loads(plan)
            text = json.dumps(plan)
            assert plan[0]["Plan"]["Total Cost"] < 1e9, text
            assert "Seq Scan" not in text
