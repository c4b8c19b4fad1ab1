"""RSS feeds of published briefings: all of them, and one per theme."""

import datetime
from typing import NamedTuple

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from briefings.models import Briefing, Theme
from portal.context_processors import site_settings
from portal.models import SiteSettings
from portal.site.search import clean_text

FEED_LENGTH = 50


class Source(NamedTuple):
    """What one request's feed is about (a Feed instance is shared by every request, so it holds nothing)."""

    site: SiteSettings
    theme: Theme | None = None


class BriefingFeed(Feed):
    """The newest published briefings."""

    def get_object(self, request):
        return Source(site_settings(request))

    def title(self, obj):
        return f"{obj.site.partnership_name}: briefings"

    def link(self, obj):
        return reverse("briefings:list")

    def description(self, obj):
        return f"New learning briefings about child neglect from {obj.site.partnership_name}."

    def feed_url(self, obj):
        return reverse("feed-briefings")

    def items(self, obj):
        briefings = obj.theme.briefings.all() if obj.theme else Briefing.objects.all()
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
        return [clean_text(theme.name) for theme in item.themes.all()]


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
