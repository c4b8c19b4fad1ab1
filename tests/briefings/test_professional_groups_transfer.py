"""`professional_groups:` in the import/export format: optional, checked against the list staff keep, round-tripped."""

import pytest
from django.core.management import call_command

from briefings.importer import import_file
from briefings.models import Briefing
from tests.factories import BriefingFactory, ProfessionalGroupFactory

pytestmark = pytest.mark.django_db

FILE = """---
title: Groups briefing
kind: seven_minute_briefing
summary: For some groups.
{groups}
---

## 1. Why it matters

Text.
"""


def imported(groups_line):
    result = import_file("a.md", FILE.format(groups=groups_line).encode())
    return result, Briefing.objects.filter(slug="groups-briefing").first()


def test_groups_are_matched_by_name_or_slug_whatever_the_case():
    result, briefing = imported("professional_groups: [health, Early help, POLICE]")
    assert result.ok, result.error
    assert sorted(briefing.professional_groups.values_list("slug", flat=True)) == ["early-help", "health", "police"]


def test_groups_are_optional():
    result, briefing = imported("")
    assert result.ok, result.error
    assert not briefing.professional_groups.exists()


def test_an_unknown_group_is_a_problem_naming_the_field_and_the_choices():
    result, briefing = imported("professional_groups: Health, Astronauts")
    assert briefing is None
    assert "a.md: professional_groups: no professional group called 'Astronauts'" in result.error
    assert "Health" in result.error and "Police" in result.error


def test_export_then_import_keeps_the_groups(tmp_path):
    briefing = BriefingFactory(title="Round trip")
    briefing.professional_groups.set(
        [ProfessionalGroupFactory(slug="health"), ProfessionalGroupFactory(slug="all-agencies")]
    )
    call_command("export_briefings", str(tmp_path / "out"), verbosity=0)
    text = (tmp_path / "out" / "round-trip.md").read_text()
    assert "professional_groups: [All agencies, Health]" in text
    briefing.professional_groups.clear()
    call_command("import_briefings", str(tmp_path / "out"), verbosity=0)
    assert sorted(briefing.professional_groups.values_list("slug", flat=True)) == ["all-agencies", "health"]
    # Importing the export again changes nothing.
    result = import_file("round-trip.md", text.encode())
    assert result.action == "unchanged"
