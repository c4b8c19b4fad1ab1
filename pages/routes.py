"""Which addresses a partnership page may take: `/<slug>/` is served last, so no slug may be a top-level route."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import URLPattern, URLResolver, get_resolver, get_urlconf

# The URL name of the page view (pages/urls.py), the one route a page's slug may match.
PAGE_VIEW = "pages:detail"

_reserved = {}


def _first_segments(patterns, namespace=""):
    """The first part of every route's address (`briefings` for briefings/<slug>/), through includes at ""."""
    for entry in patterns:
        route = str(entry.pattern).lstrip("^")
        head = route.split("/", 1)[0]
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if head:
                yield head
            else:
                yield from _first_segments(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            if f"{namespace}{entry.name}" == PAGE_VIEW:
                continue
            if head and "<" not in head and "(" not in head:
                yield head.rstrip("$")


def reserved_slugs():
    """Every first segment the site's own routes use, and the static and media prefixes: read from the URLconf."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    found = _reserved.get(urlconf)
    if found is None:
        found = set(_first_segments(get_resolver(urlconf).url_patterns))
        for prefix in (settings.STATIC_URL, settings.MEDIA_URL):
            head = (prefix or "").strip("/").split("/", 1)[0]
            if head and "://" not in (prefix or ""):
                found.add(head)
        found = _reserved[urlconf] = frozenset(found)
    return found


def validate_page_slug(value):
    """Refuse a slug the site already answers at (briefings, search, admin, ...)."""
    if value.lower() in reserved_slugs():
        raise ValidationError(
            "/%(slug)s/ is one of the site's own addresses, so a page there would never be shown. "
            "Choose another web address, for example “partnership-%(slug)s”.",
            code="reserved",
            params={"slug": value},
        )
