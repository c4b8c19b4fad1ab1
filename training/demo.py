"""Demo courses and sessions from YAML, dated from today in UK time so the demo always has sessions ahead."""

# A weekend date moves to the Monday after; `days: 2` ends a session on a later day; a time the clocks
# skip is refused, and one that happens twice means the first (British Summer Time).

import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from briefings.models import Theme
from portal import yaml_loader
from portal.models import validate_web_address
from portal.text import tidy_markdown
from portal.yaml_loader import DemoDataError

from .models import Course, LearningOutcome, Session

UK = ZoneInfo("Europe/London")

COURSE_TEXT = {"summary", "description", "audience_detail", "duration", "cost", "provider", "prerequisites_text"}
COURSE_KEYS = {"slug", "title", "format", "audience", "level", "booking_url", "published", "themes"}
COURSE_KEYS |= COURSE_TEXT | {"prerequisites", "outcomes", "sessions"}
SESSION_KEYS = {"days_ahead", "date", "days", "start", "end", "online", "location", "places", "places_left", "status"}
SESSION_KEYS |= {"booking_url", "note"}
CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$|^(24):(00)$")


def load_training(path, today=None):
    """Create or update the courses in the YAML file at `path`; return the courses."""
    path = Path(path)
    listed = yaml_loader.load_list_file(path, "courses")
    today = today or timezone.localdate()
    specs = [CourseSpec(path, index, raw, today) for index, raw in enumerate(listed, start=1)]
    slugs = [spec.slug for spec in specs]
    duplicates = sorted({slug for slug in slugs if slugs.count(slug) > 1})
    if duplicates:
        raise DemoDataError(f"{path}: course slugs appear more than once: {', '.join(duplicates)}.")
    with transaction.atomic():
        courses = {spec.slug: spec.save() for spec in specs}
        for spec in specs:
            spec.link(courses)
    return list(courses.values())


class CourseSpec:
    """One course from the file, checked before anything is written."""

    def __init__(self, path, index, raw, today):
        self.where = f"{path}: course {index}"
        if not isinstance(raw, dict):
            self.fail("must be a mapping of fields")
        self.where = f"{path}: course {index} ({raw.get('slug') or raw.get('title') or 'no slug'})"
        unknown = set(raw) - COURSE_KEYS
        if unknown:
            self.fail(f"unknown field(s) {', '.join(sorted(map(str, unknown)))}")
        self.slug = self.text(raw, "slug", required=True)
        self.fields = {
            "title": self.text(raw, "title", required=True),
            "format": self.choice(raw, "format", Course.Format, Course.Format.CLASSROOM),
            "audience": self.choice(raw, "audience", Course.Audience, Course.Audience.PRACTITIONERS),
            "level": self.choice(raw, "level", Course.Level, None),
            "booking_url": self.url(raw, "booking_url", self.where),
            "is_published": self.boolean(raw, "published", True),
        }
        for name in sorted(COURSE_TEXT):
            self.fields[name] = self.text(raw, name, required=name == "summary")
        self.fields["description"] = tidy_markdown(self.fields["description"])
        course = Course(slug=self.slug, **self.fields)
        try:
            course.clean_fields()
        except ValidationError as exc:
            self.fail("; ".join(f"{field}: {' '.join(errors)}" for field, errors in exc.message_dict.items()))
        self.themes = self.slug_list(raw, "themes")
        self.prerequisites = self.slug_list(raw, "prerequisites")
        self.outcomes = self.string_list(raw, "outcomes")
        sessions = raw.get("sessions") or []
        if not isinstance(sessions, list):
            self.fail("'sessions' must be a list")
        self.sessions = [self.session(number, item, today) for number, item in enumerate(sessions, start=1)]

    def fail(self, message):
        raise DemoDataError(f"{self.where}: {message}.")

    def text(self, raw, name, required=False):
        value = raw.get(name)
        if value is None or value == "":
            if required:
                self.fail(f"'{name}' is required")
            return ""
        if not isinstance(value, str):
            self.fail(f"'{name}' must be text")
        return value.strip()

    def choice(self, raw, name, choices, default):
        value = raw.get(name)
        if value is None:
            return default
        if value not in choices.values:
            self.fail(f"'{name}' must be one of {', '.join(map(str, choices.values))}, not {value!r}")
        return value

    def boolean(self, raw, name, default):
        value = raw.get(name, default)
        if not isinstance(value, bool):
            self.fail(f"'{name}' must be true or false")
        return value

    def url(self, raw, name, where):
        value = raw.get(name) or ""
        if not isinstance(value, str):
            self.fail(f"'{name}' must be a web address")
        if value:
            try:
                validate_web_address(value.strip())
            except ValidationError as exc:
                raise DemoDataError(f"{where}: '{name}': {' '.join(exc.messages)}") from exc
        return value.strip()

    def string_list(self, raw, name):
        value = raw.get(name) or []
        if isinstance(value, list):
            for number, item in enumerate(value, start=1):
                if isinstance(item, dict):
                    self.fail(
                        f"'{name}' item {number} has a colon and a space in it, so YAML reads it as a field; "
                        "put it in quotes"
                    )
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            self.fail(f"'{name}' must be a list of non-empty text items")
        return [item.strip() for item in value]

    slug_list = string_list

    def session(self, number, raw, today):
        where = f"{self.where}, session {number}"
        if not isinstance(raw, dict):
            raise DemoDataError(f"{where}: must be a mapping of fields.")
        unknown = set(raw) - SESSION_KEYS
        if unknown:
            raise DemoDataError(f"{where}: unknown field(s) {', '.join(sorted(map(str, unknown)))}.")
        day = self.day(where, raw, today)
        length = raw.get("days", 1)
        if not isinstance(length, int) or isinstance(length, bool) or not 1 <= length <= 14:
            raise DemoDataError(f"{where}: 'days' must be a whole number of days from 1 to 14 (2 ends the next day).")
        starts = self.clock(where, raw, "start", day)
        ends = self.clock(where, raw, "end", day + timedelta(days=length - 1))
        if ends <= starts:
            hint = " If it ends the next day, add 'days: 2'." if length == 1 else ""
            raise DemoDataError(f"{where}: 'end' must be after 'start'.{hint}")
        status = raw.get("status", Session.Status.OPEN)
        if status not in Session.Status.values:
            raise DemoDataError(f"{where}: 'status' must be one of {', '.join(Session.Status.values)}.")
        places = {}
        for key, field in (("places", "places_total"), ("places_left", "places_left")):
            value = places[field] = raw.get(key)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                raise DemoDataError(f"{where}: '{key}' must be a whole number.")
        if None not in places.values() and places["places_left"] > places["places_total"]:
            raise DemoDataError(f"{where}: 'places_left' cannot be more than 'places' (the places in total).")
        online = raw.get("online", False)
        if not isinstance(online, bool):
            raise DemoDataError(f"{where}: 'online' must be true or false.")
        fields = {"starts": starts, "ends": ends, "status": status, **places, "is_online": online}
        for name in ("location", "note"):
            value = raw.get(name) or ""
            if not isinstance(value, str):
                raise DemoDataError(f"{where}: '{name}' must be text.")
            fields[name] = value.strip()
        fields["booking_url"] = self.url(raw, "booking_url", where)
        return fields

    @staticmethod
    def day(where, raw, today):
        if ("date" in raw) == ("days_ahead" in raw):
            raise DemoDataError(f"{where}: give either 'date' (like 2025-10-25) or 'days_ahead', not both or neither.")
        if "date" in raw:
            value = raw["date"]
            try:
                return value if isinstance(value, date) else date.fromisoformat(str(value).strip())
            except ValueError:
                raise DemoDataError(f"{where}: 'date' must be a date like 2025-10-25, not {value!r}.") from None
        days = raw["days_ahead"]
        if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 3650:
            raise DemoDataError(f"{where}: 'days_ahead' must be a whole number of days from 0 to 3650.")
        day = today + timedelta(days=days)
        if day.weekday() >= 5:
            day += timedelta(days=7 - day.weekday())
        return day

    @staticmethod
    def clock(where, raw, name, day):
        value = raw.get(name)
        if value in (None, ""):
            raise DemoDataError(f"{where}: '{name}' is required: the UK time it {name}s, like \"09:30\".")
        match = CLOCK.match(str(value).strip())
        if not match:
            raise DemoDataError(f"{where}: '{name}' must be a UK time like \"09:30\", not {value!r}.")
        hours, minutes = (int(part) for part in (match.group(1, 2) if match[1] else match.group(3, 4)))
        if name == "end" and hours in (0, 24) and minutes == 0:
            # An end of "00:00" (or "24:00") is midnight at the end of the day, as in "6pm to midnight".
            day, hours = day + timedelta(days=1), 0
        local = datetime.combine(day, time(hours, minutes), tzinfo=UK)
        # A wall-clock time the clocks skip comes back different after a round trip through UTC.
        if local.astimezone(UTC).astimezone(UK).replace(tzinfo=None) != local.replace(tzinfo=None):
            raise DemoDataError(
                f"{where}: '{name}' {value} does not exist in the UK on {day:%d %B %Y}: the clocks go forward then."
            )
        return local

    def save(self):
        course, _ = Course.objects.update_or_create(slug=self.slug, defaults=self.fields)
        self.sync(course.outcomes.order_by("position", "pk"), LearningOutcome, course,
                  [{"position": n, "text": text} for n, text in enumerate(self.outcomes, start=1)])  # fmt: skip
        self.sync(course.sessions.order_by("pk"), Session, course, self.sessions)
        course.themes.set(Theme.objects.filter(slug__in=self.themes))
        return course

    @staticmethod
    def sync(existing, model, course, wanted):
        """Match rows by order: update those there, add missing ones, delete extras (stable keys)."""
        existing = list(existing)
        for row, fields in zip(existing, wanted, strict=False):
            for name, value in fields.items():
                setattr(row, name, value)
            row.save()
        for fields in wanted[len(existing) :]:
            model.objects.create(course=course, **fields)
        for row in existing[len(wanted) :]:
            row.delete()

    def link(self, courses):
        missing = [slug for slug in self.prerequisites if slug not in courses]
        if missing:
            # Also accept courses already in the database but not in this file.
            found = {c.slug: c for c in Course.objects.filter(slug__in=missing)}
            missing = [slug for slug in missing if slug not in found]
            if missing:
                self.fail(f"'prerequisites' names unknown course(s) {', '.join(missing)}")
            courses = {**courses, **found}
        courses[self.slug].prerequisites.set([courses[slug] for slug in self.prerequisites])
