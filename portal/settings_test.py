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
