"""One example of every public page type, for the accessibility and reflow checks."""

import datetime

from django.urls import reverse

from alerts.models import Subscriber
from briefings.models import Briefing, Theme
from pages.models import Page
from tests.factories import (
    BriefingFactory,
    CourseFactory,
    PageFactory,
    SessionFactory,
    SubscriberFactory,
    ThemeFactory,
)
from training.models import Course, Session

KINDS = ["thematic_review", "seven_minute_briefing", "audit_findings"]


def ensure_briefing(kind):
    """A published briefing of this kind: the demo one if there is one, else a small one made here."""
    briefing = Briefing.objects.published().filter(kind=kind).order_by("pk").first()
    if briefing:
        return briefing
    return BriefingFactory(
        title=f"Test {kind.replace('_', ' ')}",
        slug=f"test-{kind.replace('_', '-')}",
        kind=kind,
        summary="What we learned from looking again at neglect cases.",
        published=datetime.date(2026, 5, 1),
        themes=[ThemeFactory(name="Child neglect")],
        sections=[
            (
                "Background",
                "Neglect is the commonest reason for a child protection plan.\n\n"
                "| Age | Cases |\n|---|---|\n| 0-1 | 9 |",
            )
        ],
        questions=["What is daily life like for this child?"],
    )


def ensure_course():
    course = Course.objects.published().order_by("pk").first()
    return course or CourseFactory(title="Child neglect", summary="Spotting neglect early.")


def rich_course():
    """A course with an open, a full and a cancelled session: every session label a reader can meet."""
    course = CourseFactory(title="Every kind of session", summary="Open, full and cancelled dates.")
    SessionFactory(course=course, days=20, places_total=20, places_left=20, booking_url="https://example.org/book")
    SessionFactory(course=course, days=30, status=Session.Status.FULL)
    SessionFactory(course=course, days=40, status=Session.Status.CANCELLED, note="Cancelled: trainer unwell.")
    return course


def briefing_with_four_themes():
    """A thematic review tagged with four themes, so its theme links wrap at phone width."""
    themes = [
        ThemeFactory(name=name)
        for name in ("Child neglect", "Professional curiosity", "Information sharing", "Disguised compliance")
    ]
    return BriefingFactory(
        title="Four themes at once",
        kind="thematic_review",
        summary="A review tagged with four themes.",
        themes=themes,
        sections=2,
        questions=["What would you do first?"],
    )


PAGE_BODY = """Our partners share one aim: that neglect is noticed early and acted on.

## What the strategy asks of every agency

- Notice when a child’s needs are not met, and record what you see
- Talk to the child, not only to the adults around them
- Share what you know with the other agencies involved

### How we will measure progress

| Measure | Now | By next year |
|---|---|---|
| Second child protection plans for neglect | 14% | under 10% |
| Staff trained in the graded care profile | 320 | 500 |

Read the [neglect toolkit](https://example.org/neglect-toolkit) and the [training](/training/) that goes with it.
"""


def rich_page():
    """A partnership page with headings, a list, a table and links, linked from the header."""
    page = Page.objects.filter(slug="neglect-strategy").first()
    return page or PageFactory(
        title="Neglect strategy",
        slug="neglect-strategy",
        summary="How the partnership will tackle neglect over the next three years.",
        body=PAGE_BODY,
        placement="header",
        position=30,
        link_text="Strategy",
    )


def public_pages():
    """(label, path) for every public page type; the demo content must be loaded first."""
    briefings = {kind: ensure_briefing(kind) for kind in KINDS}
    theme = Theme.objects.filter(briefings__in=briefings.values()).order_by("pk").first()
    course = ensure_course()
    subscriber = Subscriber.objects.filter(email="axe@example.org").first() or SubscriberFactory(
        email="axe@example.org", themes=[theme]
    )
    pages = [
        ("home", reverse("home")),
        ("briefing list", reverse("briefings:list")),
        *[(kind, briefings[kind].get_absolute_url()) for kind in KINDS],
        ("team pack", reverse("briefings:team-pack", args=[briefings["seven_minute_briefing"].slug])),
        ("presenter", reverse("briefings:present", args=[briefings["seven_minute_briefing"].slug])),
        ("theme", theme.get_absolute_url()),
        ("course list", reverse("training:list")),
        ("what's on", reverse("training:whats-on")),
        ("course detail", course.get_absolute_url()),
        ("course with every session label", rich_course().get_absolute_url()),
        ("review with four themes", briefing_with_four_themes().get_absolute_url()),
        ("search results", reverse("search") + "?q=neglect"),
        ("staying safe", reverse("staying-safe")),
        ("accessibility", reverse("accessibility")),
        ("email updates", reverse("alerts:subscribe") + f"?theme={theme.slug}"),
        ("manage email updates", reverse("alerts:manage", args=[subscriber.token])),
        ("unsubscribe", reverse("alerts:unsubscribe", args=[subscriber.token])),
        ("team record form", reverse("learning:record", args=[briefings["seven_minute_briefing"].slug])),
        ("privacy notice", reverse("privacy")),
        ("partnership page", rich_page().get_absolute_url()),
        ("not found", "/no-such-page/"),
    ]
    return pages
