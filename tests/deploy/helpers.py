"""Run the site as the README deploys it: gunicorn with DEBUG=false, collected static files, real uploads."""

import json
import os
import secrets
import shutil
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]


def fetch(url, headers=None, method="GET", cafile=None):
    """(status, headers, body) without following redirects or raising on 4xx/5xx."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None

    handlers = [NoRedirect]
    if cafile:
        handlers.append(urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=str(cafile))))
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with opener.open(request, timeout=90) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def wait_for(url, seconds=180, process=None):
    """Poll until the address answers at all (any status), or fail with the deadline."""
    deadline = time.monotonic() + seconds
    while True:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode} before answering {url}")
        try:
            return fetch(url)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def production_env(base, **extra):
    """The environment of a production deployment: nothing from the test run, nothing from a .env file."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "AWS_", "MEDIA_", "CACHE_", "PAGE_CACHE", "STATIC_"))
        and key not in {"DEBUG", "SECRET_KEY", "SECURE_SSL", "ALLOWED_HOSTS"}
    }
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"sqlite:///{base / 'db.sqlite3'}",
        MEDIA_ROOT=str(base / "media"),
        CACHE_DIR=str(base / "cache"),
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    env.update(extra)
    return env


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )


def collect_static(target):
    env = production_env(target.parent, STATIC_ROOT=str(target))
    manage(env, "collectstatic", "--noinput", "-v0")
    return target


def make_content(env):
    """The content the deployment tests look at (tests/deploy/site_content.py), as JSON."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.deploy.site_content"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(done.stdout)


@contextmanager
def gunicorn(env, port=None):
    """gunicorn as the README's "Without Docker" commands start it; yields its base URL."""
    port = port or free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--timeout", "120", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz/", process=server)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=120)


@contextmanager
def deployed_site(base, static_root, **extra_env):
    """Migrate a fresh database, add the test content, start gunicorn: (base URL, content, env)."""
    (base / "media").mkdir(parents=True, exist_ok=True)
    env = production_env(base, STATIC_ROOT=str(static_root), **extra_env)
    manage(env, "migrate", "--noinput", "-v0")
    content = make_content(env)
    with gunicorn(env) as url:
        yield url, content, env


@contextmanager
def nginx(site_conf, base):
    """Debian's nginx as a throwaway process with its own prefix (as scripts/with-postgres runs PostgreSQL)."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(binary).exists(), "nginx is not installed: `make nginx` installs it"
    base.mkdir(parents=True, exist_ok=True)
    (base / "site.conf").write_text(site_conf)
    temp = {name: base / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    main = [
        # As root the workers would switch to "nobody", who cannot read the tests' private folders.
        "user root;" if os.geteuid() == 0 else "",
        "daemon off;",
        "worker_processes 1;",
        f"pid {base / 'nginx.pid'};",
        f"error_log {base / 'error.log'} warn;",
        "events { worker_connections 64; }",
        "http {",
        "  include /etc/nginx/mime.types;",
        "  default_type application/octet-stream;",
        f"  access_log {base / 'access.log'};",
        f"  client_body_temp_path {temp['body']};",
        f"  proxy_temp_path {temp['proxy']};",
        f"  fastcgi_temp_path {temp['fastcgi']};",
        f"  uwsgi_temp_path {temp['uwsgi']};",
        f"  scgi_temp_path {temp['scgi']};",
        f"  include {base / 'site.conf'};",
        "}",
    ]
    (base / "nginx.conf").write_text("\n".join(main) + "\n")
    checked = subprocess.run([binary, "-t", "-p", str(base), "-c", str(base / "nginx.conf")], capture_output=True)
    assert checked.returncode == 0, checked.stderr.decode()
    process = subprocess.Popen([binary, "-p", str(base), "-c", str(base / "nginx.conf")])
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=120)


def self_signed_certificate(base, host):
    """A certificate and key for `host`, made with openssl, for the TLS server in deploy/nginx.conf."""
    cert, key = base / "cert.pem", base / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={host}",
         "-addext", f"subjectAltName=DNS:{host},IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key
