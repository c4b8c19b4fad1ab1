"""As deployed: send_test_email queues, a real `manage.py db_worker` process sends to a real SMTP server."""

import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def site_env():
    """Production settings on a database of this module's own (a file, so separate processes share it)."""
    with tempfile.TemporaryDirectory(prefix="portal-mail-") as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DEBUG": "false",
            "SECRET_KEY": "mail-end-to-end-test-only-0123456789-abcdefghijklmnopqrstuvwxyz",
            "DATABASE_URL": f"sqlite:///{tmp}/db.sqlite3",
            "CACHE_DIR": f"{tmp}/cache",
            "DEFAULT_FROM_EMAIL": "Safeguarding Partnership <portal@example.org>",
            "EMAIL_RETRY_DELAYS": "0",
        }
        manage(env, "migrate", "--noinput", "-v0")
        yield env, Path(tmp) / "db.sqlite3"


def manage(env, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def start_worker(env, *args):
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.2", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop(worker):
    worker.send_signal(signal.SIGTERM)
    output, _ = worker.communicate(timeout=120)
    return worker.returncode, output


def task_states(database):
    with sqlite3.connect(database) as db:
        return [row[0] for row in db.execute("SELECT status FROM django_tasks_database_dbtaskresult")]


def email_records(database):
    with sqlite3.connect(database) as db:
        return db.execute("SELECT status, attempts FROM mail_outgoingemail ORDER BY id DESC").fetchall()


def wait_until_queue_is_done(database, seconds=180):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        states = task_states(database)
        if states and all(state in ("SUCCESSFUL", "FAILED") for state in states):
            return states
        time.sleep(0.1)
    raise AssertionError(f"the worker did not finish the queue within {seconds} s: {task_states(database)}")


def clear_queue(database):
    with sqlite3.connect(database) as db:
        db.execute("DELETE FROM django_tasks_database_dbtaskresult")


def test_the_worker_process_sends_the_test_email_with_both_parts_and_a_restart_sends_nothing_more(
    site_env, smtp_server
):
    env, database = site_env
    mailbox, port = smtp_server
    env = {**env, "EMAIL_URL": f"smtp://127.0.0.1:{port}/?timeout=10"}
    clear_queue(database)

    output = manage(env, "send_test_email", "manager@example.org")
    assert "Queued test email" in output
    assert mailbox.messages == [], "send_test_email only queues: the worker sends"

    worker = start_worker(env)
    try:
        (message,) = mailbox.wait_for(1)
    finally:
        code, log = stop(worker)
    assert code == 0, log

    assert message["To"] == "manager@example.org"
    assert message["From"] == "Safeguarding Partnership <portal@example.org>"
    assert message["Subject"].strip().startswith("Test email from ")
    assert message["Message-ID"].endswith("@example.org>")
    assert message.get_content_type() == "multipart/alternative"
    assert "background worker" in message.get_body(("plain",)).get_content()
    assert "<code>manage.py db_worker</code>" in message.get_body(("html",)).get_content()
    assert email_records(database)[0] == ("sent", 1)

    # A new worker (after a restart or a deploy) finds nothing left to send.
    restarted = start_worker(env, "--batch")
    log, _ = restarted.communicate(timeout=300)
    assert restarted.returncode == 0, log
    assert len(mailbox.messages) == 1


def test_a_451_answer_is_retried_by_the_worker_process_and_arrives_once(site_env, smtp_server):
    env, database = site_env
    mailbox, port = smtp_server
    mailbox.refuse_next = 1
    env = {**env, "EMAIL_URL": f"smtp://127.0.0.1:{port}/?timeout=10"}
    clear_queue(database)

    manage(env, "send_test_email", "lead@example.org")
    worker = start_worker(env)
    try:
        mailbox.wait_for(1)
        states = wait_until_queue_is_done(database)
    finally:
        code, log = stop(worker)
    assert code == 0, log
    assert sorted(states) == ["SUCCESSFUL", "SUCCESSFUL"], log
    assert mailbox.refused == 1 and len(mailbox.messages) == 1
    assert email_records(database)[0] == ("sent", 2)
