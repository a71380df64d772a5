# Lớp Số — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
# The address printed in QR codes, on sign-in cards and in signed certificates: fixed here, never
# taken from a request's Host header. Serving a LAN (HOST=0.0.0.0), set the address phones use:
# make run HOST=0.0.0.0 LMS_PUBLIC_URL=http://192.168.1.10:5000
LMS_PUBLIC_URL ?= http://$(HOST):$(PORT)
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: run test install install-test translations chromium nginx debian-package html-checker check-content test-sqlite test-postgres clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(MAKE) --no-print-directory translations

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	$(MAKE) --no-print-directory translations

translations:
	$(BIN)/pybabel compile -d lms/translations >/dev/null

## make run: set up everything, load content and the demo ward, serve on http://127.0.0.1:5000
run: install
	$(FLASK) db upgrade
	$(FLASK) content sync
	$(FLASK) demo load
	@echo "Lớp Số: http://$(HOST):$(PORT)/ (printed links: $(LMS_PUBLIC_URL))"
	LMS_PUBLIC_URL="$(LMS_PUBLIC_URL)" $(FLASK) run --host $(HOST) --port $(PORT)

## make test: install the test extras and Chromium, check the content, run the suite on SQLite
## and, when a PostgreSQL server answers (or LMS_TEST_DATABASE_URL is set), again on PostgreSQL.
test: install-test chromium nginx html-checker check-content test-sqlite test-postgres

# Debian packages the tests drive: Chromium (browser tests) and nginx (the province install's
# tests, tests/deploy: nginx in front of two gunicorn processes, started without root).
chromium:
	@$(MAKE) --no-print-directory debian-package PACKAGE=chromium BINARY=/usr/bin/chromium WHAT="browser tests"

nginx:
	@$(MAKE) --no-print-directory debian-package PACKAGE=nginx BINARY=/usr/sbin/nginx WHAT="province install tests (tests/deploy)"

debian-package:
	@if [ -x $(BINARY) ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "Installing Debian's $(PACKAGE) for the $(WHAT)…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PACKAGE) >/dev/null; \
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then \
	  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PACKAGE) >/dev/null; \
	else echo "$(PACKAGE) is missing and cannot be installed without root: the $(WHAT) will be skipped (apt-get install $(PACKAGE))."; fi

VNU_VERSION ?= 26.9.27
html-checker:
	@if [ -f .cache/vnu/node_modules/vnu-jar/build/dist/vnu.jar ]; then :; \
	elif command -v npm >/dev/null && command -v java >/dev/null; then \
	  echo "Fetching the Nu HTML Checker (vnu-jar $(VNU_VERSION)) from the npm registry…"; \
	  npm install --prefix .cache/vnu --no-save --no-audit --no-fund --loglevel=error vnu-jar@$(VNU_VERSION) >/dev/null; \
	else echo "Java or npm is missing: the HTML validity test will be skipped."; fi

check-content:
	$(FLASK) content check

test-sqlite:
	env -u LMS_TEST_DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)

test-postgres:
	@url="$${LMS_TEST_DATABASE_URL:-}"; \
	if [ -z "$$url" ] && $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_TEST_URL)', connect_timeout=3).close()" 2>/dev/null; then url="$(PG_TEST_URL)"; fi; \
	if [ -n "$$url" ]; then echo "Running the suite again on PostgreSQL"; LMS_TEST_DATABASE_URL="$$url" $(BIN)/pytest -m "not deploy" $(PYTEST_ARGS); \
	elif [ -n "$${CI:-}" ]; then echo "CI: PostgreSQL does not answer at $(PG_TEST_URL); the PostgreSQL run may not be skipped"; exit 1; \
	else echo "No PostgreSQL server answers at $(PG_TEST_URL): the PostgreSQL run is skipped."; fi

clean:
	rm -rf $(VENV) instance build *.egg-info
