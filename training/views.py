from itertools import groupby

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from briefings.models import Briefing
from portal import publication
from portal.cache import private_if_staff
from portal.context_processors import site_settings
from portal.publication import published_q

from .calendar import calendar_response
from .forms import CourseFilterForm, WhatsOnFilterForm
from .models import Course, Session
from .templatetags.training_tags import UK


def course_list(request):
    filters = CourseFilterForm(request.GET)
    chosen = filters.values()
    courses = filters.filter(Course.objects.published(), chosen)
    courses = courses.with_upcoming().order_by("title").prefetch_related("themes")
    context = {
        "courses": courses,
        "filters": CourseFilterForm(initial=chosen),
        "filtered": bool(chosen),
    }
    return render(request, "training/list.html", context)


def course_detail(request, slug):
    queryset = Course.objects.all() if request.user.is_staff else Course.objects.published()
    try:
        course = get_object_or_404(
            queryset.prefetch_related(
                "outcomes",
                "themes",
                Prefetch("prerequisites", queryset=Course.objects.published()),
                Prefetch("required_for", queryset=Course.objects.published(), to_attr="leads_to"),
                # Cancelled sessions are listed as cancelled; past ones are not listed at all.
                Prefetch("sessions", queryset=Session.objects.filter(ends__gt=timezone.now()), to_attr="upcoming"),
                Prefetch("briefings", queryset=Briefing.objects.published(), to_attr="published_briefings"),
            ),
            slug=slug,
        )
    except Http404:
        course = Course.objects.filter(slug=slug).first()
        themes = list(course.themes.all()[:3]) if course else []
        listing = (reverse("training:list"), "look through all training", "Training")
        return publication.withdrawn(request, course, noun="course", themes=themes, listing=listing)
    in_calendar = any(s.status != Session.Status.CANCELLED for s in course.upcoming)
    response = render(request, "training/detail.html", {"course": course, "in_calendar": in_calendar})
    # Staff previews (drafts included) are kept by no cache.
    return private_if_staff(request, response)


def calendar_sessions():
    """Sessions that have not ended on published courses, cancelled ones too: calendars show them as cancelled."""
    return Session.objects.filter(published_q("course__"), ends__gt=timezone.now()).select_related("course")


def sessions_ics(request):
    sessions = calendar_sessions()
    return calendar_response(
        sessions,
        name=f"{site_settings(request).partnership_name}: training",
        filename="training-sessions.ics",
        request=request,
    )


def course_sessions_ics(request, slug):
    course = get_object_or_404(Course.objects.published(), slug=slug)
    sessions = calendar_sessions().filter(course=course)
    return calendar_response(
        sessions, name=f"{course.title}: sessions", filename=f"{slug}-sessions.ics", request=request
    )


def session_ics(request, slug, pk):
    """One session as a calendar file, for the reader who booked it ("Add to calendar")."""
    session = get_object_or_404(Session.objects.filter(published_q("course__")).select_related("course"), pk=pk)
    if session.course.slug != slug:
        raise Http404("No such session on this course.")
    when = timezone.localtime(session.starts, UK)
    return calendar_response(
        [session], name=session.course.title, filename=f"{slug}-{when:%Y-%m-%d-%H%M}.ics", request=request
    )


def whats_on(request):
    """Upcoming sessions of every published course by month, cancelled ones shown as such."""
    filters = WhatsOnFilterForm(request.GET)
    chosen = filters.values()
    sessions = filters.filter(calendar_sessions(), chosen).order_by("starts", "pk")
    months = [
        (month, list(group))
        for month, group in groupby(sessions, key=lambda s: timezone.localtime(s.starts, UK).strftime("%B %Y"))
    ]
    context = {"months": months, "filters": filters, "filtered": bool(chosen), "count": sum(len(g) for _, g in months)}
    return render(request, "training/whats_on.html", context)
