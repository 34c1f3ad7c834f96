"""Build, verify, describe and compare the versioned corpus folder.

`corpus/` is written only by `build`, from `seeds/`, `annotations/` and `schema/labels.json`; the
one hand-edited file in it is `CHANGELOG.md`, whose newest heading is the corpus version.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError, InputErrors, raise_all
from .jsonio import (
    atomic_write,
    dumps_pretty,
    jsonl_text,
    parse_json,
    read_json,
    read_records,
    read_text,
)
from .schema import LAYERS, sha256_text, validate_record

CORPUS_NAME = "sourcetrace"
DOCUMENT_FIELDS = (
    "doc_id",
    "text",
    "text_sha256",
    "seed_file",
    "title",
    "outlet",
    "author",
    "url",
    "published",
    "date_source",
    "date_note",
    "language",
    "story_id",
    "zones",
)
_VERSION_HEADING = re.compile(r"^##\s+\[?v?(\d+\.\d+\.\d+)\]?", re.MULTILINE)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Source:
    """Everything `build` reads, already validated."""

    root: Path
    version: str
    documents: list[dict[str, Any]]
    gold: dict[str, dict[str, Any]]
    links: dict[str, Any]
    source_hashes: dict[str, str] = field(default_factory=dict)


def read_version(changelog: Path) -> str:
    if not changelog.is_file():
        raise InputError(
            "no corpus changelog",
            file=changelog,
            expected="corpus/CHANGELOG.md with a '## X.Y.Z' heading per version",
        )
    match = _VERSION_HEADING.search(changelog.read_text(encoding="utf-8"))
    if not match:
        raise InputError(
            "no version heading found",
            file=changelog,
            expected="a line like '## 0.1.0 - what changed'",
        )
    return match.group(1)


def _source_files(root: Path) -> list[Path]:
    files = sorted((root / "seeds").glob("*.txt"))
    files += [root / "annotations" / "documents.json"]
    files += sorted((root / "annotations" / "gold").glob("*.json"))
    for optional in ("links.json", "AGREEMENT.md"):
        path = root / "annotations" / optional
        if path.exists():
            files.append(path)
    files += [root / "schema" / "labels.json", root / "corpus" / "CHANGELOG.md"]
    return files


_SEED_NAME = re.compile(r"^[A-Za-z0-9_.-]+\.txt$")


def with_seed_text(meta: Any, seeds: Path) -> dict[str, Any] | None:
    """A metadata record of annotations/documents.json completed with its seed text, in the
    field order of a document record; None when its seed file is not in ``seeds``."""
    name = meta.get("seed_file") if isinstance(meta, Mapping) else None
    if not isinstance(name, str) or not _SEED_NAME.match(name) or name.startswith(".."):
        return None
    seed = seeds / name
    if not seed.is_file():
        return None
    record = {"doc_id": meta.get("doc_id"), "text": seed.read_bytes().decode("utf-8")}
    record.update({k: v for k, v in meta.items() if k not in ("doc_id", "text")})
    return {k: record[k] for k in DOCUMENT_FIELDS if k in record} | {
        k: v for k, v in record.items() if k not in DOCUMENT_FIELDS
    }


def source_hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): sha256_bytes(p.read_bytes())
        for p in _source_files(root)
        if p.is_file()
    }


def load_source(root: Path) -> Source:
    """Read and validate every input of the build; all problems are raised together."""
    root = Path(root)
    version = read_version(root / "corpus" / "CHANGELOG.md")
    meta_path = root / "annotations" / "documents.json"
    raw = read_text(meta_path)
    records = parse_json(raw, meta_path)
    if not raw.lstrip().startswith("["):
        raise InputError(
            "expected a JSON list of document records",
            file=meta_path,
            line=1,
            pointer="/",
            expected="an array",
        )
    problems: list[InputError] = []
    documents: list[dict[str, Any]] = []
    for index, meta_record in enumerate(records):
        meta, line = meta_record.value, meta_record.line
        record = with_seed_text(meta, root / "seeds")
        if record is None:
            name = meta.get("seed_file") if isinstance(meta, Mapping) else None
            problems.append(
                InputError(
                    f"seed file {name!r} not found in seeds/",
                    file=meta_path,
                    line=line,
                    pointer=f"/{index}/seed_file",
                    expected="the name of a file in seeds/",
                )
            )
            continue
        found = validate_record(record, "document", meta_path, line)
        for problem in found:
            problem.pointer = f"/{index}{problem.pointer or ''}".rstrip("/")
            if "text_sha256" in (problem.pointer or ""):
                problem.message += (
                    f" (seeds/{meta['seed_file']} changed, or the metadata was "
                    "made for another text)"
                )
        problems += found
        documents.append(record)
    ids = [d["doc_id"] for d in documents]
    for duplicate in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(
            InputError(f"duplicate doc_id {duplicate!r}", file=meta_path, expected="unique doc ids")
        )
    texts = {d["doc_id"]: d["text"] for d in documents}
    gold: dict[str, dict[str, Any]] = {}
    for path in sorted((root / "annotations" / "gold").glob("*.json")):
        _, records = read_records(path)
        if len(records) != 1:
            problems.append(
                InputError(
                    f"holds {len(records)} records",
                    file=path,
                    line=1,
                    expected="exactly one gold annotation object per file",
                )
            )
            continue
        value = records[0].value
        found = validate_record(value, "annotation", path, records[0].line, text_for=texts.get)
        if not found and value["doc_id"] != path.stem:
            found.append(
                InputError(
                    f"file name does not match doc_id {value['doc_id']!r}",
                    file=path,
                    pointer="/doc_id",
                    expected=f"annotations/gold/{value['doc_id']}.json",
                )
            )
        problems += found
        if not found:
            gold[value["doc_id"]] = value
    problems += entity_type_conflicts(gold, root / "annotations" / "gold")
    links_path = root / "annotations" / "links.json"
    links: dict[str, Any] = {"relations": []}
    if links_path.exists():
        links = read_json(links_path)
        clusters = {c["cluster"] for g in gold.values() for c in g["claims"]}
        entities = {e["entity"] for g in gold.values() for e in g["entities"]}
        problems += validate_record(
            links, "links", links_path, 1, known_clusters=clusters, known_entities=entities
        )
    raise_all(problems)
    documents.sort(key=lambda d: d["doc_id"])
    return Source(root, version, documents, gold, links, source_hashes(root))


def entity_type_conflicts(gold: Mapping[str, Mapping[str, Any]], folder: Path) -> list[InputError]:
    """A corpus-wide entity id names one real-world entity, so it has one type everywhere."""
    seen: dict[str, tuple[str, str, int]] = {}  # entity id -> (type, doc_id, index)
    problems = []
    for doc_id, annotation in sorted(gold.items()):
        for index, mention in enumerate(annotation["entities"]):
            first = seen.setdefault(mention["entity"], (mention["type"], doc_id, index))
            if first[0] != mention["type"]:
                problems.append(
                    InputError(
                        f"entity {mention['entity']!r} is {mention['type']} here but "
                        f"{first[0]} in {first[1]} at /entities/{first[2]}",
                        file=folder / f"{doc_id}.json",
                        pointer=f"/entities/{index}/type",
                        expected="one type per corpus-wide entity id",
                    )
                )
    return problems


# ---------------------------------------------------------------- outputs


def document_rows(source: Source) -> list[dict[str, Any]]:
    rows = []
    for document in source.documents:
        gold = source.gold.get(document["doc_id"])
        row = {k: document[k] for k in DOCUMENT_FIELDS}
        row["annotated"] = gold is not None
        for layer in LAYERS:
            row[layer] = gold[layer] if gold else []
        rows.append(row)
    return rows


def flat_rows(source: Source, layer: str) -> list[dict[str, Any]]:
    """One row per item of a layer, with its doc_id first: the per-layer configs."""
    return [
        {"doc_id": doc_id, **item}
        for doc_id, gold in sorted(source.gold.items())
        for item in gold[layer]
    ]


def data_files(source: Source) -> dict[str, list[dict[str, Any]]]:
    """Data file path (relative to corpus/) -> rows. Configs without rows are left out (HF cannot
    load an empty JSON Lines file)."""
    files = {"data/documents.jsonl": document_rows(source)}
    for layer in LAYERS:
        rows = flat_rows(source, layer)
        if rows:
            files[f"data/{layer}.jsonl"] = rows
    if source.links.get("relations"):
        files["data/links.jsonl"] = [
            {"from": r["from"], "to": r["to"], "relation": r["relation"], "note": r.get("note")}
            for r in source.links["relations"]
        ]
    return files


def data_sha256(file_hashes: Mapping[str, str]) -> str:
    """One hash over all data files, order-independent: what signatures and the card cite."""
    lines = "".join(f"{path} {digest}\n" for path, digest in sorted(file_hashes.items()))
    return sha256_bytes(lines.encode("utf-8"))


def render_outputs(source: Source) -> dict[str, str]:
    """Every file `build` writes under corpus/, as text, deterministically."""
    from .card import render_card  # the card needs datasets; import only when building

    outputs = {path: jsonl_text(rows) for path, rows in data_files(source).items()}
    data_hashes = {p: sha256_bytes(t.encode("utf-8")) for p, t in outputs.items()}
    counts = {"documents": len(source.documents), "annotated_documents": len(source.gold)}
    for layer in LAYERS:
        counts[layer] = sum(len(g[layer]) for g in source.gold.values())
    counts["links"] = len(source.links.get("relations", []))
    combined = data_sha256(data_hashes)
    outputs["README.md"] = render_card(source, counts, combined, sorted(outputs))
    manifest = {
        "name": CORPUS_NAME,
        "version": source.version,
        "data_sha256": combined,
        "files": {
            path: {
                "sha256": sha256_bytes(text.encode("utf-8")),
                "bytes": len(text.encode("utf-8")),
                "rows": text.count("\n") if path.endswith(".jsonl") else None,
            }
            for path, text in sorted(outputs.items())
        },
        "documents": {
            d["doc_id"]: {
                "seed_file": d["seed_file"],
                "text_sha256": d["text_sha256"],
                "story_id": d["story_id"],
                "annotated": d["doc_id"] in source.gold,
            }
            for d in source.documents
        },
        "counts": counts,
        "sources": source.source_hashes,
    }
    outputs["MANIFEST.json"] = dumps_pretty(manifest)
    return outputs


def read_manifest(corpus: Path) -> dict[str, Any] | None:
    path = corpus / "MANIFEST.json"
    return read_json(path) if path.is_file() else None


@dataclass
class BuildResult:
    version: str
    written: list[str]
    unchanged: list[str]
    removed: list[str]


def _version_key(version: str) -> tuple[int, ...]:
    """X.Y.Z as numbers; anything else sorts first, so it never blocks a valid version."""
    parts = version.split(".")
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else ()


def build(root: Path) -> BuildResult:
    """Write corpus/ from the sources. Refuses to change data under an unchanged version."""
    root = Path(root)
    source = load_source(root)
    corpus = root / "corpus"
    outputs = render_outputs(source)
    old = read_manifest(corpus)
    new_manifest = json.loads(outputs["MANIFEST.json"])
    released = old.get("version") if isinstance(old, dict) else None
    if isinstance(released, str) and _version_key(source.version) < _version_key(released):
        raise InputError(
            f"the version would move back from {released} to {source.version}; versions only "
            "grow (was a CHANGELOG heading deleted?)",
            file=corpus / "CHANGELOG.md",
            expected=f"a '## X.Y.Z' entry above {released} at the top of corpus/CHANGELOG.md",
        )
    if (
        old
        and old.get("version") == source.version
        and old.get("data_sha256") != new_manifest["data_sha256"]
    ):
        raise InputError(
            f"the corpus data would change but the version stays {source.version}; a version is "
            "never silently changed",
            file=corpus / "CHANGELOG.md",
            expected="a new '## X.Y.Z' entry at the top of corpus/CHANGELOG.md saying what "
            "changed and why",
        )
    written, unchanged = [], []
    for rel, text in outputs.items():
        path = corpus / rel
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            unchanged.append(rel)
            continue
        atomic_write(path, text)
        written.append(rel)
    removed = []
    for stale in sorted((corpus / "data").glob("*")):
        rel = stale.relative_to(corpus).as_posix()
        if rel not in outputs:
            stale.unlink()
            removed.append(rel)
    return BuildResult(source.version, written, unchanged, removed)


def verify(root: Path) -> list[str]:
    """Every drift between corpus/ and its sources, one sentence each; [] when all is in order."""
    root = Path(root)
    corpus = root / "corpus"
    manifest = read_manifest(corpus)
    if manifest is None:
        return [f"{corpus / 'MANIFEST.json'}: missing; run `sourcetrace corpus build`"]
    problems = verify_folder(corpus)
    current = source_hashes(root)
    recorded = manifest.get("sources", {})
    for rel in sorted(set(current) | set(recorded)):
        if rel not in recorded:
            problems.append(
                f"{root / rel}: added since the build (the build is older than its "
                "sources); run `sourcetrace corpus build`"
            )
        elif rel not in current:
            problems.append(
                f"{root / rel}: removed since the build; run `sourcetrace corpus build`"
            )
        elif current[rel] != recorded[rel]:
            problems.append(
                f"{root / rel}: changed since the build (the build is older than its "
                "sources); run `sourcetrace corpus build`"
            )
    try:
        source = load_source(root)
    except (InputError, InputErrors) as exc:  # every source problem is a finding
        problems.append(f"sources do not validate: {exc}")
        return problems
    for doc_id, entry in manifest.get("documents", {}).items():
        text = next((d["text"] for d in source.documents if d["doc_id"] == doc_id), None)
        if text is not None and sha256_text(text) != entry["text_sha256"]:
            problems.append(
                f"{root / 'seeds' / entry['seed_file']}: text sha256 differs from "
                f"MANIFEST.json for {doc_id}"
            )
    if not problems:
        for rel, text in render_outputs(source).items():
            path = corpus / rel
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                problems.append(f"{path}: differs from what `sourcetrace corpus build` makes now")
    return problems


def verify_folder(corpus: Path) -> list[str]:
    """A corpus folder checked on its own against its MANIFEST.json (a copy, or a wheel's).

    Without the sources this cannot tell whether the build is current; it tells whether the data
    are the data the manifest describes: every file's sha256, the combined data sha256, and the
    sha256 of every document text.
    """
    corpus = Path(corpus)
    manifest = read_manifest(corpus)
    if manifest is None:
        return [f"{corpus / 'MANIFEST.json'}: missing; this is not a built corpus folder"]
    problems: list[str] = []
    data_hashes: dict[str, str] = {}
    for rel, entry in sorted(manifest.get("files", {}).items()):
        path = corpus / rel
        if not path.is_file():
            problems.append(f"{path}: listed in MANIFEST.json but missing")
            continue
        digest = sha256_bytes(path.read_bytes())
        if rel.startswith("data/"):
            data_hashes[rel] = digest
        if digest != entry["sha256"]:
            problems.append(
                f"{path}: sha256 differs from MANIFEST.json (edited by hand?); "
                "corpus/ is written only by `sourcetrace corpus build`"
            )
    for path in sorted((corpus / "data").glob("*")) if (corpus / "data").is_dir() else []:
        if path.relative_to(corpus).as_posix() not in manifest.get("files", {}):
            problems.append(f"{path}: not listed in MANIFEST.json")
    if not problems and data_sha256(data_hashes) != manifest.get("data_sha256"):
        problems.append(f"{corpus / 'MANIFEST.json'}: data_sha256 does not match the data files")
    if not problems:
        documents = manifest.get("documents", {})
        for row in read_corpus_documents(corpus):
            expected = documents.get(row["doc_id"], {}).get("text_sha256")
            if sha256_text(row["text"]) != expected:
                problems.append(
                    f"{corpus / 'data' / 'documents.jsonl'}: the text of "
                    f"{row['doc_id']} does not hash to MANIFEST.json's text_sha256"
                )
    return problems


# ---------------------------------------------------------------- reading a built corpus


def read_corpus_documents(corpus: Path) -> list[dict[str, Any]]:
    path = Path(corpus) / "data" / "documents.jsonl"
    if not path.is_file():
        raise InputError(
            "no corpus data here",
            file=path,
            expected="a corpus folder built by `sourcetrace corpus build`",
        )
    _, records = read_records(path)
    return [r.value for r in records]


def info(corpus: Path) -> dict[str, Any]:
    """Version, hashes and per-document counts of a built corpus folder."""
    corpus = Path(corpus)
    manifest = read_manifest(corpus) or {}
    rows = []
    for doc in read_corpus_documents(corpus):
        rows.append(
            {
                "doc_id": doc["doc_id"],
                "story_id": doc["story_id"],
                "outlet": doc["outlet"],
                "published": doc["published"],
                "characters": len(doc["text"]),
                "zones": len(doc["zones"]),
                "annotated": doc["annotated"],
                **{layer: len(doc[layer]) for layer in LAYERS},
            }
        )
    totals = {layer: sum(r[layer] for r in rows) for layer in LAYERS}
    return {
        "version": manifest.get("version"),
        "data_sha256": manifest.get("data_sha256"),
        "documents": rows,
        "totals": {
            "documents": len(rows),
            "annotated": sum(r["annotated"] for r in rows),
            **totals,
        },
    }


def natural_key(item_id: str) -> list[Any]:
    """e2 before e10: ids are read by people, who count."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", item_id)]


def _by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in items}


def diff(old: Path, new: Path) -> dict[str, Any]:
    """What a user reads before trusting scores across versions: documents and items that were
    added, removed or changed between two corpus folders."""
    old_docs = {d["doc_id"]: d for d in read_corpus_documents(old)}
    new_docs = {d["doc_id"]: d for d in read_corpus_documents(new)}
    old_manifest, new_manifest = read_manifest(Path(old)) or {}, read_manifest(Path(new)) or {}
    result: dict[str, Any] = {
        "old_version": old_manifest.get("version"),
        "new_version": new_manifest.get("version"),
        "documents": {
            "added": sorted(new_docs.keys() - old_docs.keys()),
            "removed": sorted(old_docs.keys() - new_docs.keys()),
            "text_changed": [],
            "metadata_changed": {},
        },
        "layers": {layer: {} for layer in LAYERS},
    }
    for doc_id in sorted(old_docs.keys() & new_docs.keys()):
        a, b = old_docs[doc_id], new_docs[doc_id]
        if a["text_sha256"] != b["text_sha256"]:
            result["documents"]["text_changed"].append(doc_id)
        changed = [
            k for k in DOCUMENT_FIELDS if k not in ("text", "text_sha256") and a.get(k) != b.get(k)
        ]
        if a.get("annotated") != b.get("annotated"):
            changed.append("annotated")
        if changed:
            result["documents"]["metadata_changed"][doc_id] = changed
    for doc_id in sorted(old_docs.keys() | new_docs.keys()):
        for layer in LAYERS:
            a_items = _by_id(old_docs.get(doc_id, {}).get(layer, []))
            b_items = _by_id(new_docs.get(doc_id, {}).get(layer, []))
            entry = {
                "added": sorted(b_items.keys() - a_items.keys(), key=natural_key),
                "removed": sorted(a_items.keys() - b_items.keys(), key=natural_key),
                "changed": sorted(
                    (i for i in a_items.keys() & b_items.keys() if a_items[i] != b_items[i]),
                    key=natural_key,
                ),
            }
            if any(entry.values()):
                result["layers"][layer][doc_id] = entry
    return result
