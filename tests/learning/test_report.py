"""The reach and impact report in admin: counts per briefing, theme, agency and quarter, charts, CSV and Excel."""

import csv
import datetime
import io
import random

import factory
import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from learning import report
from learning.models import TeamRecord, UsefulnessVote
from tests.factories import (
    AgencyFactory,
    BriefingFactory,
    CourseFactory,
    FollowUpFactory,
    TeamRecordFactory,
    ThemeFactory,
    UsefulnessVoteFactory,
)

pytestmark = pytest.mark.django_db

URL = "/admin/learning/reachreport/"
START, END = datetime.date(2026, 4, 1), datetime.date(2027, 3, 31)


@pytest.fixture
def content():
    """Two briefings (one in two themes), three agencies, two quarters, votes and answered follow-ups."""
    neglect, teens = ThemeFactory(name="Neglect", slug="neglect"), ThemeFactory(name="Teenagers", slug="teenagers")
    lived = BriefingFactory(title="Lived experience", themes=[neglect, teens])
    drift = BriefingFactory(title="Supervision drift", themes=[neglect])
    health, police = AgencyFactory(name="Health"), AgencyFactory(name="Police")
    TeamRecordFactory(briefing=lived, agency=health, attendees=10, met_on=datetime.date(2026, 4, 10))
    answered = TeamRecordFactory(briefing=lived, agency=police, attendees=5, met_on=datetime.date(2026, 5, 2))
    FollowUpFactory(record=answered, answer='=HYPERLINK("http://evil.example") we now meet weekly')
    TeamRecordFactory(briefing=drift, agency=health, attendees=7, met_on=datetime.date(2026, 11, 20))
    TeamRecordFactory(briefing=drift, agency=health, attendees=99, met_on=datetime.date(2026, 3, 31))  # before
    for useful in (True, True, False):
        UsefulnessVoteFactory(briefing=lived, useful=useful)
    UsefulnessVote.objects.update(created_at=datetime.datetime(2026, 11, 15, 12, tzinfo=datetime.UTC))
    return {"lived": lived, "drift": drift}


def by_name(rows):
    return {row.name: row for row in rows}


def test_counts_per_briefing_theme_agency_and_quarter(content, django_assert_max_num_queries):
    # However many records: seven queries, one per month of the period (twelve here) and the changes.
    with django_assert_max_num_queries(7 + 12 + 1):
        data = report.build(START, END)
        list(data["changes"])
    total = data["total"]
    assert (total.meetings, total.reached, total.useful_yes, total.useful_answers, total.follow_ups) == (3, 22, 2, 3, 1)
    briefings = by_name(data["briefings"])
    assert (briefings["Lived experience"].meetings, briefings["Lived experience"].reached) == (2, 15)
    assert briefings["Lived experience"].useful_share == 67
    assert briefings["Lived experience"].follow_ups == 1
    assert (briefings["Supervision drift"].meetings, briefings["Supervision drift"].reached) == (1, 7)
    assert briefings["Supervision drift"].useful_share is None
    themes = by_name(data["themes"])
    assert (themes["Neglect"].meetings, themes["Neglect"].reached) == (3, 22)
    assert (themes["Teenagers"].meetings, themes["Teenagers"].reached, themes["Teenagers"].follow_ups) == (2, 15, 1)
    agencies = by_name(data["agencies"])
    assert (agencies["Health"].meetings, agencies["Health"].reached) == (2, 17)
    assert (agencies["Police"].meetings, agencies["Police"].follow_ups) == (1, 1)
    quarters = by_name(data["quarters"])
    assert list(quarters) == ["2026 Q2 (Apr–Jun)", "2026 Q3 (Jul–Sep)", "2026 Q4 (Oct–Dec)", "2027 Q1 (Jan–Mar)"]
    assert (quarters["2026 Q2 (Apr–Jun)"].meetings, quarters["2026 Q2 (Apr–Jun)"].reached) == (2, 15)
    assert quarters["2026 Q4 (Oct–Dec)"].meetings == 1
    assert quarters["2026 Q4 (Oct–Dec)"].useful_answers == 3  # the votes, given in November
    months = by_name(data["months"])
    assert len(months) == 12 and months["Apr 2026"].meetings == 1 and months["Jun 2026"].meetings == 0


def test_publishers_see_the_report_with_accessible_charts_and_editors_do_not(client, content, publisher, editor):
    client.force_login(editor)
    assert client.get(URL).status_code == 403
    assert "Reach and impact report" not in client.get("/admin/").content.decode()
    client.force_login(publisher)
    assert "Reach and impact report" in client.get("/admin/").content.decode()
    response = client.get(URL, {"start": "1/4/2026", "end": "31 March 2027"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'role="img" aria-labelledby="chart-months-title chart-months-desc"' in page
    assert '<title id="chart-agencies-title">Practitioners reached by agency' in page
    assert "Health: 17" in page  # the chart's description reads out its figures
    assert "<caption>Per briefing</caption>" in page
    assert "we now meet weekly" in page
    assert "<script" not in page.split('id="content-main"')[1].split("</main>")[0]


def test_anyone_given_the_permission_sees_the_report(client, content, editor):
    editor.user_permissions.add(Permission.objects.get(codename="view_reach_report"))
    client.force_login(editor)
    assert client.get(URL).status_code == 200


@pytest.mark.parametrize(
    "query, message",
    [
        ({"start": "31/02/2026"}, "Enter the date as day, month and year"),
        ({"start": "1/5/2026", "end": "1/4/2026"}, "The “From” date must be on or before the “To” date."),
        ({"end": "soon"}, "Enter the date as day, month and year"),
    ],
)
def test_bad_dates_get_a_clear_message_and_keep_what_was_typed(publisher_client, content, query, message):
    response = publisher_client.get(URL, query)
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    for value in query.values():
        assert f'value="{value}"' in page
    assert publisher_client.get(URL, {**query, "format": "csv"}).status_code == 400


def test_csv_download_has_every_grouping_and_the_changes_with_formulas_defused(publisher_client, content):
    response = publisher_client.get(URL, {"start": "1/4/2026", "end": "31/3/2027", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="reach-report-2026-04-01-to-2027-03-31.csv"'
    # Sent as it is written, so every answer of a busy year never sits in memory at once.
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    counts, changes = text.split("\r\n\r\n")
    rows = list(csv.reader(io.StringIO(counts)))
    assert rows[0][:4] == ["Grouped by", "Name", "Meetings recorded", "Practitioners reached"]
    table = {(row[0], row[1]): row[2:] for row in rows[1:]}
    assert table[("Total", "All briefings")] == ["3", "22", "2", "3", "67", "1"]
    assert table[("Briefing", "Lived experience")] == ["2", "15", "2", "3", "67", "1"]
    assert table[("Theme", "Teenagers")][:2] == ["2", "15"]
    assert table[("Agency", "Police")][:2] == ["1", "5"]
    assert table[("Quarter", "2026 Q2 (Apr–Jun)")][:2] == ["2", "15"]
    (header, change) = list(csv.reader(io.StringIO(changes)))
    assert header[-1] == "What has changed since"
    assert change[0] == "Lived experience" and change[1] == "Police" and change[2] == "2026-05-02"
    assert change[-1] == '\'=HYPERLINK("http://evil.example") we now meet weekly'


def test_excel_download_has_a_sheet_per_grouping_and_the_changes(publisher_client, content):
    response = publisher_client.get(URL, {"start": "1/4/2026", "end": "31/3/2027", "format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Total", "Quarters", "Briefings", "Themes", "Agencies", "Months", "Changes reported"]
    briefings = {row[0]: row[1:] for row in book["Briefings"].iter_rows(min_row=2, values_only=True)}
    assert briefings["Lived experience"] == (2, 15, 2, 3, 67, 1)
    (change,) = book["Changes reported"].iter_rows(min_row=2, values_only=True)
    assert change[0] == "Lived experience" and change[2] == datetime.datetime(2026, 5, 2)
    assert change[4].startswith("'=HYPERLINK")
    assert book["Changes reported"]["E2"].data_type == "s"


@pytest.mark.parametrize("text", ["=1+1", "+44 7700", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_cells_a_spreadsheet_would_run_get_an_apostrophe(text):
    assert report.safe_cell(text) == "'" + text
    assert report.safe_cell("Team 2 = good") == "Team 2 = good"
    assert report.safe_cell(5) == 5


def test_default_period_is_the_last_twelve_whole_months():
    form = report.ReportFilter({"end": "30/11/2026"})
    assert form.is_valid()
    assert form.period() == (datetime.date(2025, 12, 1), datetime.date(2026, 11, 30))


def test_every_grouping_matches_a_plain_count_of_generated_records_and_votes():
    """Records and votes at random (seeded), some outside the period or near a local midnight, counted here by hand."""
    rnd = random.Random(7)
    themes = [ThemeFactory(name=f"Theme {i}", slug=f"theme-{i}") for i in range(3)]
    briefings = [BriefingFactory(title=f"Briefing {i}", themes=rnd.sample(themes, rnd.randint(0, 2))) for i in range(6)]
    agencies = [AgencyFactory(name=name) for name in ("Health", "Police", "Education", "Early help")]
    gone = briefings.pop()  # records keep a deleted briefing's counts under "(deleted briefings)"
    records = [
        TeamRecordFactory(
            briefing=rnd.choice(briefings + [gone]), agency=rnd.choice(agencies), attendees=rnd.randint(1, 30),
            met_on=START + datetime.timedelta(days=rnd.randint(-20, 385)), follow_up_answered=rnd.random() < 0.3,
        )
        for _ in range(150)
    ]  # fmt: skip
    UsefulnessVoteFactory.create_batch(5, briefing=None, course=CourseFactory())  # course votes are left out
    votes = UsefulnessVoteFactory.create_batch(120, briefing=factory.Iterator(briefings + [gone]))
    low = datetime.datetime(2026, 3, 25, 22, tzinfo=datetime.UTC)
    for vote in votes:
        # Whole hours from 22:00 UTC: 23:00 on the last of a summer month is the next month in London.
        vote.created_at = low + datetime.timedelta(hours=rnd.randint(0, 380) * 24 + rnd.choice([0, 1, 2, 12]))
        vote.useful = rnd.random() < 0.7
    UsefulnessVote.objects.bulk_update(votes, ["created_at", "useful"])
    gone.delete()
    records = [TeamRecord.objects.get(pk=record.pk) for record in records]
    votes = list(UsefulnessVote.objects.filter(briefing__isnull=False))

    expected = {"briefings": {}, "themes": {}, "agencies": {}, "months": {}, "quarters": {}}

    def count(group, name, meetings=0, reached=0, yes=0, answers=0, follow_ups=0):
        old = expected[group].get(name, (0, 0, 0, 0, 0))
        expected[group][name] = tuple(map(sum, zip(old, (meetings, reached, yes, answers, follow_ups), strict=True)))

    for record in records:
        if START <= record.met_on <= END:
            figures = {"meetings": 1, "reached": record.attendees, "follow_ups": int(record.follow_up_answered)}
            title = record.briefing.title if record.briefing else "(deleted briefings)"
            count("briefings", title, **figures)
            for theme in record.briefing.themes.all() if record.briefing else ():
                count("themes", theme.name, **figures)
            count("agencies", record.agency.name, **figures)
            count("months", report.month_label(f"{record.met_on:%Y-%m}"), **figures)
            count("quarters", report.quarter_label(f"{record.met_on:%Y-%m}"), **figures)
    for vote in votes:
        day = timezone.localdate(vote.created_at)
        if START <= day <= END:
            figures = {"yes": int(vote.useful), "answers": 1}
            count("briefings", vote.briefing.title, **figures)
            for theme in vote.briefing.themes.all():
                count("themes", theme.name, **figures)
            count("months", report.month_label(f"{day:%Y-%m}"), **figures)
            count("quarters", report.quarter_label(f"{day:%Y-%m}"), **figures)

    data = report.build(START, END)
    for group in expected:
        found = {
            row.name: (row.meetings, row.reached, row.useful_yes, row.useful_answers, row.follow_ups)
            for row in data[group]
            if any((row.meetings, row.useful_answers, row.follow_ups))
        }
        assert found == expected[group], group
    assert len(data["months"]) == 12 and len(data["quarters"]) == 4
    totals = [sum(figures[i] for figures in expected["briefings"].values()) for i in range(5)]
    total = data["total"]
    assert [total.meetings, total.reached, total.useful_yes, total.useful_answers, total.follow_ups] == totals
    assert totals[0] > 100 and totals[3] > 80 and len(expected["briefings"]) == 6  # the data reached every case
    if connection.vendor == "postgresql":
        low, high = report.day_bounds(START, END)
        assert report.postgresql_counts(START, END, low, high) == report.orm_counts(START, END, low, high)
