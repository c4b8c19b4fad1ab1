"""Several machines: two separate gunicorn servers on one PostgreSQL and one Redis (CACHE_URL).

What one server saves, the other serves at once: cached pages, each worker's in-memory caches
(keyed by the content generation held in Redis), search results and PDFs. A login on one is
valid on the other, and the login lockout counts failures made on both.
Run by `make test-multi`: scripts/with-postgres scripts/with-redis ... pytest -m multiserver.
"""

import html
import io
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import closing
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from pathlib import Path

import psycopg2
import pytest
import redis
from pypdf import PdfReader

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "two-servers-" + secrets.token_urlsafe(12)
pytestmark = pytest.mark.multiserver


# --- The two servers -----------------------------------------------------------------------------


PREPARE = f"""
import django
django.setup()
from django.contrib.auth.models import User
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
call_command("load_demo", verbosity=0)
User.objects.create_superuser("admin", "admin@example.org", "{PASSWORD}")
User.objects.create_user("locked", "locked@example.org", "{PASSWORD}", is_staff=True)
"""


def prepare(env):
    """Migrate, load the demo content and add two staff accounts, in one process (as a deployment would)."""
    result = subprocess.run([sys.executable, "-c", PREPARE], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def wait_for_health(url, server, seconds=180):
    """Poll /healthz/; generous, as four workers start slowly on a busy machine."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, f"gunicorn for {url} exited with {server.returncode}"
        try:
            with urllib.request.urlopen(url + "/healthz/", timeout=60) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} was not healthy within {seconds} s")


@dataclass
class Site:
    a: str
    b: str
    database_url: str

    def query(self, sql, *params):
        with closing(psycopg2.connect(self.database_url)) as db, db.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


@pytest.fixture(scope="module")
def site():
    base_url, cache_url = os.environ.get("DATABASE_URL", ""), os.environ.get("CACHE_URL", "")
    if not base_url.startswith("postgres") or not cache_url.startswith("redis"):
        pytest.fail("needs PostgreSQL and Redis: run under scripts/with-postgres scripts/with-redis (make test-multi)")
    name = f"portal_two_servers_{os.getpid()}"
    admin = psycopg2.connect(base_url)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        cursor.execute(f"CREATE DATABASE {name}")
    database_url = base_url.rsplit("/", 1)[0] + "/" + name
    redis.Redis.from_url(cache_url).flushdb()

    servers, logs = [], []
    with tempfile.TemporaryDirectory(prefix="portal-two-servers-") as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.deploy.settings_two_servers",
            "DEBUG": "false",
            "SECRET_KEY": "two-servers-test-only-" + secrets.token_urlsafe(40),
            "DATABASE_URL": database_url,
            "CACHE_URL": cache_url,
            "STATIC_ROOT": f"{tmp}/static",
            "LOG_LEVEL": "WARNING",
        }
        os.mkdir(f"{tmp}/static")
        prepare(env)
        urls = []
        for machine in ("a", "b"):
            port = free_port()
            # Each machine has its own disk: nothing may rely on a shared CACHE_DIR or MEDIA_ROOT.
            machine_env = {**env, "CACHE_DIR": f"{tmp}/{machine}/cache", "MEDIA_ROOT": f"{tmp}/{machine}/media"}
            log = open(f"{tmp}/gunicorn-{machine}.log", "w")  # noqa: SIM115 - closed below
            logs.append(log)
            command = [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "--workers", "2"]
            # gunicorn's 30 s for one request (a PDF) can run out on a busy machine.
            command += ["--timeout", "120"]
            servers.append(
                subprocess.Popen(
                    [*command, "--bind", f"127.0.0.1:{port}"], cwd=ROOT, env=machine_env, stdout=log, stderr=log
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        try:
            for url, server in zip(urls, servers, strict=True):
                wait_for_health(url, server)
            yield Site(a=urls[0], b=urls[1], database_url=database_url)
        finally:
            for server in servers:
                server.send_signal(signal.SIGINT)  # gunicorn's quick shutdown: nothing is in flight
            for server in servers:
                server.wait(timeout=120)
            for log in logs:
                log.close()
            with admin.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            admin.close()


# --- A browser: one cookie jar for both servers, as behind a load balancer -----------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    def __init__(self):
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect())

    def request(self, url, data=None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(url, body, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def get(self, url):
        status, body = self.request(url)
        assert status == 200, f"GET {url}: {status}"
        return body.decode() if not url.endswith(".pdf") else body

    def login(self, server, username, password):
        fields = form_fields(self.get(server + "/admin/login/"), "login-form")
        return self.request(server + "/admin/login/", {**fields, "username": username, "password": password})


class FormParser(HTMLParser):
    """The fields one HTML form would submit, as a browser sends them (no files)."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.fields = form_id, False, []
        self.textarea = self.select = None
        self.options = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        kind = (attrs.get("type") or "text").lower()
        if tag == "input" and name and kind not in ("submit", "button", "file", "image", "reset"):
            if kind not in ("checkbox", "radio") or "checked" in attrs:
                self.fields.append((name, attrs.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
        elif tag == "select" and name:
            self.select, self.options = (name, "multiple" in attrs), []
        elif tag == "option" and self.select:
            self.options.append((attrs.get("value", ""), "selected" in attrs))

    def handle_data(self, data):
        if self.textarea:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea:
            # A browser drops the one newline that follows <textarea>.
            self.fields.append((self.textarea[0], self.textarea[1].removeprefix("\n")))
            self.textarea = None
        elif tag == "select" and self.select:
            name, multiple = self.select
            chosen = [value for value, selected in self.options if selected]
            if not chosen and not multiple and self.options:
                chosen = [self.options[0][0]]
            self.fields.extend((name, value) for value in chosen)
            self.select = None


def form_fields(page, form_id):
    parser = FormParser(form_id)
    parser.feed(page)
    assert parser.fields, f"no form {form_id!r} on the page"
    fields = {}
    for name, value in parser.fields:
        fields.setdefault(name, []).append(value)
    return fields


def save_in_admin(browser, server, change_url, form_id, **changes):
    """Open an admin change form on this server, change some fields and save it, as staff would."""
    fields = form_fields(browser.get(server + change_url), form_id)
    for name, value in changes.items():
        assert name in fields, f"{name} is not on the form"
        fields[name] = [value]
    status, body = browser.request(server + change_url, {**fields, "_save": "Save"})
    errors = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', body.decode(errors="replace"), re.S)
    assert status == 302, f"save refused ({status}): {errors}"


def text_of(page):
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def pdf_text(content):
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture(scope="module")
def staff(site):
    browser = Browser()
    status, _ = browser.login(site.a, "admin", PASSWORD)
    assert status == 302
    return browser


@pytest.fixture(scope="module")
def briefing(site):
    (row,) = site.query(
        "SELECT id, slug, title FROM briefings_briefing WHERE status = 'published' AND published <= now() "
        "ORDER BY published DESC LIMIT 1"
    )
    return row


def many(fetch, times=6):
    """Several requests, so both of a server's workers answer (each has its own in-memory cache)."""
    return [fetch() for _ in range(times)]


# --- Tests ---------------------------------------------------------------------------------------


def test_an_edit_saved_on_a_is_what_b_serves_at_once_from_every_cache(site, staff, briefing):
    pk, slug, title = briefing
    word = "quokkaedit"
    reader = Browser()
    page, pdf, search = f"/briefings/{slug}/", f"/briefings/{slug}.pdf", f"/search/?q={word}"

    # Warm every cache on B: the page cache (Redis), each worker's memory (a staff session skips
    # the page cache but uses the in-memory briefing and body caches), the search and PDF caches.
    for html_page in many(lambda: reader.get(site.b + page)) + many(lambda: staff.get(site.b + page)):
        assert title in text_of(html_page) and word not in html_page
    assert word not in pdf_text(reader.get(site.b + pdf))
    assert "No results" in reader.get(site.b + search)

    new_title = f"{title} {word}"
    save_in_admin(staff, site.a, f"/admin/briefings/briefing/{pk}/change/", "briefing_form", title=new_title)

    for html_page in many(lambda: reader.get(site.b + page)) + many(lambda: staff.get(site.b + page)):
        assert new_title in text_of(html_page)
    assert word in pdf_text(reader.get(site.b + pdf))
    found = text_of(reader.get(site.b + search))
    assert "No results" not in found and new_title in found


def test_site_settings_saved_on_a_show_on_every_page_b_serves(site, staff):
    reader = Browser()
    for html_page in many(lambda: reader.get(site.b + "/")) + many(lambda: staff.get(site.b + "/briefings/")):
        assert "Wombat Safeguarding Partnership" not in html_page

    save_in_admin(
        staff, site.a, "/admin/portal/sitesettings/1/change/", "sitesettings_form",
        partnership_name="Wombat Safeguarding Partnership",
    )  # fmt: skip

    for html_page in many(lambda: reader.get(site.b + "/")) + many(lambda: staff.get(site.b + "/briefings/")):
        assert "Wombat Safeguarding Partnership" in html_page


def test_a_login_on_a_is_valid_on_b_and_a_logout_on_b_ends_it_on_a(site):
    browser = Browser()
    status, _ = browser.login(site.a, "admin", PASSWORD)
    assert status == 302
    assert 'id="logout-form"' in browser.get(site.b + "/admin/")

    logout = form_fields(browser.get(site.b + "/admin/"), "logout-form")
    assert browser.request(site.b + "/admin/logout/", logout)[0] == 200
    status, _ = browser.request(site.a + "/admin/")
    assert status == 302, "the session ended on B must be over on A too"


def test_failed_logins_on_both_servers_count_towards_one_lockout(site):
    browser = Browser()
    # Three failures on A and two on B: neither alone reaches the limit of five.
    for server in (site.a, site.b, site.a, site.b):
        status, body = browser.login(server, "locked", "wrong password")
        assert status == 200 and b"Please enter the correct username and password" in body
    status, _ = browser.login(site.a, "locked", "wrong password")
    assert status == 429
    # Locked out everywhere, even with the right password.
    assert browser.login(site.b, "locked", PASSWORD)[0] == 429
    assert browser.login(site.a, "locked", PASSWORD)[0] == 429


def test_no_server_serves_old_content_after_redis_loses_the_content_generation(site, staff):
    shared = redis.Redis.from_url(os.environ["CACHE_URL"])
    reader = Browser()
    settings_url, page = "/admin/portal/sitesettings/1/change/", "/accessibility/"
    save_in_admin(staff, site.a, settings_url, "sitesettings_form", partnership_name="Numbat Partnership")
    shared.flushdb()  # Redis restarted (or the generation evicted): the count starts again
    for html_page in many(lambda: reader.get(site.b + page), times=10):
        assert "Numbat Partnership" in html_page

    save_in_admin(staff, site.a, settings_url, "sitesettings_form", partnership_name="Bilby Partnership")
    for html_page in many(lambda: reader.get(site.b + page), times=10):
        assert "Bilby Partnership" in html_page
    shared.flushdb()  # restarted again; nothing else has changed

    for html_page in many(lambda: reader.get(site.b + page), times=10):
        assert "Bilby Partnership" in html_page, "a worker served the settings it kept before the edit"
