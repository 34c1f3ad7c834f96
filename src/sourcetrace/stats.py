"""Confidence intervals and paired significance tests over documents, for any additive scorer.

The unit of resampling is the document, not the mention: mentions of one article are not
independent (one outlet, one writer, one story), so resampling them would give intervals that are
too narrow. A replicate sums the tallies of its documents (``add_tallies``) and applies the metric
to the sum, so a replicate of a micro-averaged F1 is again a micro-averaged F1, as in sacrebleu.
Definitions, p-value conventions and references: docs/statistics.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from sourcetrace.scoring.common import add_tallies

Metric = Callable[[dict], float]

BOOTSTRAP_METHOD = "percentile bootstrap over documents"
PAIRED_METHODS = ("approximate-randomization", "paired-bootstrap")


def bootstrap_ci(
    per_doc_tallies: Mapping[str, Mapping[str, Any]],
    metric: Metric,
    *,
    n: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """Percentile bootstrap interval of ``metric`` with documents drawn with replacement.

    Draws are ``default_rng(seed).integers(0, D, size=(n, D))`` over the documents in sorted id
    order, the same draws as ``scipy.stats.bootstrap`` makes, so results do not depend on dict
    order. ``mean`` and ``std`` (ddof=1) describe the bootstrap distribution, not the point
    estimate, which is ``metric`` of all documents.
    """
    _check_replicates(n)
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be strictly between 0 and 1, not {confidence!r}")
    tallies = _in_doc_order(per_doc_tallies)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(tallies), size=(n, len(tallies)))
    values = np.array([_score(metric, [tallies[i] for i in row]) for row in draws])
    tail = (1 - confidence) / 2
    low, high = np.percentile(values, [100 * tail, 100 * (1 - tail)])
    return {
        "low": float(low),
        "high": float(high),
        "mean": float(values.mean()),
        "std": float(values.std(ddof=1)) if n > 1 else 0.0,
        "n": n,
        "seed": seed,
        "method": BOOTSTRAP_METHOD,
    }


def paired_test(
    per_doc_a: Mapping[str, Mapping[str, Any]],
    per_doc_b: Mapping[str, Mapping[str, Any]],
    metric: Metric,
    *,
    n: int = 1000,
    seed: int = 0,
    method: str = "approximate-randomization",
) -> dict[str, Any]:
    """Two-sided test that systems A and B score the same on these documents.

    ``approximate-randomization`` (Riezler & Maxwell 2005): each replicate swaps the A and B
    tallies of each document with probability 1/2 and counts |delta*| >= |delta|.
    ``paired-bootstrap`` (Berg-Kirkpatrick et al. 2012, made two-sided): each replicate draws
    documents with replacement, and the bootstrap deltas, shifted by the observed delta to centre
    them on the null, are counted when |delta* - delta| >= |delta|.
    Both report p = (count + 1) / (n + 1): p is never 0, and the Monte Carlo test keeps its level.
    """
    _check_replicates(n)
    if method not in PAIRED_METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {', '.join(PAIRED_METHODS)}")
    if set(per_doc_a) != set(per_doc_b):
        only_a = sorted(set(per_doc_a) - set(per_doc_b))
        only_b = sorted(set(per_doc_b) - set(per_doc_a))
        raise ValueError(
            f"the two systems cover different documents: only in A {only_a}, only in B {only_b}"
        )
    tallies_a = _in_doc_order(per_doc_a)
    tallies_b = [per_doc_b[doc_id] for doc_id in sorted(per_doc_b)]
    score_a = _score(metric, tallies_a)
    score_b = _score(metric, tallies_b)
    delta = score_a - score_b
    rng = np.random.default_rng(seed)
    if method == "approximate-randomization":
        replicates = _randomization_deltas(tallies_a, tallies_b, metric, n, rng)
        extreme = [_at_least(abs(d), abs(delta)) for d in replicates]
    else:
        replicates = _bootstrap_deltas(tallies_a, tallies_b, metric, n, rng)
        extreme = [_at_least(abs(d - delta), abs(delta)) for d in replicates]
    return {
        "a": score_a,
        "b": score_b,
        "delta": delta,
        "p_value": (sum(extreme) + 1) / (n + 1),
        "method": method,
        "n": n,
        "seed": seed,
    }


def _randomization_deltas(
    tallies_a: Sequence[Mapping],
    tallies_b: Sequence[Mapping],
    metric: Metric,
    n: int,
    rng: np.random.Generator,
) -> list[float]:
    swaps = rng.random((n, len(tallies_a))) < 0.5
    deltas = []
    for row in swaps:
        pairs = list(zip(tallies_a, tallies_b, row, strict=True))
        shuffled_a = [b if swap else a for a, b, swap in pairs]
        shuffled_b = [a if swap else b for a, b, swap in pairs]
        deltas.append(_score(metric, shuffled_a) - _score(metric, shuffled_b))
    return deltas


def _bootstrap_deltas(
    tallies_a: Sequence[Mapping],
    tallies_b: Sequence[Mapping],
    metric: Metric,
    n: int,
    rng: np.random.Generator,
) -> list[float]:
    draws = rng.integers(0, len(tallies_a), size=(n, len(tallies_a)))
    return [
        _score(metric, [tallies_a[i] for i in row]) - _score(metric, [tallies_b[i] for i in row])
        for row in draws
    ]


def _at_least(value: float, threshold: float) -> bool:
    """``value >= threshold``, with float noise counted as a tie (ties count as extreme)."""
    return value >= threshold or math.isclose(value, threshold, rel_tol=1e-9, abs_tol=1e-12)


def _score(metric: Metric, tallies: Sequence[Mapping]) -> float:
    value = metric(add_tallies(tallies))
    if value is None or math.isnan(value):
        raise ValueError(
            "the metric is undefined on a resample of the documents; "
            "bootstrap a metric that is defined on every subset"
        )
    return float(value)


def _in_doc_order(per_doc_tallies: Mapping[str, Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    if not per_doc_tallies:
        raise ValueError("no documents to resample")
    return [per_doc_tallies[doc_id] for doc_id in sorted(per_doc_tallies)]


def _check_replicates(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n (the number of replicates) must be a positive integer, not {n!r}")
