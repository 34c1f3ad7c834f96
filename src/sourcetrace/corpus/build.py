"""Build, verify, describe and compare the versioned corpus folder.

`corpus/` is written only by `build`, from `seeds/`, `annotations/` and `schema/labels.json`; the
one hand-edited file in it is `CHANGELOG.md`, whose newest heading is the corpus version.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import signal
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sourcetrace.corpus.card import CardDocument, card_document, render_card
from sourcetrace.corpus.release import (
    DOCUMENT_FIELDS,
    Reading,
    Release,
    check_folder,
    data_sha256,
    is_temp_name,
    read_manifest,
    read_release,
    sha256_bytes,
)
from sourcetrace.errors import InputError, InputErrors, raise_all
from sourcetrace.jsonio import (
    atomic_write,
    current_umask,
    dumps_canonical,
    dumps_pretty,
    jsonl_text,
    parse_json,
    placed,
    read_checked_bytes,
    read_json,
    read_records,
    read_text,
)
from sourcetrace.progress import stage
from sourcetrace.schema.validation import (
    LAYERS,
    record_problems,
    sha256_text,
    validate_record,
)

CORPUS_NAME = "sourcetrace"
_VERSION_HEADING = re.compile(r"^##\s+\[?v?(\d+\.\d+\.\d+)\]?", re.MULTILINE)


@dataclass
class Source:
    """Everything `build` reads, already validated."""

    root: Path
    version: str
    documents: list[dict[str, Any]]
    gold: dict[str, dict[str, Any]]
    links: dict[str, Any]
    source_hashes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class VersionHeading:
    """The heading that names the corpus version: its version and where its line starts."""

    version: str
    offset: int


def newest_heading(text: str, changelog: Path) -> VersionHeading:
    """The one reading of "the newest version" of a changelog: its first `## X.Y.Z` heading,
    wherever it stands (above the title too), which must be the highest of its headings, so
    that the first and the highest never disagree (headings run newest first)."""
    headings = list(_VERSION_HEADING.finditer(text))
    if not headings:
        raise InputError(
            "no version heading found",
            file=changelog,
            expected="a line like '## 0.1.0 - what changed'",
        )
    first = headings[0]
    for later in headings[1:]:
        if _version_key(later.group(1)) > _version_key(first.group(1)):
            line = text.count("\n", 0, later.start()) + 1
            raise InputError(
                f"line {line} holds version {later.group(1)}, higher than the first heading "
                f"{first.group(1)}; the newest version is the first '## X.Y.Z' heading",
                file=changelog,
                expected=f"the '## {later.group(1)}' entry above '## {first.group(1)}' "
                "(headings newest first)",
            )
    return VersionHeading(version=first.group(1), offset=first.start())


def read_version(changelog: Path) -> str:
    """The corpus version: the newest heading of corpus/CHANGELOG.md (`newest_heading`)."""
    if not changelog.is_file():
        raise InputError(
            "no corpus changelog",
            file=changelog,
            expected="corpus/CHANGELOG.md with a '## X.Y.Z' heading per version",
        )
    return newest_heading(read_text(changelog), changelog).version


def add_version_entry(changelog: Path, version: str, why: str) -> None:
    """Write a `## VERSION - why` entry directly above the newest heading, where `read_version`
    (and so the build) reads it; what a user does by hand before a build."""
    text = read_text(changelog)
    at = newest_heading(text, changelog).offset
    atomic_write(changelog, f"{text[:at]}## {version} - {why}\n\n- {why}\n\n{text[at:]}")


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
    record = {"doc_id": meta.get("doc_id"), "text": read_text(seed)}
    record.update({k: v for k, v in meta.items() if k not in ("doc_id", "text")})
    return {k: record[k] for k in DOCUMENT_FIELDS if k in record} | {
        k: v for k, v in record.items() if k not in DOCUMENT_FIELDS
    }


def read_documents(root: Path) -> dict[str, dict[str, Any]]:
    """doc_id -> document record (metadata and seed text) of a checkout, validated."""
    path = Path(root) / "annotations" / "documents.json"
    records = read_json(path)
    if not isinstance(records, list):
        raise InputError("expected a JSON list of document records", file=path, pointer="/")
    documents, problems = {}, []
    for index, meta in enumerate(records):
        record = with_seed_text(meta, Path(root) / "seeds")
        if record is None:
            problems.append(
                InputError(
                    "seed file not found in seeds/",
                    file=path,
                    pointer=f"/{index}/seed_file",
                    expected="the name of a file in seeds/",
                )
            )
            continue
        problems += validate_record(record, "document", path, 1)
        documents[record["doc_id"]] = record
    raise_all(problems)
    return documents


def source_hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): sha256_bytes(read_checked_bytes(p))
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
    id_counts = Counter(d["doc_id"] for d in documents)
    for duplicate in sorted(i for i, seen in id_counts.items() if seen > 1):
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
        problems += placed(  # at the line of the faulty entry, as `validate` says
            validate_record(
                links, "links", links_path, 1, known_clusters=clusters, known_entities=entities
            )
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


def document_row(document: Mapping[str, Any], gold: Mapping[str, Any] | None) -> dict[str, Any]:
    """A row of data/documents.jsonl: the document record and its gold layers (none when it
    has no gold, or lacks a layer)."""
    row = {k: document[k] for k in DOCUMENT_FIELDS}
    row["annotated"] = gold is not None
    for layer in LAYERS:
        row[layer] = gold.get(layer, []) if gold else []
    return row


def document_rows(source: Source) -> list[dict[str, Any]]:
    return [document_row(d, source.gold.get(d["doc_id"])) for d in source.documents]


def flat_rows(source: Source, layer: str) -> list[dict[str, Any]]:
    """One row per item of a layer, with its doc_id first: the per-layer configs."""
    return [
        {"doc_id": doc_id, **item}
        for doc_id, gold in sorted(source.gold.items())
        for item in gold.get(layer, [])
    ]


def links_rows(links: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {"from": r["from"], "to": r["to"], "relation": r["relation"], "note": r.get("note")}
        for r in links.get("relations", [])
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
        files["data/links.jsonl"] = links_rows(source.links)
    return files


def manifest_document(document: Mapping[str, Any], annotated: bool) -> dict[str, Any]:
    """What MANIFEST.json records of a document."""
    return {
        "seed_file": document["seed_file"],
        "text_sha256": document["text_sha256"],
        "story_id": document["story_id"],
        "annotated": annotated,
    }


@dataclass(frozen=True)
class MadeFile:
    """A file of a release as made: what MANIFEST.json says of it."""

    sha256: str
    bytes: int
    rows: int  # its newlines


class OutputFile:
    """A file of a release while it is made: hashed, measured and (with a path) written a
    megabyte at a time, so that no file is ever held whole."""

    FLUSH_CHARS = 1 << 20

    def __init__(self, path: Path | None) -> None:
        self.handle = open(path, "wb") if path is not None else None  # noqa: SIM115 (closed in close)
        self.digest = hashlib.sha256()
        self.size = 0
        self.rows = 0
        self.pending: list[str] = []
        self.pending_chars = 0

    def write(self, text: str) -> None:
        self.pending.append(text)
        self.pending_chars += len(text)
        if self.pending_chars >= self.FLUSH_CHARS:
            self.flush()

    def flush(self) -> None:
        data = "".join(self.pending).encode("utf-8")
        self.pending, self.pending_chars = [], 0
        self.digest.update(data)
        self.size += len(data)
        self.rows += data.count(b"\n")
        if self.handle is not None:
            self.handle.write(data)

    def close(self) -> MadeFile:
        self.flush()
        if self.handle is not None:
            self.handle.close()
        return MadeFile(self.digest.hexdigest(), self.size, self.rows)


def made_file(text: str, path: Path | None = None) -> MadeFile:
    output = OutputFile(path)
    output.write(text)
    return output.close()


@dataclass
class Rendered:
    """A release as `build` makes it: every file (data files, README.md, MANIFEST.json, in the
    order a build writes them) as MANIFEST.json describes it, the texts of the card and the
    MANIFEST, and each document's text sha256 as read."""

    version: str
    files: dict[str, MadeFile]
    texts: dict[str, str]  # README.md and MANIFEST.json
    data_sha256: str
    text_sha256: dict[str, str]


def finish_release(
    root: Path,
    version: str,
    data: Mapping[str, MadeFile],
    documents: list[CardDocument],
    first_row: dict[str, Any],
    counts: dict[str, int],
    manifest_documents: dict[str, dict[str, Any]],
    sources: dict[str, str],
) -> tuple[dict[str, MadeFile], dict[str, str], str]:
    """The card and the MANIFEST of a release whose data files are ``data``: (every file, the
    texts of README.md and MANIFEST.json, the data sha256)."""
    combined = data_sha256({path: made.sha256 for path, made in data.items()})
    card = render_card(root, version, documents, first_row, counts, combined, sorted(data))
    files = {**data, "README.md": made_file(card)}
    manifest = {
        "name": CORPUS_NAME,
        "version": version,
        "data_sha256": combined,
        "files": {
            path: {
                "sha256": made.sha256,
                "bytes": made.bytes,
                "rows": made.rows if path.endswith(".jsonl") else None,
            }
            for path, made in sorted(files.items())
        },
        "documents": manifest_documents,
        "counts": counts,
        "sources": sources,
    }
    texts = {"README.md": card, "MANIFEST.json": dumps_pretty(manifest)}
    files["MANIFEST.json"] = made_file(texts["MANIFEST.json"])
    return files, texts, combined


def render_outputs(source: Source) -> dict[str, str]:
    """Every file `build` writes under corpus/, as text, deterministically: the release made in
    memory from a loaded Source (`render_release` makes the same bytes document by document)."""
    files = data_files(source)
    outputs = {path: jsonl_text(rows) for path, rows in files.items()}
    counts = {"documents": len(source.documents), "annotated_documents": len(source.gold)}
    for layer in LAYERS:
        counts[layer] = sum(len(g.get(layer, [])) for g in source.gold.values())
    counts["links"] = len(source.links.get("relations", []))
    _, texts, _ = finish_release(
        source.root,
        source.version,
        {path: made_file(text) for path, text in outputs.items()},
        [card_document(d, source.gold.get(d["doc_id"])) for d in source.documents],
        files["data/documents.jsonl"][0],
        counts,
        {d["doc_id"]: manifest_document(d, d["doc_id"] in source.gold) for d in source.documents},
        source.source_hashes,
    )
    return outputs | texts


def render_release(
    root: Path, staging: Path | None = None, sources: dict[str, str] | None = None
) -> Rendered:
    """The release `build` makes of a checkout, its data files written under ``staging`` (or
    only hashed, for `verify`). Document by document: memory holds one document's text and
    gold at a time, besides a few fields of each document for the MANIFEST and the card.
    Sources with any problem are read again whole by `load_source`, which words every problem
    as it always has and raises them together. ``sources``: the `source_hashes` of the checkout
    when the caller has them already (`verify`), else they are read after the sources."""
    root = Path(root)
    try:
        made = _streamed_release(root, staging, sources)
    except (InputError, InputErrors):
        made = None
    if made is not None:
        return made
    if staging is not None:
        shutil.rmtree(staging / "data", ignore_errors=True)  # what the streamed pass wrote
    source = load_source(root)  # raises the problems the streamed pass met
    outputs = render_outputs(source)
    files = {}
    for rel, text in outputs.items():
        path = None
        if staging is not None and rel.startswith("data/"):
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
        files[rel] = made_file(text, path)
    return Rendered(
        source.version,
        files,
        {rel: outputs[rel] for rel in ("README.md", "MANIFEST.json")},
        json.loads(outputs["MANIFEST.json"])["data_sha256"],
        {d["doc_id"]: sha256_text(d["text"]) for d in reversed(source.documents)},
    )


def document_line(row: Mapping[str, Any], item_texts: Mapping[str, list[str]]) -> str:
    """``dumps_canonical(row)`` and a newline, for a document row whose layer items are
    already written as ``item_texts``: each item is turned into JSON once, for its document row
    and its layer row alike (an object is its members joined by ", " within braces, a list its
    items within brackets)."""
    head = dumps_canonical({k: v for k, v in row.items() if k not in LAYERS})
    layers = "".join(
        f", {dumps_canonical(layer)}: [{', '.join(item_texts[layer])}]" for layer in LAYERS
    )
    return f"{head[:-1]}{layers}}}\n"


def layer_lines(doc_id: str, items: list[Any], item_texts: list[str]) -> Iterator[str]:
    """``dumps_canonical({"doc_id": doc_id, **item})`` and a newline for each item of a layer,
    from the items' JSON."""
    head = f"{{{dumps_canonical('doc_id')}: {dumps_canonical(doc_id)}, "
    for item, text in zip(items, item_texts, strict=True):
        if "doc_id" in item or text == "{}":  # a member of its own there, or nothing to join
            yield dumps_canonical({"doc_id": doc_id, **item}) + "\n"
        else:
            yield f"{head}{text[1:]}\n"


def _streamed_release(
    root: Path, staging: Path | None, sources: dict[str, str] | None
) -> Rendered | None:
    """`render_release` one document at a time; None at the first problem of the sources (and
    for a checkout without documents), which `load_source` then words."""
    version = read_version(root / "corpus" / "CHANGELOG.md")
    meta_path = root / "annotations" / "documents.json"
    raw = read_text(meta_path)
    if not raw.lstrip().startswith("["):
        return None
    metadata = parse_json(raw, meta_path)
    del raw
    if not all(isinstance(r.value, Mapping) for r in metadata):
        return None
    doc_ids = [r.value.get("doc_id") for r in metadata]
    if not all(isinstance(i, str) for i in doc_ids) or len(set(doc_ids)) != len(doc_ids):
        return None
    if not metadata:
        return None
    metadata.sort(key=lambda r: r.value["doc_id"], reverse=True)  # popped in doc_id order
    gold_paths = {p.stem: p for p in sorted((root / "annotations" / "gold").glob("*.json"))}
    links_path = root / "annotations" / "links.json"
    with_links = links_path.exists()
    clusters: set[str] = set()
    entities: set[str] = set()
    entity_types: dict[str, str] = {}
    card_documents, manifest_documents, text_sha256 = [], {}, {}
    counts = {"documents": len(metadata), "annotated_documents": 0}
    counts.update({layer: 0 for layer in LAYERS})
    first_row: dict[str, Any] | None = None
    if staging is not None:
        (staging / "data").mkdir(parents=True, exist_ok=True)
    outputs: dict[str, OutputFile] = {}

    def output(rel: str) -> OutputFile:
        if rel not in outputs:
            outputs[rel] = OutputFile(staging / rel if staging is not None else None)
        return outputs[rel]

    try:
        output("data/documents.jsonl")
        while metadata:  # a record is let go once done: the MANIFEST and card keep their fields
            meta_record = metadata.pop()
            record = with_seed_text(meta_record.value, root / "seeds")
            if record is None or validate_record(record, "document", meta_path, meta_record.line):
                return None
            doc_id, text = record["doc_id"], record["text"]
            gold = None
            path = gold_paths.pop(doc_id, None)
            if path is not None:
                _, found = read_records(path)
                if len(found) != 1:
                    return None
                text_for = {doc_id: text}.get
                if record_problems(found[0], "annotation", path, text_for=text_for):
                    return None
                gold = found[0].value
                if gold["doc_id"] != path.stem:  # one that carries its own text can get here
                    return None
                for mention in gold["entities"]:  # one type per corpus-wide entity id
                    kind = mention["type"]
                    if entity_types.setdefault(mention["entity"], kind) != kind:
                        return None
                if with_links:
                    clusters.update(c["cluster"] for c in gold["claims"])
                    entities.update(e["entity"] for e in gold["entities"])
                counts["annotated_documents"] += 1
            row = document_row(record, gold)
            first_row = row if first_row is None else first_row
            item_texts = {layer: [dumps_canonical(item) for item in row[layer]] for layer in LAYERS}
            output("data/documents.jsonl").write(document_line(row, item_texts))
            for layer in LAYERS:
                counts[layer] += len(row[layer])
                if row[layer]:
                    out = output(f"data/{layer}.jsonl")
                    for line in layer_lines(doc_id, row[layer], item_texts[layer]):
                        out.write(line)
            card_documents.append(card_document(record, gold))
            manifest_documents[doc_id] = manifest_document(record, gold is not None)
            text_sha256[doc_id] = sha256_text(text)
        if gold_paths:  # gold of no document, or under another name: load_source says which
            return None
        links: dict[str, Any] = {"relations": []}
        if with_links:
            links = read_json(links_path)
            known = {"known_clusters": clusters, "known_entities": entities}
            if validate_record(links, "links", links_path, 1, **known):
                return None
        counts["links"] = len(links.get("relations", []))
        if links.get("relations"):
            out = output("data/links.jsonl")
            for row in links_rows(links):
                out.write(dumps_canonical(row) + "\n")
        data = {rel: out.close() for rel, out in outputs.items()}
    finally:
        for out in outputs.values():
            if out.handle is not None:
                out.handle.close()
    order = ["data/documents.jsonl", *(f"data/{layer}.jsonl" for layer in LAYERS)]
    data = {rel: data[rel] for rel in [*order, "data/links.jsonl"] if rel in data}
    files, texts, combined = finish_release(
        root,
        version,
        data,
        card_documents,
        first_row,
        counts,
        manifest_documents,
        source_hashes(root) if sources is None else sources,
    )
    return Rendered(version, files, texts, combined, text_sha256)


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


# The files of a release; everything else in corpus/ (CHANGELOG.md, edited by hand) is a source
# and stays where it is.
GENERATED = ("MANIFEST.json", "README.md", "data")
LOCK_FILE = ".corpus.lock"  # beside corpus/, not in it: the folder itself is swapped
_BUILDING, _RETIRED = ".corpus.build-", ".corpus.old-"
KILL_AT_VARIABLE = "SOURCETRACE_TEST_KILL_AT"


def _step(name: str) -> None:
    """A named point of the publication. Test-only: SOURCETRACE_TEST_KILL_AT=<name> kills the
    build there with SIGKILL, so a test can show that every reader then sees the old release or
    the new one, never a mix. Unset in normal use, where this does nothing."""
    if os.environ.get(KILL_AT_VARIABLE) == name:
        os.kill(os.getpid(), signal.SIGKILL)


@contextmanager
def build_lock(root: Path) -> Iterator[None]:
    """An exclusive lock on the checkout's corpus: two builds at once run one after the other
    instead of deleting each other's files. Released by the kernel if the process dies.
    POSIX only (fcntl), imported here so that readers of a corpus work everywhere."""
    import fcntl

    with open(Path(root) / LOCK_FILE, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def build(root: Path) -> BuildResult:
    """Write corpus/ from the sources, all files or none, under a lock. Refuses to change data
    under an unchanged version and to move the version back."""
    root = Path(root)
    with build_lock(root):
        _step("locked")
        _recover(root)
        return _build_locked(root)


def _build_locked(root: Path) -> BuildResult:
    gold_files = len(list((root / "annotations" / "gold").glob("*.json")))
    corpus = root / "corpus"
    # the data files are written here as they are made, and published from here if they differ
    staging = Path(tempfile.mkdtemp(prefix=_BUILDING, dir=root))
    try:
        reading = f"reading and rendering the corpus ({gold_files} gold file(s))"
        with stage(reading, size=gold_files):
            made = render_release(root, staging)
        old = read_manifest(corpus)  # the last release: the witness of what each version holds
        released = old.get("version") if old else None
        if released is not None and _version_key(made.version) < _version_key(released):
            raise InputError(
                f"the version would move back from {released} to {made.version}; versions only "
                "grow (was a CHANGELOG heading deleted?)",
                file=corpus / "CHANGELOG.md",
                expected=f"a '## X.Y.Z' entry above {released} at the top of corpus/CHANGELOG.md",
            )
        if old and released == made.version and old["data_sha256"] != made.data_sha256:
            raise InputError(
                f"the corpus data would change but the version stays {made.version}; a version "
                "is never silently changed",
                file=corpus / "CHANGELOG.md",
                expected="a new '## X.Y.Z' entry at the top of corpus/CHANGELOG.md saying what "
                "changed and why",
            )
        written, unchanged = [], []
        for rel, file in made.files.items():
            (unchanged if _holds(corpus / rel, file) else written).append(rel)
        data = corpus / "data"
        removed = sorted(
            f"data/{p.name}"
            for p in (data.iterdir() if data.is_dir() else [])
            if f"data/{p.name}" not in made.files
        )
        leftovers = [p for p in corpus.iterdir() if is_temp_name(p.name)] if corpus.is_dir() else []
        if written or removed or leftovers:
            with stage(f"publishing {len(written)} file(s) of the corpus", size=gold_files):
                _publish(root, staging, made)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BuildResult(made.version, written, unchanged, removed)


def _holds(path: Path, made: MadeFile) -> bool:
    """Whether the file at ``path`` holds the bytes of ``made`` (read in chunks, by sha256)."""
    try:
        if not path.is_file() or path.stat().st_size != made.bytes:
            return False
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return False
    return digest.hexdigest() == made.sha256


def publish_steps(files: Iterable[str]) -> list[str]:
    """The named steps of a build that publishes ``files`` (paths under corpus/, in the order
    they are written), where SOURCETRACE_TEST_KILL_AT can stop it (see _step)."""
    steps = ["locked"]
    for rel in files:
        steps += [f"write {rel}", f"fsync {rel}"]
    return [*steps, "carry over", "fsync folder", "swap", "fsync root", "clean up"]


def _publish(root: Path, staging: Path, made: Rendered) -> None:
    """Complete the release in ``staging``, a sibling temp folder that holds its data files
    already, fsync it, and swap it with corpus/ in one rename (RENAME_EXCHANGE): a reader, or
    a build killed at any point, sees the old release or the new one. Hand-edited files of
    corpus/ are carried over as hard links."""
    corpus = root / "corpus"
    for rel in made.files:
        path = staging / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "r+b" if rel not in made.texts else "wb") as handle:
            if rel in made.texts:
                handle.write(made.texts[rel].encode("utf-8"))
            _step(f"write {rel}")
            handle.flush()
            os.fsync(handle.fileno())
        _step(f"fsync {rel}")
        os.chmod(path, 0o666 & ~current_umask())
    for entry in sorted(corpus.iterdir()) if corpus.is_dir() else []:
        if entry.name in GENERATED or is_temp_name(entry.name):
            continue  # leftovers of an interrupted write do not survive a rebuild
        _carry_over(entry, staging / entry.name)
    _step("carry over")
    for folder in (staging / "data", staging):
        _fsync_folder(folder)
    _step("fsync folder")
    if corpus.is_dir():
        _exchange(staging, corpus)
    else:
        os.rename(staging, corpus)
    _step("swap")
    _fsync_folder(root)
    _step("fsync root")
    shutil.rmtree(staging, ignore_errors=True)  # the old release, now under the temp name
    _step("clean up")


def _carry_over(entry: Path, target: Path) -> None:
    if entry.is_dir() and not entry.is_symlink():
        shutil.copytree(entry, target, symlinks=True)
        return
    try:
        os.link(entry, target, follow_symlinks=False)
    except OSError:
        shutil.copy2(entry, target, follow_symlinks=False)


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _exchange(staging: Path, corpus: Path) -> None:
    """Swap two folders atomically (Linux renameat2 RENAME_EXCHANGE); where the system lacks it,
    two renames, with the old release kept under `.corpus.old-*` until the new one is in place
    (a build that dies between them is put back by the next build, see _recover)."""
    if _rename_exchange(staging, corpus):
        return
    retired = staging.with_name(_RETIRED + staging.name.removeprefix(_BUILDING))
    os.rename(corpus, retired)
    _step("retire")
    os.rename(staging, corpus)
    os.rename(retired, staging)  # so that the caller's clean-up removes the old release


def _rename_exchange(a: Path, b: Path) -> bool:
    """True if renameat2(RENAME_EXCHANGE) swapped ``a`` and ``b``; False where unsupported."""
    if os.environ.get("SOURCETRACE_TEST_NO_EXCHANGE"):  # test-only: exercise the fallback
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(error, os.strerror(error), str(b))


def _recover(root: Path) -> None:
    """Undo what a killed build left beside corpus/: put a retired release back if corpus/ is
    gone (the two-rename fallback died in between), and remove unfinished temp folders."""
    corpus = root / "corpus"
    retired = sorted(root.glob(_RETIRED + "*"))
    if not corpus.exists() and retired:
        os.rename(retired.pop(), corpus)
    for leftover in [*retired, *root.glob(_BUILDING + "*")]:
        shutil.rmtree(leftover, ignore_errors=True)


def verify(root: Path) -> list[str]:
    """Every drift between corpus/ and its sources, one sentence each; [] when all is in order."""
    return verify_checkout(root)[1]


def verify_checkout(root: Path) -> tuple[Reading, list[str]]:
    """The one read of a checkout's corpus/ and every drift between it and its sources: the
    folder against its MANIFEST.json (a malformed or missing MANIFEST is a finding), the sources
    against the hashes the MANIFEST recorded, and the release against what a build makes now."""
    root = Path(root)
    corpus = root / "corpus"
    reading = read_release(corpus, thorough=True)
    problems = [str(finding) for finding in reading.findings]
    manifest = reading.manifest
    if manifest is None:  # no MANIFEST to compare the sources with
        return reading, problems
    current = source_hashes(root)
    recorded = manifest.get("sources")
    recorded = recorded if isinstance(recorded, dict) else {}
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
        made = render_release(root, sources=current)
    except (InputError, InputErrors) as exc:  # every source problem is a finding
        problems.append(f"sources do not validate: {exc}")
        return reading, problems
    for doc_id, entry in manifest.get("documents", {}).items():
        text_sha256 = made.text_sha256.get(doc_id)
        if text_sha256 is not None and text_sha256 != entry["text_sha256"]:
            problems.append(
                f"{root / 'seeds' / str(entry.get('seed_file'))}: text sha256 differs from "
                f"MANIFEST.json for {doc_id}"
            )
    if not problems and reading.release is not None:
        problems += _differs_from_a_build(reading.release, made.files)
    return reading, problems


def _differs_from_a_build(release: Release, made: Mapping[str, MadeFile]) -> list[str]:
    """Files of the release (as read, by their sha256) that a build would write otherwise."""
    read = {**release.file_sha256, "MANIFEST.json": release.manifest_sha256}
    hashes = {rel: file.sha256 for rel, file in made.items()}
    return [
        f"{release.folder / rel}: differs from what `sourcetrace corpus build` makes now"
        for rel in sorted(read.keys() | hashes.keys())
        if read.get(rel) != hashes.get(rel)
    ]


def verify_folder(corpus: Path) -> list[str]:
    """A corpus folder checked on its own against its MANIFEST.json (a copy, or a wheel's): every
    file's sha256, the combined data sha256, every document text's sha256, and nothing in the
    folder that the MANIFEST does not list. Without the sources this cannot tell whether the
    build is current; it tells whether the data are the data the MANIFEST describes.
    A size limit that stops the read raises LimitError (exit 2), never a finding."""
    return [str(finding) for finding in read_release(Path(corpus), thorough=True).findings]


def info(corpus: Path) -> dict[str, Any]:
    """Version, hashes and per-document counts of a built corpus folder (one checked read)."""
    release = check_folder(Path(corpus))  # counts are shown under its version
    rows = []
    for doc in release.documents:
        zones = doc.get("zones")
        rows.append(
            {
                "doc_id": doc["doc_id"],
                "story_id": doc.get("story_id"),
                "outlet": doc.get("outlet"),
                "published": doc.get("published"),
                "characters": len(doc["text"]),
                "zones": len(zones) if isinstance(zones, list) else 0,
                "annotated": bool(doc.get("annotated")),
                **{layer: len(doc.get(layer, [])) for layer in LAYERS},
            }
        )
    totals = {layer: sum(r[layer] for r in rows) for layer in LAYERS}
    return {
        "version": release.version,
        "data_sha256": release.data_sha256,
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
    return {str(item.get("id")): item for item in items}


def diff(old: Path, new: Path) -> dict[str, Any]:
    """What a user reads before trusting scores across versions: documents and items that were
    added, removed or changed between two corpus folders."""
    old_release, new_release = check_folder(Path(old)), check_folder(Path(new))
    old_docs = {d["doc_id"]: d for d in old_release.documents}
    new_docs = {d["doc_id"]: d for d in new_release.documents}
    result: dict[str, Any] = {
        "old_version": old_release.version,
        "new_version": new_release.version,
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
        if a.get("text_sha256") != b.get("text_sha256") or a["text"] != b["text"]:
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
