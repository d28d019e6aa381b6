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

.PHONY: run test test-only install install-test browser-tools translations catalogues lint

run: install
	$(FLASK) db upgrade
	@if [ ! -f instance/demo-loaded ]; then $(FLASK) demo load && touch instance/demo-loaded; fi
	@$(FLASK) users ensure-admin
	@echo "Serving at http://$(HOST):$(PORT)"
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install-test browser-tools test-only

# The suite alone, for when everything is installed (CI runs it again on PostgreSQL).
test-only: translations
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(VENV)/.installed translations
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

install-test: $(VENV)/.installed-test translations
$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,server]"
	touch $(VENV)/.installed $@

# Debian's Chromium (browser tests) and Dovecot (a real IMAP server for the reply mailbox
# tests), installed when missing and we are root; and the npm packages the tests inject into
# pages (axe-core) or use as an independent calendar parser (ical.js).
browser-tools:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	[ -x /usr/sbin/dovecot ] || missing="$$missing dovecot-imapd"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing from Debian:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Missing:$$missing. Run 'sudo apt-get install$$missing' once." >&2; exit 1; fi; \
	fi
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
