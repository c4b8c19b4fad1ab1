"""The review desk: what needs doing, at the top of the admin index.

Each panel is a list of rows, one query each however much content there is (only the first
PANEL_ROWS rows are shown, with a link to the full list). A row is a `DeskRow`: what it is, a
link to its admin page and, when the public can see it, to its public page.

The models are reached through the app registry: this module is part of the base layer.
"""

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from portal import publication

PANEL_ROWS = 8
DUE_WITHIN_DAYS = 30
UNTOUCHED_DAYS = 90
RECENT_DAYS = 30


@dataclass
class DeskRow:
    title: str
    kind: str
    admin_url: str
    public_url: str = ""
    date: datetime.date | datetime.datetime | None = None
    note: str = ""


@dataclass
class Panel:
    slug: str
    title: str
    explanation: str
    rows: list
    more: bool = False
    more_url: str = ""
    empty: str = "Nothing here."


def _revision_row(revision, admin_view, date, note):
    opts = revision.model._meta
    return DeskRow(
        title=revision.title,
        kind=f"{'Draft to publish' if revision.publish else 'Change'}: {opts.verbose_name}",
        admin_url=reverse(f"admin:{opts.app_label}_{opts.model_name}_{admin_view}", args=[revision.object_id]),
        date=date,
        note=note,
    )


def awaiting_approval(user):
    """Changes and drafts waiting for a publisher, oldest first, each linking to its review page."""
    waiting = publication.awaiting_approval().select_related("content_type")[:PANEL_ROWS]
    return [_revision_row(r, "signoff_review", r.created, f"from {publication.who(r.author)}") for r in waiting]


def returned_to(user):
    """Changes a publisher sent back to `user`, newest first, with the comment; the form opens on them."""
    returned = publication.returned_to(user).select_related("content_type")[:PANEL_ROWS]
    return [_revision_row(r, "change", r.decided_at, r.comment) for r in returned]


def _briefing_row(briefing, date=None, note=""):
    public = briefing.get_absolute_url() if briefing.is_published else ""
    return DeskRow(
        title=briefing.title,
        kind=briefing.kind_name,
        admin_url=reverse("admin:briefings_briefing_change", args=[briefing.pk]),
        public_url=public,
        date=date,
        note=note,
    )


def _course_row(course, date=None, note=""):
    return DeskRow(
        title=course.title,
        kind="Course",
        admin_url=reverse("admin:training_course_change", args=[course.pk]),
        public_url=course.get_absolute_url() if course.is_published else "",
        date=date,
        note=note,
    )


def _first(queryset):
    """The first PANEL_ROWS rows and whether there are more, in one query."""
    rows = list(queryset[: PANEL_ROWS + 1])
    return rows[:PANEL_ROWS], len(rows) > PANEL_ROWS


def _briefing_fields(queryset):
    return queryset.only("pk", "title", "slug", "kind", "status", "published", "review_due", "updated_at")


def panels(user, today=None):
    """The desk's panels for `user`, in the order they are shown."""
    today = today or timezone.localdate()
    Briefing = apps.get_model("briefings", "Briefing")
    Course = apps.get_model("training", "Course")
    see_briefings = user.has_perm("briefings.view_briefing")
    see_courses = user.has_perm("training.view_course")
    briefings_url = reverse("admin:briefings_briefing_changelist")
    result = [
        Panel(
            "awaiting-approval",
            "Awaiting approval",
            "Changes waiting for a publisher, oldest first.",
            list(awaiting_approval(user)),
            empty="Nothing is waiting for approval.",
        ),
        Panel(
            "returned-to-me",
            "Returned to me",
            "Your changes a publisher sent back, with their comment.",
            list(returned_to(user)),
            empty="Nothing has been sent back to you.",
        ),
    ]
    if see_briefings:
        soon, more = _first(
            _briefing_fields(Briefing.objects.filter(review_due__gte=today))
            .filter(review_due__lte=today + datetime.timedelta(days=DUE_WITHIN_DAYS))
            .order_by("review_due", "pk")
        )
        result.append(
            Panel(
                "due-for-review",
                f"Due for review in the next {DUE_WITHIN_DAYS} days",
                "Check each is still accurate, then update its review dates.",
                [_briefing_row(b, b.review_due, _due_note(b.review_due, today)) for b in soon],
                more,
                f"{briefings_url}?review=soon",
                empty="No briefing falls due for review in the next 30 days.",
            )
        )
        overdue, more = _first(_briefing_fields(Briefing.objects.overdue(today)).order_by("review_due", "pk"))
        result.append(
            Panel(
                "overdue",
                "Overdue for review",
                "Readers of these are told the briefing is due for review. Longest overdue first.",
                [_briefing_row(b, b.review_due, _overdue_note(b.review_due, today)) for b in overdue],
                more,
                f"{briefings_url}?review=overdue",
                empty="No briefing is overdue for review.",
            )
        )
    untouched_since = timezone.now() - datetime.timedelta(days=UNTOUCHED_DAYS)
    stale = []
    more = False
    if see_briefings:
        drafts, more_b = _first(
            _briefing_fields(Briefing.objects.drafts().filter(updated_at__lt=untouched_since)).order_by(
                "updated_at", "pk"
            )
        )
        stale += [_briefing_row(b, b.updated_at, "draft") for b in drafts]
        more = more or more_b
    if see_courses:
        drafts, more_c = _first(
            Course.objects.drafts()
            .filter(updated_at__lt=untouched_since)
            .only("pk", "title", "slug", "status", "published", "updated_at")
            .order_by("updated_at", "pk")
        )
        stale += [_course_row(c, c.updated_at, "unpublished course") for c in drafts]
        more = more or more_c
    if see_briefings or see_courses:
        stale.sort(key=lambda row: row.date)
        result.append(
            Panel(
                "untouched-drafts",
                f"Drafts untouched for {UNTOUCHED_DAYS} days",
                "Finish them, or delete those no longer wanted. Oldest first.",
                stale[:PANEL_ROWS],
                more or len(stale) > PANEL_ROWS,
                f"{briefings_url}?status__exact=draft",
                empty=f"No draft has been left for {UNTOUCHED_DAYS} days.",
            )
        )
    if see_briefings:
        recent, more = _first(
            _briefing_fields(Briefing.objects.published())
            .filter(published__gte=today - datetime.timedelta(days=RECENT_DAYS))
            .order_by("-published", "-pk")
        )
        result.append(
            Panel(
                "recently-published",
                "Recently published",
                f"Briefings published in the last {RECENT_DAYS} days, newest first.",
                [_briefing_row(b, b.published) for b in recent],
                more,
                f"{briefings_url}?status__exact=published",
                empty=f"Nothing has been published in the last {RECENT_DAYS} days.",
            )
        )
    return result


def _due_note(due, today):
    n = (due - today).days
    return "due today" if n == 0 else f"due in {_plural(n, 'day')}"


def _overdue_note(due, today):
    return f"{_plural((today - due).days, 'day')} overdue"


def _plural(n, word):
    return f"{n} {word}{'' if n == 1 else 's'}"
