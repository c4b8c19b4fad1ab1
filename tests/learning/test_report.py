"""The reach and impact report in admin: counts per briefing, theme, agency and quarter, charts, CSV and Excel."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Permission
from openpyxl import load_workbook

from learning import report
from learning.models import UsefulnessVote
from tests.factories import (
    AgencyFactory,
    BriefingFactory,
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
