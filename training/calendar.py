"""Upcoming sessions as an iCalendar feed that Outlook, Google Calendar and Apple Calendar import."""

from datetime import UTC, timedelta

from django.http import HttpResponse
from django.utils import timezone
from icalendar import Calendar, Event, vText

from .templatetags.training_tags import session_place


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
    for session in sessions:
        cal.add_component(session_event(session, host=host, now=now, request=request))
    return cal.to_ical()


def session_event(session, *, host, now, request):
    course = session.course
    course_url = request.build_absolute_uri(course.get_absolute_url())
    lines = [course.summary.strip()]
    if session.is_full:
        lines.append("This session is full.")
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
    event.add("summary", course.title)
    event.add("location", session_place(session))
    event.add("description", "\n\n".join(line for line in lines if line))
    event.add("url", course_url)
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def calendar_response(sessions, *, name, filename, request):
    response = HttpResponse(
        build_calendar(sessions, name=name, request=request), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
