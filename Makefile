# `make demo` serves a demo county on SQLite; `make test` runs every check. Both start from a bare machine
# with Python 3.11, make and git.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: demo test install install-dev lint serve clean openapi docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

demo: install
	mkdir -p var
	$(BIN)/lianxin migrate --noinput -v 0
	$(BIN)/lianxin seed_demo --if-empty
	# The worker (notifications, reminders, overdue, 督办, summaries) runs beside the server and stops with it.
	$(BIN)/lianxin run_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/lianxin runserver --insecure $(HOST)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy lianxin

test: lint
	mkdir -p var
	$(BIN)/lianxin makemigrations --check --dry-run
	$(BIN)/pytest

openapi: install
	$(BIN)/lianxin export_openapi docs/openapi.json

docs: install
	$(BIN)/lianxin permissions_table > docs/permissions.md
	$(BIN)/lianxin workflow_diagram > docs/workflow.md

clean:
	rm -rf $(VENV) var build *.egg-info
