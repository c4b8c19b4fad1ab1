from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from markdownx.models import MarkdownxField

from portal.cache import generation
from portal.markdown import MAX_MARKDOWN_LENGTH, RenderedMarkdown, RenderedQuerySet, length_limit
from portal.text import tidy_line


def validate_web_address(value):
    """Only http and https: a booking or exit link must never run script or open a file."""
    if not value.lower().startswith(("http://", "https://")):
        raise ValidationError(
            "Enter a web address that starts with https:// (or http://).",
            code="scheme",
        )


# The kinds of briefing (briefings.Briefing.Kind values) whose names a partnership may set: a field
# `name_<kind>` and `name_<kind>_plural` each. Kept here as plain words so this base app needs no briefings.
KIND_NAME_KINDS = ("thematic_review", "seven_minute_briefing", "audit_findings")
KIND_NAME_LENGTH = 60
# Characters that would read as markup or an entity wherever a name is shown: a name is plain words.
MARKUP = set("<>&{}")


def validate_kind_name(value):
    """A kind's name is one line of plain words: it is shown in pages, feeds, emails and search results."""
    if MARKUP & set(value):
        raise ValidationError("Use plain words: no < > & { or } characters.", code="markup")


def kind_name_field(label, plural=False):
    return models.CharField(
        f"{label}{' (plural)' if plural else ''}",
        max_length=KIND_NAME_LENGTH,
        blank=True,
        default="",
        db_default="",
        validators=[validate_kind_name],
        help_text=(
            "For several, as in a filter or a heading, for example “Safer7 briefings”."
            if plural
            else "What your partnership calls one, for example “Safer7 briefing”. Leave empty for the built-in name."
        ),
    )


class SiteSettings(RenderedMarkdown):
    """The one record of site-wide text that staff edit in admin."""

    MARKDOWN_FIELDS = {"accessibility_statement": "block", "privacy_notice": "block"}

    partnership_name = models.CharField(
        max_length=200,
        default="Example Safeguarding Children Partnership",
        help_text="Shown in the header of every page and on printed briefings.",
    )
    emergency_line = models.TextField(
        default=(
            "If you think a child is at risk of significant harm, contact the Children's "
            "Front Door on 0300 123 4567. In an emergency call 999."
        ),
        help_text=(
            "Shown at the top of every page. Phone numbers (for example 0300 123 4567 or 999) become tap-to-call links."
        ),
        validators=[length_limit(1_000)],
    )
    exit_url = models.URLField(
        "quick exit destination",
        default="https://www.bbc.co.uk/weather",
        validators=[validate_web_address],
        help_text="A neutral site the quick exit goes to. It must not be a search engine results page.",
    )
    accessibility_statement = MarkdownxField(
        blank=True,
        help_text="The accessibility statement in the GOV.UK model. Leave empty to use the built-in statement.",
        validators=[length_limit(MAX_MARKDOWN_LENGTH)],
    )
    accessibility_statement_html = models.TextField(default="", db_default="", editable=False)
    statement_prepared = models.DateField(
        null=True,
        blank=True,
        help_text="When the accessibility statement was prepared or last reviewed.",
    )
    contact_email = models.EmailField(
        blank=True,
        default="learning@example.org",
        help_text="Where readers ask for an accessible format or report a problem.",
    )
    privacy_notice = MarkdownxField(
        blank=True,
        help_text="The privacy notice every form links to. Leave empty to use the built-in notice.",
        validators=[length_limit(MAX_MARKDOWN_LENGTH)],
    )
    privacy_notice_html = models.TextField(default="", db_default="", editable=False)
    record_retention_months = models.PositiveSmallIntegerField(
        "keep team records' free text for (months)",
        default=24,
        db_default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=(
            "After this many months a team record's team name, what the team agreed, its follow-up answer and "
            "any email address are erased, and so are comments on “Was this useful?”; the counts stay "
            "for the reach report."
        ),
    )
    name_thematic_review = kind_name_field("thematic review")
    name_thematic_review_plural = kind_name_field("thematic review", plural=True)
    name_seven_minute_briefing = kind_name_field("7-minute briefing")
    name_seven_minute_briefing_plural = kind_name_field("7-minute briefing", plural=True)
    name_audit_findings = kind_name_field("audit findings")
    name_audit_findings_plural = kind_name_field("audit findings", plural=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RenderedQuerySet.as_manager()

    class Meta:
        verbose_name = "site settings"
        verbose_name_plural = "site settings"

    def __str__(self):
        return "Site settings"

    def clean(self):
        super().clean()
        errors = {}
        for kind in KIND_NAME_KINDS:
            one, several = f"name_{kind}", f"name_{kind}_plural"
            setattr(self, one, tidy_line(getattr(self, one)))
            setattr(self, several, tidy_line(getattr(self, several)))
            # Half a pair would show the partnership's name for one and the built-in name for several.
            if getattr(self, one) and not getattr(self, several):
                errors[several] = "Give the name for several too (for example “Safer7 briefings”)."
            elif getattr(self, several) and not getattr(self, one):
                errors[one] = "Give the name for one too (for example “Safer7 briefing”)."
        if errors:
            raise ValidationError(errors)

    def kind_name(self, kind, plural=False):
        """The partnership's name for a kind of briefing (a Briefing.Kind value), or "" for the built-in one."""
        if kind not in KIND_NAME_KINDS:
            return ""
        return getattr(self, f"name_{kind}_plural" if plural else f"name_{kind}")

    def kind_names(self):
        """Every kind name as set, (kind, one, several) each: what decides the words a page shows for kinds."""
        return tuple((kind, self.kind_name(kind), self.kind_name(kind, plural=True)) for kind in KIND_NAME_KINDS)

    def save(self, *args, **kwargs):
        self.pk = 1
        # Which kinds' names this save changes, for the post_save handlers that re-render bodies and re-index
        # search: a name change must reach them without anyone running a command.
        before = SiteSettings.objects.filter(pk=1).first() if not kwargs.get("force_insert") else None
        old = {kind: names for kind, *names in (before or SiteSettings()).kind_names()}
        self.kind_names_changed = {kind for kind, *names in self.kind_names() if names != old[kind]}
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        # The site always needs its settings; deleting resets nothing.
        return (0, {})

    @classmethod
    def load(cls):
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj

    @classmethod
    def cached(cls):
        """The settings for rendering a page, kept in the worker while no content has changed.

        The key carries the page cache's generation, which moves on whenever any content or
        these settings are saved (and after every admin POST), so an edit shows at once.
        """
        # In the worker's memory, as it is (pages only read it), not a pickled copy per request.
        kept_generation, obj = _site_settings
        if obj is None or kept_generation != generation():
            obj = cls.load()
            # Creating the row on first use moves the generation on: keep it under the new one.
            _site_settings[:] = [generation(), obj]
        return obj


_site_settings = [None, None]


class SearchDocument(models.Model):
    """One searchable briefing, course, resource or partnership page, flattened for full-text search (README "Search").

    Its full-text columns live outside Django's model state: a weighted `search_vector` with a GIN index
    on PostgreSQL, an FTS5 table kept in step by triggers on SQLite (migration 0003).
    """

    class Type(models.TextChoices):
        BRIEFING = "briefing", "Briefing"
        COURSE = "course", "Course"
        RESOURCE = "resource", "Resource"
        PAGE = "page", "Page"

    type = models.CharField(max_length=16, choices=Type.choices)
    object_id = models.PositiveBigIntegerField()
    # Explicit links: deleting the source deletes the row, and publication is checked through them.
    briefing = models.ForeignKey(
        "briefings.Briefing", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    course = models.ForeignKey("training.Course", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    resource = models.ForeignKey(
        "briefings.Resource", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    subtype = models.CharField(max_length=32, blank=True, help_text="Briefing kind, course format or resource kind.")
    label = models.CharField(max_length=60, help_text="What the result is, as readers see it.")
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    keywords = models.TextField(blank=True, help_text="Theme names, publisher: found by search, never shown.")
    url = models.CharField(max_length=600)
    date = models.DateField(null=True, blank=True)
    theme_ids = models.CharField(max_length=1000, blank=True, help_text="Theme ids as ',1,5,'.")
    public_from = models.DateField(
        null=True, blank=True, help_text="The day from which the public may find it; empty if it is not public."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["type", "object_id"], name="searchdocument_unique_source")]

    def __str__(self):
        return f"{self.get_type_display()}: {self.title}"


class SearchDocumentFts(models.Model):
    """SQLite only: the FTS5 table over SearchDocument (migration 0003), so a search can join it without raw SQL."""

    document = models.OneToOneField(
        SearchDocument, primary_key=True, db_column="rowid", on_delete=models.DO_NOTHING, related_name="fts"
    )
    # FTS5's hidden column named after its table: the left side of MATCH, the first argument of bm25() and snippet().
    table = models.TextField(db_column="portal_searchdocument_fts")

    class Meta:
        managed = False
        db_table = "portal_searchdocument_fts"
        default_permissions = ()

    def __str__(self):
        return str(self.document_id)


class Redirect(models.Model):
    """An old web address that now lives elsewhere: answered with a permanent redirect (portal.redirects)."""

    old_path = models.CharField(
        "old address",
        max_length=600,
        unique=True,
        help_text="The address that no longer has a page of its own, e.g. /briefings/old-name/.",
    )
    new_path = models.CharField(
        "new address", max_length=600, help_text="Where it leads now, e.g. /briefings/new-name/."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["old_path"]
        verbose_name = "web address redirect"

    def __str__(self):
        return f"{self.old_path} → {self.new_path}"


class PendingRevision(models.Model):
    """A change to a published briefing or course kept back until a publisher approves it (portal.publication).

    `snapshot` is the whole record with its parts and links as the editor left it (portal.history.snapshot);
    approving applies it. A submission of a draft (`publish`) is approved by publishing the draft.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned"

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    title = models.CharField(max_length=300, help_text="The record's title when it was last saved.")
    snapshot = models.JSONField()
    base_version = models.PositiveIntegerField(help_text="The live record's version the change was made on.")
    publish = models.BooleanField(default=False, help_text="A draft submitted to be published.")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    comment = models.TextField(blank=True, help_text="The publisher's comment when approving or returning.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "status"], name="pendingrevision_item")]
        constraints = [
            # One open change per item: a second person's change is refused, never laid over the first.
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=models.Q(status="pending"),
                name="pendingrevision_one_open_per_item",
            )
        ]

    def __str__(self):
        return f"{self.title} ({self.get_status_display().lower()})"

    @property
    def model(self):
        return self.content_type.model_class()
