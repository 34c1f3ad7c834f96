"""Confidence intervals and paired significance tests over documents, for any additive scorer.

The unit of resampling is the document, not the mention: mentions of one article are not
independent (one outlet, one writer, one story), so resampling them would give intervals that are
too narrow. A replicate sums the tallies of its documents (``add_tallies``) and applies the metric
to the sum, so a replicate of a micro-averaged F1 is again a micro-averaged F1, as in sacrebleu.
Definitions, p-value conventions and references: docs/statistics.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from sourcetrace.scoring.tallies import TallyTable, as_table

Metric = Callable[[dict], float]

BOOTSTRAP_METHOD = "percentile bootstrap over documents"
PAIRED_METHODS = ("approximate-randomization", "paired-bootstrap")


Values = Callable[[dict], Mapping[str, float]]


def bootstrap_ci(
    per_doc_tallies: Mapping[str, Mapping[str, Any]] | TallyTable,
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
    return bootstrap_cis(
        per_doc_tallies, lambda t: {"value": metric(t)}, n=n, seed=seed, confidence=confidence
    )["value"]


def bootstrap_cis(
    per_doc_tallies: Mapping[str, Mapping[str, Any]] | TallyTable,
    values: Values,
    *,
    n: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> dict[str, dict[str, Any]]:
    """``bootstrap_ci`` of several metrics at once: one set of draws, one summed tally per draw.

    ``values(tally)`` returns every metric by name; each interval equals what ``bootstrap_ci``
    gives for that metric alone with the same seed.
    """
    _check_replicates(n)
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be strictly between 0 and 1, not {confidence!r}")
    pool = _documents(per_doc_tallies)
    draws = _draw_weights(np.random.default_rng(seed), n, pool.size)
    samples = [_checked(values(tally)) for tally in pool.combine_blocks(draws)]
    tail = (1 - confidence) / 2
    result = {}
    for name in samples[0]:
        column = np.array([sample[name] for sample in samples])
        low, high = np.percentile(column, [100 * tail, 100 * (1 - tail)])
        result[name] = {
            "low": float(low),
            "high": float(high),
            "mean": float(column.mean()),
            "std": float(column.std(ddof=1)) if n > 1 else 0.0,
            "n": n,
            "seed": seed,
            "method": BOOTSTRAP_METHOD,
        }
    return result


def paired_test(
    per_doc_a: Mapping[str, Mapping[str, Any]] | TallyTable,
    per_doc_b: Mapping[str, Mapping[str, Any]] | TallyTable,
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
    return paired_tests(
        per_doc_a, per_doc_b, lambda t: {"value": metric(t)}, n=n, seed=seed, method=method
    )["value"]


def paired_tests(
    per_doc_a: Mapping[str, Mapping[str, Any]] | TallyTable,
    per_doc_b: Mapping[str, Mapping[str, Any]] | TallyTable,
    values: Values,
    *,
    n: int = 1000,
    seed: int = 0,
    method: str = "approximate-randomization",
) -> dict[str, dict[str, Any]]:
    """``paired_test`` of several metrics on one set of draws (same results metric by metric)."""
    _check_replicates(n)
    if method not in PAIRED_METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {', '.join(PAIRED_METHODS)}")
    pool_a, pool_b = _documents(per_doc_a), _documents(per_doc_b)
    if pool_a.doc_ids != pool_b.doc_ids:
        only_a = sorted(set(pool_a.doc_ids) - set(pool_b.doc_ids))
        only_b = sorted(set(pool_b.doc_ids) - set(pool_a.doc_ids))
        raise ValueError(
            f"the two systems cover different documents: only in A {only_a}, only in B {only_b}"
        )
    documents = pool_a.size
    pool = TallyTable.rows_of([pool_a, pool_b])  # A's documents, then B's
    ones, zeros = np.ones(documents, dtype=np.int64), np.zeros(documents, dtype=np.int64)
    score_a = _checked(values(pool.combine(np.concatenate([ones, zeros]))))
    score_b = _checked(values(pool.combine(np.concatenate([zeros, ones]))))
    rng = np.random.default_rng(seed)
    if method == "approximate-randomization":
        blocks = (
            _interleaved(np.hstack([1 - swaps, swaps]), np.hstack([swaps, 1 - swaps]))
            for swaps in _draw_swaps(rng, n, documents)
        )
    else:
        blocks = (
            _interleaved(np.hstack([counts, 0 * counts]), np.hstack([0 * counts, counts]))
            for counts in _draw_weights(rng, n, documents)
        )
    tallies = iter(pool.combine_blocks(blocks))  # per replicate: A's tally, then B's
    deltas: list[dict[str, float]] = []
    for tally_a, tally_b in zip(tallies, tallies, strict=True):
        a, b = _checked(values(tally_a)), _checked(values(tally_b))
        deltas.append({name: a[name] - b[name] for name in a})
    result = {}
    for name in score_a:
        delta = score_a[name] - score_b[name]
        if method == "approximate-randomization":
            extreme = sum(_at_least(abs(d[name]), abs(delta)) for d in deltas)
        else:
            extreme = sum(_at_least(abs(d[name] - delta), abs(delta)) for d in deltas)
        result[name] = {
            "a": score_a[name],
            "b": score_b[name],
            "delta": delta,
            "p_value": (extreme + 1) / (n + 1),
            "method": method,
            "n": n,
            "seed": seed,
        }
    return result


def _checked(values: Mapping[str, float]) -> dict[str, float]:
    result = {}
    for name, value in values.items():
        if value is None or math.isnan(value):
            raise ValueError(
                "the metric is undefined on a resample of the documents; "
                "bootstrap a metric that is defined on every subset"
            )
        result[name] = float(value)
    return result


def _at_least(value: float, threshold: float) -> bool:
    """``value >= threshold``, with float noise counted as a tie (ties count as extreme)."""
    return value >= threshold or math.isclose(value, threshold, rel_tol=1e-9, abs_tol=1e-12)


def _documents(per_doc_tallies: Mapping[str, Mapping[str, Any]] | TallyTable) -> TallyTable:
    """The per-document tallies as a table in sorted document order, without list leaves."""
    table = as_table(per_doc_tallies)
    if not table.size:
        raise ValueError("no documents to resample")
    return table


# Draws are made in blocks of rows (the generator's stream is the same as one (n, D) call), so a
# run on 100,000 documents never holds n x D numbers at once.
_DRAW_BLOCK = 2**22


def _draw_weights(rng: np.random.Generator, n: int, documents: int) -> Iterator[np.ndarray]:
    """Per replicate, how often each document is drawn (the bincounts of
    ``rng.integers(0, D, size=(n, D))``), in blocks of rows."""
    rows = max(1, _DRAW_BLOCK // max(1, documents))
    for first in range(0, n, rows):
        block = rng.integers(0, documents, size=(min(rows, n - first), documents))
        offsets = np.arange(len(block))[:, None] * documents
        counts = np.bincount((block + offsets).ravel(), minlength=len(block) * documents)
        yield counts.reshape(len(block), documents)


def _draw_swaps(rng: np.random.Generator, n: int, documents: int) -> Iterator[np.ndarray]:
    """Per replicate and document, 1 when A and B swap (``rng.random((n, D)) < 0.5``), in
    blocks of rows."""
    rows = max(1, _DRAW_BLOCK // max(1, documents))
    for first in range(0, n, rows):
        yield (rng.random((min(rows, n - first), documents)) < 0.5).astype(np.int64)


def _interleaved(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Rows first[0], second[0], first[1], second[1], ...: each replicate's two weightings."""
    rows = np.empty((2 * len(first), first.shape[1]), dtype=first.dtype)
    rows[0::2], rows[1::2] = first, second
    return rows


def _check_replicates(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n (the number of replicates) must be a positive integer, not {n!r}")
