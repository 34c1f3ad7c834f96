"""The claim matchings of many documents at once, as columns (issue 24).

``claims.tally_claims`` and ``claims.lenient_claim_pairs`` compare the claims of one document
at a time: a ``PieceComparison`` per document, a text cell at a time, some sixty small numpy
calls each. Here every (gold, predicted) claim pair of every document of a batch is one cell of
flat arrays (the documents' matrices laid end to end, row-major), and each step is one numpy
call over the batch. It gives, exactly, what the per-document code gives:

- Offsets: the integer arithmetic and the one float division of ``PieceComparison.similarity``
  (character-overlap Dice), cell for cell.
- Text cells (a side text-only): each distinct text is normalised once per batch
  (``common.normalize_text``). Token overlap (the sum over shared tokens of the smaller count,
  ``Counter & Counter``) is the number of shared *occurrences* when the k-th occurrence of a
  token is a feature of its own; with features numbered per document, one sparse product of the
  gold and predicted occurrence matrices counts them for every claim pair of every document,
  and never across documents. Token F1 then takes ``common.token_f1``'s operations in its
  order, so each value is the same double.
- Matchings: where every valid cell of a document is alone in its row and its column (and its
  weight within [0, 1]), those cells are the answer of ``piece_matrices.maximum_matching``
  (``forced_pairs``) and the strict count that of ``matching_size``; any other document's
  matrices are sliced out and given to those same functions.

A document the columns do not take (a claim that is not a dict, offsets that are not plain
ints or are huge, a text-only claim where the other side lacks a text, more cells than the dense
bound: what makes the per-document code compare pair by pair, group, or refuse) is left None
for the caller to score one by one, which raises, or not, exactly as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain, repeat
from typing import Any, NamedTuple

import numpy as np

from sourcetrace.errors import InputError
from sourcetrace.scoring.common import normalize_texts
from sourcetrace.scoring.dense import DENSE_CELLS, max_solver_cells
from sourcetrace.scoring.matching import THRESHOLD_TOLERANCE, Pair
from sourcetrace.scoring.piece_matrices import (
    OFFSET_LIMIT,
    KeyOrders,
    matching_size,
    maximum_matching,
    token_f1_of_overlaps,
)


class ClaimMatches(NamedTuple):
    """Per document of a batch: the strict true positives and the lenient pairs (sorted by
    gold index), each None where the document is left to the per-document code."""

    strict_counts: list[int | None]
    lenient_pairs: list[list[Pair] | None]


class _Side(NamedTuple):
    """One side's claims of the taken documents, flat: offsets, kinds and texts."""

    claims: list[dict]
    starts: np.ndarray  # int64, 0 where text-only
    ends: np.ndarray
    text_only: np.ndarray  # bool
    texts: list[Any]  # read only where has_text
    has_text: np.ndarray  # bool: the text is a str


class _Computed(NamedTuple):
    """What a batch's columns settled, and the inputs it was settled from (``key``)."""

    key: tuple
    taken: list[int]
    n_gold: np.ndarray
    n_pred: np.ndarray
    cells: _Cells
    similarity: np.ndarray
    valid: np.ndarray
    same: np.ndarray | None
    forced: list[list[Pair] | None]
    strict_sizes: list[int] | None


# The claim scorer's last columns: the claim-cluster scorer asks next for the lenient pairs of
# the batch the claim scorer has just matched. Reused once, and only when every input they are
# made of is equal.
_LAST: list[_Computed] = []


def claim_matches(
    gold_layers: Sequence[Any],
    pred_layers: Sequence[Any],
    threshold: float,
    *,
    strict: bool = True,
) -> ClaimMatches:
    """For each document (its gold and predicted claim lists), what ``tally_claims`` counts at
    the strict level (``strict=False``: not computed, None) and the pairs
    ``lenient_claim_pairs`` returns at ``threshold`` (a checked claim threshold)."""
    n_docs = len(gold_layers)
    strict_counts: list[int | None] = [None] * n_docs
    lenient_pairs: list[list[Pair] | None] = [None] * n_docs
    computed = _columns(gold_layers, pred_layers, threshold, strict)
    if computed is None:
        return ClaimMatches(strict_counts, lenient_pairs)
    cells, n_gold, n_pred = computed.cells, computed.n_gold, computed.n_pred
    for k, d in enumerate(computed.taken):
        pairs = computed.forced[k]
        if pairs is None:  # a choice to make: the solver path, on the document's matrices
            block = cells.block(k)
            shape = (int(n_gold[k]), int(n_pred[k]))
            pairs = maximum_matching(
                computed.valid[block].reshape(shape),
                computed.similarity[block].reshape(shape),
                KeyOrders(gold_layers[d], pred_layers[d]),
            )
        lenient_pairs[d] = pairs
        if strict and computed.strict_sizes is not None and computed.same is not None:
            size = computed.strict_sizes[k]
            if size < 0:
                block = cells.block(k)
                size = matching_size(computed.same[block].reshape(int(n_gold[k]), int(n_pred[k])))
            strict_counts[d] = size
    return ClaimMatches(strict_counts, lenient_pairs)


def _columns(
    gold_layers: Sequence[Any], pred_layers: Sequence[Any], threshold: float, strict: bool
) -> _Computed | None:
    """The batch's comparisons and forced matchings (None: no document taken), or those of the
    last batch when they were made of equal inputs."""
    taken = _taken_documents(gold_layers, pred_layers)
    if not taken:
        return None
    gold, gold_refused = _side([gold_layers[d] for d in taken])
    pred, pred_refused = _side([pred_layers[d] for d in taken])
    n_gold = np.array([len(gold_layers[d]) for d in taken], dtype=np.int64)
    n_pred = np.array([len(pred_layers[d]) for d in taken], dtype=np.int64)
    key = (
        threshold,
        taken,
        n_gold.tobytes(),
        n_pred.tobytes(),
        *_snapshot(gold, gold_refused),
        *_snapshot(pred, pred_refused),
    )
    if _LAST and _LAST[0].key == key and (_LAST[0].same is not None or not strict):
        return _LAST.pop()  # used once: the memory of a chunk is not kept into the next
    _LAST.clear()
    keep = _comparable(gold, pred, (gold_refused, pred_refused), n_gold, n_pred)
    kept = taken
    if not keep.all():
        kept = [d for d, k in zip(taken, keep.tolist(), strict=True) if k]
        if not kept:
            return None
        gold = _side([gold_layers[d] for d in kept])[0]
        pred = _side([pred_layers[d] for d in kept])[0]
        n_gold, n_pred = n_gold[keep], n_pred[keep]
    cells = _Cells(n_gold, n_pred)
    similarity, same = _compare(gold, pred, cells, strict)
    valid = similarity >= threshold - THRESHOLD_TOLERANCE
    # a valid weight outside [0, 1] (cannot be: Dice and token F1 are not) is left to the solver
    odd_weight = cells.per_document(valid & ~((similarity >= 0) & (similarity <= 1)))
    computed = _Computed(
        key,
        kept,
        n_gold,
        n_pred,
        cells,
        similarity,
        valid,
        same,
        _forced(valid, cells, odd_weight),
        _matching_sizes(same, cells) if same is not None else None,
    )
    if strict:  # the claim scorer's columns, for the claim-cluster scorer that follows it
        _LAST.append(computed)
    return computed


def _snapshot(side: _Side, refused: np.ndarray) -> tuple:
    """Everything of a side that the comparisons and the choice of documents read."""
    return (
        side.starts.tobytes(),
        side.ends.tobytes(),
        side.text_only.tobytes(),
        side.has_text.tobytes(),
        refused.tobytes(),
        side.texts,
    )


def _taken_documents(gold_layers: Sequence[Any], pred_layers: Sequence[Any]) -> list[int]:
    """Documents whose two layers are lists of dicts small enough for the dense path (the
    per-document code groups larger ones, or refuses them)."""
    try:
        bound = min(DENSE_CELLS, max_solver_cells())
    except InputError:  # a bad bound in the environment: refused by the per-document code
        return []
    return [
        d
        for d, (gold, pred) in enumerate(zip(gold_layers, pred_layers, strict=True))
        if type(gold) is list
        and type(pred) is list
        and len(gold) * len(pred) <= bound
        and all(type(claim) is dict for claim in gold)
        and all(type(claim) is dict for claim in pred)
    ]


def _side(layers: list[list[dict]]) -> tuple[_Side, np.ndarray]:
    """The claims of the documents, flat, and per claim whether ``piece_batch`` would refuse it
    (offsets that are not both plain ints, nor one of them None; offsets beyond OFFSET_LIMIT;
    text-only without a str text). Each step is one compiled loop over the claims."""
    claims = list(chain.from_iterable(layers))
    count = len(claims)
    starts = np.fromiter(map(dict.get, claims, repeat("start")), dtype=object, count=count)
    ends = np.fromiter(map(dict.get, claims, repeat("end")), dtype=object, count=count)
    texts = list(map(dict.get, claims, repeat("text")))
    start_type = np.fromiter(map(type, starts), dtype=object, count=count)
    end_type = np.fromiter(map(type, ends), dtype=object, count=count)
    offsets = (start_type == int) & (end_type == int)  # noqa: E721 - exactly int, as piece_batch
    text_only = ~offsets & ((start_type == type(None)) | (end_type == type(None)))  # noqa: E721
    has_text = np.fromiter(map(type, texts), dtype=object, count=count) == str  # noqa: E721
    starts[~offsets] = 0
    ends[~offsets] = 0
    try:
        start_array, end_array = starts.astype(np.int64), ends.astype(np.int64)
    except OverflowError:  # beyond int64: beyond OFFSET_LIMIT too
        start_array, end_array = starts, ends
    out_of_range = (
        (start_array <= -OFFSET_LIMIT)
        | (start_array >= OFFSET_LIMIT)
        | (end_array <= -OFFSET_LIMIT)
        | (end_array >= OFFSET_LIMIT)
    ).astype(bool)
    if start_array.dtype == object:
        start_array = np.where(out_of_range, 0, start_array).astype(np.int64)
        end_array = np.where(out_of_range, 0, end_array).astype(np.int64)
    refused = (~offsets & ~text_only) | out_of_range | (text_only & ~has_text)
    return _Side(claims, start_array, end_array, text_only, texts, has_text), refused


def _comparable(
    gold: _Side,
    pred: _Side,
    refused: tuple[np.ndarray, np.ndarray],
    n_gold: np.ndarray,
    n_pred: np.ndarray,
) -> np.ndarray:
    """Per document: no claim refused, and (``comparable``) a text on every offset claim that
    faces a text-only claim of the other side."""
    keep = np.ones(len(n_gold), dtype=bool)
    sides = []
    for side, side_refused, counts in ((gold, refused[0], n_gold), (pred, refused[1], n_pred)):
        doc_of = np.repeat(np.arange(len(counts)), counts)
        keep &= ~_any_per_document(doc_of, side_refused, len(counts))
        has_text_only = _any_per_document(doc_of, side.text_only, len(counts))
        untexted = _any_per_document(doc_of, ~side.text_only & ~side.has_text, len(counts))
        sides.append((has_text_only, untexted))
    (gold_text_only, gold_untexted), (pred_text_only, pred_untexted) = sides
    keep &= ~(gold_text_only & pred_untexted) & ~(pred_text_only & gold_untexted)
    return keep


def _any_per_document(doc_of: np.ndarray, flags: np.ndarray, n_docs: int) -> np.ndarray:
    return np.bincount(doc_of[flags], minlength=n_docs) > 0


class _Cells:
    """Every (gold, predicted) claim pair of every document, row-major within a document and
    documents in order: cell -> document, gold claim and predicted claim (flat indices)."""

    def __init__(self, n_gold: np.ndarray, n_pred: np.ndarray) -> None:
        sizes = n_gold * n_pred
        self.n_docs = len(sizes)
        self.stop = np.cumsum(sizes)
        self.start = self.stop - sizes
        self.document = np.repeat(np.arange(self.n_docs), sizes)
        local = np.arange(int(self.stop[-1])) - self.start[self.document]
        per_row = n_pred[self.document]
        self.row = local // np.maximum(per_row, 1)  # index within the document's gold claims
        self.col = local - self.row * per_row
        self.gold = (np.cumsum(n_gold) - n_gold)[self.document] + self.row
        self.pred = (np.cumsum(n_pred) - n_pred)[self.document] + self.col

    def block(self, k: int) -> slice:
        return slice(int(self.start[k]), int(self.stop[k]))

    def per_document(self, flags: np.ndarray) -> np.ndarray:
        """Whether any cell of each document is flagged."""
        return _any_per_document(self.document, flags, self.n_docs)


def _compare(
    gold: _Side, pred: _Side, cells: _Cells, strict: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """``PieceComparison.similarity`` and (``strict``) ``same`` of every cell."""
    g, p = cells.gold, cells.pred
    gs, ge, ps, pe = gold.starts[g], gold.ends[g], pred.starts[p], pred.ends[p]
    overlaps = np.maximum(np.minimum(ge, pe) - np.maximum(gs, ps), 0)
    lengths = (ge - gs) + (pe - ps)
    similarity = np.zeros(len(g), dtype=float)
    np.divide(2 * overlaps, lengths, out=similarity, where=lengths != 0)
    same = ((gs == ps) & (ge == pe)) if strict else None
    text_cells = np.flatnonzero(gold.text_only[g] | pred.text_only[p])
    if len(text_cells):
        same_text, token_f1 = text_comparisons(
            gold.texts, pred.texts, g[text_cells], p[text_cells], cells.document[text_cells]
        )
        similarity[text_cells] = token_f1
        if same is not None:
            same[text_cells] = same_text
    return similarity, same


def text_comparisons(
    gold_texts: Sequence[str | None],
    pred_texts: Sequence[str | None],
    gold_index: np.ndarray,
    pred_index: np.ndarray,
    group: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """``normalize_text(gold) == normalize_text(pred)`` and ``common.token_f1(pred, gold)``
    of each pair (gold_texts[gold_index[i]], pred_texts[pred_index[i]]), every text read a str.
    ``group[i]`` (a non-negative int, the document) keeps the token counting of the pairs of a
    group among themselves: pairs are compared within groups, so each group's texts are few."""
    distinct: dict[str, int] = {}
    gold_text = _text_ids(gold_texts, gold_index, distinct)
    pred_text = _text_ids(pred_texts, pred_index, distinct)
    normals = normalize_texts(list(distinct))
    normal_ids: dict[str, int] = {}
    normal_of = np.array(
        [normal_ids.setdefault(normal, len(normal_ids)) for normal in normals], dtype=np.int64
    )
    same_text = normal_of[gold_text] == normal_of[pred_text]
    features = _occurrence_features(normals)
    gold_length, pred_length = features.lengths[gold_text], features.lengths[pred_text]
    overlap = _shared_occurrences(features, gold_text, pred_text, np.asarray(group, np.int64))
    return same_text, token_f1_of_overlaps(overlap, gold_length, pred_length)


def _text_ids(
    texts: Sequence[str | None], index: np.ndarray, distinct: dict[str, int]
) -> np.ndarray:
    """The distinct-text number of each ``texts[index[i]]`` (numbering new texts on)."""
    used, inverse = np.unique(index, return_inverse=True)
    numbers = [distinct.setdefault(texts[i], len(distinct)) for i in used.tolist()]  # type: ignore[arg-type]
    return np.array(numbers, dtype=np.int64)[inverse.ravel()]


class _Features(NamedTuple):
    """Per distinct text, its token occurrences as feature numbers (CSR): the k-th occurrence
    of token t is a feature of its own, so that shared features count ``Counter & Counter``."""

    start: np.ndarray
    lengths: np.ndarray  # tokens per text
    values: np.ndarray
    count: int  # features in all


def _occurrence_features(normals: list[str]) -> _Features:
    lengths, token = _token_numbers(normals)
    text = np.repeat(np.arange(len(normals)), lengths)
    # the occurrence number of each token within its text: its rank among equal (text, token)
    order = np.lexsort((token, text))
    vocabulary = int(token.max()) + 1 if len(token) else 1
    key = text[order] * vocabulary + token[order]
    first = np.ones(len(key), dtype=bool)
    first[1:] = key[1:] != key[:-1]
    group_start = np.maximum.accumulate(np.where(first, np.arange(len(key)), 0))
    occurrence = np.empty(len(key), dtype=np.int64)
    occurrence[order] = np.arange(len(key)) - group_start
    most = int(occurrence.max()) + 1 if len(occurrence) else 1
    values = token * most + occurrence
    start = np.cumsum(lengths) - lengths
    return _Features(start, lengths, values, vocabulary * most)


def _token_numbers(normals: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Tokens per normalised text (``normal.split()``, as ``token_f1`` splits) and a number per
    distinct token, in text order (each step one of Python's compiled loops)."""
    split = list(map(str.split, normals))
    tokens = list(chain.from_iterable(split))
    numbers = dict(zip(dict.fromkeys(tokens), range(len(tokens)), strict=False))
    lengths = np.fromiter(map(len, split), dtype=np.int64, count=len(split))
    return lengths, np.fromiter(map(numbers.__getitem__, tokens), np.int64, count=len(tokens))


def _shared_occurrences(
    features: _Features, gold_text: np.ndarray, pred_text: np.ndarray, group: np.ndarray
) -> np.ndarray:
    """Shared token occurrences of each (gold text, predicted text) pair: one sparse product
    of the occurrence matrices of the (group, text) rows of each side, features numbered per
    group so that nothing is counted across groups, read at the pairs."""
    if len(gold_text) == 0:
        return np.zeros(0, dtype=np.int64)
    n_texts = len(features.lengths)
    gold_rows, gold_row = np.unique(group * n_texts + gold_text, return_inverse=True)
    pred_rows, pred_row = np.unique(group * n_texts + pred_text, return_inverse=True)
    gold_cells, gold_columns = _occurrences(features, gold_rows // n_texts, gold_rows % n_texts)
    pred_cells, pred_columns = _occurrences(features, pred_rows // n_texts, pred_rows % n_texts)
    columns, numbered = np.unique(np.concatenate([gold_columns, pred_columns]), return_inverse=True)
    numbered = numbered.ravel()
    from scipy.sparse import csr_matrix

    left = csr_matrix(
        (np.ones(len(gold_cells), dtype=np.int64), (gold_cells, numbered[: len(gold_cells)])),
        shape=(len(gold_rows), len(columns)),
    )
    right = csr_matrix(
        (np.ones(len(pred_cells), dtype=np.int64), (pred_cells, numbered[len(gold_cells) :])),
        shape=(len(pred_rows), len(columns)),
    )
    product = (left @ right.T).tocsr()
    return np.asarray(product[gold_row.ravel(), pred_row.ravel()]).ravel().astype(np.int64)


def _occurrences(
    features: _Features, groups: np.ndarray, texts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of each token occurrence of the rows' texts, columns numbered per group."""
    sizes = features.lengths[texts]
    row = np.repeat(np.arange(len(texts)), sizes)
    offset = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    feature = features.values[np.repeat(features.start[texts], sizes) + offset]
    return row, groups[row] * features.count + feature


def _forced(valid: np.ndarray, cells: _Cells, odd_weight: np.ndarray) -> list[list[Pair] | None]:
    """Per document, its valid cells as (gold, predicted) pairs where each is alone in its row
    and column (``forced_pairs``); None elsewhere."""
    at = np.flatnonzero(valid)
    document = cells.document[at]
    rows = cells.gold[at]
    cols = cells.pred[at]
    crowded = np.zeros(cells.n_docs, dtype=bool)
    for index in (rows, cols):
        counts = np.bincount(index)
        crowded[document[counts[index] > 1]] = True
    crowded |= odd_weight
    bounds = np.searchsorted(document, np.arange(cells.n_docs + 1)).tolist()
    pairs = list(zip(cells.row[at].tolist(), cells.col[at].tolist(), strict=True))
    return [None if crowded[k] else pairs[bounds[k] : bounds[k + 1]] for k in range(cells.n_docs)]


def _matching_sizes(same: np.ndarray, cells: _Cells) -> list[int]:
    """``matching_size`` per document where no row, or no column, has two valid cells (the
    columns, or rows, with a valid cell); -1 where the caller must ask it."""
    at = np.flatnonzero(same)
    document = cells.document[at]
    sizes = []
    used = []
    crowded = []
    for index in (cells.gold[at], cells.pred[at]):
        counts = np.bincount(index) if len(index) else np.zeros(0, dtype=np.int64)
        many = np.zeros(cells.n_docs, dtype=bool)
        many[document[counts[index] > 1]] = True
        crowded.append(many)
        first = np.unique(index, return_index=True)[1]
        used.append(np.bincount(document[first], minlength=cells.n_docs))
    rows_crowded, cols_crowded = crowded
    rows_used, cols_used = used
    sizes = np.where(~rows_crowded, cols_used, np.where(~cols_crowded, rows_used, -1))
    return sizes.tolist()


__all__ = ["ClaimMatches", "claim_matches", "text_comparisons"]
