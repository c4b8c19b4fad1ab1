"""The demo content gives the reach report a year of records, answers and votes to show."""

import pytest
from django.core.management import call_command

from learning import report
from learning.models import FollowUp, TeamRecord, UsefulnessVote

pytestmark = pytest.mark.django_db


def test_demo_has_records_follow_ups_and_votes_and_loading_again_replaces_them(demo_content, publisher_client):
    counts = (TeamRecord.objects.count(), FollowUp.objects.count(), UsefulnessVote.objects.count())
    assert counts[0] >= 50 and counts[1] >= 5 and counts[2] >= 50
    assert UsefulnessVote.objects.filter(course__isnull=False).exists()
    call_command("load_demo", verbosity=0)
    assert (TeamRecord.objects.count(), FollowUp.objects.count(), UsefulnessVote.objects.count()) == counts
    filters = report.ReportFilter({})
    assert filters.is_valid()
    data = report.build(*filters.period())
    assert data["total"].meetings == counts[0]
    assert data["total"].follow_ups == counts[1]
    assert len(data["agencies"]) >= 5
    assert publisher_client.get("/admin/learning/reachreport/").status_code == 200
