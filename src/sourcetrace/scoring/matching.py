"""One-to-one matching of gold and predicted annotations, and the ways two pieces of text compare.

Shared by the claim and attribution scorers (and, through ``claims.lenient_claim_pairs``, by the
cluster scorer). A *piece* is any dict with optional ``start``/``end`` (code points, end
exclusive) and optional ``text``: a claim, a cue, an attribution content, an entity mention.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from sourcetrace.scoring.assignment import unique_best_matching
from sourcetrace.scoring.common import char_overlap, normalize_text, span_f1, token_f1

Pair = tuple[int, int]
Piece = dict[str, Any]

# Similarities are ratios of small integers; computed in floating point, an exact 0.5 can come
# out as 0.49999999999999994 and silently fail a ">= 0.5" test.
THRESHOLD_TOLERANCE = 1e-9


def at_least(value: float, threshold: float) -> bool:
    """``value >= threshold`` that forgives floating-point noise on exact ties."""
    return value >= threshold - THRESHOLD_TOLERANCE


def canonical_key(item: Any) -> str:
    """A total order on annotations that ignores list position: equal keys = identical items."""
    return json.dumps(item, sort_keys=True, ensure_ascii=False, default=repr)


def max_weight_matching(
    valid: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    row_keys: Sequence[Any] | None = None,
    col_keys: Sequence[Any] | None = None,
) -> list[Pair]:
    """Best one-to-one set of valid (row, column) pairs, as original indices sorted by row.

    "Best" is lexicographic: first the largest number of valid pairs (so a true-positive count
    is the size of a maximum matching and never depends on how weights trade off), then the
    largest total weight (so the pairs kept are the closest ones). ``weights`` must lie in
    [0, 1]; without them every valid pair weighs the same.

    Ties are broken deterministically and independently of input order: rows and columns are
    put in the order of their keys (default: their position) before the solver runs, so the same
    sets of items in any order give the same pairs.
    """
    valid = np.asarray(valid, dtype=bool)
    n_rows, n_cols = valid.shape
    if n_rows == 0 or n_cols == 0:
        return []
    if weights is None:
        weights = np.zeros(valid.shape)
    weights = np.asarray(weights, dtype=float)
    if weights.shape != valid.shape:
        raise ValueError(f"weights {weights.shape} and validity {valid.shape} differ in shape")
    if np.any(weights[valid] < 0) or np.any(weights[valid] > 1):
        raise ValueError("matching weights must lie in [0, 1]")
    row_order = _order(n_rows, row_keys)
    col_order = _order(n_cols, col_keys)
    unique = unique_best_matching(valid, weights)
    if unique is not None:  # no choice for the solver to make: its answer, without importing it
        return unique
    # imported here, not at module level: scipy is slow to import and the CLI starts without it
    from scipy.optimize import linear_sum_assignment

    valid = valid[np.ix_(row_order, col_order)]
    weights = weights[np.ix_(row_order, col_order)]
    # One more pair is worth more than any total weight a matching can reach (at most
    # min(n_rows, n_cols) pairs of weight <= 1), hence lexicographic; invalid cells weigh 0, so
    # the solver never prefers them to leaving a row unmatched, and they are dropped afterwards.
    pair_bonus = min(n_rows, n_cols) + 1.0
    profit = np.where(valid, pair_bonus + weights, 0.0)
    rows, cols = linear_sum_assignment(profit, maximize=True)
    return sorted(
        (int(row_order[r]), int(col_order[c]))
        for r, c in zip(rows, cols, strict=True)
        if valid[r, c]
    )


def match_items(
    gold: Sequence[Any],
    pred: Sequence[Any],
    is_valid: Callable[[Any, Any], bool],
    weight: Callable[[Any, Any], float] | None = None,
    *,
    key: Callable[[Any], Any] = canonical_key,
) -> list[Pair]:
    """``max_weight_matching`` over items, with a validity predicate and an optional weight."""
    valid = pairwise(gold, pred, is_valid, dtype=bool)
    weights = None if weight is None else pairwise(gold, pred, weight, dtype=float)
    return max_weight_matching(
        valid, weights, row_keys=[key(g) for g in gold], col_keys=[key(p) for p in pred]
    )


def pairwise(
    gold: Sequence[Any], pred: Sequence[Any], function: Callable[[Any, Any], Any], *, dtype: type
) -> np.ndarray:
    """``function(gold[i], pred[j])`` for every pair, as a (len(gold), len(pred)) array."""
    matrix = np.zeros((len(gold), len(pred)), dtype=dtype)
    for i, gold_item in enumerate(gold):
        for j, pred_item in enumerate(pred):
            matrix[i, j] = function(gold_item, pred_item)
    return matrix


def _order(size: int, keys: Sequence[Any] | None) -> np.ndarray:
    if keys is None:
        return np.arange(size)
    if len(keys) != size:
        raise ValueError(f"{len(keys)} keys for {size} items")
    return np.array(sorted(range(size), key=lambda index: keys[index]), dtype=int)


# --- comparing two pieces ---------------------------------------------------------------------


def has_offsets(piece: Piece) -> bool:
    return piece.get("start") is not None and piece.get("end") is not None


def same_piece(gold: Piece, pred: Piece) -> bool:
    """Strict: the same offsets when both sides have offsets, else the same normalised text."""
    if has_offsets(gold) and has_offsets(pred):
        return (gold["start"], gold["end"]) == (pred["start"], pred["end"])
    return normalize_text(_text_of(gold)) == normalize_text(_text_of(pred))


def piece_similarity(gold: Piece, pred: Piece) -> float:
    """Character-overlap Dice when both sides have offsets, else SQuAD token F1 of the texts."""
    if has_offsets(gold) and has_offsets(pred):
        return span_f1(gold["start"], gold["end"], pred["start"], pred["end"])
    return token_f1(_text_of(pred), _text_of(gold))


def pieces_touch(gold: Piece, pred: Piece, min_token_f1: float) -> bool:
    """Loosest sensible match: any shared character, or token F1 >= ``min_token_f1`` for text."""
    if has_offsets(gold) and has_offsets(pred):
        return char_overlap(gold["start"], gold["end"], pred["start"], pred["end"]) > 0
    return at_least(token_f1(_text_of(pred), _text_of(gold)), min_token_f1)


def _text_of(piece: Piece) -> str:
    text = piece.get("text")
    if not isinstance(text, str):
        raise ValueError(
            f"cannot compare {piece!r}: the other side has no offsets, so a text is needed"
        )
    return text
