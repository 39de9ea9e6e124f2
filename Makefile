# Two commands: `make demo` and `make test`. Each sets up what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# A stamp per install flavour, redone when pyproject.toml changes.
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test

.PHONY: demo test lint typecheck bench clean example

demo: $(STAMP_RUN)
	$(BIN)/mixedcrew report examples/iss.toml -o report.html

test: $(STAMP_TEST)
	@bash scripts/system-deps.sh
	$(BIN)/python -m pytest -q

lint: $(STAMP_TEST)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

bench: $(STAMP_RUN)
	$(BIN)/python benchmarks/check_history.py

# Regenerate the shipped ISS example from the shipped GCAT lists.
example: $(STAMP_RUN)
	$(BIN)/mixedcrew import-gcat data/gcat --station ISS --since 2000-10-31 \
		--supplement data/iss-rides-supplement.csv -o examples/iss.toml

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(STAMP_TEST): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP_RUN)

clean:
	rm -rf $(VENV) report.html .pytest_cache .mypy_cache .ruff_cache .hypothesis
