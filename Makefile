# The two commands of the README, and the pieces they are made of. CI runs `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint types pytest bench docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: install, migrate SQLite under ./civicpulse-data, register the default feeds, create the first administrator, start civicpulse
run: $(STAMP)
	$(BIN)/civicpulse db upgrade
	$(BIN)/civicpulse sources import --default
	$(BIN)/civicpulse users ensure-admin
	$(BIN)/civicpulse run

## test: install dev dependencies, then lint, type-check and run the whole suite
test: lint types pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

types: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest --cov --cov-report=term

## bench: measure throughput and memory; writes docs/performance.md
bench: $(STAMP)
	$(BIN)/python bench/run.py

## docs: regenerate docs/settings.md from the settings object
docs: $(STAMP)
	$(BIN)/python -m civicpulse.settings_doc > docs/settings.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage
