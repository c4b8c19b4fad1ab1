"""The test settings with the page cache on and a real host list, for tests that start gunicorn."""

from portal.settings_test import *  # noqa: F403
from portal.settings_test import ALLOWED_HOSTS as _ignored  # noqa: F401

ALLOWED_HOSTS = ["portal.example.org", "127.0.0.1", "localhost"]
PAGE_CACHE_SECONDS = 600
