"""A briefing's page body stored rendered, keyed on a digest of what it is made from, so a page reads one row.

A body whose key does not match the briefing as read is rendered from the parts instead (README "Performance").
"""

import hashlib
import math
import re
import threading
from functools import partial
from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.http import HttpRequest
from django.template.loader import get_template, render_to_string
from django.urls import get_script_prefix
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django_tasks import task

from portal import cache, versions
from portal.history import PARTS
from portal.markdown import RENDERER_VERSION, rerendered, rows_updated
from portal.models import SiteSettings
from portal.templatetags.portal_tags import iso_date, long_date

from .models import Briefing, StoredBody, Theme

TEMPLATE = "briefings/includes/body.html"
TAGS_TEMPLATE = "briefings/includes/og_tags.html"
# The page's other parts that show only the briefing (and the page's own address), stored beside the body.
PAGE_PARTS = {
    "crumbs": "briefings/includes/breadcrumbs.html",
    "print_header": "briefings/includes/print_header.html",
    "share": "includes/share.html",
    "useful": "learning/includes/useful.html",
    "card": "includes/briefing_card.html",
}
# Every template a body is made of: a change to any of them makes every stored body out of date.
TEMPLATES = [TEMPLATE, TAGS_TEMPLATE, "briefings/includes/article_tags.html", "briefings/includes/meta.html",
             "briefings/includes/key_fact_list.html", "briefings/includes/section.html",
             "briefings/includes/resource_list.html", *PAGE_PARTS.values(), "includes/privacy_link.html"]  # fmt: skip
STORED = ["html", "tags", *PAGE_PARTS]
FIELDS = ["slug", "title", "summary", "kind", "audience", "publisher", "based_on", "sample_description",
          "published", "last_reviewed", "review_due", "version"]  # fmt: skip

# Links to the site's own pages in a body (its training) print their full address after them, as every
# outside link does (print.css). A stored body cannot know the host a reader came by, so it holds this
# origin, which never resolves, and page_context() puts the request's in its place.
ORIGIN = "https://this-site.invalid"
_QUOTED_ORIGIN = quote(ORIGIN, safe="")
# Where the stored print header shows the day it is printed, filled in by page_context().
PRINTED_ON = "<!-- printed on -->"


class _AtOrigin(HttpRequest):
    """A request for a briefing's address at ORIGIN: the stored parts that show the page's address are made for it."""

    scheme = "https"

    def __init__(self, path):
        super().__init__()
        self.path = self.path_info = path

    def get_host(self):
        return ORIGIN.removeprefix("https://")


_templates_digest = []
_pending = threading.local()


def templates_digest():
    if not _templates_digest:
        sources = "\0".join(get_template(name).template.source for name in TEMPLATES)
        _templates_digest.append(hashlib.sha256(sources.encode()).hexdigest())
    return _templates_digest[0]


def key(briefing):
    """The digest of what a body is made from that a page reads anyway: the briefing's row, its kind's name, code."""
    return key_of([getattr(briefing, name) for name in FIELDS])


def key_of(values):
    """key() of a briefing whose FIELDS hold these values, in that order."""
    kind = values[FIELDS.index("kind")]
    raw = repr((RENDERER_VERSION, templates_digest(), get_script_prefix(), settings.MEDIA_URL, values,
                Briefing.kind_name_of(kind), Briefing.kind_name_of(kind, plural=True)))  # fmt: skip
    return hashlib.sha256(raw.encode()).hexdigest()


# A 7-minute briefing prints as a sheet of three columns only while it is about one A4 page long:
# Chromium and WeasyPrint balance and break columns a little differently, so over several pages
# their pages drift apart, while a page-wide flowing document breaks alike in both. Measured in
# lines of a printed column (16 px of 9.5 pt text, about 37 characters): one A4 page of columns holds
# about PAGE_LINES, so a briefing between the two prints in columns over two pages.
SHEET_LINES = 250
PAGE_LINES = 165
_COLUMN_CHARS = 37


def _lines(text, chars=_COLUMN_CHARS):
    """Printed column lines of Markdown text: each block (paragraph, list item, table row) starts a line."""
    total = 0.0
    for block in re.split(r"\n\s*\n|\n(?=\s*(?:[-*+]|\d+[.)])\s)", text or ""):
        block = block.strip()
        if not block:
            continue
        if block.startswith("|"):
            # A table in a narrow column: three cells side by side wrap at about a third of the width.
            rows = [row for row in block.splitlines() if not set(row) <= set("|-: ")]
            total += sum(
                max(math.ceil(len(cell.strip()) / (chars / 3 - 2)) for cell in row.split("|")) + 0.5 for row in rows
            )
        else:
            total += sum(math.ceil(len(line) / chars) for line in block.splitlines()) + 0.4
    return total


def print_lines(briefing, questions=True):
    """About how many column lines the briefing's parts take on a printed sheet (the team pack's has no questions)."""
    lines = 0.0
    for section in briefing.sections.all():
        lines += 3 + _lines(section.heading, 30) + _lines(section.body)
    facts = list(briefing.key_facts.all())
    lines += (3 if facts else 0) + sum(3 + _lines(fact.text) + _lines(fact.source) for fact in facts)
    questions = list(briefing.questions.all()) if questions else []
    lines += (3 if questions else 0) + sum(_lines(question.text, 33) for question in questions)
    resources = list(briefing.resources.all())
    lines += (3 if resources else 0) + sum(
        _lines(f"{resource.title} ({resource.href}) – {resource.get_kind_display()}") + _lines(resource.description)
        for resource in resources
    )
    courses = briefing.published_courses
    lines += (3 if courses else 0) + sum(
        _lines(f"{course.title} ({course.get_format_display()})") for course in courses
    )
    lines += _lines(briefing.sample_description)
    return lines


def sheet_pages(briefing, questions=True):
    """About how many A4 pages a 7-minute briefing laid out as a sheet of columns prints on (see PAGE_LINES)."""
    return max(1, math.ceil(print_lines(briefing, questions) / PAGE_LINES))


def fits_one_sheet(briefing):
    """Whether a 7-minute briefing prints as a sheet of panels in columns rather than as a flowing document."""
    return print_lines(briefing) <= SHEET_LINES


def render(briefing):
    """{stored field: HTML}: body, head tags and PAGE_PARTS, rendered from the briefing, its parts, themes, courses."""
    # The sheet estimate and the template read the same parts: fetch them once.
    prefetch_related_objects([briefing], "sections", "questions", "key_facts", "resources")
    context = {
        "briefing": briefing,
        "origin": ORIGIN,
        "sheet": briefing.kind == Briefing.Kind.SEVEN_MINUTE_BRIEFING and fits_one_sheet(briefing),
    }
    rendered = {"html": render_to_string(TEMPLATE, context), "tags": render_to_string(TAGS_TEMPLATE, context)}
    context = {
        "briefing": briefing,
        "request": _AtOrigin(briefing.get_absolute_url()),
        "printed_on": mark_safe(PRINTED_ON),  # noqa: S308 - a fixed comment
        "title": briefing.title,
        "kind": "briefing",
        "slug": briefing.slug,
    }
    rendered |= {name: render_to_string(template, context) for name, template in PAGE_PARTS.items()}
    return rendered


def stored(briefing):
    """The briefing's StoredBody if it is up to date (read with select_related("stored_body")), else None."""
    try:
        row = briefing.stored_body
    except StoredBody.DoesNotExist:
        return None
    return row if row.key == key(briefing) else None


def stored_parts(briefing):
    """{stored field: HTML} of this briefing, as stored when up to date, else rendered now."""
    row = stored(briefing)
    return render(briefing) if row is None else {name: getattr(row, name) for name in STORED}


def page_context(briefing, request):
    """What templates/briefings/detail.html needs besides the briefing: its stored parts for this request's host."""
    origin = f"{request.scheme}://{request.get_host()}"
    quoted = quote(origin, safe="")
    context = {
        name: mark_safe(html.replace(ORIGIN, origin).replace(_QUOTED_ORIGIN, quoted))  # noqa: S308 - rendered by templates
        for name, html in stored_parts(briefing).items()
        if name != "card"
    }
    context["body"] = context.pop("html")
    context["head_tags"] = context.pop("tags")
    context["print_header"] = mark_safe(context["print_header"].replace(PRINTED_ON, _printed_on()))  # noqa: S308
    return context


_printed = [None, ""]


def _printed_on():
    """ "· Printed on" today, as the print header shows it (made once a day)."""
    today = cache.today()
    if _printed[0] != today:
        _printed[:] = [today, format_html('· Printed on <time class="print-date" datetime="{}">{}</time>',
                                          iso_date(today), long_date(today))]  # fmt: skip
    return _printed[1]


# What cards() reads of each briefing: the FIELDS its key is made of, then its stored key and card.
CARD_COLUMNS = [*FIELDS, "stored_body__key", "stored_body__card"]


def cards(rows):
    """Each briefing's card (templates/includes/briefing_card.html), as stored when up to date, else rendered now.

    `rows` are values of CARD_COLUMNS (a queryset's values_list): a card costs no model object.
    """
    made = []
    for *values, stored_key, card in rows:
        if card is None or stored_key != key_of(values):
            briefing = Briefing(**dict(zip(FIELDS, values, strict=True)))
            card = render_to_string(PAGE_PARTS["card"], {"briefing": briefing})
        made.append(mark_safe(card))  # noqa: S308 - rendered by the template
    return made


def store(pks, batch_size=200):
    """Render and store the bodies of these briefings (after the change that moved them has committed)."""
    pks = sorted(pks)
    for start in range(0, len(pks), batch_size):
        briefings = Briefing._base_manager.filter(pk__in=pks[start : start + batch_size]).prefetch_related(
            "sections", "questions", "key_facts", "resources", "themes"
        )
        rows = [StoredBody(briefing=b, key=key(b), **render(b)) for b in briefings]
        # No signals: storing a body changes no content, so the page cache is left as it is.
        StoredBody.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["briefing"], update_fields=["key", *STORED]
        )
    return len(pks)


def schedule(pks, using=None):
    """Store these briefings' bodies once the current transaction commits (at once outside one)."""
    pks = {pk for pk in pks if pk is not None}
    if not pks:
        return
    pending = _pending.__dict__.setdefault("pks", set())
    pending |= pks
    # One callback per call; the first to run after the commit renders each briefing once. A callback
    # lost to a rollback leaves its briefings in `pending` for a later one, which does no harm.
    transaction.on_commit(partial(_flush, frozenset(pks)), using=using, robust=True)


def _flush(pks):
    pending = _pending.__dict__.setdefault("pks", set())
    todo = pks & pending
    pending -= todo
    if todo:
        store(todo)


def _briefings_of(field, pks):
    return set(Briefing._base_manager.filter(**{f"{field}__in": pks}).values_list("pk", flat=True))


def _briefing_saved(sender, instance, raw=False, using=None, **kwargs):
    if not raw:
        schedule({instance.pk}, using)


def _version_moved(sender, pks, using=None, **kwargs):
    if sender is not Briefing:
        return
    if transaction.get_connection(using).in_atomic_block:
        schedule(pks, using)
    else:
        # Autocommit: the version moves before the part is written, and on_commit would render at once,
        # from the old parts. Render once the part is written (_part_written).
        _pending.__dict__.setdefault("after_write", set()).update(pks)


def _part_written(sender, instance, using=None, **kwargs):
    after_write = _pending.__dict__.setdefault("after_write", set())
    pks = {*after_write, instance.briefing_id}
    after_write.clear()
    schedule(pks, using)


def _themes_changed(sender, instance, action, reverse, pk_set, using=None, **kwargs):
    """briefing.themes.add/remove/clear, or theme.briefings...: the briefings on either side."""
    if not reverse:
        if action in {"post_add", "post_remove", "post_clear"}:
            schedule({instance.pk}, using)
    elif action in {"post_add", "post_remove"}:
        schedule(pk_set or (), using)
    elif action == "pre_clear":
        schedule(_briefings_of("themes", {instance.pk}), using)


def _linked(field):
    """A theme or course saved or deleted: the briefings that show its name, address or publication."""

    def handler(sender, instance, raw=False, using=None, **kwargs):
        if not raw:
            schedule(_briefings_of(field, {instance.pk}), using)

    return handler


def _linked_rows_updated(field):
    def handler(sender, pks, using=None, **kwargs):
        schedule(_briefings_of(field, pks), using)

    return handler


def _rerendered(sender, stale_only=False, **kwargs):
    """manage.py rerender_markdown: store every briefing's body again (with --stale-only, those out of date)."""
    briefings = Briefing._base_manager.select_related("stored_body")
    pks = [b.pk for b in briefings if not stale_only or stored(b) is None]
    return store(pks)


@task()
def store_kind(kind):
    """Store again the bodies of every briefing of one kind, whose name changed in the site settings."""
    return store(Briefing._base_manager.filter(kind=kind).values_list("pk", flat=True))


def _kind_names_saved(sender, instance, raw=False, **kwargs):
    """Site settings saved: the bodies that show a kind whose name changed are stored again by the worker.

    Thousands of bodies take minutes to render, too long for the admin's request; until they are stored,
    their digest (which has the kind's name) no longer matches, so pages render them with the new name.
    """
    if not raw:
        for kind in sorted(getattr(instance, "kind_names_changed", ())):
            # Enqueued in the save's own transaction: the task exists exactly when the new name does.
            store_kind.enqueue(kind)


_on_theme, _on_course = _linked("themes"), _linked("courses")
_on_theme_rows, _on_course_rows = _linked_rows_updated("themes"), _linked_rows_updated("courses")


def connect():
    course = Briefing._meta.get_field("courses").related_model
    post_save.connect(_briefing_saved, sender=Briefing, dispatch_uid="body-briefing")
    versions.version_moved.connect(_version_moved, dispatch_uid="body-version")
    for label, _ in PARTS[Briefing._meta.label]:
        part = apps.get_model(label)
        post_save.connect(_part_written, sender=part, dispatch_uid=f"body-part-save-{label}")
        post_delete.connect(_part_written, sender=part, dispatch_uid=f"body-part-delete-{label}")
    m2m_changed.connect(_themes_changed, sender=Briefing.themes.through, dispatch_uid="body-themes")
    for model, handler, rows_handler in [(Theme, _on_theme, _on_theme_rows), (course, _on_course, _on_course_rows)]:
        label = model._meta.label
        post_save.connect(handler, sender=model, dispatch_uid=f"body-save-{label}")
        pre_delete.connect(handler, sender=model, dispatch_uid=f"body-delete-{label}")
        rows_updated.connect(rows_handler, sender=model, dispatch_uid=f"body-update-{label}")
    rerendered.connect(_rerendered, dispatch_uid="body-rerender")
    post_save.connect(_kind_names_saved, sender=SiteSettings, dispatch_uid="body-kind-names")
