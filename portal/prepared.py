"""Querysets the ORM compiles to SQL once and then runs for other values, as a page's queries per request."""

import copy
import re
import secrets
import threading
import uuid
import weakref

from django.conf import settings
from django.db import connections

_PLACEHOLDER = re.compile(r"%%|%s")


def _server_side(sql):
    """The compiled SQL with PostgreSQL's numbered parameters ($1, $2, ...) for PREPARE, and how many there are."""
    count = 0

    def number(match):
        nonlocal count
        if match.group() == "%%":
            return "%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(number, sql), count


class _Prepared:
    """A queryset built with stand-in values, compiled once per thread, run with real values in their place."""

    def __init__(self, queryset, markers):
        # `markers` maps each parameter's name to its stand-in: a value no row holds and no other
        # parameter of the query has, so its places among the compiled parameters can be found.
        self.queryset = queryset
        self.markers = markers
        self._compiled = threading.local()
        # On PostgreSQL the query is also prepared on the server, once per database connection: planning it
        # took the server longer than running it (about 0.4 ms of a page's 0.6 ms there).
        self._name = f"portal_prepared_{uuid.uuid4().hex}"
        self._prepared_on = weakref.WeakKeyDictionary()

    def _compile(self):
        # Per thread: a compiler holds its thread's database connection.
        compiled = getattr(self._compiled, "value", None)
        if compiled is None:
            compiler = self.queryset.query.get_compiler(self.queryset.db)
            sql, params = compiler.as_sql()
            # How each column read back is converted (dates from SQLite's text, ...): the same for every run,
            # and working it out for every row read cost a page more than running the query.
            converters = compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]])
            spots = {}
            for name, marker in self.markers.items():
                spots[name] = [i for i, param in enumerate(params) if type(param) is type(marker) and param == marker]
                if not spots[name]:
                    raise ValueError(f"{name} is not a parameter of the compiled query: {sql}")
            compiled = self._compiled.value = (compiler, sql, list(params), spots, converters)
        return compiled

    def _run(self, values):
        compiler, sql, params, spots, converters = self._compile()
        params = list(params)
        for name, value in values.items():
            for spot in spots[name]:
                params[spot] = value
        run = copy.copy(compiler)
        run.connection = connections[self.queryset.db]
        if run.connection.vendor == "postgresql" and getattr(settings, "DATABASE_PREPARED_STATEMENTS", False):
            sql = self._on_server(run.connection, sql, len(params))
        # The ORM reads the rows back (converters, select_related objects, annotations) through this
        # compiler, which compiling for the markers set up; only the parameters differ. The queryset is
        # read here and never chained, so nothing else compiles through it.
        run.as_sql = lambda *args, **kwargs: (sql, tuple(params))
        run.get_converters = lambda expressions: converters
        queryset = self.queryset.all()
        queryset.query.get_compiler = lambda *args, **kwargs: run
        return list(queryset)

    def _on_server(self, connection, sql, count):
        """EXECUTE of this query prepared on the server side of `connection` (PREPARE it there first if need be)."""
        with connection.cursor() as cursor:  # connects, or reconnects after a failed health check, first
            raw = connection.connection
            if raw not in self._prepared_on:
                statement, numbered = _server_side(sql)
                if numbered != count:
                    raise ValueError(f"{count} parameters, {numbered} placeholders: {sql}")
                # A prepared statement belongs to the connection, not to a transaction: a rollback keeps it.
                cursor.execute(f"PREPARE {self._name} AS {statement}")
                self._prepared_on[raw] = True
        return f"EXECUTE {self._name}({', '.join(['%s'] * count)})" if count else f"EXECUTE {self._name}"


class PreparedLookup(_Prepared):
    """`queryset.filter(field=value)` with its SQL compiled once: compiling cost a cold page more than running it."""

    def __init__(self, queryset, field):
        # A value no row holds marks where the looked-up value goes among the compiled parameters.
        marker = f"prepared-lookup-{uuid.uuid4().hex}"
        if not queryset.model._meta.get_field(field).unique:
            raise ValueError(f"{field} is not unique: look rows up by a unique field")
        # Ordering is moot for one row (as in get()).
        super().__init__(queryset.filter(**{field: marker}).order_by(), {field: marker})
        self.field = field
        self._marker = marker

    def _compile(self):
        compiled = super()._compile()
        if len(compiled[3][self.field]) != 1:
            raise ValueError(f"{self.field} is not one parameter of the compiled query: {compiled[1]}")
        return compiled

    def get(self, value):
        """The row whose field equals `value`, or None."""
        rows = self._run({self.field: value})
        return rows[0] if rows else None


class PreparedQuery(_Prepared):
    """The queryset `build(**parameters)` returns, compiled to SQL once, then run for any parameters' values.

    `types` names each parameter and its type (int or str): `build` is called once with stand-ins of
    those types, so it must pass each parameter into the query as a value (a filter or an expression),
    never use it to choose the query's shape.
    """

    def __init__(self, build, **types):
        markers = {}
        for name, kind in types.items():
            if kind is int:
                # Negative, so no key or count equals it, yet in a 32-bit column's range: the ORM finds
                # no match at all (and drops the condition) for a value a column cannot hold.
                markers[name] = -2_000_000_000 - secrets.randbelow(100_000_000)
            elif kind is str:
                markers[name] = f"prepared-query-{uuid.uuid4().hex}"
            else:
                raise ValueError(f"{name}: a prepared query's parameters are int or str, not {kind!r}")
        super().__init__(build(**markers), markers)

    def run(self, **values):
        """The rows for these values of the parameters, as a list."""
        if values.keys() != self.markers.keys():
            raise TypeError(f"give exactly these parameters: {', '.join(self.markers)}")
        return self._run(values)
