# Two commands: `make demo` and `make test`. Each sets up what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# A stamp per install flavour, redone when pyproject.toml changes.
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test

STAMP_WEB := $(VENV)/.installed-web

.PHONY: demo test serve lint bench clean example

demo: $(STAMP_RUN)
	$(BIN)/mixedcrew report examples/iss.toml -o report.html

# lint first (ruff, strict mypy, the import contracts), so CI checks them too
test: lint
	@bash scripts/system-deps.sh
	$(BIN)/python -m pytest -q

# The shared web app (SQLite in ~/.local/share/mixedcrew by default).
serve: $(STAMP_WEB)
	$(BIN)/mixedcrew serve

# ruff, mypy, and the import contracts of pyproject.toml (layers, independent web
# features, no import cycles counting imports inside functions).
lint: $(STAMP_TEST)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP_RUN)
	$(BIN)/python benchmarks/check_history.py

# Regenerate the shipped ISS example from the shipped GCAT lists.
example: $(STAMP_RUN)
	$(BIN)/mixedcrew import-gcat data/gcat --station ISS --since 2000-10-31 \
		--supplement data/iss-rides-supplement.csv --dockings data/iss-dockings \
		--corps data/corps-2026.csv -o examples/iss.toml
	$(BIN)/mixedcrew import-gcat data/gcat --station Mir -o examples/mir.toml
	$(BIN)/mixedcrew import-gcat data/gcat --station Tiangong \
		--supplement data/tiangong-rides-supplement.csv -o examples/tiangong.toml
	$(BIN)/mixedcrew forward examples/iss.toml --corps data/corps-2026.csv \
		--announced data/announced-2026.csv --until 2031-01-31 -o examples/iss-2030.toml

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(STAMP_WEB): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[web]'
	touch $@ $(STAMP_RUN)

$(STAMP_TEST): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP_RUN) $(STAMP_WEB)

clean:
	rm -rf $(VENV) report.html .pytest_cache .mypy_cache .ruff_cache .hypothesis .import_linter_cache .grimp_cache
