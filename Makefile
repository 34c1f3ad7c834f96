# The two set-up commands of the README:
#   make demo   install everything, build and verify the corpus, print `corpus info`
#   make test   install everything (idempotent) and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install lint clean bench readme

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
	$(BIN)/python benchmarks/bench_evaluate.py

clean:
	rm -rf $(VENV) build dist .pytest_cache

readme: install
	$(BIN)/python -c "import pathlib; from sourcetrace.cli import readme_with_reference as r; p = pathlib.Path('README.md'); p.write_text(r(p.read_text()))"
