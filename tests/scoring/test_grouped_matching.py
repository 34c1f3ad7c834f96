"""Claims and attributions of many copies (issue 27): grouped matching equals the all-pairs one.

References are the per-pair functions and the solver of before (`matching.match_items`,
`matching.max_weight_matching` on `pairwise` similarities, `attribution_matches` on the full
matrices). Random documents large enough for the grouped path (more than DENSE_CELLS gold x
predicted items) are drawn from a few texts and spans, so that many items are copies; text-only
and offset predictions, attributes and thresholds vary. Counts, lenient pairs and paired
attribute labels must be identical.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from sourcetrace.scoring import dense
from sourcetrace.scoring.attributions import (
    PARTS,
    Membership,
    attribution_matches,
    tally_attributions,
)
from sourcetrace.scoring.claims import (
    ATTRIBUTE_LABELS,
    LEVELS,
    lenient_claim_pairs,
    tally_claims,
)
from sourcetrace.scoring.dense import MatchingTooLarge
from sourcetrace.scoring.matching import (
    THRESHOLD_TOLERANCE,
    canonical_key,
    match_items,
    max_weight_matching,
    pairwise,
    piece_similarity,
    same_piece,
)

TEXT = "Kim said the army met in Seoul and Kim said it again"
PHRASES = ["Kim said", "the army", "Kim  said", "army met in Seoul", "said it again", "KIM SAID!"]


def span_of(phrase: str) -> tuple[int, int]:
    start = TEXT.find(" ".join(phrase.split()))
    return (start, start + len(" ".join(phrase.split()))) if start >= 0 else (0, 3)


@st.composite
def claim_lists(draw) -> tuple[list, list, float]:
    """Gold claims on a few spans; predictions all text-only, all with offsets, or mixed; few
    distinct ones (copies), attributes on some."""
    mode = draw(st.sampled_from(["text", "offsets", "mixed", "one-text"]))
    n_gold = draw(st.integers(33, 50))
    n_pred = draw(st.integers(33, 50))
    phrases = PHRASES[: draw(st.integers(1, len(PHRASES)))]
    if mode == "one-text":
        phrases = phrases[:1]
    gold = []
    for index in range(n_gold):
        start, end = span_of(draw(st.sampled_from(phrases)))
        gold.append(
            {"id": f"c{index}", "start": start, "end": end, "text": TEXT[start:end]}
            | _attributes(draw, gold=True)
        )
    with_attributes = draw(st.booleans())
    pred = []
    for index in range(n_pred):
        phrase = draw(st.sampled_from(phrases))
        text_only = mode in ("text", "one-text") or (mode == "mixed" and draw(st.booleans()))
        claim = {"id": f"p{index}", "text": phrase}
        if not text_only:
            start, end = span_of(phrase)
            claim |= {"start": start, "end": end + draw(st.sampled_from([0, 0, -1]))}
        if with_attributes:
            claim |= _attributes(draw, gold=False)
        pred.append(claim)
    return gold, pred, draw(st.sampled_from([0.5, 0.3, 1.0]))


def _attributes(draw, *, gold: bool) -> dict:
    values = {}
    for name, labels in ATTRIBUTE_LABELS.items():
        if gold or draw(st.booleans()):
            values[name] = draw(st.sampled_from(labels))
    return values


def reference_lenient_pairs(gold: list, pred: list, threshold: float) -> list:
    similarity = pairwise(gold, pred, piece_similarity, dtype=float)
    valid = similarity >= threshold - THRESHOLD_TOLERANCE
    return max_weight_matching(
        valid,
        similarity,
        row_keys=[canonical_key(c) for c in gold],
        col_keys=[canonical_key(c) for c in pred],
    )


def reference_tally(gold: list, pred: list, threshold: float) -> dict:
    lenient = reference_lenient_pairs(gold, pred, threshold)
    totals = {"gold": len(gold), "predicted": len(pred)}
    attributes = {}
    for name in ATTRIBUTE_LABELS:
        if any(claim.get(name) is not None for claim in pred):
            labels = [
                (gold[g][name], pred[p][name])
                for g, p in lenient
                if gold[g].get(name) is not None and pred[p].get(name) is not None
            ]
            attributes[name] = {
                "gold": [g for g, _ in labels],
                "predicted": [p for _, p in labels],
            }
    return {
        "span": {
            "strict": {"true_positives": len(match_items(gold, pred, same_piece)), **totals},
            "lenient": {"true_positives": len(lenient), **totals},
        },
        "attributes": attributes,
    }


@given(claim_lists())
def test_grouped_claims_equal_the_all_pairs_matching(case):
    gold, pred, threshold = case
    assert tally_claims(gold, pred, claim_threshold=threshold) == reference_tally(
        gold, pred, threshold
    )
    assert lenient_claim_pairs(gold, pred, claim_threshold=threshold) == reference_lenient_pairs(
        gold, pred, threshold
    )


@pytest.mark.parametrize("shape", [(1, 9), (9, 1), (7, 7), (40, 25), (25, 40), (300, 200)])
def test_solver_pairs_rows_and_columns_in_order_on_a_constant_matrix(shape):
    """The fact the constant case of grouped_pairs rests on."""
    rows, cols = linear_sum_assignment(np.full(shape, 2.75), maximize=True)
    assert rows.tolist() == list(range(min(shape)))
    assert cols.tolist() == list(range(min(shape)))


def test_same_text_claims_by_thousands_pair_in_key_order():
    """2,000 text-only predictions of "said" (polarity alternating) against 3,000 gold claims
    on "said": every pair is strict and lenient; the pairs are the i-th gold and i-th
    predicted claim in key order, so the labels of the pairs are worked out from the keys."""
    gold = [
        {"id": f"c{i:04}", "start": 0, "end": 4, "text": "said", "polarity": "positive"}
        for i in range(3000)
    ]
    pred = [
        {"id": f"p{i:04}", "text": "Said.", "polarity": ("positive", "negative")[i % 2]}
        for i in range(2000)
    ]
    tally = tally_claims(gold, pred)
    assert tally["span"]["strict"]["true_positives"] == 2000
    assert tally["span"]["lenient"]["true_positives"] == 2000
    labels = tally["attributes"]["polarity"]
    assert labels["gold"] == ["positive"] * 2000
    assert labels["predicted"] == [("positive", "negative")[i % 2] for i in range(2000)]
    assert lenient_claim_pairs(gold, pred) == [(i, i) for i in range(2000)]


def test_claims_refuse_distinct_dense_claims_over_the_bound(monkeypatch):
    monkeypatch.setenv(dense.SOLVER_CELLS_VARIABLE, "1500")
    gold = [{"id": f"c{i}", "start": i, "end": i + 40, "text": "x"} for i in range(50)]
    pred = [{"id": f"p{i}", "start": i + 1, "end": i + 41} for i in range(50)]
    with pytest.raises(MatchingTooLarge, match="50 gold and 50 predicted claims"):
        tally_claims(gold, pred)


# --- attributions -----------------------------------------------------------------------------

ENTITIES = [
    {"id": "e1", "start": 0, "end": 3, "text": "Kim", "entity": "kim"},
    {"id": "e2", "start": 35, "end": 38, "text": "Kim", "entity": "kim"},
    {"id": "e3", "start": 9, "end": 17, "text": "the army", "entity": None},
]
PIECES = [{"start": 4, "end": 8, "text": "said"}, {"start": 39, "end": 43, "text": "said"}]
CONTENTS = [
    {"start": 9, "end": 34, "text": "the army met in Seoul and", "claims": []},
    {"start": 44, "end": 52, "text": "it again", "claims": []},
]


@st.composite
def attribution_documents(draw) -> tuple[dict, dict, float]:
    def source(predicted: bool):
        kind = draw(st.sampled_from(["mention", "span", "text", "none"]))
        if kind == "mention":
            return {"mention": draw(st.sampled_from(["e1", "e2", "e3"]))}
        if kind == "span" or (kind == "text" and not predicted):
            return {"start": 0, "end": 3, "text": "Kim"}
        return {"text": draw(st.sampled_from(["Kim", "the Army"]))} if kind == "text" else None

    def attribution(index: int, predicted: bool) -> dict:
        cue = draw(st.sampled_from([*PIECES, None]))
        content = draw(st.sampled_from(CONTENTS))
        if predicted and draw(st.booleans()):
            content = {"text": content["text"]}
        return {"id": f"a{index}", "source": source(predicted), "cue": cue, "content": content}

    gold = [attribution(i, False) for i in range(draw(st.integers(33, 45)))]
    pred = [attribution(i, True) for i in range(draw(st.integers(33, 45)))]
    return (
        {"doc_id": "d", "entities": ENTITIES, "attributions": gold},
        {"doc_id": "d", "entities": ENTITIES, "attributions": pred},
        draw(st.sampled_from([0.5, 0.9])),
    )


@given(attribution_documents())
def test_grouped_attributions_equal_the_all_pairs_matching(case):
    gold_doc, pred_doc, threshold = case
    tally = tally_attributions(gold_doc, pred_doc, claim_threshold=threshold)
    matches = attribution_matches(gold_doc, pred_doc, claim_threshold=threshold)
    for part in PARTS:
        for level in LEVELS:
            assert tally[part][level]["true_positives"] == len(matches[part, level])


def test_attributions_with_one_cue_and_content_by_thousands_count_by_hand():
    """3,000 gold attributions with distinct sources against 2,000 copies of one prediction
    whose source covers all of them: cue and content right for every pair (2,000 each), the
    source strictly right for none and leniently for all (it shares characters with each)."""
    n_gold, n_pred = 3000, 2000
    cue = {"start": 9000, "end": 9004, "text": "said"}
    content = {"start": 9005, "end": 9020, "text": "that it rained", "claims": []}
    gold = [
        {
            "id": f"a{i}",
            "source": {"start": 3 * i, "end": 3 * i + 2, "text": "ab"},
            "cue": cue,
            "content": content,
        }
        for i in range(n_gold)
    ]
    pred = [
        {"id": f"p{i}", "source": {"start": 0, "end": 8999}, "cue": cue, "content": content}
        for i in range(n_pred)
    ]
    tally = tally_attributions({"attributions": gold}, {"attributions": pred})
    assert tally["cue"]["strict"]["true_positives"] == n_pred
    assert tally["content"]["lenient"]["true_positives"] == n_pred
    assert tally["source"]["strict"]["true_positives"] == 0
    assert tally["source"]["lenient"]["true_positives"] == n_pred
    assert tally["triple"]["lenient"]["true_positives"] == n_pred
    assert tally["triple"]["strict"]["true_positives"] == 0


@pytest.mark.parametrize("largest_dense", [0, 1 << 20])
def test_membership_any_of_is_the_boolean_product(monkeypatch, largest_dense):
    """Both ways of OR-ing the pieces of a gold source (the matrix product, and the scatter
    used when the rows x pieces matrix would be large) give the product of the matrices."""
    monkeypatch.setattr(Membership, "LARGEST_DENSE", largest_dense)
    rng = np.random.default_rng(27)
    membership = rng.random((40, 25)) < 0.1
    piece_right = rng.random((25, 30)) < 0.3
    rows, columns = np.nonzero(membership)
    got = Membership(40, 25, rows.tolist(), columns.tolist()).any_of(piece_right)
    assert (got == (membership.astype(int) @ piece_right.astype(int) > 0)).all()
