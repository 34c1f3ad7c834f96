"""Matchings without the solver (scoring.assignment) give scipy's answer, exactly.

Since issue 25 (start-up), `max_weight_matching`, the dense piece matcher and cluster alignment
skip ``scipy.optimize`` when the best matching is unique; these properties run scipy's
``linear_sum_assignment`` itself as the reference, on matrices drawn with many ties (weights
from a small set), in shuffled row and column orders.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from fuzz_profiles import EXACTNESS_EXAMPLES, profile_name
from sourcetrace.scoring.assignment import (
    best_assignment_weights,
    best_sparse_alignment,
    maximum_matching_size,
    unique_best_matching,
)
from sourcetrace.scoring.matching import max_weight_matching

EXAMPLES = EXACTNESS_EXAMPLES[profile_name()]
WEIGHTS = (0.0, 0.25, 1 / 3, 0.5, 2 / 3, 1.0)


def scipy_matching(
    valid: np.ndarray, weights: np.ndarray | None, row_order: list[int], col_order: list[int]
) -> list[tuple[int, int]]:
    """max_weight_matching as it was before the shortcut: the solver on the profit matrix (one
    more pair outweighs any total weight), rows and columns in the given order."""
    n_rows, n_cols = valid.shape
    if n_rows == 0 or n_cols == 0:
        return []
    weights = np.zeros(valid.shape) if weights is None else weights
    ordered_valid = valid[np.ix_(row_order, col_order)]
    ordered_weights = weights[np.ix_(row_order, col_order)]
    profit = np.where(ordered_valid, min(n_rows, n_cols) + 1.0 + ordered_weights, 0.0)
    rows, cols = linear_sum_assignment(profit, maximize=True)
    return sorted(
        (row_order[r], col_order[c])
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True)
        if ordered_valid[r, c]
    )


@st.composite
def matching_problems(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray | None, list, list]:
    n_rows = draw(st.integers(min_value=0, max_value=7))
    n_cols = draw(st.integers(min_value=0, max_value=7))
    density = draw(st.sampled_from([0.15, 0.3, 0.6]))
    cells = draw(st.lists(st.floats(0, 1), min_size=n_rows * n_cols, max_size=n_rows * n_cols))
    valid = np.array([cell < density for cell in cells], dtype=bool).reshape(n_rows, n_cols)
    weights = None
    if draw(st.booleans()):
        picks = draw(
            st.lists(st.sampled_from(WEIGHTS), min_size=n_rows * n_cols, max_size=n_rows * n_cols)
        )
        weights = np.array(picks, dtype=float).reshape(n_rows, n_cols)
    row_order = draw(st.permutations(range(n_rows)))
    col_order = draw(st.permutations(range(n_cols)))
    return valid, weights, list(row_order), list(col_order)


@settings(max_examples=EXAMPLES)
@given(matching_problems())
def test_max_weight_matching_equals_the_solver_in_any_key_order(problem):
    valid, weights, row_order, col_order = problem
    # keys that put the rows and columns in the drawn order
    row_keys = [row_order.index(i) for i in range(valid.shape[0])]
    col_keys = [col_order.index(j) for j in range(valid.shape[1])]
    expected = scipy_matching(valid, weights, row_order, col_order)
    got = max_weight_matching(valid, weights, row_keys=row_keys, col_keys=col_keys)
    assert got == expected


@settings(max_examples=EXAMPLES)
@given(matching_problems())
def test_a_unique_best_matching_is_the_solvers_in_every_order(problem):
    """Where the shortcut answers, the solver gives that answer whatever the order: the pairs
    are not one of several ties that the order would choose between."""
    valid, weights, row_order, col_order = problem
    unique = unique_best_matching(valid, weights)
    if unique is not None:
        identity_rows, identity_cols = list(range(valid.shape[0])), list(range(valid.shape[1]))
        assert unique == scipy_matching(valid, weights, identity_rows, identity_cols)
        assert unique == scipy_matching(valid, weights, row_order, col_order)
        assert unique == scipy_matching(valid, weights, row_order[::-1], col_order[::-1])


@settings(max_examples=EXAMPLES)
@given(matching_problems())
def test_maximum_matching_size_equals_the_solvers(problem):
    valid = problem[0]
    if valid.size == 0:
        assert maximum_matching_size(valid) == 0
        return
    rows, cols = linear_sum_assignment(valid.astype(float), maximize=True)
    assert maximum_matching_size(valid) == int(valid[rows, cols].sum())


@settings(max_examples=EXAMPLES)
@given(matching_problems())
def test_best_assignment_weights_add_up_to_the_solvers_optimum(problem):
    valid, weights, row_order, col_order = problem
    if weights is None or valid.size == 0:
        return
    matrix = np.where(valid, weights, 0.0)
    picked = best_assignment_weights(matrix > 0, matrix)
    if picked is not None:
        for rows_in, cols_in in ((row_order, col_order), (row_order[::-1], col_order[::-1])):
            ordered = matrix[np.ix_(rows_in, cols_in)]
            rows, cols = linear_sum_assignment(ordered, maximize=True)
            assert math.fsum(picked) == math.fsum(ordered[rows, cols].tolist())


def test_a_choice_between_equal_matchings_is_left_to_the_solver():
    # rows 0 and 1 both touch column 0 only; row 1 also touches column 1. Without weights,
    # {(0,0),(1,1)} is the only matching of two pairs: unique.
    valid = np.array([[True, False], [True, True]])
    assert unique_best_matching(valid, None) == [(0, 0), (1, 1)]
    # Rows 0 and 1 both touch columns 0 and 1: {(0,0),(1,1)} and {(0,1),(1,0)} tie.
    square = np.ones((2, 2), dtype=bool)
    assert unique_best_matching(square, None) is None
    # weights break the tie: 0.9 + 0.8 = 1.7 against 0.1 + 0.2 = 0.3
    assert unique_best_matching(square, np.array([[0.9, 0.1], [0.2, 0.8]])) == [(0, 0), (1, 1)]
    # equal totals (0.5 + 0.5 = 0.25 + 0.75) tie
    assert unique_best_matching(square, np.array([[0.5, 0.25], [0.75, 0.5]])) is None


def test_equal_weights_of_tied_alignments_give_the_optimum_without_the_solver():
    # one key cluster overlapping two response clusters equally (phi4 2/3 each): either pick is
    # best, and both add up to 2/3
    assert best_assignment_weights(np.array([[True, True]]), np.array([[2 / 3, 2 / 3]])) == [2 / 3]
    # 0.5 + 0.5 against 0.25 + 0.75: tied totals from different weights, left to the solver
    matrix = np.array([[0.5, 0.25], [0.75, 0.5]])
    assert best_assignment_weights(matrix > 0, matrix) is None


@pytest.mark.parametrize(("shared", "searched"), [(9, True), (8, False)])
def test_a_component_is_searched_up_to_the_budget_of_matchings_and_no_further(shared, searched):
    # two rows: row 0 touches columns 0..39, row 1 touches 48 columns of which `shared` are also
    # row 0's. Its matchings: the empty one, the 88 single pairs and 40 x 48 - shared pairs of
    # two (no two pairs on one column): 2,009 - shared in all, 2,000 or 2,001 against
    # SEARCH_BUDGET = 2,000. Searched, the one best (distinct weights) is the brute force's.
    valid = np.zeros((2, 88), dtype=bool)
    valid[0, :40] = True
    valid[1, 40 - shared : 88 - shared] = True
    weights = np.where(valid, np.random.default_rng(7).random(valid.shape), 0.0)
    assert sum(valid[0]) * sum(valid[1]) - shared + sum(valid[0]) + sum(valid[1]) + 1 == (
        2000 if searched else 2001
    )
    found = unique_best_matching(valid, weights)
    if not searched:
        assert found is None  # left to the solver
        return
    pairs_of_two = [
        ((0, a), (1, b))
        for a in np.flatnonzero(valid[0]).tolist()
        for b in np.flatnonzero(valid[1]).tolist()
        if a != b
    ]
    best = max(pairs_of_two, key=lambda pairs: weights[pairs[0]] + weights[pairs[1]])
    assert found == list(best)


@pytest.mark.parametrize("size", [40, 200])
def test_maximum_matching_size_of_a_banded_matrix_by_hand(size):
    # each row i touches columns i and i + 1 (mod nothing): a perfect matching of the rows
    # exists (i -> i), so the size is the number of rows
    valid = np.zeros((size, size + 1), dtype=bool)
    for i in range(size):
        valid[i, i] = valid[i, i + 1] = True
    assert maximum_matching_size(valid) == size
    # every row on the same two columns: at most two pairs
    assert maximum_matching_size(np.tile([True, True, False], (size, 1))) == 2


# --- the sparse solver (CEAF-e of large components, issue 24) ------------------------------


def optimal_alignments(
    n_rows: int, edges: list[tuple[int, int]], exact: list[Fraction]
) -> tuple[Fraction, list[list[int]]]:
    """Every one-to-one alignment of largest exact total, by enumeration: each row unaligned or
    on a free column of its edges. Returns the optimum and the edge indices of each optimal one."""
    by_row: dict[int, list[int]] = {}
    for index, (row, _) in enumerate(edges):
        by_row.setdefault(row, []).append(index)
    best, found = Fraction(-1), []

    def walk(row: int, used: frozenset[int], picked: list[int], total: Fraction) -> None:
        nonlocal best, found
        if row == n_rows:
            if total > best:
                best, found = total, [sorted(picked)]
            elif total == best:
                found.append(sorted(picked))
            return
        walk(row + 1, used, picked, total)
        for index in by_row.get(row, []):
            col = edges[index][1]
            if col not in used:
                walk(row + 1, used | {col}, [*picked, index], total + exact[index])

    walk(0, frozenset(), [], Fraction(0))
    return best, found


def dense_solver_figure(shape: tuple[int, int], edges, weights: list[float]) -> float:
    """The alignment's sum as the dense solver gives it: zeros off the edges, maximised."""
    matrix = np.zeros(shape)
    for (row, col), weight in zip(edges, weights, strict=True):
        matrix[row, col] = weight
    rows, cols = linear_sum_assignment(matrix, maximize=True)
    return math.fsum(matrix[rows, cols].tolist())


@st.composite
def sparse_alignment_problems(draw: st.DrawFn) -> tuple[tuple[int, int], list, list[Fraction]]:
    """A sparse graph of 1-6 rows and columns (one-row and one-column ones included), weights
    phi4-like 2a/b from small counts or from a small set: many ties and equal weights."""
    n_rows = draw(st.integers(min_value=1, max_value=6))
    n_cols = draw(st.integers(min_value=1, max_value=6))
    cells = [(r, c) for r in range(n_rows) for c in range(n_cols)]
    edges = draw(st.lists(st.sampled_from(cells), min_size=1, max_size=len(cells), unique=True))
    small_set = [Fraction(1, 4), Fraction(1, 3), Fraction(1, 2), Fraction(2, 3), Fraction(1)]
    counts = st.tuples(st.integers(1, 4), st.integers(2, 9)).map(
        lambda pair: Fraction(2 * pair[0], pair[0] + pair[1])
    )
    weight = st.sampled_from(small_set) if draw(st.booleans()) else counts
    exact = draw(st.lists(weight, min_size=len(edges), max_size=len(edges)))
    return (n_rows, n_cols), edges, exact


@settings(max_examples=EXAMPLES)
@given(sparse_alignment_problems())
def test_sparse_alignment_is_an_optimum_and_agrees_with_the_dense_solver(problem):
    """The sparse solver's alignment has the exact optimal total (found by enumeration); its
    float sum is that of an optimal alignment, and where every optimal alignment sums to the
    same float the sparse and the dense solver give the same figure, to the last bit."""
    shape, edges, exact = problem
    weights = [float(value) for value in exact]
    rows = np.array([r for r, _ in edges])
    cols = np.array([c for _, c in edges])
    chosen = best_sparse_alignment(rows, cols, np.array(weights), shape).tolist()
    assert len({edges[i][0] for i in chosen}) == len({edges[i][1] for i in chosen}) == len(chosen)
    best, optimal = optimal_alignments(shape[0], edges, exact)
    assert sum((exact[i] for i in chosen), Fraction(0)) == best
    figures = {math.fsum(weights[i] for i in picked) for picked in optimal}
    sparse_figure = math.fsum(weights[i] for i in chosen)
    dense_figure = dense_solver_figure(shape, edges, weights)
    assert sparse_figure in figures and dense_figure in figures
    if len(figures) == 1:
        assert sparse_figure == dense_figure


def test_sparse_alignment_by_hand_leaves_a_row_unaligned():
    """Rows a, b, c; columns x, y. a-x 0.9, a-y 0.8, b-x 0.5, c-x 0.25: a greedy pick of a-x (0.9)
    loses to a-y + b-x (1.3); c, whose only column is taken, stays unaligned."""
    rows, cols = np.array([0, 0, 1, 2]), np.array([0, 1, 0, 0])
    chosen = best_sparse_alignment(rows, cols, np.array([0.9, 0.8, 0.5, 0.25]), (3, 2))
    assert chosen.tolist() == [1, 2]


def test_sparse_alignment_by_hand_one_column_takes_the_heaviest_row():
    """One column and three rows of weights 0.25, 0.75, 0.5: only the 0.75 row is aligned."""
    rows, cols = np.array([0, 1, 2]), np.array([0, 0, 0])
    chosen = best_sparse_alignment(rows, cols, np.array([0.25, 0.75, 0.5]), (3, 1))
    assert chosen.tolist() == [1]


@pytest.mark.parametrize(
    ("rows", "cols", "weights", "message"),
    [
        ([0, 0], [1, 1], [0.5, 0.5], "given twice"),
        ([0], [0], [0.0], "finite and positive"),
        ([0], [0], [math.nan], "finite and positive"),
        ([0, 1], [0], [0.5], "differ in length"),
    ],
)
def test_sparse_alignment_refuses_edges_it_cannot_align(rows, cols, weights, message):
    """A repeated edge would be summed by the sparse matrix, a zero weight dropped: refused."""
    with pytest.raises(ValueError, match=message):
        best_sparse_alignment(np.array(rows), np.array(cols), np.array(weights), (2, 2))
