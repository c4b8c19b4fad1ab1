"""The loop end to end: a record sent through the form, a vote, a follow-up answered through the emailed link
(real SMTP server, real worker) all show in the report and its downloads; the retention round then erases
the free text and the address, and nothing else."""

import csv
import datetime
import io
import re
import time

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from learning import records
from learning.models import FollowUp, TeamRecord, UsefulnessVote
from portal.models import SiteSettings
from tests.factories import AgencyFactory, BriefingFactory, TeamRecordFactory, UserFactory
from tests.mail.conftest import run_worker

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/admin/learning/reachreport/"
ANSWER = "Every supervision now starts with the child's day."


def csv_rows(client):
    text = b"".join(client.get(URL, {"format": "csv"}).streaming_content).decode("utf-8-sig")
    counts, changes = text.split("\r\n\r\n")
    table = {(row[0], row[1]): row[2:] for row in list(csv.reader(io.StringIO(counts)))[1:]}
    return table, list(csv.reader(io.StringIO(changes)))[1:]


def test_record_vote_and_follow_up_reach_the_report_and_its_downloads_and_retention_erases_them(client, smtp_settings):
    briefing = BriefingFactory(title="Neglect and the lived experience of the child", slug="lived-experience")
    health = AgencyFactory(name="Health")
    met_on = timezone.localdate() - datetime.timedelta(days=7)
    response = client.post(
        "/briefings/lived-experience/record/",
        {
            "met_on": f"{met_on:%d/%m/%Y}",
            "team": "North locality team",
            "agency": health.pk,
            "attendees": "9",
            "changes": "Ask about the child's day at every visit.",
            "email": "lead@example.org",
            "website": "",
            "started": records.started_token(time.time() - 30),
        },
    )
    assert response.status_code == 302
    record = TeamRecord.objects.get()
    other = TeamRecordFactory(briefing=briefing, agency=health, attendees=4, team="South team", changes="Keep")
    UsefulnessVote.objects.create(briefing=briefing, useful=True, comment="Clear", voter="a" * 64)

    # Three months on, the daily round sends the one email; the link in it takes the answer.
    TeamRecord.objects.filter(pk=record.pk).update(created_at=timezone.now() - datetime.timedelta(days=92))
    call_command("learning_housekeeping", stdout=io.StringIO())
    run_worker()
    (message,) = smtp_settings.wait_for(1)
    assert message["To"] == "lead@example.org"
    path = re.search(r"http://testserver(/follow-up/\S+/)", message.get_content())[1]
    assert client.post(path, {"answer": ANSWER}).status_code == 200

    lead = UserFactory(username="lead")
    lead.user_permissions.add(Permission.objects.get(codename="view_reach_report"))
    client.force_login(lead)
    page = client.get(URL).content.decode()
    assert "Neglect and the lived experience of the child" in page
    assert "Every supervision now starts with the child&#x27;s day." in page
    table, changes = csv_rows(client)
    assert table[("Briefing", briefing.title)] == ["2", "13", "1", "1", "100", "1"]
    assert table[("Agency", "Health")][:2] == ["2", "13"]
    assert [row[-1] for row in changes] == [ANSWER]
    book = load_workbook(io.BytesIO(client.get(URL, {"format": "xlsx"}).content))
    briefings = {row[0]: row[1:] for row in book["Briefings"].iter_rows(min_row=2, values_only=True)}
    assert briefings[briefing.title] == (2, 13, 1, 1, 100, 1)
    assert [row[4] for row in book["Changes reported"].iter_rows(min_row=2, values_only=True)] == [ANSWER]

    # Past the retention period the free text and the address go; the counts, and newer records, stay.
    SiteSettings.objects.update_or_create(pk=1, defaults={"record_retention_months": 3})
    TeamRecord.objects.filter(pk=record.pk).update(created_at=timezone.now() - datetime.timedelta(days=95))
    UsefulnessVote.objects.update(created_at=timezone.now() - datetime.timedelta(days=95))
    call_command("learning_housekeeping", stdout=io.StringIO())
    record.refresh_from_db()
    assert (record.team, record.changes, record.email) == ("", "", "")
    assert (record.attendees, record.met_on, record.agency_id) == (9, met_on, health.pk)
    assert FollowUp.objects.get(record=record).answer == ""
    assert UsefulnessVote.objects.get().comment == "" and UsefulnessVote.objects.get().useful
    other.refresh_from_db()
    assert (other.team, other.changes, other.erased_at) == ("South team", "Keep", None)
    table, changes = csv_rows(client)
    assert table[("Briefing", briefing.title)] == ["2", "13", "1", "1", "100", "1"]
    assert changes == []
