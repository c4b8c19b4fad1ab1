"""Settings for the test suite: the real settings with fast, self-contained parts."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")

from portal.settings import *  # noqa: E402,F403

# Manifest storage needs collectstatic; tests serve plain files.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["*"]

# Login rate limiting needs the request in authenticate(); Client.login() has none. tests/trust enables it.
AXES_ENABLED = False

# Each test builds its own data; the page cache is exercised by its own tests (they turn it on).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portal-local"},
}
PAGE_CACHE_SECONDS = 0
SEARCH_CACHE_SECONDS = 0
