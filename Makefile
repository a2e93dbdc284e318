# The two commands: `make run` (set up and serve the portal with demo data) and `make test` (set up and
# run the whole suite). Everything installs from this repository's own files and the package registries.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The newest Python >= 3.12 on this machine (pyenv shims that point at no installed version are skipped).
PYTHON ?= $(shell for p in python3.12 python3.13 $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12) \
	$(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13) /usr/local/bin/python3.12 /usr/bin/python3.12; do \
	if "$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then echo "$$p"; break; fi; done)
VENV := .venv
PY := $(VENV)/bin/python
FONT_PACKAGE := @expo-google-fonts/noto-sans-sc@0.4.3
FONT_DIR := assets/fonts
FONTS := $(FONT_DIR)/NotoSansSC-Regular.ttf $(FONT_DIR)/NotoSansSC-Bold.ttf
# axe-core for the accessibility checks of the browser tests: the npm package, kept as a local file (no CDN).
AXE_PACKAGE := axe-core@4.11.0
AXE := $(VENV)/axe/axe.min.js
IS_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo yes)

.PHONY: help run serve test lint check install install-test fonts system-deps browser-deps clean install-schedule

help:
	@echo "make run    set up (venv, database, demo data) and serve on http://127.0.0.1:8000"
	@echo "make test   set up and run the whole suite: ruff, checks, migrations, unit and browser tests"

$(VENV)/bin/python:
	@if [ -z "$(PYTHON)" ]; then echo "Python >= 3.12 not found: install python3.12 (e.g. pyenv install 3.12)"; exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Requirements are read from pyproject.toml (pinned there); the stamp files re-install when it changes.
$(VENV)/.runtime: pyproject.toml | $(VENV)/bin/python
	$(PY) -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml','rb'))['project']['dependencies']))" > $(VENV)/requirements.txt
	$(PY) -m pip install --quiet -r $(VENV)/requirements.txt
	touch $@

$(VENV)/.test: pyproject.toml $(VENV)/.runtime
	$(PY) -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml','rb'))['project']['optional-dependencies']['test']))" > $(VENV)/requirements-test.txt
	$(PY) -m pip install --quiet -r $(VENV)/requirements-test.txt
	touch $@

# The PDF font comes with the install: without it every PDF would be refused (the PDF pages say so).
install: $(VENV)/.runtime fonts
install-test: $(VENV)/.test fonts $(AXE)

# The Simplified Chinese font for PDFs and screenshots: Noto Sans SC (SIL OFL) from the npm registry.
$(FONTS):
	@mkdir -p $(FONT_DIR)
	@if command -v npm >/dev/null 2>&1; then \
		tmp=$$(mktemp -d) && (cd $$tmp && npm pack --silent $(FONT_PACKAGE) >/dev/null) && \
		tar -xzf $$tmp/*.tgz -C $$tmp package/400Regular/NotoSansSC_400Regular.ttf package/700Bold/NotoSansSC_700Bold.ttf package/LICENSE_FONT && \
		cp $$tmp/package/400Regular/NotoSansSC_400Regular.ttf $(FONT_DIR)/NotoSansSC-Regular.ttf && \
		cp $$tmp/package/700Bold/NotoSansSC_700Bold.ttf $(FONT_DIR)/NotoSansSC-Bold.ttf && \
		cp $$tmp/package/LICENSE_FONT $(FONT_DIR)/LICENSE-OFL.txt && rm -rf $$tmp; \
	else \
		echo "npm not found. Install the font by hand: npm pack $(FONT_PACKAGE), then copy 400Regular/NotoSansSC_400Regular.ttf and 700Bold/NotoSansSC_700Bold.ttf to $(FONT_DIR)/NotoSansSC-Regular.ttf and NotoSansSC-Bold.ttf"; \
	fi
	@if [ "$(IS_ROOT)" = yes ] && [ -f $(FONT_DIR)/NotoSansSC-Regular.ttf ]; then \
		mkdir -p /usr/local/share/fonts/shegongzhan && cp $(FONT_DIR)/*.ttf /usr/local/share/fonts/shegongzhan/ && \
		(command -v fc-cache >/dev/null && fc-cache -f /usr/local/share/fonts/shegongzhan >/dev/null || true); fi

fonts: $(FONTS)

$(AXE):
	@mkdir -p $(VENV)/axe
	@if command -v npm >/dev/null 2>&1; then \
		tmp=$$(mktemp -d) && (cd $$tmp && npm pack --silent $(AXE_PACKAGE) >/dev/null) && \
		tar -xzf $$tmp/*.tgz -C $$tmp package/axe.min.js package/LICENSE && \
		cp $$tmp/package/axe.min.js $(AXE) && cp $$tmp/package/LICENSE $(VENV)/axe/LICENSE && rm -rf $$tmp; \
	else echo "npm not found: the accessibility checks of the browser tests need $(AXE_PACKAGE) (npm pack)"; fi

# Debian packages: HarfBuzz subsetting for fast PDFs, poppler for PDF checks; chromium for browser tests.
SYSTEM_PACKAGES := libharfbuzz-subset0 poppler-utils fontconfig
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$(IS_ROOT)" = yes ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else echo "Please install:$$missing (sudo apt-get install$$missing)"; fi; fi

browser-deps: system-deps
	@if ! command -v chromium >/dev/null 2>&1; then \
		if [ "$(IS_ROOT)" = yes ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else echo "chromium not found: browser tests will be skipped. Install it with: sudo apt-get install chromium"; fi; fi

# The web server and, beside it, a worker of the task queue (long exports run there); stopping one stops both.
run: install system-deps
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py export_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:8000

serve: install
	$(PY) manage.py export_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:8000

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: install-test
	DJANGO_ENV=test $(PY) manage.py check
	DJANGO_ENV=test $(PY) manage.py makemigrations --check --dry-run
	DJANGO_ENV=test $(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null
	$(VENV)/bin/lint-imports --no-cache

test: install-test browser-deps lint check
	DJANGO_ENV=test $(VENV)/bin/pytest $(PYTEST_ARGS)

# The daily check and reminders (deploy/shegongzhan.cron, Asia/Shanghai time) as a cron file for this checkout.
install-schedule:
	sed -e "s#@ROOT@#$(CURDIR)#g" -e "s#@USER@#$$(id -un)#g" deploy/shegongzhan.cron > /etc/cron.d/shegongzhan
	@echo "installed /etc/cron.d/shegongzhan: check_compliance 01:30, send_reminders 08:00 (Asia/Shanghai)"

clean:
	rm -rf $(VENV) var
