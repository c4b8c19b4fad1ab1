"""Review dates mean something: once a month the publishers get one list of what falls due.

The list goes out through the outbox (mail.outbox.send_mail_later) under one key per publisher
and month, and that key is the record: a second run in the same month (the worker's monthly
task, the manage.py command, both at once) finds this month's emails and sends nothing more.
The task queues itself again for the first of next month; the command queues it when none is
waiting, so running the command once after deploying starts the monthly round.
"""

import datetime
import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from mail.models import OutgoingEmail
from mail.outbox import send_mail_later
from portal.models import SiteSettings
from portal.tasks import queue_unless_waiting

from .models import Briefing

log = logging.getLogger(__name__)

DUE_WITHIN_DAYS = 30
KEY_PREFIX = "review-reminder"
# Local time of day the monthly task runs on the first of the month.
RUN_AT = datetime.time(7, 0)


def due_soon(today=None):
    """Briefings whose next review falls in the next 30 days (today included), soonest first."""
    today = today or timezone.localdate()
    return Briefing.objects.filter(
        review_due__gte=today, review_due__lte=today + datetime.timedelta(days=DUE_WITHIN_DAYS)
    ).order_by("review_due", "title")


def publishers():
    """Active users who may publish briefings and have an email address."""
    permission = Permission.objects.filter(content_type__app_label="briefings", codename="publish_briefing")
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .filter(Q(is_superuser=True) | Q(groups__permissions__in=permission) | Q(user_permissions__in=permission))
        .distinct()
        .order_by("pk")
    )


def month_key(today):
    return f"{KEY_PREFIX}:{today:%Y-%m}"


def already_sent(today):
    return OutgoingEmail.objects.filter(key__startswith=month_key(today) + ":").exists()


def send_review_reminders(today=None):
    """Queue this month's list to each publisher; returns the emails (none if already sent or nothing is due)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        if already_sent(today):
            return []
        soon = list(due_soon(today))
        overdue = list(Briefing.objects.overdue(today).order_by("review_due", "title"))
        if not soon and not overdue:
            return []
        subject, body = reminder_text(today, soon, overdue)
        recipients = list(publishers())
        if not recipients:
            log.warning("No publisher with an email address: the review reminder for %s was not sent", f"{today:%B %Y}")
        return [
            send_mail_later(subject, body, [user.email], key=f"{month_key(today)}:{user.pk}") for user in recipients
        ]


def reminder_text(today, soon, overdue):
    site = SiteSettings.load().partnership_name
    subject = f"Briefings due for review: {len(soon)} in the next {DUE_WITHIN_DAYS} days ({today:%B %Y})"
    lines = [f"Briefings of {site} whose review falls due in the next {DUE_WITHIN_DAYS} days:", ""]
    lines += [_line(b) for b in soon] or ["None."]
    if overdue:
        lines += ["", "Already overdue (readers are told the briefing is due for review):", ""]
        lines += [_line(b) for b in overdue]
    lines += [
        "",
        "To review one: open it, check it is still accurate, then update “Last reviewed” and “Next review due”.",
        "This list is sent on the first of each month.",
    ]
    return subject, "\n".join(lines) + "\n"


def _line(briefing):
    admin = reverse("admin:briefings_briefing_change", args=[briefing.pk])
    status = briefing.get_status_display().lower()
    return f"- {briefing.review_due:%-d %B %Y}: {briefing.title} ({status}; in admin at {admin})"


def next_run(now=None):
    """The first of next month at RUN_AT, local time."""
    today = timezone.localdate(now) if now else timezone.localdate()
    first = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return timezone.make_aware(datetime.datetime.combine(first, RUN_AT))


def ensure_scheduled():
    """Queue the monthly task unless one is waiting already; returns True if it queued one."""
    return queue_unless_waiting(send_monthly_review_reminders, next_run())


@task()
def send_monthly_review_reminders():
    """The worker's monthly run: send this month's list (once), then queue next month's run."""
    with transaction.atomic():
        emails = send_review_reminders()
        send_monthly_review_reminders.using(run_after=next_run()).enqueue()
    return f"{len(emails)} email(s) queued"
