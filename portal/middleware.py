"""Site-wide response hardening, and a friendly 503 when the database cannot be reached."""

import io
import logging

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as LibraryCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware as LibraryMessageMiddleware
from django.contrib.messages.storage import default_storage
from django.core.handlers.wsgi import LimitedStream
from django.core.signals import setting_changed
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils.functional import SimpleLazyObject, empty

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
    """Headers Django's SecurityMiddleware does not set, and the strict ones on every answer.

    First in MIDDLEWARE, so an answer made before the inner middleware runs (a bad Host header,
    a body too large, a cached page) still carries the policy, X-Frame-Options and nosniff.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        # The site's policy without a nonce: an error page made early has no inline script or style.
        self.fallback_policy = build_policy()

    def __call__(self, request):
        response = self.get_response(request)
        # A view exempted on purpose (django-csp's and Django's decorators) stays exempt.
        if not getattr(response, "_csp_exempt", False):
            response.headers.setdefault("Content-Security-Policy", self.fallback_policy)
        if not getattr(response, "xframe_options_exempt", False):
            response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
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


# Set on a response by django-csp's decorators: such a response gets its policy from django-csp itself.
VIEW_POLICY_ATTRIBUTES = ("_csp_config", "_csp_update", "_csp_replace", "_csp_exempt",
                          "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro", "_csp_exempt_ro")  # fmt: skip
NONCE_MARK = "portal-csp-nonce-mark"
_site_policy = {}


def site_policy(nonce):
    """The site's policy with this response's nonce (or none): built once per worker, then the nonce put in."""
    if not _site_policy:
        _site_policy[None] = build_policy()
        _site_policy[NONCE_MARK] = build_policy(nonce=NONCE_MARK).split(NONCE_MARK)
    return _site_policy[None] if nonce is None else nonce.join(_site_policy[NONCE_MARK])


def _settings_changed(setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _site_policy.clear()


setting_changed.connect(_settings_changed)


class CSPMiddleware(LibraryCSPMiddleware):
    """django-csp's middleware, with the site's own policy built once per worker instead of twice per response."""

    def process_response(self, request, response):
        # A view's own policy (django-csp's decorators), report-only policies, excluded addresses and
        # DEBUG's error pages go through django-csp; every other response gets the header django-csp
        # would write, with its own nonce when the page used one.
        if (
            any(hasattr(response, name) for name in VIEW_POLICY_ATTRIBUTES)
            or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            or settings.CONTENT_SECURITY_POLICY.get("EXCLUDE_URL_PREFIXES")
            or settings.DEBUG
        ):
            return super().process_response(request, response)
        nonce = getattr(request, "_csp_nonce", None)
        if HEADER not in response:
            response[HEADER] = site_policy(nonce)
        if nonce is None:
            # As django-csp does: a nonce asked for after the header is written would not be in it.
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
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


def bad_request(request, exception=None):
    """The friendly 400 page (a wrong Host header, a malformed request); never reads the request."""
    response = HttpResponse(error_page("400.html", "Sorry, the address was not understood"), status=400)
    response["Cache-Control"] = "no-store"
    return response


def too_large(request=None):
    """The friendly 413 page for a request body over its route's limit."""
    response = HttpResponse(error_page("413.html", "Sorry, that was too much to send"), status=413)
    response["Cache-Control"] = "no-store"
    return response


def body_limit(request):
    """The most bytes a request to this address may send (PUBLIC_REQUEST_BODY_LIMIT, STAFF_REQUEST_BODY_LIMITS)."""
    public = settings.PUBLIC_REQUEST_BODY_LIMIT
    for prefix, limit in settings.STAFF_REQUEST_BODY_LIMITS.items():
        if request.path_info.startswith(prefix):
            # Only a signed-in member of staff gets more than the public limit (not a made-up cookie).
            user = getattr(request, "user", None)
            return limit if user is not None and user.is_active and user.is_staff else public
    return public


class RequestBodyLimitMiddleware:
    """Refuse a request body larger than its route allows, before anything reads it.

    Sits after AuthenticationMiddleware (staff routes allow more, for a signed-in member of staff
    only) and before any view or process_view reads request.POST. The declared Content-Length is
    checked first; a chunked body with no length is read up to the limit and refused past it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        declared = request.META.get("CONTENT_LENGTH")
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if declared:
            try:
                length = int(declared)
            except ValueError:
                return bad_request(request)
            if length > settings.PUBLIC_REQUEST_BODY_LIMIT and length > body_limit(request):
                return too_large(request)
        elif chunked:
            limit = body_limit(request)
            stream = request.META["wsgi.input"]
            body = stream.read(limit + 1)
            if len(body) > limit:
                return too_large(request)
            # Django reads only CONTENT_LENGTH bytes: hand it the whole (small enough) body.
            request.META["CONTENT_LENGTH"] = str(len(body))
            request._stream = LimitedStream(io.BytesIO(body), len(body))
        return self.get_response(request)


def is_database_down(exception):
    return isinstance(exception, DATABASE_DOWN)


class MessageMiddleware(LibraryMessageMiddleware):
    """Django's, with the message storage made when it is first used: a reader's page never uses it.

    Making it (a cookie signer and the session storage) cost every request; a storage never made
    has nothing to save.
    """

    def process_request(self, request):
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request, response):
        storage = getattr(request, "_messages", None)
        if isinstance(storage, SimpleLazyObject) and storage._wrapped is empty:
            return response
        return super().process_response(request, response)


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
