"""The site's own addresses, each reversed once per worker: reverse() cost a cold page more than its queries."""

import functools

from django.core.signals import setting_changed
from django.urls import get_script_prefix, get_urlconf
from django.urls import reverse as django_reverse


@functools.lru_cache(maxsize=8192)
def _reverse(prefix, urlconf, viewname, args):
    # The prefix is in the key because reverse() writes it into the address.
    return django_reverse(viewname, urlconf=urlconf, args=args)


def reverse(viewname, *args):
    """What `django.urls.reverse(viewname, args=args)` returns, kept for this script prefix and URLconf."""
    return _reverse(get_script_prefix(), get_urlconf(), viewname, args)


def _settings_changed(setting, **kwargs):
    if setting in {"ROOT_URLCONF", "FORCE_SCRIPT_NAME"}:
        _reverse.cache_clear()


setting_changed.connect(_settings_changed)
