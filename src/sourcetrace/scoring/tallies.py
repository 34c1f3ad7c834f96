"""Per-document sufficient statistics of a run, laid out as columns.

A *tally* is one document's additive counts (a nested dict of numbers and lists, see
``scoring.common.add_tallies``). A :class:`TallyTable` holds the tallies of many documents as an
integer matrix (documents x numeric leaves) plus, per document, the list leaves (cluster rows).
Summing documents, resampling them (bootstrap, paired tests) and merging shards are then matrix
operations, and a table written by one process (`evaluate --partial`) can be read by another
(`sourcetrace merge`) and combined exactly.

Some statistics are only ever needed for the whole corpus and never resampled: the overlap
counts of the cluster scores (clusters.py). Such a leaf is a :class:`PooledCounts`, summed over
the documents as the table is built and kept once per table ("pooled"), so that it grows with
the number of distinct keys (clusters and their overlaps), not with the documents or mentions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import numpy as np

from sourcetrace.scoring.common import Tally

Path_ = tuple[str, ...]

# Sums are computed with float64 matrix products (BLAS) and rounded back: exact for integers
# up to 2**53, far above any count of mentions times resamples.
_EXACT_FLOAT_LIMIT = 2**53

PooledKey = tuple[str | None, ...]


class PooledCounts(Counter):
    """A tally leaf of whole-number counts keyed by tuples of strings or None, summed over every
    document of a table instead of kept per document (see the module doc): its documents can be
    added up, but not resampled one by one."""


@dataclass
class TallyTable:
    """Tallies of ``doc_ids`` (in this order): numeric leaves as columns, list leaves per row.

    ``present[d, f]`` says whether document d's tally has numeric leaf f at all (a per-type entry
    exists only for the types a document has), so that a combination creates exactly the keys
    ``add_tallies`` would create.
    """

    doc_ids: list[str]
    fields: list[Path_]
    counts: np.ndarray  # (documents, fields): int64, or float64 for a scorer of fractions
    present: np.ndarray  # (documents, fields), bool
    list_fields: list[Path_]
    lists: list[list[list[Any]]]  # per document, per list field: the rows
    list_present: np.ndarray  # (documents, list fields), bool
    # leaves summed over all the documents (PooledCounts), by path
    pooled: dict[Path_, PooledCounts] = field(default_factory=dict)

    # ------------------------------------------------------------------ building

    @classmethod
    def from_tallies(cls, tallies: Mapping[str, Mapping[str, Any]]) -> TallyTable:
        """A table of per-document tally dicts (documents in the mapping's order)."""
        doc_ids = list(tallies)
        flat = [_leaf_dict(tallies[doc_id], (), {}) for doc_id in doc_ids]
        pooled: dict[Path_, PooledCounts] = {}
        for leaves in flat:
            for path in [p for p, v in leaves.items() if isinstance(v, PooledCounts)]:
                pooled.setdefault(path, PooledCounts()).update(leaves.pop(path))
        paths = {(p, isinstance(v, list)) for leaves in flat for p, v in leaves.items()}
        fields = sorted(p for p, is_list in paths if not is_list)
        list_fields = sorted(p for p, is_list in paths if is_list)
        numbers = [[leaves.get(path, 0) for path in fields] for leaves in flat]
        kinds = set(map(type, chain.from_iterable(numbers)))
        if not kinds <= {int, float}:  # subclasses, or a leaf that is no number: one by one
            for leaves in flat:
                for path in fields:
                    value = leaves.get(path, 0)
                    if isinstance(value, bool) or not isinstance(value, (int, float)):
                        raise TypeError(f"tally leaf {'.'.join(path)} is {value!r}, not a number")
        exact = kinds <= {int} or all(isinstance(v, int) for row in numbers for v in row)
        counts = np.array(numbers, dtype=np.int64 if exact else np.float64).reshape(
            len(doc_ids), len(fields)
        )
        present = np.array(
            [[path in leaves for path in fields] for leaves in flat], dtype=bool
        ).reshape(len(doc_ids), len(fields))
        lists = [[list(leaves.get(path, [])) for path in list_fields] for leaves in flat]
        list_present = np.array(
            [[path in leaves for path in list_fields] for leaves in flat], dtype=bool
        ).reshape(len(doc_ids), len(list_fields))
        return cls(doc_ids, fields, counts, present, list_fields, lists, list_present, pooled)

    @classmethod
    def from_columns(
        cls,
        doc_ids: list[str],
        fields: list[Path_],
        counts: np.ndarray,
        present: np.ndarray,
        prefix: Path_ = (),
    ) -> TallyTable:
        """A table of numeric columns only (a vectorised scorer's output), under ``prefix``."""
        return cls(
            list(doc_ids),
            [(*prefix, *path) for path in fields],
            np.asarray(counts, dtype=np.int64).reshape(len(doc_ids), len(fields)),
            np.asarray(present, dtype=bool).reshape(len(doc_ids), len(fields)),
            [],
            [[] for _ in doc_ids],
            np.zeros((len(doc_ids), 0), dtype=bool),
        )

    @classmethod
    def empty(cls, doc_ids: Sequence[str] = ()) -> TallyTable:
        return cls.from_columns(list(doc_ids), [], np.zeros((len(doc_ids), 0)), np.zeros(0))

    def under(self, prefix: Path_) -> TallyTable:
        """The same table with every leaf path moved under ``prefix`` (a layer's key)."""
        return TallyTable(
            self.doc_ids,
            [(*prefix, *p) for p in self.fields],
            self.counts,
            self.present,
            [(*prefix, *p) for p in self.list_fields],
            self.lists,
            self.list_present,
            {(*prefix, *p): counts for p, counts in self.pooled.items()},
        )

    @staticmethod
    def side_by_side(tables: Sequence[TallyTable]) -> TallyTable:
        """Tables of the same documents with disjoint leaves (one per layer), as one table."""
        if not tables:
            return TallyTable.empty()
        doc_ids = tables[0].doc_ids
        for table in tables[1:]:
            if table.doc_ids != doc_ids:
                raise ValueError("tables of different documents cannot be put side by side")
        fields = [p for t in tables for p in t.fields]
        list_fields = [p for t in tables for p in t.list_fields]
        pooled = {p: counts for t in tables for p, counts in t.pooled.items()}
        if (
            len(set(fields)) != len(fields)
            or len(set(list_fields)) != len(list_fields)
            or len(pooled) != sum(len(t.pooled) for t in tables)
        ):
            raise ValueError("tables put side by side share a leaf")
        return TallyTable(
            doc_ids,
            fields,
            np.hstack([t.counts for t in tables]),
            np.hstack([t.present for t in tables]),
            list_fields,
            [[row for t in tables for row in t.lists[d]] for d in range(len(doc_ids))],
            np.hstack([t.list_present for t in tables]),
            pooled,
        )

    @staticmethod
    def stacked(tables: Sequence[TallyTable]) -> TallyTable:
        """Tables of disjoint documents (shards) as one table, rows in document-id order.

        Leaves missing from a shard are absent there (``present`` false), exactly as documents
        that never had them."""
        table = TallyTable.rows_of(tables)
        counts = Counter(table.doc_ids)
        twice = sorted(doc_id for doc_id, seen in counts.items() if seen > 1)
        if twice:
            raise ValueError(f"document(s) in more than one shard: {', '.join(twice[:10])}")
        return as_table(table)

    @staticmethod
    def rows_of(tables: Sequence[TallyTable]) -> TallyTable:
        """The rows of several tables, one after the other, over the union of their leaves
        (a paired test pools system A's documents and then system B's)."""
        doc_ids = [d for t in tables for d in t.doc_ids]
        fields = sorted({p for t in tables for p in t.fields})
        list_fields = sorted({p for t in tables for p in t.list_fields})
        column = {p: i for i, p in enumerate(fields)}
        list_column = {p: i for i, p in enumerate(list_fields)}
        dtype = np.result_type(np.int64, *(t.counts.dtype for t in tables))
        counts = np.zeros((len(doc_ids), len(fields)), dtype=dtype)
        present = np.zeros((len(doc_ids), len(fields)), dtype=bool)
        list_present = np.zeros((len(doc_ids), len(list_fields)), dtype=bool)
        lists: list[list[list[Any]]] = []
        row = 0
        for table in tables:
            rows = slice(row, row + table.size)
            where = [column[p] for p in table.fields]
            counts[rows, where] = table.counts
            present[rows, where] = table.present
            list_where = [list_column[p] for p in table.list_fields]
            list_present[rows, list_where] = table.list_present
            for document_lists in table.lists:
                full: list[list[Any]] = [[] for _ in list_fields]
                for index, values in zip(list_where, document_lists, strict=True):
                    full[index] = values
                lists.append(full)
            row += table.size
        pooled: dict[Path_, PooledCounts] = {}
        for table in tables:
            for path, found in table.pooled.items():
                pooled.setdefault(path, PooledCounts()).update(found)
        return TallyTable(
            doc_ids, fields, counts, present, list_fields, lists, list_present, pooled
        )

    # ------------------------------------------------------------------ reading

    @property
    def size(self) -> int:
        return len(self.doc_ids)

    def numeric(self) -> TallyTable:
        """Without the list and pooled leaves: headline figures are counts, resampling lists is
        slow, and pooled leaves cannot be resampled."""
        return TallyTable(
            self.doc_ids,
            self.fields,
            self.counts,
            self.present,
            [],
            [[] for _ in self.doc_ids],
            np.zeros((self.size, 0), dtype=bool),
        )

    def total(self) -> Tally:
        """The tally of all documents: what ``add_tallies`` gives over the rows, with the
        pooled leaves."""
        unpooled = TallyTable(
            self.doc_ids,
            self.fields,
            self.counts,
            self.present,
            self.list_fields,
            self.lists,
            self.list_present,
        )
        tally = unpooled.combine(np.ones(self.size, dtype=np.int64))
        for path, counts in self.pooled.items():
            _set(tally, path, PooledCounts(counts))
        return tally

    def document(self, index: int) -> Tally:
        """Document ``index``'s own tally (its present leaves), read from its row."""
        tally: Tally = {}
        for path, value, present in zip(
            self.fields, self.counts[index].tolist(), self.present[index].tolist(), strict=True
        ):
            if present:
                _set(tally, path, value)
        for path, rows, present in zip(
            self.list_fields, self.lists[index], self.list_present[index].tolist(), strict=True
        ):
            if present:
                _set(tally, path, list(rows))
        return tally

    def documents(self) -> Iterator[tuple[str, Tally]]:
        for index, doc_id in enumerate(self.doc_ids):
            yield doc_id, self.document(index)

    def combine(self, weights: np.ndarray) -> Tally:
        """The tally of the documents taken ``weights[d]`` times each."""
        return next(iter(self.combine_blocks([np.asarray(weights)[None, :]])))

    def combine_blocks(self, blocks: Iterable[np.ndarray]) -> Iterator[Tally]:
        """``combine`` of each row of each block of weights: one matrix product per block
        rather than one per replicate, and the blocks can be drawn lazily."""
        if self.pooled:
            raise ValueError("pooled leaves cannot be resampled: combine the numeric() table")
        for block in blocks:
            if block.ndim != 2 or block.shape[1] != self.size:
                raise ValueError(f"weights of shape {block.shape} for {self.size} documents")
            sums = _exact_product(block, self.counts)
            has = _exact_product(block, self.present) > 0
            list_has = _exact_product(block, self.list_present) > 0
            for row in range(len(block)):
                yield self._tally(block[row], sums[row], has[row], list_has[row])

    def running_totals(
        self, start: Sequence[int], swaps: Iterable[Sequence[tuple[int, int]]]
    ) -> Iterator[Tally]:
        """The numeric tallies of a changing choice of rows (one row per document at a time):
        ``start`` first, then for each step its ``(row taken out, row put in)`` swaps, and the
        total after each step. Integer tables keep running sums (exact, and linear in the swaps
        rather than a full product per step); a table of fractions is summed anew, as
        ``combine`` sums it."""
        numeric = self.numeric()
        no_lists = np.zeros(0, dtype=bool)
        if numeric.counts.dtype.kind == "f":
            weights = np.zeros(self.size, dtype=np.int64)
            weights[list(start)] = 1
            for step in swaps:
                for out, into in step:
                    weights[out] -= 1
                    weights[into] += 1
                yield numeric.combine(weights)
            return
        counts, present = numeric.counts, numeric.present.astype(np.int64)
        taken = list(start)
        sums, has = counts[taken].sum(axis=0), present[taken].sum(axis=0)
        for step in swaps:
            if step:
                out, into = (list(rows) for rows in zip(*step, strict=True))
                sums = sums - counts[out].sum(axis=0) + counts[into].sum(axis=0)
                has = has - present[out].sum(axis=0) + present[into].sum(axis=0)
            yield numeric._tally(np.zeros(self.size), sums, has > 0, no_lists)

    def _tally(
        self, weights: np.ndarray, sums: np.ndarray, has: np.ndarray, list_has: np.ndarray
    ) -> Tally:
        tally: Tally = {}
        for path, value, present in zip(self.fields, sums.tolist(), has.tolist(), strict=True):
            if present:
                _set(tally, path, value)
        if self.list_fields:
            taken = [(d, int(w)) for d, w in enumerate(weights.tolist()) if w]
            for column, path in enumerate(self.list_fields):
                if not list_has[column]:
                    continue
                merged: list[Any] = []
                for document, weight in taken:
                    rows = self.lists[document][column]
                    for _ in range(weight):
                        merged.extend(rows)
                _set(tally, path, merged)
        return tally

    # ------------------------------------------------------------------ files

    def to_json(self) -> dict[str, Any]:
        """Plain data for a partial file: fields, then one row of counts per document."""
        return {
            "documents": self.doc_ids,
            "fractional": self.counts.dtype.kind == "f",
            "fields": [list(p) for p in self.fields],
            "counts": self.counts.tolist(),
            "present": [np.flatnonzero(~row).tolist() for row in self.present],
            "list_fields": [list(p) for p in self.list_fields],
            "lists": self.lists,
            "list_present": [np.flatnonzero(~row).tolist() for row in self.list_present],
            "pooled_fields": [list(p) for p in self.pooled],
            "pooled": [pooled_rows(counts) for counts in self.pooled.values()],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TallyTable:
        doc_ids = list(data["documents"])
        fields = [tuple(p) for p in data["fields"]]
        list_fields = [tuple(p) for p in data["list_fields"]]
        present = np.ones((len(doc_ids), len(fields)), dtype=bool)
        for row, absent in enumerate(data["present"]):
            present[row, absent] = False
        list_present = np.ones((len(doc_ids), len(list_fields)), dtype=bool)
        for row, absent in enumerate(data["list_present"]):
            list_present[row, absent] = False
        return cls(
            doc_ids,
            fields,
            np.array(
                data["counts"], dtype=np.float64 if data.get("fractional") else np.int64
            ).reshape(len(doc_ids), len(fields)),
            present,
            list_fields,
            [list(rows) for rows in data["lists"]],
            list_present,
            {
                tuple(path): PooledCounts({tuple(row[:-1]): row[-1] for row in rows})
                for path, rows in zip(data["pooled_fields"], data["pooled"], strict=True)
            },
        )


def pooled_rows(counts: Mapping[PooledKey, int]) -> list[list[Any]]:
    """Pooled counts as written in a partial: one row [*key, count] per key, in the order of
    `pooled_order` (so the same counts are always the same rows)."""
    return [[*key, counts[key]] for key in sorted(counts, key=pooled_order)]


def pooled_order(key: Sequence[str | None]) -> tuple[tuple[int, str], ...]:
    """The canonical order of pooled keys: part by part, None before any string."""
    return tuple((0, "") if part is None else (1, part) for part in key)


def _exact_product(weights: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """``weights @ matrix`` through BLAS; for integer tallies checked to stay exact (float64
    holds every integer below 2**53) and given back as integers."""
    if matrix.shape[1] == 0:
        return np.zeros((len(weights), 0), dtype=np.int64)
    product = weights.astype(np.float64) @ matrix.astype(np.float64)
    if matrix.dtype.kind == "f":
        return product
    if product.size and np.abs(product).max() >= _EXACT_FLOAT_LIMIT:
        return weights.astype(np.int64) @ matrix.astype(np.int64)
    return np.rint(product).astype(np.int64)


def _leaf_dict(tally: Mapping[str, Any], prefix: Path_, leaves: dict[Path_, Any]) -> dict:
    """The leaves of ``tally`` by path (under ``prefix``), added to ``leaves``: plain recursion,
    as generators nested per level cost more than the walk itself on tallies of many sections."""
    for key, value in tally.items():
        if type(value) is dict or (  # a plain dict first: the common case, no ABC check
            isinstance(value, Mapping) and not isinstance(value, PooledCounts)
        ):
            _leaf_dict(value, (*prefix, key), leaves)
        else:
            leaves[(*prefix, key)] = value
    return leaves


def _set(tally: dict[str, Any], path: Path_, value: Any) -> None:
    node = tally
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value


def as_table(per_doc: Mapping[str, Mapping[str, Any]] | TallyTable) -> TallyTable:
    """A TallyTable of documents in sorted id order, from a table or a dict of tallies."""
    if isinstance(per_doc, TallyTable):
        if per_doc.doc_ids != sorted(per_doc.doc_ids):
            order = sorted(range(per_doc.size), key=per_doc.doc_ids.__getitem__)
            return TallyTable(
                [per_doc.doc_ids[i] for i in order],
                per_doc.fields,
                per_doc.counts[order],
                per_doc.present[order],
                per_doc.list_fields,
                [per_doc.lists[i] for i in order],
                per_doc.list_present[order],
                per_doc.pooled,
            )
        return per_doc
    return TallyTable.from_tallies({doc_id: per_doc[doc_id] for doc_id in sorted(per_doc)})
