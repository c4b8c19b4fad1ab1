import datetime

import pytest

from portal.when import DATE_MESSAGE, TIME_MESSAGE, parse_date, parse_time

T = datetime.time
D = datetime.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14:00", T(14)),
        ("2pm", T(14)),
        ("2 pm", T(14)),
        ("2PM", T(14)),
        ("2 p.m.", T(14)),
        ("2.30pm", T(14, 30)),
        ("2:30 pm", T(14, 30)),
        ("2:30pm", T(14, 30)),
        ("1430", T(14, 30)),
        ("0930", T(9, 30)),
        ("930", T(9, 30)),
        ("930am", T(9, 30)),
        ("9.30", T(9, 30)),
        ("09:30", T(9, 30)),
        ("14:30:15", T(14, 30, 15)),
        ("14:30:00.000200", T(14, 30)),
        ("12pm", T(12)),
        ("12am", T(0)),
        ("12:30am", T(0, 30)),
        ("12.15 pm", T(12, 15)),
        ("noon", T(12)),
        ("Midnight", T(0)),
        ("  2pm  ", T(14)),
        ("00:00", T(0)),
        ("23:59", T(23, 59)),
        ("11am", T(11)),
    ],
)
def test_times_staff_type_are_understood(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "2",  # 2am or 2pm? asked, not guessed
        "14",
        "13pm",
        "0am",
        "24:00",
        "25:00",
        "14:60",
        "2:5pm",
        "14:00:61",
        "12345",
        "2pmm",
        "half two",
        "14h00",
        "-1:00",
        "1:00 xm",
        "٢pm",  # Arabic-Indic digit
        "２pm",  # full-width digit
        "2pm" + " " * 100,
        "9" * 10_000,
        "\x00",
        "14:00\x00",
        "<script>",
        "'; DROP TABLE x; --",
        "1e3",
        "NaN",
    ],
)
def test_anything_else_is_refused_with_what_was_expected(text):
    with pytest.raises(ValueError, match="Enter a time like 14:00 or 2pm"):
        parse_time(text)


@pytest.mark.parametrize("value", [None, 1430, b"2pm", ["2pm"]])
def test_time_that_is_not_text_is_refused(value):
    with pytest.raises(ValueError, match="Enter a time"):
        parse_time(value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3/12/2026", D(2026, 12, 3)),
        ("03/12/2026", D(2026, 12, 3)),
        ("3/12/26", D(2026, 12, 3)),
        ("3-12-2026", D(2026, 12, 3)),
        ("3.12.2026", D(2026, 12, 3)),
        ("3 Dec 2026", D(2026, 12, 3)),
        ("3 dec. 2026", D(2026, 12, 3)),
        ("3 December 2026", D(2026, 12, 3)),
        ("3rd December 2026", D(2026, 12, 3)),
        ("3 December, 2026", D(2026, 12, 3)),
        ("Thursday 3 December 2026", D(2026, 12, 3)),
        ("Thu, 3 Dec 2026", D(2026, 12, 3)),
        ("December 3, 2026", D(2026, 12, 3)),
        ("2026-12-03", D(2026, 12, 3)),
        ("2026/12/3", D(2026, 12, 3)),
        ("12/3/2026", D(2026, 3, 12)),  # day first, always
        ("29/02/2028", D(2028, 2, 29)),
        ("1 Sept 2026", D(2026, 9, 1)),
        ("  3   Dec   2026 ", D(2026, 12, 3)),
    ],
)
def test_dates_staff_type_are_understood_day_first(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "3/12",
        "3 Dec",
        "31/02/2026",
        "29/02/2027",
        "0/12/2026",
        "3/13/2026",
        "3/0/2026",
        "3 Decembre 2026",
        "3 Foo 2026",
        "3/12/20266",
        "3/12/0001",
        "3/12/9999",
        "2026-13-01",
        "tomorrow",
        "٣/١٢/٢٠٢٦",
        "3/12/2026" + "x" * 100,
        "9" * 10_000,
        "\x00",
        "3/12/2026\x00",
        "<img src=x onerror=alert(1)>",
    ],
)
def test_other_dates_are_refused_with_what_was_expected(text):
    with pytest.raises(ValueError, match="Enter a date like 3/12/2026 or 3 Dec 2026"):
        parse_date(text)


def test_messages_say_what_was_expected():
    assert "2pm" in TIME_MESSAGE and "14:00" in TIME_MESSAGE
    assert "3/12/2026" in DATE_MESSAGE and "day first" in DATE_MESSAGE
