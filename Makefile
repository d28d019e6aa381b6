# The two commands: `make run` (app with demo data at http://127.0.0.1:5000) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
# Links in mail sent from the command line (e.g. `flask invitations send`) need a host name.
export FLASK_SERVER_NAME ?= $(HOST):$(PORT)
# Requests for any other host are refused (400), so that no one can make the app believe it is
# somewhere else; the browser may also say localhost.
export FLASK_TRUSTED_HOSTS ?= ["$(HOST)", "localhost"]

.PHONY: run test test-only install install-test system-packages browser-tools translations catalogues lint

run: install
	$(FLASK) db upgrade
	@if [ ! -f instance/demo-loaded ]; then $(FLASK) demo load && touch instance/demo-loaded; fi
	@$(FLASK) users ensure-admin
	@echo "Serving at http://$(HOST):$(PORT)"
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install-test browser-tools test-only

# The suite alone, for when everything is installed (CI runs it again on PostgreSQL). It runs on
# every core (pytest-xdist); TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
test-only: translations
	@$(BIN)/python tools/test_prerequisites.py
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal --durations=10 $(PYTEST_ARGS)

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "eventsys needs Python 3.11 or newer; set PYTHON=python3.11 (or newer)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: system-packages $(VENV)/.installed translations
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

install-test: system-packages $(VENV)/.installed-test translations
$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,server]"
	touch $(VENV)/.installed $@

# Debian packages installed when missing and we are root (otherwise we say what to install).
# The app needs WeasyPrint's text libraries and the fonts our PDFs use; the tests also need
# Chromium (browser tests), Dovecot (a real IMAP server for the reply mailbox tests),
# redis-server (the Celery tests start a Redis of their own) and LibreOffice Writer without its
# GUI (the tests convert our Word documents to PDF with it, an independent reader).
define ensure_debian_packages
	@missing=""; \
	for package in $(1); do \
	  dpkg-query -W -f='$${Status}' "$$package" 2>/dev/null | grep -q "ok installed" \
	    || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing from Debian:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Missing:$$missing. Run 'sudo apt-get install$$missing' once." >&2; exit 1; fi; \
	fi
endef
APP_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
TEST_PACKAGES := chromium dovecot-imapd redis-server libreoffice-writer-nogui

system-packages:
	$(call ensure_debian_packages,$(APP_PACKAGES))

# And the npm packages the tests inject into pages (axe-core) or use as an independent
# calendar parser (ical.js).
browser-tools: system-packages
	$(call ensure_debian_packages,$(TEST_PACKAGES))
	@command -v npm >/dev/null || { echo "Missing: npm (Node.js). Run 'sudo apt-get install nodejs npm' once." >&2; exit 1; }
	@if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then npm ci --no-audit --no-fund --silent; fi

# Compiled catalogues (.mo) are build output, made from the .po files in git.
translations:
	@$(BIN)/pybabel compile --statistics -d eventsys/translations

# For developers: collect new strings from code and templates into the catalogues.
catalogues:
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o eventsys/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i eventsys/translations/messages.pot -d eventsys/translations --no-fuzzy-matching --ignore-obsolete

lint:
	$(BIN)/ruff check .
	$(BIN)/lint-imports
