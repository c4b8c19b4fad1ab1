"""An import that fails part-way changes nothing: one transaction per file."""

import pytest
from django.core.management import CommandError, call_command

from briefings.models import Briefing, Section
from tests.factories import BriefingFactory

from .test_history import snapshot

LATE_FAILURE = """---
title: Neglect in the early years
slug: neglect-in-the-early-years
kind: seven_minute_briefing
summary: A replaced summary that must not be saved.
themes: [A theme that must not be created]
resources:
  - title: Valid link
    url: https://example.org/ok
  - title: A file that was never uploaded
    url: /media/resources/2024/missing.pdf
---
## 1. Background
Replaced section one.

## 2. Why it matters
Replaced section two.

## 3. New section
Must not appear.
"""


def counts():
    from briefings.models import Theme

    return (Briefing.objects.count(), Section.objects.count(), Theme.objects.count(),
            Briefing.history.count(), Section.history.count())  # fmt: skip


def test_file_failing_after_its_sections_leaves_the_existing_briefing_unchanged(db, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    briefing = BriefingFactory(sections=2, draft=True, questions=1, key_facts=1, resources=1)
    before, before_counts, version = snapshot(briefing), counts(), briefing.version
    path = tmp_path / "late.md"
    path.write_text(LATE_FAILURE)
    with pytest.raises(CommandError, match="1 of 1 files were not imported"):
        call_command("import_briefings", str(path), verbosity=0)
    assert snapshot(briefing) == before
    assert counts() == before_counts
    assert Briefing.objects.get(pk=briefing.pk).version == version


def test_bad_file_is_skipped_whole_and_good_files_beside_it_are_imported(db, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "a-bad.md").write_text(LATE_FAILURE.replace("neglect-in-the-early-years", "brand-new"))
    (tmp_path / "b-good.md").write_text(
        "---\ntitle: A good one\nkind: audit_findings\nsummary: Fine.\n---\n## Key learning\nText.\n"
    )
    with pytest.raises(CommandError):
        call_command("import_briefings", str(tmp_path), verbosity=0)
    assert list(Briefing.objects.values_list("title", flat=True)) == ["A good one"]
    assert not Section.objects.filter(body__contains="Must not appear").exists()
