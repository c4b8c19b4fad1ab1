"""Two staff saving at the same moment under gunicorn: nothing is lost, on SQLite as on PostgreSQL.

Real gunicorn (DEBUG off, a generated SECRET_KEY, 2 workers) serves a copy of the suite's database:
on SQLite a file (so the site's own SQLite options apply: WAL, busy timeout, BEGIN IMMEDIATE), on
PostgreSQL a new database with a dump of the suite's test database, dropped afterwards. Two logged-in
publishers fire their saves together (threads released by a barrier), several times over.
"""

import http.client
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing, contextmanager
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.db import connection

from tests.ports import free_port

from .conftest import _FormParser

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
PASSWORD = "a-long-test-password"
ROUNDS = 4
STALE = "was changed while you were editing it"


class Browser:
    """One member of staff: a cookie jar over http.client, redirects not followed."""

    def __init__(self, port):
        self.port, self.cookies = port, {}

    def request(self, method, path, fields=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if fields is not None:
            body = urlencode(fields, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def form(self, path, form_id):
        status, page = self.request("GET", path)
        assert status == 200, f"GET {path} answered {status}"
        parser = _FormParser(form_id)
        parser.feed(page)
        return {key: parser.data.getlist(key) for key in parser.data}

    def log_in(self, username):
        fields = self.form("/admin/login/", "login-form")
        fields.update(username=[username], password=[PASSWORD], next=["/admin/"])
        status, _ = self.request("POST", "/admin/login/", fields)
        assert status == 302, "logged in"


SEED = """
import json, sys
import django
django.setup()
from tests.factories import BriefingFactory, UserFactory
token = sys.argv[1]
for name in ("alex", "sam"):
    UserFactory(username=f"{name}-{token}", superuser=True, first_name=name.title())
titles = ["Neglect in the early years", "Neglect of teenagers"]
parts = {"draft": True, "sections": 2, "questions": 1, "key_facts": 1, "resources": 1}
print(json.dumps([BriefingFactory(title=t, slug=f"race-{token}-{n}", **parts).pk for n, t in enumerate(titles)]))
"""


@contextmanager
def server_database(tmp_path):
    """A copy of the suite's (still empty) test database for the server; yields (url, read a summary)."""
    if connection.vendor == "sqlite":
        path = tmp_path / "db.sqlite3"
        # The image of the suite's in-memory database (backup() would wait for this test's transaction).
        path.write_bytes(connection.connection.serialize())

        def sqlite_summary(pk):
            with closing(sqlite3.connect(path, timeout=20)) as db:
                return db.execute("SELECT summary FROM briefings_briefing WHERE id = ?", [pk]).fetchone()[0]

        yield f"sqlite:///{path}", sqlite_summary
        return
    import psycopg2

    bindir = os.environ.get("PG_BIN_DIR") or str(Path(shutil.which("pg_dump") or "pg_dump").parent)
    settings = connection.settings_dict
    server = {k: settings[k.upper()] for k in ("host", "port", "user", "password") if settings[k.upper()]}
    name = f"race_{secrets.token_hex(4)}"
    admin = psycopg2.connect(dbname="postgres", **server)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        where = ["-h", server["host"], "-p", str(server["port"]), "-U", server["user"]]
        dump = subprocess.run(
            [f"{bindir}/pg_dump", "--no-owner", *where, settings["NAME"]], capture_output=True, check=True
        )
        subprocess.run(
            [f"{bindir}/psql", "-q", "-v", "ON_ERROR_STOP=1", *where, name], input=dump.stdout, capture_output=True,
            check=True,
        )  # fmt: skip

        def postgres_summary(pk):
            with closing(psycopg2.connect(dbname=name, **server)) as db, db.cursor() as cursor:
                cursor.execute("SELECT summary FROM briefings_briefing WHERE id = %s", [pk])
                return cursor.fetchone()[0]

        credentials = quote(server["user"]) + (f":{quote(server['password'])}" if "password" in server else "")
        yield f"postgres://{credentials}@{server['host']}:{server['port']}/{name}", postgres_summary
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def site(tmp_path, db):
    """gunicorn serving two briefings to two logged-in publishers; yields (alex, sam, briefing pks, read summary)."""
    with server_database(tmp_path) as (url, stored_summary):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
        env.update(
            DATABASE_URL=url, DJANGO_SETTINGS_MODULE="portal.settings_test", DEBUG="false",
            SECRET_KEY=secrets.token_urlsafe(50), MEDIA_ROOT=str(tmp_path / "media"),
        )  # fmt: skip
        token = secrets.token_hex(3)
        seeded = subprocess.run([sys.executable, "-c", SEED, token], cwd=ROOT, env=env, capture_output=True, text=True)
        assert seeded.returncode == 0, seeded.stderr
        briefings = json.loads(seeded.stdout.strip().splitlines()[-1])
        port = free_port()
        log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115 - closed after the server stops
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "--bind", f"{HOST}:{port}",
             "--workers", "2", "--preload", "--timeout", "120", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_until_up(port, server)
            alex, sam = Browser(port), Browser(port)
            alex.log_in(f"alex-{token}")
            sam.log_in(f"sam-{token}")
            yield alex, sam, briefings, stored_summary
        finally:
            server.terminate()
            server.wait(timeout=120)
            log.close()


def wait_until_up(port, server, seconds=180):
    """Poll /healthz/; generous, as loading the app with --preload takes a while on a busy machine."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn exited"
        try:
            if Browser(port).request("GET", "/healthz/")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"gunicorn did not answer /healthz/ within {seconds} s")


def change_path(pk):
    return f"/admin/briefings/briefing/{pk}/change/"


def at_once(*saves):
    """Run the saves in threads released together; return their (status, page) in order."""
    barrier = threading.Barrier(len(saves))
    results = [None] * len(saves)

    def run(index, save):
        barrier.wait()
        results[index] = save()

    threads = [threading.Thread(target=run, args=(i, save)) for i, save in enumerate(saves)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    return results


def test_two_staff_saving_different_briefings_at_once_both_save(site):
    alex, sam, (first, second), stored_summary = site
    for n in range(ROUNDS):
        alex_form = alex.form(change_path(first), "briefing_form")
        sam_form = sam.form(change_path(second), "briefing_form")
        alex_form["summary"] = [f"Alex’s summary, round {n}."]
        sam_form["summary"] = [f"Sam’s summary, round {n}."]
        sam_form["sections-0-body"] = [f"Sam’s first section, round {n}."]

        (alex_status, _), (sam_status, _) = at_once(
            lambda f=alex_form: alex.request("POST", change_path(first), f),
            lambda f=sam_form: sam.request("POST", change_path(second), f),
        )
        assert (alex_status, sam_status) == (302, 302), f"round {n}: both saved (503 is 'database is locked')"
        assert stored_summary(first) == f"Alex’s summary, round {n}."
        assert stored_summary(second) == f"Sam’s summary, round {n}."


def test_two_staff_saving_the_same_briefing_at_once_one_gets_the_conflict_message(site):
    alex, sam, (briefing, _), stored_summary = site
    for n in range(ROUNDS):
        forms = {
            "Alex": alex.form(change_path(briefing), "briefing_form"),
            "Sam": sam.form(change_path(briefing), "briefing_form"),
        }
        for who, fields in forms.items():
            fields["summary"] = [f"{who}’s summary, round {n}."]

        results = dict(
            zip(
                forms,
                at_once(
                    lambda f=forms["Alex"]: alex.request("POST", change_path(briefing), f),
                    lambda f=forms["Sam"]: sam.request("POST", change_path(briefing), f),
                ),
                strict=True,
            )
        )
        statuses = sorted(status for status, _ in results.values())
        assert statuses == [200, 302], f"round {n}: one saved, one told (not 503): {statuses}"
        winner = next(who for who, (status, _) in results.items() if status == 302)
        loser_page = next(page for status, page in results.values() if status == 200)
        assert STALE in loser_page
        loser = "Sam" if winner == "Alex" else "Alex"
        assert f"{loser}’s summary, round {n}." in loser_page, "what the second person typed is still there"
        assert stored_summary(briefing) == f"{winner}’s summary, round {n}."
