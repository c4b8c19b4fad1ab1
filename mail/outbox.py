"""Email sent by the background worker, at most once: send_mail_later() enqueues it in the caller's transaction.

README "Email and background tasks" describes the claim, the retries and the "sending" state.
"""

import logging
import smtplib
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid
from django.db import IntegrityError, transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone
from django.utils.html import escape
from django_tasks import task

from mail.models import OutgoingEmail
from portal.models import SiteSettings

logger = logging.getLogger(__name__)
Status = OutgoingEmail.Status

# sender=OutgoingEmail, email, error, permanent: an email was marked failed (after its last retry, or
# at once when the server refused it for good). Features that mail lists stop mailing the address.
email_failed = Signal()


def send_mail_later(subject, body, to, *, html="", from_email=None, reply_to=(), key=None, headers=None):
    """Record an email and enqueue its delivery; a key used before returns that email and sends nothing more."""
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients:
        raise ValueError("An email needs at least one recipient.")
    from_email = from_email or settings.DEFAULT_FROM_EMAIL
    email = OutgoingEmail(
        key=key or f"uuid:{uuid.uuid4()}",
        from_email=from_email,
        to=recipients,
        reply_to=list(reply_to),
        subject=subject,
        body=body,
        html=html,
        headers=dict(headers or {}),
        message_id=make_msgid(domain=from_email.rpartition("@")[2] or "localhost"),
    )
    # Builds the headers now, so a newline in the subject or a malformed address is refused here,
    # in the caller, rather than failing later in the worker.
    build_message(email).message()
    with transaction.atomic():
        try:
            with transaction.atomic():
                email.save()
        except IntegrityError:
            return OutgoingEmail.objects.get(key=email.key)
        deliver_email.enqueue(email.pk)
    return email


TEST_BODY = """This is a test email from {site}, sent {when}.

If you can read it, the site's email settings (EMAIL_URL) and its background worker
(manage.py db_worker) work.
"""
TEST_HTML = """<p>This is a test email from <strong>{site}</strong>, sent {when}.</p>
<p>If you can read it, the site's email settings (<code>EMAIL_URL</code>) and its background worker
(<code>manage.py db_worker</code>) work.</p>
"""


def send_test_email(address):
    """Queue the test email (plain text and HTML) that proves the mail settings and the worker."""
    site = SiteSettings.cached().partnership_name
    when = timezone.localtime().strftime("%-d %B %Y at %H:%M")
    html = TEST_HTML.format(site=escape(site), when=when)
    return send_mail_later(f"Test email from {site}", TEST_BODY.format(site=site, when=when), [address], html=html)


def build_message(email):
    message = EmailMultiAlternatives(
        email.subject,
        email.body,
        email.from_email,
        email.to,
        reply_to=email.reply_to or None,
        headers={**email.headers, "Message-ID": email.message_id},
    )
    if email.html:
        message.attach_alternative(email.html, "text/html")
    return message


def is_temporary(error):
    """Whether trying again later may work: a 4xx answer, or a server that could not be reached."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    # Other SMTP errors (no AUTH, no STARTTLS) are configuration faults; the rest are network faults.
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


def send_again(emails):
    """Queue failed or stuck ("sending") emails once more, with a fresh run of retries; returns how many."""
    with transaction.atomic():
        ids = list(
            OutgoingEmail.objects.select_for_update()
            .filter(pk__in=[email.pk for email in emails], status__in=[Status.FAILED, Status.SENDING])
            .values_list("pk", flat=True)
        )
        OutgoingEmail.objects.filter(pk__in=ids).update(status=Status.QUEUED, attempts=0, next_attempt_at=None)
        for email_id in ids:
            deliver_email.enqueue(email_id)
    return len(ids)


@task()
def deliver_email(email_id):
    """Send one recorded email, unless it has been sent or is being sent already."""
    claimed = OutgoingEmail.objects.filter(pk=email_id, status=Status.QUEUED).update(
        status=Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=None
    )
    if not claimed:
        return "already handled"
    email = OutgoingEmail.objects.get(pk=email_id)
    try:
        build_message(email).send()
    except Exception as error:
        description = f"{type(error).__name__}: {error}"[:2000]
        delays = settings.EMAIL_RETRY_DELAYS
        if is_temporary(error) and email.attempts <= len(delays):
            retry_at = timezone.now() + timedelta(seconds=delays[email.attempts - 1])
            with transaction.atomic():
                OutgoingEmail.objects.filter(pk=email_id).update(
                    status=Status.QUEUED, last_error=description, next_attempt_at=retry_at
                )
                deliver_email.using(run_after=retry_at).enqueue(email_id)
            logger.warning(
                "Email %s: attempt %s failed (%s); trying again at %s", email_id, email.attempts, description, retry_at
            )
            return "retry"
        OutgoingEmail.objects.filter(pk=email_id).update(status=Status.FAILED, last_error=description)
        email_failed.send_robust(OutgoingEmail, email=email, error=description, permanent=not is_temporary(error))
        logger.error("Email %s not sent after %s attempts: %s", email_id, email.attempts, description)
        raise
    OutgoingEmail.objects.filter(pk=email_id).update(status=Status.SENT, sent_at=timezone.now(), last_error="")
    return "sent"
