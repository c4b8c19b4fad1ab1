"""RSS feeds of published briefings: all of them, and one per theme."""

import datetime
from typing import NamedTuple

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from briefings.forms import BriefingFilterForm
from briefings.models import Briefing, Theme
from portal.context_processors import site_settings
from portal.models import SiteSettings
from portal.site.search import clean_text

FEED_LENGTH = 50


class Source(NamedTuple):
    """What one request's feed is about (a Feed instance is shared by every request, so it holds nothing)."""

    site: SiteSettings
    theme: Theme | None = None
    filters: BriefingFilterForm | None = None
    chosen: dict = {}

    @property
    def query(self):
        """The filters as a query string, "?kind=...", or "" for the unfiltered feed."""
        return f"?{self.filters.query(self.chosen)}" if self.chosen else ""

    @property
    def labels(self):
        """The chosen options in words ("7-minute briefings, Health"), for the feed's title."""
        words = []
        for name, value in self.chosen.items():
            field = self.filters.fields[name]
            words.append(next(str(label) for key, label in field.choices if str(key) == str(value)))
        return ", ".join(words)


class BriefingFeed(Feed):
    """The newest published briefings, narrowed by the briefing list's filters when the address carries them."""

    def get_object(self, request):
        # The list's filters, so a filtered list's feed is the list's query string; odd values are dropped.
        filters = BriefingFilterForm(request.GET)
        return Source(site_settings(request), filters=filters, chosen=filters.values())

    def title(self, obj):
        title = f"{obj.site.partnership_name}: briefings"
        return f"{title} ({obj.labels})" if obj.chosen else title

    def link(self, obj):
        return reverse("briefings:list") + obj.query

    def description(self, obj):
        return f"New learning briefings about child neglect from {obj.site.partnership_name}."

    def feed_url(self, obj):
        return reverse("feed-briefings") + obj.query

    def items(self, obj):
        briefings = obj.theme.briefings.all() if obj.theme else Briefing.objects.all()
        if obj.chosen:
            briefings = obj.filters.filter(briefings, obj.chosen)
        return briefings.published().order_by("-published", "-created_at").prefetch_related("themes")[:FEED_LENGTH]

    # Control characters pasted into a title or summary would make the XML invalid; clean_text drops them.
    def item_title(self, item):
        return clean_text(item.title)

    def item_description(self, item):
        return clean_text(item.summary)

    def item_pubdate(self, item):
        return timezone.make_aware(datetime.datetime.combine(item.published, datetime.time.min))

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [clean_text(item.kind_name), *(clean_text(theme.name) for theme in item.themes.all())]


class ThemeFeed(BriefingFeed):
    """The newest published briefings on one theme."""

    def get_object(self, request, slug):
        return Source(site_settings(request), get_object_or_404(Theme, slug=slug))

    def title(self, obj):
        return f"{obj.site.partnership_name}: briefings on {obj.theme.name}"

    def link(self, obj):
        return obj.theme.get_absolute_url()

    def description(self, obj):
        return clean_text(obj.theme.summary) or f"New learning briefings on {obj.theme.name}."

    def feed_url(self, obj):
        return reverse("feed-theme", args=[obj.theme.slug])
