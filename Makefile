# The two set-up commands of the README:
#   make demo   install everything, build and verify the corpus, print `corpus info`
#   make test   install everything (idempotent) and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install lint clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/sourcetrace corpus build
	$(BIN)/sourcetrace corpus verify
	$(BIN)/sourcetrace corpus info

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check src tests benchmarks

bench: install
	$(BIN)/python benchmarks/bench_entities.py

clean:
	rm -rf $(VENV) build dist .pytest_cache
