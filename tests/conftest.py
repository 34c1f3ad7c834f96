"""Shared fixtures: the committed corpus texts, and two ways to run the command line.

`run_cli` calls sourcetrace.cli.main in-process (fast, for most tests); `run_cli_subprocess`
starts a fresh interpreter, for the few checks that need a real exit code and a real stderr
(an uncaught exception prints a traceback only there).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

# the hypothesis profiles of the property tests (see fuzz_profiles.py)
try:
    from fuzz_profiles import load_profile

    load_profile()
except ImportError:  # without hypothesis, the property tests skip themselves
    pass
CORPUS_DOCUMENTS = REPO_ROOT / "corpus" / "data" / "documents.jsonl"

# Runs the console script's entry point; there is no `python -m sourcetrace`.
_ENTRY_POINT = "import sys; from sourcetrace.cli.main import main; sys.exit(main())"


@dataclass(frozen=True)
class CliResult:
    """What one command-line run left behind."""

    code: int
    out: str
    err: str


def _read_corpus_records() -> list[dict[str, Any]]:
    # Read with the standard library, not with sourcetrace, so the fixture does not depend on
    # the reader under test.
    lines = CORPUS_DOCUMENTS.read_text(encoding="utf-8").split("\n")
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="session")
def corpus_records() -> list[dict[str, Any]]:
    """The committed document records (st-000 .. st-004), as plain dicts."""
    return _read_corpus_records()


@pytest.fixture(scope="session")
def corpus_texts_by_id(corpus_records: list[dict[str, Any]]) -> dict[str, str]:
    return {record["doc_id"]: record["text"] for record in corpus_records}


@pytest.fixture(scope="session")
def st000_text(corpus_texts_by_id: dict[str, str]) -> str:
    """The text of st-000 as committed in corpus/data/documents.jsonl."""
    return corpus_texts_by_id["st-000"]


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run `sourcetrace ARGS...` in-process; argparse usage errors come back as their exit code."""
    from sourcetrace.cli.main import main

    def run(*args: str | Path) -> CliResult:
        capsys.readouterr()  # drop anything printed before this run
        try:
            code = main([str(arg) for arg in args])
        except SystemExit as exc:  # argparse exits on usage errors
            code = exc.code if isinstance(exc.code, int) else 2
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture
def run_cli_subprocess() -> Callable[..., CliResult]:
    """Run `sourcetrace ARGS...` in a fresh interpreter, with extra environment variables."""

    def run(
        *args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None
    ) -> CliResult:
        environment = {**os.environ, **(env or {})}
        src = str(REPO_ROOT / "src")
        environment["PYTHONPATH"] = os.pathsep.join(
            p for p in (src, environment.get("PYTHONPATH", "")) if p
        )
        done = subprocess.run(
            [sys.executable, "-c", _ENTRY_POINT, *map(str, args)],
            env=environment,
            cwd=cwd or REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return CliResult(done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture
def st000_files(tmp_path: Path) -> tuple[Path, Path]:
    """(predictions, gold) JSONL for st-000: the gold itself as prediction."""
    from gold_factory import story_gold, write_jsonl

    gold = write_jsonl(tmp_path / "gold.jsonl", story_gold(("st-000",)))
    pred = write_jsonl(tmp_path / "pred.jsonl", story_gold(("st-000",), with_text=False))
    return pred, gold


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under `make test` (pytest-xdist, `--dist loadgroup`), every test of the Label Studio
    server runs in one worker, so that the session starts one server (its migrations take a
    minute or two), not one per worker. Without xdist the mark does nothing."""
    for item in items:
        if "label_studio_template" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("label-studio"))
