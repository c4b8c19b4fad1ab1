"""The reach and impact report: what teams did with the briefings, counted per briefing, theme, agency and quarter.

Everything is counted in the database by queries that each read one index alone (records per briefing,
and per day and agency; votes per briefing, and one range per month); themes, months, quarters and
totals are added up from those small results. Charts are SVG drawn here, so
they need no script and pass the site's CSP.
"""

import csv
import datetime
import io
from dataclasses import dataclass

from django import forms
from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from briefings.models import Briefing, Theme

from .models import Agency, FollowUp, TeamRecord, UsefulnessVote
from .records import UKDateField

CHANGES_SHOWN = 200
# The page lists the most discussed briefings; the downloads list every one.
BRIEFINGS_SHOWN = 100
# A spreadsheet runs a cell that starts with one of these as a formula (CSV/formula injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUARTER_MONTHS = {1: "Jan–Mar", 2: "Apr–Jun", 3: "Jul–Sep", 4: "Oct–Dec"}


@dataclass
class Row:
    name: str
    meetings: int = 0
    reached: int = 0
    useful_yes: int = 0
    useful_answers: int = 0
    follow_ups: int = 0

    @property
    def useful_share(self):
        """Percentage of "Was this useful?" answers that said yes, or None without answers."""
        return round(100 * self.useful_yes / self.useful_answers) if self.useful_answers else None

    def add(self, meetings=0, reached=0, useful_yes=0, useful_answers=0, follow_ups=0):
        self.meetings += meetings
        self.reached += reached or 0
        self.useful_yes += useful_yes
        self.useful_answers += useful_answers
        self.follow_ups += follow_ups


class ReportFilter(forms.Form):
    start = UKDateField(label="From", required=False, allow_future=True, help_text="For example 1/4/2026.")
    end = UKDateField(label="To", required=False, allow_future=True, help_text="For example 31/3/2027.")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError("The “From” date must be on or before the “To” date.")
        return cleaned

    def period(self):
        """(start, end) chosen, or the last twelve months by default."""
        today = timezone.localdate()
        end = self.cleaned_data.get("end") or today
        start = self.cleaned_data.get("start")
        if start is None:
            # The first day of the month eleven months before the end's month: twelve whole months.
            index = end.year * 12 + end.month - 1 - 11
            start = datetime.date(index // 12, index % 12 + 1, 1)
        return start, end


def quarter_label(month):
    year, number = int(month[:4]), (int(month[5:7]) - 1) // 3 + 1
    return f"{year} Q{number} ({QUARTER_MONTHS[number]})"


def month_label(month):
    return datetime.date(int(month[:4]), int(month[5:7]), 1).strftime("%b %Y")


def months_between(start, end):
    """Every 'YYYY-MM' from start's month to end's month."""
    year, month, found = start.year, start.month, []
    while (year, month) <= (end.year, end.month):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def day_bounds(start, end):
    """Aware datetimes from start's local midnight to the midnight after end."""
    zone = timezone.get_current_timezone()
    low = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    return low, datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)


def month_bounds(months, low, high):
    """{month: (first moment, moment after)} of each 'YYYY-MM' month, local time, kept within [low, high)."""
    bounds = {}
    for month in months:
        year, number = int(month[:4]), int(month[5:7])
        first = datetime.date(year, number, 1)
        after = datetime.date(year + 1, 1, 1) if number == 12 else datetime.date(year, number + 1, 1)
        first, after = day_bounds(first, after - datetime.timedelta(days=1))
        bounds[month] = (max(first, low), min(after, high))
    return bounds


def record_and_vote_counts(start, end, low, high):
    """Counts per briefing, agency and month: {"briefings": {id: (meetings, reached, follow_ups, yes, answers)}, ...}.

    On PostgreSQL one pass over the records and one over the votes give every grouping at once (grouping sets);
    elsewhere the ORM's queries, each read from an index alone, and the months added up here. Agencies carry
    no votes: their yes and answers stay 0.
    """
    if connection.vendor == "postgresql":
        return postgresql_counts(start, end, low, high)
    return orm_counts(start, end, low, high)


def orm_counts(start, end, low, high):
    """The counts of record_and_vote_counts by the ORM, on any database."""
    found = {"briefings": {}, "agencies": {}, "months": {}}

    def add(kind, key, meetings=0, reached=0, follow_ups=0, yes=0, answers=0):
        old = found[kind].get(key, (0, 0, 0, 0, 0))
        found[kind][key] = (old[0] + meetings, old[1] + (reached or 0), old[2] + follow_ups, old[3] + yes,
                            old[4] + answers)  # fmt: skip

    records = TeamRecord.objects.filter(met_on__gte=start, met_on__lte=end).order_by()
    counts = {
        "meetings": Count("pk"),
        "reached": Sum("attendees"),
        "follow_ups": Count("pk", filter=Q(follow_up_answered=True)),
    }
    useful = {"yes": Count("pk", filter=Q(useful=True)), "answers": Count("pk")}
    for row in records.values("briefing_id").annotate(**counts):
        add("briefings", row.pop("briefing_id"), **row)
    votes = UsefulnessVote.objects.filter(briefing__isnull=False, created_at__gte=low, created_at__lt=high).order_by()
    for row in votes.values("briefing_id").annotate(**useful):
        add("briefings", row.pop("briefing_id"), **row)
    for row in records.values("met_on", "agency_id").annotate(**counts):
        met_on, agency_id = row.pop("met_on"), row.pop("agency_id")
        add("agencies", agency_id, **row)
        add("months", f"{met_on:%Y-%m}", **row)
    # One short range scan of the (time, answer) index per month: a per-row month function, or one pass
    # with a filtered count per month, costs far more on SQLite.
    for month, (first, after) in month_bounds(months_between(start, end), low, high).items():
        # One range only: given two on the same column, SQLite may scan by the wider one.
        in_month = UsefulnessVote.objects.filter(briefing__isnull=False, created_at__gte=first, created_at__lt=after)
        add("months", month, **in_month.order_by().aggregate(**useful))
    return found


def postgresql_counts(start, end, low, high):
    """The counts of record_and_vote_counts in one pass over each table: Django has no API for grouping sets."""
    found = {"briefings": {}, "agencies": {}, "months": {}}
    # GROUPING() tells the sets apart (a briefing id is NULL for deleted briefings): 3 = per briefing,
    # 5 = per agency, 6 = per day. Days rather than months: a date column needs no function per row.
    record_sql = f"""
        SELECT GROUPING(briefing_id, agency_id, met_on), COALESCE(briefing_id, agency_id), met_on,
               COUNT(*), COALESCE(SUM(attendees), 0), COUNT(*) FILTER (WHERE follow_up_answered)
        FROM {TeamRecord._meta.db_table} WHERE met_on >= %s AND met_on <= %s
        GROUP BY GROUPING SETS ((briefing_id), (agency_id), (met_on))
    """  # noqa: S608 - the table's name comes from the ORM; values are bound
    # Months by where a vote's time falls among the months' first moments (local time): a binary search per row
    # costs far less than a time zone conversion. 1 = per briefing, 2 = per month (numbered from 1).
    vote_sql = f"""
        SELECT GROUPING(briefing_id, month), briefing_id, month, COUNT(*) FILTER (WHERE useful), COUNT(*)
        FROM (SELECT briefing_id, useful, width_bucket(created_at, %s::timestamptz[]) AS month
              FROM {UsefulnessVote._meta.db_table}
              WHERE briefing_id IS NOT NULL AND created_at >= %s AND created_at < %s) AS vote
        GROUP BY GROUPING SETS ((briefing_id), (month))
    """  # noqa: S608
    months = month_bounds(months_between(start, end), low, high)
    names = list(months)
    with connection.cursor() as cursor:
        cursor.execute(record_sql, [start, end])
        for grouping, pk, day, meetings, reached, follow_ups in cursor.fetchall():
            kind = {3: "briefings", 5: "agencies", 6: "months"}[grouping]
            key = f"{day:%Y-%m}" if kind == "months" else pk
            old = found[kind].get(key, (0, 0, 0, 0, 0))
            found[kind][key] = (old[0] + meetings, old[1] + reached, old[2] + follow_ups, 0, 0)
        cursor.execute(vote_sql, [[first for first, _ in months.values()], low, high])
        for grouping, pk, number, yes, answers in cursor.fetchall():
            kind, key = ("briefings", pk) if grouping == 1 else ("months", names[number - 1])
            old = found[kind].get(key, (0, 0, 0, 0, 0))
            found[kind][key] = (old[0], old[1], old[2], yes, answers)
    return found


def build(start, end):
    """The report for meetings held (and votes given) from `start` to `end`, both dates included.

    The database counts per briefing, agency and month (record_and_vote_counts); themes, quarters and the total
    are added up here from those few rows.
    """
    low, high = day_bounds(start, end)
    counts = record_and_vote_counts(start, end, low, high)

    def make_row(name, numbers):
        meetings, reached, follow_ups, yes, answers = numbers
        return Row(name, meetings, reached, yes, answers, follow_ups)

    titles = dict(Briefing.objects.filter(pk__in=[pk for pk in counts["briefings"] if pk]).values_list("pk", "title"))
    per_briefing = {
        pk: make_row(titles.get(pk) or "(deleted briefings)", numbers) for pk, numbers in counts["briefings"].items()
    }
    nothing = (0, 0, 0, 0, 0)
    per_agency = {
        pk: make_row(name, counts["agencies"].get(pk, nothing)) for pk, name in Agency.objects.values_list("pk", "name")
    }
    months = months_between(start, end)
    per_month = {month: make_row(month_label(month), counts["months"].get(month, nothing)) for month in months}

    theme_names = dict(Theme.objects.values_list("pk", "name"))
    per_theme = {}
    links = Briefing.themes.through.objects.filter(briefing_id__in=[pk for pk in per_briefing if pk is not None])
    for briefing_id, theme_id in links.values_list("briefing_id", "theme_id"):
        source = per_briefing[briefing_id]
        per_theme.setdefault(theme_id, Row(theme_names[theme_id])).add(
            source.meetings, source.reached, source.useful_yes, source.useful_answers, source.follow_ups
        )

    per_quarter = {}
    for month, row in per_month.items():
        per_quarter.setdefault(quarter_label(month), Row(quarter_label(month))).add(
            row.meetings, row.reached, row.useful_yes, row.useful_answers, row.follow_ups
        )

    total = Row("All briefings")
    for row in per_briefing.values():
        total.add(row.meetings, row.reached, row.useful_yes, row.useful_answers, row.follow_ups)

    changes = (
        FollowUp.objects.filter(status=FollowUp.Status.ANSWERED, record__met_on__gte=start, record__met_on__lte=end)
        .exclude(answer="")
        .select_related("record__agency")
        .order_by("-answered_at", "-pk")
    )
    return {
        "start": start,
        "end": end,
        "total": total,
        "briefings": sorted(per_briefing.values(), key=lambda r: (-r.meetings, -r.useful_answers, r.name)),
        "themes": sorted(per_theme.values(), key=lambda r: (-r.meetings, r.name)),
        "agencies": [row for row in per_agency.values() if row.meetings or row.follow_ups],
        "quarters": list(per_quarter.values()),
        "months": list(per_month.values()),
        "changes": changes,
    }


def bar_chart(chart_id, title, description, rows, value):
    """A horizontal bar chart as accessible inline SVG (title and desc; the page also has the table)."""
    values = [(row.name, getattr(row, value)) for row in rows]
    top = max((number for _, number in values), default=0) or 1
    label_width, bar_width, row_height, value_width = 190, 380, 26, 70
    width, height = label_width + bar_width + value_width, row_height * max(len(values), 1) + 10
    bars = format_html_join(
        "",
        '<g><text x="{}" y="{}" text-anchor="end" font-size="13" fill="#0b0c0c">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="#1d70b8"></rect>'
        '<text x="{}" y="{}" font-size="13" fill="#0b0c0c">{}</text></g>',
        (
            (
                label_width - 8,
                5 + i * row_height + 17,
                name[:28] + ("…" if len(name) > 28 else ""),
                label_width,
                5 + i * row_height + 4,
                round(bar_width * number / top, 1),
                row_height - 8,
                label_width + round(bar_width * number / top, 1) + 6,
                5 + i * row_height + 17,
                f"{number:,}",
            )
            for i, (name, number) in enumerate(values)
        ),
    )
    return format_html(
        '<svg class="report-chart" id="{id}" role="img" aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{title}</title>'
        '<desc id="{id}-desc">{desc}</desc>{bars}</svg>',
        id=chart_id,
        w=width,
        h=height,
        title=title,
        desc=description,
        bars=bars,
    )


def charts(report):
    period = f"{report['start']:%-d %b %Y} to {report['end']:%-d %b %Y}"
    months = bar_chart(
        "chart-months",
        f"Meetings recorded per month, {period}",
        "; ".join(f"{row.name}: {row.meetings}" for row in report["months"]) or "No meetings recorded.",
        report["months"],
        "meetings",
    )
    agencies = bar_chart(
        "chart-agencies",
        f"Practitioners reached by agency, {period}",
        "; ".join(f"{row.name}: {row.reached}" for row in report["agencies"]) or "No meetings recorded.",
        report["agencies"],
        "reached",
    )
    return {"months": months, "agencies": agencies}


HEADER = [
    "Grouped by", "Name", "Meetings recorded", "Practitioners reached", "Useful: yes", "Useful: answers",
    "Useful: yes %", "Follow-ups answered",
]  # fmt: skip
CHANGES_HEADER = ["Briefing", "Agency", "Date of the meeting", "Answered on", "What has changed since"]
GROUPS = [("Total", "total"), ("Quarter", "quarters"), ("Briefing", "briefings"), ("Theme", "themes"),
          ("Agency", "agencies"), ("Month", "months")]  # fmt: skip


def safe_cell(value):
    """A text cell a spreadsheet shows as text: a leading = + - @ (or tab, return) gets an apostrophe first."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def summary_rows(report):
    for label, key in GROUPS:
        rows = [report[key]] if key == "total" else report[key]
        for row in rows:
            share = row.useful_share
            yield [label, row.name, row.meetings, row.reached, row.useful_yes, row.useful_answers,
                   "" if share is None else share, row.follow_ups]  # fmt: skip


def change_rows(report):
    # Plain tuples, not model objects: a year's answers run to tens of thousands of rows.
    fields = ["record__briefing_title", "record__agency__name", "record__met_on", "answered_at", "answer"]
    for title, agency, met_on, answered_at, answer in report["changes"].values_list(*fields).iterator():
        yield [title, agency, met_on, timezone.localdate(answered_at), answer]


class _Line:
    """What csv.writer writes to: it hands each line back instead of keeping it."""

    def write(self, line):
        return line


def as_csv(report):
    """One sheet, line by line: the counts, then a blank line and the changes reported."""
    writer = csv.writer(_Line())
    # A byte order mark, so Excel opens the file as UTF-8 (curly quotes, accents).
    yield "\ufeff" + writer.writerow(HEADER)
    for row in summary_rows(report):
        yield writer.writerow([safe_cell(cell) for cell in row])
    yield writer.writerow([])
    yield writer.writerow(CHANGES_HEADER)
    for row in change_rows(report):
        yield writer.writerow([safe_cell(c.isoformat() if isinstance(c, datetime.date) else c) for c in row])


def as_xlsx(report):
    """A workbook: one sheet of counts per grouping, and one of the changes reported.

    Written in openpyxl's write-only mode, which keeps no cell objects: memory stays flat however many answers.
    """
    book = Workbook(write_only=True)

    def header(sheet, names):
        cells = [WriteOnlyCell(sheet, value=name) for name in names]
        for cell in cells:
            cell.font = Font(bold=True)
        sheet.append(cells)

    for label, key in GROUPS:
        sheet = book.create_sheet({"total": "Total"}.get(key, key.capitalize()))
        sheet.column_dimensions["A"].width = 48
        header(sheet, HEADER[1:])
        for row in summary_rows(report):
            if row[0] == label:
                sheet.append([safe_cell(cell) for cell in row[1:]])
    sheet = book.create_sheet("Changes reported")
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["E"].width = 80
    header(sheet, CHANGES_HEADER)
    for row in change_rows(report):
        cells = [safe_cell(cell) for cell in row]
        for index in (2, 3):
            cells[index] = WriteOnlyCell(sheet, value=cells[index])
            cells[index].number_format = "DD/MM/YYYY"
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
