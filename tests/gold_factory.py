"""Builds small, correct gold annotations on real corpus texts (offsets found with str.find)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def seed_text(doc_id: str, root: Path = ROOT) -> str:
    meta = json.loads((root / "annotations" / "documents.json").read_text(encoding="utf-8"))
    seed_file = next(m["seed_file"] for m in meta if m["doc_id"] == doc_id)
    return (root / "seeds" / seed_file).read_bytes().decode("utf-8")


def span(text: str, needle: str, occurrence: int = 0) -> dict[str, Any]:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return {"start": start, "end": start + len(needle), "text": needle}


def gold_st000(root: Path = ROOT) -> dict[str, Any]:
    """A small correct gold for st-000: two entities, one claim, one attribution."""
    text = seed_text("st-000", root)
    claim = span(
        text,
        "the Ukrainian forces fired missiles, which were built decades ago in "
        "North Korea, against Russian positions near the city of Bakhmut",
    )
    return {
        "doc_id": "st-000",
        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "entities": [
            {
                "id": "e1",
                **span(text, "Financial Times"),
                "type": "ORG",
                "mention": "name",
                "entity": "financial-times",
            },
            {
                "id": "e2",
                **span(text, "Bakhmut"),
                "type": "GPE",
                "mention": "name",
                "entity": "bakhmut",
            },
        ],
        "claims": [
            {
                "id": "c1",
                **claim,
                "polarity": "positive",
                "certainty": "certain",
                "checkworthy": True,
                "cluster": "ukraine-fired-nk-missiles",
            }
        ],
        "attributions": [
            {
                "id": "a1",
                "source": {"mention": "e1"},
                "cue": span(text, "According to"),
                "content": {"claims": ["c1"], **claim},
                "type": "indirect",
                "nested_in": None,
            }
        ],
    }
