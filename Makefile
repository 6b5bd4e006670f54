# `make demo` serves a demo county on SQLite; `make test` runs every check. Both start from a bare machine
# with Python 3.11, make and git.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# The demo listens on every interface and puts this machine's LAN address in the QR codes, so that a phone on the
# same network can scan a poster and submit an opinion. (A UDP "connect" sends nothing; it only picks the
# interface that would carry traffic. No network at all: 127.0.0.1.) Override with LAN_IP=… or HOST=127.0.0.1:8000.
LAN_IP ?= $(shell $(PYTHON) -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.connect(("10.254.254.254", 1)); print(s.getsockname()[0])' 2>/dev/null || echo 127.0.0.1)
PORT ?= 8000
HOST ?= 0.0.0.0:$(PORT)

.PHONY: demo test tests install install-dev lint serve clean openapi docs system-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstalling the package rewrites the editable finder in site-packages, which a running `make demo`'s runserver
# watches like any imported module: the demo restarts. So the stamp holds a digest of what the install depends on
# (the build system, [project] but its extras, setuptools' tables), and pip runs when that changed, not whenever
# pyproject.toml's time did (a git checkout, a ruff setting). The dev tools go in as plain requirements, resolved
# together with the package's own, so `make test` after `make demo` adds them without reinstalling the package,
# and pip changes nothing when they are all there.
INSTALL_DIGEST = $(BIN)/python -c 'import hashlib, json, tomllib; t = tomllib.load(open("pyproject.toml", "rb")); \
	p = dict(t["project"]); p.pop("optional-dependencies", None); \
	print(hashlib.sha256(json.dumps([t["build-system"], p, t.get("tool", {}).get("setuptools")], \
	sort_keys=True).encode()).hexdigest())'
DEV_REQUIREMENTS = $(BIN)/python -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
	print("\n".join(p["dependencies"] + p["optional-dependencies"]["dev"]))'

$(VENV)/.installed: $(BIN)/python pyproject.toml
	@digest=$$($(INSTALL_DIGEST)) || exit 1; \
	if [ "$$(cat $@ 2>/dev/null)" = "$$digest" ] && [ -x $(BIN)/lianxin ]; then touch $@; \
	else echo "$(BIN)/pip install --quiet -e ."; $(BIN)/pip install --quiet -e . && echo "$$digest" > $@; fi

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(DEV_REQUIREMENTS) > $(VENV)/requirements-dev.txt
	$(BIN)/pip install --quiet -r $(VENV)/requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Debian packages for the portal: a CJK TrueType font for the posters, Chromium for the browser tests. Installed
# where apt-get can (root or sudo without a password); elsewhere the poster and browser tests say why they skip.
SYSTEM_PACKAGES := chromium fonts-wqy-zenhei
system-deps:
	@if [ -x /usr/bin/chromium ] && [ -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ]; then :; \
	elif ! command -v apt-get >/dev/null 2>&1; then echo "no apt-get: install $(SYSTEM_PACKAGES) yourself"; \
	elif [ "$$(id -u)" = 0 ]; then (apt-get install -y --no-install-recommends $(SYSTEM_PACKAGES) >/dev/null \
		|| (apt-get update -qq && apt-get install -y --no-install-recommends $(SYSTEM_PACKAGES) >/dev/null)) \
		|| echo "could not install $(SYSTEM_PACKAGES)"; \
	elif sudo -n true 2>/dev/null; then sudo apt-get install -y --no-install-recommends $(SYSTEM_PACKAGES) >/dev/null \
		|| echo "could not install $(SYSTEM_PACKAGES)"; \
	else echo "not root: install $(SYSTEM_PACKAGES) to print posters and run the browser tests"; fi

# Every command of the demo sees the address it is served at (seed_demo prints it, the QR codes carry it): the port
# is HOST's (PORT's unless HOST is given).
demo: export SITE_URL ?= http://$(LAN_IP):$(lastword $(subst :, ,$(HOST)))
demo: export ALLOWED_HOSTS ?= $(LAN_IP),127.0.0.1,localhost
demo: install system-deps
	mkdir -p var
	$(BIN)/lianxin migrate --noinput -v 0
	$(BIN)/lianxin seed_demo --if-empty
	# The worker (notifications, reminders, overdue, 督办, summaries) runs beside the server and stops with it.
	@echo "门户（手机在同一局域网扫码）：$$SITE_URL/home/   后台：$$SITE_URL/admin/"
	$(BIN)/lianxin run_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/lianxin runserver --insecure $(HOST)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy lianxin
	# The layers of docs/architecture.md ([tool.importlinter] in pyproject.toml).
	$(BIN)/lint-imports --no-cache

test: lint tests

# The tests without the lint (CI lints once, then runs the tests on SQLite and on PostgreSQL), on TEST_WORKERS
# processes (pytest-xdist): each has its own test database (pytest-django adds _gw0, _gw1 to its name) and its own
# temporary folder, and runs whole test files in the suite's order (lianxin.testing.InOrderByFile). TEST_WORKERS=0
# runs them in this process, one after the other.
TEST_WORKERS ?= 2
tests: install-dev system-deps
	mkdir -p var
	$(BIN)/lianxin makemigrations --check --dry-run
	$(BIN)/pytest -n $(TEST_WORKERS)

openapi: install
	$(BIN)/lianxin export_openapi docs/openapi.json

docs: install
	$(BIN)/lianxin permissions_table > docs/permissions.md
	$(BIN)/lianxin workflow_diagram > docs/workflow.md
	$(BIN)/lianxin suggestions_workflow > docs/suggestions-workflow.md

clean:
	rm -rf $(VENV) var build *.egg-info
