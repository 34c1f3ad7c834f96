"""All-pairs piece comparisons as numpy matrices, and one-to-one matchings without needless solving.

The claim and attribution scorers compare every gold piece of a document with every predicted
one and then solve a matching. Done pair by pair in Python (``matching.same_piece`` and co.,
then ``matching.max_weight_matching``), that dominated ``evaluate`` on large documents (issue
16). This module computes the same matrices and the same matchings, exactly, not closely:

- Cells where both pieces have integer offsets are broadcast with the integer arithmetic of
  ``common.char_overlap`` and the float expression of ``common.span_f1``
  (``2 * overlap / (len_gold + len_pred)``, 0.0 on an empty denominator). Integers below 2**53
  convert to float64 exactly and IEEE division rounds like Python's ``int / int``, so every
  similarity is the same double and every threshold test the same boolean.
- Cells where a piece is text-only are compared as ``matching`` compares them: normalised texts
  (``common.normalize_text``) for equality, and ``common.token_f1`` step for step, ending in
  ``common.f1_score``'s operations, for similarity (``_TextCells``).
- ``piece_batch`` refuses (None) a piece it cannot classify, and ``comparable`` refuses a pair
  of batches where a per-pair function would raise; callers then run the per-pair code, which
  raises, or not, exactly as before.
- ``maximum_matching`` returns what ``max_weight_matching`` returns: directly when the answer
  is forced, otherwise by the same solver call on the same profit matrix.

``tests/scoring/test_claims_attributions_fast.py`` compares all of it with the per-pair
functions and with the all-pairs scorers of before, on random documents built to hit ties.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from sourcetrace.scoring.assignment import maximum_matching_size, unique_best_matching
from sourcetrace.scoring.common import normalize_text
from sourcetrace.scoring.matching import (
    THRESHOLD_TOLERANCE,
    Pair,
    Piece,
    canonical_key,
    max_weight_matching,
)

# Offsets beyond this never occur in a text; keeping below it keeps every sum of two lengths,
# doubled, an exact integer in float64 (< 2**53), as the float expression of span_f1 needs.
OFFSET_LIMIT = 2**50


class Segment(NamedTuple):
    """One kind of piece within a batch (the cues, say): comparisons never cross segments.

    Indices are positions in the whole batch.
    """

    start: int
    stop: int
    text_only: list[int]


class PieceBatch(NamedTuple):
    """One side's pieces, in segments, as arrays for broadcasting.

    A piece is absent (None), compared by offsets (integer ``start`` and ``end``), or text-only
    (no ``start`` or no ``end``, and a ``text``). Starts and ends are 0 where there are no
    offsets: those cells are always overwritten.
    """

    pieces: list[Piece | None]
    starts: np.ndarray
    ends: np.ndarray
    absent: np.ndarray
    any_absent: bool
    segments: list[Segment]

    def present(self, segment: Segment) -> list[int]:
        """Indices of the segment's pieces that are not absent."""
        pieces = self.pieces
        return [index for index in range(segment.start, segment.stop) if pieces[index] is not None]

    def any_untexted(self, segment: Segment) -> bool:
        """Whether a piece of the segment with offsets has no text: comparing it with a
        text-only piece would raise."""
        text_only = set(segment.text_only)
        return any(
            type(self.pieces[index].get("text")) is not str
            for index in self.present(segment)
            if index not in text_only
        )


def piece_batch(*segments: Sequence[Piece | None]) -> PieceBatch | None:
    """The batch of the segments' pieces, or None when one of them is outside what the matrices
    handle (not a dict, offsets that are not plain ints or are huge, a text-only piece without a
    string text); the caller then compares pair by pair."""
    pieces: list[Piece | None] = []
    starts: list[int] = []
    ends: list[int] = []
    absent_at: list[int] = []
    described: list[Segment] = []
    for segment in segments:
        first = len(starts)
        text_only: list[int] = []
        for piece in segment:
            if piece is None:
                absent_at.append(len(starts))
                starts.append(0)
                ends.append(0)
                continue
            if type(piece) is not dict:
                return None
            start = piece.get("start")
            end = piece.get("end")
            if type(start) is int and type(end) is int:
                starts.append(start)
                ends.append(end)
            elif start is None or end is None:
                if type(piece.get("text")) is not str:
                    return None
                text_only.append(len(starts))
                starts.append(0)
                ends.append(0)
            else:
                return None
        pieces += segment
        described.append(Segment(first, len(starts), text_only))
    if starts and (
        min(starts) <= -OFFSET_LIMIT
        or max(starts) >= OFFSET_LIMIT
        or min(ends) <= -OFFSET_LIMIT
        or max(ends) >= OFFSET_LIMIT
    ):
        return None
    absent = np.zeros(len(starts), dtype=bool)
    absent[absent_at] = True
    return PieceBatch(
        pieces=pieces,
        starts=np.array(starts, dtype=np.int64),
        ends=np.array(ends, dtype=np.int64),
        absent=absent,
        any_absent=bool(absent_at),
        segments=described,
    )


def comparable(gold: PieceBatch, pred: PieceBatch) -> bool:
    """No per-pair comparison within a segment can raise: whenever one piece of a pair is
    text-only, the other has a text too."""
    for gold_segment, pred_segment in zip(gold.segments, pred.segments, strict=True):
        if gold_segment.text_only and pred.any_untexted(pred_segment):
            return False
        if pred_segment.text_only and gold.any_untexted(gold_segment):
            return False
    return True


class PieceComparison:
    """Every gold piece against every predicted one, as ``same_piece``, ``pieces_touch`` and
    ``piece_similarity`` answer pair by pair, for two ``comparable`` batches.

    Only cells within a segment (gold segment k, predicted segment k) mean anything; callers
    slice them out. Pairs with an absent piece answer False (0.0): what absence means is the
    caller's rule. Text cells are computed once and serve the strict and the lenient level.
    """

    def __init__(self, gold: PieceBatch, pred: PieceBatch) -> None:
        self.gold = gold
        self.pred = pred
        self._text: _TextCells | None = None

    def same(self) -> np.ndarray:
        """``same_piece``: same offsets, or (a side text-only) same normalised text."""
        gold, pred = self.gold, self.pred
        matrix = (gold.starts[:, None] == pred.starts[None, :]) & (
            gold.ends[:, None] == pred.ends[None, :]
        )
        text = self._text_cells()
        if text.rows:
            matrix[text.rows, text.cols] = text.same_text
        return self._absent_to(matrix, False)

    def touch(self, min_token_f1: float) -> np.ndarray:
        """``pieces_touch``: a shared character, or token F1 at least ``min_token_f1``."""
        gold, pred = self.gold, self.pred
        # char_overlap > 0, i.e. min(ends) - max(starts) > 0
        matrix = np.minimum(gold.ends[:, None], pred.ends[None, :]) > np.maximum(
            gold.starts[:, None], pred.starts[None, :]
        )
        text = self._text_cells()
        if text.rows:
            matrix[text.rows, text.cols] = text.token_f1 >= min_token_f1 - THRESHOLD_TOLERANCE
        return self._absent_to(matrix, False)

    def similarity(self) -> np.ndarray:
        """``piece_similarity``: character-overlap Dice, or token F1 when a side is text-only."""
        gold, pred = self.gold, self.pred
        shared = np.minimum(gold.ends[:, None], pred.ends[None, :]) - np.maximum(
            gold.starts[:, None], pred.starts[None, :]
        )
        overlaps = np.maximum(shared, 0)  # char_overlap
        lengths = (gold.ends - gold.starts)[:, None] + (pred.ends - pred.starts)[None, :]
        # span_f1 = safe_div(2 * overlap, len_a + len_b): the same division of the same integers
        matrix = np.zeros(overlaps.shape, dtype=float)
        np.divide(2 * overlaps, lengths, out=matrix, where=lengths != 0)
        text = self._text_cells()
        if text.rows:
            matrix[text.rows, text.cols] = text.token_f1
        return self._absent_to(matrix, 0.0)

    def both_absent(self) -> np.ndarray:
        """Pairs where both pieces are absent."""
        return self.gold.absent[:, None] & self.pred.absent[None, :]

    def either_absent(self) -> np.ndarray:
        """Pairs where at least one piece is absent."""
        return self.gold.absent[:, None] | self.pred.absent[None, :]

    def _text_cells(self) -> _TextCells:
        if self._text is None:
            self._text = _TextCells(self.gold, self.pred)
        return self._text

    def _absent_to(self, matrix: np.ndarray, value: bool | float) -> np.ndarray:
        if self.gold.any_absent:
            matrix[self.gold.absent, :] = value
        if self.pred.any_absent:
            matrix[:, self.pred.absent] = value
        return matrix


class _TextCells:
    """The cells of a comparison where a piece is text-only, and their text comparisons.

    ``same_text`` is ``normalize_text(gold) == normalize_text(pred)``, ``same_piece``'s text
    branch. ``token_f1`` is ``common.token_f1(pred, gold)`` as it computes it: token bags of the
    normalised texts; with a side without tokens ``float(len_pred == len_gold)``; else 0.0
    without overlap, else ``common.f1_score(overlap / len_pred, overlap / len_gold)``, so
    each value is the same double. (Its ``Counter & Counter`` is the slow part of it; the
    overlap, the sum over shared tokens of the smaller count, is summed here from a set
    intersection, and is the number of shared tokens when a bag has no repeated token.)
    """

    def __init__(self, gold: PieceBatch, pred: PieceBatch) -> None:
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.same_text: list[bool] = []
        self._token_f1: list[float] = []
        for gold_segment, pred_segment in zip(gold.segments, pred.segments, strict=True):
            # offsets count only when both pieces have them: a text-only piece is compared by
            # text with every present piece of the other side
            if pred_segment.text_only:
                self._compare(gold, gold.present(gold_segment), pred, pred_segment.text_only)
            if gold_segment.text_only:
                text_only = set(pred_segment.text_only)
                with_offsets = [col for col in pred.present(pred_segment) if col not in text_only]
                if with_offsets:
                    self._compare(gold, gold_segment.text_only, pred, with_offsets)
        self.token_f1 = np.array(self._token_f1, dtype=float)

    def _compare(
        self, gold: PieceBatch, rows: list[int], pred: PieceBatch, cols: list[int]
    ) -> None:
        """Every row against every column (``comparable`` made sure all have string texts)."""
        gold_bags = [_token_bag(gold.pieces[row]["text"]) for row in rows]
        same_text = self.same_text
        token_f1 = self._token_f1
        for col in cols:
            pred_normal, pred_tokens, pred_bag, pred_length = _token_bag(pred.pieces[col]["text"])
            self.rows += rows
            self.cols += [col] * len(rows)
            for gold_normal, gold_tokens, gold_bag, gold_length in gold_bags:
                same_text.append(gold_normal == pred_normal)
                if not pred_length or not gold_length:
                    token_f1.append(float(pred_length == gold_length))
                    continue
                shared = pred_tokens & gold_tokens
                if not shared:
                    token_f1.append(0.0)
                    continue
                if pred_bag is None or gold_bag is None:
                    overlap = len(shared)  # a bag without repeats: each shared token counts 1
                else:
                    overlap = sum(min(pred_bag[token], gold_bag[token]) for token in shared)
                # f1_score(precision, recall) written out (its denominator is positive here):
                # the same operations in the same order, so the same double
                precision, recall = overlap / pred_length, overlap / gold_length
                token_f1.append(2 * precision * recall / (precision + recall))


# Texts recur within a document (a mention against every text-only source, the same claims for
# the strict and the lenient level) and between the claim and claim-cluster layers of small
# runs; a larger cache would mostly hold memory (a bag is some hundreds of bytes).
@lru_cache(maxsize=16384)
def _token_bag(text: str) -> tuple[str, frozenset[str], Counter[str] | None, int]:
    """The normalised text, its distinct tokens, its token counts (None when no token repeats:
    then each count is 1, and counting them was most of the time) and its number of tokens
    (as ``token_f1`` and ``same_piece`` see a text); shared through the cache, never changed."""
    normal = normalize_text(text)
    tokens = normal.split()
    distinct = frozenset(tokens)
    bag = None if len(distinct) == len(tokens) else Counter(tokens)
    return normal, distinct, bag, len(tokens)


# --- matchings ------------------------------------------------------------------------------


class KeyOrders:
    """Rows and columns in the order ``max_weight_matching`` sorts them (by ``canonical_key``),
    computed once per document and only when a matching needs the solver: most never do."""

    def __init__(self, gold_items: Sequence[Any], pred_items: Sequence[Any]) -> None:
        self.gold_items = gold_items
        self.pred_items = pred_items
        self._orders: tuple[np.ndarray, np.ndarray] | None = None
        self._keys: tuple[list[str], list[str]] | None = None

    def keys(self) -> tuple[list[str], list[str]]:
        if self._keys is None:
            self._keys = (
                [canonical_key(item) for item in self.gold_items],
                [canonical_key(item) for item in self.pred_items],
            )
        return self._keys

    def orders(self) -> tuple[np.ndarray, np.ndarray]:
        if self._orders is None:
            row_keys, col_keys = self.keys()
            self._orders = (_key_order(row_keys), _key_order(col_keys))
        return self._orders


def _key_order(keys: Sequence[str]) -> np.ndarray:
    """As ``matching._order``: positions sorted by key, stably."""
    return np.array(sorted(range(len(keys)), key=keys.__getitem__), dtype=int)


def forced_pairs(valid: np.ndarray) -> list[Pair] | None:
    """The valid cells, sorted, when each is alone in its row and its column; else None.

    Then they are the only maximum matching, and ``max_weight_matching`` returns exactly them
    whatever the weights and the key order: a valid pair is worth more than the largest total
    weight, so a solution missing one of them is not optimal.
    """
    rows, cols = np.nonzero(valid)
    row_list, col_list = rows.tolist(), cols.tolist()
    if len(set(row_list)) != len(row_list) or len(set(col_list)) != len(col_list):
        return None
    return list(zip(row_list, col_list, strict=True))


def maximum_matching(
    valid: np.ndarray, weights: np.ndarray | None, orders: KeyOrders
) -> list[Pair]:
    """Exactly ``max_weight_matching(valid, weights, row_keys=..., col_keys=...)`` with the
    canonical keys of ``orders``' items, without the solver when the answer is forced."""
    valid = np.asarray(valid, dtype=bool)
    if valid.size == 0:
        return []
    forced = forced_pairs(valid)
    if weights is not None:
        # the original refuses weights outside [0, 1] on valid cells; let it decide any such
        # case (nan included), the solver being what it would run into
        if forced is not None:
            chosen = [float(weights[pair]) for pair in forced]  # the valid cells
        else:
            chosen = weights[valid].tolist()
        if not all(0 <= weight <= 1 for weight in chosen):
            row_keys, col_keys = orders.keys()
            return max_weight_matching(valid, weights, row_keys=row_keys, col_keys=col_keys)
    if forced is not None:
        return forced
    unique = unique_best_matching(valid, weights)
    if unique is not None:  # one best matching: the solver's answer, without importing it
        return unique
    # imported here, as in matching.py: scipy is slow to import and the CLI starts without it
    from scipy.optimize import linear_sum_assignment

    row_order, col_order = orders.orders()
    n_rows, n_cols = valid.shape
    # max_weight_matching's profit matrix, value for value: the same solver call on the same
    # numbers gives the same pairs, ties included.
    ordered_valid = valid[np.ix_(row_order, col_order)]
    pair_bonus = min(n_rows, n_cols) + 1.0
    if weights is None:
        profit = np.where(ordered_valid, pair_bonus, 0.0)
    else:
        ordered_weights = np.asarray(weights, dtype=float)[np.ix_(row_order, col_order)]
        profit = np.where(ordered_valid, pair_bonus + ordered_weights, 0.0)
    rows, cols = linear_sum_assignment(profit, maximize=True)
    return sorted(
        (int(row_order[r]), int(col_order[c]))
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True)
        if ordered_valid[r, c]
    )


def matching_size(valid: np.ndarray) -> int:
    """``len(max_weight_matching(valid, ...))`` for any weights and keys: the size of a maximum
    matching (see ``matching_sizes``)."""
    rows, cols = np.nonzero(valid)
    row_list, col_list = rows.tolist(), cols.tolist()
    if len(set(row_list)) == len(row_list):
        return len(set(col_list))
    if len(set(col_list)) == len(col_list):
        return len(set(row_list))
    return maximum_matching_size(valid)


def matching_sizes(valid_stack: np.ndarray) -> list[int]:
    """Sizes of maximum matchings of a stack of validity matrices, shape (k, rows, cols).

    ``len(max_weight_matching(...))`` is the size of a maximum matching of the valid cells,
    whatever the weights and keys (one more pair always outweighs them), and that size needs
    no solver when each row, or each column, has at most one valid cell: it is then the
    number of columns, or rows, with a valid cell.
    """
    if valid_stack.shape[1] == 0 or valid_stack.shape[2] == 0:
        return [0] * valid_stack.shape[0]
    per_row = valid_stack.sum(axis=2)
    per_col = valid_stack.sum(axis=1)
    rows_used = np.count_nonzero(per_row, axis=1).tolist()
    cols_used = np.count_nonzero(per_col, axis=1).tolist()
    most_per_row = per_row.max(axis=1).tolist()
    most_per_col = per_col.max(axis=1).tolist()
    sizes = []
    for index in range(valid_stack.shape[0]):
        if most_per_row[index] <= 1:
            sizes.append(cols_used[index])
        elif most_per_col[index] <= 1:
            sizes.append(rows_used[index])
        else:
            sizes.append(maximum_matching_size(valid_stack[index]))
    return sizes


__all__ = [
    "KeyOrders",
    "PieceBatch",
    "PieceComparison",
    "comparable",
    "forced_pairs",
    "matching_size",
    "matching_sizes",
    "maximum_matching",
    "piece_batch",
    "Segment",
]


def same_piece_pairs(gold: Sequence[Piece], pred: Sequence[Piece]) -> list[Pair]:
    """Exactly ``match_items(gold, pred, same_piece)``: the validity matrix by broadcasting, the
    same solver call on it (or none where the pairs are forced); odd pieces go pair by pair."""
    from sourcetrace.scoring.matching import match_items, same_piece

    gold_batch, pred_batch = piece_batch(gold), piece_batch(pred)
    if (
        gold_batch is None
        or pred_batch is None
        or gold_batch.any_absent
        or pred_batch.any_absent
        or not comparable(gold_batch, pred_batch)
    ):
        return match_items(gold, pred, same_piece)
    valid = PieceComparison(gold_batch, pred_batch).same()
    return maximum_matching(valid, None, KeyOrders(gold, pred))


def token_f1_of_overlaps(
    overlap: np.ndarray, gold_length: np.ndarray, pred_length: np.ndarray
) -> np.ndarray:
    """``common.token_f1`` of many text pairs from their shared token count and token counts:
    its operations in its order, so each value is the same double (the batch scorers of claims
    and attributions count the overlaps their own way, then meet here)."""
    token_f1 = np.zeros(len(overlap), dtype=float)
    empty = (gold_length == 0) | (pred_length == 0)
    token_f1[empty] = (gold_length[empty] == pred_length[empty]).astype(float)
    scored = ~empty & (overlap > 0)
    shared = overlap[scored]
    # f1_score(precision, recall) written out (its denominator is positive here)
    precision = shared / pred_length[scored]
    recall = shared / gold_length[scored]
    token_f1[scored] = 2 * precision * recall / (precision + recall)
    return token_f1
