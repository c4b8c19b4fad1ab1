"""The public's briefing queries are compiled to SQL once per worker and day, and read what the ORM's queries read."""

import datetime

import pytest
from django.db import connection, transaction
from django.db.models.sql.compiler import SQLCompiler
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from briefings import body, views
from briefings import related as related_briefings
from briefings.models import Briefing
from portal.prepared import PreparedLookup, PreparedQuery, _server_side
from tests.factories import BriefingFactory, ThemeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def caches_off(settings):
    settings.PAGE_CACHE_SECONDS = 0
    settings.SEARCH_CACHE_SECONDS = 0


@pytest.fixture
def compiled(monkeypatch):
    """The SQL of every SELECT compiled from now on (the ORM's own compiler, counted)."""
    seen = []
    as_sql = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        sql, params = as_sql(self, *args, **kwargs)
        seen.append(sql)
        return sql, params

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    return seen


def public_pages():
    return PreparedLookup(Briefing.objects.published().select_related("stored_body"), "slug")


def test_a_lookup_reads_the_row_and_its_joined_body_as_the_orms_get_does_in_one_query(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        briefing = BriefingFactory(title="Cumulative harm – “what we saw”", slug="cumulative-harm", sections=3)
        BriefingFactory(slug="another")
    lookup = public_pages()
    with CaptureQueriesContext(connection) as queries:
        found = lookup.get("cumulative-harm")
        html = found.stored_body.html
    # On PostgreSQL the first run on a connection also prepares the statement on the server.
    assert len([q for q in queries.captured_queries if not q["sql"].startswith("PREPARE ")]) == 1
    expected = Briefing.objects.select_related("stored_body").get(pk=briefing.pk)
    for field in Briefing._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
    assert isinstance(found.published, datetime.date)
    assert html == expected.stored_body.html
    assert lookup.get("another").slug == "another"


def test_a_lookup_keeps_the_querysets_filters_and_finds_nothing_else():
    BriefingFactory(slug="draft", draft=True)
    BriefingFactory(slug="scheduled", published=timezone.localdate() + datetime.timedelta(days=1))
    lookup = public_pages()
    assert lookup.get("draft") is None
    assert lookup.get("scheduled") is None
    assert lookup.get("no-such-briefing") is None
    # The value is a parameter of the SQL, never part of its text.
    assert lookup.get("x' OR '1'='1") is None
    assert lookup.get("") is None


def test_a_lookup_compiles_its_sql_once_and_sees_rows_saved_after_it(compiled):
    lookup = public_pages()
    BriefingFactory(slug="first")
    assert lookup.get("first").slug == "first"
    compiled.clear()
    BriefingFactory(slug="second")
    compiled.clear()
    assert lookup.get("second").slug == "second"
    assert lookup.get("first").slug == "first"
    assert compiled == []


def test_a_lookup_works_out_how_to_convert_its_columns_once(monkeypatch):
    BriefingFactory(slug="first", last_reviewed=datetime.date(2026, 1, 2))
    lookup = public_pages()
    assert lookup.get("first").last_reviewed == datetime.date(2026, 1, 2)
    worked_out = []
    get_converters = SQLCompiler.get_converters
    monkeypatch.setattr(SQLCompiler, "get_converters", lambda self, e: worked_out.append(e) or get_converters(self, e))
    found = lookup.get("first")
    assert worked_out == []
    assert found.last_reviewed == datetime.date(2026, 1, 2) and isinstance(found.published, datetime.date)


def test_a_lookup_refuses_a_field_that_is_not_unique():
    with pytest.raises(ValueError, match="title is not unique"):
        PreparedLookup(Briefing.objects.all(), "title")


def test_a_cold_briefing_page_compiles_no_briefing_query_after_the_first(
    client, compiled, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        one, two = BriefingFactory(slug="one"), BriefingFactory(slug="two", title="The second one")
    assert client.get(one.get_absolute_url()).status_code == 200
    compiled.clear()
    response = client.get(two.get_absolute_url())
    assert response.status_code == 200
    assert "The second one" in response.content.decode()
    assert not [sql for sql in compiled if "briefings_briefing" in sql]


def test_staff_still_open_drafts_and_readers_get_the_withdrawn_or_missing_page(staff_client):
    client = Client()
    draft = BriefingFactory(slug="draft", draft=True, title="Not yet out")
    assert "Not yet out" in staff_client.get("/briefings/draft/").content.decode()
    assert client.get("/briefings/draft/").status_code == 404
    assert client.get("/briefings/never-was/").status_code == 404
    draft.status = Briefing.Status.PUBLISHED
    draft.published = timezone.localdate()
    draft.save()
    assert client.get("/briefings/draft/").status_code == 200
    draft.status = Briefing.Status.DRAFT
    draft.save()
    assert client.get("/briefings/draft/").status_code == 410


def test_the_public_query_is_compiled_again_on_a_new_day(client, monkeypatch):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    BriefingFactory(slug="scheduled", published=tomorrow)
    assert views.public_page("scheduled") is None
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert views.public_page("scheduled").slug == "scheduled"


def test_a_prepared_query_reads_what_the_orms_query_reads_for_each_value(compiled):
    neglect, sleep = ThemeFactory(name="Neglect"), ThemeFactory(name="Safer sleep")
    briefings = [
        BriefingFactory(title="Both", themes=[neglect, sleep], kind="audit_findings"),
        BriefingFactory(title="Neglect only", themes=[neglect], kind="thematic_review"),
        BriefingFactory(title="Sleep only", themes=[sleep], kind="audit_findings"),
        BriefingFactory(title="Neither", kind="thematic_review"),
        BriefingFactory(title="A draft", themes=[neglect, sleep], draft=True),
    ]
    related = PreparedQuery(related_briefings.query, pk=int, kind=str)
    related.run(pk=briefings[0].pk, kind="audit_findings")
    for briefing in briefings:
        expected = list(related_briefings.query(briefing.pk, briefing.kind))
        compiled.clear()
        found = related.run(pk=briefing.pk, kind=briefing.kind)
        assert compiled == []
        assert found == expected
        # No body is stored until the commit, which never comes here: each card is rendered from its row.
        assert [row.title in card for row, card in zip(found, body.cards(found), strict=True)] == [True] * len(found)
    # The values are parameters of the SQL, never part of its text.
    junk = related.run(pk=briefings[0].pk, kind="x' OR '1'='1")
    assert [b.title for b in junk] == ["Sleep only", "Neglect only"]


def test_a_prepared_query_refuses_a_parameter_it_cannot_place():
    with pytest.raises(ValueError, match="kind is not a parameter"):
        PreparedQuery(lambda pk, kind: Briefing.objects.filter(pk=pk), pk=int, kind=str).run(pk=1, kind="x")
    with pytest.raises(ValueError, match="int or str"):
        PreparedQuery(lambda day: Briefing.objects.filter(published=day), day=datetime.date)
    related = PreparedQuery(related_briefings.query, pk=int, kind=str)
    with pytest.raises(TypeError, match="pk, kind"):
        related.run(pk=1)


def test_related_briefings_follow_the_day(client, monkeypatch):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    theme = ThemeFactory()
    briefing = BriefingFactory(slug="today", themes=[theme])
    BriefingFactory(title="Out tomorrow", themes=[theme], published=tomorrow)
    assert [b.title for b in related_briefings.chosen(briefing)] == []
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert [b.title for b in related_briefings.chosen(briefing)] == ["Out tomorrow"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="server-side prepared statements are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_query_is_prepared_once_per_connection_and_survives_a_rollback(settings):
    settings.DATABASE_PREPARED_STATEMENTS = True
    BriefingFactory(slug="first")
    lookup = public_pages()
    with CaptureQueriesContext(connection) as queries:
        assert lookup.get("first").slug == "first"
        assert lookup.get("no-such-briefing") is None
    sent = [q["sql"].split()[0] for q in queries.captured_queries]
    assert sent == ["PREPARE", "EXECUTE", "EXECUTE"], sent
    with pytest.raises(RuntimeError), transaction.atomic():
        assert lookup.get("first").slug == "first"
        raise RuntimeError("rolled back")
    assert lookup.get("first").slug == "first"
    connection.close()  # a new connection has no prepared statements: prepared again there
    with CaptureQueriesContext(connection) as queries:
        assert lookup.get("first").slug == "first"
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["PREPARE", "EXECUTE"]
    settings.DATABASE_PREPARED_STATEMENTS = False  # behind a pooler in transaction mode
    with CaptureQueriesContext(connection) as queries:
        assert lookup.get("first").slug == "first"
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["SELECT"]


def test_placeholders_are_numbered_for_the_server_and_escaped_percents_kept():
    assert _server_side("SELECT \"a\" FROM t WHERE b = %s AND c LIKE 'x%%' AND d IN (%s, %s)") == (
        "SELECT \"a\" FROM t WHERE b = $1 AND c LIKE 'x%' AND d IN ($2, $3)",
        3,
    )
