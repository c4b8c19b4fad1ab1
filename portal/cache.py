"""Whole-page cache for anonymous readers, emptied by a content generation that every change moves.

README "Performance" says what is stored, what bypasses it and why the generation moves twice.
"""

import base64
import hashlib
import os
import threading
import time
from contextvars import ContextVar

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags

from portal import compression

GENERATION_KEY = "page-cache:generation"
# Moves when what is stored for a page changes shape, so no worker reads an entry an older version stored.
PAGE_KEY_PREFIX = "page-cache:2:"
NONCE_HEADERS = ("Content-Security-Policy", "Content-Security-Policy-Report-Only")
CACHEABLE_TYPES = ("text/html", "application/rss+xml", "application/xml", "text/xml", "text/plain", "text/calendar")
SKIP_PREFIXES = ("/admin/", "/markdownx/", "/healthz/", "/static/", "/media/", "/contrast/")


def page_cache():
    return caches["default"]


# Within a request the generation is read from the cache once (the page key, the site settings,
# the briefing body and search results all use it), and the day worked out once; outside a
# request they are read every time.
_request_memo = ContextVar("page_cache_request_memo", default=None)


def _stored_generation():
    """The shared generation; if the cache lost it (restart, flush, eviction), a number never used before.

    Starting again from 0 would bring back entries each worker still keeps in memory under the old numbers.
    """
    cache = page_cache()
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, time.time_ns(), None)
        value = cache.get(GENERATION_KEY) or time.time_ns()
    return value


def _once_per_request(name, work_out):
    """work_out() the first time a request asks for `name`, kept for the rest of it; outside a request, every time."""
    memo = _request_memo.get()
    if memo is None:
        return work_out()
    if name not in memo:
        memo[name] = work_out()
    return memo[name]


def generation():
    return _once_per_request("generation", _stored_generation)


def today():
    """timezone.localdate(), worked out once per request: a briefing page asks for the day seven times."""
    return _once_per_request("today", timezone.localdate)


def invalidate(using=None, **kwargs):
    """Make every cached page stale now, and again when the current transaction commits.

    Called on any content change, from any route (signals, admin, commands, tasks).
    """
    _bump()
    if transaction.get_autocommit(using):
        content_committed.send(sender=None)
        return
    # A callback per call, since one registered in a savepoint that rolls back goes with it; they
    # share one _CommitBump, so a transaction still bumps once however many rows it saves.
    if not hasattr(_local, "commit_bumps"):
        _local.commit_bumps = {}
    alias = transaction.get_connection(using).alias
    bump = _local.commit_bumps.get(alias)
    if bump is None or bump.done:
        bump = _local.commit_bumps[alias] = _CommitBump()
    transaction.on_commit(bump, using=using, robust=True)


_local = threading.local()


# Sent once a change to content is committed (once per transaction): what is made from all content
# (a briefing's related briefings) is made again.
content_committed = Signal()


class _CommitBump:
    """The bump due when a transaction commits: the first of its callbacks does it, the others nothing."""

    def __init__(self):
        self.done = False
        self.__qualname__ = "portal.cache._CommitBump"  # named by Django's log when a robust callback fails

    def __call__(self):
        if not self.done:
            self.done = True
            _bump()
            content_committed.send(sender=None)


def _bump():
    memo = _request_memo.get()
    if memo is not None:
        memo.pop("generation", None)
    cache = page_cache()
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.add(GENERATION_KEY, time.time_ns(), None)


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_memo.set({})
        try:
            return self.respond(request)
        finally:
            _request_memo.reset(token)

    def respond(self, request):
        seconds = getattr(settings, "PAGE_CACHE_SECONDS", 0)
        if not seconds or not self.can_use_cache(request):
            response = self.get_response(request)
            self.after_staff_post(request, response)
            return response

        key = self.key(request)
        cache = page_cache()
        encoding = compression.accepted_encoding(request)
        if encoding:
            stored = cache.get(f"{key}:{encoding}")
            if stored is not None:
                return self.from_cache(request, stored)
        stored = cache.get(key)
        if stored is None:
            response = self.get_response(request)
            if not self.can_store(request, response):
                return response
            seconds = self.lifetime(response, seconds)
            if not seconds:
                return response
            stored = self.to_cache(request, response)
            stored["seconds"] = seconds
            cache.set(key, stored, seconds)
            if not (encoding and self.can_encode(stored)):
                response["ETag"] = stored["etag"]
                patch_vary_headers(response, ["Accept-Encoding"])
                if self.matches(request, stored["etag"]):
                    return self.not_modified(stored)
                return response
        if encoding and self.can_encode(stored):
            # Compressed once per page and encoding, then served as stored.
            stored = self.encode(stored, encoding)
            cache.set(f"{key}:{encoding}", stored, stored.get("seconds", seconds))
        return self.from_cache(request, stored)

    @staticmethod
    def can_use_cache(request):
        return (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not request.path_info.startswith(SKIP_PREFIXES)
        )

    @staticmethod
    def key(request):
        # The contrast choice changes the page's <html> class, so it is part of the key. So is the
        # scheme: a page made for HTTPS is never answered over plain HTTP.
        raw = "|".join(
            [
                str(generation()),
                today().isoformat(),
                request.method,
                request.scheme,
                request.get_host(),
                request.get_full_path(),
                request.COOKIES.get("contrast", ""),
            ]
        )
        return PAGE_KEY_PREFIX + hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()

    @staticmethod
    def can_store(request, response):
        user = getattr(request, "user", None)
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not response.has_header("Content-Encoding")
            and not (user is not None and user.is_authenticated)
            and "private" not in response.get("Cache-Control", "")
            and "no-store" not in response.get("Cache-Control", "")
            and response.get("Content-Type", "").split(";")[0] in CACHEABLE_TYPES
        )

    @staticmethod
    def lifetime(response, default):
        """Seconds to keep a page: the view's s-maxage (this is a shared cache), else its max-age, else `default`."""
        directives = {}
        for part in response.get("Cache-Control", "").split(","):
            name, _, value = part.strip().partition("=")
            directives[name.lower()] = value.strip().strip('"')
        for name in ("s-maxage", "max-age"):
            if name in directives:
                try:
                    return max(int(directives[name]), 0)
                except ValueError:
                    return 0  # a value a cache cannot read keeps the page out rather than guess
        return default

    @staticmethod
    def to_cache(request, response):
        """What is kept: the body and the nonce headers split where the request's nonce was.

        Only those places get a fresh nonce on a hit, so text that merely looks like a nonce
        or a placeholder is served as it was written.
        """
        content = response.content
        headers = dict(response.items())
        headers.pop("ETag", None)
        nonce = getattr(request, "_csp_nonce", None)
        parts, header_parts = [content], {}
        if isinstance(nonce, str) and nonce:
            parts = content.split(nonce.encode())
            for name in NONCE_HEADERS:
                if name in headers and nonce in headers[name]:
                    header_parts[name] = headers.pop(name).split(nonce)
        etag = '"' + hashlib.md5(b"".join(parts), usedforsecurity=False).hexdigest() + '"'
        headers["Vary"] = _vary_on_hit(headers.get("Vary"))
        return {"parts": parts, "headers": headers, "header_parts": header_parts, "etag": etag}

    @staticmethod
    def can_encode(stored):
        """A body with no nonce in it is the same bytes on every hit, so it can be kept compressed."""
        return len(stored["parts"]) == 1 and len(stored["parts"][0]) >= compression.MIN_SIZE

    @staticmethod
    def encode(stored, encoding):
        headers = {**stored["headers"], "Content-Encoding": encoding}
        body = compression.compress(stored["parts"][0], encoding, stored=True)
        etag = compression.encoded_etag(stored["etag"], encoding)
        return {**stored, "parts": [body], "headers": headers, "etag": etag}

    @staticmethod
    def matches(request, etag):
        if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
        return bool(if_none_match) and etag in parse_etags(if_none_match)

    def from_cache(self, request, stored):
        if self.matches(request, stored["etag"]):
            return self.not_modified(stored)
        nonce = base64.b64encode(os.urandom(16)).decode("ascii")
        content = nonce.encode().join(stored["parts"])
        headers = {name: nonce.join(parts) for name, parts in stored["header_parts"].items()}
        headers.update(stored["headers"], ETag=stored["etag"])
        headers["Content-Length"] = str(len(content))
        return HttpResponse(content if request.method == "GET" else b"", headers=headers)

    @staticmethod
    def not_modified(stored):
        response = HttpResponseNotModified()
        response["ETag"] = stored["etag"]
        for name in ("Cache-Control", "Vary", "Content-Location", "Expires"):
            if name in stored["headers"]:
                response[name] = stored["headers"][name]
        return response

    @staticmethod
    def after_staff_post(request, response):
        if request.method == "POST" and request.path_info.startswith("/admin/") and response.status_code < 400:
            invalidate()


def _vary_on_hit(vary):
    """The Vary header a stored page is answered with (worked out when it is stored, not on every hit)."""
    response = HttpResponse()
    if vary:
        response["Vary"] = vary
    patch_vary_headers(response, ["Cookie", "Accept-Encoding"])
    return response["Vary"]


def connect_signals():
    """Any change to content in these apps makes cached pages stale."""
    for app_label in ("briefings", "training", "portal"):
        for model in apps.get_app_config(app_label).get_models():
            post_save.connect(invalidate, sender=model, dispatch_uid=f"page-cache-save-{model._meta.label}")
            post_delete.connect(invalidate, sender=model, dispatch_uid=f"page-cache-delete-{model._meta.label}")
    m2m_changed.connect(invalidate, dispatch_uid="page-cache-m2m")


def private_if_staff(request, response):
    """A page rendered for staff (a draft preview, say) is kept by no cache: not the browser's, not a proxy's."""
    if request.user.is_staff:
        patch_cache_control(response, private=True, no_store=True)
    return response
