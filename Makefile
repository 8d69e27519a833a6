# The two commands of the README, and the pieces they are made of. CI runs `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint types pytest bench docs clean chromium screenshots evaluation

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

## test: install dev dependencies (and Chromium when possible), then lint, type-check and run the whole suite
test: lint types chromium pytest

# The browser tests drive Debian's chromium; without root or apt they skip (CI sets CIVICPULSE_REQUIRE_SERVICES=1).
chromium:
	@command -v chromium >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && apt-get update -qq && apt-get install -y -qq chromium; } || \
	  echo "Chromium is not installed and cannot be installed here (needs root and apt); the browser tests will skip."

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

types: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest --cov --cov-report=term

## bench: measure throughput and memory; writes docs/performance.md
bench: $(STAMP)
	$(BIN)/python bench/run.py

## screenshots: PNGs of the main pages at desktop and phone widths into docs/screenshots (needs chromium)
screenshots: $(STAMP) chromium
	$(BIN)/python scripts/screenshots.py

## evaluation: run every `civicpulse eval` on the public sets (../shared/data); writes docs/evaluation*.md
evaluation: $(STAMP)
	$(BIN)/python scripts/evaluation.py
	$(BIN)/python scripts/evaluate_detection.py
	$(BIN)/python scripts/evaluate_classifiers.py
	$(BIN)/python scripts/evaluate_places.py
	$(BIN)/python scripts/evaluate_language.py
	$(BIN)/python scripts/evaluate_claims.py

## docs: regenerate docs/settings.md from the settings object
docs: $(STAMP)
	$(BIN)/python -m civicpulse.settings_doc > docs/settings.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage
