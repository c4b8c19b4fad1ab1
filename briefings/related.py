"""A briefing page's related briefings: chosen by a query, and stored rendered by the worker after content changes.

They change when other briefings do (published, withdrawn, retitled, themed), so each StoredBody row keeps the
section with the key it was made under: the page cache's content generation (which every content change moves
on), the day (scheduled briefings come out at midnight), the templates and the script prefix. A page whose row
has another key chooses them itself; the worker stores them all again after each change (store_related),
early each day (store_related_daily), and when a page finds them out of date with no change queued.
"""

import datetime
import hashlib

from django.db import connection
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.template.loader import get_template, render_to_string
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.safestring import mark_safe
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from portal.cache import content_committed, generation
from portal.cache import today as cache_today
from portal.prepared import PreparedQuery
from portal.tasks import queue_unless_waiting

from . import body
from .models import Briefing, StoredBody

RELATED = 3
# Related briefings are ranked among the newest this many that share a theme or the kind, so choosing them
# costs the same with 100 briefings or 10,000 (ranking every briefing took 200 ms at 10,000).
RELATED_CANDIDATES = 100
TEMPLATE = "briefings/includes/related.html"


def query(pk, kind):
    """The related briefings of briefing `pk` of this kind, as values of body.CARD_COLUMNS: one query."""
    through = Briefing.themes.through.objects
    its_themes = through.filter(briefing_id=pk).values("theme_id")
    sharing = through.filter(briefing_id=OuterRef("pk"), theme_id__in=its_themes)
    # Found by walking the published briefings newest first (an index holds the kind too).
    candidates = (
        Briefing.objects.published()
        .exclude(pk=pk)
        .filter(Q(kind=kind) | Q(Exists(sharing)))
        .order_by("-published")
        .values("pk")[:RELATED_CANDIDATES]
    )

    def ranked(briefings):
        # Counted per briefing rather than by joining and grouping, which took SQLite three times as long.
        shared = sharing.order_by().values("briefing_id").annotate(n=Count("*")).values("n")
        return briefings.annotate(
            shared=Coalesce(Subquery(shared), 0),
            same_kind=Case(When(kind=kind, then=Value(1)), default=Value(0), output_field=IntegerField()),
        ).order_by("-shared", "-same_kind", "-published", "-pk")

    # Ranked once to choose, and again to order the chosen few, read with their stored cards.
    chosen = ranked(Briefing.objects.filter(pk__in=candidates)).values("pk")[:RELATED]
    return ranked(Briefing.objects.filter(pk__in=chosen)).values_list(*body.CARD_COLUMNS, named=True)


# Built and compiled to SQL once a day per worker: compiling cost a page more than running it.
_prepared = [None, None]


def chosen(briefing):
    """Published briefings sharing the most themes with `briefing`, then of its kind, newest first: one query.

    Chosen among the newest RELATED_CANDIDATES published briefings that share a theme or the kind.
    """
    today = cache_today()
    if _prepared[0] != today:
        _prepared[:] = [today, PreparedQuery(query, pk=int, kind=str)]
    return _prepared[1].run(pk=briefing.pk, kind=briefing.kind)


_templates_digest = []


def key():
    """What a stored related section is made under: content generation, day, templates, script prefix."""
    if not _templates_digest:  # the card's template is among the body's
        source = get_template(TEMPLATE).template.source
        _templates_digest.append(body.templates_digest() + hashlib.sha256(source.encode()).hexdigest())
    raw = f"{generation()}|{cache_today().isoformat()}|{_templates_digest[0]}|{get_script_prefix()}"
    return hashlib.sha256(raw.encode()).hexdigest()


def render(briefing):
    """The related briefings section of a published briefing's page, chosen now."""
    return render_to_string(TEMPLATE, {"related": body.cards(chosen(briefing))})


def section(briefing):
    """The related section of `briefing`'s page (read with its stored body): as stored if current, else made now."""
    try:
        row = briefing.stored_body
    except StoredBody.DoesNotExist:
        row = None
    current = key()
    if row is not None and row.related_key == current:
        return mark_safe(row.related)  # noqa: S308 - rendered by the template
    _store_again(current)
    return mark_safe(render(briefing))  # noqa: S308


_queued_under = []


def _store_again(current):
    """Have the worker store every section under `current` if no change queued it: once per worker and key.

    Sections also go out of date with no change to content: when the cache loses the content generation
    (a restart, a flush, an evicted entry) and at midnight. Until stored again, every page chooses its own.
    """
    if _queued_under != [current]:
        _queued_under[:] = [current]
        queue_unless_waiting(store_related, timezone.now())


@task()
def store_related(batch_size=500):
    """Store every published briefing's related section again (after a content change), under the current key.

    Several changes in a row queue several of these: one that finds every section current does nothing.
    """
    current = key()  # before reading anything: a change made meanwhile moves the key on, so nothing stale is kept
    stale = StoredBody.objects.filter(briefing__in=Briefing.objects.published()).exclude(related_key=current)
    pks = list(stale.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), batch_size):
        rows = StoredBody.objects.filter(pk__in=pks[start : start + batch_size]).select_related("briefing")
        rows = rows.only("briefing__kind")
        for row in rows:
            row.related, row.related_key = render(row.briefing), current
        # No signals: storing changes no content, so it moves no generation (and queues no other task).
        StoredBody.objects.bulk_update(rows, ["related", "related_key"])
    return len(pks)


def _next_day():
    """A minute into tomorrow, local time."""
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time(0, 1)))


@task()
def store_related_daily():
    """Early each day: every stored section's key moved on at midnight (briefings out today are related now)."""
    try:
        return store_related.call()
    finally:
        # A failed run must not end the daily chain.
        store_related_daily.using(run_after=_next_day()).enqueue()


_queue_ready = []


def _content_committed(sender, **kwargs):
    # A new database's migrations save content before the task table is made: nothing is queued until it is.
    if not _queue_ready:
        if DBTaskResult._meta.db_table not in connection.introspection.table_names():
            return
        _queue_ready.append(True)
    if not Briefing.objects.exists():  # no briefing yet: nothing has related briefings to store
        return
    store_related.enqueue()
    # The daily run starts with the first change stored and then queues itself each day.
    queue_unless_waiting(store_related_daily, _next_day())


def connect():
    content_committed.connect(_content_committed, dispatch_uid="related-content-committed")
