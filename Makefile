# The two set-up commands of the README: `make run` (the product on SQLite with demo data) and
# `make test` (every test, on SQLite and then on PostgreSQL).
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: run test lint typecheck test-sqlite test-postgres test-js browser-deps bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[embeddings]'
	touch $@

$(VENV)/.dev-installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,embeddings]'
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/sidecar demo

test: lint typecheck test-js test-sqlite test-postgres

# Static checks first: a lint finding fails the test command before the slower suites run.
lint: $(VENV)/.dev-installed
	$(BIN)/ruff check sidecar tests scripts bench

# mypy with pyproject.toml's [tool.mypy]: strict on the domain, services and clients, default mode elsewhere.
typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy

# The browser test drives Debian's Chromium (a test tool's own browser download does not work here).
browser-deps:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver)

# Zendesk app: Node's own test runner, nothing to install. Salesforce package: sfdx-lwc-jest, the Apex
# parse (prettier-plugin-apex) and PMD (jars inside an npm package, run with the machine's Java).
test-js: salesforce_package/node_modules/.installed
	cd zendesk_app && npm test --silent
	cd salesforce_package && npm test --silent

salesforce_package/node_modules/.installed: salesforce_package/package.json salesforce_package/package-lock.json
	cd salesforce_package && npm ci --no-audit --no-fund --loglevel=error
	touch $@

test-sqlite: $(VENV)/.dev-installed browser-deps
	$(BIN)/python -m pytest

test-postgres: $(VENV)/.dev-installed browser-deps
	SIDECAR_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest

bench: $(VENV)/.dev-installed
	$(BIN)/python bench/assessment_throughput.py
