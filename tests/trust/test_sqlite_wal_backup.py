"""With SQLite in WAL mode the latest saves may be only in db.sqlite3-wal: scripts/backup still has them."""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def stored_names(path):
    with closing(sqlite3.connect(path)) as db:
        return sorted(row[0] for row in db.execute("SELECT name FROM auth_group"))


def test_backup_of_a_wal_database_has_the_saves_not_yet_in_the_main_file(tmp_path, db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: PostgreSQL is backed up with pg_dump or the same JSON export")
    path = tmp_path / "db.sqlite3"
    # The image of the suite's in-memory database (backup() would wait for this test's transaction).
    path.write_bytes(connection.connection.serialize())
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("INSERT INTO auth_group (name) VALUES ('Reviewers')")
    before = stored_names(path)

    # The site's connection keeps the save in the -wal file: nothing copies it into db.sqlite3 yet.
    site = sqlite3.connect(path)
    try:
        assert site.execute("PRAGMA journal_mode=WAL").fetchone() == ("wal",)
        site.execute("PRAGMA wal_autocheckpoint=0")
        with site:
            site.execute("UPDATE auth_group SET name = 'Reviewers (renamed a moment ago)' WHERE name = 'Reviewers'")
        assert os.path.getsize(f"{path}-wal") > 0

        naive = tmp_path / "copied-alone.sqlite3"
        shutil.copyfile(path, naive)
        assert stored_names(naive) == before, "db.sqlite3 alone misses the save"

        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
        env.update(
            DATABASE_URL=f"sqlite:///{path}", DJANGO_SETTINGS_MODULE="portal.settings_test",
            MEDIA_ROOT=str(tmp_path / "media"), PYTHON=sys.executable,
        )  # fmt: skip
        target = tmp_path / "backup"
        subprocess.run(["scripts/backup", str(target)], cwd=ROOT, env=env, check=True, capture_output=True)
    finally:
        site.close()
    records = json.loads((target / "data.json").read_text())
    names = {r["fields"]["name"] for r in records if r["model"] == "auth.group"}
    assert "Reviewers (renamed a moment ago)" in names and "Reviewers" not in names
