"""Three months on, one email with a single-use link to one question; the daily round and the retention period."""

import datetime
import hashlib
import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from learning import housekeeping
from learning.models import FollowUp, TeamRecord, UsefulnessVote
from mail.models import OutgoingEmail
from portal.models import SiteSettings
from tests.factories import FollowUpFactory, TeamRecordFactory, UsefulnessVoteFactory
from tests.mail.conftest import run_worker

# The worker closes its database connection when it is done, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

LINK = re.compile(r"http://testserver(/follow-up/[A-Za-z0-9_-]+/)")


def made(record, days_ago):
    """Date a record as if it had been made `days_ago` days ago (created_at is set on insert)."""
    TeamRecord.objects.filter(pk=record.pk).update(created_at=timezone.now() - datetime.timedelta(days=days_ago))


def test_one_email_three_months_on_with_a_single_use_link_that_joins_the_answer_and_erases_the_address(
    client, smtp_settings
):
    record = TeamRecordFactory(email="lead@example.org", team="Duty team")
    made(record, 92)
    young = TeamRecordFactory(email="new@example.org")
    made(young, 80)
    out = io.StringIO()
    call_command("learning_housekeeping", stdout=out)
    assert "1 follow-up email(s) queued" in out.getvalue()
    call_command("learning_housekeeping", stdout=io.StringIO())  # a second round sends nothing more
    run_worker()
    (message,) = smtp_settings.wait_for(1)
    assert message["To"] == "lead@example.org"
    assert record.briefing_title in message["Subject"]
    path = LINK.search(message.get_content())[1]
    follow_up = FollowUp.objects.get(record=record)
    token = path.split("/")[2]
    assert follow_up.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(FollowUp.objects.values_list()[0])  # only the digest is stored
    assert FollowUp.objects.filter(record=young).count() == 0

    page = client.get(path)
    assert page.status_code == 200 and "private" in page["Cache-Control"]
    assert "What has changed in your team" in page.content.decode()
    assert 'href="/privacy/"' in page.content.decode()
    empty = client.post(path, {"answer": "  "})
    assert empty.status_code == 400 and "Enter what has changed" in empty.content.decode()
    answered = client.post(path, {"answer": "Chronologies are now read at every supervision."})
    assert answered.status_code == 200
    follow_up.refresh_from_db()
    record.refresh_from_db()
    assert follow_up.status == FollowUp.Status.ANSWERED
    assert follow_up.answer == "Chronologies are now read at every supervision."
    assert follow_up.token_hash is None
    assert record.email == "" and record.team == "Duty team"
    again = client.post(path, {"answer": "A second answer"})
    assert again.status_code == 410
    assert client.get(path).status_code == 410
    follow_up.refresh_from_db()
    assert follow_up.answer == "Chronologies are now read at every supervision."
    assert OutgoingEmail.objects.count() == 1


def test_an_unanswered_link_expires_and_the_address_is_erased(client, smtp_settings):
    record = TeamRecordFactory(email="lead@example.org")
    made(record, 95)
    housekeeping.run_round()
    run_worker()
    (message,) = smtp_settings.wait_for(1)
    path = LINK.search(message.get_content())[1]
    later = timezone.now() + housekeeping.LINK_LIFETIME + datetime.timedelta(minutes=1)
    assert "1 link(s) expired" in housekeeping.run_round(later)
    record.refresh_from_db()
    assert record.email == ""
    assert FollowUp.objects.get().status == FollowUp.Status.EXPIRED
    assert client.get(path).status_code == 410
    assert client.post(path, {"answer": "Too late"}).status_code == 410


def test_a_link_past_its_date_no_longer_works_even_before_the_round_runs(client):
    record = TeamRecordFactory(email="lead@example.org")
    FollowUp.objects.create(
        record=record,
        token_hash=hashlib.sha256(b"known-token").hexdigest(),
        sent_at=timezone.now() - datetime.timedelta(days=31),
        expires_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    assert client.get("/follow-up/known-token/").status_code == 410
    assert client.get("/follow-up/not-a-token/").status_code == 410


def test_retention_erases_old_free_text_and_addresses_and_nothing_else():
    SiteSettings.objects.update_or_create(pk=1, defaults={"record_retention_months": 12})
    old = TeamRecordFactory(team="Old team", changes="Old text", email="old@example.org", attendees=11)
    made(old, 370)
    old_answer = FollowUpFactory(record=old, answer="Old answer")
    recent = TeamRecordFactory(team="Recent team", changes="Recent text", email="recent@example.org")
    made(recent, 300)
    recent_answer = FollowUpFactory(record=recent, answer="Recent answer")
    old_vote = UsefulnessVoteFactory(comment="Old comment")
    UsefulnessVote.objects.filter(pk=old_vote.pk).update(created_at=timezone.now() - datetime.timedelta(days=370))
    recent_vote = UsefulnessVoteFactory(comment="Recent comment")

    assert "1 record(s) erased" in housekeeping.run_round()
    old.refresh_from_db()
    assert (old.team, old.changes, old.email) == ("", "", "")
    assert old.erased_at is not None
    assert (old.attendees, old.agency.name, old.briefing_title) == (11, "Health", old.briefing.title)
    assert FollowUp.objects.get(pk=old_answer.pk).answer == ""
    assert FollowUp.objects.get(pk=old_answer.pk).status == FollowUp.Status.ANSWERED
    assert UsefulnessVote.objects.get(pk=old_vote.pk).comment == ""
    assert UsefulnessVote.objects.get(pk=old_vote.pk).useful is True
    recent.refresh_from_db()
    assert (recent.team, recent.changes, recent.email, recent.erased_at) == (
        "Recent team",
        "Recent text",
        "recent@example.org",
        None,
    )
    assert FollowUp.objects.get(pk=recent_answer.pk).answer == "Recent answer"
    assert UsefulnessVote.objects.get(pk=recent_vote.pk).comment == "Recent comment"
    assert "0 record(s) erased" in housekeeping.run_round()


def test_an_erased_record_is_never_followed_up(smtp_settings):
    SiteSettings.objects.update_or_create(pk=1, defaults={"record_retention_months": 1})
    record = TeamRecordFactory(email="lead@example.org")
    made(record, 120)
    housekeeping.run_round()
    assert not FollowUp.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_the_command_starts_the_daily_task_once_and_the_task_runs_a_round_and_queues_the_next():
    out = io.StringIO()
    call_command("learning_housekeeping", stdout=out)
    call_command("learning_housekeeping", stdout=out)
    waiting = DBTaskResult.objects.filter(task_path=housekeeping.daily_learning_round.module_path, status="READY")
    assert waiting.count() == 1
    assert out.getvalue().count("Queued the daily task") == 1
    assert waiting.get().run_after > timezone.now()
    housekeeping.daily_learning_round.call()
    assert waiting.count() == 2


@pytest.mark.parametrize(
    "moment, months, expected",
    [
        (datetime.datetime(2026, 11, 30, 6, 30), 24, datetime.datetime(2024, 11, 30, 6, 30)),
        (datetime.datetime(2026, 3, 31, 6, 30), 1, datetime.datetime(2026, 2, 28, 6, 30)),
        (datetime.datetime(2024, 3, 31), 1, datetime.datetime(2024, 2, 29)),
        (datetime.datetime(2026, 1, 15), 13, datetime.datetime(2024, 12, 15)),
    ],
)
def test_months_before_counts_calendar_months(moment, months, expected):
    assert housekeeping.months_before(moment, months) == expected
