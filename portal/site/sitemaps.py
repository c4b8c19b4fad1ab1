"""/sitemap.xml: every public page, and nothing a reader could not open."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from briefings.models import Briefing, Theme
from pages.models import Page
from training.models import Course


class PageSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return [
            "home",
            "briefings:list",
            "briefings:themes",
            "training:list",
            "search",
            "accessibility",
            "staying-safe",
        ]

    def location(self, item):
        return reverse(item)


class BriefingSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Briefing.objects.published().order_by("pk").only("slug", "updated_at")

    def lastmod(self, item):
        return item.updated_at


class ThemeSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Theme.objects.order_by("pk").only("slug")


class CourseSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Course.objects.published().order_by("pk").only("slug", "updated_at")

    def lastmod(self, item):
        return item.updated_at


class PartnershipPageSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Page.objects.published().order_by("pk").only("slug", "updated_at")

    def lastmod(self, item):
        return item.updated_at


SITEMAPS = {
    "pages": PageSitemap,
    "briefings": BriefingSitemap,
    "themes": ThemeSitemap,
    "courses": CourseSitemap,
    "partnership": PartnershipPageSitemap,
}
