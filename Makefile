# The documented commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PYTEST := $(VENV)/bin/pytest
MANAGE := $(PY) manage.py
# make run serves a local development site: DEBUG on, SQLite unless DATABASE_URL is set.
RUN_ENV := DEBUG=$${DEBUG:-true}
TEST_ENV := DJANGO_SETTINGS_MODULE=portal.settings_test
PYTEST_ARGS ?=

.PHONY: run install migrate demo superuser test lint check migrations test-sqlite test-postgres test-browser test-multi test-print-corpus lighthouse chromium redis nginx pdf-fonts bench loadtest clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(RUN_ENV) $(MANAGE) migrate --noinput

demo: migrate
	$(RUN_ENV) $(MANAGE) load_demo --demo-users

# The checkout's own settings for manage.py (git-ignored): DEBUG on and a secret key of its own, so
# the README's manage.py commands work as written. Only manage.py reads it; real variables win.
.env:
	@umask 077 && printf 'DEBUG=true\nSECRET_KEY=%s\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@echo "Wrote .env (DEBUG=true and a new SECRET_KEY) for manage.py commands in this checkout."

run: .env demo
	@echo "Serving on http://127.0.0.1:8000 (admin: http://127.0.0.1:8000/admin/). Press Ctrl+C to stop."
	$(RUN_ENV) $(MANAGE) db_worker & worker=$$!; trap 'kill $$worker 2>/dev/null || true' EXIT; \
	$(RUN_ENV) $(MANAGE) runserver 127.0.0.1:8000

superuser: migrate
	$(RUN_ENV) $(MANAGE) createsuperuser

test: lint check migrations test-sqlite test-postgres test-multi test-browser

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/hadolint -t warning Dockerfile

check: install
	$(TEST_ENV) $(MANAGE) check
	DEBUG=false SECRET_KEY=check-deploy-only-$$(date +%s)-not-a-real-secret-key-0123456789 ALLOWED_HOSTS=portal.example.org \
	  SECURE_SSL=true $(MANAGE) check --deploy --fail-level WARNING

migrations: install
	$(TEST_ENV) $(MANAGE) makemigrations --check --dry-run

test-sqlite: install pdf-fonts nginx
	$(TEST_ENV) $(PYTEST) -n 2 -m "not browser and not multiserver" $(PYTEST_ARGS)

test-postgres: install pdf-fonts nginx
	scripts/with-postgres env $(TEST_ENV) $(PYTEST) -n 2 -m "not browser and not multiserver" $(PYTEST_ARGS)

# Two gunicorn servers on one PostgreSQL and one Redis (README "Several machines").
test-multi: install pdf-fonts redis
	PGPORT=$${PGPORT:-25452} scripts/with-postgres scripts/with-redis env $(TEST_ENV) $(PYTEST) -m multiserver tests/deploy $(PYTEST_ARGS)

# The PDF tests count A4 pages: they need the fonts the Docker image has (Liberation Sans has
# Arial's metrics) and HarfBuzz's subsetter, as WeasyPrint lays out differently without them.
pdf-fonts:
	@if ! fc-list 2>/dev/null | grep -q "Liberation Sans" || ! ldconfig -p | grep -q libharfbuzz-subset; then \
	  echo "Installing fonts-liberation and libharfbuzz-subset0 for PDFs (apt-get)..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-liberation libharfbuzz-subset0 >/dev/null; \
	fi

# tests/deploy/test_nginx.py runs deploy/nginx.conf in Debian's nginx (a throwaway process; the
# package's own service is not started).
nginx:
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { echo "Installing nginx (apt-get)..."; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }

chromium:
	@command -v chromium >/dev/null || { echo "Installing Chromium (apt-get)..."; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

redis:
	@command -v redis-server >/dev/null || { echo "Installing Redis (apt-get)..."; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }

# Lighthouse's accessibility audit (tests/browser/test_lighthouse.py), pinned in tests/lighthouse/package-lock.json.
lighthouse: chromium
	@command -v npm >/dev/null || { echo "Installing Node.js and npm (apt-get)..."; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }
	@test -d tests/lighthouse/node_modules/lighthouse || npm ci --prefix tests/lighthouse --no-audit --no-fund --loglevel=error

test-browser: install chromium pdf-fonts lighthouse
	$(TEST_ENV) $(PYTEST) -m "browser and not print_corpus" $(PYTEST_ARGS)

# Not part of `make test`: every shape of the generated print corpus (README "Printing"), some minutes.
test-print-corpus: install chromium pdf-fonts
	$(TEST_ENV) $(PYTEST) -n 2 -m print_corpus $(PYTEST_ARGS)

wrk:
	@command -v wrk >/dev/null || { echo "Installing wrk (apt-get)..."; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

# Not part of `make test`: prints figures (see README "Benchmark"). BENCH_ARGS="--db sqlite --briefings 2000 --rounds 1" for a quick run.
bench: install wrk
	$(PY) scripts/bench.py $(BENCH_ARGS)

# Not part of `make test`: 60 s at 50 connections against gunicorn + PostgreSQL on loopback (README "Load test").
loadtest: install
	PGPORT=$${PGPORT:-25439} scripts/with-postgres $(PY) scripts/loadtest.py $(LOADTEST_ARGS)

clean:
	rm -rf $(VENV) staticfiles
