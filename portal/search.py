"""Site-wide search over briefings, courses and resources.

Every searchable item is flattened into one `SearchDocument` row (title, summary, body).
The database does the matching and ranking:

- PostgreSQL: a generated `search_vector` column (title weight A, summary B, body C) with a
  GIN index; queries use websearch_to_tsquery('english'), ts_rank and ts_headline.
- SQLite: an FTS5 table (porter stemmer) over the same columns, kept in step by triggers;
  queries use MATCH, bm25() with the title weighted highest, and snippet().

Both read the same web-search syntax, which `parse_query` reduces to plain words, quoted
phrases, `or` and `-word`, so nothing a reader types can make the database raise an error.
Matches are counted and ranked from the index alone (each row's `public_from` says from which
day the public may find it); the page of results shown is then checked against the briefing,
course or resource itself, so an out-of-date row never shows a draft.
"""

import contextlib
import datetime
import hashlib
import html
import logging
import re
import threading
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.html import escape, strip_tags
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from portal.markdown import render_markdown
from portal.models import SearchDocument
from portal.publication import Status, published_q

log = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 200
MAX_TERMS = 16
MAX_BODY_LENGTH = 200_000
PAGE_SIZE = 20
# ts_headline parses the whole text it is given, so it gets a window of the body: from a little
# before the first place a query word's stem appears (or the start), this many characters.
SNIPPET_SOURCE_LENGTH = 3000
SNIPPET_LEAD = 300
# Highlight markers: control characters, which clean_text removes from everything indexed.
START, STOP = "\x02", "\x03"

FTS_TABLE = "portal_searchdocument_fts"
# Idempotent, so `rebuild_search_index` can restore triggers a table rebuild would drop.
SQLITE_SCHEMA = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS portal_searchdocument_fts USING fts5(
        title, summary, body, keywords,
        content='portal_searchdocument', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER IF NOT EXISTS portal_searchdocument_fts_insert AFTER INSERT ON portal_searchdocument BEGIN
        INSERT INTO portal_searchdocument_fts(rowid, title, summary, body, keywords)
        VALUES (new.id, new.title, new.summary, new.body, new.keywords);
    END""",
    """CREATE TRIGGER IF NOT EXISTS portal_searchdocument_fts_delete AFTER DELETE ON portal_searchdocument BEGIN
        INSERT INTO portal_searchdocument_fts(portal_searchdocument_fts, rowid, title, summary, body, keywords)
        VALUES ('delete', old.id, old.title, old.summary, old.body, old.keywords);
    END""",
    """CREATE TRIGGER IF NOT EXISTS portal_searchdocument_fts_update AFTER UPDATE ON portal_searchdocument BEGIN
        INSERT INTO portal_searchdocument_fts(portal_searchdocument_fts, rowid, title, summary, body, keywords)
        VALUES ('delete', old.id, old.title, old.summary, old.body, old.keywords);
        INSERT INTO portal_searchdocument_fts(rowid, title, summary, body, keywords)
        VALUES (new.id, new.title, new.summary, new.body, new.keywords);
    END""",
]
POSTGRES_SCHEMA = [
    """ALTER TABLE portal_searchdocument ADD COLUMN IF NOT EXISTS search_vector tsvector
        GENERATED ALWAYS AS (
            setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
            || setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B')
            || setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'C')
            || setweight(to_tsvector('english'::regconfig, coalesce(keywords, '')), 'D')
        ) STORED""",
    """ALTER TABLE portal_searchdocument ADD COLUMN IF NOT EXISTS rank_vector tsvector
        GENERATED ALWAYS AS (
            setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
            || setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B')
            || setweight(to_tsvector('english'::regconfig, left(coalesce(body, ''), 2000)), 'C')
            || setweight(to_tsvector('english'::regconfig, left(coalesce(keywords, ''), 500)), 'D')
        ) STORED""",
    "CREATE INDEX IF NOT EXISTS portal_searchdocument_vector ON portal_searchdocument USING gin (search_vector)",
]


def ensure_schema(conn=None):
    """Create the database-specific search structures if they are missing."""
    conn = conn or connection
    statements = {"sqlite": SQLITE_SCHEMA, "postgresql": POSTGRES_SCHEMA}.get(conn.vendor, [])
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            # ALTER TABLE or CREATE INDEX, even ones that change nothing, fail while deferred
            # constraint checks are pending, so run only what is missing.
            columns = {c.name for c in conn.introspection.get_table_description(cursor, "portal_searchdocument")}
            indexes = conn.introspection.get_constraints(cursor, "portal_searchdocument")
            present = [name in columns for name in ("search_vector", "rank_vector")]
            present.append("portal_searchdocument_vector" in indexes)
            statements = [sql for sql, done in zip(statements, present, strict=True) if not done]
        for statement in statements:
            cursor.execute(statement)


# --- Text -------------------------------------------------------------------------------------

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
SPACE = re.compile(r"\s+")


def clean_text(text):
    """Text fit for the index and for XML: no control characters, single spaces."""
    return SPACE.sub(" ", CONTROL.sub(" ", str(text or ""))).strip()


def plain_text(markdown_text):
    """Markdown as the words a reader sees, without markup."""
    return clean_text(html.unescape(strip_tags(render_markdown(markdown_text))))


END_OF_SENTENCE = re.compile(r"[.!?:;…]$")


def _join(*parts):
    """Parts as sentences, so a snippet that spans two of them still reads sensibly."""
    parts = [clean_text(part) for part in parts]
    return " ".join(part if END_OF_SENTENCE.search(part) else f"{part}." for part in parts if part)


# public_from for what is public whatever the date (published stand-alone resources).
ALWAYS = datetime.date(1, 1, 1)


def _public_from(record):
    """The day a briefing or course (and a briefing's resources) becomes public: its publication date once published."""
    if record is None:
        return ALWAYS
    return record.published if record.status == Status.PUBLISHED else None


def _theme_ids(themes):
    ids = sorted({theme.pk for theme in themes})
    return "," + ",".join(map(str, ids)) + "," if ids else ""


# --- Building the index -----------------------------------------------------------------------


def _briefing_documents(briefing):
    themes = list(briefing.themes.all())
    theme_names = [theme.name for theme in themes]
    body = [briefing.sample_description]
    for section in briefing.sections.all():
        body += [section.heading, plain_text(section.body)]
    body += [question.text for question in briefing.questions.all()]
    body += [
        f"{fact.figure} {fact.text}" + (f" ({fact.source})" if fact.source else "") for fact in briefing.key_facts.all()
    ]
    yield SearchDocument(
        type=SearchDocument.Type.BRIEFING,
        object_id=briefing.pk,
        briefing=briefing,
        subtype=briefing.kind,
        label=briefing.get_kind_display(),
        title=clean_text(briefing.title),
        summary=clean_text(briefing.summary),
        body=_join(*body)[:MAX_BODY_LENGTH],
        keywords=_join(*theme_names, briefing.publisher, briefing.get_based_on_display()),
        url=briefing.get_absolute_url(),
        date=briefing.published,
        theme_ids=_theme_ids(themes),
        public_from=_public_from(briefing),
    )
    for resource in briefing.resources.all():
        yield _resource_document(resource, briefing, themes)


def _resource_document(resource, briefing=None, briefing_themes=()):
    # Filtering by theme includes the briefing's themes; the words found are the resource's own.
    own_themes = list(resource.themes.all())
    themes = own_themes + list(briefing_themes)
    kind = "" if resource.kind == resource.Kind.OTHER else f": {resource.get_kind_display().lower()}"
    return SearchDocument(
        type=SearchDocument.Type.RESOURCE,
        object_id=resource.pk,
        resource=resource,
        briefing=briefing,
        subtype=resource.kind,
        label=f"Resource{kind}",
        title=clean_text(resource.title),
        summary=clean_text(resource.description),
        keywords=_join(resource.get_kind_display(), *(theme.name for theme in own_themes)),
        url=resource.href[:600],
        date=briefing.published if briefing else None,
        theme_ids=_theme_ids(themes),
        public_from=_resource_public_from(resource, briefing),
    )


def _resource_public_from(resource, briefing):
    """A resource of a briefing is public with its briefing; one on its own once it is published."""
    if briefing is not None:
        return _public_from(briefing)
    return ALWAYS if resource.status == resource.Status.PUBLISHED else None


def _course_document(course):
    themes = list(course.themes.all())
    body = [plain_text(course.description)]
    body += [outcome.text for outcome in course.outcomes.all()]
    body += [course.audience_detail, course.prerequisites_text]
    return SearchDocument(
        type=SearchDocument.Type.COURSE,
        object_id=course.pk,
        course=course,
        subtype=course.format,
        label=f"Course: {course.get_format_display()}",
        title=clean_text(course.title),
        summary=clean_text(course.summary),
        body=_join(*body)[:MAX_BODY_LENGTH],
        keywords=_join(*(theme.name for theme in themes), course.provider, course.get_format_display()),
        url=course.get_absolute_url(),
        theme_ids=_theme_ids(themes),
        public_from=_public_from(course),
    )


FIELDS = [
    "briefing", "course", "resource", "subtype", "label", "title", "summary", "body", "keywords", "url", "date",
    "theme_ids", "public_from",
]  # fmt: skip


def _store(doc_type, ids, documents):
    """Write these documents and delete the rows of sources (of doc_type, among ids) that are gone."""
    documents = list(documents)
    by_key = {(doc.type, doc.object_id): doc for doc in documents}
    keys_by_type = {doc_type: set(ids)}
    for key_type, object_id in by_key:
        keys_by_type.setdefault(key_type, set()).add(object_id)
    wanted = Q(*[Q(type=t, object_id__in=o) for t, o in keys_by_type.items()], _connector=Q.OR)
    stale, changed, now = [], [], timezone.now()
    for row in SearchDocument.objects.filter(wanted).only("pk", "type", "object_id"):
        doc = by_key.get((row.type, row.object_id))
        if doc is None:
            stale.append(row.pk)
        else:
            doc.pk, doc.updated_at = row.pk, now
            changed.append(doc)
    if stale:
        SearchDocument.objects.filter(pk__in=stale).delete()
    if changed:
        SearchDocument.objects.bulk_update(changed, [*FIELDS, "updated_at"], batch_size=200)
    new = [doc for doc in documents if doc.pk is None]
    if new:
        SearchDocument.objects.bulk_create(new, batch_size=200)


def index_briefings(ids):
    """(Re)index these briefings and their resources; remove the ones that no longer exist."""
    from briefings.models import Briefing

    ids = set(ids)
    briefings = Briefing.objects.filter(pk__in=ids).prefetch_related(
        "themes", "sections", "questions", "key_facts", "resources__themes"
    )
    documents = [doc for briefing in briefings for doc in _briefing_documents(briefing)]
    _store(SearchDocument.Type.BRIEFING, ids, documents)
    # Rows of resources no longer on these briefings (moved or deleted) are brought up to date too.
    kept = [doc.object_id for doc in documents if doc.type == SearchDocument.Type.RESOURCE]
    moved = SearchDocument.objects.filter(type=SearchDocument.Type.RESOURCE, briefing_id__in=ids).exclude(
        object_id__in=kept
    )
    moved = list(moved.values_list("object_id", flat=True))
    if moved:
        index_resources(moved)


def index_resources(ids):
    from briefings.models import Resource

    ids = set(ids)
    resources = (
        Resource.objects.filter(pk__in=ids).select_related("briefing").prefetch_related("themes", "briefing__themes")
    )
    documents = [_resource_document(r, r.briefing, r.briefing.themes.all() if r.briefing else ()) for r in resources]
    _store(SearchDocument.Type.RESOURCE, ids, documents)


def index_courses(ids):
    from training.models import Course

    ids = set(ids)
    courses = Course.objects.filter(pk__in=ids).prefetch_related("themes", "outcomes")
    _store(SearchDocument.Type.COURSE, ids, [_course_document(course) for course in courses])


def index_theme(theme_id):
    """Re-index everything on a theme (its name is part of their text)."""
    rows = SearchDocument.objects.filter(theme_ids__contains=f",{theme_id},").values_list("type", "object_id")
    by_type = {}
    for doc_type, object_id in rows:
        by_type.setdefault(doc_type, set()).add(object_id)
    _index_by_type(by_type)


INDEXERS = {
    SearchDocument.Type.BRIEFING: index_briefings,
    SearchDocument.Type.COURSE: index_courses,
    SearchDocument.Type.RESOURCE: index_resources,
}


def _index_by_type(by_type):
    # Briefings first: they re-index their own resources, so those need no second pass.
    for doc_type in (SearchDocument.Type.BRIEFING, SearchDocument.Type.RESOURCE, SearchDocument.Type.COURSE):
        if by_type.get(doc_type):
            INDEXERS[doc_type](by_type[doc_type])


def rebuild_index(batch_size=500):
    """Replace the whole index. Returns the number of documents written."""
    from briefings.models import Briefing, Resource
    from training.models import Course

    ensure_schema()
    with transaction.atomic():
        SearchDocument.objects.all().delete()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO portal_searchdocument_fts(portal_searchdocument_fts) VALUES ('rebuild')")
        for model, index in [(Briefing, index_briefings), (Course, index_courses)]:
            ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
            for start in range(0, len(ids), batch_size):
                index(ids[start : start + batch_size])
        index_resources(Resource.objects.filter(briefing__isnull=True).values_list("pk", flat=True))
    return SearchDocument.objects.count()


# --- Keeping the index in step (called by portal.signals) -------------------------------------

_local = threading.local()


def _pending():
    if not hasattr(_local, "pending"):
        _local.pending = set()
    return _local.pending


def schedule(doc_type, pk):
    """Re-index one source once the current transaction commits (at once outside a transaction).

    Many signals fire for one admin save (the briefing, each inline, each m2m change); they
    collect in one set and one callback indexes each source once.
    """
    if pk is None:
        return
    pending = _pending()
    key = (doc_type, pk)
    # A callback lost to a rollback leaves its key behind, so check for a live one too.
    registered = any(entry[1] is flush for entry in getattr(connection, "run_on_commit", []))
    if key not in pending or not registered:
        pending.add(key)
        transaction.on_commit(flush)


def flush():
    """Index everything scheduled; a failure is logged, never shown to the editor who saved."""
    pending = _pending()
    if not pending:
        return
    by_type = {}
    while pending:
        doc_type, pk = pending.pop()
        by_type.setdefault(doc_type, set()).add(pk)
    try:
        with transaction.atomic():
            themes = by_type.pop("theme", set())
            _index_by_type(by_type)
            for theme_id in themes:
                index_theme(theme_id)
    except Exception:
        log.exception("Search index update failed; run manage.py rebuild_search_index")


# --- Reading queries --------------------------------------------------------------------------

WORD = re.compile(r"[^\W_]+")
TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def clean_query(raw):
    """The reader's query as safe, bounded text (no NUL or control characters)."""
    text = unicodedata.normalize("NFKC", str(raw or "")[: MAX_QUERY_LENGTH * 4])
    return clean_text(text)[:MAX_QUERY_LENGTH].strip()


@dataclass
class ParsedQuery:
    """Groups are ANDed; the terms in a group are ORed; each term is a phrase of one or more words."""

    groups: list = field(default_factory=list)
    excluded: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.groups)

    def words(self):
        """Every word looked for (not the excluded ones)."""
        return [word for group in self.groups for term in group for word in term]

    def websearch(self):
        """The query in PostgreSQL's websearch syntax, built only from words."""

        def phrase(words):
            return f'"{" ".join(words)}"' if len(words) > 1 else words[0]

        parts = [" or ".join(phrase(term) for term in group) for group in self.groups]
        parts += [f"-{phrase(term)}" for term in self.excluded]
        return " ".join(parts)

    def fts5(self):
        """The query as an FTS5 expression: every term quoted, so no input is FTS5 syntax."""

        def phrase(words):
            return '"' + " ".join(words) + '"'

        groups = [" OR ".join(map(phrase, group)) for group in self.groups]
        expression = " AND ".join(f"({group})" for group in groups)
        for term in self.excluded:
            expression = f"({expression}) NOT {phrase(term)}"
        return expression


def parse_query(query):
    """Web-search syntax: words, "quoted phrases", `or` between terms, `-word` to exclude."""
    parsed = ParsedQuery()
    join_next = False
    count = 0
    for match in TOKEN.finditer(query):
        negated, quoted, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None:
            if bare.lower() == "or":
                join_next = bool(parsed.groups)
                continue
            negated = "-" if bare.startswith("-") else ""
            words = WORD.findall(bare)
        else:
            words = WORD.findall(quoted)
        words = [word.lower() for word in words][:MAX_TERMS]
        if not words or count >= MAX_TERMS:
            continue
        count += 1
        if negated:
            parsed.excluded.append(words)
        elif join_next:
            parsed.groups[-1].append(words)
        else:
            parsed.groups.append([words])
        join_next = False
    return parsed


# --- Running a search -------------------------------------------------------------------------

KIND_CHOICES = [
    ("", "All results"),
    ("briefing", "All briefings"),
    ("thematic_review", "Thematic reviews"),
    ("seven_minute_briefing", "7-minute briefings"),
    ("audit_findings", "Audit findings"),
    ("course", "Training courses"),
    ("resource", "Resources"),
]
BRIEFING_KINDS = {"thematic_review", "seven_minute_briefing", "audit_findings"}


def public_documents():
    """Documents the public may see, judged now from the briefing or course itself (not from the index).

    Joins, not subqueries over every published briefing: it is asked of one page of results.
    """
    Type = SearchDocument.Type
    return SearchDocument.objects.filter(
        (Q(type=Type.BRIEFING) & published_q("briefing__"))
        | (Q(type=Type.COURSE) & published_q("course__"))
        | Q(type=Type.RESOURCE, resource__briefing__isnull=True, resource__status=Status.PUBLISHED)
        | (Q(type=Type.RESOURCE) & published_q("resource__briefing__"))
    )


def _kind_sql(kind):
    """The kind filter, as a WHERE clause on the columns of the search's `hits`."""
    if kind in ("briefing", "course", "resource"):
        return " WHERE type = %s", [kind]
    if kind in BRIEFING_KINDS:
        return " WHERE type = %s AND subtype = %s", [SearchDocument.Type.BRIEFING, kind]
    return "", []


# The largest page number tried before the count is known (a bigger one gets the last page).
MAX_PAGE = 100_000


class _Search:
    """The database-specific parts of one query.

    hits: the matches that are public by the index (`public_from`), in a theme if one is chosen,
    with a rank (higher is better). page(kind, number): in one statement, the number of hits per
    filter value and the ids on one page, best first. shown(ids): those documents, checked again
    against their sources, with snippets.
    """

    def __init__(self, parsed, theme=None):
        self.parsed = parsed
        documents = SearchDocument.objects.filter(public_from__lte=timezone.localdate())
        if theme:
            documents = documents.filter(theme_ids__contains=f",{theme.pk},")
        documents = self._postgres(documents) if connection.vendor == "postgresql" else self._sqlite(documents)
        self.hits = documents.order_by().values("id", "type", "subtype", "date", "title", "rank")

    def _postgres(self, documents):
        from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVectorField
        from django.db.models import F, TextField, Value
        from django.db.models.expressions import RawSQL
        from django.db.models.functions import Concat

        query = SearchQuery(self.parsed.websearch(), search_type="websearch", config="english")
        # Match on the full text (GIN index); rank on the small title/summary/opening vector,
        # which stays in the row: ranking from the full vector means reading it back out of TOAST.
        vector = RawSQL('"portal_searchdocument"."search_vector"', [], output_field=SearchVectorField())
        rank_vector = RawSQL('"portal_searchdocument"."rank_vector"', [], output_field=SearchVectorField())
        # The stems of the words looked for (e.g. "famili" for "families"), found in the lower-cased body.
        first_match = (
            "(SELECT min(nullif(strpos(lower(portal_searchdocument.body), lexeme), 0)) "
            "FROM unnest(tsvector_to_array(to_tsvector('english'::regconfig, %s))) AS lexeme)"
        )
        window = RawSQL(  # noqa: S611 - fixed SQL; the words are a parameter
            f"substr(portal_searchdocument.body, greatest(1, coalesce({first_match}, 1) - %s), %s)",
            [" ".join(self.parsed.words()), SNIPPET_LEAD, SNIPPET_SOURCE_LENGTH],
            output_field=TextField(),
        )
        self.snippet = SearchHeadline(
            Concat(F("summary"), Value(" "), window, output_field=TextField()),
            query,
            config="english",
            start_sel=START,
            stop_sel=STOP,
            max_words=30,
            min_words=12,
            max_fragments=2,
            fragment_delimiter=" … ",
        )
        return documents.alias(vector=vector).filter(vector=query).annotate(rank=SearchRank(rank_vector, query))

    def _sqlite(self, documents):
        from django.db.models import FloatField
        from django.db.models.expressions import RawSQL

        self.match = {
            "tables": [FTS_TABLE],
            "where": [
                "portal_searchdocument_fts.rowid = portal_searchdocument.id",
                "portal_searchdocument_fts MATCH %s",
            ],
            "params": [self.parsed.fts5()],
        }
        # bm25() is lower for better matches; negated, so both databases sort rank descending.
        rank = RawSQL("-bm25(portal_searchdocument_fts, 10.0, 4.0, 1.0, 0.5)", [], output_field=FloatField())
        return documents.extra(**self.match).annotate(rank=rank)  # noqa: S610 - fixed SQL; the query is a parameter

    def statement(self, kind, number):
        """The SQL and parameters of page(): one pass over the matches serves the counts and the page."""
        sql, params = self.hits.query.sql_with_params()
        where, where_params = _kind_sql(kind)
        # Only SQL built by the ORM and fixed text are joined here; every value is a parameter.
        statement = (
            f"WITH hits AS MATERIALIZED ({sql}) "  # noqa: S608
            "SELECT type, subtype, COUNT(*), CAST(NULL AS bigint) FROM hits GROUP BY type, subtype "
            f"UNION ALL SELECT * FROM (SELECT NULL, NULL, CAST(NULL AS bigint), id FROM hits{where} "
            "ORDER BY rank DESC, date DESC NULLS LAST, title, id LIMIT %s OFFSET %s) AS page"
        )
        return statement, [*params, *where_params, PAGE_SIZE, (number - 1) * PAGE_SIZE]

    def page(self, kind, number):
        """({filter value: number of hits}, [ids on page `number` of this kind, best first])."""
        with connection.cursor() as cursor:
            cursor.execute(*self.statement(kind, number))
            rows = cursor.fetchall()
        counts, ids = dict.fromkeys(dict(KIND_CHOICES), 0), []
        for doc_type, subtype, n, pk in rows:
            if pk is not None:
                ids.append(pk)
                continue
            counts[""] += n
            counts[doc_type] += n
            if doc_type == SearchDocument.Type.BRIEFING and subtype in counts:
                counts[subtype] += n
        return counts, ids

    def shown_queryset(self, ids):
        """The documents with these ids that the public may see now, with snippets."""
        documents = public_documents().filter(pk__in=ids).select_related("briefing").defer("body")
        if connection.vendor == "postgresql":
            documents = documents.annotate(snippet=self.snippet)
        else:
            # The best of the summary and the body (columns 1 and 2); never the title or keywords.
            documents = documents.extra(  # noqa: S610 - fixed SQL; the query is a parameter
                select={
                    "snippet": "snippet(portal_searchdocument_fts, 2, char(2), char(3), '…', 24)",
                    "summary_snippet": "snippet(portal_searchdocument_fts, 1, char(2), char(3), '…', 24)",
                },
                **self.match,
            )
        return documents

    def shown(self, ids):
        """Those documents in the order of ids; any the index wrongly calls public are re-indexed."""
        by_id = {document.pk: document for document in self.shown_queryset(ids)}
        stale = [pk for pk in ids if pk not in by_id]
        if stale:
            _reindex(stale)
        return [by_id[pk] for pk in ids if pk in by_id]


def _reindex(pks):
    """Rows the index calls public whose source is not (changed without signals): bring them up to date."""
    rows = list(SearchDocument.objects.filter(pk__in=pks).values_list("type", "object_id"))
    log.warning("Search index out of date for %s; re-indexing", rows)
    for doc_type, object_id in rows:
        schedule(doc_type, object_id)


def highlight(text):
    """The snippet as HTML: everything escaped, matched words in <mark>."""
    parts = re.split(f"{START}(.*?){STOP}", SPACE.sub(" ", text or "").strip(), flags=re.DOTALL)
    out = []
    for position, part in enumerate(parts):
        part = escape(part.replace(START, "").replace(STOP, ""))
        out.append(f"<mark>{part}</mark>" if position % 2 else part)
    return mark_safe("".join(out))  # noqa: S308 - every part escaped above


@dataclass
class Result:
    document: SearchDocument
    snippet: str

    @property
    def parent(self):
        """The briefing a resource belongs to, if any."""
        return self.document.briefing if self.document.type == SearchDocument.Type.RESOURCE else None


def _result(document):
    snippet = getattr(document, "snippet", "") or ""
    summary_snippet = getattr(document, "summary_snippet", None)
    if summary_snippet is not None and (START in summary_snippet or START not in snippet):
        snippet = summary_snippet  # SQLite: the summary when it matches or the body does not
    return Result(document, highlight(snippet or document.summary))


@contextlib.contextmanager
def planner_settings():
    """On PostgreSQL, steer the planner to the GIN index for the queries run inside this block.

    It costs `search_vector @@ query` on a sequential scan as cheap, but each row's vector must
    then be read back out of TOAST; through the index it need not be (10x faster for a word every
    document contains). Disabled plans look hugely expensive, which would start the JIT compiler
    (half a second), so that goes too. Both settings end with the transaction. This relies on every
    table the search queries read having an index for the conditions on it (a test checks the
    plans have no sequential scan).
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true)")
        yield


def run_search(params):
    """Everything the search page shows for these GET parameters. Never raises on odd input."""
    from briefings.models import Theme

    query = clean_query(params.get("q", ""))
    themes = list(Theme.objects.only("pk", "name", "slug"))
    kind = params.get("kind", "")
    kind = kind if kind in dict(KIND_CHOICES) else ""
    theme = next((t for t in themes if t.slug == params.get("theme", "")), None)
    parsed = parse_query(query)
    context = {
        "query": query,
        "kind": kind,
        "theme": theme,
        "themes": themes,
        "searched": bool(query),
        "parsed": bool(parsed),
        "kind_options": [(value, label, None) for value, label in KIND_CHOICES],
        "page_obj": None,
        "count": 0,
        "results": [],
    }
    if not parsed:
        return context
    key = _cache_key(query, kind, theme, params.get("page"))
    cached = cache.get(key) if key else None
    if cached is None:
        found = _Search(parsed, theme)
        number = _page_number(params.get("page"))
        with planner_settings():
            counts, ids = found.page(kind, number)
            page = Paginator(_Counted(counts[kind]), PAGE_SIZE).get_page(params.get("page"))
            if page.number != number:  # out of range: Paginator gives the last page instead
                counts, ids = found.page(kind, page.number)
            results = [_result(document) for document in found.shown(ids)]
        if key:
            cache.set(key, (counts, page.number, results), settings.SEARCH_CACHE_SECONDS)
    else:
        counts, number, results = cached
        page = Paginator(_Counted(counts[kind]), PAGE_SIZE).page(number)
    filters = {"q": query, "kind": kind, "theme": theme.slug if theme else ""}
    context.update(
        page_query=urlencode({key: value for key, value in filters.items() if value}),
        count=counts[kind],
        page_obj=page,
        results=results,
        kind_options=[(value, label, counts.get(value, 0)) for value, label in KIND_CHOICES],
    )
    return context


def _page_number(raw):
    """The page asked for, as Paginator.get_page would read it (1 if it is not a number)."""
    try:
        number = int(str(raw))
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


class _Counted:
    """Stands in for a result list of known length when a page comes from the cache."""

    def __init__(self, count):
        self.count = count

    def __len__(self):
        return self.count

    def __getitem__(self, index):
        return []


def _cache_key(query, kind, theme, page):
    """Results are kept per query while no content changes (the page cache generation is in the key)."""
    if not settings.SEARCH_CACHE_SECONDS:
        return None
    from portal.cache import generation

    raw = "|".join([str(generation()), str(timezone.localdate()), query, kind, theme.slug if theme else "", str(page)])
    return "search:" + hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()
