"""Small factories for training tests."""

from datetime import datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

from django.utils import timezone

from training.models import Course, Session

UK = ZoneInfo("Europe/London")
_numbers = count(1)


def make_course(**fields):
    n = next(_numbers)
    defaults = {
        "title": f"Course {n}",
        "slug": f"course-{n}",
        "summary": f"Summary of course {n}.",
        "is_published": True,
        "booking_url": f"https://learning.example.org/course-{n}",
    }
    defaults.update(fields)
    return Course.objects.create(**defaults)


def make_session(course, days=10, hours=3, **fields):
    """A session starting `days` from now (negative for the past), lasting `hours`."""
    starts = fields.pop("starts", None) or timezone.now().replace(microsecond=0) + timedelta(days=days)
    ends = fields.pop("ends", None) or starts + timedelta(hours=hours)
    defaults = {"location": "Partnership Learning Centre"}
    defaults.update(fields)
    return Session.objects.create(course=course, starts=starts, ends=ends, **defaults)


def uk(year, month, day, hour, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=UK)
