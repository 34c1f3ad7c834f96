"""Bootstrap intervals and paired tests over documents."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats

from sourcetrace.evaluation.stats import bootstrap_ci, paired_test
from sourcetrace.scoring.common import prf


def micro_f1(tally: dict) -> float:
    return prf(tally["tp"], tally["pred"], tally["gold"])["f1"]


def mean_value(tally: dict) -> float:
    return tally["sum"] / tally["count"]


def total(tally: dict) -> float:
    return tally["value"]


VARIED = {
    f"doc-{i:02d}": {"tp": tp, "pred": pred, "gold": gold}
    for i, (tp, pred, gold) in enumerate(
        [(3, 4, 5), (0, 2, 1), (5, 5, 6), (2, 6, 3), (4, 4, 4), (1, 3, 2), (6, 7, 9), (2, 2, 5)]
    )
}


# --- bootstrap_ci ------------------------------------------------------------------------------


def test_bootstrap_is_deterministic_and_ignores_dict_order():
    first = bootstrap_ci(VARIED, micro_f1, n=200, seed=7)
    again = bootstrap_ci(VARIED, micro_f1, n=200, seed=7)
    reordered = bootstrap_ci(dict(reversed(list(VARIED.items()))), micro_f1, n=200, seed=7)
    assert first == again == reordered
    assert first["n"] == 200 and first["seed"] == 7
    assert first["method"] == "percentile bootstrap over documents"
    assert first["low"] <= first["mean"] <= first["high"]
    assert first["low"] < first["high"]  # the documents differ, so the interval has width


def test_bootstrap_of_documents_with_one_shared_score_is_that_score():
    # Every document has precision = recall = 1/2, so any multiset of them sums to tp = k,
    # pred = gold = 2k: F1 = 1/2 on every replicate.
    docs = {f"d{k}": {"tp": k, "pred": 2 * k, "gold": 2 * k} for k in range(1, 7)}
    ci = bootstrap_ci(docs, micro_f1, n=300, seed=1)
    assert ci["low"] == ci["high"] == ci["mean"] == 0.5
    assert ci["std"] == 0.0


def test_percentile_interval_matches_scipy_bootstrap():
    # A mean over documents is the micro average of tallies {sum: x, count: 1}; scipy draws
    # rng.integers(0, D, (n, D)) from default_rng(seed) and takes the linear-interpolated
    # percentiles, exactly what bootstrap_ci does on the documents in sorted id order.
    values = [0.2, 0.9, 0.4, 0.4, 0.75, 0.1, 0.6, 0.33, 0.8, 0.5, 0.05, 0.95]
    docs = {f"d{i:02d}": {"sum": v, "count": 1} for i, v in enumerate(values)}
    ci = bootstrap_ci(docs, mean_value, n=500, seed=3, confidence=0.9)
    reference = scipy.stats.bootstrap(
        (np.array(values),),
        np.mean,
        n_resamples=500,
        method="percentile",
        confidence_level=0.9,
        rng=np.random.default_rng(3),
        vectorized=True,
    )
    assert ci["low"] == pytest.approx(reference.confidence_interval.low, abs=1e-12)
    assert ci["high"] == pytest.approx(reference.confidence_interval.high, abs=1e-12)
    assert ci["std"] == pytest.approx(reference.standard_error, abs=1e-12)
    assert ci["mean"] == pytest.approx(reference.bootstrap_distribution.mean(), abs=1e-12)


def test_bootstrap_refuses_bad_arguments():
    with pytest.raises(ValueError):
        bootstrap_ci({}, micro_f1)
    with pytest.raises(ValueError):
        bootstrap_ci(VARIED, micro_f1, n=0)
    with pytest.raises(ValueError):
        bootstrap_ci(VARIED, micro_f1, confidence=1.0)


def test_bootstrap_refuses_a_metric_undefined_on_a_resample():
    docs = {"d1": {"sum": 1.0, "count": 1}, "d2": {"sum": 1.0, "count": 0}}
    with pytest.raises(ValueError, match="undefined"):
        bootstrap_ci(docs, lambda t: t["sum"] / t["count"] if t["count"] else float("nan"), n=50)


# --- paired_test -------------------------------------------------------------------------------

METHODS = ["approximate-randomization", "paired-bootstrap"]


@pytest.mark.parametrize("method", METHODS)
def test_a_system_against_itself_has_delta_zero_and_p_one(method):
    # Swapping or resampling identical tallies gives delta* = 0 every time, and 0 >= 0 counts:
    # p = (n + 1) / (n + 1).
    result = paired_test(VARIED, dict(VARIED), micro_f1, n=200, seed=0, method=method)
    assert result["delta"] == 0.0
    assert result["a"] == result["b"] == micro_f1({"tp": 23, "pred": 33, "gold": 35})
    assert result["p_value"] == 1.0
    assert result["method"] == method and result["n"] == 200 and result["seed"] == 0


def test_randomization_of_a_huge_consistent_difference_is_significant():
    # A is perfect on 40 documents, B finds nothing: delta = 1. A shuffle reaches |delta*| = 1
    # only when it swaps all 40 documents or none: probability 2 / 2**40, so the count is 0
    # and p = 1 / (n + 1).
    a = {f"d{i:02d}": {"tp": 3, "pred": 3, "gold": 3} for i in range(40)}
    b = {f"d{i:02d}": {"tp": 0, "pred": 3, "gold": 3} for i in range(40)}
    n = 999
    result = paired_test(a, b, micro_f1, n=n, seed=5)
    assert result["a"] == 1.0 and result["b"] == 0.0 and result["delta"] == 1.0
    assert 1 / (n + 1) <= result["p_value"] <= 2 / (n + 1)


def test_paired_bootstrap_of_a_huge_consistent_difference_is_significant():
    # Every replicate has delta* = 1 = delta, so |delta* - delta| = 0 < 1 never counts.
    a = {f"d{i:02d}": {"tp": 3, "pred": 3, "gold": 3} for i in range(40)}
    b = {f"d{i:02d}": {"tp": 0, "pred": 3, "gold": 3} for i in range(40)}
    result = paired_test(a, b, micro_f1, n=500, seed=5, method="paired-bootstrap")
    assert result["p_value"] == 1 / 501


def test_randomization_with_one_document_cannot_be_significant():
    # With one document, a shuffle either keeps delta or flips its sign: |delta*| = |delta|
    # always, so every shuffle counts and p = 1.
    result = paired_test({"d": {"value": 5.0}}, {"d": {"value": 2.0}}, total, n=100)
    assert result["delta"] == 3.0
    assert result["p_value"] == 1.0


def test_randomization_p_value_approaches_the_exact_permutation_p():
    # Per-document differences A - B of a summed score: d1 = 2, d2 = 1 (delta = 3).
    # The four sign patterns give delta* = 3, 1, -1, -3; two of four reach |3|: exact p = 1/2.
    a = {"d1": {"value": 2.0}, "d2": {"value": 1.0}}
    b = {"d1": {"value": 0.0}, "d2": {"value": 0.0}}
    result = paired_test(a, b, total, n=4000, seed=11)
    # Monte Carlo error: sd = sqrt(0.25 / 4000) = 0.008; 0.04 is five sd.
    assert result["p_value"] == pytest.approx(0.5, abs=0.04)


@pytest.mark.parametrize("method", METHODS)
def test_paired_test_is_deterministic_and_ignores_dict_order(method):
    other = {
        doc_id: {"tp": t["tp"] // 2, "pred": t["pred"], "gold": t["gold"]}
        for doc_id, t in VARIED.items()
    }
    first = paired_test(VARIED, other, micro_f1, n=200, seed=9, method=method)
    reordered = paired_test(
        dict(reversed(list(VARIED.items()))), other, micro_f1, n=200, seed=9, method=method
    )
    assert first == reordered
    assert first["delta"] == pytest.approx(first["a"] - first["b"])
    assert 1 / 201 <= first["p_value"] <= 1.0


def test_paired_test_refuses_different_documents_and_unknown_methods():
    with pytest.raises(ValueError, match="different documents"):
        paired_test(VARIED, {"doc-00": VARIED["doc-00"]}, micro_f1)
    with pytest.raises(ValueError, match="unknown method"):
        paired_test(VARIED, VARIED, micro_f1, method="t-test")


# --- the pooled, vectorised resampling equals add_tallies ---------------------------------


def test_many_metrics_at_once_equal_one_metric_at_a_time():
    from sourcetrace.evaluation.stats import bootstrap_cis, paired_tests

    a = {f"d{i}": {"tp": i % 4, "n": 5} for i in range(12)}
    b = {f"d{i}": {"tp": (i * 7) % 5, "n": 5} for i in range(12)}

    def recall(tally):
        return tally["tp"] / tally["n"]

    def both(tally):
        return {"recall": recall(tally), "half": recall(tally) / 2}

    many = bootstrap_cis(a, both, n=300, seed=5)
    assert many["recall"] == bootstrap_ci(a, recall, n=300, seed=5)
    for method in ("approximate-randomization", "paired-bootstrap"):
        tests = paired_tests(a, b, both, n=300, seed=5, method=method)
        assert tests["recall"] == paired_test(a, b, recall, n=300, seed=5, method=method)
