"""Entity tallies of many documents at once, and fast same-span pairing of mentions.

`tally_entities_batch` gives, for every document, exactly the tally `entities.tally_entities`
gives (same keys, same ints), as columns; the per-document loop was the dominant cost of
scoring a large corpus. Why the numbers are the same:

* input that is not plainly valid (offsets that are not ints in range, a type that is not a
  str, a gold mention without ``mention`` under a filter) sends its document to
  `tally_entities` itself, which gives the same tally or raises the same error, in document
  order;
* text-only predictions are anchored by `entities.prediction_spans`, the function
  `tally_entities` uses, on the same gold spans and text;
* the rest is columns of all spans. Touching pairs are found by sorted search and tested with
  nervaluate's rule as in `entities.touches`. The mention filter's rule
  (`entities._dropped_indices`) is applied to groups of identical predictions
  (`_dropped_by_mention_filter` says why that is the same). A pair whose gold and prediction
  touch nothing else is a component of its own: matched in every scheme, its outcome read from
  `entities._PAIR_OUTCOME`, counted with bincount;
* components with more than one pair (nested or overlapping spans) are grouped in clusters of
  overlapping spans. A cluster whose pairs of the same boundaries and type pair all the
  spans of its smaller side one to one counts those pairs as correct (`_identical_clusters`
  says why that is the best matching). For the others: `entities._best_matches` maximises a packed
  weight whose maximum determines the counts; a cluster of at most
  ``_LARGEST_ENUMERATED_CLUSTER`` pairs gets the same maximum by trying every subset of its
  pairs (`_count_enumerated` says why that is the same), a larger one goes to
  `tally_entities` on its spans alone;
* missed and spurious are then the spans not matched, as in `entities._scheme_counts`.

`EntityTallyColumns.paths` records per document which of these ways were taken.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter
from typing import Any

import numpy as np

from sourcetrace.schema.column_records import EntityArrays
from sourcetrace.scoring.common import Tally
from sourcetrace.scoring.dense import (
    DENSE_CELLS,
    MatchingTooLarge,
    max_solver_cells,
    too_large,
    touched_predictions,
)
from sourcetrace.scoring.entities import (
    COUNT_NAMES,
    MIN_OVERLAP_PERCENT,
    PAIR_OUTCOME,
    SCHEMES,
    Span,
    prediction_spans,
    tally_entities,
)
from sourcetrace.scoring.matching import has_offsets
from sourcetrace.scoring.piece_matrices import same_piece_pairs

Document = tuple[Sequence[Mapping[str, Any]], Sequence[Mapping[str, Any]], str | None]

# Offsets beyond this go to the exact path: it keeps every key and product of the vectorised
# search (document index * coordinate range, 100 * shared length) far inside int64.
_LARGEST_FAST_OFFSET = 2**31 - 1
# The three outcomes a matched pair can have.
_MATCHED_OUTCOMES = ("correct", "incorrect", "partial")
_MISSED = COUNT_NAMES.index("missed")
_SPURIOUS = COUNT_NAMES.index("spurious")
# Clusters of ambiguous pairs up to this size are solved by trying all 2**E subsets of pairs;
# larger ones (rare) go to tally_entities.
_LARGEST_ENUMERATED_CLUSTER = 10
# K of the packed weights of enumerated clusters: more than any count of pairs in one of them.
_PACKING_SCALE = _LARGEST_ENUMERATED_CLUSTER + 1
# Work arrays of one enumeration step hold at most about this many cells.
_ENUMERATION_CELLS = 2**22
_NO_MENTION = object()  # a gold entity without a "mention" key (an error under a filter)

# How a document's numbers were computed (flags of EntityTallyColumns.paths).
PATH_WHOLE_DOCUMENT = 1  # tally_entities on the document (input it refuses, or not plain)
PATH_ANCHORED = 2  # text-only predictions anchored by entities.prediction_spans
PATH_LARGE_CLUSTER = 4  # tally_entities on a cluster of ambiguous pairs too large to enumerate
PATH_ENUMERATED = 8  # ambiguous pairs solved by enumerating the matchings of their cluster
PATH_DENSE_CLUSTER = 16  # a dense cluster (dense.DENSE_CELLS) counted by tally_entities alone
PATH_IDENTICAL_CLUSTER = 32  # a cluster settled by its exact pairs, counted as correct


def _outcome_table() -> np.ndarray:
    """[pair key, scheme, count] one-hot of `PAIR_OUTCOME`; pair key = 2*same bounds + same
    type, so a bincount of pair keys times this table gives every scheme's matched counts."""
    table = np.zeros((4, len(SCHEMES), len(COUNT_NAMES)), dtype=np.int64)
    for same_bounds in (False, True):
        for same_type in (False, True):
            for s, scheme in enumerate(SCHEMES):
                outcome = PAIR_OUTCOME[scheme][(same_bounds, same_type)]
                table[2 * same_bounds + same_type, s, COUNT_NAMES.index(outcome)] = 1
    return table


_OUTCOME_TABLE = _outcome_table()


@dataclass
class EntityTallyColumns:
    """The tallies of a batch of documents as a documents x fields matrix.

    ``fields`` are the leaf paths of a tally dict; ``present[i, j]`` says whether the tally of
    document ``i`` has leaf ``j`` (a per-type entry exists only for the types of that document),
    and ``counts`` is 0 wherever ``present`` is False, so column sums are corpus sums.
    """

    fields: list[tuple[str, ...]]
    counts: np.ndarray  # int64, documents x fields
    present: np.ndarray  # bool, documents x fields
    # uint8 per document: the PATH_* flags of the ways its numbers were computed (diagnostics)
    paths: np.ndarray

    def __len__(self) -> int:
        return self.counts.shape[0]

    def row_dict(self, index: int) -> Tally:
        """The nested tally of document ``index``, equal to what `tally_entities` returns."""
        columns = np.flatnonzero(self.present[index])
        return self._nested(columns, self.counts[index, columns].tolist())

    def summed_tally(self) -> Tally:
        """All documents' tallies summed, equal to `common.add_tallies` over the rows."""
        if not len(self):
            return {}
        columns = np.flatnonzero(self.present.any(axis=0))
        return self._nested(columns, self.counts[:, columns].sum(axis=0).tolist())

    def _nested(self, columns: np.ndarray, values: list[int]) -> Tally:
        # "per_type" exists (maybe empty) in every tally, like "overall"
        tally: Tally = {"overall": {}, "per_type": {}}
        for column, value in zip(columns.tolist(), values, strict=True):
            *path, leaf = self.fields[column]
            node = tally
            for key in path:
                node = node.setdefault(key, {})
            node[leaf] = value
        return tally


def tally_entities_batch(
    documents: Sequence[Document], *, mentions: frozenset[str] | None = None
) -> EntityTallyColumns:
    """`tally_entities(gold, pred, text=text, mentions=mentions)` for every (gold, pred, text)
    of ``documents``, computed on flat columns of all spans at once (see the module docstring
    for why the numbers are the same). Raises what `tally_entities` raises on the first document
    (in order) that it refuses."""
    golds = [document[0] for document in documents]
    preds = [document[1] for document in documents]
    texts = [document[2] for document in documents]
    text_lengths = _text_lengths(texts)
    type_codes: dict[str, int] = {}
    gold = _SpanColumns.from_entities(golds, type_codes, text_lengths)
    pred = _SpanColumns.from_entities(preds, type_codes, text_lengths)
    kept = None if mentions is None else _kept_by_mention(golds, mentions)
    return _tally_spans(golds, preds, texts, type_codes, gold, pred, kept, mentions)


def tally_entity_arrays(
    golds: Sequence[Sequence[Mapping[str, Any]]],
    preds: Sequence[Sequence[Mapping[str, Any]]],
    texts: Sequence[str | None],
    gold_arrays: EntityArrays,
    pred_arrays: EntityArrays,
    *,
    mentions: frozenset[str] | None = None,
) -> EntityTallyColumns:
    """`tally_entities_batch` of the documents (golds[i], preds[i], texts[i]) whose entities
    are already in columns (`schema.column_records.entity_arrays`, with the gold's mentions
    when ``mentions`` is given): the columns give what `_SpanColumns.from_entities` reads of
    every entity, and ``golds``/``preds`` (sequences that may make their lists only when
    indexed) are read only for the documents that take the exact path or are anchored."""
    text_lengths = _text_lengths(texts)
    type_codes: dict[str, int] = {}
    gold = _SpanColumns.from_arrays(gold_arrays, type_codes, text_lengths)
    pred = _SpanColumns.from_arrays(pred_arrays, type_codes, text_lengths)
    kept = None
    if mentions is not None:
        codes, names = gold_arrays.mention_code, gold_arrays.mention_names
        if codes is None or names is None or np.any(codes < 0):
            kept = _kept_by_mention([golds[doc] for doc in range(len(golds))], mentions)
        else:
            chosen = np.array([name in mentions for name in names] + [False], dtype=bool)
            kept = chosen[codes], np.zeros(len(codes), dtype=bool)
    return _tally_spans(golds, preds, texts, type_codes, gold, pred, kept, mentions)


def _text_lengths(texts: Sequence[str | None]) -> np.ndarray:
    return np.array(
        [_LARGEST_FAST_OFFSET if text is None else len(text) for text in texts], dtype=np.int64
    )


def _tally_spans(
    golds: Sequence[Sequence[Mapping[str, Any]]],
    preds: Sequence[Sequence[Mapping[str, Any]]],
    texts: Sequence[str | None],
    type_codes: dict[str, int],
    gold: _SpanColumns,
    pred: _SpanColumns,
    kept: tuple[np.ndarray, np.ndarray] | None,
    mentions: frozenset[str] | None,
) -> EntityTallyColumns:
    """The tallies from the span columns of every document; ``kept``: which gold entities the
    mention filter keeps and which have no usable mention (`_kept_by_mention`), with a filter."""
    n_docs = len(texts)
    paths = np.zeros(n_docs, dtype=np.uint8)
    # documents tallied by tally_entities as a whole: what is not plain, except predictions
    # without offsets, which are anchored below
    exact_docs = set(gold.docs_with(~gold.plain).tolist())
    exact_docs |= set(pred.docs_with(~pred.plain & ~pred.offsetless).tolist())
    gold_kept = np.ones(len(gold), dtype=bool)
    if mentions is not None:
        assert kept is not None
        gold_kept, mention_unknown = kept
        exact_docs |= set(gold.docs_with(mention_unknown).tolist())

    anchored_spans: list[tuple[int, Span]] = []
    unanchored: list[tuple[int, str]] = []  # (document, type)
    code_names = {code: name for name, code in type_codes.items()}
    for doc in sorted(set(pred.docs_with(pred.offsetless).tolist()) - exact_docs):
        try:
            spans, missing = _anchored(gold, doc, golds[doc], preds[doc], texts[doc], code_names)
        except Exception:  # tally_entities raises it again, in document order
            exact_docs.add(doc)
            continue
        anchored_spans += [(doc, span) for span in spans]
        unanchored += [(doc, entity_type) for entity_type, _ in missing]
        paths[doc] |= PATH_ANCHORED

    exact_tallies = {}
    for doc in sorted(exact_docs):
        with _refusal_in_document(doc):
            exact_tallies[doc] = tally_entities(
                golds[doc], preds[doc], text=texts[doc], mentions=mentions
            )
    paths[sorted(exact_docs)] = PATH_WHOLE_DOCUMENT

    # the spans of the vectorised documents
    vectorised_doc = np.ones(n_docs, dtype=bool)
    vectorised_doc[sorted(exact_docs)] = False
    gold_kept = gold_kept[vectorised_doc[gold.doc]]
    gold = gold_before_filter = gold.select(vectorised_doc[gold.doc])
    pred = pred.select(vectorised_doc[pred.doc] & pred.plain).extended(anchored_spans, type_codes)
    ignored = np.zeros(n_docs, dtype=np.int64)
    touching: tuple[np.ndarray, np.ndarray] | None = None  # (gold, pred) of scored spans
    if mentions is not None:
        gold = gold.select(gold_kept)
        excluded = gold_before_filter.select(~gold_kept)
        *kept_pairs, kept_dense = _sparse_pairs(gold, pred)
        touches_kept = _touched_mask(gold, pred, kept_pairs[1], kept_dense)
        dropped = _dropped_by_mention_filter(gold, excluded, pred, touches_kept)
        ignored = np.bincount(pred.doc[dropped], minlength=n_docs)
        pred = pred.select(~dropped)
        if not kept_dense:
            # the pairs of the scored spans are the kept gold's pairs with scored predictions
            new_pred_index = np.cumsum(~dropped) - 1
            scored = ~dropped[kept_pairs[1]]
            touching = kept_pairs[0][scored], new_pred_index[kept_pairs[1][scored]]
    unanchored_doc = np.array([doc for doc, _ in unanchored], dtype=np.int64)
    unanchored_code = np.array(
        [type_codes.setdefault(t, len(type_codes)) for _, t in unanchored], dtype=np.int64
    )
    for tally in exact_tallies.values():
        for entity_type in tally["per_type"]:
            type_codes.setdefault(entity_type, len(type_codes))

    # type codes in sorted order of the names, as per_type is sorted
    type_names = sorted(type_codes)
    position_of_code = np.empty(len(type_codes), dtype=np.int64)
    position_of_code[[type_codes[name] for name in type_names]] = np.arange(len(type_names))
    gold.type = position_of_code[gold.type]
    pred.type = position_of_code[pred.type]
    unanchored_code = position_of_code[unanchored_code]
    n_types = len(type_names)

    overall = np.zeros((n_docs, len(SCHEMES), len(COUNT_NAMES)), dtype=np.int64)
    per_type = np.zeros((n_docs, n_types, len(SCHEMES), len(COUNT_NAMES)), dtype=np.int64)
    if touching is None:
        gold_idx, pred_idx, dense = _sparse_pairs(gold, pred)
    else:
        (gold_idx, pred_idx), dense = touching, []
    for doc, dense_gold, dense_pred in dense:
        with _refusal_in_document(doc):
            _count_by_tally_entities(
                gold, pred, dense_gold, dense_pred, doc, type_names, overall, per_type
            )
        paths[doc] |= PATH_DENSE_CLUSTER
    lone = _lone_pairs(gold_idx, pred_idx, len(gold), len(pred))
    _count_lone_pairs(gold, pred, gold_idx[lone], pred_idx[lone], overall, per_type)
    _count_ambiguous(
        gold, pred, gold_idx[~lone], pred_idx[~lone], type_names, overall, per_type, paths
    )

    gold_per_type = _count_by(gold.doc, gold.type, n_docs, n_types)
    unanchored_per_type = _count_by(unanchored_doc, unanchored_code, n_docs, n_types)
    scored_pred_per_type = _count_by(pred.doc, pred.type, n_docs, n_types) + unanchored_per_type
    _add_missed_and_spurious(overall, per_type, gold_per_type, scored_pred_per_type)
    type_present = (gold_per_type + scored_pred_per_type) > 0
    unanchored_total = unanchored_per_type.sum(axis=1)

    for doc, tally in exact_tallies.items():
        _write_tally(doc, tally, type_names, overall, per_type, type_present)
        ignored[doc] = tally["ignored_predictions"]
        unanchored_total[doc] = tally["unanchored_predictions"]

    columns = _columns(overall, per_type, type_present, type_names, ignored, unanchored_total)
    return EntityTallyColumns(*columns, paths=paths)


def cluster_mention_pairs(
    gold: Sequence[Mapping[str, Any]], pred: Sequence[Mapping[str, Any]]
) -> list[tuple[int, int]]:
    """``match_items(gold, pred, same_piece)`` without the all-pairs matrix and the solver.

    Type-blind, for agreement between two annotation passes (`entity_clusters.entity_pairs`);
    the cluster scores pair type-aware (`entity_clusters.cluster_mentions`).

    When every mention has offsets, the valid pairs are those with equal (start, end); if no
    span carries more than one mention on a side that the other side also has, those pairs are
    disjoint, so every maximum matching holds all of them and nothing else: the answer has no
    choice in it. Anything else (text-only mentions, a span with two gold or two predicted
    mentions on it) goes to `match_items` itself.
    """
    if not gold or not pred:
        return []
    if not all(has_offsets(mention) for mention in chain(gold, pred)):
        return _solved_mention_pairs(gold, pred)
    try:
        gold_at: dict[tuple[Any, Any], list[int]] = defaultdict(list)
        for index, mention in enumerate(gold):
            gold_at[(mention["start"], mention["end"])].append(index)
        pairs = []
        taken: set[tuple[Any, Any]] = set()
        for index, mention in enumerate(pred):
            bounds = (mention["start"], mention["end"])
            candidates = gold_at.get(bounds)
            if candidates is None:
                continue
            if len(candidates) > 1 or bounds in taken:
                return _solved_mention_pairs(gold, pred)
            taken.add(bounds)
            pairs.append((candidates[0], index))
    except TypeError:  # unhashable offsets: compare them the slow way
        return _solved_mention_pairs(gold, pred)
    return sorted(pairs)


def _solved_mention_pairs(
    gold: Sequence[Mapping[str, Any]], pred: Sequence[Mapping[str, Any]]
) -> list[tuple[int, int]]:
    """`same_piece_pairs` (all pairs and the solver, which chooses among copies of a span),
    within the solver bound of `dense.max_solver_cells`."""
    if len(gold) * len(pred) > max_solver_cells():
        raise too_large("entity mentions (for cluster scores)", len(gold), len(pred), None, None)
    return same_piece_pairs(gold, pred)


# ---------------------------------------------------------------------------------------------
# columns


class _SpanColumns:
    """Flat columns of spans: document, start, end (exclusive), type code; whether the entity
    is plainly valid (int offsets with 0 <= start < end <= text length, str type), and whether
    it lacks offsets (a text-only prediction)."""

    def __init__(
        self,
        doc: np.ndarray,
        start: np.ndarray,
        end: np.ndarray,
        type_code: np.ndarray,
        plain: np.ndarray,
        offsetless: np.ndarray,
    ) -> None:
        self.doc, self.start, self.end, self.type = doc, start, end, type_code
        self.plain, self.offsetless = plain, offsetless
        self.first: np.ndarray | None = None  # per document, first row (columns in doc order)

    def __len__(self) -> int:
        return len(self.doc)

    @classmethod
    def from_arrays(
        cls, arrays: EntityArrays, type_codes: dict[str, int], text_lengths: np.ndarray
    ) -> _SpanColumns:
        """`from_entities` of the entities that ``arrays`` holds in columns: the same values."""
        sizes = arrays.sizes
        doc = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)

        def checked(values: np.ndarray, null: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            ok = ~null & (values >= -_LARGEST_FAST_OFFSET) & (values <= _LARGEST_FAST_OFFSET)
            return np.where(ok, values, 0), ok

        start, start_ok = checked(arrays.start, arrays.start_null)
        end, end_ok = checked(arrays.end, arrays.end_null)
        type_ok = arrays.type_code >= 0
        coded = _TypeCodes(type_codes)
        code_of = np.array(
            [coded[name] for name in arrays.type_names] + [coded[""] if not type_ok.all() else -1],
            dtype=np.int64,
        )
        code = code_of[arrays.type_code]  # -1 (a null type) reads the last: ""
        plain = start_ok & end_ok & type_ok & (start >= 0) & (start < end)
        plain &= end <= text_lengths[doc]
        columns = cls(doc, start, end, code, plain, arrays.start_null | arrays.end_null)
        columns.first = np.cumsum(sizes) - sizes
        return columns

    @classmethod
    def from_entities(
        cls,
        entity_lists: Sequence[Sequence[Mapping[str, Any]]],
        type_codes: dict[str, int],
        text_lengths: np.ndarray,
    ) -> _SpanColumns:
        sizes = np.fromiter(map(len, entity_lists), dtype=np.int64, count=len(entity_lists))
        entities = list(chain.from_iterable(entity_lists))
        doc = np.repeat(np.arange(len(entity_lists), dtype=np.int64), sizes)
        starts, ends, types = _field_lists(entities)
        start, start_ok = _int_column(starts)
        end, end_ok = _int_column(ends)
        if set(map(type, types)) <= {str}:
            type_ok = np.ones(len(types), dtype=bool)
        else:
            type_ok = np.fromiter((type(t) is str for t in types), dtype=bool, count=len(types))
            types = [t if ok else "" for t, ok in zip(types, type_ok.tolist(), strict=True)]
        code = np.fromiter(
            map(_TypeCodes(type_codes).__getitem__, types), dtype=np.int64, count=len(types)
        )
        plain = start_ok & end_ok & type_ok & (start >= 0) & (start < end)
        plain &= end <= text_lengths[doc]
        offsetless = np.zeros(len(entities), dtype=bool)
        if not (start_ok.all() and end_ok.all()):
            offsetless = np.fromiter(
                (s is None or e is None for s, e in zip(starts, ends, strict=True)),
                dtype=bool,
                count=len(entities),
            )
        columns = cls(doc, start, end, code, plain, offsetless)
        columns.first = np.cumsum(sizes) - sizes
        return columns

    def docs_with(self, mask: np.ndarray) -> np.ndarray:
        return np.unique(self.doc[mask])

    def select(self, mask: np.ndarray) -> _SpanColumns:
        return _SpanColumns(
            self.doc[mask],
            self.start[mask],
            self.end[mask],
            self.type[mask],
            self.plain[mask],
            self.offsetless[mask],
        )

    def extended(self, spans: list[tuple[int, Span]], type_codes: dict[str, int]) -> _SpanColumns:
        """These columns with more spans (of any documents) at the end."""
        if not spans:
            return self
        extra = np.array(
            [
                (doc, s.start, s.end, type_codes.setdefault(s.type, len(type_codes)))
                for doc, s in spans
            ],
            dtype=np.int64,
        )
        yes, no = np.ones(len(extra), dtype=bool), np.zeros(len(extra), dtype=bool)
        return _SpanColumns(
            np.concatenate([self.doc, extra[:, 0]]),
            np.concatenate([self.start, extra[:, 1]]),
            np.concatenate([self.end, extra[:, 2]]),
            np.concatenate([self.type, extra[:, 3]]),
            np.concatenate([self.plain, yes]),
            np.concatenate([self.offsetless, no]),
        )


_GET_FIELDS = itemgetter("start", "end", "type")


def _field_lists(entities: list[Mapping[str, Any]]) -> tuple[list[Any], list[Any], list[Any]]:
    """The start, end and type of every entity (None where a key is missing): one C-level pass
    over the entities for the three keys (each pass over many dicts costs their memory
    reads), split by slicing; `Mapping.get` only when some entity lacks one (a text-only
    prediction)."""
    try:
        flat = list(chain.from_iterable(map(_GET_FIELDS, entities)))
        return flat[0::3], flat[1::3], flat[2::3]
    except (LookupError, TypeError):  # not every entity has all three (or is no mapping)
        return (
            [entity.get("start") for entity in entities],
            [entity.get("end") for entity in entities],
            [entity.get("type") for entity in entities],
        )


class _TypeCodes(dict):
    """A view of a name -> code dict that gives a name it does not hold the next code (stored
    in the dict it was made from), so that the names are coded in one pass."""

    def __init__(self, codes: dict[str, int]) -> None:
        super().__init__(codes)
        self.codes = codes

    def __missing__(self, name: str) -> int:
        code = self[name] = self.codes[name] = len(self.codes)
        return code


def _int_column(values: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Values as int64 and which of them are ints (not bools) small enough for the fast path;
    the others become 0 and send their document to the exact path."""
    if set(map(type, values)) <= {int}:
        try:
            column = np.fromiter(values, dtype=np.int64, count=len(values))
        except OverflowError:
            column = None
        if column is not None and (
            not len(column)
            or (column.min() >= -_LARGEST_FAST_OFFSET and column.max() <= _LARGEST_FAST_OFFSET)
        ):
            return column, np.ones(len(column), dtype=bool)
    ok = np.fromiter(
        (type(v) is int and -_LARGEST_FAST_OFFSET <= v <= _LARGEST_FAST_OFFSET for v in values),
        dtype=bool,
        count=len(values),
    )
    column = np.fromiter(
        (v if fine else 0 for v, fine in zip(values, ok.tolist(), strict=True)),
        dtype=np.int64,
        count=len(values),
    )
    return column, ok


def _kept_by_mention(
    golds: Sequence[Sequence[Mapping[str, Any]]], mentions: frozenset[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Which gold entities the filter keeps, and which have no usable ``mention`` (no key, or
    a value a set cannot hold): `tally_entities` refuses those, so their documents go to it."""
    values = [entity.get("mention", _NO_MENTION) for entity in chain.from_iterable(golds)]
    if set(map(type, values)) <= {str, type(None)}:
        kept = np.fromiter(map(mentions.__contains__, values), dtype=bool, count=len(values))
        return kept, np.zeros(len(values), dtype=bool)
    kept = np.zeros(len(values), dtype=bool)
    unknown = np.zeros(len(values), dtype=bool)
    for index, value in enumerate(values):
        try:
            kept[index] = value is not _NO_MENTION and value in mentions
        except TypeError:
            unknown[index] = True
        unknown[index] |= value is _NO_MENTION
    return kept, unknown


def _anchored(
    gold: _SpanColumns,
    doc: int,
    gold_entities: Sequence[Mapping[str, Any]],
    pred_entities: Sequence[Mapping[str, Any]],
    text: str | None,
    type_names: dict[int, str],
) -> tuple[list[Span], list[tuple[str, str]]]:
    """The text-only predictions of one document anchored by `entities.prediction_spans` on
    all its gold spans (before the mention filter, as there). Predictions with offsets play no
    part in anchoring, so only the text-only ones are passed."""
    text_only = [
        entity
        for entity in pred_entities
        if entity.get("start") is None or entity.get("end") is None
    ]
    first = int(gold.first[doc])
    rows = slice(first, first + len(gold_entities))
    all_gold = [
        Span(start, end, type_names[code])
        for start, end, code in zip(
            gold.start[rows].tolist(),
            gold.end[rows].tolist(),
            gold.type[rows].tolist(),
            strict=True,
        )
    ]
    return prediction_spans(text_only, text, all_gold)


def _dropped_by_mention_filter(
    kept: _SpanColumns, excluded: _SpanColumns, pred: _SpanColumns, touches_kept: np.ndarray
) -> np.ndarray:
    """Which predictions the mention filter ignores: `entities._dropped_indices` for all
    documents at once (``touches_kept``: whether a prediction touches a kept gold span).

    There, predictions on the boundaries of gold mentions take gold slots of their own type
    in sorted order, so the n identical predictions of one (document, boundaries, type) meet
    the k kept and e excluded gold mentions of that key by themselves: the first k are scored,
    the next (up to e) ignored, the rest scored if a kept mention (of any type) has those
    boundaries and ignored otherwise. Which of the identical predictions is ignored makes no
    difference to any count. A prediction on no gold boundaries is ignored when it touches an
    excluded gold mention and no kept one.
    """
    n_kept, n_excluded, n_pred = len(kept), len(excluded), len(pred)
    doc = np.concatenate([kept.doc, excluded.doc, pred.doc])
    start = np.concatenate([kept.start, excluded.start, pred.start])
    end = np.concatenate([kept.end, excluded.end, pred.end])
    type_code = np.concatenate([kept.type, excluded.type, pred.type])
    bounds_id = _group_ids(doc, start, end)
    typed_id = _group_ids(bounds_id, type_code)
    n_bounds, n_typed = int(bounds_id.max(initial=-1)) + 1, int(typed_id.max(initial=-1)) + 1
    is_kept = np.arange(len(doc)) < n_kept
    is_excluded = ~is_kept & (np.arange(len(doc)) < n_kept + n_excluded)
    pred_bounds, pred_typed = bounds_id[n_kept + n_excluded :], typed_id[n_kept + n_excluded :]
    bounds_of_typed = np.zeros(n_typed, dtype=np.int64)
    bounds_of_typed[typed_id] = bounds_id

    kept_at_bounds = np.bincount(bounds_id[is_kept], minlength=n_bounds) > 0
    gold_at_bounds = kept_at_bounds | (np.bincount(bounds_id[is_excluded], minlength=n_bounds) > 0)
    kept_slots = np.bincount(typed_id[is_kept], minlength=n_typed)
    excluded_slots = np.bincount(typed_id[is_excluded], minlength=n_typed)
    copies = np.bincount(pred_typed, minlength=n_typed)
    beyond_kept = np.maximum(copies - kept_slots, 0)
    on_excluded = np.minimum(beyond_kept, excluded_slots)
    left_over = beyond_kept - on_excluded
    # per (document, boundaries, type), how many of its copies are ignored when gold has
    # those boundaries
    ignored_copies = on_excluded + np.where(kept_at_bounds[bounds_of_typed], 0, left_over)
    order = np.argsort(pred_typed, kind="stable")
    group_first = np.cumsum(copies) - copies
    rank = np.empty(n_pred, dtype=np.int64)
    rank[order] = np.arange(n_pred) - group_first[pred_typed[order]]
    on_gold_bounds = gold_at_bounds[pred_bounds]
    dropped = on_gold_bounds & (rank < ignored_copies[pred_typed])

    *excluded_pairs, excluded_dense = _sparse_pairs(excluded, pred)
    touches_excluded = _touched_mask(excluded, pred, excluded_pairs[1], excluded_dense)
    dropped |= ~on_gold_bounds & touches_excluded & ~touches_kept
    return dropped


def _group_ids(*columns: np.ndarray) -> np.ndarray:
    """An id per distinct combination of values of the (non-negative) columns, for every row:
    one sort of the values packed in an int when they fit in 62 bits, else a lexsort."""
    if not len(columns[0]):
        return np.zeros(0, dtype=np.int64)
    widths = [int(column.max()) + 1 for column in columns]
    if sum(width.bit_length() for width in widths) <= 62:
        packed = np.zeros(len(columns[0]), dtype=np.int64)
        for column, width in zip(columns, widths, strict=True):
            packed = packed * width + column
        return np.unique(packed, return_inverse=True)[1].reshape(-1)
    order = np.lexsort(columns[::-1])
    change = np.zeros(len(order), dtype=bool)
    change[0] = True
    for column in columns:
        ordered = column[order]
        change[1:] |= ordered[1:] != ordered[:-1]
    ids = np.empty(len(order), dtype=np.int64)
    ids[order] = np.cumsum(change) - 1
    return ids


# ---------------------------------------------------------------------------------------------
# matching and counting


def _touching_pairs(gold: _SpanColumns, pred: _SpanColumns) -> tuple[np.ndarray, np.ndarray]:
    """(gold index, pred index) of every touching pair of the same document, for all documents
    at once, then nervaluate's test (`entities.touches`) on them.

    Two spans overlap exactly when one starts inside the other, and in only one of two
    disjoint ways: the prediction starts in [gold.start, gold.end), or the gold span starts in
    (pred.start, pred.end). Each is a range of a list sorted by (document, start), so the
    candidates are exactly the overlapping pairs, whatever the span lengths."""
    empty = np.zeros(0, dtype=np.int64)
    if not len(gold) or not len(pred):
        return empty, empty
    # (document, offset) as one int; offsets lie in [0, width), so documents never mix
    width = int(max(gold.end.max(), pred.end.max())) + 1
    gold_base, pred_base = gold.doc * width, pred.doc * width
    gold_order = np.argsort(gold_base + gold.start, kind="stable")
    pred_order = np.argsort(pred_base + pred.start, kind="stable")
    gold_keys = (gold_base + gold.start)[gold_order]
    pred_keys = (pred_base + pred.start)[pred_order]
    # predictions that start inside a gold span (at its start included)
    gold_a, position_a = _expand(
        np.searchsorted(pred_keys, gold_base + gold.start, side="left"),
        np.searchsorted(pred_keys, gold_base + gold.end, side="left"),
    )
    # gold spans that start inside a prediction (after its start)
    pred_b, position_b = _expand(
        np.searchsorted(gold_keys, pred_base + pred.start, side="right"),
        np.searchsorted(gold_keys, pred_base + pred.end, side="left"),
    )
    gold_idx = np.concatenate([gold_a, gold_order[position_b]])
    pred_idx = np.concatenate([pred_order[position_a], pred_b])
    gold_start, gold_end = gold.start[gold_idx], gold.end[gold_idx]
    shared = np.minimum(gold_end, pred.end[pred_idx]) - np.maximum(gold_start, pred.start[pred_idx])
    touch = (shared > 0) & (100 * shared >= MIN_OVERLAP_PERCENT * (gold_end - gold_start))
    return gold_idx[touch], pred_idx[touch]


DenseCluster = tuple[int, np.ndarray, np.ndarray]  # document, gold indices, predicted indices


def _sparse_pairs(
    gold: _SpanColumns, pred: _SpanColumns
) -> tuple[np.ndarray, np.ndarray, list[DenseCluster]]:
    """`_touching_pairs` of the spans outside dense clusters, and the dense clusters (more than
    ``dense.DENSE_CELLS`` gold x predicted spans), whose pairs are never listed.

    Clusters as in `_clusters`, but of all spans: sorted by (document, start), split wherever a
    span starts at or after the end of all before it; every touching pair lies in one."""
    if not len(gold) or not len(pred):
        return (*_touching_pairs(gold, pred), [])
    n_gold = len(gold)
    doc = np.concatenate([gold.doc, pred.doc])
    start = np.concatenate([gold.start, pred.start])
    end = np.concatenate([gold.end, pred.end])
    width = int(end.max()) + 1  # so a document's keys all lie below the next one's
    key_start = doc * width + start
    order = np.argsort(key_start, kind="stable")
    reach = np.maximum.accumulate((doc * width + end)[order])
    opens = np.ones(len(order), dtype=bool)
    opens[1:] = key_start[order][1:] >= reach[:-1]
    cluster = np.empty(len(order), dtype=np.int64)
    cluster[order] = np.cumsum(opens) - 1
    n_clusters = int(cluster.max()) + 1
    gold_sizes = np.bincount(cluster[:n_gold], minlength=n_clusters)
    pred_sizes = np.bincount(cluster[n_gold:], minlength=n_clusters)
    dense = gold_sizes * pred_sizes > DENSE_CELLS
    if not dense.any():
        return (*_touching_pairs(gold, pred), [])
    gold_sparse = ~dense[cluster[:n_gold]]
    pred_sparse = ~dense[cluster[n_gold:]]
    gold_idx, pred_idx = _touching_pairs(gold.select(gold_sparse), pred.select(pred_sparse))
    clusters = []
    gold_members = _members(cluster[:n_gold], ~gold_sparse)
    pred_members = _members(cluster[n_gold:], ~pred_sparse)
    for number in np.flatnonzero(dense).tolist():
        gold_ids = gold_members[number]
        clusters.append((int(gold.doc[gold_ids[0]]), gold_ids, pred_members[number]))
    return np.flatnonzero(gold_sparse)[gold_idx], np.flatnonzero(pred_sparse)[pred_idx], clusters


def _members(cluster: np.ndarray, chosen: np.ndarray) -> dict[int, np.ndarray]:
    """Indices of the chosen rows, by cluster."""
    rows = np.flatnonzero(chosen)
    rows = rows[np.argsort(cluster[rows], kind="stable")]
    numbers, firsts = np.unique(cluster[rows], return_index=True)
    return dict(zip(numbers.tolist(), np.split(rows, firsts[1:]), strict=True))


def _touched_mask(
    gold: _SpanColumns, pred: _SpanColumns, paired_pred: np.ndarray, dense: list[DenseCluster]
) -> np.ndarray:
    """Which predictions touch a gold span: those in a listed pair (``paired_pred``), and those
    of dense clusters that `dense.touched_predictions` finds."""
    touched = np.zeros(len(pred), dtype=bool)
    touched[paired_pred] = True
    for _, gold_ids, pred_ids in dense:
        touched[pred_ids] = touched_predictions(_bounds(gold, gold_ids), _bounds(pred, pred_ids))
    return touched


def _bounds(spans: _SpanColumns, ids: np.ndarray) -> list[tuple[int, int]]:
    return list(zip(spans.start[ids].tolist(), spans.end[ids].tolist(), strict=True))


@contextmanager
def _refusal_in_document(doc: int) -> Iterator[None]:
    """A `MatchingTooLarge` from inside, tagged with the index of its document in the batch."""
    try:
        yield
    except MatchingTooLarge as error:
        error.document_index = doc
        raise


def _expand(first: np.ndarray, stop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ranges [first[i], stop[i]): the owner i and the position, of every member."""
    sizes = np.maximum(stop - first, 0)
    owner = np.repeat(np.arange(len(first), dtype=np.int64), sizes)
    offset = np.arange(int(sizes.sum()), dtype=np.int64) - np.repeat(
        np.cumsum(sizes) - sizes, sizes
    )
    return owner, np.repeat(first, sizes) + offset


def _lone_pairs(gold_idx: np.ndarray, pred_idx: np.ndarray, n_gold: int, n_pred: int) -> np.ndarray:
    """Which pairs are a component of their own: the gold and the prediction touch nothing
    else, so every scheme matches them (`entities._components`, one-pair case)."""
    gold_degree = np.bincount(gold_idx, minlength=n_gold)
    pred_degree = np.bincount(pred_idx, minlength=n_pred)
    return (gold_degree[gold_idx] == 1) & (pred_degree[pred_idx] == 1)


def _count_lone_pairs(
    gold: _SpanColumns,
    pred: _SpanColumns,
    gold_idx: np.ndarray,
    pred_idx: np.ndarray,
    overall: np.ndarray,
    per_type: np.ndarray,
) -> None:
    """Add the outcomes of the one-pair components: every pair overall, and the same-type
    pairs for their type (per type, nervaluate only pairs spans of that type)."""
    n_docs, n_types = per_type.shape[:2]
    same_bounds = (gold.start[gold_idx] == pred.start[pred_idx]) & (
        gold.end[gold_idx] == pred.end[pred_idx]
    )
    same_type = gold.type[gold_idx] == pred.type[pred_idx]
    pair_key = 2 * same_bounds.astype(np.int64) + same_type
    doc = gold.doc[gold_idx]
    by_key = np.bincount(doc * 4 + pair_key, minlength=n_docs * 4).reshape(n_docs, 4)
    for key in range(4):
        overall += by_key[:, key, None, None] * _OUTCOME_TABLE[key]
    cell = (doc[same_type] * n_types + gold.type[gold_idx][same_type]) * 4 + pair_key[same_type]
    by_type_key = np.bincount(cell, minlength=n_docs * n_types * 4).reshape(n_docs, n_types, 4)
    for key in (1, 3):  # same type, other or same boundaries
        per_type += by_type_key[:, :, key, None, None] * _OUTCOME_TABLE[key]


def _count_ambiguous(
    gold: _SpanColumns,
    pred: _SpanColumns,
    gold_idx: np.ndarray,
    pred_idx: np.ndarray,
    type_names: list[str],
    overall: np.ndarray,
    per_type: np.ndarray,
    paths: np.ndarray,
) -> None:
    """Add the matched outcomes of the components with more than one pair.

    They are grouped in clusters of overlapping spans (a union of whole components); a cluster
    of at most ``_LARGEST_ENUMERATED_CLUSTER`` pairs is solved by `_count_enumerated`, a larger
    one by `tally_entities` on its spans alone.
    """
    if not len(gold_idx):
        return
    edge_cluster, cluster_doc, gold_count, pred_count = _clusters(gold, pred, gold_idx, pred_idx)
    identical = _identical_clusters(
        gold, pred, gold_idx, pred_idx, edge_cluster, gold_count, pred_count
    )
    if identical.any():
        edges = identical[edge_cluster]
        exact = _same_bounds_and_type(gold, pred, gold_idx, pred_idx)
        # their exact pairs, counted as one-pair components (correct in every scheme)
        _count_lone_pairs(
            gold, pred, gold_idx[edges & exact], pred_idx[edges & exact], overall, per_type
        )
        paths[cluster_doc[identical]] |= PATH_IDENTICAL_CLUSTER
        gold_idx, pred_idx = gold_idx[~edges], pred_idx[~edges]
        if not len(gold_idx):
            return
        kept = np.flatnonzero(~identical)
        renumbered = np.cumsum(~identical) - 1
        edge_cluster, cluster_doc = renumbered[edge_cluster[~edges]], cluster_doc[kept]
    order = np.argsort(edge_cluster, kind="stable")
    gold_idx, pred_idx, edge_cluster = gold_idx[order], pred_idx[order], edge_cluster[order]
    sizes = np.bincount(edge_cluster)
    first_edge = np.cumsum(sizes) - sizes
    for n_edges in np.unique(sizes).tolist():
        clusters = np.flatnonzero(sizes == n_edges)
        if n_edges > _LARGEST_ENUMERATED_CLUSTER:
            for cluster in clusters.tolist():
                edges = slice(first_edge[cluster], first_edge[cluster] + n_edges)
                doc = int(cluster_doc[cluster])
                _count_by_tally_entities(
                    gold, pred, gold_idx[edges], pred_idx[edges], doc, type_names, overall, per_type
                )
                paths[doc] |= PATH_LARGE_CLUSTER
            continue
        paths[cluster_doc[clusters]] |= PATH_ENUMERATED
        # bounded work arrays: (clusters, 2**E subsets, E pairs) per step
        step = max(1, _ENUMERATION_CELLS // (2**n_edges * n_edges))
        for chunk in range(0, len(clusters), step):
            some = clusters[chunk : chunk + step]
            edges = first_edge[some, None] + np.arange(n_edges)  # (clusters, E)
            _count_enumerated(
                gold,
                pred,
                gold_idx[edges],
                pred_idx[edges],
                cluster_doc[some],
                overall,
                per_type,
            )


def _distinct(indices: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(indices, return_inverse=True)`` for indices into ``size`` rows, without a
    sort: the rows taken, in order, and the position of each index among them."""
    taken = np.zeros(size, dtype=bool)
    taken[indices] = True
    return np.flatnonzero(taken), (np.cumsum(taken) - 1)[indices]


def _same_bounds_and_type(
    gold: _SpanColumns, pred: _SpanColumns, gold_idx: np.ndarray, pred_idx: np.ndarray
) -> np.ndarray:
    """Which pairs have the same boundaries and the same type (correct in every scheme)."""
    return (
        (gold.start[gold_idx] == pred.start[pred_idx])
        & (gold.end[gold_idx] == pred.end[pred_idx])
        & (gold.type[gold_idx] == pred.type[pred_idx])
    )


def _identical_clusters(
    gold: _SpanColumns,
    pred: _SpanColumns,
    gold_idx: np.ndarray,
    pred_idx: np.ndarray,
    edge_cluster: np.ndarray,
    gold_count: np.ndarray,
    pred_count: np.ndarray,
) -> np.ndarray:
    """Which clusters are settled by their exact pairs (same boundaries and type): those pairs
    are one to one (no span in two of them) and as many as the smaller side of the cluster has
    spans (every prediction has its exact gold twin, or every gold span its exact prediction).

    Then they are the best matching `entities._best_matches` can find in every scheme: each
    pair has the highest weight a pair can have (correct: full credit), and no matching has
    more pairs than the smaller side has spans. The same holds per type: the exact pairs of a
    type number as many as the spans of that type on the smaller side. So the cluster counts
    its exact pairs as correct in every scheme, overall and per type, as one-pair components
    would, whatever other pairs touch; the spans left over are missed or spurious.
    """
    exact = _same_bounds_and_type(gold, pred, gold_idx, pred_idx)
    n_clusters = len(gold_count)
    exact_pairs = np.bincount(edge_cluster[exact], minlength=n_clusters)
    # a span in two exact pairs (a span given twice on the other side) spoils its cluster
    twice = (np.bincount(gold_idx[exact], minlength=len(gold)) > 1)[gold_idx] | (
        np.bincount(pred_idx[exact], minlength=len(pred)) > 1
    )[pred_idx]
    spoiled = np.bincount(edge_cluster[exact & twice], minlength=n_clusters) > 0
    return (exact_pairs == np.minimum(gold_count, pred_count)) & ~spoiled


def _clusters(
    gold: _SpanColumns, pred: _SpanColumns, gold_idx: np.ndarray, pred_idx: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cluster of every pair, document of every cluster, and how many gold spans and
    predictions each cluster has: the spans of the pairs, sorted by (document, start), split
    wherever a span starts at or after the end of all before it. Touching spans overlap, so
    they never fall on two sides of a split."""
    gold_ids, gold_of_edge = _distinct(gold_idx, len(gold))
    pred_ids, _ = _distinct(pred_idx, len(pred))
    doc = np.concatenate([gold.doc[gold_ids], pred.doc[pred_ids]])
    start = np.concatenate([gold.start[gold_ids], pred.start[pred_ids]])
    end = np.concatenate([gold.end[gold_ids], pred.end[pred_ids]])
    width = int(end.max()) + 1  # so a document's keys all lie below the next one's
    order = np.lexsort((start, doc))
    key_start = doc[order] * width + start[order]
    reach = np.maximum.accumulate(doc[order] * width + end[order])
    opens = np.ones(len(order), dtype=bool)
    opens[1:] = key_start[1:] >= reach[:-1]
    cluster = np.empty(len(order), dtype=np.int64)
    cluster[order] = np.cumsum(opens) - 1
    cluster_doc = doc[order][opens]
    n_clusters = len(cluster_doc)
    gold_count = np.bincount(cluster[: len(gold_ids)], minlength=n_clusters)
    pred_count = np.bincount(cluster[len(gold_ids) :], minlength=n_clusters)
    return cluster[: len(gold_ids)][gold_of_edge], cluster_doc, gold_count, pred_count


def _count_enumerated(
    gold: _SpanColumns,
    pred: _SpanColumns,
    gold_idx: np.ndarray,
    pred_idx: np.ndarray,
    cluster_doc: np.ndarray,
    overall: np.ndarray,
    per_type: np.ndarray,
) -> None:
    """Counts of the best matchings of clusters of E pairs each (arrays: clusters x E), by
    trying every subset of the pairs.

    `entities._best_matches` maximises, per component, the packed weight
    ``(2*credit*K + correct)*K + matched``, i.e. (credit, correct, matched) in lexicographic
    order, and reports the counts of a maximum; those counts are a function of the maximum.
    Here the same order is maximised over every subset of pairs that is a matching. Over a
    union of components the best sum is the sum of the bests (a lexicographic order is kept
    by addition), so the counts are those `tally_entities` adds up, component by component.
    Per type, the matchings are those made of pairs of that type only (nervaluate's view).
    """
    n_clusters, n_edges = gold_idx.shape
    n_types = per_type.shape[1]
    bits = (np.arange(2**n_edges)[:, None] >> np.arange(n_edges)) & 1  # subset x pair
    first, second = np.triu_indices(n_edges, k=1)
    both_in = bits[:, first] & bits[:, second]  # subset x (pair of pairs)
    clash = (gold_idx[:, first] == gold_idx[:, second]) | (
        pred_idx[:, first] == pred_idx[:, second]
    )
    is_matching = (
        clash.astype(np.float64) @ both_in.T.astype(np.float64)
    ) == 0  # clusters x subsets

    same_bounds = (gold.start[gold_idx] == pred.start[pred_idx]) & (
        gold.end[gold_idx] == pred.end[pred_idx]
    )
    same_type = gold.type[gold_idx] == pred.type[pred_idx]
    pair_key = 2 * same_bounds.astype(np.int64) + same_type
    best = np.where(is_matching[..., None], _subset_sums(bits, _PACKED_WEIGHT[pair_key]), -1).max(
        axis=1
    )
    _add_by_row(overall, cluster_doc, _unpack(best))

    # per type: subsets whose pairs all have the same type on both sides, one type throughout
    pair_type = np.where(same_type, gold.type[gold_idx], -1)
    chosen = bits.astype(bool)[None]
    lowest = np.where(chosen, pair_type[:, None, :], n_types).min(axis=2)
    highest = np.where(chosen, pair_type[:, None, :], -1).max(axis=2)
    one_type = is_matching & (lowest == highest) & (lowest >= 0)
    cluster_of, subset_of = np.nonzero(one_type)
    typed_totals = _subset_sums(bits, _PACKED_WEIGHT[2 * same_bounds.astype(np.int64) + 1])
    cell = cluster_of * n_types + lowest[cluster_of, subset_of]
    # the best of each (cluster, type): a segmented maximum over the subsets sorted by cell
    order = np.argsort(cell, kind="stable")
    cells, firsts = np.unique(cell[order], return_index=True)
    totals = typed_totals[cluster_of[order], subset_of[order]]
    best_typed = np.maximum.reduceat(totals, firsts, axis=0)
    some = best_typed.any(axis=1)
    cells, best_typed = cells[some], best_typed[some]
    flat_per_type = per_type.reshape(-1, *per_type.shape[2:])
    _add_by_row(
        flat_per_type,
        cluster_doc[cells // n_types] * n_types + cells % n_types,
        _unpack(best_typed),
    )


def _subset_sums(bits: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``bits @ weights`` for bits (subsets x E) of 0/1 and integer weights (clusters x E x
    schemes): one float64 matrix product (BLAS) instead of a stack of small integer ones, exact
    because every sum stays far below 2**53."""
    n_clusters, n_edges, n_schemes = weights.shape
    flat = weights.transpose(1, 0, 2).reshape(n_edges, n_clusters * n_schemes)
    sums = bits.astype(np.float64) @ flat.astype(np.float64)  # subsets x (clusters * schemes)
    return sums.reshape(len(bits), n_clusters, n_schemes).transpose(1, 0, 2).astype(np.int64)


def _add_by_row(target: np.ndarray, rows: np.ndarray, values: np.ndarray) -> None:
    """``np.add.at(target, rows, values)`` (rows may repeat) as one sort and a segmented sum:
    ufunc.at goes element by element."""
    if not len(rows):
        return
    order = np.argsort(rows, kind="stable")
    distinct, firsts = np.unique(rows[order], return_index=True)
    target[distinct] += np.add.reduceat(values[order], firsts, axis=0)


def _packed_weight() -> np.ndarray:
    """[pair key, scheme] weight of a pair, packed like `entities._best_matches` packs it but
    with K = ``_PACKING_SCALE``, more than any count of pairs of an enumerated cluster."""
    scale = _PACKING_SCALE
    correct = _OUTCOME_TABLE[:, :, COUNT_NAMES.index("correct")]
    partial = _OUTCOME_TABLE[:, :, COUNT_NAMES.index("partial")]
    return ((2 * correct + partial) * scale + correct) * scale + 1


def _unpack(packed: np.ndarray) -> np.ndarray:
    """[..., scheme] best packed weights to [..., scheme, count] matched outcomes: the weight
    is (doubled credit * K + correct) * K + matched, and doubled credit = 2*correct + partial."""
    scale = _PACKING_SCALE
    matched = packed % scale
    correct = (packed // scale) % scale
    partial = packed // (scale * scale) - 2 * correct
    counts = np.zeros((*packed.shape, len(COUNT_NAMES)), dtype=np.int64)
    counts[..., COUNT_NAMES.index("correct")] = correct
    counts[..., COUNT_NAMES.index("partial")] = partial
    counts[..., COUNT_NAMES.index("incorrect")] = matched - correct - partial
    return counts


def _count_by_tally_entities(
    gold: _SpanColumns,
    pred: _SpanColumns,
    gold_idx: np.ndarray,
    pred_idx: np.ndarray,
    doc: int,
    type_names: list[str],
    overall: np.ndarray,
    per_type: np.ndarray,
) -> None:
    """Add the matched outcomes of one cluster from `tally_entities` on its spans alone: all
    pairs of those spans are in the cluster, so that sub-document has exactly its components."""
    tally = tally_entities(
        _span_dicts(gold, np.unique(gold_idx), type_names),
        _span_dicts(pred, np.unique(pred_idx), type_names),
    )
    overall[doc] += _matched_counts(tally["overall"])
    for entity_type, counts in tally["per_type"].items():
        per_type[doc, type_names.index(entity_type)] += _matched_counts(counts)


def _span_dicts(spans: _SpanColumns, ids: np.ndarray, type_names: list[str]) -> list[dict]:
    return [
        {"start": start, "end": end, "type": type_names[code]}
        for start, end, code in zip(
            spans.start[ids].tolist(),
            spans.end[ids].tolist(),
            spans.type[ids].tolist(),
            strict=True,
        )
    ]


def _matched_counts(counts: Mapping[str, Mapping[str, int]]) -> np.ndarray:
    """[scheme, count] of a tally section with missed and spurious left at 0 (they are
    recomputed for the whole document)."""
    matrix = np.zeros((len(SCHEMES), len(COUNT_NAMES)), dtype=np.int64)
    for s, scheme in enumerate(SCHEMES):
        for name in _MATCHED_OUTCOMES:
            matrix[s, COUNT_NAMES.index(name)] = counts[scheme][name]
    return matrix


_PACKED_WEIGHT = _packed_weight()


def _count_by(doc: np.ndarray, type_code: np.ndarray, n_docs: int, n_types: int) -> np.ndarray:
    """[document, type] number of spans."""
    return np.bincount(doc * n_types + type_code, minlength=n_docs * n_types).reshape(
        n_docs, n_types
    )


def _add_missed_and_spurious(
    overall: np.ndarray,
    per_type: np.ndarray,
    gold_per_type: np.ndarray,
    pred_per_type: np.ndarray,
) -> None:
    """Missed and spurious are the gold spans and scored predictions left unmatched, scheme by
    scheme, overall and per type (as in `entities._scheme_counts`; unanchored predictions are
    among the scored ones, always spurious)."""
    matched = overall[:, :, :_MISSED].sum(axis=2)
    overall[:, :, _MISSED] = gold_per_type.sum(axis=1)[:, None] - matched
    overall[:, :, _SPURIOUS] = pred_per_type.sum(axis=1)[:, None] - matched
    matched_per_type = per_type[:, :, :, :_MISSED].sum(axis=3)
    per_type[:, :, :, _MISSED] = gold_per_type[:, :, None] - matched_per_type
    per_type[:, :, :, _SPURIOUS] = pred_per_type[:, :, None] - matched_per_type


def _write_tally(
    doc: int,
    tally: Tally,
    type_names: list[str],
    overall: np.ndarray,
    per_type: np.ndarray,
    type_present: np.ndarray,
) -> None:
    """Put the tally of a document done by `tally_entities` into the columns."""
    type_position = {name: position for position, name in enumerate(type_names)}
    for s, scheme in enumerate(SCHEMES):
        for c, name in enumerate(COUNT_NAMES):
            overall[doc, s, c] = tally["overall"][scheme][name]
    for entity_type, counts in tally["per_type"].items():
        t = type_position[entity_type]
        type_present[doc, t] = True
        for s, scheme in enumerate(SCHEMES):
            for c, name in enumerate(COUNT_NAMES):
                per_type[doc, t, s, c] = counts[scheme][name]


def _columns(
    overall: np.ndarray,
    per_type: np.ndarray,
    type_present: np.ndarray,
    type_names: list[str],
    ignored: np.ndarray,
    unanchored: np.ndarray,
) -> tuple[list[tuple[str, ...]], np.ndarray, np.ndarray]:
    """Lay the arrays out as leaf columns (fields, counts, present); types present in no
    document get none."""
    n_docs = overall.shape[0]
    used = np.flatnonzero(type_present.any(axis=0))
    leaves = [(scheme, name) for scheme in SCHEMES for name in COUNT_NAMES]
    fields = [("overall", *leaf) for leaf in leaves]
    fields += [("per_type", type_names[t], *leaf) for t in used.tolist() for leaf in leaves]
    fields += [("ignored_predictions",), ("unanchored_predictions",)]
    counts = np.concatenate(
        [
            overall.reshape(n_docs, len(leaves)),
            per_type[:, used].reshape(n_docs, len(used) * len(leaves)),
            ignored[:, None],
            unanchored[:, None],
        ],
        axis=1,
    )
    present = np.concatenate(
        [
            np.ones((n_docs, len(leaves)), dtype=bool),
            np.repeat(type_present[:, used], len(leaves), axis=1),
            np.ones((n_docs, 2), dtype=bool),
        ],
        axis=1,
    )
    return fields, counts, present
