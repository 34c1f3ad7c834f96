"""Shards that read only their own lines: the parent indexes each JSON Lines input once (the
byte offset of every line and its `doc_id`, read by a cheap scan, not a parse), and each shard
reads, validates and scores the byte ranges of its documents in the gold and the predictions.
The partials merge into the one-process report (partials.py), byte for byte.

The scan only routes a line: every line is parsed, and every message worded, by the readers of
`jsonio` in the shard that owns it. A line the scan cannot place (another key first, escapes in
the id, a byte-order mark, a blank line) is parsed in the parent to find its `doc_id`; a line
that does not parse there, or a shard that meets a line that does not parse, makes the parent
read the whole file through as one process does (one line at a time), so that the error is the
one a single process gives.

Shards read by path, so every worker must see the files at the same absolute paths (a shared
file system); a file changed after it was indexed (size or modification time) is refused.
"""

from __future__ import annotations

import hashlib
import os
import re
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from sourcetrace.errors import InputError, InputErrors, raise_all
from sourcetrace.evaluation.inputs import (
    GoldSet,
    Predictions,
    RecordsRead,
    gold_from_records,
    is_corpus_folder,
    load_predictions,
    reading_options,
)
from sourcetrace.evaluation.partials import (
    ids_sha256,
    merge_partials,
    shard_documents,
    shard_partial,
)
from sourcetrace.evaluation.run import (
    comparing_stage,
    evaluate,
    evaluate_with_explanations,
    explanations_of,
    reading_stage,
    scoring_stage,
)
from sourcetrace.evaluation.settings import make_settings
from sourcetrace.jsonio import Record, jsonl_line_bounds, raise_reading_error, record_of_line
from sourcetrace.paths import corpus_dir, path_text
from sourcetrace.progress import reporting, stage
from sourcetrace.schema.column_records import BufferLines, ChunkRecords
from sourcetrace.schema.columns import clean_lines_count, clean_lines_table
from sourcetrace.schema.conventions import (
    Convention,
    OffsetConventionWarning,
    never_diagnosed,
)
from sourcetrace.schema.validation import LAYERS

# a line that starts as every writer we know writes a record: `{"doc_id": "...",` with no
# escape in the id; anything else is placed by a parse
_DOC_ID_FIRST = re.compile(rb'\{[ \t]*"doc_id"[ \t]*:[ \t]*"([^"\\]*)"')
Line = tuple[int, int, int]  # (line number, byte offset, length without the "\n")
DOCUMENTS = "data/documents.jsonl"


@dataclass(frozen=True)
class LineIndex:
    """Where each record of a JSON Lines file is: its lines by doc_id (None: a record whose
    doc_id is not a string), and the file's sha256, size and modification time."""

    path: Path  # as the user named it (messages)
    read_at: str  # absolute (workers with another working directory)
    sha256: str
    size: int
    mtime_ns: int
    lines: dict[str | None, list[Line]]


@dataclass(frozen=True)
class FileRanges:
    """The lines of one file that one shard reads."""

    path: Path
    read_at: str
    sha256: str
    size: int
    mtime_ns: int
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class ShardSpec:
    """Everything one shard needs: its lines of each input and the facts of the whole run."""

    shard: tuple[int, int]
    gold: FileRanges
    gold_kind: str  # "jsonl" (a gold JSONL) or "release" (a corpus folder's documents.jsonl)
    gold_facts: Mapping[str, Any]  # version, data_sha256, source, annotated (release)
    whole: Mapping[str, Any]  # partials.whole_gold of the run
    predictions: FileRanges
    compare: FileRanges | None
    options: Mapping[str, Any]


@dataclass
class LoadedShard:
    """A shard's gold and predictions, read and validated (phase 1 of a ranged run)."""

    spec: ShardSpec
    gold: GoldSet
    predictions: Predictions


# ---------------------------------------------------------------- the index (parent)


def index_jsonl(path: str | Path) -> LineIndex:
    """One pass over a JSON Lines file: the lines of each doc_id, and the file's identity."""
    path = Path(path)
    before = _stat(path)
    digest = hashlib.sha256()
    lines: dict[str | None, list[Line]] = {}
    for number, offset, buffer, start, end in jsonl_line_bounds(path, digest):
        doc_id = _scanned_doc_id(buffer, start, end)
        if doc_id is False:
            raw = buffer[start:end]
            try:
                record = record_of_line(raw, number, offset, path)
            except InputError:
                raise_reading_error(path)  # the one-process message, which comes first
                raise
            if record is None:
                continue  # a blank line
            value = record.value
            found = value.get("doc_id") if isinstance(value, Mapping) else None
            doc_id = found if isinstance(found, str) else None
        lines.setdefault(doc_id, []).append((number, offset, end - start))
    if not lines:
        raise_reading_error(path)  # "file has no JSON lines"
    if _stat(path) != before:
        raise _changed(path)
    return LineIndex(path, os.path.abspath(path), digest.hexdigest(), *before, lines)


def _scanned_doc_id(buffer: bytes, start: int, end: int) -> str | bool:
    """The doc_id of the line ``buffer[start:end]`` when it starts as writers write it; False
    when it must be parsed to be known."""
    match = _DOC_ID_FIRST.match(buffer, start, end)
    if match is None:
        return False
    try:
        return match.group(1).decode("utf-8")
    except UnicodeDecodeError:
        return False


def _stat(path: Path) -> tuple[int, int]:
    try:
        found = os.stat(path)
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", file=path) from None
    return found.st_size, found.st_mtime_ns


def _changed(path: Path) -> InputError:
    return InputError(
        "the file changed while the shards read it (its size or modification time)",
        file=path,
        expected="input files that stay as they are during the run",
    )


def ranges_of(index: LineIndex, lines: Iterable[Line]) -> FileRanges:
    return FileRanges(
        index.path,
        index.read_at,
        index.sha256,
        index.size,
        index.mtime_ns,
        tuple(sorted(lines, key=lambda line: line[1])),
    )


def supports_ranges(predictions: Any, gold: Any, compare: Any) -> bool:
    """Whether the inputs are files that shards can read by byte range: predictions (and the
    compared system) in one JSON Lines file, gold from a corpus folder or a gold JSONL."""

    def jsonl_file(value: Any) -> bool:
        return (
            isinstance(value, (str, Path))
            and Path(value).suffix.lower() == ".jsonl"
            and Path(value).is_file()
        )

    gold_ok = gold is None or (
        isinstance(gold, (str, Path)) and (is_corpus_folder(Path(gold)) or jsonl_file(gold))
    )
    return jsonl_file(predictions) and (compare is None or jsonl_file(compare)) and gold_ok


@dataclass(frozen=True)
class GoldIndex:
    """The gold as the parent knows it: its lines, every corpus document id, and its facts."""

    index: LineIndex
    kind: str
    doc_ids: list[str]
    facts: dict[str, Any]
    whole: dict[str, Any]


def index_gold(gold: Any) -> GoldIndex:
    """A gold JSONL indexed; a corpus folder checked as one process checks it (MANIFEST,
    sha256 of every file, row shapes, text hashes: `check_folder`), its documents indexed."""
    if gold is not None and not is_corpus_folder(Path(gold)):
        index = index_jsonl(gold)
        doc_ids = sorted(doc_id for doc_id in index.lines if doc_id is not None)
        facts = {"version": "custom", "data_sha256": index.sha256, "source": path_text(gold)}
        whole = {
            "corpus": {**facts, "documents": len(doc_ids)},
            "gold_documents": ids_sha256(doc_ids),
        }
        return GoldIndex(index, "jsonl", doc_ids, facts, whole)
    from sourcetrace.corpus.release import check_folder

    folder = corpus_dir() if gold is None else Path(gold)
    release = check_folder(folder)
    annotated = sorted(row["doc_id"] for row in release.documents if row.get("annotated"))
    if not annotated:  # one process's message (load_gold)
        from sourcetrace.evaluation.inputs import gold_from_release

        gold_from_release(release)
    doc_ids = sorted(row["doc_id"] for row in release.documents)
    manifest, checked_sha256 = release.manifest, release.file_sha256[DOCUMENTS]
    del release  # the shards read their rows again, by byte range
    index = index_jsonl(folder / DOCUMENTS)
    if index.sha256 != checked_sha256:
        raise _changed(folder / DOCUMENTS)
    facts = {
        "version": manifest["version"],
        "data_sha256": manifest["data_sha256"],
        "source": path_text(folder),
        "annotated": annotated,
    }
    whole = {
        "corpus": {
            "version": facts["version"],
            "data_sha256": facts["data_sha256"],
            "source": facts["source"],
            "documents": len(annotated),
        },
        "gold_documents": ids_sha256(annotated),
    }
    return GoldIndex(index, "release", doc_ids, facts, whole)


def shard_specs(
    predictions: Any,
    gold: Any = None,
    *,
    shards: int,
    compare: Any = None,
    gold_index: GoldIndex | None = None,
    **options: Any,
) -> list[ShardSpec]:
    """The ``shards`` shards of a run, each with the byte ranges of its documents in every
    input. Shard k has the k-th block of the sorted corpus ids (`shard_documents`); shard 1
    also has every record whose doc_id is no corpus document, so each record is read once."""
    make_settings(**reading_options(options)[1])  # bad settings refused before any shard
    gold_index = gold_index or index_gold(gold)
    known = set(gold_index.doc_ids)
    inputs = {"predictions": index_jsonl(predictions)}
    if compare is not None:
        inputs["compare"] = index_jsonl(compare)
    specs = []
    for k in range(1, shards + 1):
        mine = shard_documents(gold_index.doc_ids, (k, shards))

        def lines_of(index: LineIndex, *, first: bool = k == 1, mine: list = mine) -> list[Line]:
            found = [line for doc_id in mine for line in index.lines.get(doc_id, ())]
            if first:
                found += [
                    line
                    for doc_id, lines in index.lines.items()
                    if doc_id is None or doc_id not in known
                    for line in lines
                ]
            return found

        specs.append(
            ShardSpec(
                (k, shards),
                ranges_of(gold_index.index, lines_of(gold_index.index)),
                gold_index.kind,
                gold_index.facts,
                gold_index.whole,
                ranges_of(inputs["predictions"], lines_of(inputs["predictions"])),
                ranges_of(inputs["compare"], lines_of(inputs["compare"]))
                if compare is not None
                else None,
                dict(options),
            )
        )
    return specs


# ---------------------------------------------------------------- a shard (worker)


def read_lines(ranges: FileRanges) -> list[Record]:
    """The records of a shard's lines, each read as `iter_jsonl_records` reads it, from one
    read of each run of adjacent lines."""
    return _records_of(ranges, _raw_lines(ranges))


def _raw_lines(ranges: FileRanges) -> list[tuple[int, int, bytes]]:
    """(line number, byte offset, bytes) of a shard's lines, from one read of each run of
    adjacent lines."""
    return [line for run in _read_runs(ranges) for line in run]


def _read_runs(ranges: FileRanges) -> list[BufferLines]:
    """A shard's lines, one `BufferLines` per run of adjacent lines (one read each)."""
    path = Path(ranges.path)
    if _stat(Path(ranges.read_at)) != (ranges.size, ranges.mtime_ns):
        raise _changed(path)
    runs: list[BufferLines] = []
    try:
        handle = open(ranges.read_at, "rb")  # noqa: SIM115 (closed below, errors worded)
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", file=path) from None
    with handle:
        for run in _runs(ranges.lines):
            first_offset = run[0][1]
            handle.seek(first_offset)
            data = handle.read(run[-1][1] + run[-1][2] - first_offset)
            runs.append(BufferLines(data, first_offset, run))
    return runs


def _joined_lines(ranges: FileRanges) -> tuple[bytes, Sequence[tuple[int, int, bytes]]]:
    """A shard's lines joined by newlines, and the lines. One run of adjacent lines (a chunk
    of a file in doc_id order) is its read bytes as they are: each of its lines ends where a
    newline starts the next, so the read equals the join, and no line is copied out of it."""
    runs = _read_runs(ranges)
    if len(runs) == 1:
        return runs[0].data, runs[0]
    lines = [line for run in runs for line in run]
    return b"\n".join(raw for _, _, raw in lines), lines


def _records_of(ranges: FileRanges, lines: list[tuple[int, int, bytes]]) -> list[Record]:
    path = Path(ranges.path)
    records = [record_of_line(raw, number, offset, path) for number, offset, raw in lines]
    return [record for record in records if record is not None]


def _runs(lines: Sequence[Line]) -> list[list[Line]]:
    """Lines in runs that follow each other in the file (one read each)."""
    runs: list[list[Line]] = []
    for line in lines:
        if runs and runs[-1][-1][1] + runs[-1][-1][2] + 1 == line[1]:
            runs[-1].append(line)
        else:
            runs.append([line])
    return runs


def read_shard(
    spec: ShardSpec, misfits: Counter[Any] | None = None, *, columnar: bool = False
) -> LoadedShard:
    """Phase 1: a shard's gold and predictions read from their byte ranges and validated.
    ``misfits``: adds up the predictions' `misfit_counts` (a run read in chunks).
    ``columnar``: a gold JSONL's lines and the predictions' are parsed into columns and
    checked there (`columns.clean_lines_table`); clean ones are kept as `ColumnRecord`s, read
    by the entity scorer from their columns (a run that scores entities only: the others read
    every record's value, which the record path makes at less cost)."""
    convention, _ = reading_options(spec.options)
    gold = _column_gold(spec) if columnar and convention.is_ours else None
    if gold is not None:
        predictions = _column_predictions(spec.predictions, gold)
        if predictions is not None:
            return LoadedShard(spec, gold, predictions)
    else:
        gold = _shard_gold(spec)
    predictions = load_predictions(
        _records_read(spec.predictions, gold, convention, misfits), gold, None, convention
    )
    return LoadedShard(spec, gold, predictions)


def _records_read(
    ranges: FileRanges, gold: GoldSet, convention: Convention, misfits: Counter[Any] | None
) -> RecordsRead:
    """A shard's prediction records, marked clean when the columnar checks find them so (then
    `load_predictions` checks, counts and diagnoses none of them; it counts the misfits of the
    others into ``misfits``, when given)."""
    lines = _raw_lines(ranges)
    records = _records_of(ranges, lines)
    clean = (
        convention.is_ours
        and len(records) == len(lines)  # no blank line: each line one record
        and clean_lines_count(
            b"\n".join(raw for _, _, raw in lines),
            "prediction",
            gold.texts.get,
            file_bytes=ranges.size,
        )
        == len(records)
    )
    return RecordsRead(ranges.path, records, path_text(ranges.path), ranges.sha256, clean, misfits)


def _clean_chunk(
    ranges: FileRanges, kind: str, text_for: Callable[[str], str | None] | None
) -> ChunkRecords | None:
    """The shard's lines of ``ranges`` as `ChunkRecords` when the columnar checks find every
    one clean (and its strings valid UTF-8, which the reader of jsonio asks), else None."""
    data, lines = _joined_lines(ranges)
    if not lines:
        return None
    table = clean_lines_table(data, kind, text_for, file_bytes=ranges.size)
    if table is None or table.num_rows != len(lines):
        return None
    import pyarrow as pa

    try:
        table.validate(full=True)  # the reader leaves a string's UTF-8 to us
    except pa.ArrowInvalid:
        return None
    return ChunkRecords(Path(ranges.path), lines, table)


def _column_gold(spec: ShardSpec) -> GoldSet | None:
    """A gold JSONL shard whose records the columns find clean, each with its text (what
    `gold_from_records` asks); None when not certain (the record path reads it)."""
    if spec.gold_kind != "jsonl":
        return None
    chunk = _clean_chunk(spec.gold, "annotation", None)
    if chunk is None or chunk.table.column("text").null_count:
        return None
    facts = spec.gold_facts
    records = chunk.records()
    texts = chunk.table.column("text").to_pylist()
    return GoldSet(
        dict(zip(chunk.doc_ids, records, strict=True)),
        dict(zip(chunk.doc_ids, texts, strict=True)),
        facts["version"],
        facts["data_sha256"],
        facts["source"],
    )


def _column_predictions(ranges: FileRanges, gold: GoldSet) -> Predictions | None:
    """The shard's predictions when the columns find them clean and each text they carry is
    the gold's (`load_predictions` of a clean input: no record checked, nothing diagnosed);
    None when not certain (the record path reads them)."""
    chunk = _clean_chunk(ranges, "prediction", gold.texts.get)
    if chunk is None:
        return None
    own = chunk.table.column("text")
    if own.null_count != len(own):
        for doc_id, text in zip(chunk.doc_ids, own.to_pylist(), strict=True):
            if text is not None and text != gold.texts.get(doc_id):
                return None  # `load_predictions` words it
    records = chunk.records()
    file = ranges.path
    where = {
        doc_id: f"{file}, line {number}"
        for doc_id, number in zip(chunk.doc_ids, chunk.line_numbers(), strict=True)
    }
    layers = tuple(layer for layer in LAYERS if np.any(chunk.present(layer)))
    return Predictions(
        dict(zip(chunk.doc_ids, records, strict=True)),
        path_text(ranges.path),
        ranges.sha256,
        where,
        layers,
    )


def layers_seen(loaded: LoadedShard) -> tuple[str, ...]:
    """The layers some prediction record of this shard has."""
    return loaded.predictions.layers_in_input or ()


def run_layers(seen: Iterable[Iterable[str]]) -> tuple[str, ...]:
    """The layers of the whole input: those some record of some shard has."""
    found = {layer for layers in seen for layer in layers}
    return tuple(layer for layer in LAYERS if layer in found)


def score_shard(
    loaded: LoadedShard, layers: tuple[str, ...], misfits: Counter[Any] | None = None
) -> dict[str, Any]:
    """Phase 2: the partial of a read shard, scoring the layers of the whole input; kept in
    memory (its tallies as tables) for `merge_partials(from_memory=True)`. ``misfits``: adds up
    the compared system's `misfit_counts` (a run read in chunks)."""
    spec = loaded.spec
    convention, rest = reading_options(spec.options)
    settings = make_settings(**rest)
    predictions = replace(loaded.predictions, layers_in_input=layers)
    compare = None
    if spec.compare is not None:
        other = _records_read(spec.compare, loaded.gold, convention, misfits)
        compare = (other, loaded.gold, None)
    return shard_partial(
        loaded.gold,
        predictions,
        settings,
        shard=spec.shard,
        whole=spec.whole,
        compare=compare,
        convention=convention,
        in_memory=True,
    )


def _shard_gold(spec: ShardSpec) -> GoldSet:
    # the gold stays on the record path here, unlike the predictions (`_records_read`): its
    # checks cost less than the columnar ones, which parse its texts again (10,000 documents,
    # CPU: W1 0.45 s against 0.75 s, W3 0.83 s against 1.19 s, sparse W1 0.18 s against
    # 0.29 s), when every record's value is made anyway; a run scoring entities only parses
    # each line once, into columns (`_column_gold`)
    records = read_lines(spec.gold)
    path = Path(spec.gold.path)
    facts = spec.gold_facts
    if not records:  # more shards than documents: an empty shard
        return GoldSet({}, {}, facts["version"], facts["data_sha256"], facts["source"])
    if spec.gold_kind == "jsonl":
        return gold_from_records(
            records, path, facts["version"], facts["data_sha256"], facts["source"]
        )
    from sourcetrace.corpus.release import record_problems

    annotated = set(facts["annotated"])
    problems: list[InputError] = []
    texts: dict[str, str] = {}
    documents: dict[str, dict[str, Any]] = {}
    for record in records:  # rows the parent's check_folder found well shaped
        row = record.value
        texts[row["doc_id"]] = row["text"]
        if row["doc_id"] in annotated:
            problems += record_problems(row, path, record.line, ("annotation",))
            documents[row["doc_id"]] = {
                "doc_id": row["doc_id"],
                "text": row["text"],
                **{layer: row.get(layer, []) for layer in LAYERS},
            }
    raise_all(problems)
    return GoldSet(
        documents,
        texts,
        facts["version"],
        facts["data_sha256"],
        facts["source"],
        frozenset(texts) - frozenset(documents),
    )


# ---------------------------------------------------------------- a run, and its errors


def one_process_error(
    error: InputError | InputErrors, specs: Sequence[ShardSpec]
) -> InputError | InputErrors:
    """The error one process gives first when a shard refused a file that does not read (a
    malformed line, a byte that is not UTF-8): that file read through; else the shard's."""
    problems = error.problems if isinstance(error, InputErrors) else [error]
    named = {str(problem.file) for problem in problems}
    if specs:
        spec = specs[0]
        files = [spec.gold, spec.predictions] + ([spec.compare] if spec.compare else [])
        for ranges in files:
            if spec.gold_kind == "release" and ranges is spec.gold:
                continue  # checked whole by the parent: a shard's problem is a validation
            if str(ranges.path) in named:
                try:
                    raise_reading_error(ranges.path)
                except InputError as first:
                    return first
    return error


def evaluate_in_ranges(
    predictions: Any,
    gold: Any = None,
    *,
    shards: int = 1,
    compare: Any = None,
    per_document: bool = False,
    **options: Any,
) -> dict[str, Any]:
    """The report of `evaluate`, as ``shards`` shards that each read only their byte ranges,
    run one after the other in this process and merged: what `evaluate --workers` runs on
    Dask (the same functions), in one process."""
    specs = shard_specs(predictions, gold, shards=shards, compare=compare, **options)
    return run_specs(specs, per_document=per_document, submit=_in_process, results=list)


def _in_process(function: Callable[..., Any], calls: list[tuple[Any, ...]]) -> list[Any]:
    return [function(*arguments) for arguments in calls]


def run_specs(
    specs: Sequence[ShardSpec],
    *,
    per_document: bool,
    submit: Callable[[Callable[..., Any], list[tuple[Any, ...]]], list[Any]],
    results: Callable[[list[Any]], list[Any]],
) -> dict[str, Any]:
    """Read every shard, find the layers of the whole input, score every shard, merge.
    ``submit(function, calls)``: a handle on ``function(*call)`` for each call (the result
    itself, or a Dask future: a shard read on a worker stays there for its scoring);
    ``results(handles)``: their values."""
    try:
        loaded = submit(read_shard, [(spec,) for spec in specs])
        layers = run_layers(results(submit(layers_seen, [(shard,) for shard in loaded])))
        partials = results(submit(score_shard, [(shard, layers) for shard in loaded]))
    except (InputError, InputErrors) as error:
        raise one_process_error(error, specs) from None
    return merge_partials(partials, per_document=per_document, from_memory=True)


# ---------------------------------------------------------------- chunks: read, checked, scored

# gold documents per chunk of a run read a chunk at a time (one process, and the tasks of
# --workers): memory holds one chunk's parsed documents (W3: about 150 MB per 1,000); smaller
# chunks save little more and cost a pass of the scorers' set-up each (docs/scale.md)
CHUNK_DOCUMENTS = 1000
# a plain run's chunks hold more documents when they are small: about this many bytes of gold
# each (1,000 W1 documents hold 9 MB); each chunk costs a pass of the scorers' and the checks'
# set-up, which the documents of sparse W1 (3 KB each) do not outweigh (`documents_per_chunk`)
CHUNK_GOLD_BYTES = 9_000_000
READ_AHEAD = 2


class ReadWhole(Exception):
    """This run cannot be scored a chunk at a time: it is scored with every document read."""


def first_record_layers(specs: Sequence[ShardSpec]) -> tuple[str, ...]:
    """The layers of the predictions' first record: in a run that succeeds, those of every
    record (a layer some record has is scored, and then refused in a record without it)."""
    first = min(
        (spec.predictions for spec in specs if spec.predictions.lines),
        key=lambda ranges: ranges.lines[0][1],
        default=None,
    )
    if first is None:
        raise ReadWhole
    (record,) = read_lines(replace(first, lines=first.lines[:1]))
    if not isinstance(record.value, Mapping):
        raise ReadWhole  # one process says what is wrong with it
    return tuple(layer for layer in LAYERS if layer in record.value)


def chunk_partial(
    spec: ShardSpec, layers: tuple[str, ...], misfits: Mapping[str, Counter[Any]] | None = None
) -> dict[str, Any]:
    """A chunk read, checked and scored in one go (its parsed documents dropped on return),
    scoring ``layers`` (`first_record_layers`). ReadWhole when its records have other layers: a
    run that one process refuses, naming every record without a scored layer. ``misfits``: the
    `misfit_counts` of the predictions and of the compared system, added up."""
    misfits = misfits or {}
    loaded = read_shard(spec, misfits.get("predictions"), columnar=_columnar(spec, layers))
    return _scored_chunk(loaded, layers, misfits)


def _scored_chunk(
    loaded: LoadedShard, layers: tuple[str, ...], misfits: Mapping[str, Counter[Any]]
) -> dict[str, Any]:
    seen = layers_seen(loaded)
    if seen and seen != layers:
        raise ReadWhole
    return score_shard(loaded, layers, misfits.get("compare"))


def _columnar(spec: ShardSpec, layers: tuple[str, ...]) -> bool:
    """Whether a chunk is read on columns: when entities alone are scored (the layers asked,
    else those of the first record), without --min-score."""
    settings = make_settings(**reading_options(spec.options)[1])
    asked = settings.layers
    scored = tuple(layer for layer in LAYERS if layer in asked) if asked else layers
    return scored == ("entities",) and settings.min_score is None


def _chunk_partials(
    specs: Sequence[ShardSpec], layers: tuple[str, ...], misfits: Mapping[str, Counter[Any]]
) -> list[dict[str, Any]]:
    """`chunk_partial` of every chunk, in order. A run read on columns reads the next chunk on
    a second thread while this one is scored (pyarrow's reader and most of the checks release
    the GIL, so the two cores share the work; memory holds two chunks' columns); the others
    read and score one chunk after the other (their chunks are large: W3's 150 MB)."""
    if len(specs) < 2 or not _columnar(specs[0], layers):
        return [chunk_partial(spec, layers, misfits) for spec in specs]
    from concurrent.futures import ThreadPoolExecutor

    def read(spec: ShardSpec) -> LoadedShard:
        return read_shard(spec, misfits.get("predictions"), columnar=True)

    partials = []
    with ThreadPoolExecutor(READ_AHEAD) as pool:
        ahead = [pool.submit(read, spec) for spec in specs[:READ_AHEAD]]
        try:
            for index in range(len(specs)):
                loaded = ahead.pop(0).result()
                if index + READ_AHEAD < len(specs):
                    ahead.append(pool.submit(read, specs[index + READ_AHEAD]))
                partials.append(_scored_chunk(loaded, layers, misfits))
        finally:
            for future in ahead:
                future.cancel()
    return partials


def chunk_count(documents: int, chunk_documents: int = CHUNK_DOCUMENTS) -> int:
    """How many chunks of at most ``chunk_documents`` gold documents a run has (at least one)."""
    if isinstance(chunk_documents, bool) or not isinstance(chunk_documents, int):
        raise InputError(f"{chunk_documents!r} documents per chunk", expected="a whole number >= 1")
    if chunk_documents < 1:
        raise InputError(f"{chunk_documents} documents per chunk", expected="a whole number >= 1")
    return max(1, -(-documents // chunk_documents))


def documents_per_chunk(documents: int, gold_bytes: int) -> int:
    """Gold documents per chunk of a plain run: CHUNK_DOCUMENTS, or as many more as make about
    CHUNK_GOLD_BYTES of gold (``gold_bytes`` over ``documents``), so that memory holds about
    as many bytes per chunk whatever the size of a document."""
    if documents < 1 or gold_bytes < 1:
        return CHUNK_DOCUMENTS
    return max(CHUNK_DOCUMENTS, CHUNK_GOLD_BYTES * documents // gold_bytes)


def evaluate_in_chunks(
    predictions: Any,
    gold: Any = None,
    *,
    compare: Any = None,
    per_document: bool = False,
    chunk_documents: int = CHUNK_DOCUMENTS,
    **options: Any,
) -> dict[str, Any] | None:
    """The report of `evaluate` on JSON Lines inputs (`supports_ranges`), read, checked and
    scored ``chunk_documents`` gold documents at a time in this process (a chunk is a shard
    of this module), so that memory holds one chunk's documents and every document's tallies.

    None when the run must be read whole (the caller runs the one-process path, which words
    the message): a problem in the inputs (one process names every problem of every
    document), --min-score or scores on items (curves over all documents), records with
    different layers, or spans of which some may seem to count in another convention (the
    diagnosis weighs every span)."""
    return _chunked_run(predictions, gold, compare, per_document, chunk_documents, options).report


@dataclass(frozen=True)
class _ChunkedRun:
    """A run read in chunks, or given up (``report`` None: read it whole)."""

    report: dict[str, Any] | None
    specs: list[ShardSpec] = field(default_factory=list)
    layers: tuple[str, ...] = ()  # the scored layers
    shown: int | None = None  # given up after its stages of this many documents were shown


def _chunked_run(
    predictions: Any,
    gold: Any,
    compare: Any,
    per_document: bool,
    chunk_documents: int | None,
    options: Mapping[str, Any],
) -> _ChunkedRun:
    """``chunk_documents`` None: `documents_per_chunk` of the gold."""
    if options.get("min_score") is not None:
        return _ChunkedRun(None)
    convention, _ = reading_options(options)
    misfits: dict[str, Counter[Any]] = {"predictions": Counter(), "compare": Counter()}
    documents = None
    try:
        gold_index = index_gold(gold)  # read without a stage, as one process reads the gold
        documents = gold_index.whole["corpus"]["documents"]
        with reading_stage(documents):
            if chunk_documents is None:
                chunk_documents = documents_per_chunk(
                    len(gold_index.doc_ids), gold_index.index.size
                )
            chunks = chunk_count(len(gold_index.doc_ids), chunk_documents)
            specs = shard_specs(
                predictions, gold, shards=chunks, compare=compare, gold_index=gold_index, **options
            )
            layers = first_record_layers(specs)
        asked = make_settings(**reading_options(options)[1]).layers
        scored = tuple(layer for layer in LAYERS if layer in asked) if asked else layers
        with (
            scoring_stage(scored, documents),  # the stages of one process, in its order
            comparing_stage(documents) if compare is not None else nullcontext(),
            warnings.catch_warnings(),
        ):
            warnings.simplefilter("ignore", OffsetConventionWarning)  # said once, below
            partials = _chunk_partials(specs, layers, misfits)
        if not all(
            never_diagnosed(counts, offsets=convention.offsets, end=convention.end)
            for counts in misfits.values()
        ):
            return _ChunkedRun(None, shown=documents)
        report = merge_partials(partials, per_document=per_document, from_memory=True)
        return _ChunkedRun(report, specs, tuple(partials[0]["layers"]))
    except (InputError, InputErrors, ReadWhole):
        return _ChunkedRun(None, shown=documents)


@contextmanager
def _read_whole_after(run: _ChunkedRun) -> Iterator[None]:
    """The one-process run after a run in chunks was given up: one stage of its own, its
    stages (reading, scoring: those the chunks showed already) not shown a second time."""
    if run.shown is None:
        yield
        return
    with (
        stage(
            f"reading and scoring all {run.shown} document(s) at once (this run cannot be "
            "scored a chunk at a time)",
            size=run.shown,
        ),
        reporting(quiet=True),
    ):
        yield


def explain_by_chunks_or_whole(
    predictions: Any,
    gold: Any = None,
    *,
    compare: Any = None,
    per_document: bool = True,
    chunk_documents: int = CHUNK_DOCUMENTS,
    **options: Any,
) -> tuple[dict[str, Any], Iterator[tuple[str, dict[str, Any]]]]:
    """`run.evaluate_with_explanations`, byte for byte: on JSON Lines inputs the report of
    `evaluate_in_chunks`, and the explanations made a chunk at a time as they are asked for
    (each chunk read and checked again, then dropped); other runs read whole."""
    run = _ChunkedRun(None)
    if supports_ranges(predictions, gold, compare):
        run = _chunked_run(predictions, gold, compare, per_document, chunk_documents, options)
        if run.report is not None:
            return run.report, _chunk_explanations(run)
    with _read_whole_after(run):
        return evaluate_with_explanations(
            predictions, gold, compare=compare, per_document=per_document, **options
        )


def _chunk_explanations(run: _ChunkedRun) -> Iterator[tuple[str, dict[str, Any]]]:
    """Chunks are blocks of the sorted ids, so their documents come in document-id order."""
    settings = make_settings(**reading_options(run.specs[0].options)[1])
    for spec in run.specs:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", OffsetConventionWarning)  # said by the run
            loaded = read_shard(spec)
        yield from explanations_of(loaded.gold, loaded.predictions, settings, run.layers)


def evaluate_by_chunks_or_whole(
    predictions: Any,
    gold: Any = None,
    *,
    compare: Any = None,
    per_document: bool = False,
    **options: Any,
) -> dict[str, Any]:
    """The report of `evaluate` (run.evaluate), byte for byte: JSON Lines inputs a chunk at a
    time (`evaluate_in_chunks`, chunks of `documents_per_chunk`), other inputs and the runs
    that cannot be chunked read whole."""
    run = _ChunkedRun(None)
    if supports_ranges(predictions, gold, compare):
        run = _chunked_run(predictions, gold, compare, per_document, None, options)
        if run.report is not None:
            return run.report
    with _read_whole_after(run):  # no stage of its own unless chunks were shown
        return evaluate(predictions, gold, compare=compare, per_document=per_document, **options)


def run_chunks(
    specs: Sequence[ShardSpec],
    *,
    per_document: bool,
    submit: Callable[[Callable[..., Any], list[tuple[Any, ...]]], list[Any]],
    results: Callable[[list[Any]], list[Any]],
) -> dict[str, Any]:
    """`run_specs` with one task per shard (read, check, score: `chunk_partial`), the run's
    layers read from its first record; when a shard's records have other layers, `run_specs`
    (read every shard, then score), whose error is the shards'."""
    try:
        layers = first_record_layers(specs)
        partials = results(submit(chunk_partial, [(spec, layers) for spec in specs]))
    except ReadWhole:
        return run_specs(specs, per_document=per_document, submit=submit, results=results)
    except (InputError, InputErrors) as error:
        raise one_process_error(error, specs) from None
    return merge_partials(partials, per_document=per_document, from_memory=True)


__all__ = [
    "CHUNK_DOCUMENTS",
    "CHUNK_GOLD_BYTES",
    "FileRanges",
    "GoldIndex",
    "LineIndex",
    "LoadedShard",
    "ReadWhole",
    "ShardSpec",
    "chunk_count",
    "chunk_partial",
    "documents_per_chunk",
    "evaluate_by_chunks_or_whole",
    "evaluate_in_chunks",
    "evaluate_in_ranges",
    "explain_by_chunks_or_whole",
    "first_record_layers",
    "index_gold",
    "index_jsonl",
    "layers_seen",
    "one_process_error",
    "read_lines",
    "read_shard",
    "run_chunks",
    "run_layers",
    "run_specs",
    "score_shard",
    "shard_specs",
    "supports_ranges",
]
