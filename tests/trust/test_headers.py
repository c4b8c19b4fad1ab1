"""Strict security headers on public pages, admin pages and error pages."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def assert_strict_headers(response, referrer_policy="no-referrer"):
    csp = directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"][0] == "'self'"
    assert all(source == "'self'" or source.startswith("'nonce-") for source in csp["script-src"] + csp["style-src"])
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["img-src"] == ["'self'"]
    assert "unsafe" not in response["Content-Security-Policy"]
    assert "data:" not in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == referrer_policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    policy = response["Permissions-Policy"]
    for feature in ["camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"]:
        assert f"{feature}=()" in policy


@pytest.mark.parametrize("url", ["/", "/briefings/", "/training/", "/search/?q=neglect", "/no-such-page/"])
def test_public_pages_send_strict_security_headers(client, db, url):
    assert_strict_headers(client.get(url))


def test_admin_pages_send_strict_security_headers_and_are_not_cached(staff_client):
    for url in ["/admin/login/", "/admin/", "/admin/training/course/add/"]:
        response = staff_client.get(url)
        assert response.status_code in (200, 302)
        # Staff forms post to this site: "same-origin" keeps their Origin header (see portal.middleware).
        assert_strict_headers(response, referrer_policy="same-origin")
        assert "no-store" in response["Cache-Control"]


def test_nonce_is_added_only_when_a_page_uses_it(rf, db):
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse
    from django.template import engines

    template = engines["django"].from_string('<script nonce="{{ CSP_NONCE }}">1</script>')

    def view(request):
        return HttpResponse(template.render({"CSP_NONCE": request.csp_nonce}))

    assert "nonce" not in CSPMiddleware(lambda request: HttpResponse("plain"))(rf.get("/"))["Content-Security-Policy"]
    response = CSPMiddleware(view)(rf.get("/"))
    nonce = response.content.decode().split('nonce="')[1].split('"')[0]
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]


def production_settings(**extra):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECURE_", "DEBUG", "ALLOWED_HOSTS", "SECRET_KEY"))
    }
    env.update(
        DEBUG="false", SECRET_KEY="x" * 60, ALLOWED_HOSTS="portal.example.org",
        DJANGO_SETTINGS_MODULE="portal.settings", **extra,
    )  # fmt: skip
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.CONTENT_SECURITY_POLICY['DIRECTIVES']['upgrade-insecure-requests'])"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()[-5:]


def test_https_settings_turn_on_hsts_secure_cookies_and_upgrade_insecure_requests():
    assert production_settings(SECURE_SSL="true") == ["31536000", "True", "True", "True", "True"]


def test_check_deploy_is_clean_under_production_settings():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="portal.example.org", SECURE_SSL="true"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
