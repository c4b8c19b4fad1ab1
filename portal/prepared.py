"""A queryset the ORM compiles to SQL once and then runs for any value of one field, as a page's query per request."""

import copy
import threading
import uuid

from django.db import connections


class PreparedLookup:
    """`queryset.filter(field=value)` with its SQL compiled once: compiling cost a cold page more than running it."""

    def __init__(self, queryset, field):
        # A value no row holds marks where the looked-up value goes among the compiled parameters.
        marker = f"prepared-lookup-{uuid.uuid4().hex}"
        if not queryset.model._meta.get_field(field).unique:
            raise ValueError(f"{field} is not unique: look rows up by a unique field")
        # Ordering is moot for one row (as in get()).
        self.queryset = queryset.filter(**{field: marker}).order_by()
        self.field = field
        self._compiled = threading.local()
        self._marker = marker

    def _compile(self):
        # Per thread: a compiler holds its thread's database connection.
        compiled = getattr(self._compiled, "value", None)
        if compiled is None:
            compiler = self.queryset.query.get_compiler(self.queryset.db)
            sql, params = compiler.as_sql()
            spots = [index for index, param in enumerate(params) if param == self._marker]
            if len(spots) != 1:
                raise ValueError(f"{self.field} is not one parameter of the compiled query: {sql}")
            compiled = self._compiled.value = (compiler, sql, list(params), spots[0])
        return compiled

    def get(self, value):
        """The row whose field equals `value`, or None."""
        compiler, sql, params, spot = self._compile()
        params = [*params[:spot], value, *params[spot + 1 :]]
        run = copy.copy(compiler)
        run.connection = connections[self.queryset.db]
        # The ORM reads the rows back (converters, select_related objects) through this compiler, which
        # compiling for the marker set up; only the parameters differ. The queryset is read here and
        # never chained, so nothing else compiles through it.
        run.as_sql = lambda *args, **kwargs: (sql, tuple(params))
        queryset = self.queryset.all()
        queryset.query.get_compiler = lambda *args, **kwargs: run
        rows = list(queryset)
        return rows[0] if rows else None
