import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from briefings.models import Briefing, Theme
from mail.models import OutgoingEmail
from training.models import Course


def new_token():
    return secrets.token_urlsafe(32)


class SubscriberQuerySet(models.QuerySet):
    def active(self):
        """Confirmed and not stopped by bounces or failures: the addresses alerts may go to."""
        return self.filter(confirmed_at__isnull=False, suppressed_at__isnull=True)


class Subscriber(models.Model):
    """One email address following themes, with no account: its token is its key to change or cancel."""

    class Frequency(models.TextChoices):
        INSTANT = "instant", "As it happens"
        WEEKLY = "weekly", "A weekly digest"

    email = models.EmailField(max_length=254, unique=True)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    everything = models.BooleanField("every theme", default=False)
    themes = models.ManyToManyField(Theme, blank=True, related_name="subscribers")
    new_briefings = models.BooleanField("new briefings", default=True)
    updated_briefings = models.BooleanField("updated briefings", default=False)
    new_sessions = models.BooleanField("new training dates", default=True)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.INSTANT)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The last confirmation (or "already subscribed") email: at most one a day per address.
    asked_at = models.DateTimeField(null=True, blank=True)
    suppressed_at = models.DateTimeField(null=True, blank=True)
    suppressed_reason = models.CharField(max_length=300, blank=True)
    failures = models.PositiveIntegerField(default=0)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["confirmed_at", "suppressed_at", "frequency"], name="subscriber_active")]

    def __str__(self):
        return f"subscriber {self.pk}"


class AlertEvent(models.Model):
    """Something subscribers hear about (a publication, an update, new dates, a weekly digest), sent once."""

    class Kind(models.TextChoices):
        NEW_BRIEFING = "new_briefing", "New briefing"
        UPDATED_BRIEFING = "updated_briefing", "Updated briefing"
        NEW_SESSIONS = "new_sessions", "New training dates"
        DIGEST = "digest", "Weekly digest"

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting for its publication date"
        SENDING = "sending", "Sending"
        DONE = "done", "Sent"
        CANCELLED = "cancelled", "Cancelled (no longer public)"

    key = models.CharField(max_length=200, unique=True, help_text="One event per key: asking again adds nothing.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    title = models.CharField(max_length=300)
    briefing = models.ForeignKey(Briefing, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(Course, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    session_ids = models.JSONField(default=list, blank=True)
    # A digest covers the events started in [since, until).
    since = models.DateTimeField(null=True, blank=True)
    until = models.DateTimeField(null=True, blank=True)
    due = models.DateTimeField(help_text="Not sent before this moment (a briefing dated ahead: its day).")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    next_batch_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "alert sent"
        verbose_name_plural = "alerts sent"
        indexes = [models.Index(fields=["status", "due"], name="alertevent_status_due")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"


class Delivery(models.Model):
    """One subscriber's copy of one event: the unique pair is what stops a second send."""

    event = models.ForeignKey(AlertEvent, on_delete=models.CASCADE, related_name="deliveries")
    # Emptied when the subscriber leaves: the count stays, the address goes.
    subscriber = models.ForeignKey(Subscriber, null=True, on_delete=models.SET_NULL, related_name="deliveries")
    email = models.OneToOneField(OutgoingEmail, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Not sent: the subscriber left, was stopped or no longer wants it by the time its batch came.
    skipped = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "subscriber"], name="delivery_once_per_subscriber")]
        indexes = [
            models.Index(fields=["event"], condition=Q(email__isnull=True, skipped=False), name="delivery_pending")
        ]

    def __str__(self):
        return f"{self.event} → subscriber {self.subscriber_id}"
