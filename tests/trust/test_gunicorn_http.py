"""The HTTP layer as deployed: gunicorn, DEBUG off, SECURE_SSL=true behind a proxy that sends
X-Forwarded-Proto. Compressed pages, the HTTPS redirect with a warm page cache, a wrong Host,
and oversized bodies, declared or chunked (issues 13.11, 13.12, 14.3, 14.4)."""

import gzip
import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import brotli
import pytest

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
HOST = "portal.example.org"
BRIEFING = "/briefings/lived-experience/"
MAKE_BRIEFING = """
import datetime as dt
from django.utils import timezone
from briefings.models import Briefing
b = Briefing.objects.create(title="Neglect and the lived experience of the child", slug="lived-experience",
    summary="What daily life is like for a neglected child.", status="published",
    published=timezone.localdate() - dt.timedelta(days=3))
text = "Neglect is persistent failure to meet needs. " * 40
for n in range(1, 8):
    b.sections.create(position=n, heading=f"Part {n}", body=text)
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("gunicorn-http")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.trust.gunicorn_settings", DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50),
        SECURE_SSL="true", DATABASE_URL=f"sqlite:///{work / 'db.sqlite3'}", MEDIA_ROOT=str(work / "media"),
    )  # fmt: skip
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "shell", "-c", MAKE_BRIEFING], cwd=ROOT, env=env, check=True)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--timeout", "120", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        # Start-up alone takes 20 s on a busy machine: the deadline is only for a server that never comes.
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, f"gunicorn exited with {process.returncode}"
            try:
                if request(port, "GET", "/healthz/")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=120)


def request(port, method, path, headers=None, body=None, host=HOST):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request(method, path, body=body, headers={"Host": host, **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


HTTPS = {"X-Forwarded-Proto": "https"}


@pytest.mark.parametrize("encoding,decompress", [("br", brotli.decompress), ("gzip", gzip.decompress)])
def test_pages_are_served_compressed(server, encoding, decompress):
    for _ in range(3):  # a miss, then hits
        status, headers, body = request(server, "GET", BRIEFING, {**HTTPS, "Accept-Encoding": encoding})
        assert status == 200
        assert headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in headers["Vary"]
        page = decompress(body).decode()
        assert "Neglect and the lived experience of the child" in page
        assert len(body) < len(page.encode()) / 4


@pytest.mark.parametrize("path", [BRIEFING, "/", "/briefings/", "/feeds/briefings/", "/no-such-page/"])
def test_plain_http_is_redirected_with_the_page_cache_warm(server, path):
    for _ in range(2):
        assert request(server, "GET", path, {**HTTPS, "Accept-Encoding": "gzip, br"})[0] in (200, 404)
        assert request(server, "GET", path, HTTPS)[0] in (200, 404)
    for headers in ({}, {"Accept-Encoding": "gzip, br"}, {"X-Forwarded-Proto": "http"}):
        status, response_headers, _ = request(server, "GET", path, headers)
        assert status == 301
        assert response_headers["Location"] == f"https://{HOST}{path}"


def test_a_wrong_host_gets_the_friendly_400_with_security_headers(server):
    status, headers, body = request(server, "GET", "/", HTTPS, host="attacker.example")
    assert status == 400
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "Exit this page" in body.decode()


def test_a_huge_declared_body_is_refused_before_it_is_sent(server):
    """Only the headers of a 300 MB upload are sent: the answer comes without waiting for the body."""
    with socket.create_connection(("127.0.0.1", server), timeout=120) as sock:
        sock.sendall(
            b"POST /contrast/ HTTP/1.1\r\nHost: portal.example.org\r\nX-Forwarded-Proto: https\r\n"
            b"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 314572800\r\n\r\n"
        )
        # The answer may arrive in more than one piece: read at least its status line.
        answer = b""
        while b"\r\n" not in answer and (chunk := sock.recv(65536)):
            answer += chunk
        answer = answer.decode("latin-1")
    assert answer.startswith("HTTP/1.1 413")


def test_a_chunked_body_without_a_length_is_limited_too(server):
    """One byte over the public limit, chunked: refused as soon as that byte arrives."""
    over = 16 * 1024 + 1
    with socket.create_connection(("127.0.0.1", server), timeout=120) as sock:
        sock.sendall(
            b"POST /contrast/ HTTP/1.1\r\nHost: portal.example.org\r\nX-Forwarded-Proto: https\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n"
            + f"{over:x}\r\n".encode()
            + b"n" * over
        )
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 413")
    assert b"too much to send" in answer


def test_a_small_chunked_body_is_read_as_usual(server):
    status, headers, _ = request(
        server, "POST", "/contrast/",
        {**HTTPS, "Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin"},
        body=iter([b"next=%2Fbriefings", b"%2F"]),
    )  # fmt: skip
    assert status == 302
    assert headers["Location"] == "/briefings/"
