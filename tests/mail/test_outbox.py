"""send_mail_later: recorded, sent by the worker to a real SMTP server, retried on a temporary failure, never twice."""

import pytest
from django.core.mail import BadHeaderError
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from mail.models import OutgoingEmail
from mail.outbox import deliver_email, send_again, send_mail_later

from .conftest import Mailbox, free_port, run_worker, start_smtp

pytestmark = pytest.mark.django_db(transaction=True)


def test_nothing_is_sent_until_the_worker_runs_then_both_parts_arrive(smtp_settings):
    email = send_mail_later(
        "Briefing published: “Neglect” – what we learned",
        "Plain text, with a curly quote ’.",
        ["manager@example.org", "Team Lead <lead@example.org>"],
        html="<p>HTML <strong>part</strong></p>",
        reply_to=["safeguarding@example.org"],
    )
    assert smtp_settings.messages == []
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    run_worker()

    (message,) = smtp_settings.wait_for(1)
    # Django 5.2 folds an encoded subject onto a continuation line; readers trim the space that leaves.
    assert message["Subject"].strip() == "Briefing published: “Neglect” – what we learned"
    assert message["From"] == "portal@example.org"
    assert message["To"] == "manager@example.org, Team Lead <lead@example.org>"
    assert message["Reply-To"] == "safeguarding@example.org"
    assert message["Message-ID"] == email.message_id
    assert message.get_body(("plain",)).get_content().strip() == "Plain text, with a curly quote ’."
    assert message.get_body(("html",)).get_content().strip() == "<p>HTML <strong>part</strong></p>"
    email.refresh_from_db()
    assert (email.status, email.attempts, email.sent_at is not None) == ("sent", 1, True)


def test_a_451_is_retried_and_the_message_arrives_once(smtp_settings):
    smtp_settings.refuse_next = 1
    email = send_mail_later("Retry me", "Body", ["a@example.org"])

    run_worker()

    assert smtp_settings.refused == 1
    messages = smtp_settings.wait_for(1)
    assert len(messages) == 1 and messages[0]["Message-ID"] == email.message_id
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 2)
    assert email.last_error == ""
    assert sorted(DBTaskResult.objects.values_list("status", flat=True)) == ["SUCCESSFUL", "SUCCESSFUL"]


def test_a_server_that_cannot_be_reached_is_tried_again_later(settings, smtp_settings):
    port = free_port()
    settings.EMAIL_PORT = port
    email = send_mail_later("Server down", "Body", ["a@example.org"])
    # Only the first attempt may run while the server is down: the second waits a minute.
    settings.EMAIL_RETRY_DELAYS = [60]
    run_worker()
    email.refresh_from_db()
    assert email.status == "queued" and email.attempts == 1 and "ConnectionRefused" in email.last_error
    assert email.next_attempt_at is not None

    mailbox = Mailbox()
    controller = start_smtp(mailbox, port)
    try:
        DBTaskResult.objects.filter(status="READY").update(run_after=email.created_at)
        run_worker()
        (message,) = mailbox.wait_for(1)
    finally:
        controller.stop()
    assert message["Subject"] == "Server down"
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 2)


def test_a_permanent_refusal_is_not_retried(smtp_settings):
    smtp_settings.reject_all = True
    email = send_mail_later("Refused", "Body", ["a@example.org"])
    run_worker()
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("failed", 1)
    assert "550" in email.last_error
    assert list(DBTaskResult.objects.values_list("status", flat=True)) == ["FAILED"]


def test_retries_stop_after_the_last_delay(smtp_settings):
    smtp_settings.refuse_next = 10
    email = send_mail_later("Always busy", "Body", ["a@example.org"])
    run_worker()
    email.refresh_from_db()
    assert (email.status, email.attempts, smtp_settings.refused) == ("failed", 3, 3)
    assert smtp_settings.messages == []


def test_the_same_key_sends_once(smtp_settings):
    first = send_mail_later("Password changed", "Body", ["a@example.org"], key="password-changed:7:2026-11-30")
    again = send_mail_later("Password changed", "Body", ["a@example.org"], key="password-changed:7:2026-11-30")
    assert again.pk == first.pk
    assert DBTaskResult.objects.count() == 1
    run_worker()
    assert len(smtp_settings.wait_for(1)) == 1
    assert OutgoingEmail.objects.count() == 1


def test_a_second_task_for_a_sent_email_sends_nothing(smtp_settings):
    email = send_mail_later("Once", "Body", ["a@example.org"])
    run_worker()
    smtp_settings.wait_for(1)
    # A duplicate task (a re-enqueue, a worker that restarted and picked it up again) finds it sent.
    deliver_email.enqueue(email.pk)
    run_worker()
    assert len(smtp_settings.messages) == 1
    assert DBTaskResult.objects.order_by("enqueued_at").last().return_value == "already handled"


def test_an_email_being_sent_is_not_sent_again(smtp_settings):
    email = send_mail_later("In flight", "Body", ["a@example.org"])
    OutgoingEmail.objects.filter(pk=email.pk).update(status="sending")
    run_worker()
    assert smtp_settings.messages == []


def test_nothing_is_queued_when_the_callers_transaction_rolls_back(smtp_settings):
    with pytest.raises(RuntimeError), transaction.atomic():
        send_mail_later("Rolled back", "Body", ["a@example.org"])
        raise RuntimeError("the caller's save failed")
    assert not OutgoingEmail.objects.exists() and not DBTaskResult.objects.exists()


@pytest.mark.parametrize(
    ("subject", "to"),
    [("Two\nlines", ["a@example.org"]), ("Fine", []), ("Fine", ["a@example.org\nBcc: b@example.org"])],
)
def test_bad_input_is_refused_before_anything_is_stored(smtp_settings, subject, to):
    with pytest.raises((BadHeaderError, ValueError)):
        send_mail_later(subject, "Body", to)
    assert not OutgoingEmail.objects.exists() and not DBTaskResult.objects.exists()


def test_an_email_that_failed_is_sent_once_when_sent_again(smtp_settings):
    smtp_settings.reject_all = True
    email = send_mail_later("Second chance", "Body", ["a@example.org"])
    run_worker()
    email.refresh_from_db()
    assert email.status == "failed"

    smtp_settings.reject_all = False
    assert send_again([email]) == 1
    assert send_again([email]) == 0, "already queued: not queued twice"
    run_worker()
    assert len(smtp_settings.wait_for(1)) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 1)
