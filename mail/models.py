from django.db import models


class OutgoingEmail(models.Model):
    """One email the site has asked to send, and what became of it: the record that stops a double send."""

    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        SENDING = "sending", "sending"
        SENT = "sent", "sent"
        FAILED = "failed", "failed"

    key = models.CharField(
        max_length=200,
        unique=True,
        help_text="Idempotency key: asking again to send under the same key sends nothing more.",
    )
    from_email = models.CharField(max_length=254)
    to = models.JSONField(help_text="Recipient addresses.")
    reply_to = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=500)
    body = models.TextField(help_text="Plain-text part.")
    html = models.TextField(blank=True, help_text="HTML part, if any.")
    headers = models.JSONField(default=dict, blank=True, help_text="Extra headers, e.g. List-Unsubscribe.")
    message_id = models.CharField(max_length=255, help_text="The Message-ID header, the same on every attempt.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "outgoing email"

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"
