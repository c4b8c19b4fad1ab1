"""Pages built from every content app: the home page and search."""

from django.shortcuts import render
from django.utils import timezone

from briefings.models import Briefing, FeaturedTheme
from portal.site.search import run_search
from training.models import Session


def home(request):
    feature = FeaturedTheme.objects.current().first()
    feature_briefings = feature.theme.briefings.published()[:3] if feature else []
    latest = Briefing.objects.published()[:6]
    sessions = Session.objects.upcoming().select_related("course")[:5]
    return render(
        request,
        "portal/home.html",
        {
            "feature": feature,
            "feature_briefings": feature_briefings,
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
