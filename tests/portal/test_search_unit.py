"""Search as one unit: one WEIGHTS setting both databases rank by, kinds from the model, no private Django API."""

import re
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse

from briefings.models import Briefing
from portal import cache as page_cache
from portal.models import SearchDocument
from portal.site.search import index
from tests.factories import BriefingFactory, CourseFactory
from tests.portal.search_helpers import result_titles

URL = reverse("search")
ROOT = Path(__file__).resolve().parents[2]


def titles(client, q, **params):
    return result_titles(client.get(URL, {"q": q, **params}))


@pytest.mark.django_db
def test_title_match_outranks_summary_match_outranks_body_match(client):
    BriefingFactory(title="Other words", summary="Nothing here.", sections=[("Part", "Chronology of concerns.")])
    BriefingFactory(title="Chronology matters", summary="Nothing here.", sections=0)
    BriefingFactory(title="Something else", summary="A chronology.", sections=0)
    assert titles(client, "chronology") == ["Chronology matters", "Something else", "Other words"]


@pytest.mark.django_db
def test_the_weights_setting_decides_the_order_on_this_database(client, settings):
    BriefingFactory(title="Other words", summary="Nothing here.", sections=[("Part", "Chronology of concerns.")])
    BriefingFactory(title="Chronology matters", summary="Nothing here.", sections=0)
    settings.SEARCH_WEIGHTS = {"title": 0.1, "summary": 0.1, "body": 10.0, "keywords": 0.1}
    assert titles(client, "chronology") == ["Other words", "Chronology matters"]
    settings.SEARCH_WEIGHTS = {"title": 10.0, "summary": 0.1, "body": 0.1, "keywords": 0.1}
    assert titles(client, "chronology") == ["Chronology matters", "Other words"]


@pytest.mark.django_db
def test_keywords_weigh_least(client, settings):
    theme_words = BriefingFactory(title="Plain", summary="Nothing here.", sections=0)
    theme_words.publisher = "Chronology partnership"
    theme_words.save()
    index.flush()
    BriefingFactory(title="Other words", summary="Nothing here.", sections=[("Part", "Chronology of concerns.")])
    assert titles(client, "chronology") == ["Other words", "Plain"]
    settings.SEARCH_WEIGHTS = {**settings.SEARCH_WEIGHTS, "keywords": 100.0}
    assert titles(client, "chronology") == ["Plain", "Other words"]


@pytest.mark.django_db
def test_the_kind_filter_offers_the_model_kinds_with_their_plural_labels(client):
    BriefingFactory(title="Neglect", sections=0)
    CourseFactory(title="Neglect course")
    options = client.get(URL, {"q": "neglect"}).context["kind_options"]
    briefing_kinds = [(kind.value, kind.plural) for kind in Briefing.Kind]
    assert [(value, label) for value, label, _n in options] == [
        ("", "All results"),
        ("briefing", "All briefings"),
        *briefing_kinds,
        ("course", "Training courses"),
        ("resource", "Resources"),
        ("page", "Partnership pages"),
    ]
    assert Briefing.Kind.SEVEN_MINUTE_BRIEFING.plural == "7-minute briefings"
    assert Briefing.Kind.AUDIT_FINDINGS.plural == "Audit findings"


def test_every_briefing_kind_has_its_own_plural_label():
    assert len({kind.plural for kind in Briefing.Kind}) == len(Briefing.Kind)
    assert all(kind.plural != kind.label or kind.label.endswith("s") for kind in Briefing.Kind)


def python_files(*folders):
    for folder in folders:
        yield from (path for path in (ROOT / folder).rglob("*.py") if "migrations" not in path.parts)


def test_no_code_reads_django_private_on_commit_list_or_uses_extra():
    offenders = [
        str(path.relative_to(ROOT))
        for path in python_files("portal", "briefings", "training", "mail")
        if re.search(r"run_on_commit|\.extra\(", path.read_text())
    ]
    assert offenders == []


def test_search_schema_sql_lives_only_in_migrations():
    schema = re.compile(r"CREATE VIRTUAL TABLE|CREATE TRIGGER|GENERATED ALWAYS AS|USING gin", re.IGNORECASE)
    offenders = [str(p.relative_to(ROOT)) for p in python_files("portal") if schema.search(p.read_text())]
    assert offenders == []


def test_search_does_not_retype_the_briefing_kinds():
    source = "\n".join(path.read_text() for path in (ROOT / "portal" / "site" / "search").glob("*.py"))
    assert not [kind for kind in Briefing.Kind.values if kind in source]


# --- Work after commit, with transaction.on_commit only -----------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_change_scheduled_only_in_a_rolled_back_savepoint_is_not_lost_when_scheduled_again(client):
    briefing = BriefingFactory(title="Kept", sections=[("A", "Original wording.")])
    with transaction.atomic():
        try:
            with transaction.atomic():
                briefing.sections.update(body="Rolled back wording.")
                briefing.sections.get().save()
                raise RuntimeError
        except RuntimeError:
            pass
        briefing.sections.update(body="Committed wording.")
        briefing.sections.get().save()
    assert titles(client, "committed") == ["Kept"]
    assert titles(client, "rolled") == []


@pytest.mark.django_db(transaction=True)
def test_one_transaction_reindexes_each_source_once_after_commit(monkeypatch):
    briefing = BriefingFactory(title="Edited", sections=[("A", "One."), ("B", "Two.")])
    calls = []
    monkeypatch.setitem(index.INDEXERS, SearchDocument.Type.BRIEFING, lambda ids: calls.append(set(ids)))
    with transaction.atomic():
        for section in briefing.sections.all():
            section.save()
        briefing.save()
        assert calls == []
    assert calls == [{briefing.pk}]


@pytest.mark.django_db(transaction=True)
def test_the_page_cache_generation_moves_at_once_and_once_more_on_commit():
    start = page_cache.generation()
    with transaction.atomic():
        for _ in range(3):
            page_cache.invalidate()
        assert page_cache.generation() == start + 3
    assert page_cache.generation() == start + 4


@pytest.mark.django_db(transaction=True)
def test_the_page_cache_still_moves_on_commit_after_a_rolled_back_savepoint():
    start = page_cache.generation()
    with transaction.atomic():
        try:
            with transaction.atomic():
                page_cache.invalidate()
                raise RuntimeError
        except RuntimeError:
            pass
        page_cache.invalidate()
        assert page_cache.generation() == start + 2
    assert page_cache.generation() == start + 3


@pytest.mark.django_db(transaction=True)
def test_the_page_cache_does_not_move_on_commit_for_a_rolled_back_transaction():
    start = page_cache.generation()
    with pytest.raises(RuntimeError), transaction.atomic():
        page_cache.invalidate()
        raise RuntimeError
    assert page_cache.generation() == start + 1
    with transaction.atomic():
        pass
    assert page_cache.generation() == start + 1


@pytest.mark.parametrize(
    "weights",
    [
        None,
        {"title": 10, "summary": 4, "body": 1},
        {"title": 10, "summary": 4, "body": 1, "keywords": 0},
        {"title": 10, "summary": 4, "body": 1, "keywords": "0.5"},
        {"title": 10, "summary": 4, "body": 1, "keywords": 0.5, "themes": 1},
    ],
)
def test_a_weights_setting_without_four_numbers_above_zero_fails_the_checks(settings, weights):
    settings.SEARCH_WEIGHTS = weights
    errors = [message for message in run_checks() if message.id == "portal.E100"]
    assert len(errors) == 1
    assert "SEARCH_WEIGHTS must give each of title, summary, body, keywords a number above zero" in errors[0].msg


def test_the_default_weights_pass_the_checks():
    assert not [message for message in run_checks() if message.id == "portal.E100"]


def full_text_structures():
    """The triggers (SQLite) or generated columns and GIN index (PostgreSQL) migration 0003 creates."""
    table = SearchDocument._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
            return {name for (name,) in cursor.fetchall()}
        columns = {column.name for column in connection.introspection.get_table_description(cursor, table)}
        indexes = set(connection.introspection.get_constraints(cursor, table))
        return (columns & {"search_vector", "rank_vector"}) | indexes


@pytest.mark.django_db(transaction=True)
def test_rebuild_restores_the_full_text_structures_a_table_rebuild_dropped(client):
    before = full_text_structures()
    BriefingFactory(title="Chronology matters", sections=0)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER portal_searchdocument_fts_insert")
        else:
            cursor.execute("DROP INDEX portal_searchdocument_vector")
    assert full_text_structures() != before
    call_command("rebuild_search_index", verbosity=0)
    assert full_text_structures() == before
    BriefingFactory(title="Later chronology", sections=0)
    assert sorted(titles(client, "chronology")) == ["Chronology matters", "Later chronology"]
