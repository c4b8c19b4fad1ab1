"""One example of every public page type, for the accessibility and reflow checks."""

import datetime

from django.urls import reverse

KINDS = ["thematic_review", "seven_minute_briefing", "audit_findings"]


def ensure_briefing(kind):
    """A published briefing of this kind: the demo one if there is one, else a small one made here."""
    from briefings.models import Briefing, Theme

    briefing = Briefing.objects.published().filter(kind=kind).order_by("pk").first()
    if briefing:
        return briefing
    theme, _ = Theme.objects.get_or_create(slug="child-neglect", defaults={"name": "Child neglect"})
    briefing = Briefing.objects.create(
        title=f"Test {kind.replace('_', ' ')}",
        slug=f"test-{kind.replace('_', '-')}",
        kind=kind,
        summary="What we learned from looking again at neglect cases.",
        status=Briefing.Status.PUBLISHED,
        published=datetime.date(2026, 5, 1),
    )
    briefing.themes.add(theme)
    briefing.sections.create(
        position=1,
        number=1,
        heading="Background",
        body="Neglect is the commonest reason for a child protection plan.\n\n| Age | Cases |\n|---|---|\n| 0-1 | 9 |",
    )
    briefing.questions.create(position=1, text="What is daily life like for this child?")
    return briefing


def ensure_course():
    from training.models import Course

    course = Course.objects.published().order_by("pk").first()
    if course:
        return course
    return Course.objects.create(
        title="Child neglect", slug="child-neglect", summary="Spotting neglect early.", is_published=True
    )


def public_pages():
    """(label, path) for every public page type; the demo content must be loaded first."""
    briefings = {kind: ensure_briefing(kind) for kind in KINDS}
    from briefings.models import Theme

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
        ("not found", "/no-such-page/"),
    ]
    return pages
