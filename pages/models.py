from django.db import models
from django.db.models import Q
from django.urls import reverse
from markdownx.models import MarkdownxField
from simple_history.models import HistoricalRecords

from portal.markdown import MAX_MARKDOWN_LENGTH, RenderedMarkdown, RenderedQuerySet, length_limit
from portal.publication import PublicationQuerySet, Publishable

from .routes import validate_page_slug

NO_NAMES = "Public text: never name or identify a child, family or member of staff."


class PageQuerySet(RenderedQuerySet, PublicationQuerySet):
    pass


class Page(Publishable, RenderedMarkdown):
    """A page about the partnership itself (About us, Contact, a strategy, a toolkit), at /<slug>/."""

    MARKDOWN_FIELDS = {"body": "block"}

    class Placement(models.TextChoices):
        NONE = "", "Not in the navigation"
        HEADER = "header", "Header (top of every page)"
        FOOTER = "footer", "Footer (foot of every page)"

    title = models.CharField(max_length=200, help_text="The page's heading, e.g. “About us”.")
    slug = models.SlugField(
        "web address",
        max_length=80,
        unique=True,
        validators=[validate_page_slug],
        help_text="The last part of the page's address: “about” gives /about/. Lower-case letters, numbers "
        "and hyphens. Changing it later keeps the old address working (it redirects).",
    )
    summary = models.TextField(
        max_length=300,
        help_text="One or two sentences, shown in search results and to search engines. " + NO_NAMES,
        validators=[length_limit(300)],
    )
    body = MarkdownxField(help_text=NO_NAMES, validators=[length_limit(MAX_MARKDOWN_LENGTH)])
    body_html = models.TextField(default="", db_default="", editable=False)
    placement = models.CharField(
        "show a link in",
        max_length=8,
        choices=Placement.choices,
        default=Placement.NONE,
        blank=True,
        help_text="Where readers find a link to this page on every page of the site, once it is published.",
    )
    position = models.PositiveSmallIntegerField(
        "order in the navigation",
        default=100,
        help_text="Lowest first among the pages in the same place (10, 20, 30 leaves room to add one between).",
    )
    link_text = models.CharField(
        max_length=40,
        blank=True,
        help_text="Shorter words for the navigation link, e.g. “About” for “About the partnership”. "
        "Leave empty to use the title.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking: a save from a stale form is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = PageQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["placement", "position", "title"]
        permissions = [("publish_page", "Can publish and unpublish partnership pages")]
        verbose_name = "partnership page"
        # Search checks each result against its page (portal.site.search.results): by index, never by a scan.
        indexes = [models.Index(fields=["status", "published"], name="page_status_published")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published__isnull=False), name="page_published_has_date"
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("pages:detail", args=[self.slug])

    @property
    def nav_text(self):
        return self.link_text or self.title
