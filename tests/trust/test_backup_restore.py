"""A backup restored into an empty database gives the same pages."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from briefings.models import Briefing, Resource
from tests.factories import UserFactory
from training.models import Course

ROOT = Path(__file__).resolve().parents[2]
VOLATILE = [
    re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'),
    re.compile(r'nonce="[^"]*"'),
    re.compile(r"'nonce-[^']*'"),
]


def normalise(html):
    for pattern in VOLATILE:
        html = pattern.sub("", html)
    return html


def clear_caches():
    for cache in caches.all():
        cache.clear()


def key_pages():
    briefing = Briefing.objects.published().order_by("slug").first()
    course = Course.objects.published().order_by("slug").first()
    theme = briefing.themes.order_by("slug").first()
    return [
        "/", "/briefings/", briefing.get_absolute_url(), f"{briefing.get_absolute_url()}team-pack/",
        theme.get_absolute_url(), "/themes/", "/training/", course.get_absolute_url(),
        "/search/?q=neglect", "/accessibility/", "/about/",
    ]  # fmt: skip


def render_pages(client, urls):
    clear_caches()
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = normalise(response.content.decode())
    return pages


@pytest.mark.django_db(transaction=True)
def test_backup_restored_into_an_empty_database_gives_the_same_pages(client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", verbosity=0)
    briefing = Briefing.objects.published().order_by("slug").first()
    stored = default_storage.save("resources/2024/toolkit.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    Resource.objects.create(briefing=briefing, title="Uploaded toolkit", file=stored, position=99)
    UserFactory(username="keeper")
    urls = key_pages()
    before = render_pages(client, urls)
    history_rows = Briefing.history.count()
    assert "Uploaded toolkit" in before[briefing.get_absolute_url()]

    call_command("backup_site", str(tmp_path / "backup"), verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.MEDIA_ROOT)
    clear_caches()
    assert Briefing.objects.count() == 0 and Course.objects.count() == 0

    call_command("restore_site", str(tmp_path / "backup"), verbosity=0)
    after = render_pages(client, urls)
    for url in urls:
        assert after[url] == before[url], url
    with default_storage.open(stored) as restored_file:
        assert restored_file.read() == b"%PDF-1.4\n%%EOF\n"
    assert Briefing.history.count() == history_rows
    assert get_user_model().objects.get(username="keeper").check_password("a-long-test-password")


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_holds_content(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", verbosity=0)
    call_command("backup_site", str(tmp_path / "backup"), verbosity=0)
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore_site", str(tmp_path / "backup"), verbosity=0)


def test_backup_and_restore_scripts_move_a_site_to_a_new_database(tmp_path):
    """The documented scripts, end to end, from one SQLite file to another."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    base.update(DJANGO_SETTINGS_MODULE="portal.settings_test", MEDIA_ROOT=str(tmp_path / "media"))
    old = {**base, "DATABASE_URL": f"sqlite:///{tmp_path / 'old.sqlite3'}"}
    new = {**base, "DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite3'}", "MEDIA_ROOT": str(tmp_path / "new")}
    python = str(ROOT / ".venv" / "bin" / "python")

    def run(env, *command):
        result = subprocess.run(command, cwd=ROOT, env={**env, "PYTHON": python}, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    run(old, python, "manage.py", "migrate", "-v0")
    run(old, python, "manage.py", "load_demo", "-v0")
    (tmp_path / "media" / "resources").mkdir(parents=True)
    (tmp_path / "media" / "resources" / "poster.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    assert "Backed up" in run(old, "scripts/backup", str(tmp_path / "backup"))
    assert "Restored" in run(new, "scripts/restore", str(tmp_path / "backup"))
    count = "from briefings.models import Briefing; print(Briefing.objects.count(), Briefing.history.count())"
    assert run(new, python, "manage.py", "shell", "-c", count) == run(old, python, "manage.py", "shell", "-c", count)
    assert (tmp_path / "new" / "resources" / "poster.pdf").read_bytes() == b"%PDF-1.4\n%%EOF\n"


@pytest.mark.django_db
def test_the_backup_keeps_team_records_votes_subscribers_and_synonyms(tmp_path):
    """What the partnership cannot make again: the evidence of the learning's reach and readers' choices."""
    import datetime
    import json

    from learning.models import Agency, TeamRecord, UsefulnessVote
    from portal.site.models import SynonymGroup
    from tests.factories import BriefingFactory, SubscriberFactory

    briefing = BriefingFactory(sections=1)
    agency = Agency.objects.create(name="Health visiting")
    TeamRecord.objects.create(
        briefing=briefing, briefing_title=briefing.title, met_on=datetime.date(2026, 11, 2), team="Team A",
        agency=agency, attendees=8,
    )  # fmt: skip
    UsefulnessVote.objects.create(briefing=briefing, useful=True, voter="x" * 64)
    SubscriberFactory(email="reader@example.org")
    SynonymGroup.objects.create(terms="LAC, looked after children")
    call_command("backup_site", str(tmp_path / "backup"), verbosity=0)
    labels = {row["model"] for row in json.loads((tmp_path / "backup" / "data.json").read_text())}
    assert {"learning.agency", "learning.teamrecord", "learning.usefulnessvote", "alerts.subscriber"} <= labels
    assert "site.synonymgroup" in labels
