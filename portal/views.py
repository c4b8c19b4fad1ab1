import logging
import sys

from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portal.context_processors import CONTRAST_COOKIE, contrast_choice, site_settings
from portal.middleware import database_unavailable, error_page, is_database_down

log = logging.getLogger(__name__)


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
    """The statement staff wrote in admin, or the built-in one in the GOV.UK model."""
    site = site_settings(request)
    prepared = site.statement_prepared or site.updated_at.date()
    custom = bool(site.accessibility_statement.strip())
    statement = (
        ""
        if custom
        else loader.render_to_string("portal/accessibility_statement.md", {"site": site, "prepared": prepared}, request)
    )
    return render(request, "portal/accessibility.html", {"statement": statement, "custom": custom})


def staying_safe(request):
    return render(request, "portal/staying_safe.html")


def is_cross_site(request):
    """True for a post sent from another site (browsers say so in Sec-Fetch-Site, older ones in Origin)."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site:
        return fetch_site not in ("same-origin", "none")
    origin = request.headers.get("Origin")
    return bool(origin) and origin != "null" and origin != f"{request.scheme}://{request.get_host()}"


# No CSRF token: the form is in the header of every page, and a per-reader token would stop
# the page cache storing any page. Flipping a colour scheme is harmless; other sites are still
# refused by the Sec-Fetch-Site/Origin check.
@csrf_exempt
@require_POST
def toggle_contrast(request):
    """Switch the high-contrast theme on or off and go back to the same page (no JavaScript needed)."""
    if is_cross_site(request):
        return HttpResponseForbidden("This button only works from this website.", content_type="text/plain")
    target = request.POST.get("next", "")
    safe = (
        target.startswith("/")
        and len(target) <= 2000
        and not any(ord(char) < 32 or ord(char) == 127 for char in target)
        and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    )
    response = HttpResponseRedirect(target if safe else "/")
    choice = "standard" if contrast_choice(request) == "high" else "high"
    response.set_cookie(
        CONTRAST_COOKIE, choice, max_age=365 * 24 * 60 * 60, samesite="Lax", httponly=True, secure=request.is_secure()
    )
    return response


def robots_txt(request):
    """Crawlers may read the public pages, but not admin or search results (endless URLs)."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        # "/search/?" rather than "/search/": the search page itself is in the sitemap, its results are not.
        "Disallow: /search/?",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors: the database may be what failed.
    if is_database_down(sys.exc_info()[1]):
        # Raised outside a view (e.g. loading the session in middleware): still the friendly 503.
        return database_unavailable(request)
    return HttpResponse(error_page("500.html", "Sorry, there is a problem with the service"), status=500)
