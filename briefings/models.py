import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from markdownx.models import MarkdownxField
from simple_history.models import HistoricalRecords

from portal import addresses
from portal.cache import today
from portal.markdown import MAX_MARKDOWN_LENGTH, RenderedMarkdown, RenderedQuerySet, is_bare_link, length_limit
from portal.models import SiteSettings, validate_web_address
from portal.publication import PublicationQuerySet, Publishable, published_q
from portal.versions import PartQuerySet

NO_NAMES = "Public text: never name or identify a child, family or member of staff."


class Theme(RenderedMarkdown):
    """A topic that gathers briefings, courses and resources (e.g. Child neglect)."""

    MARKDOWN_FIELDS = {"description": "block"}

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    summary = models.CharField(max_length=300, blank=True, help_text="One sentence shown on lists.")
    description = MarkdownxField(blank=True, help_text=NO_NAMES, validators=[length_limit(20_000)])
    description_html = models.TextField(default="", db_default="", editable=False)
    history = HistoricalRecords()

    objects = RenderedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("briefings:theme", args=[self.slug])


class FeaturedThemeQuerySet(RenderedQuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(starts__lte=on, ends__gte=on).select_related("theme")


class FeaturedTheme(RenderedMarkdown):
    """A theme of the month: shown on the home page between two dates."""

    MARKDOWN_FIELDS = {"message": "block"}

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="features")
    starts = models.DateField()
    ends = models.DateField()
    message = MarkdownxField(
        blank=True,
        help_text="Why this theme now, in a few sentences. " + NO_NAMES,
        validators=[length_limit(5_000)],
    )
    message_html = models.TextField(default="", db_default="", editable=False)

    objects = FeaturedThemeQuerySet.as_manager()

    class Meta:
        ordering = ["-starts"]
        verbose_name = "theme of the month"
        verbose_name_plural = "themes of the month"
        constraints = [
            models.CheckConstraint(condition=Q(ends__gte=models.F("starts")), name="featuredtheme_ends_after_starts")
        ]

    def __str__(self):
        return f"{self.theme} ({self.starts:%d %b %Y} to {self.ends:%d %b %Y})"


class ProfessionalGroup(models.Model):
    """Who a briefing is for (Health, Education, Police, ...): a short list staff keep in admin."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True, help_text="Used in the briefing list's web address.")
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in the filter; lowest first.")

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class BriefingQuerySet(PublicationQuerySet):
    def overdue(self, on=None):
        on = on or timezone.localdate()
        return self.filter(review_due__lt=on)


class Briefing(Publishable):
    """A thematic review, 7-minute briefing or audit findings briefing."""

    class Kind(models.TextChoices):
        THEMATIC_REVIEW = "thematic_review", "Thematic review"
        SEVEN_MINUTE_BRIEFING = "seven_minute_briefing", "7-minute briefing"
        AUDIT_FINDINGS = "audit_findings", "Audit findings"

        @property
        def plural(self):
            """The label for several of this kind, as in a filter ("7-minute briefings")."""
            plurals = {self.THEMATIC_REVIEW: "Thematic reviews", self.SEVEN_MINUTE_BRIEFING: "7-minute briefings"}
            return plurals.get(self, self.label)

    class Audience(models.TextChoices):
        CHILDREN = "children", "Children"
        ADULTS = "adults", "Adults"
        ALL_AGES = "all_ages", "All ages"

    class BasedOn(models.TextChoices):
        LOCAL_REVIEW = "local_review", "Local review"
        NATIONAL_REVIEW = "national_review", "National review"
        AUDIT = "audit", "Audit"
        RESEARCH = "research", "Research"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, help_text="The last part of the web address.")
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.SEVEN_MINUTE_BRIEFING)
    summary = models.TextField(
        max_length=600,
        help_text="One or two sentences, shown on lists and in search results. " + NO_NAMES,
        validators=[length_limit(600)],
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="briefings")
    audience = models.CharField(max_length=16, choices=Audience.choices, default=Audience.CHILDREN)
    professional_groups = models.ManyToManyField(
        ProfessionalGroup,
        blank=True,
        related_name="briefings",
        verbose_name="professional groups",
        help_text="Who it is for; readers can filter the briefing list by these.",
    )
    publisher = models.CharField(max_length=200, blank=True, help_text="Which partnership published it.")
    based_on = models.CharField(max_length=32, choices=BasedOn.choices, blank=True)
    sample_description = models.TextField(
        blank=True,
        validators=[length_limit(5_000)],
        help_text="Audits: what was looked at, e.g. '14 cases, children aged 2 to 15'. " + NO_NAMES,
    )
    last_reviewed = models.DateField(null=True, blank=True)
    review_due = models.DateField("next review due", null=True, blank=True)
    courses = models.ManyToManyField(
        "training.Course", blank=True, related_name="briefings", help_text="Training linked to this learning."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking: a save from a stale form is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = BriefingQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[themes, courses, professional_groups])

    class Meta:
        ordering = ["-published", "-created_at"]
        permissions = [("publish_briefing", "Can publish and unpublish briefings")]
        # Covers the kind too: related briefings are found by walking published briefings newest first.
        indexes = [models.Index(fields=["status", "published", "kind"], name="briefing_status_published_kind")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published__isnull=False),
                name="briefing_published_has_date",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return addresses.reverse("briefings:detail", self.slug)

    @property
    def kind_plural(self):
        """The name of several of this kind as readers see it ("Safer7 briefings")."""
        return self.kind_name_of(self.kind, plural=True)

    @property
    def kind_list_url(self):
        """The briefing list filtered to this kind: the step above a briefing in its breadcrumbs."""
        return f"{addresses.reverse('briefings:list')}?kind={self.kind}"

    @cached_property
    def theme_list(self):
        """The briefing's themes, read once per request (page head and body both show them)."""
        return list(self.themes.all())

    @cached_property
    def published_courses(self):
        """Linked courses the public may see (the detail view may prefetch this)."""
        return list(self.courses.published())

    @property
    def is_overdue(self):
        return self.review_due is not None and self.review_due < today()

    @staticmethod
    def kind_name_of(kind, plural=False):
        """What the partnership calls this kind (set in site settings), or the built-in name: plain text."""
        member = _KINDS.get(kind)
        if member is None:
            return str(kind)  # a value no longer defined (an old row): shown as it is rather than failing the page
        return SiteSettings.cached().kind_name(member.value, plural) or (member.plural if plural else member.label)

    @property
    def kind_name(self):
        """The name of this briefing's kind as readers see it everywhere (pages, print, feeds, search, email)."""
        return self.kind_name_of(self.kind)


# Each kind by its value, for the names a page shows (looked up several times a page).
_KINDS = {member.value: member for member in Briefing.Kind}


class OrderedPart(models.Model):
    """Shared shape of a briefing's ordered parts."""

    position = models.PositiveIntegerField(default=0, db_index=True)

    # update() on parts moves the briefing's version, as saves and deletes do (portal.versions).
    objects = PartQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["position", "pk"]


class Section(RenderedMarkdown, OrderedPart):
    """A part of a briefing's text; on a 7-minute briefing a numbered panel, its number following from the order."""

    MARKDOWN_FIELDS = {"body": "block"}

    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="sections")
    heading = models.CharField(max_length=200)
    body = MarkdownxField(blank=True, help_text=NO_NAMES, validators=[length_limit(MAX_MARKDOWN_LENGTH)])
    body_html = models.TextField(default="", db_default="", editable=False)
    history = HistoricalRecords()

    class Meta(OrderedPart.Meta):
        pass

    def __str__(self):
        return self.heading


class DiscussionQuestion(RenderedMarkdown, OrderedPart):
    MARKDOWN_FIELDS = {"text": "inline"}

    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField(validators=[length_limit(2_000)])
    text_html = models.TextField(default="", db_default="", editable=False)
    history = HistoricalRecords()

    class Meta(OrderedPart.Meta):
        pass

    def __str__(self):
        return self.text


class KeyFact(OrderedPart):
    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="key_facts")
    figure = models.CharField(max_length=40, help_text="The number that stands out, e.g. 60%.")
    text = models.CharField(max_length=300, help_text="What it means, e.g. 'of serious case reviews feature neglect'.")
    source = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta(OrderedPart.Meta):
        pass

    def __str__(self):
        return f"{self.figure} {self.text}"


class ResourceQuerySet(PartQuerySet):
    def public(self):
        """Resources the public may see: a public briefing's, and published stand-alone ones (the briefing decides)."""
        return self.filter(Q(briefing__isnull=True, status=Resource.Status.PUBLISHED) | published_q("briefing__"))


def resource_upload_to(instance, filename):
    """resources/<year>/<random>/<name as uploaded>: a name never reused, so its file can be cached for long."""
    return f"resources/{timezone.now():%Y}/{secrets.token_hex(8)}/{filename}"


class Resource(OrderedPart):
    """A strategy, toolkit, poster, video or leaflet: a link or an uploaded file."""

    Status = Briefing.Status

    class Kind(models.TextChoices):
        STRATEGY = "strategy", "Strategy"
        TOOLKIT = "toolkit", "Toolkit"
        POSTER = "poster", "Poster"
        VIDEO = "video", "Video"
        LEAFLET = "leaflet", "Leaflet"
        GUIDANCE = "guidance", "Guidance"
        OTHER = "other", "Other"

    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="resources", null=True, blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="resources")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OTHER)
    description = models.CharField(max_length=300, blank=True)
    url = models.URLField("link", max_length=500, blank=True, validators=[validate_web_address])
    file = models.FileField(upload_to=resource_upload_to, blank=True, max_length=255)
    status = models.CharField(
        max_length=16,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text="For a resource on its own. A resource of a briefing is public when its briefing is.",
    )
    history = HistoricalRecords()

    objects = ResourceQuerySet.as_manager()

    class Meta(OrderedPart.Meta):
        permissions = [("publish_resource", "Can publish and unpublish stand-alone resources")]
        constraints = [models.CheckConstraint(condition=~Q(url="") | ~Q(file=""), name="resource_has_link_or_file")]

    def __str__(self):
        return self.title

    @property
    def href(self):
        return self.file.url if self.file else self.url

    @property
    def shows_its_address(self):
        return is_bare_link(self.href, self.title)


class StoredBody(models.Model):
    """A briefing's page body as rendered after its last change (briefings/body.py), so a page reads one row."""

    briefing = models.OneToOneField(Briefing, on_delete=models.CASCADE, primary_key=True, related_name="stored_body")
    key = models.CharField(
        max_length=64, editable=False, help_text="What it was rendered from; another key means it is out of date."
    )
    html = models.TextField(editable=False)
    tags = models.TextField(editable=False, help_text="The page head's Open Graph and article tags.")
    # The page's other parts that show only the briefing: read with the body, so a page renders none of them.
    crumbs = models.TextField(editable=False, default="", help_text="The breadcrumbs above the page.")
    print_header = models.TextField(editable=False, default="", help_text="The running header of the printed page.")
    share = models.TextField(editable=False, default="", help_text="The “Share this page” section.")
    useful = models.TextField(editable=False, default="", help_text="The “Was this useful?” form.")
    related = models.TextField(editable=False, default="", help_text="The related briefings section, as stored.")
    related_key = models.CharField(
        max_length=64, editable=False, default="", help_text="What the related section was made under (related.py)."
    )
    card = models.TextField(
        editable=False, default="", help_text="Its card among another briefing's related briefings."
    )

    def __str__(self):
        return f"Stored body of {self.briefing_id}"


class ImportBatch(models.Model):
    """Files an admin import has previewed, kept on the server until confirmed, so the browser is never trusted."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(default=timezone.now, db_index=True)
    files = models.BinaryField(help_text="A zip of the files that passed the preview.")

    def __str__(self):
        return f"Import previewed by {self.user_id} at {self.created:%Y-%m-%d %H:%M}"


# What a kind starts with while it has no starter layout of its own (the first migration saves these as layouts).
STARTER_DEFAULTS = {
    Briefing.Kind.SEVEN_MINUTE_BRIEFING: [
        "What this briefing is about",
        "Why it matters",
        "What we found",
        "What it means for practice",
        "What good looks like",
        "Where to find out more",
        "Questions to consider",
    ],
    Briefing.Kind.THEMATIC_REVIEW: [
        "Learning journey",
        "Good practice",
        "What else we found",
        "What we learned",
        "Recommendations",
        "What you can do",
    ],
    Briefing.Kind.AUDIT_FINDINGS: ["Good practice", "Key learning", "Improving practice", "Next steps"],
}


class StarterLayout(models.Model):
    """The sections a new briefing of one kind starts with; publishers change them in admin."""

    kind = models.CharField(max_length=32, choices=Briefing.Kind.choices, unique=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind"]

    def __str__(self):
        return f"Starter layout: {self.get_kind_display()}"

    @classmethod
    def headings_for(cls, kind):
        """The headings a new briefing of `kind` starts with: its layout's, or the defaults while it has none."""
        layout = cls.objects.filter(kind=kind).prefetch_related("sections").first()
        if layout is None:
            return list(STARTER_DEFAULTS.get(kind, []))
        return [section.heading for section in layout.sections.all()]


class StarterSection(models.Model):
    layout = models.ForeignKey(StarterLayout, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField(default=0)
    heading = models.CharField(
        max_length=200, help_text="Shown to readers unless the editor changes it: say what the section is for."
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "starting section"

    def __str__(self):
        return self.heading
