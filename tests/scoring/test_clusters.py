"""Cluster metrics: hand-worked cases, Pradhan et al. (2014), parity with the reference scorer."""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzz_profiles import EXACTNESS_EXAMPLES, profile_name
from sourcetrace.evaluation.run import evaluate
from sourcetrace.scoring.clusters import (
    cluster_scores,
    score_partitions,
    summarize_clusters,
    tally_clusters,
)

from gold_factory import story_gold

EXAMPLES = EXACTNESS_EXAMPLES[profile_name()]


def partition(*clusters: str) -> dict[str, str]:
    """'abc', 'defg' -> {a: C0, b: C0, c: C0, d: C1, ...}: one letter per mention."""
    return {m: f"C{i}" for i, cluster in enumerate(clusters) for m in cluster}


def assert_rpf(section: dict, recall: float, precision: float, f1: float, abs: float = 1e-12):
    assert section["recall"] == pytest.approx(recall, abs=abs)
    assert section["precision"] == pytest.approx(precision, abs=abs)
    assert section["f1"] == pytest.approx(f1, abs=abs)


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r)


# Pradhan et al. (2014), the paper's worked example: key {a,b,c} {d,e,f,g},
# response {a,b} {c,d} {f,g,h,i}. e is a twinless key mention, h and i twinless responses.
PRADHAN_KEY = partition("abc", "defg")
PRADHAN_RESPONSE = partition("ab", "cd", "fghi")


def test_pradhan_2014_example_muc():
    # Recall: K1={a,b,c} is cut into {a,b} {c}: 2 parts, 3-2 = 1 link kept of 2.
    #         K2={d,e,f,g} into {d} {e (twinless)} {f,g}: 3 parts, 4-3 = 1 of 3.  R = 2/5.
    # Precision: R1={a,b}: 1 part, 1 of 1; R2={c,d}: 2 parts, 0 of 1;
    #            R3={f,g,h,i}: {f,g} {h} {i}: 3 parts, 1 of 3.  P = 2/5.
    # Published (rounded): R 0.40, P 0.40.
    scores = score_partitions(PRADHAN_KEY, PRADHAN_RESPONSE)
    assert_rpf(scores["muc"], 2 / 5, 2 / 5, 2 / 5)


def test_pradhan_2014_example_bcubed():
    # Recall = sum_ij |Ki & Rj|^2 / |Ki|, over 7 key mentions:
    #   K1: {a,b} -> 4/3, {c} -> 1/3   = 5/3
    #   K2: {d} -> 1/4, {f,g} -> 4/4   = 5/4    (e twinless: 0)   R = (5/3 + 5/4) / 7 = 5/12
    # Precision = sum_ij |Ki & Rj|^2 / |Rj|, over 8 response mentions:
    #   R1: 4/2 = 2; R2: 1/2 + 1/2 = 1; R3: 4/4 = 1 (h, i twinless)   P = 4/8 = 1/2
    # F1 = 2 * 1/2 * 5/12 / (1/2 + 5/12) = 5/11.  Published (rounded): R 0.42, P 0.50.
    scores = score_partitions(PRADHAN_KEY, PRADHAN_RESPONSE)
    assert_rpf(scores["bcubed"], 5 / 12, 1 / 2, 5 / 11)


def test_pradhan_2014_example_ceafe():
    # phi4(K, R) = 2|K & R| / (|K| + |R|):
    #          R1={a,b}  R2={c,d}  R3={f,g,h,i}
    #   K1       4/5       2/5       0
    #   K2       0         2/6       4/8
    # Best one-to-one alignment: K1-R1 + K2-R3 = 0.8 + 0.5 = 1.3
    #   (K1-R2 + K2-R3 = 0.9; K1-R1 + K2-R2 = 1.133).
    # R = 1.3 / 2 key clusters = 0.65; P = 1.3 / 3 response clusters = 13/30;
    # F1 = 2 (13/20)(13/30) / (13/20 + 13/30) = 0.52.  Published (rounded): R 0.65, P 0.43.
    scores = score_partitions(PRADHAN_KEY, PRADHAN_RESPONSE)
    assert_rpf(scores["ceafe"], 13 / 20, 13 / 30, 0.52)


def test_pradhan_2014_example_conll_average_and_mention_counts():
    scores = score_partitions(PRADHAN_KEY, PRADHAN_RESPONSE)
    assert scores["conll_f1"] == pytest.approx((2 / 5 + 5 / 11 + 0.52) / 3, abs=1e-12)
    assert scores["mentions"] == {"key": 7, "response": 8}


# Parity with the CoNLL reference scorer's own test suite (conll/reference-coreference-scorers,
# test/CorefMetricTestConfig.pm, cases A2-A5; key TC-A = {a} {bc} {def}; "B" is a mention other
# than "b"). Expected values are copied from that file; its CEAF-e values are given to 5 places.
TC_A_KEY = partition("a", "bc", "def")
TC_A_CASES = {
    "A2": (
        partition("a", "de"),
        {
            "muc": (1 / 3, 1, 0.5),
            "bcubed": ((7 / 3) / 6, 3 / 3, 14 / 25),
            "ceafe": (0.6, 0.9, 0.72),
        },
    ),
    "A3": (
        partition("a", "bcx", "defy", "z"),
        {
            "muc": (3 / 3, 3 / 5, 0.75),
            "bcubed": (6 / 6, (4 + 7 / 12) / 9, 110 / 163),
            "ceafe": (0.88571, 0.66429, 0.75918),
        },
    ),
    "A4": (
        partition("a", "bcx", "dy", "z"),
        {
            "muc": (1 / 3, 1 / 3, 1 / 3),
            "bcubed": (
                (3 + 1 / 3) / 6,
                (1 + 4 / 3 + 1 / 2) / 7,
                f1((1 + 4 / 3 + 1 / 2) / 7, 5 / 9),
            ),
            "ceafe": (0.73333, 0.55, 0.62857),
        },
    ),
    "A5": (
        partition("a", "bcxB", "dy", "z"),
        {
            "muc": (1 / 3, 1 / 4, 2 / 7),
            "bcubed": ((3 + 1 / 3) / 6, 2.5 / 8, f1(5 / 16, 5 / 9)),
            "ceafe": (0.68889, 0.51667, 0.59048),
        },
    ),
}


@pytest.mark.parametrize("case", sorted(TC_A_CASES))
def test_parity_with_reference_scorer_test_cases(case):
    response, expected = TC_A_CASES[case]
    scores = score_partitions(TC_A_KEY, response)
    assert_rpf(scores["muc"], *expected["muc"])
    assert_rpf(scores["bcubed"], *expected["bcubed"])
    assert_rpf(scores["ceafe"], *expected["ceafe"], abs=5e-6)


def test_identical_partitions_score_one_everywhere():
    key = partition("abc", "de", "f")
    scores = score_partitions(key, dict(key))
    for metric in ("muc", "bcubed", "ceafe"):
        assert_rpf(scores[metric], 1.0, 1.0, 1.0)
    assert scores["conll_f1"] == 1.0


def test_response_of_all_singletons():
    # Key {a,b,c} {d,e,f,g}; response: every one of the 7 mentions alone.
    # MUC recall: every key cluster is cut into |K| parts -> 0 links of 5.  MUC precision: the
    #   response has no link at all, 0/0 -> 0.0 by convention.
    # B3 recall: each key mention shares only itself: K1 3*(1/3) + K2 4*(1/4) = 2, over 7 = 2/7;
    #   precision: every response cluster is pure, 7/7 = 1; F1 = 2(2/7)/(9/7) = 4/9.
    # CEAF-e: best alignment K1-{a} (2/4) + K2-{d} (2/5) = 0.9; R = 0.9/2 = 0.45,
    #   P = 0.9/7 = 9/70, F1 = 2(0.45)(9/70) / (0.45 + 9/70) = 8.1/40.5 = 0.2.
    response = partition(*"abcdefg")
    scores = score_partitions(PRADHAN_KEY, response)
    assert_rpf(scores["muc"], 0.0, 0.0, 0.0)
    assert_rpf(scores["bcubed"], 2 / 7, 1.0, 4 / 9)
    assert_rpf(scores["ceafe"], 0.45, 9 / 70, 0.2)


def test_all_singletons_against_themselves():
    # No links anywhere: MUC is 0/0 on both sides, undefined, reported as None (the reference
    # scorer prints 0.0; we refuse to show a perfect response a zero) and so is the CoNLL mean.
    # B3 and CEAF-e see a perfect match.
    key = partition(*"abcd")
    scores = score_partitions(key, dict(key))
    assert scores["muc"] == {"recall": None, "precision": None, "f1": None}
    assert scores["conll_f1"] is None
    assert_rpf(scores["bcubed"], 1.0, 1.0, 1.0)
    assert_rpf(scores["ceafe"], 1.0, 1.0, 1.0)


def test_response_of_one_cluster():
    # Key {a,b,c} {d,e,f,g}; response: one cluster of all 7 mentions.
    # MUC recall: each key cluster is one part: (3-1 + 4-1) / (2 + 3) = 1.
    #   MUC precision: the response cluster is cut into 2 parts: (7-2) / (7-1) = 5/6.
    # B3 recall: 3*(3/3) + 4*(4/4) = 7 over 7 = 1; precision (9 + 16)/7 over 7 = 25/49.
    # CEAF-e: one response cluster aligns with one key cluster, the better one:
    #   phi4(K1, R) = 6/10, phi4(K2, R) = 8/11 -> 8/11; R = 4/11, P = 8/11, F1 = 16/33.
    response = {m: "everything" for m in "abcdefg"}
    scores = score_partitions(PRADHAN_KEY, response)
    assert_rpf(scores["muc"], 1.0, 5 / 6, f1(5 / 6, 1.0))
    assert_rpf(scores["bcubed"], 1.0, 25 / 49, f1(25 / 49, 1.0))
    assert_rpf(scores["ceafe"], 4 / 11, 8 / 11, 16 / 33)


def test_empty_response_has_zero_recall():
    scores = score_partitions(PRADHAN_KEY, {})
    for metric in ("muc", "bcubed", "ceafe"):
        assert_rpf(scores[metric], 0.0, 0.0, 0.0)
    assert scores["mentions"] == {"key": 7, "response": 0}


def test_renaming_cluster_and_mention_ids_changes_nothing():
    renamed_key = {f"m-{m}": f"gold-{c[::-1]}" for m, c in PRADHAN_KEY.items()}
    renamed_response = {f"m-{m}": hash(c) for m, c in PRADHAN_RESPONSE.items()}
    assert score_partitions(renamed_key, renamed_response) == score_partitions(
        PRADHAN_KEY, PRADHAN_RESPONSE
    )


def test_swapping_key_and_response_swaps_recall_and_precision():
    forward = score_partitions(PRADHAN_KEY, PRADHAN_RESPONSE)
    backward = score_partitions(PRADHAN_RESPONSE, PRADHAN_KEY)
    for metric in ("muc", "bcubed", "ceafe"):
        assert backward[metric]["recall"] == pytest.approx(forward[metric]["precision"])
        assert backward[metric]["precision"] == pytest.approx(forward[metric]["recall"])


def test_results_are_plain_floats():
    scores = score_partitions(PRADHAN_KEY, PRADHAN_RESPONSE)
    values = [scores["conll_f1"]] + [
        scores[m][k] for m in ("muc", "bcubed", "ceafe") for k in ("recall", "precision", "f1")
    ]
    assert all(type(v) is float for v in values)


# --- documents ------------------------------------------------------------------------------


def entities(*values):
    return {
        "entities": [
            {"start": i, "end": i + 1, "entity": v} if v is not None else {"start": i, "end": i + 1}
            for i, v in enumerate(values)
        ]
    }


GOLD_DOCS = {
    "d1": entities("ukraine", "ukraine", "korea"),
    "d2": entities("korea", "ukraine"),
}
PRED_DOCS = {
    # p3 is matched to gold g2 but carries no entity id; p2 is unmatched.
    "d1": entities("X", "X", "Y", None),
    "d2": entities("X", "Y"),
}
MATCHED = {"d1": [(0, 0), (1, 1), (2, 3)], "d2": [(1, 0), (0, 1)]}


def test_cluster_scores_merge_documents_and_handle_twinless_mentions():
    # Mentions (gold id for matched predictions):
    #   key:      U = {d1g0, d1g1, d2g1} (ukraine), K = {d1g2, d2g0} (korea)
    #   response: X = {d1g0, d1g1, d2g1} (X in both documents is ONE cluster),
    #             Y = {d1p2 (unmatched), d2g0}; d1g2 is twinless (its match has no entity id).
    # MUC  R: U one part -> 2 of 2; K = {d1g2 twinless}{d2g0} -> 0 of 1   = 2/3
    #      P: X one part -> 2 of 2; Y = {d1p2 twinless}{d2g0} -> 0 of 1   = 2/3
    # B3   R: U&X = 3 -> 9/3; K&Y = 1 -> 1/2; (3 + 1/2) / 5 = 0.7;  P likewise (5 mentions) 0.7
    # CEAF-e: phi4(U,X) = 6/6 = 1, phi4(K,Y) = 2/4 = 0.5; 1.5 / 2 clusters each side = 0.75
    scores = cluster_scores(GOLD_DOCS, PRED_DOCS, MATCHED, "entity")
    assert_rpf(scores["muc"], 2 / 3, 2 / 3, 2 / 3)
    assert_rpf(scores["bcubed"], 0.7, 0.7, 0.7)
    assert_rpf(scores["ceafe"], 0.75, 0.75, 0.75)
    assert scores["mentions"] == {"key": 5, "response": 5}


def test_cluster_scores_of_gold_against_itself_is_one():
    matched = {
        doc_id: [(i, i) for i in range(len(doc["entities"]))] for doc_id, doc in GOLD_DOCS.items()
    }
    scores = cluster_scores(GOLD_DOCS, GOLD_DOCS, matched, "entity")
    assert scores["conll_f1"] == 1.0


def test_unmatched_predictions_do_not_take_gold_identities():
    # Same clusters as gold, but nothing matched: every prediction is twinless, so no key
    # mention is found and B3 recall is 0.
    scores = cluster_scores(GOLD_DOCS, GOLD_DOCS, {}, "entity")
    assert scores["bcubed"]["recall"] == 0.0
    assert scores["mentions"] == {"key": 5, "response": 5}


def test_cluster_scores_none_when_no_prediction_carries_the_attribute():
    preds = {"d1": entities(None, None, None), "d2": {}}
    assert cluster_scores(GOLD_DOCS, preds, {"d1": [(0, 0)]}, "entity") is None


def test_claim_clusters_read_the_claims_layer():
    gold = {"d1": {"claims": [{"cluster": "c-a"}, {"cluster": "c-a"}], "entities": []}}
    pred = {"d1": {"claims": [{"cluster": 1}, {"cluster": 2}]}}
    scores = cluster_scores(gold, pred, {"d1": [(0, 0), (1, 1)]}, "cluster")
    # One key cluster of two split into two singletons: MUC recall 0 of 1; B3 recall
    # 2 * (1/2) / 2 = 1/2, precision 1.
    assert scores["muc"]["recall"] == 0.0
    assert_rpf(scores["bcubed"], 0.5, 1.0, 2 / 3)


def test_document_order_does_not_matter():
    tallies = [
        tally_clusters(GOLD_DOCS[d], PRED_DOCS[d], MATCHED[d], "entity") for d in ("d2", "d1")
    ]
    reordered = {
        "cluster_counts": tallies[0]["cluster_counts"] + tallies[1]["cluster_counts"],
        "cluster_predictions": 5,
    }
    assert summarize_clusters(reordered) == cluster_scores(GOLD_DOCS, PRED_DOCS, MATCHED, "entity")


@pytest.mark.parametrize(
    "pairs",
    [[(0, 0), (0, 1)], [(0, 0), (1, 0)], [(5, 0)], [(0, -1)]],
    ids=["gold-twice", "pred-twice", "gold-out-of-range", "pred-out-of-range"],
)
def test_bad_matched_pairs_are_refused(pairs):
    with pytest.raises(ValueError):
        cluster_scores(GOLD_DOCS, PRED_DOCS, {"d1": pairs}, "entity")


def test_unknown_attribute_is_refused():
    with pytest.raises(ValueError, match="unknown cluster attribute"):
        cluster_scores(GOLD_DOCS, PRED_DOCS, MATCHED, "polarity")


def test_ceafe_solved_by_components_equals_one_dense_assignment():
    """The alignment is solved per connected component of the overlap graph; the reference
    here solves one dense matrix of every cluster, as the definition reads."""
    import random

    import numpy as np
    from scipy.optimize import linear_sum_assignment

    from sourcetrace.scoring.clusters import score_partitions

    rng = random.Random(12)
    for _ in range(60):
        mentions = range(rng.randrange(1, 60))
        key = {m: rng.randrange(12) for m in mentions if rng.random() < 0.9}
        response = {m: f"r{rng.randrange(15)}" for m in mentions if rng.random() < 0.9}
        keys = sorted({*key.values()})
        responses = sorted({*response.values()})
        phi4 = np.zeros((len(keys), len(responses)))
        for i, k in enumerate(keys):
            k_set = {m for m, c in key.items() if c == k}
            for j, r in enumerate(responses):
                r_set = {m for m, c in response.items() if c == r}
                phi4[i, j] = 2 * len(k_set & r_set) / (len(k_set) + len(r_set))
        rows, cols = linear_sum_assignment(phi4, maximize=True)
        best = phi4[rows, cols].sum()
        ceafe = score_partitions(key, response)["ceafe"]
        assert ceafe["recall"] == pytest.approx(best / len(keys) if keys else 0.0, abs=1e-12)
        assert ceafe["precision"] == pytest.approx(
            best / len(responses) if responses else 0.0, abs=1e-12
        )


def test_fixed_mention_filter_also_filters_the_entity_clusters():
    # st-000 has 13 gold mentions: 10 names, 2 nominals, 1 pronoun. A system that outputs
    # exactly the 10 names with the right `entity` ids, scored with --mentions name, gets
    # strict F1 1.0 (possible 10, actual 10), but layers.entities.clusters is computed by
    # the entity_clusters scorer (layers.py) -> entity_pairs/tally_clusters on ALL 13 gold mentions
    # (mentions.key = 13): MUC R 3/5, B3 R 9/13, CEAF-e R 5/6 -> CoNLL 0.819 instead of 1.0.
    gold = story_gold(("st-000",))
    names = [
        {"doc_id": r["doc_id"], "entities": [e for e in r["entities"] if e["mention"] == "name"]}
        for r in gold
    ]
    entities = evaluate(names, gold, mentions=["name"])["layers"]["entities"]
    assert entities["overall"]["strict"]["f1"] == 1.0  # the filter works for the spans
    assert entities["clusters"]["mentions"]["key"] == 10
    assert entities["clusters"]["conll_f1"] == pytest.approx(1.0)


def test_ok_cluster_scores_with_twinless_mentions_by_hand():
    # key {a,b,c}; response {a,b}, {x} (x twinless, c missed).
    # MUC R: key cluster cut into {a,b},{c} -> (3-2)/(3-1) = 1/2; P: {a,b} is 1 part -> 1/1,
    #   {x} has no link -> P = 1/1 = 1.
    # B3 R: (2^2/3)/3 = 4/9; P: (2^2/2)/3 = 2/3 (x adds 1 to the 3 response mentions).
    # CEAF-e: phi4(K,{a,b}) = 2*2/(3+2) = 0.8; R = 0.8/1, P = 0.8/2 = 0.4.
    result = score_partitions({"a": 1, "b": 1, "c": 1}, {"a": "r", "b": "r", "x": "s"})
    assert (result["muc"]["recall"], result["muc"]["precision"]) == (0.5, 1.0)
    assert result["bcubed"]["recall"] == pytest.approx(4 / 9)
    assert result["bcubed"]["precision"] == pytest.approx(2 / 3)
    assert result["ceafe"]["recall"] == pytest.approx(0.8)
    assert result["ceafe"]["precision"] == pytest.approx(0.4)


def test_ceafe_of_a_component_too_large_to_search_is_the_solvers_optimum():
    """A component of more overlaps than `SEARCHED_EDGES` goes straight to the solver: its
    alignment equals scipy's optimum over the whole phi4 matrix, built here from the counts."""
    from scipy.optimize import linear_sum_assignment

    from sourcetrace.scoring.clusters import SEARCHED_EDGES, score_counts

    rng = random.Random(5)
    counts = {(f"k{k}", f"r{r}"): rng.randrange(1, 5) for k in range(7) for r in range(6)}
    counts[("k0", None)] = 3  # twinless mentions make clusters bigger
    assert len(counts) > SEARCHED_EDGES
    keys, responses = sorted({k for k, _ in counts}), sorted({r for _, r in counts if r})
    key_size = {k: sum(n for (a, _), n in counts.items() if a == k) for k in keys}
    response_size = {r: sum(n for (_, b), n in counts.items() if b == r) for r in responses}
    phi4 = np.array(
        [[2 * counts[(k, r)] / (key_size[k] + response_size[r]) for r in responses] for k in keys]
    )
    rows, cols = linear_sum_assignment(phi4, maximize=True)
    best = math.fsum(phi4[rows, cols].tolist())
    ceafe = score_counts(counts)["ceafe"]
    assert ceafe["recall"] == pytest.approx(best / len(keys), abs=1e-15)
    assert ceafe["precision"] == pytest.approx(best / len(responses), abs=1e-15)


# --- CEAF-e of large components on the sparse overlap graph (issue 24) ----------------------

LARGE_SHAPES = [(1, 33), (33, 1), (6, 6), (5, 7), (7, 5), (4, 9)]


@st.composite
def large_components(draw: st.DrawFn) -> dict[tuple[str | None, str | None], int]:
    """Counts whose overlap graph has one complete component of more than `SEARCHED_EDGES`
    overlaps (one-row and one-column ones included), counts 1-3 (many equal phi4 values and
    tied alignments), plus twinless mentions, clusters that overlap nothing and a lone pair."""
    n_keys, n_responses = draw(st.sampled_from(LARGE_SHAPES))
    cells = n_keys * n_responses
    shared = draw(st.lists(st.integers(1, 3), min_size=cells, max_size=cells))
    counts: dict[tuple[str | None, str | None], int] = {
        (f"k{k}", f"r{r}"): shared[k * n_responses + r]
        for k in range(n_keys)
        for r in range(n_responses)
    }
    for k in draw(st.lists(st.integers(0, n_keys - 1), max_size=3, unique=True)):
        counts[(f"k{k}", None)] = draw(st.integers(1, 4))
    for r in draw(st.lists(st.integers(0, n_responses - 1), max_size=3, unique=True)):
        counts[(None, f"r{r}")] = draw(st.integers(1, 4))
    for extra in range(draw(st.integers(0, 2))):
        counts[(f"alone-k{extra}", None)] = 1
        counts[(None, f"alone-r{extra}")] = 2
    if draw(st.booleans()):
        counts[("lone-k", "lone-r")] = 2
        counts[("lone-k", None)] = 1
    return counts


def phi4_of(counts: dict) -> tuple[dict, dict]:
    """Exact and float phi4 of every overlapping pair, from the cluster sizes."""
    key_size: Counter = Counter()
    response_size: Counter = Counter()
    for (key, response), n in counts.items():
        key_size[key] += n if key is not None else 0
        response_size[response] += n if response is not None else 0
    exact, rounded = {}, {}
    for (key, response), n in counts.items():
        if key is not None and response is not None:
            exact[(key, response)] = Fraction(2 * n, key_size[key] + response_size[response])
            rounded[(key, response)] = 2 * n / (key_size[key] + response_size[response])
    return exact, rounded


@settings(max_examples=EXAMPLES)
@given(large_components())
def test_ceafe_of_a_large_component_is_an_optimal_alignment_and_the_dense_solvers(counts):
    """A component too large to search is aligned on its sparse overlap graph: its CEAF-e
    is the fsum of an optimal alignment (all of them enumerated: on a complete component every
    optimum aligns the smaller side whole), and equals the dense solver's to the last bit
    wherever all optimal alignments sum to the same float."""
    from scipy.optimize import linear_sum_assignment

    from sourcetrace.scoring.clusters import SEARCHED_EDGES, score_counts

    exact, rounded = phi4_of(counts)
    component = sorted(pair for pair in exact if not pair[0].startswith("lone"))
    assert len(component) > SEARCHED_EDGES
    lone = [rounded[pair] for pair in exact if pair[0].startswith("lone")]
    keys = sorted({k for k, _ in component})
    responses = sorted({r for _, r in component})
    small, large = (keys, responses) if len(keys) <= len(responses) else (responses, keys)
    alignments = [
        [(a, b) if small is keys else (b, a) for a, b in zip(small, picked, strict=True)]
        for picked in itertools.permutations(large, len(small))
    ]
    best = max(sum(exact[pair] for pair in pairs) for pairs in alignments)
    # a component's alignment is summed first, then with the lone pairs (as the scorer does)
    optimal = {
        math.fsum([math.fsum(rounded[pair] for pair in pairs), *lone])
        for pairs in alignments
        if sum(exact[pair] for pair in pairs) == best
    }
    matrix = np.array([[rounded[(k, r)] for r in responses] for k in keys])
    rows, cols = linear_sum_assignment(matrix, maximize=True)
    dense = math.fsum([math.fsum(matrix[rows, cols].tolist()), *lone])
    assert dense in optimal
    n_keys = len({k for k, _ in counts if k is not None})
    n_responses = len({r for _, r in counts if r is not None})
    ceafe = score_counts(counts)["ceafe"]
    assert any(
        (ceafe["recall"], ceafe["precision"]) == (figure / n_keys, figure / n_responses)
        for figure in optimal
    )
    if len(optimal) == 1:
        assert ceafe["recall"] == dense / n_keys and ceafe["precision"] == dense / n_responses


def test_ceafe_of_one_response_cluster_over_33_key_clusters_by_hand():
    """Key clusters k1..k33, k_i of i mentions, all in one response cluster R of 1 + ... + 33 =
    561 mentions: phi4(k_i, R) = 2i / (i + 561) grows with i, so R aligns with k33 alone,
    2 * 33 / 594 = 1/9, and the other 32 key clusters stay unaligned. Recall 1/9 / 33 = 1/297,
    precision 1/9."""
    from sourcetrace.scoring.clusters import SEARCHED_EDGES, score_counts

    counts = {(f"k{i}", "R"): i for i in range(1, 34)}
    assert len(counts) > SEARCHED_EDGES
    ceafe = score_counts(counts)["ceafe"]
    assert ceafe["precision"] == 1 / 9
    assert ceafe["recall"] == pytest.approx(1 / 297, rel=1e-15)
    assert ceafe["f1"] == pytest.approx(2 / 9 / 34, rel=1e-15)  # 2PR/(P+R) = (2/2673)/(34/297)
