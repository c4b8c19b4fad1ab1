"""Pages built from every content app: the home page and search."""

from django.shortcuts import render
from django.utils import timezone

from briefings.models import Briefing, FeaturedTheme
from portal.site.search import run_search
from training.models import Course, Session


def home(request):
    feature = FeaturedTheme.objects.current().select_related("theme").first()
    feature_briefings, feature_courses = [], []
    if feature:
        feature_briefings = list(feature.theme.briefings.published()[:3])
        feature_courses = list(Course.objects.published().filter(themes=feature.theme).order_by("title")[:3])
    # The theme of the month shows its own items; the latest list goes on from there rather than repeat them.
    latest = Briefing.objects.published().exclude(pk__in=[briefing.pk for briefing in feature_briefings])[:6]
    sessions = Session.objects.upcoming().select_related("course")[:5]
    return render(
        request,
        "portal/home.html",
        {
            "feature": feature,
            "feature_briefings": feature_briefings,
            "feature_courses": feature_courses,
            "latest": latest,
            "sessions": sessions,
            "today": timezone.localdate(),
        },
    )


def search(request):
    """Search briefings, courses and resources; any query string gets a page, never an error."""
    context = run_search(
        request.GET.get("q", ""),
        kind=request.GET.get("kind", ""),
        theme=request.GET.get("theme", ""),
        page=request.GET.get("page"),
    )
    return render(request, "portal/search.html", context)
