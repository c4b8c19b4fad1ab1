"""Brotli or gzip, whichever the browser prefers, never over a secret (README "Compression" explains BREACH)."""

import gzip

import brotli
from django.conf import settings
from django.utils.cache import patch_vary_headers

from portal.middleware import STAFF_PREFIXES

COMPRESSIBLE_TYPES = (
    "text/html",
    "text/plain",
    "text/xml",
    "text/calendar",
    "text/css",
    "application/xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/json",
    "application/javascript",
    "text/javascript",
)
# Below this many bytes compression saves less than the headers it adds.
MIN_SIZE = 200
# Preferred first: brotli is 15-20% smaller than gzip on these pages.
ENCODINGS = ("br", "gzip")


def accepted_encoding(request):
    """The best encoding the request accepts ("br" or "gzip"), or None."""
    header = request.META.get("HTTP_ACCEPT_ENCODING", "")
    if not header:
        return None
    accepted = {}
    for item in header.lower().split(","):
        name, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        accepted[name.strip()] = quality
    for encoding in ENCODINGS:
        if accepted.get(encoding, accepted.get("*", 0.0)) > 0:
            return encoding
    return None


def compress(content, encoding, stored=False):
    """Compress bytes; pages stored for many readers get the slower, smaller setting."""
    if encoding == "br":
        return brotli.compress(content, mode=brotli.MODE_TEXT, quality=9 if stored else 5)
    return gzip.compress(content, compresslevel=9 if stored else 6, mtime=0)


def is_compressible(response):
    return response.get("Content-Type", "").split(";")[0].strip() in COMPRESSIBLE_TYPES


def carries_a_secret(request, response):
    """True when the request or response may hold a secret an attacker could probe for (BREACH)."""
    return (
        settings.SESSION_COOKIE_NAME in request.COOKIES
        or settings.CSRF_COOKIE_NAME in request.COOKIES
        or bool(response.cookies)
        or request.path_info.startswith(STAFF_PREFIXES)
    )


def encoded_etag(etag, encoding):
    """A representation's own ETag: each encoding is different bytes, so it gets a different tag."""
    if etag.startswith('"'):
        return f'{etag[:-1]}-{encoding}"'
    return etag


class CompressionMiddleware:
    """Compress responses the page cache did not already send compressed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.streaming
            or response.has_header("Content-Encoding")
            or not is_compressible(response)
            or carries_a_secret(request, response)
        ):
            return response
        patch_vary_headers(response, ["Accept-Encoding"])
        encoding = accepted_encoding(request)
        if encoding is None or len(response.content) < MIN_SIZE:
            return response
        compressed = compress(response.content, encoding)
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response["Content-Length"] = str(len(compressed))
        response["Content-Encoding"] = encoding
        if response.has_header("ETag"):
            response["ETag"] = encoded_etag(response["ETag"], encoding)
        return response
