"""From a publication to one email per subscriber, through the background worker, never twice.

An AlertEvent is recorded in the transaction that publishes (a briefing made public, a publisher's
"tell subscribers", new sessions on a course), under a key that makes a second record impossible,
and `start_event` is queued for the moment it may go (a briefing dated ahead: 08:00 on its day).
Starting fills in one Delivery row per matching subscriber with one INSERT ... SELECT (the unique
(event, subscriber) pair makes a second fill add nothing), then `send_batch` turns one minute's worth
(ALERT_EMAILS_PER_MINUTE) of deliveries into outbox emails, each under the key `alert:<delivery>`,
and queues itself a minute later until none is left. The outbox sends each email at most once and
retries temporary SMTP failures (mail.outbox). The hourly `alerts_tick` is the safety net: it starts
events that are due, resumes a batch chain a killed worker left, erases addresses never confirmed
within a week, and starts the weekly digest on Monday mornings.
"""

import datetime
import logging

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from briefings.models import Briefing
from mail.models import OutgoingEmail
from mail.outbox import deliver_email, send_mail_later
from portal.models import SiteSettings
from portal.publication import Status as PublicationStatus
from portal.tasks import queue_unless_waiting
from training.models import Course, Session

from .models import AlertEvent, Delivery, Subscriber

log = logging.getLogger(__name__)
Kind, Status = AlertEvent.Kind, AlertEvent.Status

SEND_AT = datetime.time(8, 0)  # local time alerts for a briefing dated ahead go, and the weekly digest
DIGEST_WEEKDAY = 0  # Monday
TICK_EVERY = datetime.timedelta(hours=1)
STALLED_AFTER = datetime.timedelta(minutes=15)
UNCONFIRMED_KEPT = datetime.timedelta(days=7)
CONFIRM_LINK_AGE = datetime.timedelta(hours=48)
KIND_FLAG = {
    Kind.NEW_BRIEFING: "new_briefings",
    Kind.UPDATED_BRIEFING: "updated_briefings",
    Kind.NEW_SESSIONS: "new_sessions",
}


def site_link(path):
    return settings.SITE_URL + path


def anyone_listening():
    return Subscriber.objects.active().exists()


def send_time(day):
    """When alerts about something public from `day` may go: now once the day has come, else 08:00 that day."""
    if day is None or day <= timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.datetime.combine(day, SEND_AT))


def schedule_start(event):
    start_event.using(run_after=max(event.due, timezone.now())).enqueue(event.pk)


# --- Recording events (in the publishing transaction) ------------------------------------------


def briefing_published(briefing, was_published):
    """A briefing saved as published: record its "new briefing" event once (or move a waiting one's date)."""
    with transaction.atomic():  # a save in autocommit (a shell, a script) still locks the event
        key = f"new-briefing:{briefing.pk}"
        event = AlertEvent.objects.select_for_update().filter(key=key).first()
        if event is None:
            # A briefing already published before (or with nobody to tell) is not news.
            if was_published or not anyone_listening():
                return None
            event = AlertEvent(key=key, kind=Kind.NEW_BRIEFING, briefing=briefing)
        elif event.status not in (Status.WAITING, Status.CANCELLED):
            return event
        event.title = briefing.title[:300]
        event.status = Status.WAITING
        event.due = send_time(briefing.published)
        event.save()
        schedule_start(event)
    return event


def briefing_updated(briefing, user=None):
    """A publisher ticked "tell subscribers": one "updated" event per version of the briefing."""
    event, created = AlertEvent.objects.get_or_create(
        key=f"updated-briefing:{briefing.pk}:{briefing.version}",
        defaults={
            "kind": Kind.UPDATED_BRIEFING,
            "briefing": briefing,
            "title": briefing.title[:300],
            "due": send_time(briefing.published),
            "requested_by": user,
        },
    )
    if created:
        schedule_start(event)
    return event


def session_added(session):
    """A new upcoming session on a published course: gathered into the course's waiting event, if any."""
    course = session.course
    if course.status != PublicationStatus.PUBLISHED or session.status == Session.Status.CANCELLED:
        return None
    if session.ends <= timezone.now() or not anyone_listening():
        return None
    with transaction.atomic():
        event = (
            AlertEvent.objects.select_for_update()
            .filter(kind=Kind.NEW_SESSIONS, course=course, status=Status.WAITING)
            .first()
        )
        if event is not None:
            event.session_ids = [*event.session_ids, session.pk]
            event.save(update_fields=["session_ids"])
            return event
        event = AlertEvent.objects.create(
            key=f"new-sessions:{course.pk}:{session.pk}",
            kind=Kind.NEW_SESSIONS,
            course=course,
            session_ids=[session.pk],
            title=course.title[:300],
            due=send_time(course.published),
        )
        schedule_start(event)
    return event


# --- Who gets what ---------------------------------------------------------------------------


def event_theme_ids(event):
    if event.briefing_id:
        return list(event.briefing.themes.values_list("pk", flat=True))
    if event.course_id:
        return list(event.course.themes.values_list("pk", flat=True))
    return []


def _matches_q(event):
    follows = Subscriber.themes.through.objects.filter(theme_id__in=event_theme_ids(event)).values("subscriber_id")
    return Q(**{KIND_FLAG[event.kind]: True}) & (Q(everything=True) | Q(pk__in=follows))


def recipients(event):
    """The active subscribers this event goes to (as a query, never loaded whole)."""
    subscribers = Subscriber.objects.active()
    if event.kind != Kind.DIGEST:
        return subscribers.filter(_matches_q(event), frequency=Subscriber.Frequency.INSTANT)
    covered = digest_events(event)
    if not covered:
        return subscribers.none()
    wanted = Q()
    for item in covered:
        wanted |= _matches_q(item)
    return subscribers.filter(wanted, frequency=Subscriber.Frequency.WEEKLY)


def digest_events(digest):
    return list(
        AlertEvent.objects.exclude(kind=Kind.DIGEST)
        .filter(started_at__gte=digest.since, started_at__lt=digest.until)
        .select_related("briefing", "course")
        .order_by("started_at")
    )


def fan_out(event):
    """One pending Delivery per recipient, in one statement; returns how many were added."""
    query = recipients(event).order_by().values(chosen_id=F("pk"))
    if query.query.is_empty():
        return 0
    sql, params = query.query.sql_with_params()
    table = connection.ops.quote_name(Delivery._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    # "WHERE 1 = 1" keeps SQLite from reading ON CONFLICT as part of the SELECT.
    statement = (
        f"INSERT INTO {table} (event_id, subscriber_id, created_at, skipped) "  # noqa: S608 - names from the ORM
        f"SELECT %s, chosen.chosen_id, %s, %s FROM ({sql}) chosen WHERE 1 = 1 ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [event.pk, now, False, *params])
        return cursor.rowcount


# --- The worker's side ---------------------------------------------------------------------------


def is_public(event):
    if event.kind == Kind.DIGEST:
        return True
    if event.briefing_id:
        return Briefing.objects.published().filter(pk=event.briefing_id).exists()
    return Course.objects.published().filter(pk=event.course_id).exists()


def still_to_come(event):
    """Published but dated ahead (the date may have moved since the event was recorded)."""
    model, pk = (Briefing, event.briefing_id) if event.briefing_id else (Course, event.course_id)
    return model.objects.filter(pk=pk, status=PublicationStatus.PUBLISHED).exists()


@task()
def start_event(event_id):
    """Fill in the event's deliveries once it is due and public, then start its batches."""
    with transaction.atomic():
        event = AlertEvent.objects.select_for_update().filter(pk=event_id).first()
        if event is None or event.status != Status.WAITING:
            return "already handled"
        now = timezone.now()
        if event.due > now:
            return "not due yet"
        if not is_public(event):
            if still_to_come(event):
                return "not public yet"
            event.status = Status.CANCELLED
            event.save(update_fields=["status"])
            return "cancelled: no longer public"
        added = begin(event, now)
    return f"{added} recipient(s)"


def begin(event, now):
    """Fill in the deliveries and queue the first batch (in the caller's transaction, the event locked)."""
    added = fan_out(event)
    event.status, event.started_at, event.next_batch_at = Status.SENDING, now, now
    event.recipients = event.deliveries.count()
    event.save(update_fields=["status", "started_at", "next_batch_at", "recipients"])
    send_batch.enqueue(event.pk)
    return added


def pending(event):
    return Delivery.objects.filter(event=event, email__isnull=True, skipped=False)


@task()
def send_batch(event_id):
    """Queue one minute's worth of this event's emails in the outbox, then the next batch a minute later."""
    with transaction.atomic():
        event = AlertEvent.objects.select_for_update().filter(pk=event_id).first()
        if event is None or event.status != Status.SENDING:
            return "already handled"
        batch = list(
            pending(event)
            .select_related("subscriber")
            .prefetch_related("subscriber__themes")
            .order_by("pk")[: settings.ALERT_EMAILS_PER_MINUTE]
        )
        shared = shared_context(event)
        queued = 0
        for delivery in batch:
            message = compose(event, delivery.subscriber, shared)
            if message is None:
                delivery.skipped = True
                delivery.save(update_fields=["skipped"])
                continue
            delivery.email = send_mail_later(
                message["subject"],
                message["text"],
                [delivery.subscriber.email],
                html=message["html"],
                key=f"alert:{delivery.pk}",
                headers=unsubscribe_headers(delivery.subscriber),
            )
            delivery.save(update_fields=["email"])
            queued += 1
        now = timezone.now()
        if pending(event).exists():
            event.next_batch_at = now + datetime.timedelta(minutes=1)
            send_batch.using(run_after=event.next_batch_at).enqueue(event.pk)
        else:
            event.status, event.finished_at, event.next_batch_at = Status.DONE, now, None
        event.save(update_fields=["status", "finished_at", "next_batch_at"])
    return f"{queued} email(s) queued"


# --- What the emails say -------------------------------------------------------------------------


def subscriber_links(subscriber):
    return {
        "manage_url": site_link(reverse("alerts:manage", args=[subscriber.token])),
        "unsubscribe_url": site_link(reverse("alerts:unsubscribe", args=[subscriber.token])),
    }


def unsubscribe_headers(subscriber):
    """RFC 8058 one-click unsubscribe: mail programs POST to the address with no page shown."""
    return {
        "List-Unsubscribe": f"<{subscriber_links(subscriber)['unsubscribe_url']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def describe(event):
    """What one event says, shared by every subscriber's copy: a dict for the email templates."""
    if event.course_id:
        course = event.course
        sessions = Session.objects.upcoming().filter(pk__in=event.session_ids, course=course).order_by("starts")
        return {
            "label": "New training dates",
            "title": course.title,
            "url": site_link(course.get_absolute_url()),
            "summary": course.summary,
            "dates": [session_line(session) for session in sessions],
            "theme_ids": set(event_theme_ids(event)),
            "flag": KIND_FLAG[event.kind],
        }
    briefing = event.briefing
    return {
        "label": "Updated briefing" if event.kind == Kind.UPDATED_BRIEFING else f"New {briefing.kind_name}",
        "title": briefing.title,
        "url": site_link(briefing.get_absolute_url()),
        "summary": briefing.summary,
        "dates": [],
        "theme_ids": set(event_theme_ids(event)),
        "flag": KIND_FLAG[event.kind],
    }


def session_line(session):
    starts, ends = timezone.localtime(session.starts), timezone.localtime(session.ends)
    end = f"{ends:%H:%M}" if ends.date() == starts.date() else f"{ends:%a %-d %b %Y %H:%M}"
    where = "online" if session.is_online else session.location
    return f"{starts:%a %-d %b %Y, %H:%M} to {end}" + (f", {where}" if where else "")


def shared_context(event):
    site = SiteSettings.cached()
    context = {"site": site, "staying_safe_url": site_link(reverse("staying-safe")), "home_url": site_link("/")}
    if event.kind == Kind.DIGEST:
        context["items"] = [describe(item) for item in digest_events(event) if is_public(item)]
    else:
        context["items"] = [describe(event)]
    return context


def wants(subscriber, item, theme_ids):
    return getattr(subscriber, item["flag"]) and (subscriber.everything or bool(item["theme_ids"] & theme_ids))


def compose(event, subscriber, shared):
    """Subject, text and HTML of one subscriber's copy; None if it is no longer for them."""
    if subscriber is None or subscriber.confirmed_at is None or subscriber.suppressed_at is not None:
        return None
    themes = list(subscriber.themes.all())
    theme_ids = {theme.pk for theme in themes}
    items = [item for item in shared["items"] if wants(subscriber, item, theme_ids)]
    if not items or (event.kind == Kind.DIGEST) != (subscriber.frequency == Subscriber.Frequency.WEEKLY):
        return None
    site = shared["site"].partnership_name
    if event.kind == Kind.DIGEST:
        subject = f"This week from {site}: {len(items)} update{'s' if len(items) != 1 else ''}"
    else:
        subject = f"{items[0]['label']}: {items[0]['title']}"
    context = {
        **shared,
        **subscriber_links(subscriber),
        "items": items,
        "digest": event.kind == Kind.DIGEST,
        "subject": subject,
        "following": "every theme" if subscriber.everything else ", ".join(theme.name for theme in themes),
    }
    return {
        "subject": subject[:400],
        "text": render_to_string("alerts/email/alert.txt", context),
        "html": render_to_string("alerts/email/alert.html", context),
    }


def send_test(user):
    """A publisher's "send a test to me": the latest published briefing as an alert, to their own address."""
    briefing = Briefing.objects.published().order_by("-published", "-pk").first()
    if briefing is None:
        raise ValueError("There is no published briefing to show in a test alert.")
    # A token no subscriber has: the test's links lead to "this link no longer works".
    sample = Subscriber(email=user.email, token="test", everything=True, confirmed_at=timezone.now())  # noqa: S106
    event = AlertEvent(kind=Kind.NEW_BRIEFING, briefing=briefing, title=briefing.title)
    shared = shared_context(event)
    shared["items"][0]["theme_ids"] = set()
    context = {
        **shared,
        **subscriber_links(sample),
        "digest": False,
        "following": "every theme",
        "test": True,
        "subject": f"[Test] {shared['items'][0]['label']}: {briefing.title}",
    }
    return send_mail_later(
        context["subject"][:400],
        render_to_string("alerts/email/alert.txt", context),
        [user.email],
        html=render_to_string("alerts/email/alert.html", context),
    )


# --- The hourly round ------------------------------------------------------------------------


def digest_window(now):
    """The week a digest started at `now` covers: from the Monday 08:00 before to this one."""
    local = timezone.localtime(now)
    monday = local.date() - datetime.timedelta(days=(local.weekday() - DIGEST_WEEKDAY) % 7)
    until = timezone.make_aware(datetime.datetime.combine(monday, SEND_AT))
    if until > now:
        until -= datetime.timedelta(days=7)
    return until - datetime.timedelta(days=7), until


def start_digest(now):
    """Record this week's digest once (keyed by its week) and start it; returns it."""
    since, until = digest_window(now)
    event, created = AlertEvent.objects.get_or_create(
        key=f"digest:{until:%Y-%m-%d}",
        defaults={
            "kind": Kind.DIGEST,
            "title": f"Week to {timezone.localtime(until):%-d %B %Y}",
            "since": since,
            "until": until,
            "due": now,
        },
    )
    if created:
        begin(event, now)
    return event


def erase_unconfirmed(now):
    """Addresses that never confirmed are kept a week at most."""
    deleted, _ = Subscriber.objects.filter(confirmed_at__isnull=True, created_at__lt=now - UNCONFIRMED_KEPT).delete()
    return deleted


def resume(now):
    """Queue again what a killed worker left: due events, stalled batch chains, alert emails left queued."""
    for event_id in AlertEvent.objects.filter(status=Status.WAITING, due__lte=now).values_list("pk", flat=True):
        start_event.enqueue(event_id)
    stalled = AlertEvent.objects.filter(status=Status.SENDING, next_batch_at__lt=now - STALLED_AFTER)
    for event_id in stalled.values_list("pk", flat=True):
        send_batch.enqueue(event_id)
    # The outbox claims an email before sending it, so a second deliver_email for one is harmless.
    left = OutgoingEmail.objects.filter(
        key__startswith="alert:", status=OutgoingEmail.Status.QUEUED, created_at__lt=now - STALLED_AFTER
    ).filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=now - STALLED_AFTER))
    for email_id in left.values_list("pk", flat=True):
        deliver_email.enqueue(email_id)


def run_tick(now=None):
    """One hourly round (also what `manage.py alerts_tick` runs)."""
    now = now or timezone.now()
    with transaction.atomic():
        resume(now)
        erased = erase_unconfirmed(now)
        if now - digest_window(now)[1] < TICK_EVERY * 24:
            start_digest(now)
    return erased


def ensure_scheduled():
    """Queue the hourly task unless one is waiting already; returns True if it queued one."""
    return queue_unless_waiting(alerts_tick, timezone.now() + TICK_EVERY)


@task()
def alerts_tick():
    """The worker's hourly round, which queues the next one."""
    with transaction.atomic():
        erased = run_tick()
        alerts_tick.using(run_after=timezone.now() + TICK_EVERY).enqueue()
    return f"{erased} unconfirmed address(es) erased"
