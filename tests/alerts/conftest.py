import re
from urllib.parse import urlsplit

import pytest

from tests.factories import UserFactory
from tests.mail.conftest import run_worker, smtp_server, smtp_settings  # noqa: F401 - shared fixtures

SITE_URL = "https://portal.example.org"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE_URL
    settings.ALERT_EMAILS_PER_MINUTE = 1000


@pytest.fixture
def chief_client(client, db):
    """A superuser: in a test that commits, the Publisher group made by a migration is gone after the first."""
    client.force_login(UserFactory(superuser=True))
    return client


def text_part(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def html_part(message):
    return message.get_body(preferencelist=("html",)).get_content()


def link_to(message, marker):
    """The path of the first site address in the plain-text part that contains `marker`."""
    for url in re.findall(r"https?://\S+", text_part(message)):
        if marker in url:
            return urlsplit(url).path
    raise AssertionError(f"no link with {marker!r} in:\n{text_part(message)}")


def drain():
    """Run the worker until the queue is empty: alerts, batches and the emails they queue."""
    run_worker()
