"""Dates and times as staff type them: 2pm, 2.30 pm, 1430, 3/12/2026, 3 Dec 2026 (UK order, day first)."""

import datetime
import re

TIME_MESSAGE = "Enter a time like 14:00 or 2pm (also 2.30pm or 1430)."
DATE_MESSAGE = "Enter a date like 3/12/2026 or 3 Dec 2026 (day first), or 2026-12-03."
# Longer than any way of writing a date or time: anything beyond is refused before it is looked at.
MAX_LENGTH = 40
FIRST_YEAR, LAST_YEAR = 1900, 2200

_AMPM = r"(?:\s*(?P<ampm>[ap])\.?\s*m\.?)?"
_TIME = re.compile(
    r"(?P<hour>[0-9]{1,2})(?:[:.](?P<minute>[0-9]{2})(?:[:.](?P<second>[0-9]{2})(?:\.[0-9]{1,6})?)?)?" + _AMPM,
    re.ASCII,
)
_DIGITS_TIME = re.compile(r"(?P<hour>[0-9]{1,2})(?P<minute>[0-9]{2})" + _AMPM, re.ASCII)
_WORDS = {"noon": datetime.time(12), "midday": datetime.time(12), "midnight": datetime.time(0)}

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],  # fmt: skip
        start=1,
    )
    for name in names
}
_DAY = r"(?P<day>[0-9]{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>[0-9]{4}|[0-9]{2})"
_MONTH_NAME = r"(?P<month>[a-z]+)\.?"
_DATES = [
    re.compile(r"(?P<year>[0-9]{4})[-/.](?P<month>[0-9]{1,2})[-/.](?P<day>[0-9]{1,2})", re.ASCII),
    re.compile(_DAY + r"[-/.](?P<month>[0-9]{1,2})[-/.]" + _YEAR, re.ASCII),
    re.compile(_DAY + r"[\s-]+(?:of\s+)?" + _MONTH_NAME + r",?[\s-]+" + _YEAR, re.ASCII),
    re.compile(_MONTH_NAME + r"\s+" + _DAY + r",?\s+" + _YEAR, re.ASCII),
]
_WEEKDAY = re.compile(r"^(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+", re.ASCII)


def _tidy(text):
    if not isinstance(text, str) or len(text) > MAX_LENGTH:
        return None
    return " ".join(text.strip().lower().split())


def parse_time(text):
    """The time of day `text` names; ValueError (with what was expected) for anything else."""
    text = _tidy(text)
    if not text:
        raise ValueError(TIME_MESSAGE)
    if text in _WORDS:
        return _WORDS[text]
    match = _TIME.fullmatch(text) or _DIGITS_TIME.fullmatch(text)
    if not match:
        raise ValueError(TIME_MESSAGE)
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    second = int(match.groupdict().get("second") or 0)
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise ValueError(f"{hour} is not an hour on a 12-hour clock. " + TIME_MESSAGE)
        hour = hour % 12 + (12 if match["ampm"] == "p" else 0)
    elif match.re is _TIME and match["minute"] is None:
        # A bare "2" could be 2am or 2pm: ask rather than guess.
        raise ValueError(TIME_MESSAGE)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError("There is no such time. " + TIME_MESSAGE)
    return datetime.time(hour, minute, second)


def parse_date(text):
    """The date `text` names, day before month; ValueError (with what was expected) for anything else."""
    text = _tidy(text)
    if not text:
        raise ValueError(DATE_MESSAGE)
    text = _WEEKDAY.sub("", text)
    for pattern in _DATES:
        match = pattern.fullmatch(text)
        if match:
            break
    else:
        raise ValueError(DATE_MESSAGE)
    month = match["month"]
    month = int(month) if month.isdigit() else MONTHS.get(month)
    if month is None:
        raise ValueError(f"“{match['month']}” is not a month. " + DATE_MESSAGE)
    year = int(match["year"])
    if len(match["year"]) == 2:
        year += 2000
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"Enter a year between {FIRST_YEAR} and {LAST_YEAR}. " + DATE_MESSAGE)
    try:
        return datetime.date(year, month, int(match["day"]))
    except ValueError:
        raise ValueError("There is no such date (check the day and the month). " + DATE_MESSAGE) from None
