"""Matchings of many items that are copies of a few: compared once per distinct pair (issue 27).

A system that gives the same claim text a thousand times, or a thousand attributions with the
same cue and content, makes the all-pairs matrices of the claim and attribution scorers
quadratic and their solver cubic. Items whose comparisons are identical by construction (the
same normalised text when compared by text, the same offsets when compared by offsets, the same
pieces throughout for an attribution) form a *group*; the comparisons are made once per pair of
groups, and:

* the size of a maximum matching is the maximum flow of the group graph with each group's
  number of items as its capacity (`grouped_matching_size`): a flow of integers splits into
  that many one-to-one pairs of items, and any matching of items is such a flow;
* the pairs themselves (the claim scorer's lenient pairs, which its attributes and clusters
  read) are given only where they are those the solver picks from the whole matrix: none valid;
  one item per group, each valid group pair alone in its row and column (forced, as
  `piece_matrices.forced_pairs`); or every pair valid at one and the same weight, where the
  solver, on a constant matrix, pairs the i-th row with the i-th column in key order
  (`tests/scoring/test_grouped_matching.py` checks this against the solver).

Anything else returns None, and the caller uses the all-pairs path within the solver bound.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

from sourcetrace.scoring.matching import Pair
from sourcetrace.scoring.piece_matrices import KeyOrders


class Groups:
    """Items grouped by a key: the first item of each group (in order of first appearance),
    each group's number of items, and each item's group."""

    def __init__(self, keys: Sequence[Hashable]) -> None:
        position: dict[Hashable, int] = {}
        self.first: list[int] = []
        self.sizes: list[int] = []
        self.of_item: list[int] = []
        for index, key in enumerate(keys):
            group = position.setdefault(key, len(self.first))
            if group == len(self.first):
                self.first.append(index)
                self.sizes.append(0)
            self.sizes[group] += 1
            self.of_item.append(group)

    def __len__(self) -> int:
        return len(self.first)


def grouped_matching_size(valid: np.ndarray, gold: Groups, pred: Groups) -> int:
    """Size of a maximum matching of the items, where an item pair is valid when its groups'
    cell of ``valid`` (groups x groups) is: the maximum flow source -> gold group (capacity its
    size) -> predicted group (where valid) -> sink (capacity its size)."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_flow

    rows, cols = np.nonzero(valid)
    if not len(rows):
        return 0
    n_gold, n_pred = valid.shape
    sink = n_gold + n_pred + 1
    gold_sizes = np.asarray(gold.sizes, dtype=np.int64)
    pred_sizes = np.asarray(pred.sizes, dtype=np.int64)
    tails = np.concatenate(
        [np.zeros(n_gold, dtype=np.int64), 1 + rows, 1 + n_gold + np.arange(n_pred)]
    )
    heads = np.concatenate([1 + np.arange(n_gold), 1 + n_gold + cols, np.full(n_pred, sink)])
    capacity = np.concatenate(
        [gold_sizes, np.minimum(gold_sizes[rows], pred_sizes[cols]), pred_sizes]
    )
    graph = csr_matrix((capacity.astype(np.int32), (tails, heads)), shape=(sink + 1, sink + 1))
    return int(maximum_flow(graph, 0, sink).flow_value)


def grouped_pairs(
    valid: np.ndarray, weights: np.ndarray, gold: Groups, pred: Groups, orders: KeyOrders
) -> list[Pair] | None:
    """The pairs ``piece_matrices.maximum_matching`` returns on the items' full matrices
    (validity and weight of each item pair = those of its groups), where they are known without
    it (module docstring); None otherwise. ``orders``: the items in canonical key order."""
    rows, cols = np.nonzero(valid)
    if not len(rows):
        return []
    if np.all(valid) and np.all(weights == weights.flat[0]):
        # a constant matrix: the solver pairs rows and columns in key order, i-th with i-th
        gold_order, pred_order = orders.orders()
        return sorted(zip(gold_order.tolist(), pred_order.tolist(), strict=False))
    row_list, col_list = rows.tolist(), cols.tolist()
    alone = len(set(row_list)) == len(row_list) and len(set(col_list)) == len(col_list)
    if alone and all(
        gold.sizes[r] == 1 and pred.sizes[c] == 1 for r, c in zip(row_list, col_list, strict=True)
    ):
        return sorted(
            (gold.first[r], pred.first[c]) for r, c in zip(row_list, col_list, strict=True)
        )
    return None
