"""Building the search index: every briefing, course, resource and partnership page flattened into a SearchDocument.

Signals (portal.signals) only note what changed; `schedule` collects it and `flush` indexes each
source once, after the transaction commits.
"""

import datetime
import importlib
import logging
import threading

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from briefings.models import Briefing, Resource
from pages.models import Page
from portal.cache import invalidate
from portal.models import SearchDocument
from portal.publication import Status
from portal.site.search.text import clean_text, join_sentences, plain_text
from training.models import Course

log = logging.getLogger(__name__)

MAX_BODY_LENGTH = 200_000
# public_from for what is public whatever the date (published stand-alone resources).
ALWAYS = datetime.date(1, 1, 1)
# The full-text structures beside the table (FTS5 table and triggers, generated tsvector columns):
# written once, in this migration, and re-applied by rebuild_index when a table rebuild dropped them.
SCHEMA_MIGRATION = importlib.import_module("portal.migrations.0003_searchdocument")


def _public_from(record):
    """The day a briefing or course (and a briefing's resources) becomes public: its publication date once published."""
    if record is None:
        return ALWAYS
    return record.published if record.status == Status.PUBLISHED else None


def _theme_ids(themes):
    ids = sorted({theme.pk for theme in themes})
    return "," + ",".join(map(str, ids)) + "," if ids else ""


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
    kind_name = briefing.kind_name
    yield SearchDocument(
        type=SearchDocument.Type.BRIEFING,
        object_id=briefing.pk,
        briefing=briefing,
        subtype=briefing.kind,
        label=kind_name,
        title=clean_text(briefing.title),
        summary=clean_text(briefing.summary),
        body=join_sentences(*body)[:MAX_BODY_LENGTH],
        # The kind by the partnership's name and by the built-in one, so a search for either finds it.
        keywords=join_sentences(
            *theme_names,
            *dict.fromkeys([kind_name, briefing.get_kind_display()]),
            briefing.publisher,
            briefing.get_based_on_display(),
        ),
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
        keywords=join_sentences(resource.get_kind_display(), *(theme.name for theme in own_themes)),
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
        body=join_sentences(*body)[:MAX_BODY_LENGTH],
        keywords=join_sentences(*(theme.name for theme in themes), course.provider, course.get_format_display()),
        url=course.get_absolute_url(),
        theme_ids=_theme_ids(themes),
        public_from=_public_from(course),
    )


def _page_document(page):
    return SearchDocument(
        type=SearchDocument.Type.PAGE,
        object_id=page.pk,
        label="Page",
        title=clean_text(page.title),
        summary=clean_text(page.summary),
        body=plain_text(page.body)[:MAX_BODY_LENGTH],
        keywords=clean_text(page.link_text),
        url=page.get_absolute_url(),
        date=page.published,
        public_from=_public_from(page),
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
    """(Re)index these resources; remove the ones that no longer exist."""
    ids = set(ids)
    resources = (
        Resource.objects.filter(pk__in=ids).select_related("briefing").prefetch_related("themes", "briefing__themes")
    )
    documents = [_resource_document(r, r.briefing, r.briefing.themes.all() if r.briefing else ()) for r in resources]
    _store(SearchDocument.Type.RESOURCE, ids, documents)


def index_courses(ids):
    """(Re)index these courses; remove the ones that no longer exist."""
    ids = set(ids)
    courses = Course.objects.filter(pk__in=ids).prefetch_related("themes", "outcomes")
    _store(SearchDocument.Type.COURSE, ids, [_course_document(course) for course in courses])


def index_pages(ids):
    """(Re)index these partnership pages; remove the ones that no longer exist."""
    ids = set(ids)
    _store(SearchDocument.Type.PAGE, ids, [_page_document(page) for page in Page.objects.filter(pk__in=ids)])


def index_theme(theme_id):
    """Re-index everything on a theme (its name is part of their text)."""
    rows = SearchDocument.objects.filter(theme_ids__contains=f",{theme_id},").values_list("type", "object_id")
    by_type = {}
    for doc_type, object_id in rows:
        by_type.setdefault(doc_type, set()).add(object_id)
    _index_by_type(by_type)


def index_kind(kind, batch_size=500):
    """Re-index every briefing of one kind (its name, set in site settings, is part of their text)."""
    ids = list(Briefing._base_manager.filter(kind=kind).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        with transaction.atomic():
            index_briefings(ids[start : start + batch_size])
    # Search results cached meanwhile (under the generation the settings' save moved on) lack the new name.
    invalidate()
    return len(ids)


@task()
def reindex_kind(kind):
    """index_kind in the worker: a site settings save that renames a kind cannot wait for thousands of rows."""
    return index_kind(kind)


INDEXERS = {
    SearchDocument.Type.BRIEFING: index_briefings,
    SearchDocument.Type.COURSE: index_courses,
    SearchDocument.Type.RESOURCE: index_resources,
    SearchDocument.Type.PAGE: index_pages,
}


def _index_by_type(by_type):
    # Briefings first: they re-index their own resources, so those need no second pass.
    types = (
        SearchDocument.Type.BRIEFING,
        SearchDocument.Type.RESOURCE,
        SearchDocument.Type.COURSE,
        SearchDocument.Type.PAGE,
    )
    for doc_type in types:
        if by_type.get(doc_type):
            INDEXERS[doc_type](by_type[doc_type])


def ensure_schema():
    """Re-create the full-text structures a table rebuild dropped (SQLite rebuilds a table to alter it)."""
    statements = {"sqlite": SCHEMA_MIGRATION.SQLITE, "postgresql": SCHEMA_MIGRATION.POSTGRES}
    statements = statements.get(connection.vendor, [])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE or CREATE INDEX, even ones that change nothing, fail while deferred
            # constraint checks are pending, so run only what is missing.
            table = SearchDocument._meta.db_table
            columns = {c.name for c in connection.introspection.get_table_description(cursor, table)}
            present = [name in columns for name in ("search_vector", "rank_vector")]
            present.append("portal_searchdocument_vector" in connection.introspection.get_constraints(cursor, table))
            statements = [sql for sql, done in zip(statements, present, strict=True) if not done]
        for statement in statements:
            cursor.execute(statement)


def rebuild_index(batch_size=500):
    """Replace the whole index. Returns the number of documents written."""
    ensure_schema()
    with transaction.atomic():
        SearchDocument.objects.all().delete()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO portal_searchdocument_fts(portal_searchdocument_fts) VALUES ('rebuild')")
        for model, index in [(Briefing, index_briefings), (Course, index_courses), (Page, index_pages)]:
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

    Many signals fire for one admin save (the briefing, each inline, each m2m change); they collect
    in one set, which the first callback to run indexes, each source once.
    """
    if pk is None:
        return
    _pending().add((doc_type, pk))
    # A callback per call rather than per transaction: one registered in a savepoint that rolls back
    # goes with it, and the later ones find the set empty at no cost.
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
