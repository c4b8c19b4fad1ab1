"""Running a search: counts per filter and one page of results, checked against their sources and cached.

Matches are counted and ranked from the index alone (each row's `public_from` says from which day
the public may find it); the page of results shown is then checked against the briefing, course
or resource itself, so an out-of-date row never shows a draft.
"""

import difflib
import hashlib
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache, caches
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from briefings.models import Briefing, Theme
from pages.models import Page
from portal.cache import generation
from portal.models import SearchDocument
from portal.publication import Status, published_q
from portal.site.models import SynonymGroup, split_terms
from portal.site.search.backends import backend
from portal.site.search.index import schedule
from portal.site.search.query import clean_query, expand, parse_query
from portal.site.search.text import SPACE, START, STOP
from portal.text import WORD

log = logging.getLogger(__name__)

PAGE_SIZE = 20
# The largest page number tried before the count is known (a bigger one gets the last page).
MAX_PAGE = 100_000
Type = SearchDocument.Type
# The "Show" filter's values: everything, each type, and each kind of briefing the model defines.
KIND_VALUES = ["", Type.BRIEFING, *Briefing.Kind.values, Type.COURSE, Type.RESOURCE, Type.PAGE]


def kind_choices():
    """The "Show" filter: everything, each type, and each kind of briefing by the partnership's name for it."""
    return [
        ("", "All results"),
        (Type.BRIEFING, "All briefings"),
        *((kind.value, Briefing.kind_name_of(kind, plural=True)) for kind in Briefing.Kind),
        (Type.COURSE, "Training courses"),
        (Type.RESOURCE, "Resources"),
        (Type.PAGE, "Partnership pages"),
    ]


# Cached results are pickled Result objects: a new prefix whenever that class moves or changes,
# so entries written by the previous version are never read.
CACHE_PREFIX = "site-search-2:"


def public_documents():
    """Documents the public may see, judged now from the briefing or course itself (not from the index).

    Joins, not subqueries over every published briefing: it is asked of one page of results.
    """
    return SearchDocument.objects.filter(
        (Q(type=Type.BRIEFING) & published_q("briefing__"))
        | (Q(type=Type.COURSE) & published_q("course__"))
        | Q(type=Type.RESOURCE, resource__briefing__isnull=True, resource__status=Status.PUBLISHED)
        | (Q(type=Type.RESOURCE) & published_q("resource__briefing__"))
        # A handful of pages, and no link from the index table (the base layer knows no pages): a subquery.
        | Q(type=Type.PAGE, object_id__in=Page.objects.published().values("pk"))
    )


def _kind_sql(kind):
    """The kind filter, as a WHERE clause on the columns of the search's `hits`."""
    if kind in Type.values:
        return " WHERE type = %s", [kind]
    if kind in Briefing.Kind.values:
        return " WHERE type = %s AND subtype = %s", [Type.BRIEFING, kind]
    return "", []


class Search:
    """One query: its public matches (`hits`, with a rank), counted and paged in one statement, then shown."""

    def __init__(self, parsed, theme=None):
        self.backend = backend(parsed)
        documents = SearchDocument.objects.filter(public_from__lte=timezone.localdate())
        if theme:
            documents = documents.filter(theme_ids__contains=f",{theme.pk},")
        documents = self.backend.match(documents).annotate(rank=self.backend.rank())
        self.hits = documents.order_by().values("id", "type", "subtype", "date", "title", "rank")

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
        counts, ids = dict.fromkeys(KIND_VALUES, 0), []
        for doc_type, subtype, n, pk in rows:
            if pk is not None:
                ids.append(pk)
                continue
            counts[""] += n
            counts[doc_type] += n
            if doc_type == Type.BRIEFING and subtype in counts:
                counts[subtype] += n
        return counts, ids

    def shown_queryset(self, ids):
        """The documents with these ids that the public may see now, with snippets."""
        documents = public_documents().select_related("briefing").defer("body")
        return self.backend.with_snippets(documents, ids)

    def shown(self, ids):
        """Those documents in the order of ids, as results; any the index wrongly calls public are re-indexed."""
        if not ids:  # a page past the end, or no match of this kind: no query to build
            return []
        by_id = {document.pk: document for document in self.shown_queryset(ids)}
        stale = [pk for pk in ids if pk not in by_id]
        if stale:
            _reindex(stale)
        return [self.result(by_id[pk]) for pk in ids if pk in by_id]

    def result(self, document):
        snippet = self.backend.snippet(document)
        if START not in snippet:
            # Matched only in the title or the tags (themes, kind, provider): show the tags that matched.
            tags = mark_words(document.keywords, self.backend.parsed.words())
            snippet = f"Tagged: {tags}" if START in tags else snippet or document.summary
        return Result(document, highlight(snippet))


def _stem(word):
    """Enough of a word to recognise its other endings ("complian" for compliance, compliant)."""
    return word if len(word) < 5 else word[: max(4, len(word) - 2)]


def mark_words(text, words):
    """The text with each word that starts like one of `words` between START and STOP."""
    stems = {_stem(word.lower()) for word in words}

    def mark(match):
        token = match.group(0)
        return f"{START}{token}{STOP}" if any(token.lower().startswith(stem) for stem in stems) else token

    return WORD.sub(mark, text or "")


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
        return self.document.briefing if self.document.type == Type.RESOURCE else None


def run_search(query, kind="", theme="", page=None):
    """Everything the search page shows for this query, filters and page number. Never raises on odd input."""
    query = clean_query(query)
    themes = list(Theme.objects.only("pk", "name", "slug"))
    kind = kind if kind in KIND_VALUES else ""
    theme = next((t for t in themes if t.slug == theme), None)
    parsed = expand(parse_query(query), synonyms())
    context = {
        "query": query,
        "kind": kind,
        "theme": theme,
        "themes": themes,
        "searched": bool(query),
        "parsed": bool(parsed),
        "kind_options": [(value, label, None) for value, label in kind_choices()],
        "page_obj": None,
        "count": 0,
        "results": [],
        "suggestion": "",
    }
    if not parsed:
        return context
    key = _cache_key(query, kind, theme, page)
    cached = cache.get(key) if key else None
    if cached is None:
        found = Search(parsed, theme)
        number = _page_number(page)
        with found.backend.planner_settings():
            counts, ids = found.page(kind, number)
            page_obj = Paginator(_Counted(counts[kind]), PAGE_SIZE).get_page(page)
            if page_obj.number != number:  # out of range: Paginator gives the last page instead
                counts, ids = found.page(kind, page_obj.number)
            results = found.shown(ids)
        suggested = suggest(query, theme) if not counts[""] else ""
        if key:
            cache.set(key, (counts, page_obj.number, results, suggested), settings.SEARCH_CACHE_SECONDS)
    else:
        counts, number, results, suggested = cached
        page_obj = Paginator(_Counted(counts[kind]), PAGE_SIZE).page(number)
    filters = {"q": query, "kind": kind, "theme": theme.slug if theme else ""}
    context.update(
        page_query=urlencode({name: value for name, value in filters.items() if value}),
        count=counts[kind],
        page_obj=page_obj,
        results=results,
        suggestion=suggested,
        kind_options=[(value, label, counts.get(value, 0)) for value, label in kind_choices()],
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
    raw = "|".join([str(generation()), str(timezone.localdate()), query, kind, theme.slug if theme else "", str(page)])
    return CACHE_PREFIX + hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()


def synonyms():
    """{words: [words that mean the same]} from the synonym groups staff keep, per worker while nothing changes."""
    local = caches["local"]
    key = f"search-synonyms:{generation()}"
    found = local.get(key)
    if found is None:
        found = synonym_map(SynonymGroup.objects.values_list("terms", flat=True))
        local.set(key, found, 3600)
    return found


def synonym_map(groups):
    """{words: [words that mean the same]} from synonym groups' comma-separated terms."""
    found = {}
    for terms in groups:
        variants = split_terms(terms)
        for words in variants:
            found.setdefault(words, [])
            found[words] += [other for other in variants if other != words and other not in found[words]]
    return found


# Words shorter than this are left alone by "Did you mean": too many near neighbours.
SUGGEST_MIN_LENGTH = 4


def vocabulary():
    """The words of the public items' titles, summaries and tags, kept while no content changes."""
    key = f"{CACHE_PREFIX}vocabulary:{generation()}:{timezone.localdate()}"
    words = cache.get(key)
    if words is None:
        rows = SearchDocument.objects.filter(public_from__lte=timezone.localdate()).values_list(
            "title", "summary", "keywords"
        )
        words = sorted(
            {word.lower() for row in rows for text in row for word in WORD.findall(text) if len(word) >= 4} - {""}
        )
        cache.set(key, words, settings.SEARCH_CACHE_SECONDS or 300)
    return words


def closest(word, words):
    """The word of `words` most like `word`, or None: trigram similarity on PostgreSQL, difflib elsewhere."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT candidate FROM unnest(%s::text[]) AS candidate WHERE similarity(candidate, %s) >= 0.35 "
                "ORDER BY similarity(candidate, %s) DESC, candidate LIMIT 1",
                [words, word, word],
            )
            row = cursor.fetchone()
        return row[0] if row else None
    found = difflib.get_close_matches(word, words, n=1, cutoff=0.75)
    return found[0] if found else None


def suggest(query, theme=None):
    """A query with misspelt words replaced by the nearest words the site uses, if that finds something."""
    words = vocabulary()
    known = set(words)
    changed = False

    def replace(match):
        nonlocal changed
        word = match.group(0)
        if len(word) < SUGGEST_MIN_LENGTH or word.lower() in known or word.isdigit():
            return word
        better = closest(word.lower(), words)
        if better is None:
            return word
        changed = True
        return better

    suggestion = WORD.sub(replace, query)
    if not changed:
        return ""
    parsed = expand(parse_query(suggestion), synonyms())
    found = Search(parsed, theme)
    with found.backend.planner_settings():
        counts, _ = found.page("", 1)
    return suggestion if counts[""] else ""
