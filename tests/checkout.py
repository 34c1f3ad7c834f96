"""A scratch copy of the checkout for tests that run the README's workflows where they write."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

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
