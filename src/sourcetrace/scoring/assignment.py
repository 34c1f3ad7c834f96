"""One-to-one matchings found without the solver when the answer admits no choice.

``scipy.optimize`` takes about a quarter of a second to import, most of what is left of a small
`evaluate` run, and a document's matching problems are nearly always tiny: a few pieces that
touch two others each, the rest alone. The best matching (most valid pairs, then the largest
total weight, as ``matching.max_weight_matching`` defines it) splits along the connected
components of the valid cells; a component small enough is searched exhaustively here. Where that
search finds a single best matching, ahead of every other by more than ``TIE_MARGIN``, any exact
solver, scipy's included, returns it, so its pairs are the solver's pairs. Where two matchings
tie, only the solver's own tie-breaking (on the callers' canonical key order) can say which one
wins, and the callers run it: scipy is imported only for a real choice.

A maximum matching's size has no ties to break; ``maximum_matching_size`` finds it by augmenting
paths (Kuhn), exactly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from sourcetrace.scoring.common import pair_components

Pair = tuple[int, int]

# Two matchings whose total weights differ by at most this count as tied. Weights lie in [0, 1]
# and the solver's floating-point error is of the order of 1e-15 per pair, far below it.
TIE_MARGIN = 1e-9
# Matchings explored per component before the search gives the problem back to the solver.
SEARCH_BUDGET = 2_000
# Valid cells above which the augmenting-path count gives way to the compiled solver.
AUGMENTING_CELLS = 20_000


def unique_best_matching(
    valid: np.ndarray, weights: np.ndarray | None, *, most_pairs_first: bool = True
) -> list[Pair] | None:
    """The pairs, sorted, of the one best matching of the valid cells, or None when it is not
    unique (a tie within ``TIE_MARGIN``) or a component is too large to search.

    Best is the most pairs, then the largest total weight (``max_weight_matching``); with
    ``most_pairs_first=False``, the largest total weight alone (a plain maximising assignment).
    ``weights`` must already be checked to be finite and non-negative on the valid cells (None:
    all equal); totals within ``TIE_MARGIN`` tie, so they are meant as fractions or integers.
    """
    chosen: list[Pair] = []
    for candidates in _component_candidates(valid, weights, most_pairs_first):
        if candidates is None or len(candidates) > 1:
            return None
        chosen += candidates[0]
    return sorted(chosen)


def best_assignment_weights(valid: np.ndarray, weights: np.ndarray) -> list[float] | None:
    """The weights, sorted, that every best assignment (largest total weight) of the valid cells
    picks, or None when two best ones pick different weights or a component is too large.

    For a caller that needs the optimum's value only (cluster alignment): tied assignments that
    pick equal weights give it to the last bit, whichever of them the solver would return.
    """
    picked: list[float] = []
    for candidates in _component_candidates(valid, weights, most_pairs_first=False):
        if candidates is None:
            return None
        chosen = {tuple(sorted(float(weights[pair]) for pair in pairs)) for pairs in candidates}
        if len(chosen) > 1:
            return None
        picked += next(iter(chosen))
    return sorted(picked)


def _component_candidates(
    valid: np.ndarray, weights: np.ndarray | None, most_pairs_first: bool
) -> list[list[list[Pair]] | None]:
    """Per connected component of the valid cells, its best matchings (those within
    ``TIE_MARGIN`` of the best), or None for a component too large to search."""
    rows, cols = np.nonzero(np.asarray(valid, dtype=bool))
    edges = list(zip(rows.tolist(), cols.tolist(), strict=True))
    found: list[list[list[Pair]] | None] = []
    for group in pair_components(edges):
        component = [edges[index] for index in group]
        if len(component) == 1:
            found.append([component])
            continue
        component_weights = [0.0 if weights is None else float(weights[e]) for e in component]
        found.append(_best_matchings(component, component_weights, most_pairs_first))
    return found


def _best_matchings(
    edges: list[Pair], weights: list[float], most_pairs_first: bool
) -> list[list[Pair]] | None:
    """Exhaustive search of one component's matchings, row by row (each row unmatched or on a
    free column): the best ones, or None when the budget runs out."""
    if _matchings_of_at_most_two(edges) > SEARCH_BUDGET:
        return None  # each matching is a leaf of the search: it would run out of budget
    by_row: dict[int, list[tuple[int, float]]] = {}
    for (row, col), weight in zip(edges, weights, strict=True):
        by_row.setdefault(row, []).append((col, weight))
    rows = sorted(by_row)
    best_size, best_total = -1, 0.0
    near: list[tuple[int, float, list[Pair]]] = []  # (size, total, pairs) near the best
    explored = 0
    stack: list[tuple[int, frozenset[int], tuple[Pair, ...], float]] = [(0, frozenset(), (), 0.0)]
    while stack:
        depth, used, pairs, total = stack.pop()
        if depth < len(rows):
            row = rows[depth]
            stack.append((depth + 1, used, pairs, total))
            for col, weight in by_row[row]:
                if col not in used:
                    stack.append((depth + 1, used | {col}, (*pairs, (row, col)), total + weight))
            continue
        explored += 1
        if explored > SEARCH_BUDGET:
            return None
        size = len(pairs) if most_pairs_first else 0
        if size < best_size or (size == best_size and total < best_total - TIE_MARGIN):
            continue
        if size > best_size or total > best_total:  # a new best: drop those now too far below
            best_size, best_total = size, total
            near = [(n, t, p) for n, t, p in near if n == size and t >= total - TIE_MARGIN]
        near.append((size, total, list(pairs)))
    return [pairs for _, _, pairs in near]


def _matchings_of_at_most_two(edges: list[Pair]) -> int:
    """How many matchings of at most two pairs the edges have (the empty one, each edge, each
    two edges that share no row and no column): a lower bound on the matchings that
    `_best_matchings` would enumerate one by one, known in one pass."""
    per_row: dict[int, int] = {}
    per_col: dict[int, int] = {}
    for row, col in edges:
        per_row[row] = per_row.get(row, 0) + 1
        per_col[col] = per_col.get(col, 0) + 1
    sharing = sum(math.comb(d, 2) for d in per_row.values())
    sharing += sum(math.comb(d, 2) for d in per_col.values())
    return 1 + len(edges) + math.comb(len(edges), 2) - sharing


def maximum_matching_size(valid: np.ndarray) -> int:
    """Size of a maximum matching of the valid cells of a (rows, cols) matrix."""
    valid = np.asarray(valid, dtype=bool)
    if int(valid.sum()) > AUGMENTING_CELLS:
        from scipy.optimize import linear_sum_assignment  # a large problem: the compiled solver

        rows, cols = linear_sum_assignment(valid.astype(float), maximize=True)
        return int(valid[rows, cols].sum())
    neighbours = [
        [col for col, cell in enumerate(row) if cell] for row in valid.tolist() if any(row)
    ]
    # no matching is larger than the rows, or the columns, that have a valid cell
    bound = min(len(neighbours), int(np.count_nonzero(valid.any(axis=0))))
    # a greedy start (each row its first free column) often reaches the bound; the rows it
    # leaves free then look for augmenting paths, which gives a maximum matching whatever the
    # start (Berge): a row without one now never gets one later
    row_of_col: dict[int, int] = {}
    free_rows = []
    for row, cols in enumerate(neighbours):
        for col in cols:
            if col not in row_of_col:
                row_of_col[col] = row
                break
        else:
            free_rows.append(row)
    for row in free_rows:
        if len(row_of_col) == bound:
            break
        _augment(row, neighbours, row_of_col)
    return len(row_of_col)


def _augment(start: int, neighbours: Sequence[list[int]], row_of_col: dict[int, int]) -> bool:
    """Look for an augmenting path from the free row ``start`` (iteratively: no recursion limit)
    and apply it; True when one was found."""
    seen: set[int] = set()
    # each frame: (row, index of the next neighbour to try); parents record the path
    frames: list[list[int]] = [[start, 0]]
    via: list[int] = []  # the column through which each deeper frame's row was reached
    while frames:
        frame = frames[-1]
        row, index = frame
        if index == len(neighbours[row]):
            frames.pop()
            if via:
                via.pop()
            continue
        frame[1] += 1
        col = neighbours[row][index]
        if col in seen:
            continue
        seen.add(col)
        if col not in row_of_col:
            # flip the path: each column on it takes the row of the frame that reached it
            path_cols = [*via, col]
            for frame_row, path_col in zip((f[0] for f in frames), path_cols, strict=True):
                row_of_col[path_col] = frame_row
            return True
        via.append(col)
        frames.append([row_of_col[col], 0])
    return False


__all__ = [
    "TIE_MARGIN",
    "best_assignment_weights",
    "maximum_matching_size",
    "unique_best_matching",
]


def best_sparse_alignment(
    rows: np.ndarray, cols: np.ndarray, weights: np.ndarray, shape: tuple[int, int]
) -> np.ndarray:
    """Indices, sorted, of the edges of a one-to-one alignment of largest total weight, solved
    on the sparse graph (memory of the order of the edges, not rows x cols).

    Edges (rows[e], cols[e]) with weights[e] > 0, each pair of nodes at most once. An alignment
    may leave any row or column unaligned, as a maximising ``linear_sum_assignment`` on the dense
    matrix with zeros elsewhere does. scipy's LAPJVsp (``min_weight_full_bipartite_matching``)
    wants a full matching and drops zero weights, so every row gets a private dummy column
    weighted ``shift`` and every real edge ``weight + shift``: each full matching has exactly one
    edge per row, its total is the alignment's plus ``rows * shift``, and the best full matching
    is the best alignment. ``shift`` is a power of two at most the smallest weight, so a shifted
    weight is rounded at most to its own last bit; callers sum the picked edges' own weights.
    """
    rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
    weights = np.asarray(weights, dtype=np.float64)
    n_rows, n_cols = shape
    if not (len(rows) == len(cols) == len(weights)):
        raise ValueError("rows, cols and weights differ in length")
    if len(weights) == 0:
        return np.zeros(0, dtype=np.int64)
    if not (np.isfinite(weights).all() and (weights > 0).all()):
        raise ValueError("alignment weights must be finite and positive")
    cells = rows * n_cols + cols
    order = np.argsort(cells, kind="stable")
    if (np.diff(cells[order]) == 0).any():
        raise ValueError("an alignment edge is given twice")
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    shift = math.ldexp(1.0, math.frexp(float(weights.min()))[1] - 1)
    graph = csr_array(
        (
            np.concatenate([weights + shift, np.full(n_rows, shift)]),
            (
                np.concatenate([rows, np.arange(n_rows)]),
                np.concatenate([cols, n_cols + np.arange(n_rows)]),
            ),
        ),
        shape=(n_rows, n_cols + n_rows),
    )
    matched_rows, matched_cols = min_weight_full_bipartite_matching(graph, maximize=True)
    real = matched_cols < n_cols
    picked = matched_rows[real].astype(np.int64) * n_cols + matched_cols[real]
    return np.sort(order[np.searchsorted(cells[order], picked)])
