"""Site-wide response hardening, and a friendly 503 when the database cannot be reached."""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader

log = logging.getLogger(__name__)

# Browser features the site never uses, switched off for it and anything it might embed.
# Only names Chromium 156 recognises: an unknown one is reported as a console error on every page.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in [
        "accelerometer",
        "autoplay",
        "clipboard-read",
        "compute-pressure",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "gamepad",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "interest-cohort",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "otp-credentials",
        "payment",
        "picture-in-picture",
        "publickey-credentials-create",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "sync-xhr",
        "usb",
        "window-management",
        "xr-spatial-tracking",
    ]
)

DATABASE_DOWN = (OperationalError, InterfaceError)
STAFF_PREFIXES = ("/admin/", "/markdownx/")


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        # Our files are for our pages: another site may not embed them (images, PDFs, scripts).
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.headers.setdefault("X-Permitted-Cross-Domain-Policies", "none")
        if request.path.startswith(STAFF_PREFIXES):
            # Staff pages hold unpublished drafts: never kept in a shared cache or the back/forward cache.
            response.headers.setdefault("Cache-Control", "no-store, private")
            # Staff forms post to this site; under "no-referrer" browsers send "Origin: null" with
            # them, which Django's CSRF check must refuse. "same-origin" still tells no other site.
            response.headers["Referrer-Policy"] = "same-origin"
        return response


# What an error page says if even its template cannot be rendered (say, static files were
# never collected, so {% static %} fails): plain, with the way out still there.
PLAIN_ERROR = (
    '<!doctype html><html lang="en-GB"><meta charset="utf-8"><title>{title}</title>'
    '<p><a href="https://www.bbc.co.uk/weather" rel="nofollow noreferrer">Exit this page</a></p>'
    "<h1>{title}</h1><p>Try again later. If you think a child is in immediate danger, call 999.</p></html>"
)


def error_page(template_name, title):
    """An error page's HTML; never raises (it is what is shown when something else did)."""
    try:
        return loader.get_template(template_name).render()
    except Exception:
        log.exception("Could not render %s", template_name)
        return PLAIN_ERROR.format(title=title)


def database_unavailable(request=None):
    """The friendly 503 page, rendered without context processors (they read the database)."""
    html = error_page("503.html", "Sorry, the service is unavailable")
    response = HttpResponse(html, status=503)
    response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store"
    return response


def is_database_down(exception):
    return isinstance(exception, DATABASE_DOWN)


class DatabaseUnavailableMiddleware:
    """Answer 503 with a friendly page instead of a 500 when the database cannot be reached.

    Nothing to reset when it comes back: Django opens a new connection on the next request
    (CONN_HEALTH_CHECKS drops a dead persistent one first).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_down(exception):
            log.error("Database unavailable while serving %s: %s", request.path, exception)
            return database_unavailable(request)
        return None


def client_ip(request):
    """The reader's address for login rate limiting (django-axes).

    Behind TRUSTED_PROXY_COUNT reverse proxies the address is the one the outermost proxy saw,
    taken from the right of X-Forwarded-For (the left part can be forged by the client).
    """
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
