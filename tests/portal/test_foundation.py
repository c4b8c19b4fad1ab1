import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db.utils import OperationalError
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def run_settings(env):
    """Import the real settings in a clean interpreter with the given environment."""
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE"}}
    return subprocess.run(
        [sys.executable, "-c", "import portal.settings"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


def test_settings_refuse_to_start_without_secret_key_when_debug_is_off():
    result = run_settings({"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_settings_start_with_secret_key_when_debug_is_off():
    result = run_settings({"DEBUG": "false", "SECRET_KEY": "x" * 50})
    assert result.returncode == 0, result.stderr


def test_settings_reject_junk_debug_value():
    result = run_settings({"DEBUG": "maybe", "SECRET_KEY": "x" * 50})
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


@pytest.mark.django_db
def test_healthz_is_200_when_database_answers(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.content == b"ok\n"


@pytest.mark.django_db
def test_healthz_is_503_when_database_fails(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz/")
    assert response.status_code == 503


@pytest.mark.django_db
def test_404_uses_site_template(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert 'id="main-content"' in body
    assert "Page not found" in body
    assert "Exit this page" in body


def test_500_page_renders_without_database_or_context(settings):
    from portal.views import server_error

    response = server_error(None)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["home", "accessibility", "staying-safe", "search", "briefings:list", "briefings:themes", "training:list"]
)
def test_shared_template_parts_on_every_page(client, name):
    body = client.get(reverse(name)).content.decode()
    assert body.count('id="main-content"') == 1
    assert 'href="#main-content"' in body
    assert "Exit this page" in body
    assert 'href="/accessibility/"' in body
    assert 'href="/staying-safe-online/"' in body
    assert "In an emergency call" in body


@pytest.mark.django_db
def test_header_footer_and_head_links_point_at_the_site_pages(client):
    from django.urls import reverse

    from portal.context_processors import SITE_URL_NAMES

    body = client.get("/").content.decode()
    for name in SITE_URL_NAMES:
        assert f'"{reverse(name)}"' in body, name
    assert 'href=""' not in body and 'action=""' not in body
