"""Corpus folders for tests, with a MANIFEST.json made here with hashlib and json alone (not by
the code under test): a forged release whose data match its MANIFEST, and the ways to break one."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def jsonl_bytes(rows: list[Any]) -> bytes:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode("utf-8")


def write_release(
    folder: Path, rows: list[Mapping[str, Any]], version: str = "0.0.1", **data: list[Any]
) -> dict[str, Any]:
    """A corpus folder holding data/documents.jsonl (``rows``) and data/<name>.jsonl for each
    keyword, and the MANIFEST.json that `corpus build` would write for them; returns it."""
    files = {"data/documents.jsonl": jsonl_bytes(list(rows))}
    files |= {f"data/{name}.jsonl": jsonl_bytes(items) for name, items in data.items()}
    for rel, content in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(content)
    hashes = {rel: sha256_hex(content) for rel, content in files.items()}
    combined = "".join(f"{rel} {digest}\n" for rel, digest in sorted(hashes.items()))
    manifest = {
        "name": "sourcetrace",
        "version": version,
        "data_sha256": sha256_hex(combined.encode("utf-8")),
        "files": {rel: {"sha256": digest} for rel, digest in hashes.items()},
        "documents": {
            row["doc_id"]: {"text_sha256": sha256_hex(row["text"].encode("utf-8"))} for row in rows
        },
    }
    (folder / "MANIFEST.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


def rehash(folder: Path) -> dict[str, Any]:
    """Rewrite a folder's MANIFEST.json so that it matches the files as they are now (a forged
    release: the data were edited and the MANIFEST made to agree)."""
    path = folder / "MANIFEST.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for rel, entry in manifest["files"].items():
        entry["sha256"] = sha256_hex((folder / rel).read_bytes())
    data = {rel: e["sha256"] for rel, e in manifest["files"].items() if rel.startswith("data/")}
    combined = "".join(f"{rel} {digest}\n" for rel, digest in sorted(data.items()))
    manifest["data_sha256"] = sha256_hex(combined.encode("utf-8"))
    path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest
