# prosper-coop: the two commands a new user needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck layers unit soak bench clean demo-clean docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

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

lint: $(STAMP)
	$(BIN)/ruff check prosper_coop tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

## layers: each layer imports only those below it (see pyproject.toml, [tool.importlinter])
layers: $(STAMP)
	$(BIN)/lint-imports

unit: $(STAMP)
	$(BIN)/pytest -n 2 -q

## soak: the long sweeps (a kill at every git call of every command, many-clone sync runs)
soak: $(STAMP)
	$(BIN)/pytest -n 2 -q -m soak

bench: $(STAMP)
	$(BIN)/python bench/run.py

## docs: regenerate the command reference (docs/reference.md) from every command's --help
docs: $(STAMP)
	$(BIN)/python -m prosper_coop.cli.reference > docs/reference.md

clean:
	rm -rf $(VENV) demo-study build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
