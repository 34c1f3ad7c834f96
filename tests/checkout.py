"""Scratch checkouts for tests: a copy of the whole checkout (the README's workflows run in it),
or the build's sources only (`make_checkout`), and the steps tests take in them."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from sourcetrace.corpus.build import add_version_entry

from gold_factory import gold_st000

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = (
    "src",
    "tests",
    "seeds",
    "annotations",
    "schema",
    "corpus",
    "docs",
    "evaluate",
    "benchmarks",
    ".ci",
)
FILES = ("pyproject.toml", "README.md", "Makefile", "SECURITY.md", ".gitignore")


def copy_checkout(dest: Path, *, with_venv: bool = True) -> Path:
    """The tracked folders and files of the checkout, without caches; with the running
    interpreter's environment linked as .venv, so the README's `.venv/bin/...` commands work."""
    for folder in FOLDERS:
        shutil.copytree(ROOT / folder, dest / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for name in FILES:
        shutil.copy(ROOT / name, dest / name)
    if with_venv:
        (dest / ".venv").symlink_to(Path(sys.prefix))
    return dest


def copy_environment(root: Path) -> dict[str, str]:
    """The environment for commands run in a copy: its own package first (so it finds its own
    data), no SOURCETRACE_ override, nothing fetched from a hub."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOURCETRACE_")}
    return env | {"PYTHONPATH": str(root / "src"), "HF_HUB_OFFLINE": "1"}


BASELINE_CHANGELOG = """# Changelog

## 0.1.0 - test baseline: the documents, no gold

- The five seed documents with their metadata and zones; no gold, no links.
"""


def make_checkout(dest: Path, *, shipped: bool = False) -> Path:
    """The build's sources only (no built corpus): what a fresh contributor edits.

    By default a baseline that does not depend on the gold that ships: the committed seeds,
    metadata and schema, at version 0.1.0, with no gold, links or agreement file; tests add the
    gold they need. `shipped=True` copies the committed sources as they are."""
    for folder in ("seeds", "annotations", "schema"):
        shutil.copytree(ROOT / folder, dest / folder)
    (dest / "corpus").mkdir()
    if shipped:
        shutil.copy(ROOT / "corpus" / "CHANGELOG.md", dest / "corpus" / "CHANGELOG.md")
        return dest
    (dest / "corpus" / "CHANGELOG.md").write_text(BASELINE_CHANGELOG, encoding="utf-8")
    for generated in ("links.json", "AGREEMENT.md"):
        (dest / "annotations" / generated).unlink(missing_ok=True)
    for gold in (dest / "annotations" / "gold").glob("*.json"):
        gold.unlink()
    return dest


def bump_version(root: Path, version: str, why: str) -> None:
    """A new entry where the build reads the version (the library's one reading of it)."""
    add_version_entry(root / "corpus" / "CHANGELOG.md", version, why)


def add_gold(root: Path) -> dict:
    gold = gold_st000(root)
    (root / "annotations" / "gold" / "st-000.json").write_text(
        json.dumps(gold, indent=2), encoding="utf-8"
    )
    return gold


README = (ROOT / "README.md").read_text(encoding="utf-8")


def workflow(name: str) -> list[str]:
    block = re.search(rf"<!-- workflow:{name} -->\n```sh\n(.*?)```", README, re.S)
    assert block, f"README has no workflow:{name} block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def run(root: Path, command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", command],
        cwd=root,
        env=copy_environment(root),
        capture_output=True,
        text=True,
        timeout=600,
    )
