"""What teams did with a briefing: meetings recorded, and readers' "Was this useful?" answers."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from briefings.models import Briefing
from training.models import Course


class Agency(models.Model):
    """An agency a team belongs to, from the list the partnership keeps in admin."""

    name = models.CharField(max_length=100, unique=True)
    position = models.PositiveIntegerField(default=0, help_text="Lower numbers come first in the form's list.")
    active = models.BooleanField(default=True, help_text="Untick to stop offering it; past records keep it.")

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "agencies"

    def __str__(self):
        return self.name


class TeamRecord(models.Model):
    """A team's record that it discussed a briefing, kept as evidence of the learning's reach."""

    # Evidence outlives the page: a deleted briefing leaves its records, named by the title they had.
    briefing = models.ForeignKey(Briefing, on_delete=models.SET_NULL, null=True, related_name="team_records")
    briefing_title = models.CharField(max_length=300)
    met_on = models.DateField("date of the meeting")
    team = models.CharField("team or service", max_length=200)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="team_records")
    attendees = models.PositiveIntegerField(
        "number attending", validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    changes = models.TextField("what the team agreed to do differently", max_length=4000, blank=True)
    email = models.EmailField("email for a follow-up", blank=True)
    # The site's address as the team reached it: the follow-up email, sent later by the worker with no
    # request in hand, links back to the same site (the host was checked against ALLOWED_HOSTS).
    site_address = models.CharField(max_length=300, blank=True, editable=False)
    # Kept beside the counts so the report adds up answered follow-ups in the same pass over an index.
    follow_up_answered = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    erased_at = models.DateTimeField(null=True, blank=True, help_text="When the retention task erased its free text.")

    class Meta:
        ordering = ["-met_on", "-created_at"]
        indexes = [
            # The report's one pass over a date range on PostgreSQL reads this index alone.
            models.Index(
                fields=["met_on", "briefing", "agency", "attendees", "follow_up_answered"],
                name="teamrecord_met_on_report",
            ),
            # Its two passes on other databases (per briefing; per day and agency) read these alone.
            models.Index(
                fields=["briefing", "met_on", "attendees", "follow_up_answered"], name="teamrecord_briefing_reach"
            ),
            models.Index(fields=["met_on", "agency", "attendees", "follow_up_answered"], name="teamrecord_met_agency"),
        ]
        permissions = [("view_reach_report", "Can see the reach and impact report")]

    def __str__(self):
        return f"{self.team} discussed {self.briefing_title} on {self.met_on:%d %b %Y}"


class ReachReport(TeamRecord):
    """The reach and impact report's place in admin (learning.report); it has no rows of its own."""

    class Meta:
        proxy = True
        default_permissions = ()
        verbose_name = verbose_name_plural = "reach and impact report"


class UsefulnessVote(models.Model):
    """One reader's "Was this useful?" answer about one briefing or course page."""

    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, null=True, blank=True, related_name="votes")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, null=True, blank=True, related_name="votes")
    useful = models.BooleanField()
    comment = models.TextField(max_length=1000, blank=True)
    # A digest of the browser's random voter cookie: one answer per browser per page, nothing personal.
    voter = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(briefing__isnull=False, course__isnull=True)
                | Q(briefing__isnull=True, course__isnull=False),
                name="vote_is_about_one_page",
            ),
            models.UniqueConstraint(fields=["briefing", "voter"], name="one_vote_per_browser_per_briefing"),
            models.UniqueConstraint(fields=["course", "voter"], name="one_vote_per_browser_per_course"),
        ]
        # The reach report counts votes per briefing and per month of a date range from these alone.
        indexes = [
            models.Index(fields=["briefing", "created_at", "useful"], name="vote_briefing_report"),
            models.Index(fields=["created_at", "briefing", "useful"], name="vote_created_useful"),
        ]

    def __str__(self):
        page = self.briefing or self.course
        return f"{'Useful' if self.useful else 'Not useful'}: {page}"


class FollowUp(models.Model):
    """The one follow-up question sent to a record's email address, and the team's answer.

    Only a digest of the link's token is kept, so the table cannot be used to answer for a team.
    """

    class Status(models.TextChoices):
        SENT = "sent", "Sent, waiting for an answer"
        ANSWERED = "answered", "Answered"
        EXPIRED = "expired", "Expired unanswered"

    record = models.OneToOneField(TeamRecord, on_delete=models.CASCADE, related_name="follow_up")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)
    token_hash = models.CharField(max_length=64, unique=True, null=True, editable=False)
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    answer = models.TextField("what has changed in the team's practice since", max_length=4000, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        indexes = [
            models.Index(fields=["status", "expires_at"]),
            # The report lists the latest answers (newest first, then by id): PostgreSQL walks this index back
            # and stops at the page's count; without the id it sorted every answer in the period.
            models.Index(fields=["status", "answered_at", "id"], name="followup_answered_latest"),
        ]

    def __str__(self):
        return f"Follow-up of {self.record}: {self.get_status_display().lower()}"
