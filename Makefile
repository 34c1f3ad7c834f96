# The two set-up commands of the README:
#   make demo   install everything, build and verify the corpus, run the rule-based baseline,
#               score it against the packaged gold, print the table and write the HTML report
#   make test   install everything (idempotent, Chromium included) and run the whole test suite,
#               one pytest-xdist worker per core (the Label Studio server's tests in one of them)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := build/demo

.PHONY: demo test install chromium lint clean bench readme leaderboard fuzz

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,baselines,studio,scale]"
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium for the browser tests of the HTML report (Playwright drives it; no browser
# download). Installed only when missing; needs root, as on CI.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; }

demo: install
	$(BIN)/sourcetrace corpus build
	$(BIN)/sourcetrace corpus verify
	$(BIN)/sourcetrace baseline rules --output $(DEMO)/rules
	$(BIN)/evaluate $(DEMO)/rules/predictions.jsonl --output - --output $(DEMO)/report.html
	@echo "HTML error analysis of the rule-based baseline: $(abspath $(DEMO)/report.html)"

test: install chromium
	$(BIN)/python -m pytest -n auto --dist loadgroup

leaderboard: install
	$(BIN)/sourcetrace leaderboard

# the property-based tests with 2000 examples each and a fresh seed (CI runs 40, seed fixed)
fuzz: install
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q tests/evaluation/test_properties.py tests/schema/test_fast_validation.py tests/test_jsonio.py

lint: install
	$(BIN)/ruff check src tests benchmarks

# First the whole processes at scale (benchmarks/bench_scale.py: 1k to 100k documents, long;
# `make bench BENCH_SIZES=1000,10000` for a quick run), which writes benchmarks/RESULTS.md
# and benchmarks/readme_results.py copies the groups it measured into benchmarks/README.md; then
# the small benchmarks.
bench: install
	$(BIN)/python benchmarks/bench_scale.py $(if $(BENCH_SIZES),--sizes $(BENCH_SIZES))
	$(BIN)/python benchmarks/readme_results.py
	cd benchmarks && ../$(BIN)/python bench_entities_process.py
	$(BIN)/python benchmarks/bench_entities.py
	$(BIN)/python benchmarks/bench_evaluate.py

clean:
	rm -rf $(VENV) build dist .pytest_cache

readme: install
	$(BIN)/python -c "import pathlib; from sourcetrace.cli.main import readme_with_reference as r; p = pathlib.Path('docs/cli.md'); p.write_text(r(p.read_text()))"
