from functools import partial

from django.core.validators import EmailValidator, URLValidator
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from markdownx.models import MarkdownxField
from simple_history.models import HistoricalRecords

from portal.markdown import RenderedMarkdown, RenderedQuerySet, length_limit
from portal.models import validate_web_address
from portal.publication import PublicationQuerySet, Publishable, published_q
from portal.versions import PartQuerySet

WAITING_LIST_MESSAGE = "Enter a web address that starts with https:// (or http://), or an email address."


def validate_waiting_list(value):
    """A waiting list is a web address (http or https) or an email address, so the page can link to it."""
    check = EmailValidator if "@" in value and "/" not in value else partial(URLValidator, schemes=["http", "https"])
    check(message=WAITING_LIST_MESSAGE)(value)


class CourseQuerySet(RenderedQuerySet, PublicationQuerySet):
    def with_upcoming(self):
        """Each course with `next_session_starts` and `upcoming_session_count`, from Session.objects.upcoming()."""
        sessions = Session.objects.upcoming(published=False).filter(course=OuterRef("pk")).order_by()
        counted = sessions.values("course").annotate(n=Count("pk")).values("n")
        return self.annotate(
            next_session_starts=Subquery(sessions.order_by("starts").values("starts")[:1]),
            upcoming_session_count=Coalesce(Subquery(counted), 0),
        )


class Course(Publishable, RenderedMarkdown):
    MARKDOWN_FIELDS = {"description": "block"}

    class Format(models.TextChoices):
        CLASSROOM = "classroom", "Classroom"
        VIRTUAL = "virtual", "Virtual (live online)"
        ELEARNING = "elearning", "eLearning"

    class Audience(models.TextChoices):
        EVERYONE = "everyone", "Everyone who works or volunteers with children"
        PRACTITIONERS = "practitioners", "Practitioners working with children and families"
        MANAGERS = "managers", "Managers and supervisors"
        SPECIALISTS = "specialists", "Specialist and lead practitioners"

    class Level(models.IntegerChoices):
        ONE = 1, "Level 1 (awareness)"
        TWO = 2, "Level 2 (practitioner)"
        THREE = 3, "Level 3 (advanced)"
        FOUR = 4, "Level 4 (specialist)"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField(
        max_length=600, help_text="One or two sentences, shown on lists.", validators=[length_limit(600)]
    )
    description = MarkdownxField(blank=True, validators=[length_limit(20_000)])
    description_html = models.TextField(default="", db_default="", editable=False)
    audience = models.CharField(max_length=16, choices=Audience.choices, default=Audience.PRACTITIONERS)
    audience_detail = models.CharField(
        "who it is for", max_length=300, blank=True, help_text="e.g. 'Health visitors, school nurses and GPs'."
    )
    level = models.PositiveSmallIntegerField(choices=Level.choices, null=True, blank=True)
    format = models.CharField(max_length=16, choices=Format.choices, default=Format.CLASSROOM)
    duration = models.CharField(max_length=100, blank=True, help_text="e.g. 'Half day (3 hours)'.")
    prerequisites = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="required_for",
        help_text="Courses to complete first.",
    )  # fmt: skip
    prerequisites_text = models.TextField(
        "other prerequisites",
        blank=True,
        help_text="e.g. 'GCP2 may only be used by trained practitioners'.",
        validators=[length_limit(5_000)],
    )
    cost = models.CharField("cost or eligibility", max_length=300, blank=True)
    provider = models.CharField(max_length=200, blank=True)
    booking_url = models.URLField(
        "booking link", max_length=500, blank=True, validators=[validate_web_address],
        help_text="For eLearning, or when sessions are booked on one page. http or https only.",
    )  # fmt: skip
    themes = models.ManyToManyField("briefings.Theme", blank=True, related_name="courses")
    waiting_list = models.CharField(
        "waiting list",
        max_length=300,
        blank=True,
        validators=[validate_waiting_list],
        help_text="A web address or an email address for joining the waiting list when a session is full. "
        "Leave empty to give the partnership's contact email from site settings.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CourseQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[themes])

    class Meta:
        ordering = ["title"]
        permissions = [("publish_course", "Can publish and unpublish courses")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published__isnull=False), name="course_published_has_date"
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("training:detail", args=[self.slug])

    @property
    def waiting_list_is_email(self):
        return "@" in self.waiting_list and "/" not in self.waiting_list


class LearningOutcome(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="outcomes")
    position = models.PositiveIntegerField(default=0, db_index=True)
    text = models.CharField(max_length=400)
    history = HistoricalRecords()

    # update() on parts moves the course's version, as saves and deletes do (portal.versions).
    objects = PartQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.text


class SessionQuerySet(PartQuerySet):
    def upcoming(self, published=True):
        """Sessions that have not ended and are not cancelled (by default only on published courses)."""
        sessions = self.filter(ends__gt=timezone.now()).exclude(status=Session.Status.CANCELLED)
        return sessions.filter(published_q("course__")) if published else sessions

    def bookable(self):
        open_places = Q(places_left__isnull=True) | Q(places_left__gt=0)
        return self.upcoming().filter(open_places, status=Session.Status.OPEN, starts__gt=timezone.now())


class Session(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open for booking"
        FULL = "full", "Full"
        CANCELLED = "cancelled", "Cancelled"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    starts = models.DateTimeField()
    ends = models.DateTimeField()
    is_online = models.BooleanField("online", default=False)
    location = models.CharField(
        "place", max_length=300, blank=True, help_text="Venue and address, or 'Microsoft Teams' for online sessions."
    )
    places_total = models.PositiveIntegerField(
        "places in total", null=True, blank=True, help_text="How many people the session can take."
    )
    places_left = models.PositiveIntegerField(
        "places left",
        null=True,
        blank=True,
        help_text="How many can still book; the course page shows “N places left”, and 0 shows the session as full.",
    )
    booking_url = models.URLField(
        "booking link", max_length=500, blank=True, validators=[validate_web_address],
        help_text="Leave empty to use the course's booking link. http or https only.",
    )  # fmt: skip
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    note = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts"]
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=models.F("starts")), name="session_ends_after_starts"),
            models.CheckConstraint(
                condition=Q(places_left__isnull=True)
                | Q(places_total__isnull=True)
                | Q(places_left__lte=models.F("places_total")),
                name="session_places_left_within_total",
            ),
        ]

    def __str__(self):
        local = timezone.localtime(self.starts)
        return f"{self.course}: {local:%a %d %b %Y %H:%M}"

    @property
    def booking_link(self):
        return self.booking_url or self.course.booking_url

    @property
    def is_full(self):
        return self.status == self.Status.FULL or self.places_left == 0

    @property
    def is_bookable(self):
        return (
            self.status == self.Status.OPEN
            and self.places_left != 0
            and self.starts > timezone.now()
            and bool(self.booking_link)
        )
