"""Where the data folders are: in the repository, or packaged inside an installed wheel."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_PACKAGED_DATA = _PACKAGE_DIR / "_data"


def repo_root() -> Path | None:
    """The repository root when running from a checkout (src layout), else None."""
    env = os.environ.get("SOURCETRACE_ROOT")
    if env:
        return Path(env).resolve()
    candidate = _PACKAGE_DIR.parent.parent
    if (candidate / "pyproject.toml").is_file() and (
        candidate / "schema" / "labels.json"
    ).is_file():
        return candidate
    return None


def data_root() -> Path:
    """Folder holding `schema/` and `corpus/`: the checkout if there is one, else the wheel's."""
    root = repo_root()
    if root is not None:
        return root
    if _PACKAGED_DATA.is_dir():
        return _PACKAGED_DATA
    raise FileNotFoundError("sourcetrace data not found: neither a checkout nor packaged data")


def schema_dir() -> Path:
    return data_root() / "schema"


def corpus_dir() -> Path:
    return data_root() / "corpus"
