"""Demo data that must be relative to today: the theme of the month."""

import datetime

from django.utils import timezone

from .models import FeaturedTheme, Theme

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
