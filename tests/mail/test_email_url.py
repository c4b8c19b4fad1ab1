"""EMAIL_URL: one setting for the SMTP server, with clear refusals of anything malformed."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.settings import email_settings


def test_starttls_submission_with_credentials():
    config = email_settings("smtp://portal%40example.org:p%40ss%2Fword@mail.example.org:587/?tls=1")
    assert config == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.org",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "portal@example.org",
        "EMAIL_HOST_PASSWORD": "p@ss/word",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 30,
    }


def test_smtps_is_implicit_tls_on_465_and_plain_smtp_defaults_to_25():
    smtps = email_settings("smtps://relay.example.org")
    assert (smtps["EMAIL_PORT"], smtps["EMAIL_USE_SSL"], smtps["EMAIL_USE_TLS"]) == (465, True, False)
    plain = email_settings("smtp://localhost?timeout=5")
    assert (plain["EMAIL_PORT"], plain["EMAIL_USE_SSL"], plain["EMAIL_TIMEOUT"]) == (25, False, 5)


def test_console_prints_mail():
    assert email_settings("console://") == {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}


@pytest.mark.parametrize(
    "url",
    [
        "mail.example.org:587",
        "http://mail.example.org",
        "smtp://",
        "smtp://mail.example.org/?tls=maybe",
        "smtp://mail.example.org/?starttls=1",
        "smtps://mail.example.org/?tls=1",
        "smtp://mail.example.org:99999",
        "smtp://mail.example.org/?timeout=soon",
    ],
)
def test_malformed_addresses_are_refused_with_a_message(url):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        email_settings(url)


def test_the_refusal_never_repeats_a_password():
    with pytest.raises(ImproperlyConfigured) as refused:
        email_settings("smpt://portal:s3cret-password@mail.example.org:587")
    assert "s3cret" not in str(refused.value) and "smpt://" in str(refused.value)


@pytest.mark.parametrize("delays", ["soon", "60,-5", "60;300"])
def test_retry_delays_must_be_seconds(delays):
    result = subprocess.run(
        [sys.executable, "-c", "import portal.settings"],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "DEBUG": "true", "EMAIL_RETRY_DELAYS": delays},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "EMAIL_RETRY_DELAYS must be whole numbers" in result.stderr
