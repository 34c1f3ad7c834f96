"""Shared helpers of the converter tests: a tiny gold to take texts from, spans found by hand."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any


def gold_record(doc_id: str, text: str, **layers: Any) -> dict[str, Any]:
    """A valid gold record with the given layers (empty ones by default)."""
    return {
        "doc_id": doc_id,
        "text": text,
        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "entities": layers.get("entities", []),
        "claims": layers.get("claims", []),
        "attributions": layers.get("attributions", []),
    }


def write_gold(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def at(text: str, needle: str, occurrence: int = 0) -> tuple[int, int]:
    """(start, end) of the n-th occurrence of `needle`, found by str.index."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def spans(records: list[dict[str, Any]]) -> dict[str, list[tuple[int, int, str, str]]]:
    """doc_id -> sorted (start, end, type, text) of its entities."""
    return {
        r["doc_id"]: sorted((e["start"], e["end"], e["type"], e["text"]) for e in r["entities"])
        for r in records
    }


def command_outcome(fmt: str, inputs: list[Path], **options: Any) -> Any:
    """What `sourcetrace convert` writes (`convert_jsonl`): (the file's bytes, documents,
    items), or the message of its refusal."""
    from sourcetrace.convert import convert_jsonl
    from sourcetrace.errors import InputError, InputErrors

    try:
        lines = convert_jsonl(fmt, inputs, **options)
    except (InputError, InputErrors) as error:
        return str(error)
    parts = lines.parts()
    written = b"".join(p.encode("utf-8") if isinstance(p, str) else p for p in parts)
    return written, lines.documents, lines.items


def records_outcome(records: list[dict[str, Any]]) -> Any:
    """`command_outcome` as the records `convert` returns say it should be: the json writer's
    bytes, their count and their entities'."""
    from sourcetrace.jsonio import jsonl_text

    items = sum(len(r.get("entities", ())) + len(r.get("attributions", ())) for r in records)
    return jsonl_text(records).encode("utf-8"), len(records), items
