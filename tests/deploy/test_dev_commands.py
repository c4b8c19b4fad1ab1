"""In a checkout prepared by `make run`, the README's manage.py commands work as written, with no variables set.

Production keeps its guards: gunicorn never reads the checkout's .env, so it still refuses to start
without a real SECRET_KEY, and DEBUG is on only where someone asked for it.
"""

import os
import pty
import shutil
import subprocess
import sys
import time

import pytest

from tests.deploy.helpers import ROOT, free_port

BRIEFING = """---
title: Home conditions and “good enough” care
kind: seven_minute_briefing
summary: What practitioners noticed – and missed.
status: published
published: 2024-05-01
---
## 1. Background

Text with curly quotes “like this”.
"""


def clean_env():
    """What a new shell has: no DEBUG, no SECRET_KEY, nothing from the test run."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/root"), "LANG": "C.UTF-8"}


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    """A copy of this checkout's files, with the virtualenv, as `make run` leaves it (its .env written)."""
    target = tmp_path_factory.mktemp("checkout") / "portal"
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, check=True, capture_output=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / ".venv").symlink_to(ROOT / ".venv")
    subprocess.run(["make", "--no-print-directory", ".env", f"PYTHON={sys.executable}"], cwd=target, check=True,
                   env=clean_env(), capture_output=True)  # fmt: skip
    run(target, ".venv/bin/python manage.py migrate --noinput -v0")
    return target


def run(cwd, command, check=True):
    # The README's commands, run as a shell runs them when typed.
    done = subprocess.run(  # noqa: S602
        command, shell=True, cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=600
    )
    if check:
        assert done.returncode == 0, f"{command!r} failed:\n{done.stdout}\n{done.stderr}"
    return done


def test_make_run_writes_a_private_env_file_that_git_ignores(checkout):
    text = (checkout / ".env").read_text()
    assert "DEBUG=true" in text
    key = next(line.split("=", 1)[1] for line in text.splitlines() if line.startswith("SECRET_KEY="))
    assert len(key) >= 50
    assert (checkout / ".env").stat().st_mode & 0o077 == 0
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT)
    assert ignored.returncode == 0
    assert ".env" in (ROOT / ".dockerignore").read_text().split()


def test_readme_commands_work_as_written(checkout, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "home-conditions.md").write_text(BRIEFING, encoding="utf-8")
    run(checkout, f".venv/bin/python manage.py import_briefings {tmp_path / 'in'}")
    run(checkout, f".venv/bin/python manage.py export_briefings {tmp_path / 'out'}")
    exported = (tmp_path / "out" / "home-conditions-and-good-enough-care.md").read_text(encoding="utf-8")
    assert "“good enough”" in exported
    run(checkout, ".venv/bin/python manage.py rebuild_search_index")
    run(checkout, "scripts/backup")
    assert any((checkout / "backups").iterdir())


def test_createsuperuser_works_as_written(checkout):
    """Typed at a terminal, as the README has people do it."""
    main, side = pty.openpty()
    process = subprocess.Popen(
        [".venv/bin/python", "manage.py", "createsuperuser"],
        cwd=checkout, env=clean_env(), stdin=side, stdout=side, stderr=side,
    )  # fmt: skip
    os.close(side)
    answers = [b"Username", b"Email", b"Password:", b"Password (again)"]
    replies = [b"admin2\n", b"admin2@example.org\n", b"a-long-test-passphrase-42\n", b"a-long-test-passphrase-42\n"]
    seen = b""
    deadline = time.monotonic() + 120
    while answers and time.monotonic() < deadline:
        try:
            seen += os.read(main, 1024)
        except OSError:
            break
        if answers[0] in seen:
            os.write(main, replies.pop(0))
            seen = seen.split(answers.pop(0), 1)[1]
    assert process.wait(timeout=120) == 0, seen.decode(errors="replace")
    os.close(main)
    check = run(checkout, ".venv/bin/python manage.py shell -c \"from django.contrib.auth.models import User; "
                "print(User.objects.filter(username='admin2', is_superuser=True).count())\"")  # fmt: skip
    assert check.stdout.split()[-1] == "1"


def test_real_environment_variables_win_over_the_file(checkout):
    show = ".venv/bin/python manage.py shell -c 'from django.conf import settings; print(settings.DEBUG)'"
    assert run(checkout, show).stdout.split()[-1] == "True"
    assert run(checkout, "DEBUG=false " + show).stdout.split()[-1] == "False"


def test_gunicorn_never_reads_the_checkouts_env_file(checkout):
    """The production server in the same checkout still refuses to start without a real SECRET_KEY."""
    port = free_port()
    done = run(checkout, f".venv/bin/gunicorn portal.wsgi:application --bind 127.0.0.1:{port} --workers 1", check=False)
    assert done.returncode != 0
    assert "SECRET_KEY is not set" in done.stderr


def test_without_the_file_manage_py_refuses_as_before(checkout, tmp_path):
    bare = tmp_path / "bare"
    shutil.copytree(checkout, bare, symlinks=True, ignore=shutil.ignore_patterns(".env", "db.sqlite3", "backups"))
    done = run(bare, ".venv/bin/python manage.py check", check=False)
    assert done.returncode != 0 and "SECRET_KEY is not set" in done.stderr
