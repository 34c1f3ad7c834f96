"""Cohen's kappa of integer-coded label pairs: scikit-learn's arithmetic, without its import.

Importing ``sklearn.metrics`` costs about half a second (scipy.stats, pandas, pyarrow come with
it), most of a small `evaluate` run, for a handful of array operations. This module does those
operations in the order ``sklearn.metrics.cohen_kappa_score`` (unweighted, no sample weights)
does them, in float64, so the value is the same to the last bit; a property test holds the two
equal (tests/scoring/test_kappa.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def kappa_of_codes(codes_a: Sequence[int], codes_b: Sequence[int], n_labels: int) -> float | None:
    """Unweighted Cohen's kappa of paired codes in ``range(n_labels)``; None where sklearn's is
    undefined (no pairs, or both sides use one and the same label throughout: p_e = 1)."""
    if len(codes_a) != len(codes_b):
        raise ValueError(f"kappa needs paired labels: {len(codes_a)} against {len(codes_b)}")
    confusion = np.zeros((n_labels, n_labels), dtype=np.int64)
    np.add.at(
        confusion, (np.asarray(codes_a, dtype=np.intp), np.asarray(codes_b, dtype=np.intp)), 1
    )
    confusion = confusion.astype(np.float64)
    sum0 = np.sum(confusion, axis=0)
    sum1 = np.sum(confusion, axis=1)
    total = np.sum(sum0)
    if total == 0:
        return None
    expected = np.outer(sum0, sum1) / total
    disagreement = np.ones((n_labels, n_labels), dtype=np.float64)
    np.fill_diagonal(disagreement, 0)
    observed_off = np.sum(disagreement * confusion)
    expected_off = np.sum(disagreement * expected)
    if expected_off == 0:
        return None
    return float(1 - observed_off / expected_off)


__all__ = ["kappa_of_codes"]
