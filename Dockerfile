# Production image: gunicorn serving the portal; static files by whitenoise, uploaded files by the
# site's media view (portal/media.py) from /app/media (a volume) or an S3-compatible store.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8000 \
    WEB_CONCURRENCY=2 \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/media \
    CACHE_DIR=/app/cache

# WeasyPrint (server-side PDFs) needs Pango and fonts. Versions come from the pinned
# Debian release of the base image, so they are not pinned again here. Liberation Sans has
# Arial's metrics, so a 7-minute briefing's PDF fits one A4 page just as it does in a browser.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
        libfontconfig1 fonts-dejavu-core fonts-liberation shared-mime-info \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system portal && useradd --system --gid portal --home-dir /app --shell /usr/sbin/nologin portal

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY --chown=portal:portal . .

# Static files are collected at build time, so the image needs no write access at run time.
RUN SECRET_KEY=collectstatic-only DATABASE_URL=sqlite:////tmp/build.sqlite3 python manage.py collectstatic --noinput \
    && mkdir -p /app/media /app/cache && chown -R portal:portal /app/media /app/cache /app/staticfiles

USER portal

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz/' % os.environ.get('PORT', '8000'), timeout=4)"]

CMD ["sh", "-c", "exec gunicorn portal.wsgi:application --bind 0.0.0.0:${PORT} --workers ${WEB_CONCURRENCY} --access-logfile - --forwarded-allow-ips='*'"]
