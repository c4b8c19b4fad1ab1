"""How each database matches, ranks and cuts snippets; both rank by the one `SEARCH_WEIGHTS` setting.

- SQLite: the FTS5 table (porter stemmer) kept in step by triggers; MATCH, bm25() and snippet().
- PostgreSQL: generated tsvector columns with a GIN index; websearch_to_tsquery('english'),
  ts_rank and ts_headline.

Both structures are created by migration 0003.
"""

import contextlib
import numbers

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVectorField
from django.core import checks
from django.db import connection, transaction
from django.db.models import F, FloatField, Func, Lookup, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat

from portal.models import SearchDocumentFts
from portal.site.search.text import START, STOP

# The indexed columns, in the order of the FTS5 table's columns.
COLUMNS = ("title", "summary", "body", "keywords")
# ts_headline parses the whole text it is given, so it gets a window of the body: from a little
# before the first place a query word's stem appears (or the start), this many characters.
SNIPPET_SOURCE_LENGTH = 3000
SNIPPET_LEAD = 300


def weights():
    """settings.SEARCH_WEIGHTS as numbers in column order (title, summary, body, keywords)."""
    return [float(settings.SEARCH_WEIGHTS[column]) for column in COLUMNS]


@checks.register
def check_weights(app_configs=None, **kwargs):
    """SEARCH_WEIGHTS names every column once with a number above zero."""
    value = getattr(settings, "SEARCH_WEIGHTS", None)
    if (
        isinstance(value, dict)
        and set(value) == set(COLUMNS)
        and all(isinstance(w, numbers.Real) and not isinstance(w, bool) and w > 0 for w in value.values())
    ):
        return []
    return [
        checks.Error(
            f"SEARCH_WEIGHTS must give each of {', '.join(COLUMNS)} a number above zero; it is {value!r}.",
            id="portal.E100",
        )
    ]


class Backend:
    """One database's full-text search: which documents match, how well, and the snippet shown."""

    def __init__(self, parsed):
        self.parsed = parsed

    def match(self, documents):
        """Those of `documents` that match the query."""
        raise NotImplementedError

    def rank(self):
        """An expression ranking a match: higher is better."""
        raise NotImplementedError

    def with_snippets(self, documents, ids):
        """Those of `documents` with these ids, annotated with what `snippet()` reads."""
        raise NotImplementedError

    def snippet(self, document):
        """The text shown under the result, matched words between START and STOP."""
        return getattr(document, "snippet", "") or ""

    @contextlib.contextmanager
    def planner_settings(self):
        """Settings the queries inside this block need; none unless a backend says so."""
        yield


@SearchDocumentFts._meta.get_field("table").register_lookup
class FTS5Match(Lookup):
    """`table MATCH query`, on the FTS5 table's hidden column."""

    lookup_name = "fts5_match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


class SQLiteBackend(Backend):
    """FTS5: MATCH on the joined FTS table, bm25() weighted per column, snippet()."""

    def match(self, documents):
        return documents.filter(fts__table__fts5_match=self.parsed.fts5())

    def rank(self):
        # bm25() is lower for better matches; negated, so both databases sort rank descending.
        return Func(
            F("fts__table"),
            *map(Value, weights()),
            function="bm25",
            template="-%(function)s(%(expressions)s)",
            output_field=FloatField(),
        )

    def with_snippets(self, documents, ids):
        # The ids are checked on the FTS table's rowid, so SQLite tests each match before reading its row
        # (testing the row's id reads every matching row first: twice the time). The `+ 0` keeps SQLite
        # from handing the list to FTS5, which would run the query again for each id.
        documents = documents.alias(fts_rowid=F("fts__pk") + 0).filter(fts_rowid__in=ids)
        # The best of the summary and the body; never the title or keywords.
        return self.match(documents).annotate(
            snippet=self._snippet(COLUMNS.index("body")), summary_snippet=self._snippet(COLUMNS.index("summary"))
        )

    @staticmethod
    def _snippet(column):
        parts = [Value(column), Value(START), Value(STOP), Value("…"), Value(24)]
        return Func(F("fts__table"), *parts, function="snippet", output_field=TextField())

    def snippet(self, document):
        snippet, summary = document.snippet or "", document.summary_snippet or ""
        # The summary when it matches, or when the body does not.
        return summary if START in summary or START not in snippet else snippet


# The generated columns migration 0003 adds, which Django's model state does not describe.
SEARCH_VECTOR = RawSQL('"portal_searchdocument"."search_vector"', [], output_field=SearchVectorField())
RANK_VECTOR = RawSQL('"portal_searchdocument"."rank_vector"', [], output_field=SearchVectorField())
# The stems of the words looked for (e.g. "famili" for "families"), found in the lower-cased body.
FIRST_MATCH = (
    "(SELECT min(nullif(strpos(lower(portal_searchdocument.body), lexeme), 0)) "
    "FROM unnest(tsvector_to_array(to_tsvector('english'::regconfig, %s))) AS lexeme)"
)


class PostgresBackend(Backend):
    """Match on the full `search_vector` (GIN index); rank on the small `rank_vector`; ts_headline."""

    def __init__(self, parsed):
        super().__init__(parsed)
        self.query = SearchQuery(parsed.websearch(), search_type="websearch", config="english")

    def match(self, documents):
        return documents.alias(vector=SEARCH_VECTOR).filter(vector=self.query)

    def rank(self):
        # Ranking from the full vector would mean reading it back out of TOAST; the rank vector
        # (title, summary, the opening of the text) stays in the row. ts_rank takes weights
        # between 0 and 1 in the order D, C, B, A (keywords, body, summary, title).
        top = max(weights())
        return SearchRank(RANK_VECTOR, self.query, weights=[weight / top for weight in reversed(weights())])

    def with_snippets(self, documents, ids):
        window = RawSQL(  # noqa: S611 - fixed SQL; the words are a parameter
            f"substr(portal_searchdocument.body, greatest(1, coalesce({FIRST_MATCH}, 1) - %s), %s)",
            [" ".join(self.parsed.words()), SNIPPET_LEAD, SNIPPET_SOURCE_LENGTH],
            output_field=TextField(),
        )
        snippet = SearchHeadline(
            Concat(F("summary"), Value(" "), window, output_field=TextField()),
            self.query,
            config="english",
            start_sel=START,
            stop_sel=STOP,
            max_words=30,
            min_words=12,
            max_fragments=2,
            fragment_delimiter=" … ",
        )
        return documents.filter(pk__in=ids).annotate(snippet=snippet)

    @contextlib.contextmanager
    def planner_settings(self):
        """Steer the planner to the GIN index for the queries run inside this block."""
        # It costs `search_vector @@ query` on a sequential scan as cheap, but each row's vector must
        # then be read back out of TOAST; through the index it need not be (10x faster for a word every
        # document contains). Disabled plans look hugely expensive, which would start the JIT compiler
        # (half a second), so that goes too. Both settings end with the transaction. This relies on
        # every table the search queries read having an index for the conditions on it (a test checks
        # the plans have no sequential scan).
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true)")
            yield


BACKENDS = {"sqlite": SQLiteBackend, "postgresql": PostgresBackend}


def backend(parsed):
    """The search backend of the default database, for this query."""
    return BACKENDS[connection.vendor](parsed)
