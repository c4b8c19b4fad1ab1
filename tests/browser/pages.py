"""One example of every public page type, for the accessibility and reflow checks."""

import datetime

from django.urls import reverse

from briefings.models import Briefing, Theme
from tests.factories import BriefingFactory, CourseFactory, ThemeFactory
from training.models import Course

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


def public_pages():
    """(label, path) for every public page type; the demo content must be loaded first."""
    briefings = {kind: ensure_briefing(kind) for kind in KINDS}
    theme = Theme.objects.filter(briefings__in=briefings.values()).order_by("pk").first()
    course = ensure_course()
    pages = [
        ("home", reverse("home")),
        ("briefing list", reverse("briefings:list")),
        *[(kind, briefings[kind].get_absolute_url()) for kind in KINDS],
        ("team pack", reverse("briefings:team-pack", args=[briefings["seven_minute_briefing"].slug])),
        ("theme", theme.get_absolute_url()),
        ("course list", reverse("training:list")),
        ("course detail", course.get_absolute_url()),
        ("search results", reverse("search") + "?q=neglect"),
        ("staying safe", reverse("staying-safe")),
        ("accessibility", reverse("accessibility")),
        ("team record form", reverse("learning:record", args=[briefings["seven_minute_briefing"].slug])),
        ("privacy notice", reverse("privacy")),
        ("not found", "/no-such-page/"),
    ]
    return pages
