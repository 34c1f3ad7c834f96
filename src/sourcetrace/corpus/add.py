"""`corpus add`: register a new article (seed, metadata record, zones) for annotation.

The seed is copied byte for byte into seeds/ as `NNN_<first 16 hex of its sha256>.txt`, and a
record is appended to annotations/documents.json with every unknown field null (date_source
`unknown`) and zones by a simple rule (`zones_by_rule`). corpus/ is read (checked against its
MANIFEST, so that no doc_id or text of the published release is reused) but not touched: the
article enters the corpus with the next `corpus build`, once it is annotated (or not) and the
CHANGELOG names the new version.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sourcetrace.corpus.release import published_release, sha256_bytes
from sourcetrace.errors import InputError, raise_all
from sourcetrace.jsonio import (
    atomic_write,
    decode_utf8,
    dumps_pretty,
    read_checked_bytes,
    read_json,
)
from sourcetrace.schema.validation import validate_record

TITLE_MAX = 150  # characters: a longer first line is running text, not a headline
SENTENCE_END = ".!?;:,"
DOC_ID = re.compile(r"^[a-z0-9_-]+$")
_NUMBERED = re.compile(r"^(\d+)_")
_ST_ID = re.compile(r"^st-(\d+)$")


def zones_by_rule(text: str) -> list[dict[str, Any]]:
    """Title and body zones.

    The rule: the first non-empty line is the `title` when it is at most TITLE_MAX characters
    long and does not end in sentence punctuation (. ! ? ; : ,); everything after it (or the
    whole text, when there is no title) is `body`. Zones are trimmed of white space, so every
    non-white-space character lies in a zone, as the validator requires. Byline, boilerplate
    and related zones are for a person to mark by editing documents.json.
    """
    zones: list[dict[str, Any]] = []
    position = len(text) - len(text.lstrip())
    if position == len(text):
        return zones
    line_end = text.find("\n", position)
    line_end = len(text) if line_end < 0 else line_end
    first = text[position:line_end].rstrip()
    if len(first) <= TITLE_MAX and not first.endswith(tuple(SENTENCE_END)):
        zones.append({"start": position, "end": position + len(first), "kind": "title"})
        rest = text[line_end:]
        position = line_end + (len(rest) - len(rest.lstrip()))
    body_end = len(text.rstrip())
    if position < body_end:
        zones.append({"start": position, "end": body_end, "kind": "body"})
    return zones


def seed_name(number: int, data: bytes) -> str:
    return f"{number:03d}_{sha256_bytes(data)[:16]}.txt"


def next_number(seeds: Path) -> int:
    numbers = [int(m.group(1)) for p in seeds.glob("*.txt") if (m := _NUMBERED.match(p.name))]
    return max(numbers, default=-1) + 1


def next_doc_id(records: list[Mapping[str, Any]]) -> str:
    numbers = [int(m.group(1)) for r in records if (m := _ST_ID.match(str(r.get("doc_id"))))]
    return f"st-{max(numbers, default=-1) + 1:03d}"


@dataclass(frozen=True)
class Added:
    doc_id: str
    seed: Path
    record: dict[str, Any]


def _refuse(message: str, file: Path | str, expected: str) -> None:
    raise InputError(message, file=file, expected=expected)


def add_document(
    root: Path,
    article: Path,
    *,
    story_id: str | None = None,
    doc_id: str | None = None,
    metadata: Mapping[str, str | None] | None = None,
) -> Added:
    """Register ``article``; validated in full before anything is written."""
    root, article = Path(root), Path(article)
    data = read_checked_bytes(article)
    text = decode_utf8(data, article)
    if not text.strip():
        _refuse("the article is empty", article, "a UTF-8 text file with the article")
    release = published_release(root)  # checked: its ids are the ones readers cite
    published = release.manifest.get("documents", {}) if release is not None else {}
    meta_path = root / "annotations" / "documents.json"
    records = read_json(meta_path)
    if not isinstance(records, list):
        _refuse("expected a JSON list of document records", meta_path, "an array")
    digest = sha256_bytes(data)
    known = [*records, *({"doc_id": d, **e} for d, e in published.items())]
    for record in known:
        if isinstance(record, Mapping) and record.get("text_sha256") == digest:
            _refuse(
                f"this text is already document {record.get('doc_id')}",
                article,
                "an article that is not in the corpus yet",
            )
    doc_id = doc_id or next_doc_id(known)
    story_id = story_id or doc_id
    for name, value in (("--doc-id", doc_id), ("--story", story_id)):
        if not DOC_ID.match(value):
            _refuse(f"{name} {value!r} is not a usable id", name, "[a-z0-9_-]+, e.g. st-005")
    if any(r.get("doc_id") == doc_id for r in records if isinstance(r, Mapping)):
        _refuse(f"doc_id {doc_id!r} is taken", meta_path, "a new doc_id")
    if doc_id in published:  # a published id keeps naming the text it was published with
        _refuse(
            f"doc_id {doc_id!r} names another text in the published corpus {release.version}",
            root / "corpus" / "MANIFEST.json",
            "a doc_id that no release has used",
        )
    seeds = root / "seeds"
    seed = seeds / seed_name(next_number(seeds), data)
    meta = {
        "doc_id": doc_id,
        "seed_file": seed.name,
        "text_sha256": digest,
        "title": None,
        "outlet": None,
        "author": None,
        "url": None,
        "published": None,
        "date_source": "unknown",
        "date_note": None,
        "language": "en",
        "story_id": story_id,
        "zones": zones_by_rule(text),
    }
    meta.update({k: v for k, v in (metadata or {}).items() if v is not None})
    full = {"doc_id": doc_id, "text": text, **{k: v for k, v in meta.items() if k != "doc_id"}}
    raise_all(validate_record(full, "document", meta_path, len(records) + 1))
    new_records = [*records, meta]
    atomic_write(seed, data)
    try:
        atomic_write(meta_path, dumps_pretty(new_records))
    except BaseException:
        seed.unlink(missing_ok=True)
        raise
    return Added(doc_id, seed, meta)
