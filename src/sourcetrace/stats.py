"""Confidence intervals and paired significance tests over documents, for any additive scorer.

The unit of resampling is the document, not the mention: mentions of one article are not
independent (one outlet, one writer, one story), so resampling them would give intervals that are
too narrow. A replicate sums the tallies of its documents (``add_tallies``) and applies the metric
to the sum, so a replicate of a micro-averaged F1 is again a micro-averaged F1, as in sacrebleu.
Definitions, p-value conventions and references: docs/statistics.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

Metric = Callable[[dict], float]

BOOTSTRAP_METHOD = "percentile bootstrap over documents"
PAIRED_METHODS = ("approximate-randomization", "paired-bootstrap")


Values = Callable[[dict], Mapping[str, float]]


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
    return bootstrap_cis(
        per_doc_tallies, lambda t: {"value": metric(t)}, n=n, seed=seed, confidence=confidence
    )["value"]


def bootstrap_cis(
    per_doc_tallies: Mapping[str, Mapping[str, Any]],
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
    pool = TallyPool(_in_doc_order(per_doc_tallies))
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, pool.size, size=(n, pool.size))
    samples = [
        _checked(values(pool.combine(np.bincount(row, minlength=pool.size)))) for row in draws
    ]
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
    return paired_tests(
        per_doc_a, per_doc_b, lambda t: {"value": metric(t)}, n=n, seed=seed, method=method
    )["value"]


def paired_tests(
    per_doc_a: Mapping[str, Mapping[str, Any]],
    per_doc_b: Mapping[str, Mapping[str, Any]],
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
    if set(per_doc_a) != set(per_doc_b):
        only_a = sorted(set(per_doc_a) - set(per_doc_b))
        only_b = sorted(set(per_doc_b) - set(per_doc_a))
        raise ValueError(
            f"the two systems cover different documents: only in A {only_a}, only in B {only_b}"
        )
    tallies_a = _in_doc_order(per_doc_a)
    tallies_b = [per_doc_b[doc_id] for doc_id in sorted(per_doc_b)]
    documents = len(tallies_a)
    pool = TallyPool([*tallies_a, *tallies_b])  # A's documents, then B's
    ones, zeros = np.ones(documents, dtype=np.int64), np.zeros(documents, dtype=np.int64)
    score_a = _checked(values(pool.combine(np.concatenate([ones, zeros]))))
    score_b = _checked(values(pool.combine(np.concatenate([zeros, ones]))))
    rng = np.random.default_rng(seed)
    deltas: list[dict[str, float]] = []
    if method == "approximate-randomization":
        for row in rng.random((n, documents)) < 0.5:
            swap = row.astype(np.int64)
            a = _checked(values(pool.combine(np.concatenate([1 - swap, swap]))))
            b = _checked(values(pool.combine(np.concatenate([swap, 1 - swap]))))
            deltas.append({name: a[name] - b[name] for name in a})
    else:
        for row in rng.integers(0, documents, size=(n, documents)):
            counts = np.bincount(row, minlength=documents)
            a = _checked(values(pool.combine(np.concatenate([counts, zeros]))))
            b = _checked(values(pool.combine(np.concatenate([zeros, counts]))))
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


class TallyPool:
    """Per-document tallies laid out so a weighted sum of documents is one matrix product.

    Numeric leaves become the columns of an integer matrix (exact, like summing ints); list leaves
    are concatenated, each document's list repeated by its weight. ``combine(w)`` equals
    ``add_tallies`` over the documents with document d taken ``w[d]`` times.
    """

    def __init__(self, tallies: Sequence[Mapping[str, Any]]) -> None:
        self.size = len(tallies)
        flat = [dict(_leaves(tally)) for tally in tallies]
        self.numeric_paths = sorted(
            {
                path
                for leaves in flat
                for path, value in leaves.items()
                if not isinstance(value, list)
            }
        )
        self.list_paths = sorted(
            {path for leaves in flat for path, value in leaves.items() if isinstance(value, list)}
        )
        numbers = [[leaves.get(path, 0) for path in self.numeric_paths] for leaves in flat]
        exact = all(isinstance(v, int) for row in numbers for v in row)
        self.matrix = np.array(numbers, dtype=np.int64 if exact else float).reshape(
            self.size, len(self.numeric_paths)
        )
        self.lists = [[leaves.get(path, []) for path in self.list_paths] for leaves in flat]
        # add_tallies only creates the keys some summed document has (a per-type entry, say):
        # keep track of which document has which leaf so a combination creates no extra keys.
        self.numeric_present = np.array(
            [[path in leaves for path in self.numeric_paths] for leaves in flat], dtype=np.int64
        ).reshape(self.size, len(self.numeric_paths))
        self.list_present = np.array(
            [[path in leaves for path in self.list_paths] for leaves in flat], dtype=np.int64
        ).reshape(self.size, len(self.list_paths))

    def combine(self, weights: np.ndarray) -> dict[str, Any]:
        sums = weights @ self.matrix
        numeric_present = (weights @ self.numeric_present).tolist()
        list_present = (weights @ self.list_present).tolist()
        tally: dict[str, Any] = {}
        for path, value, present in zip(
            self.numeric_paths, sums.tolist(), numeric_present, strict=True
        ):
            if present:
                _set(tally, path, value)
        for column, path in enumerate(self.list_paths):
            if not list_present[column]:
                continue
            merged: list = []
            for document, weight in enumerate(weights.tolist()):
                for _ in range(weight):
                    merged.extend(self.lists[document][column])
            _set(tally, path, merged)
        return tally


def _leaves(tally: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple, Any]]:
    for key, value in tally.items():
        if isinstance(value, Mapping):
            yield from _leaves(value, (*prefix, key))
        else:
            yield (*prefix, key), value


def _set(tally: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = tally
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value


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


def _in_doc_order(per_doc_tallies: Mapping[str, Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    if not per_doc_tallies:
        raise ValueError("no documents to resample")
    return [per_doc_tallies[doc_id] for doc_id in sorted(per_doc_tallies)]


def _check_replicates(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n (the number of replicates) must be a positive integer, not {n!r}")
