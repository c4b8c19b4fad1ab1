"""The daily round for team records: follow-up emails, expired links, and erasing what is kept too long.

Run by the background worker once a day (the task queues itself again for the next morning); the
command `manage.py learning_housekeeping` runs a round at once and queues the daily task when none is
waiting, so running it once after deploying starts the round. Every step is safe to run twice.
"""

import datetime
import logging
import secrets

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from mail.outbox import send_mail_later
from portal.models import SiteSettings
from portal.tasks import queue_unless_waiting

from .models import FollowUp, TeamRecord, UsefulnessVote
from .records import token_digest

log = logging.getLogger(__name__)

FOLLOW_UP_AFTER = datetime.timedelta(days=91)
LINK_LIFETIME = datetime.timedelta(days=30)
# Local time of day the daily task runs.
RUN_AT = datetime.time(6, 30)


def months_before(moment, months):
    """The same day and time `months` calendar months earlier (the month's last day when it is shorter)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    last_day = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31,
                30, 31][month - 1]  # fmt: skip
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def follow_up_text(record, link, expires):
    site = SiteSettings.load().partnership_name
    subject = f"What has changed since your team discussed “{record.briefing_title}”?"
    body = "\n".join(
        [
            f"On {record.met_on:%-d %B %Y} your team recorded that it discussed “{record.briefing_title}” "
            f"(a briefing of {site}).",
            "",
            "One question, one answer box: what has changed in your team's practice since?",
            "",
            link,
            "",
            f"The link works once, until {expires:%-d %B %Y}. Please do not name or describe any child, family or "
            "colleague in your answer.",
            "",
            "This is the only email we send about this record: once you answer, or when the link expires, your "
            "email address is deleted.",
        ]
    )
    return subject, body + "\n"


def send_follow_ups(now=None):
    """Queue the follow-up email of each record made three months ago or more with an address; returns how many."""
    now = now or timezone.now()
    due = (
        TeamRecord.objects.exclude(email="")
        .exclude(site_address="")
        .filter(created_at__lte=now - FOLLOW_UP_AFTER, follow_up__isnull=True, erased_at__isnull=True)
        .order_by("pk")
    )
    sent = 0
    for record in due.iterator():
        token = secrets.token_urlsafe(32)
        expires = now + LINK_LIFETIME
        link = record.site_address.rstrip("/") + reverse("learning:follow-up", args=[token])
        subject, body = follow_up_text(record, link, timezone.localtime(expires))
        try:
            with transaction.atomic():
                FollowUp.objects.create(record=record, token_hash=token_digest(token), sent_at=now, expires_at=expires)
                send_mail_later(subject, body, [record.email], key=f"learning-follow-up:{record.pk}")
        except IntegrityError:
            # Another round sent this one a moment ago.
            continue
        sent += 1
    return sent


def expire_follow_ups(now=None):
    """Close links that passed their date unanswered and erase their addresses; returns how many."""
    now = now or timezone.now()
    with transaction.atomic():
        expired = FollowUp.objects.filter(status=FollowUp.Status.SENT, expires_at__lte=now)
        records = list(expired.values_list("record_id", flat=True))
        count = expired.update(status=FollowUp.Status.EXPIRED, token_hash=None)
        TeamRecord.objects.filter(pk__in=records).update(email="")
    return count


def erase_old(now=None):
    """Erase free text and addresses kept longer than the retention period in site settings; returns records erased."""
    now = now or timezone.now()
    cutoff = months_before(now, SiteSettings.load().record_retention_months)
    with transaction.atomic():
        old = TeamRecord.objects.filter(created_at__lt=cutoff, erased_at__isnull=True)
        FollowUp.objects.filter(record__in=old.values("pk"), status=FollowUp.Status.SENT).update(
            status=FollowUp.Status.EXPIRED
        )
        FollowUp.objects.filter(record__in=old.values("pk")).update(answer="", token_hash=None)
        count = old.update(team="", changes="", email="", erased_at=now)
        UsefulnessVote.objects.filter(created_at__lt=cutoff).exclude(comment="").update(comment="")
    return count


def run_round(now=None):
    """One daily round; returns a one-line summary."""
    now = now or timezone.now()
    erased = erase_old(now)
    expired = expire_follow_ups(now)
    sent = send_follow_ups(now)
    summary = f"{sent} follow-up email(s) queued, {expired} link(s) expired, {erased} record(s) erased"
    log.info("Team records: %s", summary)
    return summary


def next_run(now=None):
    """Tomorrow at RUN_AT, local time."""
    today = timezone.localdate(now) if now else timezone.localdate()
    return timezone.make_aware(datetime.datetime.combine(today + datetime.timedelta(days=1), RUN_AT))


def ensure_scheduled():
    """Queue the daily task unless one is waiting already; returns True if it queued one."""
    return queue_unless_waiting(daily_learning_round, next_run())


@task()
def daily_learning_round():
    """The worker's daily run: one round, then queue tomorrow's."""
    try:
        return run_round()
    finally:
        # A failed round must not end the daily chain.
        daily_learning_round.using(run_after=next_run()).enqueue()
