"""Failed logins are rate-limited (django-axes) so a password cannot be guessed."""

import pytest
from django.test import Client

from tests.factories import UserFactory

LOGIN = "/admin/login/"


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    from axes.handlers.proxy import AxesProxyHandler

    AxesProxyHandler.implementation = None  # built again from the settings above
    yield
    AxesProxyHandler.implementation = None


def attempt(client, username, password, address="203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=address)


def test_five_failed_logins_lock_that_username_from_that_address(db, axes_on):
    UserFactory(username="alex")
    client = Client()
    for _ in range(4):
        assert attempt(client, "alex", "wrong-guess").status_code == 200  # the login form again
    locked = attempt(client, "alex", "wrong-guess")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "<h1>Too many failed sign-in attempts</h1>" in page
    assert "paused for an hour" in page
    # The right password does not get through a lockout.
    assert attempt(client, "alex", "a-long-test-password").status_code == 429


def test_lockout_does_not_block_other_users_or_the_same_user_elsewhere(db, axes_on):
    UserFactory(username="alex")
    UserFactory(username="sam")
    for _ in range(5):
        attempt(Client(), "alex", "wrong-guess")
    assert attempt(Client(), "sam", "a-long-test-password").status_code == 302
    assert attempt(Client(), "alex", "a-long-test-password", address="198.51.100.9").status_code == 302


def test_successful_login_before_the_limit_works(db, axes_on):
    UserFactory(username="alex")
    for _ in range(3):
        attempt(Client(), "alex", "wrong-guess")
    assert attempt(Client(), "alex", "a-long-test-password").status_code == 302


def test_client_address_behind_a_trusted_proxy_is_taken_from_the_right(rf, settings):
    from portal.middleware import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.2")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.7"  # the forged left-hand entry is ignored
