# prosper-coop: the two commands a new user needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The tool alone (make demo) and the tool with its test tools (make test, make soak):
# a new team trying the demo gets a lean .venv without ruff, mypy or hypothesis.
TOOLS  := $(VENV)/.installed-test

.PHONY: demo test lint typecheck layers unit soak bench clean demo-clean docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

$(TOOLS): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(TOOLS)

## demo: install, build the PROSPER example study in ./demo-study and show its dashboard
demo: $(STAMP)
	@if [ -f demo-study/study.yaml ]; then \
		echo "Reusing ./demo-study (make demo-clean to rebuild it)"; \
	else \
		$(BIN)/prosper-coop init demo-study --example prosper; \
	fi
	$(BIN)/prosper-coop --study demo-study status
	$(BIN)/prosper-coop --study demo-study log --limit 5
	@echo "The wellbeing lead (WB-01) opens the open alert with their (demo) key:"
	-PROSPER_COOP_AS=WB-01 $(BIN)/prosper-coop --study demo-study wellbeing show A-0004

demo-clean:
	rm -rf demo-study

## test: lint, type-check, then run the whole test suite
test: lint typecheck layers unit

lint: $(TOOLS)
	$(BIN)/ruff check prosper_coop tests bench docs/tools

typecheck: $(TOOLS)
	$(BIN)/mypy

## layers: each layer imports only those below it (see pyproject.toml, [tool.importlinter])
layers: $(TOOLS)
	$(BIN)/lint-imports

unit: $(TOOLS)
	$(BIN)/pytest -n 2 -q

## soak: the long sweeps (a kill at every git call of every command, many-clone sync runs)
soak: $(TOOLS)
	$(BIN)/pytest -n 2 -q -m soak

bench: $(TOOLS)
	$(BIN)/python bench/run.py

## docs: regenerate the command reference (docs/reference.md) from every command's --help
docs: $(TOOLS)
	$(BIN)/python -m prosper_coop.cli.reference > docs/reference.md

clean:
	rm -rf $(VENV) demo-study build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
