"""What the statistics of a partial file must satisfy before `sourcetrace merge` adds them up.

A partial travels between machines and can be edited. Its `statistics_sha256` catches any edit
that did not recompute it (partials.py); these checks catch what an edit cannot hide even with
the hash recomputed: every count is a whole number within the bounds of its document, and the
identities the scorers guarantee hold for every document, e.g. for each entity scheme
correct + incorrect + partial + missed = the gold entities recorded for the document and
correct + incorrect + partial + spurious + ignored = its predicted entities; gold and predicted
counts of claims and attributions equal the recorded items, a true positive is at most
min(gold, predicted), a whole attribution triple is right at most as often as each of its parts.
This module reads the statistics and checks their layout; each scorer says which fields it
writes (`LayerScorer.partial_fields`) and checks its own identities (`check_partial`), in its
scoring module.

What no check can see: an edit that keeps every identity (a true positive moved within its
bounds) with the hash recomputed. The hash is a checksum, not a signature; only scoring the
shard again proves its numbers (docs/scoring/layers.md says so to users).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sourcetrace.errors import InputError
from sourcetrace.scoring.layer import FieldPath as Path_
from sourcetrace.scoring.layer import LayerScorer
from sourcetrace.scoring.registry import scorers_for

AS_WRITTEN = "a partial file as `evaluate --partial` wrote it (scoring the shard again remakes it)"


@dataclass
class Statistics:
    """One tallies section of a partial (the system's, or the compared system's) with the items
    recorded for its documents, read into arrays once the layout has been checked."""

    file: Any
    key: str  # "tallies" or "compare_tallies": the JSON pointer of its messages
    items_key: str
    doc_ids: list[str]
    layers: tuple[str, ...]
    fields: dict[Path_, int]
    counts: np.ndarray  # (documents, fields), int64
    present: np.ndarray  # (documents, fields), bool
    list_fields: dict[Path_, int]
    lists: list[list[list[Any]]]
    list_present: np.ndarray  # (documents, list fields), bool
    pooled_fields: dict[Path_, int]
    pooled: list[list[Any]]  # per pooled field: its rows as written (checked by its scorer)
    gold: np.ndarray  # (documents, layers): items recorded per document and layer
    predicted: np.ndarray

    def column(self, *path: str) -> np.ndarray:
        return self.counts[:, self.fields[path]]

    def has(self, *path: str) -> np.ndarray:
        return self.present[:, self.fields[path]]

    def items(self, side: str, layer: str) -> np.ndarray:
        table = self.gold if side == "gold" else self.predicted
        return table[:, self.layers.index(layer)]

    def list_rows(self, *path: str) -> Iterator[tuple[int, list[Any]]]:
        column = self.list_fields[path]
        for row, lists in enumerate(self.lists):
            yield row, lists[column]

    def fail(self, row: int, message: str, pointer: str | None = None) -> InputError:
        return InputError(
            f"document {self.doc_ids[row]!r}: {message}",
            file=self.file,
            pointer=pointer or f"/{self.key}/counts/{row}",
            expected=AS_WRITTEN,
        )

    def pooled_error(self, message: str, pointer: str) -> InputError:
        """Pooled counts (one set per shard, no document to name) that break a rule."""
        return InputError(
            f"the shard's {message}", file=self.file, pointer=pointer, expected=AS_WRITTEN
        )

    def layout_error(self, pointer: str, message: str) -> InputError:
        """A partial whose layout `evaluate --partial` does not write."""
        return _layout(self.file, pointer, message)

    def require(self, holds: np.ndarray, message: Callable[[int], str]) -> None:
        """Every document satisfies ``holds`` (one bool per document), else the first that does
        not is named with ``message(row)``."""
        broken = np.flatnonzero(~np.asarray(holds, dtype=bool))
        if broken.size:
            row = int(broken[0])
            raise self.fail(row, message(row))


def read_statistics(partial: Mapping[str, Any], file: Any, key: str, items_key: str) -> Statistics:
    """The ``key`` tallies of a schema-valid partial as arrays, refusing any layout that
    `evaluate --partial` does not write: rows that do not fit their documents or fields, a
    field twice, a count that is not an integer, an absent-leaf index out of range."""
    data = partial[key]
    layers = tuple(partial["layers"])
    doc_ids = list(data["documents"])
    if doc_ids != list(partial["documents"]["scored"]):
        raise _layout(file, f"/{key}/documents", "the tallied documents are not the scored ones")
    fields = _index_of_paths(data["fields"], file, f"/{key}/fields")
    list_fields = _index_of_paths(data["list_fields"], file, f"/{key}/list_fields")
    pooled_fields = _index_of_paths(data["pooled_fields"], file, f"/{key}/pooled_fields")
    if len(data["pooled"]) != len(pooled_fields):
        raise _layout(
            file,
            f"/{key}/pooled",
            f"{len(data['pooled'])} pooled counts for {len(pooled_fields)} fields",
        )
    rows = len(doc_ids)
    for name, width in (("counts", len(fields)), ("lists", len(list_fields))):
        if len(data[name]) != rows:
            raise _layout(file, f"/{key}/{name}", f"{len(data[name])} rows for {rows} documents")
        for row, values in enumerate(data[name]):
            if len(values) != width:
                raise _layout(
                    file, f"/{key}/{name}/{row}", f"{len(values)} values for {width} fields"
                )
    counts = _whole_numbers(data["counts"], (rows, len(fields)), file, f"/{key}/counts")
    present = _presence(data["present"], rows, len(fields), file, f"/{key}/present")
    list_present = _presence(
        data["list_present"], rows, len(list_fields), file, f"/{key}/list_present"
    )
    recorded = partial[items_key]
    item_tables = []
    for side in ("gold", "predicted"):
        table = recorded[side]
        pointer = f"/{items_key}/{side}"
        if len(table) != rows:
            raise _layout(file, pointer, f"{len(table)} rows for {rows} documents")
        for row, values in enumerate(table):
            if len(values) != len(layers):
                raise _layout(file, f"{pointer}/{row}", f"{len(values)} values for the layers")
        item_tables.append(_whole_numbers(table, (rows, len(layers)), file, pointer))
    return Statistics(
        file,
        key,
        items_key,
        doc_ids,
        layers,
        fields,
        counts,
        present,
        list_fields,
        [list(values) for values in data["lists"]],
        list_present,
        pooled_fields,
        [list(rows) for rows in data["pooled"]],
        *item_tables,
    )


def check_statistics(statistics: Statistics) -> None:
    """Every field is one the scored layers write, present where their scorers write it, and
    every document's counts satisfy its layers' identities and bounds (see the module doc)."""
    s = statistics
    scorers = scorers_for(s.layers)
    _check_field_names(s, scorers)
    if not s.doc_ids:
        return  # no document, nothing added: an empty shard may list any of the known fields
    for scorer in scorers:
        scorer.check_partial(s)


# ---------------------------------------------------------------- layout


def _layout(file: Any, pointer: str, message: str) -> InputError:
    return InputError(message, file=file, pointer=pointer, expected=AS_WRITTEN)


def _index_of_paths(paths: Sequence[Sequence[str]], file: Any, pointer: str) -> dict[Path_, int]:
    index: dict[Path_, int] = {}
    for position, path in enumerate(paths):
        if tuple(path) in index:
            raise _layout(
                file,
                f"{pointer}/{position}",
                f"field {'.'.join(path)} is given twice (also at {pointer}/{index[tuple(path)]})",
            )
        index[tuple(path)] = position
    return index


def _whole_numbers(
    rows: Sequence[Sequence[Any]], shape: tuple[int, int], file: Any, pointer: str
) -> np.ndarray:
    """A matrix of non-negative integers: the schema bounds them, but it also takes 3.0 for an
    integer, which `evaluate --partial` never writes."""
    if shape[0] * shape[1] == 0:
        return np.zeros(shape, dtype=np.int64)
    array = np.array(rows)
    if array.dtype.kind not in "iu" or array.shape != shape:
        for row, values in enumerate(rows):
            for column, value in enumerate(values):
                if isinstance(value, bool) or not isinstance(value, int):
                    raise _layout(
                        file, f"{pointer}/{row}/{column}", f"{value!r} is not a whole number"
                    )
        raise _layout(file, pointer, "not a matrix of whole numbers")  # pragma: no cover
    return array.astype(np.int64)


def _presence(
    absent_rows: Sequence[Sequence[int]], rows: int, width: int, file: Any, pointer: str
) -> np.ndarray:
    """``present`` from the per-document lists of absent leaves (increasing indices)."""
    if len(absent_rows) != rows:
        raise _layout(file, pointer, f"{len(absent_rows)} rows for {rows} documents")
    present = np.ones((rows, width), dtype=bool)
    for row, absent in enumerate(absent_rows):
        if any(index >= width for index in absent) or any(
            later <= earlier for earlier, later in zip(absent, absent[1:], strict=False)
        ):
            raise _layout(
                file,
                f"{pointer}/{row}",
                f"absent-leaf indices {absent[:5]}... are not increasing indices below {width}",
            )
        present[row, list(absent)] = False
    return present


# ---------------------------------------------------------------- which fields


def _check_field_names(s: Statistics, scorers: Sequence[LayerScorer]) -> None:
    """Every field is one the scorers write (each says which: `LayerScorer.partial_fields`),
    every field they always write is there, and present in every document."""
    numeric: set[Path_] = set()
    lists: set[Path_] = set()
    optional_lists: set[Path_] = set()
    sometimes_absent: set[Path_] = set()
    optional_numeric: set[Path_] = set()
    pooled: set[Path_] = set()
    for scorer in scorers:
        written = scorer.partial_fields(s)
        numeric |= written.numeric
        lists |= written.lists
        optional_lists |= written.optional_lists
        sometimes_absent |= written.sometimes_absent
        optional_numeric |= written.optional_numeric
        pooled |= written.pooled
    for found, wanted, name in (
        (s.fields, numeric, "fields"),
        (s.list_fields, lists, "list_fields"),
        (s.pooled_fields, pooled, "pooled_fields"),
    ):
        unknown = [
            path
            for path in found
            if path not in wanted and path not in optional_lists and path not in optional_numeric
        ]
        if unknown:
            raise _layout(
                s.file,
                f"/{s.key}/{name}/{found[unknown[0]]}",
                f"field {'.'.join(unknown[0])} is not one the layers "
                f"{', '.join(s.layers) or '(none)'} write",
            )
        missing = sorted(wanted - set(found))
        if missing and s.doc_ids:
            raise _layout(s.file, f"/{s.key}/{name}", f"field {'.'.join(missing[0])} is missing")
    if not s.doc_ids:
        return
    fixed = [
        s.fields[path]
        for path in s.fields
        if path not in sometimes_absent and path not in optional_numeric
    ]
    always = s.present[:, fixed].all(axis=1)
    s.require(always, lambda row: "a count that every document has is marked absent")
    fixed_lists = [s.list_fields[path] for path in lists]
    s.require(
        s.list_present[:, fixed_lists].all(axis=1),
        lambda row: "a list that every document has is marked absent",
    )
