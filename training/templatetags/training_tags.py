"""Session dates and times as UK readers expect them: "Tuesday 3 March 2026, 9:30am to 12:30pm"."""

from datetime import time, timedelta
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone

register = template.Library()

UK = ZoneInfo("Europe/London")


def uk(value):
    return timezone.localtime(value, UK)


@register.filter
def uk_date(value):
    """'Tuesday 3 March 2026' in UK time."""
    if not value:
        return ""
    local = uk(value)
    return f"{local:%A} {local.day} {local:%B %Y}"


@register.filter
def uk_time(value):
    """'9:30am', '2pm', 'midday' or 'midnight' in UK time (GOV.UK style)."""
    if not value:
        return ""
    local = uk(value)
    if local.minute == 0 and local.hour in (0, 12):
        return "midnight" if local.hour == 0 else "midday"
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{hour}{suffix}" if local.minute == 0 else f"{hour}:{local.minute:02d}{suffix}"


@register.filter
def session_when(session):
    """Day, date and time range of a session; both dates when it runs over more than one day."""
    starts, ends = uk(session.starts), uk(session.ends)
    # "10pm to midnight", not "to Wednesday 4 March, midnight": a session ending at midnight ends that day.
    ends_at_midnight = ends.time() == time(0) and ends.date() - starts.date() == timedelta(days=1)
    if starts.date() == ends.date() or ends_at_midnight:
        return f"{uk_date(starts)}, {uk_time(starts)} to {uk_time(ends)}"
    return f"{uk_date(starts)}, {uk_time(starts)} to {uk_date(ends)}, {uk_time(ends)}"


@register.filter
def session_place(session):
    """Where it happens: the place, or 'Online'."""
    if session.is_online:
        return f"Online ({session.location})" if session.location else "Online"
    return session.location or "Place to be confirmed"


@register.filter
def session_state(session):
    """What a reader can do: 'open', 'full', 'cancelled' or 'started' (too late to book)."""
    if session.status in ("cancelled", "full"):
        return session.status
    if session.places_left == 0:
        return "full"  # no places left: nothing to book, whatever the status says
    if session.starts <= timezone.now():
        return "started"
    return "open"


STATE_LABELS = {"open": "Open", "full": "Full", "cancelled": "Cancelled", "started": "Started"}


@register.filter
def state_label(state):
    return STATE_LABELS.get(state, state)


def places_left(session):
    """How many places can still be booked, or None when not known: the one place that reads the session's count."""
    return session.places_left


@register.filter
def places_label(session):
    """The places in a reader's words: 'Cancelled', 'Full', '3 places left', '1 place left', or '' when not known."""
    state = session_state(session)
    if state in ("cancelled", "full"):
        return STATE_LABELS[state]
    left = places_left(session)
    if state != "open":
        return ""
    if left is None:
        return f"{session.places_total} in total" if session.places_total else ""
    return f"{left} place{'' if left == 1 else 's'} left"
