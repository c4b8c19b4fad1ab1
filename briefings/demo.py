"""Demo data made at load time: the theme of the month (relative to today) and the groups the demo briefings name."""

import datetime
from itertools import chain, count
from pathlib import Path

from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from portal import yaml_loader

from .importer import split_front_matter
from .models import FeaturedTheme, ProfessionalGroup, Theme

MESSAGE = (
    "Neglect comes up in most of the case reviews and audits our partnership carries out. This month we are "
    "bringing together what we have learned, the tools that help and the training that goes with them.\n\n"
    "Start with the 7-minute briefing, then use the discussion questions at your next team meeting."
)


def feature_theme_of_the_month(slug="child-neglect", today=None):
    """Feature the theme from the first of this month for a year, so the demo never goes stale."""
    theme = Theme.objects.filter(slug=slug).first()
    if theme is None:
        return None
    today = today or timezone.localdate()
    starts = today.replace(day=1)
    ends = starts.replace(year=starts.year + 1) - datetime.timedelta(days=1)
    feature = FeaturedTheme.objects.filter(theme=theme).order_by("-starts").first() or FeaturedTheme(theme=theme)
    feature.starts, feature.ends, feature.message = starts, ends, MESSAGE
    feature.save()
    return feature


def ensure_professional_groups(briefings_dir):
    """Make the professional groups the demo briefings name, where they are missing (a database emptied by a test).

    A fresh database has them from the migration; the demo never renames or removes a partnership's own.
    """
    names = set()
    for path in sorted(Path(briefings_dir).glob("*.md")):
        front, _ = split_front_matter(path.read_text(encoding="utf-8"))
        names.update(yaml_loader.load(front).get("professional_groups") or [])
    known = set(ProfessionalGroup.objects.values_list("name", flat=True))
    taken = set(ProfessionalGroup.objects.values_list("slug", flat=True))
    last = ProfessionalGroup.objects.aggregate(last=Max("position"))["last"] or 0
    for position, name in enumerate(sorted(names - known), start=last + 1):
        base = slugify(name)[:70] or "group"
        slug = next(s for s in chain([base], (f"{base}-{n}" for n in count(2))) if s not in taken)
        taken.add(slug)
        ProfessionalGroup.objects.create(name=name, slug=slug, position=position)
