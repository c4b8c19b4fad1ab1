"""Alerts follow publication wherever it happens (admin form, bulk action, approval, import), by signals.

Everything here runs inside the saving transaction, so a save that is rolled back (a change held for
sign-off, a failed form) records nothing.
"""

from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from briefings.models import Briefing
from mail.models import OutgoingEmail
from mail.outbox import email_failed
from portal.publication import Status
from training.models import Session

from . import sending
from .models import Delivery, Subscriber

# Failed alert emails to one address before it gets no more (a refusal for good stops it at once).
FAILURES_BEFORE_STOP = 3


def _remember_status(sender, instance, raw=False, **kwargs):
    # Only a save that leaves the briefing published can be news; only then is the old status read.
    instance._alerts_was_published = (
        not raw
        and instance.pk is not None
        and instance.status == Status.PUBLISHED
        and Briefing._base_manager.filter(pk=instance.pk, status=Status.PUBLISHED).exists()
    )


def _briefing_saved(sender, instance, raw=False, **kwargs):
    if not raw and instance.status == Status.PUBLISHED:
        sending.briefing_published(instance, getattr(instance, "_alerts_was_published", False))


def _session_saved(sender, instance, created=False, raw=False, **kwargs):
    if created and not raw:
        sending.session_added(instance)


def _email_failed(sender, email, error, permanent, **kwargs):
    if not email.key.startswith("alert:"):
        return
    delivery = Delivery.objects.filter(email=email).select_related("subscriber").first()
    subscriber = delivery.subscriber if delivery else None
    if subscriber is None:
        return
    failures = subscriber.failures + 1
    Subscriber.objects.filter(pk=subscriber.pk).update(failures=failures)
    if permanent or failures >= FAILURES_BEFORE_STOP:
        Subscriber.objects.filter(pk=subscriber.pk, suppressed_at__isnull=True).update(
            suppressed_at=timezone.now(), suppressed_reason=error[:300]
        )


def connect():
    pre_save.connect(_remember_status, sender=Briefing, dispatch_uid="alerts-briefing-status")
    post_save.connect(_briefing_saved, sender=Briefing, dispatch_uid="alerts-briefing-saved")
    post_save.connect(_session_saved, sender=Session, dispatch_uid="alerts-session-added")
    email_failed.connect(_email_failed, sender=OutgoingEmail, dispatch_uid="alerts-email-failed")
