# fleetcare: two commands on a fresh machine (Python 3.11, Debian).
#   make run   - create .venv, install, migrate, load the demo data, serve http://127.0.0.1:8000
#                (another address: make run HOST=127.0.0.1:8123)
#   make test  - create .venv if missing, install, run the whole suite (DATABASE_URL switches to PostgreSQL)

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1:8000
# make serve: the production server (gunicorn, DEBUG off); BIND and WORKERS from the
# environment (FLEETCARE_BIND, WEB_CONCURRENCY) unless given here.
BIND    ?= $(or $(FLEETCARE_BIND),127.0.0.1:8000)
WORKERS ?= $(or $(WEB_CONCURRENCY),4)
PYTEST_ARGS ?=

.PHONY: run serve test install migrate demo lint format check clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/fleetcare migrate --no-input

demo: migrate
	$(BIN)/fleetcare demo --url http://$(HOST)

# The development server on the embedded SQLite demo, at http://$(HOST)/.
run: demo
	$(BIN)/fleetcare jobs run > /dev/null
	@echo "Serving the portal at http://$(HOST)/ (Ctrl-C to stop)"
	DEBUG=$${DEBUG:-1} $(BIN)/fleetcare runserver $(HOST)

# The production server (docs/deploy.md): migrate first, then gunicorn.
serve: migrate
	$(BIN)/fleetcare serve --bind $(BIND) --workers $(WORKERS)

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

format: install
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

check: lint test

clean:
	rm -rf $(VENV) var/fleetcare.sqlite3 .pytest_cache
