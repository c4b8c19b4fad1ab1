import logging

from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone

from briefings.models import Briefing, FeaturedTheme
from training.models import Session

log = logging.getLogger(__name__)


def home(request):
    feature = FeaturedTheme.objects.current().first()
    latest = Briefing.objects.published().prefetch_related("themes")[:6]
    sessions = Session.objects.upcoming().select_related("course")[:5]
    return render(
        request,
        "portal/home.html",
        {"feature": feature, "latest": latest, "sessions": sessions, "today": timezone.localdate()},
    )


def healthz(request):
    """200 when the database answers a query, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        log.exception("Health check: database unavailable")
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def accessibility(request):
    return render(request, "portal/accessibility.html")


def staying_safe(request):
    return render(request, "portal/staying_safe.html")


def search(request):
    return render(request, "portal/search.html", {"query": request.GET.get("q", "")})


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors: the database may be what failed.
    return HttpResponse(loader.get_template("500.html").render(), status=500)
