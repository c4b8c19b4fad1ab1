import email
import threading
import time
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django_tasks_db.management.commands.db_worker import Worker

from tests.ports import free_port

# aiosmtpd gives its thread 5 s to start listening; a busy machine can take longer.
READY_TIMEOUT = 60


def start_smtp(mailbox, port=None):
    """A started aiosmtpd controller on `port`, or on a free port (another if one is taken meanwhile)."""
    for attempt in range(5):
        controller = Controller(mailbox, hostname="127.0.0.1", port=port or free_port(), ready_timeout=READY_TIMEOUT)
        try:
            controller.start()
            return controller
        except OSError:
            if port or attempt == 4:
                raise


def run_worker():
    """The database worker, run in this process until the queue is empty (what db_worker --batch does)."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


class Mailbox:
    """An aiosmtpd handler that keeps what it accepts and can answer 451 (try later) first, or 550 always."""

    def __init__(self):
        self.messages = []
        self.refuse_next = 0
        self.refused = 0
        self.reject_all = False
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.reject_all:
                return "550 5.7.1 Message rejected"
            if self.refuse_next:
                self.refuse_next -= 1
                self.refused += 1
                return "451 4.3.0 Mailbox busy, try again later"
            message = email.message_from_bytes(envelope.original_content, policy=policy.default)
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 2.0.0 OK"

    def wait_for(self, count, seconds=180):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return [message for _, _, message in self.messages]
            time.sleep(0.05)
        raise AssertionError(f"{count} message(s) not received within {seconds} s (got {len(self.messages)})")


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free loopback port; yields (mailbox, port)."""
    mailbox = Mailbox()
    controller = start_smtp(mailbox)
    try:
        yield mailbox, controller.port
    finally:
        controller.stop()


@pytest.fixture
def smtp_settings(settings, smtp_server):
    """Site settings pointing at the test's SMTP server (pytest-django swaps in the locmem backend otherwise)."""
    mailbox, port = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    settings.EMAIL_RETRY_DELAYS = [0, 0]
    settings.DEFAULT_FROM_EMAIL = "portal@example.org"
    return mailbox
