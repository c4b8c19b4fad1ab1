"""Upcoming sessions as an iCalendar feed that Outlook, Google Calendar and Apple Calendar import."""

from datetime import UTC, datetime, timedelta

from django.http import HttpResponse
from django.utils import timezone
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vRecur, vText

from portal.context_processors import site_settings

from .templatetags.training_tags import session_place, session_state

# Full and cancelled sessions are kept in the calendar, shown as free time: a reader who added one
# sees what became of it, and it never blocks their day.
FREE_STATES = {"full", "cancelled"}


def build_calendar(sessions, *, name, request):
    """Return the VCALENDAR for these sessions (each with its course selected) as bytes."""
    host = request.get_host().split(":")[0] or "localhost"
    now = timezone.now().astimezone(UTC)
    cal = Calendar()
    cal.add("prodid", f"-//{host}//Training sessions//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    # Subscribed calendars check back this often for new or changed dates.
    cal.add("refresh-interval", timedelta(hours=12), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vText("PT12H"))
    cal.add("x-wr-timezone", "Europe/London")
    # A calendar needs at least one component (RFC 5545), so one with no sessions still parses.
    cal.add_component(uk_timezone())
    contact = site_settings(request).contact_email
    for session in sessions:
        cal.add_component(session_event(session, host=host, now=now, request=request, contact=contact))
    return cal.to_ical()


def uk_timezone():
    """Europe/London as a VTIMEZONE with its yearly rule (times in events stay in UTC)."""
    zone = Timezone()
    zone.add("tzid", "Europe/London")
    for kind, name, start, month, offsets in (
        (TimezoneDaylight, "BST", datetime(1970, 3, 29, 1), 3, (timedelta(0), timedelta(hours=1))),
        (TimezoneStandard, "GMT", datetime(1970, 10, 25, 2), 10, (timedelta(hours=1), timedelta(0))),
    ):
        part = kind()
        part.add("tzname", name)
        part.add("dtstart", start)
        part.add("tzoffsetfrom", offsets[0])
        part.add("tzoffsetto", offsets[1])
        part.add("rrule", vRecur(freq="YEARLY", bymonth=month, byday="-1SU"))
        zone.add_component(part)
    return zone


def waiting_list_line(course, contact):
    if course.waiting_list:
        return f"To join the waiting list: {course.waiting_list}"
    return f"To ask about a place: {contact}" if contact else ""


def session_event(session, *, host, now, request, contact=""):
    course = session.course
    course_url = request.build_absolute_uri(course.get_absolute_url())
    state = session_state(session)
    lines = [course.summary.strip()]
    if state == "cancelled":
        lines.insert(0, "This session has been cancelled.")
    elif state == "full":
        lines += ["This session is full.", waiting_list_line(course, contact)]
    elif session.booking_link:
        lines.append(f"Book a place: {session.booking_link}")
    if session.note:
        lines.append(session.note)
    lines.append(f"About the course: {course_url}")
    event = Event()
    event.add("uid", f"session-{session.pk}@{host}")
    event.add("dtstamp", now)
    event.add("dtstart", session.starts.astimezone(UTC))
    event.add("dtend", session.ends.astimezone(UTC))
    event.add(
        "summary",
        {"cancelled": f"Cancelled: {course.title}", "full": f"{course.title} (full)"}.get(state, course.title),
    )
    event.add("location", session_place(session))
    event.add("description", "\n\n".join(line for line in lines if line))
    event.add("url", course_url)
    event.add("status", "CANCELLED" if state == "cancelled" else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if state in FREE_STATES else "OPAQUE")
    return event


def calendar_response(sessions, *, name, filename, request):
    response = HttpResponse(
        build_calendar(sessions, name=name, request=request), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
