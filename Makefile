# The two set-up commands of the README: `make run` (the product on SQLite with demo data) and
# `make test` (every test, on SQLite and then on PostgreSQL).
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: run test test-sqlite test-postgres bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/sidecar demo

test: test-sqlite test-postgres

test-sqlite: $(VENV)/.dev-installed
	$(BIN)/python -m pytest

test-postgres: $(VENV)/.dev-installed
	SIDECAR_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest

bench: $(VENV)/.dev-installed
	$(BIN)/python bench/assessment_throughput.py
