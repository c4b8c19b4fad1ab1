"""A real `manage.py db_worker` killed with SIGKILL in the middle of an alert's emails, then restarted: no duplicate."""

import collections
import json
import os
import signal
import sqlite3
import tempfile
import time
from pathlib import Path

import pytest

from tests.mail.test_worker_process import manage, start_worker

SUBSCRIBERS = 30

SETUP = f"""
from django.utils import timezone
from alerts.models import Subscriber
from briefings.models import Briefing
now = timezone.now()
Subscriber.objects.bulk_create(
    Subscriber(email=f"reader{{n}}@example.org", everything=True, confirmed_at=now) for n in range({SUBSCRIBERS})
)
Briefing.objects.create(title="Killed half way", slug="killed-half-way", summary="s", status="published",
                        published=timezone.localdate())
"""


@pytest.fixture
def site(smtp_server):
    mailbox, port = smtp_server
    with tempfile.TemporaryDirectory(prefix="portal-alerts-") as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DEBUG": "false",
            "SECRET_KEY": "alerts-kill-test-only-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789",
            "DATABASE_URL": f"sqlite:///{tmp}/db.sqlite3",
            "CACHE_DIR": f"{tmp}/cache",
            "DEFAULT_FROM_EMAIL": "portal@example.org",
            "EMAIL_URL": f"smtp://127.0.0.1:{port}",
            "EMAIL_RETRY_DELAYS": "0",
            "SITE_URL": "https://portal.example.org",
            "ALERT_EMAILS_PER_MINUTE": "1000",
        }
        manage(env, "migrate", "--noinput", "-v0")
        yield env, Path(tmp) / "db.sqlite3", mailbox


def rows(database, sql):
    with sqlite3.connect(database) as db:
        return db.execute(sql).fetchall()


def test_a_worker_killed_half_way_and_restarted_sends_no_duplicate(site):
    env, database, mailbox = site
    manage(env, "shell", "-c", SETUP)
    worker = start_worker(env)
    try:
        mailbox.wait_for(SUBSCRIBERS // 3)
        worker.send_signal(signal.SIGKILL)
        worker.communicate(timeout=60)  # also closes its output pipe
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate(timeout=60)
    arrived_before = len(mailbox.messages)
    assert arrived_before < SUBSCRIBERS, "the worker finished before it was killed: nothing was tested"

    restarted = start_worker(env)
    try:
        wait_until_nothing_is_ready(database)
    finally:
        # On SIGTERM the worker finishes the task in hand, then exits: after this, nothing is in flight.
        restarted.send_signal(signal.SIGTERM)
        restarted.communicate(timeout=120)

    received = collections.Counter(str(message["To"]) for message in mailbox.wait_for(SUBSCRIBERS - 1))
    assert [address for address, count in received.items() if count > 1] == []
    states = collections.Counter(status for (status,) in rows(database, "SELECT status FROM mail_outgoingemail"))
    # The email the kill interrupted stays as it was (at most once: the hourly round or staff send it
    # again); every other one went exactly once.
    assert states["sent"] >= SUBSCRIBERS - 1 and states["sending"] + states["queued"] <= 1
    assert sum(states.values()) == SUBSCRIBERS
    sent = rows(database, "SELECT \"to\" FROM mail_outgoingemail WHERE status = 'sent'")
    sent_to = {json.loads(to)[0] for (to,) in sent}
    assert sent_to <= set(received)
    assert rows(database, "SELECT COUNT(*) FROM alerts_delivery")[0][0] == SUBSCRIBERS


def wait_until_nothing_is_ready(database, seconds=180):
    """Every task the killed worker left waiting has been taken by the restarted one (but tomorrow's daily run)."""
    deadline = time.monotonic() + seconds
    waiting = (
        "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult WHERE status = 'READY'"
        " AND task_path != 'briefings.related.store_related_daily'"
    )
    while time.monotonic() < deadline:
        if not rows(database, waiting)[0][0]:
            return
        time.sleep(0.1)
    raise AssertionError("the restarted worker did not take the tasks left waiting")
