"""Database unavailable: a friendly 503 (no traceback), /healthz/ 503, and recovery by itself."""

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import OperationalError, connection

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
FRIENDLY = "Sorry, the service is unavailable"


def refuse_queries(execute, sql, params, many, context):
    raise OperationalError("could not connect to server: Connection refused")


@contextmanager
def database_down():
    with connection.execute_wrapper(refuse_queries):
        yield


@pytest.mark.parametrize("url", ["/", "/briefings/", "/training/", "/search/?q=neglect", "/admin/"])
def test_public_and_staff_pages_answer_a_friendly_503_when_the_database_is_down(staff_client, url):
    with database_down():
        response = staff_client.get(url)
    assert response.status_code == 503
    page = response.content.decode()
    assert f"<h1>{FRIENDLY}</h1>" in page
    assert "Traceback" not in page and "OperationalError" not in page
    assert "Exit this page" in page
    assert response["Retry-After"] == "30"
    assert "Content-Security-Policy" in response


def test_healthz_is_503_while_the_database_is_down_and_200_after(client, db):
    with database_down():
        assert client.get("/healthz/").status_code == 503
    assert client.get("/healthz/").status_code == 200


def test_pages_work_again_as_soon_as_the_database_is_back(client, db):
    with database_down():
        assert client.get("/").status_code == 503
    response = client.get("/")
    assert response.status_code == 200
    assert FRIENDLY not in response.content.decode()


def test_database_error_outside_a_view_also_gets_the_friendly_503(rf):
    from portal.views import server_error

    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(rf.get("/"))
    assert response.status_code == 503
    assert FRIENDLY in response.content.decode()


def test_other_errors_still_get_the_500_page(rf):
    from portal.views import server_error

    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(rf.get("/"))
    assert response.status_code == 500


@pytest.mark.parametrize("error", [ValueError("a bug"), OperationalError("connection refused")])
def test_an_error_page_that_cannot_render_still_answers_plainly_with_the_exit(rf, monkeypatch, error):
    """Static files never collected: {% static %} raises in the error page itself."""
    from django.template import loader

    from portal.views import server_error

    def broken(*args, **kwargs):
        raise ValueError("Missing staticfiles manifest entry for 'css/site.css'")

    monkeypatch.setattr(loader, "get_template", broken)
    try:
        raise error
    except type(error):
        response = server_error(rf.get("/"))
    assert response.status_code in (500, 503)
    body = response.content.decode()
    assert "Try again later" in body and "Exit this page" in body and "999" in body


# --- Against a real PostgreSQL server that is stopped and started -------------------------------


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - loopback only
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError:
        return None, ""


def wait_for(url, status, seconds=180):
    """Poll until the address answers `status`; the deadline is generous, as a busy machine starts gunicorn slowly."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        code, body = fetch(url)
        if code == status:
            return body
        time.sleep(0.3)
    raise AssertionError(f"{url} did not answer {status} within {seconds} s (last: {code})")


@pytest.fixture
def own_postgres():
    """A PostgreSQL cluster of this test's own, so stopping it cannot disturb other tests running in parallel."""
    bindir, run_as = os.environ.get("PG_BIN_DIR"), shlex.split(os.environ.get("PG_RUN_AS", ""))
    if not bindir or not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("needs PostgreSQL: run under scripts/with-postgres")
    base = Path(tempfile.mkdtemp(prefix="portal-outage-"))
    if run_as:
        shutil.chown(base, "postgres", "postgres")
    data, port = base / "data", free_port()
    user = "postgres" if run_as else os.environ.get("USER", "postgres")
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"

    def pg(*args):
        subprocess.run([*run_as, *args], check=True, capture_output=True)

    pg(f"{bindir}/initdb", "-D", str(data), "-U", user, "-A", "trust", "-E", "UTF8")
    # pg_ctl waits 60 s by default for the server to start or stop; a busy machine may need longer.
    start = [f"{bindir}/pg_ctl", "-D", str(data), "-l", str(base / "log"), "-w", "-t", "300", "-o", options, "start"]
    pg(*start)
    pg(f"{bindir}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", user, "portal")
    try:
        yield {
            "url": f"postgres://{user}@127.0.0.1:{port}/portal",
            "stop": lambda: pg(f"{bindir}/pg_ctl", "-D", str(data), "-m", "fast", "-w", "-t", "300", "stop"),
            "start": lambda: pg(*start),
        }
    finally:
        subprocess.run([*run_as, f"{bindir}/pg_ctl", "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def test_site_on_postgresql_answers_503_while_the_server_is_stopped_and_recovers_by_itself(own_postgres):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DATABASE_URL=own_postgres["url"], DJANGO_SETTINGS_MODULE="portal.settings_test", DB_CONN_MAX_AGE="600",
    )  # fmt: skip
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--timeout", "120", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz/", 200)
        wait_for(base + "/", 200)  # the worker now holds a persistent connection

        own_postgres["stop"]()
        body = wait_for(base + "/", 503)
        assert f"<h1>{FRIENDLY}</h1>" in body and "Traceback" not in body
        assert fetch(base + "/briefings/")[0] == 503
        assert fetch(base + "/healthz/")[0] == 503

        own_postgres["start"]()
        # No restart of the site: the next requests reconnect by themselves.
        body = wait_for(base + "/", 200)
        assert FRIENDLY not in body
        assert fetch(base + "/healthz/")[0] == 200
        assert fetch(base + "/briefings/")[0] == 200
    finally:
        server.terminate()
        server.wait(timeout=120)
