from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from briefings.models import Briefing
from portal.cache import private_if_staff
from portal.context_processors import site_settings

from .calendar import calendar_response
from .forms import CourseFilterForm
from .models import Course, Session


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
    in_calendar = any(s.status != Session.Status.CANCELLED for s in course.upcoming)
    response = render(request, "training/detail.html", {"course": course, "in_calendar": in_calendar})
    # Staff previews (drafts included) are kept by no cache.
    return private_if_staff(request, response)


def sessions_ics(request):
    sessions = Session.objects.upcoming().select_related("course")
    return calendar_response(
        sessions,
        name=f"{site_settings(request).partnership_name}: training",
        filename="training-sessions.ics",
        request=request,
    )


def course_sessions_ics(request, slug):
    course = get_object_or_404(Course.objects.published(), slug=slug)
    sessions = Session.objects.upcoming().filter(course=course).select_related("course")
    return calendar_response(
        sessions, name=f"{course.title}: sessions", filename=f"{slug}-sessions.ics", request=request
    )
