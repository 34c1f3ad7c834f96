"""Reading what `evaluate` scores: the gold (corpus, gold folder or JSONL) and the predictions,
validated record by record, and the checks of which documents and layers they cover."""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sourcetrace.corpus.annotation_files import read_pass
from sourcetrace.corpus.release import Release, check_folder, checked_rows
from sourcetrace.errors import InputError, raise_all
from sourcetrace.evaluation.settings import Settings, check_filters
from sourcetrace.jsonio import Record, canonical_sha256, placed, read_records_with_sha256
from sourcetrace.paths import corpus_dir, path_text
from sourcetrace.schema.columns import clean_count
from sourcetrace.schema.conventions import (
    DEFAULT_END,
    DEFAULT_OFFSETS,
    OURS,
    Convention,
    OffsetConventionWarning,
    diagnose,
    diagnose_and_count,
    record_to_codepoints,
)
from sourcetrace.schema.validation import (
    LAYERS,
    DocIdRegister,
    gold_record_problems,
    record_problems,
    sha256_text,
)


@dataclass
class GoldSet:
    """The gold documents to score against, with the texts and the identity of the data."""

    documents: dict[str, dict[str, Any]]
    texts: dict[str, str]
    version: str
    data_sha256: str
    source: str
    unannotated: frozenset[str] = frozenset()


# ---------------------------------------------------------------- gold


def load_gold(gold: Any = None) -> GoldSet:
    """Gold from the packaged corpus, a corpus folder, a gold JSONL with texts, or records (or a
    GoldSet, or a Release already read: one read of the corpus serves a whole run)."""
    if isinstance(gold, GoldSet):
        return gold
    if isinstance(gold, Release):
        return gold_from_release(gold)
    if gold is None or (isinstance(gold, (str, Path)) and is_corpus_folder(Path(gold))):
        folder = corpus_dir() if gold is None else Path(gold)
        return gold_from_release(check_folder(folder))
    if isinstance(gold, (str, Path)) and Path(gold).is_dir():
        return _gold_from_folder(Path(gold))
    if isinstance(gold, (str, Path)):
        path = Path(gold)
        # not through the columnar checks (schema/columns.py): the records are parsed anyway,
        # and gold's checks cost less than a second parse (10,000 W3 gold records: 0.88 s of
        # CPU against 1.52 s), unlike the predictions' (their convention diagnosis above all)
        _, records, digest = read_records_with_sha256(path)
        return gold_from_records(records, path, "custom", digest, path_text(path))
    records = [Record(value, index + 1) for index, value in enumerate(_records(gold, "gold"))]
    digest = canonical_sha256([r.value for r in records])
    return gold_from_records(records, "<gold>", "custom", digest, "<python>")


def gold_from_release(release: Release) -> GoldSet:
    """The gold of a checked release: its rows and its signature come from the same one read."""
    folder, rows = release.folder, release.documents
    annotated = [row["doc_id"] for row in rows if row.get("annotated")]
    checked_rows(release, annotated, kinds=("annotation",))  # gold `build` would not write: refused
    texts = {row["doc_id"]: row["text"] for row in rows}
    documents = {
        row["doc_id"]: {
            "doc_id": row["doc_id"],
            "text": row["text"],
            **{layer: row.get(layer, []) for layer in LAYERS},
        }
        for row in rows
        if row.get("annotated")
    }
    version = release.version
    if not documents:
        raise InputError(
            f"corpus {version} has no gold annotations yet, so there is nothing to score against",
            file=folder / "data" / "documents.jsonl",
            expected="a corpus version with annotated documents, or --gold PATH (a gold JSONL "
            "with the document texts)",
        )
    return GoldSet(
        documents,
        texts,
        version,
        release.data_sha256,
        path_text(folder),
        frozenset(texts) - frozenset(documents),
    )


def is_corpus_folder(path: Path) -> bool:
    """A built corpus folder (its MANIFEST.json or data/documents.jsonl: one without the other is
    refused by the check), as against a folder of gold files."""
    return path.is_dir() and (
        (path / "MANIFEST.json").exists() or (path / "data" / "documents.jsonl").exists()
    )


def _gold_from_folder(folder: Path) -> GoldSet:
    """`annotations/gold` or a pass folder: <doc_id>.json files bound to the corpus texts."""
    from sourcetrace.corpus.texts import corpus_texts

    texts = corpus_texts()
    documents = {
        doc_id: {**annotation, "text": texts[doc_id]}
        for doc_id, annotation in read_pass(folder, texts).items()
    }
    digest = canonical_sha256([documents[d] for d in sorted(documents)])
    return GoldSet(
        documents, texts, "custom", digest, path_text(folder), frozenset(texts) - set(documents)
    )


def gold_from_records(
    records: list[Record], file: Any, version: str, digest: str, source: str
) -> GoldSet:
    """Gold records (each with its text) validated: all problems at once, as InputErrors."""
    problems: list[InputError] = []
    documents: dict[str, dict[str, Any]] = {}
    register = DocIdRegister()
    for record in records:
        found = gold_record_problems(record, file, register)
        problems += found
        if not found:
            documents[record.value["doc_id"]] = dict(record.value)
    raise_all(placed(problems))
    if not documents:
        raise InputError(
            "the gold holds no document", file=file, expected="at least one gold record"
        )
    return GoldSet(documents, {d: v["text"] for d, v in documents.items()}, version, digest, source)


def _records(value: Any, what: str) -> list[Any]:
    """Records handed over from Python: a list (or other iterable) of dicts, never a bare value
    such as None, a number or one dict, which would fail deep inside with a TypeError."""
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise InputError(
            f"{what} is a {type(value).__name__}",
            file=f"<{what}>",
            expected="a path to a .jsonl/.json file or folder, or a list of records"
            + (", or a dict doc_id -> record" if what == "predictions" else ""),
        )
    return list(value)


# ---------------------------------------------------------------- predictions


@dataclass
class Predictions:
    documents: dict[str, dict[str, Any]]
    source: str
    sha256: str
    where: dict[str, str] = field(default_factory=dict)  # doc_id -> "file, line N"
    # the layers that some record of the whole input has, those of other shards included: a
    # shard infers the run's layers even when none of its own documents has a record
    layers_in_input: tuple[str, ...] | None = None


@dataclass(frozen=True)
class RecordsRead:
    """Prediction records already read from ``file`` (a shard's lines of it, read by byte
    range), with the identity of the whole file: read as if the file held only these."""

    file: Path
    records: list[Record]
    source: str
    sha256: str
    # the columnar checks found these records clean, read in our convention (schema/columns.py)
    clean: bool = False
    # adds up the records' `misfit_counts` (a run read a chunk at a time): none for clean records
    misfits: Counter[Any] | None = None


def reading_options(options: Mapping[str, Any]) -> tuple[Convention, dict[str, Any]]:
    """The offset convention of the predictions (``offsets``, ``end``) and the other options
    (the settings): how a file is read is not a setting of the scores."""
    rest = dict(options)
    offsets, end = rest.pop("offsets", DEFAULT_OFFSETS), rest.pop("end", DEFAULT_END)
    return Convention(offsets, end), rest


def load_predictions(
    predictions: Any,
    gold: GoldSet,
    within: Callable[[Any], bool] | None = None,
    convention: Convention = OURS,
) -> Predictions:
    """Read JSONL / JSON / a folder of per-document JSON files / records, validating everything.

    ``within(doc_id)`` keeps (and validates) only some records, the rest being another shard's
    business: see partials.py, whose shards together validate every record. ``convention``:
    how the file counts its offsets; spans are read into code points before validation, and a
    file that seems to count otherwise is said (with the problems, or as a warning)."""
    problems: list[InputError] = []
    items: list[tuple[Any, Record]] = []
    clean = False  # the columnar checks found the whole input clean: no record to check
    misfits: Counter[Any] | None = None
    if isinstance(predictions, (str, Path)):
        path = Path(predictions)
        if not path.exists():
            raise InputError(
                "file not found",
                file=path,
                expected="a predictions .jsonl/.json file or a folder of them",
            )
        files = (
            sorted(p for p in path.iterdir() if p.suffix in (".json", ".jsonl"))
            if path.is_dir()
            else [path]
        )
        if not files:
            raise InputError(
                "folder has no .json or .jsonl files",
                file=path,
                expected="one JSON file per document, or a predictions.jsonl",
            )
        if within is None and convention.is_ours and len(files) == 1 and not path.is_dir():
            # the whole file checked on columns (schema/columns.py): when clean, no record
            # meets record_problems and nothing is diagnosed (10,000 W3 predictions: 3.2 s of
            # CPU for reading and checking, against 7.0 s record by record)
            clean = clean_count(path, "prediction", gold.texts.get) is not None
        file_hashes = []
        for file in files:
            _, records, file_sha256 = read_records_with_sha256(file)
            file_hashes.append(f"{file.name} {file_sha256}\n")
            items += [(file, record) for record in records]
        # one file: its own sha256 (what sha256sum prints); a folder: a hash of the file hashes
        sha = file_sha256 if not path.is_dir() else sha256_text("".join(file_hashes))
        source = path_text(path)
    elif isinstance(predictions, RecordsRead):
        items = [(predictions.file, record) for record in predictions.records]
        source, sha = predictions.source, predictions.sha256
        clean = predictions.clean and within is None and convention.is_ours
        misfits = predictions.misfits
    elif isinstance(predictions, Mapping):
        items = [
            ("<predictions>", Record(dict(v, doc_id=k), i + 1))
            for i, (k, v) in enumerate(sorted(predictions.items()))
        ]
        source, sha = "<python>", ""
    else:
        records = _records(predictions, "predictions")
        items = [("<predictions>", Record(v, i + 1)) for i, v in enumerate(records)]
        source, sha = "<python>", ""
    documents: dict[str, dict[str, Any]] = {}
    register = DocIdRegister("one prediction record per document")
    seen_layers: set[str] = set()
    kept: list[Any] = []
    for file, record in items:
        value = record.value
        if isinstance(value, Mapping):
            seen_layers.update(layer for layer in LAYERS if layer in value)
        if within is not None and not within(_doc_id_of(value)):
            continue
        kept.append(value)
        found = _text_mismatch(value, gold, file, record.line)
        if not found:
            value, found = record_to_codepoints(
                value, _text_of(value, gold), convention, file, record.line
            )
            record = Record(value, record.line, record.plain_json)
        if not found and not clean:
            found = record_problems(record, "prediction", file, text_for=gold.texts.get)
        found += register.check(value, file, record.line)
        if not found:
            documents[value["doc_id"]] = value
        problems += found
    diagnosis = None  # a clean input's spans all fit as asked: nothing to diagnose or count
    if not clean and misfits is not None:
        diagnosis, counts = diagnose_and_count(
            kept, gold.texts, offsets=convention.offsets, end=convention.end
        )
        misfits.update(counts)
    elif not clean:
        diagnosis = diagnose(kept, gold.texts, offsets=convention.offsets, end=convention.end)
    if diagnosis is not None and problems:
        problems.insert(0, InputError(diagnosis.message(source)))
    elif diagnosis is not None:
        warnings.warn(diagnosis.message(source), OffsetConventionWarning, stacklevel=2)
    raise_all(placed(problems))
    if not sha:
        sha = canonical_sha256(list(documents.values()))
    layers = tuple(layer for layer in LAYERS if layer in seen_layers)
    return Predictions(documents, source, sha, register.first, layers)


def _text_of(value: Any, gold: GoldSet) -> str | None:
    doc_id = _doc_id_of(value)
    return gold.texts.get(doc_id) if isinstance(doc_id, str) else None


def _doc_id_of(value: Any) -> Any:
    return value.get("doc_id") if isinstance(value, Mapping) else None


def _text_mismatch(value: Any, gold: GoldSet, file: Any, line: int) -> list[InputError]:
    """A prediction that carries a text must carry the gold's text: offsets mean nothing else."""
    if not isinstance(value, Mapping) or not isinstance(value.get("text"), str):
        return []
    doc_id = value.get("doc_id")
    gold_text = gold.texts.get(doc_id) if isinstance(doc_id, str) else None
    if gold_text is None or value["text"] == gold_text:
        return []
    return [
        InputError(
            f"the prediction's text differs from the gold text of {value['doc_id']!r}: it was "
            "made on another text",
            file=file,
            line=line,
            pointer="/text",
            expected=f"the gold text (sha256 {sha256_text(gold_text)[:12]}...), or no text",
        )
    ]


# ---------------------------------------------------------------- scoring


def scored_layers(predictions: Predictions, settings: Settings) -> tuple[str, ...]:
    """Requested layers, or every layer that at least one prediction record of the input has
    (of every shard: a shard without records scores the layers of the run).

    A scored layer must be in every record: a record without it would be scored as "found
    nothing" by accident, so that is refused ([] says "found nothing" on purpose).
    """
    if settings.layers:
        layers = tuple(layer for layer in LAYERS if layer in settings.layers)
    elif predictions.layers_in_input is not None:
        layers = predictions.layers_in_input
    else:
        layers = tuple(
            layer for layer in LAYERS if any(layer in doc for doc in predictions.documents.values())
        )
    problems = [
        InputError(
            f"the record of {doc_id!r} has no {layer!r} layer, which is scored",
            file=predictions.where.get(doc_id, predictions.source),
            pointer=f"/{layer}",
            expected=f'"{layer}": [] for "found nothing", or --layers without {layer}',
        )
        for layer in layers
        for doc_id, doc in sorted(predictions.documents.items())
        if layer not in doc
    ]
    raise_all(problems)
    check_filters(settings, layers)
    return layers


def check_coverage(
    gold: GoldSet, predictions: Predictions, settings: Settings, source: str
) -> tuple[list[str], list[str]]:
    """Missing and unknown documents: errors, or (missing="empty") documents scored as empty."""
    unknown = sorted(set(predictions.documents) - set(gold.texts))
    if unknown:
        raise InputError(
            f"predictions for unknown document(s): {', '.join(unknown[:10])}",
            file=source,
            pointer="/doc_id",
            expected="doc ids of the gold: " + ", ".join(sorted(gold.texts)[:10]),
        )
    missing = sorted(set(gold.documents) - set(predictions.documents))
    if missing and settings.missing == "error":
        raise InputError(
            f"{len(missing)} gold document(s) have no prediction: {', '.join(missing[:10])}",
            file=source,
            expected="one prediction line per gold document, or --missing empty to score "
            "missing documents as 'found nothing'",
        )
    unscored = sorted(set(predictions.documents) & gold.unannotated)
    return missing, unscored
