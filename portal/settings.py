"""Settings for the neglect learning portal, read from the environment.

Every variable is documented in README.md ("Configuration").
"""

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


# The words a yes/no setting may be written with (environment variables, EMAIL_URL options).
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


def env_bool(name, default=False):
    """Read a yes/no variable; junk values are an error, not a silent False."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    value = value.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long "
            "random string (python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DEBUG=true for local development."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105 - DEBUG only

# Loopback is always allowed so the container's HEALTHCHECK can reach /healthz/.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS") + ["localhost", "127.0.0.1", "[::1]"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "markdownx",
    "simple_history",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    # Our apps in layers, lowest first: each imports only from those above it in this list.
    "portal",
    "mail",
    "briefings",
    "training",
    "learning",
    "alerts",
    "pages",
    "portal.site",
]

MIDDLEWARE = [
    # Outermost: strict headers on every answer, including those made before the inner layers run.
    "portal.middleware.SecurityHeadersMiddleware",
    # Before the page cache, so plain HTTP is redirected to HTTPS whether or not a page is cached.
    "django.middleware.security.SecurityMiddleware",
    # Compresses what the page cache did not already store compressed (it skips anything with secrets).
    "portal.compression.CompressionMiddleware",
    # A cached page for an anonymous reader is answered before any other work.
    "portal.cache.PageCacheMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A "not found" at an address that moved (a renamed briefing, course or theme) becomes a 301.
    "portal.redirects.RedirectFallbackMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before anything reads request.POST: refuses bodies over their route's limit.
    "portal.middleware.RequestBodyLimitMiddleware",
    # Django's, with the storage made only when a page uses messages (admin, email updates).
    "portal.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # django-csp's, with the site's own policy built once per worker (portal.middleware).
    "portal.middleware.CSPMiddleware",
    "portal.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site",
                "pages.navigation.navigation",
                "csp.context_processors.nonce",
            ],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# PostgreSQL: the public briefing page's queries are prepared once per connection on the server
# (portal/prepared.py). Turn off behind a pooler in transaction mode (PgBouncer), which moves
# sessions between connections.
DATABASE_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's, with the health check skipped for a connection that served a request a moment ago (portal/db).
    DATABASES["default"]["ENGINE"] = "portal.db.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers write to one file. WAL lets pages be read while someone saves;
    # BEGIN IMMEDIATE takes the write lock at the start of a save's transaction, so a second save
    # waits for the first (up to the timeout, in seconds) and then sees it, instead of failing with
    # "database is locked" when both try to turn their read into a write.
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "init_command": "PRAGMA journal_mode=WAL",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

# The page cache and the PDF cache. The default, a folder on disk, is shared by every worker
# on one machine; with several machines, point CACHE_URL at a shared cache
# (e.g. redis://cache:6379/0, which needs the redis package).
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL.startswith("locmem://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "portal.filecache.FileCache",
            "LOCATION": os.environ.get("CACHE_DIR", str(BASE_DIR / ".cache")),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
# In each worker's memory: what is kept under keys that carry the content generation (so it is
# never stale): the site settings, rendered briefing bodies, a published briefing by its address.
CACHES["local"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "portal-local",
    "OPTIONS": {"MAX_ENTRIES": 1000},
}
# Seconds an anonymous page stays cached unless its view says otherwise with Cache-Control
# max-age (any content change clears it at once). 0 turns the cache off.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
# Seconds the results of one search (query, filters, page) are kept while no content changes.
SEARCH_CACHE_SECONDS = int(os.environ.get("SEARCH_CACHE_SECONDS", "600"))
# How much a match in each part of an item counts towards its rank in search results, on SQLite
# (bm25) and PostgreSQL (ts_rank) alike (README "Search"). Numbers above zero; only their ratios matter.
SEARCH_WEIGHTS = {"title": 10.0, "summary": 4.0, "body": 1.0, "keywords": 0.5}

# Request bodies (README "Security"): anyone may send this much (the contrast toggle, the login
# form); a signed-in member of staff may send more to these addresses. Larger bodies get 413.
PUBLIC_REQUEST_BODY_LIMIT = 16 * 1024
STAFF_REQUEST_BODY_LIMITS = {
    "/markdownx/upload/": 3 * 1024 * 1024,  # one image of up to 2 MB
    "/markdownx/markdownify/": 1024 * 1024,  # the preview of one Markdown field
    "/admin/": 64 * 1024 * 1024,  # forms with several resource files of up to 10 MB, or imports
}
# Files in one upload (Django's default is 100): above the briefing import's own limit of 200, so
# staff choosing too many .md files get its message rather than the "not understood" page.
DATA_UPLOAD_MAX_NUMBER_FILES = 1000

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed files with hashed names, served for a year by whitenoise.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Several machines without a shared disk: uploads go to an S3-compatible object store
# (portal/s3.py). The keys come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL", "")
    STORAGES["default"] = {
        "BACKEND": "portal.s3.MediaS3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": AWS_S3_ENDPOINT_URL or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            # Stores other than AWS (MinIO, Ceph, moto) expect the bucket in the path, not the host name.
            "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or ("path" if AWS_S3_ENDPOINT_URL else None),
            "location": os.environ.get("AWS_LOCATION", ""),
            # A new upload never replaces another file of the same name (the store's default would).
            "file_overwrite": False,
            "default_acl": None,
        },
    }
# Behind nginx (deploy/nginx.conf): the site decides who may have an uploaded file and answers with
# X-Accel-Redirect to this internal prefix, so nginx sends the bytes. Empty: the site sends them.
MEDIA_X_ACCEL_REDIRECT = os.environ.get("MEDIA_X_ACCEL_REDIRECT", "")

# Markdown: one sanitising renderer for public pages and the admin preview.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "portal.markdown.render_markdown"
MARKDOWNX_IMAGE_MAX_SIZE = {"size": (1600, 1600), "quality": 85}
MARKDOWNX_UPLOAD_MAX_SIZE = 2 * 1024 * 1024
MARKDOWNX_UPLOAD_CONTENT_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"]
MARKDOWNX_SVG_JAVASCRIPT_PROTECTION = True

LOGIN_URL = "admin:login"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every PDF step by step and notes each screen-only CSS rule it skips.
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "WARNING"}},
}

# HTTPS. Set SECURE_SSL=true when the site is served over HTTPS (normally behind a
# TLS-terminating proxy that sets X-Forwarded-Proto).
SECURE_SSL = env_bool("SECURE_SSL", False)
if SECURE_SSL:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Joining the browsers' preload list binds every subdomain for good: the domain owner's call.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# Leaving the site tells the next site nothing: no Referer from public pages. Staff pages
# (admin) use "same-origin" instead, set in portal.middleware, because their form posts
# would otherwise carry "Origin: null", which Django's CSRF check refuses.
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp 4): only our own files; no inline script or style, no eval.
# A template that truly needs an inline <script> gives it nonce="{{ CSP_NONCE }}". See README "Security".
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-src": ["'none'"],
        "worker-src": ["'none'"],
        "manifest-src": ["'self'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "upgrade-insecure-requests": SECURE_SSL,
    },
}

# Failed logins are rate-limited by django-axes: 5 failures for one username from one address
# lock that pair out for an hour (other staff, and the same person elsewhere, can still log in).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "portal.middleware.client_ip"
AXES_SENSITIVE_PARAMETERS = ["password"]
# Reverse proxies in front of the site that append to X-Forwarded-For (0: use the connection's address).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))


def email_settings(url):
    """Django's EMAIL_* settings from one address: smtp://user:pass@host:587/?tls=1, smtps://…, console://."""
    parts = urlsplit(url)
    if parts.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ImproperlyConfigured(
            "EMAIL_URL must look like smtp://user:password@host:587/?tls=1 (or smtps://…, console://); "
            f"this one starts {parts.scheme + '://' if parts.scheme else 'with no scheme'}."
        )
    options = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    unknown = set(options) - {"tls", "ssl", "timeout"}
    if unknown:
        names = ", ".join(sorted(unknown))
        raise ImproperlyConfigured(f"EMAIL_URL has unknown options: {names} (use tls, ssl, timeout).")

    def flag(name):
        value = options.get(name, "0").lower()
        if value not in TRUE_WORDS | FALSE_WORDS:
            raise ImproperlyConfigured(f"EMAIL_URL option {name} must be 1 or 0, not {value!r}.")
        return value in TRUE_WORDS

    use_ssl = parts.scheme == "smtps" or flag("ssl")
    use_tls = flag("tls")
    if use_ssl and use_tls:
        raise ImproperlyConfigured(
            "EMAIL_URL: choose tls=1 (STARTTLS, usually port 587) or smtps:// (port 465), not both."
        )
    try:
        port = parts.port or (465 if use_ssl else 25)
        timeout = int(options.get("timeout", "30"))
    except ValueError as error:
        raise ImproperlyConfigured(f"EMAIL_URL has a bad port or timeout: {error}.") from None
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
        # A mail server that stops answering must not hold the worker for ever.
        "EMAIL_TIMEOUT": timeout,
    }


# Email is sent by the background worker (manage.py db_worker), never inside a request: see
# mail.outbox.send_mail_later. Without EMAIL_URL, development prints mail to the console and a
# production site tries an SMTP server on this machine (localhost:25), as Django does.
EMAIL_URL = os.environ.get("EMAIL_URL", "").strip()
# Sets EMAIL_BACKEND and, for SMTP, EMAIL_HOST, EMAIL_PORT and the rest.
globals().update(email_settings(EMAIL_URL or ("console://" if DEBUG else "smtp://localhost:25")))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "portal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds to wait before each new attempt after a temporary failure (4xx answer, server unreachable).
try:
    EMAIL_RETRY_DELAYS = [int(seconds) for seconds in env_list("EMAIL_RETRY_DELAYS", "60,300,1800,7200,21600")]
except ValueError:
    EMAIL_RETRY_DELAYS = [-1]
if any(seconds < 0 for seconds in EMAIL_RETRY_DELAYS):
    raise ImproperlyConfigured("EMAIL_RETRY_DELAYS must be whole numbers of seconds separated by commas, e.g. 60,300.")

# Background tasks (django-tasks, with the database backend of django-tasks-db): the queue is a
# table in the site's own database, so enqueueing commits or rolls back with the caller's data.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Email alerts (alerts/): links in emails need the site's public address, as no request is at hand.
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").strip().rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("SITE_URL must start with http:// or https://, e.g. https://portal.example.org")
try:
    ALERT_EMAILS_PER_MINUTE = int(os.environ.get("ALERT_EMAILS_PER_MINUTE", "60"))
except ValueError:
    ALERT_EMAILS_PER_MINUTE = 0
if ALERT_EMAILS_PER_MINUTE < 1:
    raise ImproperlyConfigured("ALERT_EMAILS_PER_MINUTE must be a whole number above 0, e.g. 60.")
