"""Claim scorer: hand-worked span matching, attribute agreement, invariants.

Every expected number below is worked out in the comment next to it.
"""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest
from sklearn.metrics import cohen_kappa_score

from sourcetrace.evaluation.run import evaluate
from sourcetrace.scoring.attributions import tally_attributions
from sourcetrace.scoring.claims import (
    ATTRIBUTE_LABELS,
    attribute_agreement,
    lenient_claim_pairs,
    score_claims,
    summarize_claims,
    tally_claims,
)
from sourcetrace.scoring.common import add_tallies
from sourcetrace.scoring.matching import max_weight_matching

from gold_factory import THIRD_GOLD, THIRD_PRED

REPO = Path(__file__).resolve().parents[2]


def claim(start: int, end: int, text: str | None = None, **attributes) -> dict:
    """A claim with offsets; its text only matters when the other side is text-only."""
    return {"start": start, "end": end, "text": text or "x" * (end - start), **attributes}


def text_claim(text: str, **attributes) -> dict:
    return {"text": text, **attributes}


def scores(gold, pred, **settings) -> dict:
    return summarize_claims(tally_claims(gold, pred, **settings), **settings)


# --- span matching ----------------------------------------------------------------------------


def test_strict_and_lenient_levels_on_offsets():
    gold = [claim(0, 10), claim(20, 30), claim(40, 50)]
    pred = [
        claim(0, 10),  # identical to gold[0]: strict and lenient
        claim(22, 30),  # gold[1]: overlap 8, Dice 2*8/(10+8) = 0.889 >= 0.5: lenient only
        claim(45, 60),  # gold[2]: overlap 5, Dice 2*5/(10+15) = 0.4 < 0.5: no match
        claim(100, 110),  # overlaps nothing
    ]
    section = scores(gold, pred)
    strict, lenient = section["span"]["strict"], section["span"]["lenient"]
    # strict: TP 1 of 4 predicted, 3 gold -> P 1/4, R 1/3, F1 = 2PR/(P+R) = (1/6)/(7/12) = 2/7
    assert (strict["true_positives"], strict["gold"], strict["predicted"]) == (1, 3, 4)
    assert strict["precision"] == pytest.approx(1 / 4)
    assert strict["recall"] == pytest.approx(1 / 3)
    assert strict["f1"] == pytest.approx(2 / 7)
    # lenient: TP 2 -> P 1/2, R 2/3, F1 = (2/3)/(7/6) = 4/7
    assert lenient["true_positives"] == 2
    assert lenient["precision"] == pytest.approx(1 / 2)
    assert lenient["recall"] == pytest.approx(2 / 3)
    assert lenient["f1"] == pytest.approx(4 / 7)
    assert section["settings"] == {"claim_threshold": 0.5}


def test_threshold_setting_moves_the_lenient_level():
    gold = [claim(0, 10), claim(20, 30), claim(40, 50)]
    pred = [claim(0, 10), claim(22, 30), claim(45, 60), claim(100, 110)]
    # At 0.4 the Dice of 0.4 (gold[2] vs pred[2]) now clears the bar: TP 3 -> P 3/4, R 1, F1 6/7
    section = scores(gold, pred, claim_threshold=0.4)
    assert section["span"]["lenient"]["true_positives"] == 3
    assert section["span"]["lenient"]["f1"] == pytest.approx(6 / 7)
    # At 0.9 only the exact pair is left (0.889 < 0.9): TP 1
    assert scores(gold, pred, claim_threshold=0.9)["span"]["lenient"]["true_positives"] == 1
    assert scores(gold, pred, claim_threshold=0.9)["settings"] == {"claim_threshold": 0.9}


def test_exact_half_dice_passes_the_default_threshold():
    # overlap 5, lengths 10 + 10 -> Dice 10/20 = 0.5 exactly: ">= 0.5" holds
    assert scores([claim(0, 10)], [claim(5, 15)])["span"]["lenient"]["true_positives"] == 1


def test_exact_half_token_f1_passes_despite_float_rounding():
    # 7 shared tokens, 8 predicted, 20 gold: P 7/8, R 7/20, F1 = 2*7/(8+20) = 14/28 = 0.5 exactly,
    # but 2PR/(P+R) in floating point is 0.4999999999999999: the threshold must forgive that.
    gold = [claim(0, 100, " ".join(f"w{i}" for i in range(20)))]
    pred = [text_claim(" ".join(f"w{i}" for i in range(7)) + " zz")]
    assert scores(gold, pred)["span"]["lenient"]["true_positives"] == 1


@pytest.mark.parametrize("threshold", [0, -0.1, 1.5])
def test_threshold_outside_zero_one_is_refused(threshold):
    with pytest.raises(ValueError, match="claim_threshold"):
        tally_claims([claim(0, 10)], [claim(0, 10)], claim_threshold=threshold)


def test_matching_is_one_to_one():
    # One prediction covering two gold claims: Dice 2*10/(10+20) = 0.667 with each, but it can
    # be paired only once -> lenient TP 1, P 1/1, R 1/2.
    section = scores([claim(0, 10), claim(10, 20)], [claim(0, 20)])
    lenient = section["span"]["lenient"]
    assert (lenient["true_positives"], lenient["precision"], lenient["recall"]) == (1, 1.0, 0.5)


def test_lenient_maximises_pairs_before_similarity():
    # threshold 0.4. gold A=[0,10), B=[7,10); pred P=[0,10), Q=[0,3).
    #   A-P Dice 1.0; A-Q 2*3/(10+3) = 0.46; B-P 2*3/(3+10) = 0.46; B-Q no overlap (0).
    # {A-P} weighs 1.0 with one pair; {A-Q, B-P} weighs 0.92 with two pairs. Two pairs clear the
    # threshold, so TP must be 2 (a pure maximum-weight matching would report 1).
    gold = [claim(0, 10), claim(7, 10)]
    pred = [claim(0, 10), claim(0, 3)]
    section = scores(gold, pred, claim_threshold=0.4)
    assert section["span"]["lenient"]["true_positives"] == 2
    assert lenient_claim_pairs(gold, pred, claim_threshold=0.4) == [(0, 1), (1, 0)]


def test_among_equally_many_pairs_the_closest_are_kept():
    # gold A=[0,10), B=[20,30); pred P=[0,10), Q=[2,30) (covers B and part of A).
    #   A-P 1.0, A-Q 2*8/(10+28) = 0.42 (< 0.5, invalid), B-Q 2*10/(10+28) = 0.53, B-P 0.
    # The only two-pair matching is {A-P, B-Q}.
    gold = [claim(0, 10), claim(20, 30)]
    pred = [claim(2, 30), claim(0, 10)]
    assert lenient_claim_pairs(gold, pred) == [(0, 1), (1, 0)]
    # weights decide among matchings of equal size: row 0 could take either column; 0.9 > 0.6
    assert max_weight_matching([[True, True]], [[0.6, 0.9]]) == [(0, 1)]


def test_strict_maximises_the_number_of_strict_pairs():
    # Text-only predictions: two gold claims with the same text at different places. One
    # prediction of that text can pair with one of them only; two predictions with both.
    gold = [claim(0, 16, "Russia denied it"), claim(50, 66, "Russia denied it")]
    one = scores(gold, [text_claim("Russia denied it")])["span"]["strict"]
    assert (one["true_positives"], one["precision"], one["recall"]) == (1, 1.0, 0.5)
    two = [text_claim("Russia denied it."), text_claim("russia  denied it")]
    assert scores(gold, two)["span"]["strict"]["true_positives"] == 2


def test_text_only_predictions_use_normalised_text_and_token_f1():
    gold = [
        claim(0, 45, "North Korea supplied KN-23 missiles to Russia"),
        claim(60, 84, "Ukraine used the rockets"),
    ]
    pred = [
        # normalize_text: lower case, no punctuation -> identical to gold[0]: strict
        text_claim("north korea supplied KN-23 missiles to Russia."),
        # tokens [ukraine used captured rockets] vs gold [ukraine used rockets] ("the" dropped):
        # overlap 3, P 3/4, R 3/3, F1 = 2*(3/4)/(7/4) = 6/7 = 0.857 -> lenient only
        text_claim("Ukraine used captured rockets"),
    ]
    section = scores(gold, pred)
    assert section["span"]["strict"]["true_positives"] == 1
    assert section["span"]["lenient"]["true_positives"] == 2
    # tokens [rockets] vs [ukraine used rockets]: overlap 1, P 1, R 1/3, F1 = (2/3)/(4/3) = 0.5
    assert scores(gold, [text_claim("rockets")])["span"]["lenient"]["true_positives"] == 1
    # [rockets fired] vs [ukraine used rockets]: P 1/2, R 1/3, F1 = (1/3)/(5/6) = 0.4 -> none
    assert scores(gold, [text_claim("rockets fired")])["span"]["lenient"]["true_positives"] == 0


def test_offsets_win_over_text_when_both_sides_have_them():
    # Same words at another place in the text is another claim: strict needs the same span.
    gold = [claim(0, 16, "Russia denied it")]
    section = scores(gold, [claim(50, 66, "Russia denied it")])
    assert section["span"]["strict"]["true_positives"] == 0
    assert section["span"]["lenient"]["true_positives"] == 0


def test_a_piece_without_offsets_or_text_is_an_error_not_a_zero():
    with pytest.raises(ValueError, match="text is needed"):
        tally_claims([claim(0, 10)], [{"polarity": "positive"}])


# --- attributes -------------------------------------------------------------------------------


def test_kappa_on_a_hand_computed_2x2_table():
    # (gold, pred) counts: (pos,pos) 4, (pos,neg) 1, (neg,pos) 2, (neg,neg) 3; n = 10.
    # p_o = (4+3)/10 = 0.7. Gold marginals pos 5 neg 5; system pos 6 neg 4.
    # p_e = 0.5*0.6 + 0.5*0.4 = 0.5.  kappa = (0.7-0.5)/(1-0.5) = 0.4.
    table = [("positive", "positive")] * 4 + [("positive", "negative")]
    table += [("negative", "positive")] * 2 + [("negative", "negative")] * 3
    gold_labels = [g for g, _ in table]
    pred_labels = [p for _, p in table]
    result = attribute_agreement(gold_labels, pred_labels, "polarity")
    assert result["pairs"] == 10
    assert result["accuracy"] == pytest.approx(0.7)
    assert result["kappa"] == pytest.approx(0.4)
    assert type(result["kappa"]) is float

    # The same table through the scorer, split over two documents: the tallies concatenate the
    # paired labels, so the corpus kappa is the kappa of the whole table, not a mean of two.
    def doc(rows, offset):
        gold = [
            claim(offset + 10 * k, offset + 10 * k + 5, polarity=g) for k, (g, _) in enumerate(rows)
        ]
        pred = [
            claim(offset + 10 * k, offset + 10 * k + 5, polarity=p) for k, (_, p) in enumerate(rows)
        ]
        return tally_claims(gold, pred)

    total = add_tallies([doc(table[:3], 0), doc(table[3:], 1000)])
    attributes = summarize_claims(total)["attributes"]
    assert set(attributes) == {"polarity"}  # certainty and checkworthy were not given
    assert attributes["polarity"] == {
        "pairs": 10,
        "accuracy": pytest.approx(0.7),
        "kappa": pytest.approx(0.4),
    }


@pytest.mark.filterwarnings("error")  # undefined kappa is handled, not left to sklearn's warning
def test_kappa_is_null_when_both_sides_use_one_and_the_same_label():
    # p_e = 1*1 = 1: kappa = (p_o - 1)/0 is undefined -> None, accuracy still 1.0
    assert attribute_agreement([True, True, True], [True, True, True], "checkworthy") == {
        "pairs": 3,
        "accuracy": 1.0,
        "kappa": None,
    }
    # Each side one label, but different ones: p_o = 0, p_e = 1*0 + 0*1 = 0 -> kappa 0.0
    assert attribute_agreement([True, True], [False, False], "checkworthy")["kappa"] == 0.0


def test_kappa_with_a_label_the_inventory_does_not_know():
    # Labels are the inventory plus what the system used, so an invented "neutral" counts as a
    # disagreement instead of being dropped. (g,p): (pos,pos) (neg,neg) (pos,neutral) (neg,neg)
    # p_o = 3/4. Gold pos 2/4 neg 2/4; system pos 1/4 neg 2/4 neutral 1/4.
    # p_e = 0.5*0.25 + 0.5*0.5 + 0 = 0.375. kappa = (0.75-0.375)/(0.625) = 0.6
    result = attribute_agreement(
        ["positive", "negative", "positive", "negative"],
        ["positive", "negative", "neutral", "negative"],
        "polarity",
    )
    assert result["accuracy"] == pytest.approx(0.75)
    assert result["kappa"] == pytest.approx(0.6)


def test_attributes_are_scored_on_lenient_pairs_where_the_system_gave_them():
    gold = [
        claim(0, 10, polarity="positive", certainty="certain", checkworthy=True),
        claim(20, 30, polarity="negative", certainty="probable", checkworthy=False),
        claim(40, 50, polarity="positive", certainty="possible", checkworthy=True),
    ]
    pred = [
        claim(1, 10, polarity="positive", certainty="probable"),  # Dice 18/19: pairs gold[0]
        claim(20, 30, polarity="positive"),  # pairs gold[1]; no certainty given here
        claim(80, 90, polarity="negative", certainty="possible"),  # unmatched: not counted
    ]
    attributes = scores(gold, pred)["attributes"]
    # checkworthy given by no predicted claim -> not reported
    assert set(attributes) == {"polarity", "certainty"}
    # polarity on the two pairs: (pos,pos) right, (neg,pos) wrong -> accuracy 1/2.
    # p_o 1/2; gold pos 1/2 neg 1/2, system pos 1 -> p_e = 0.5*1 + 0.5*0 = 0.5 -> kappa 0
    assert attributes["polarity"] == {"pairs": 2, "accuracy": 0.5, "kappa": 0.0}
    # certainty only on the first pair: (certain, probable) -> accuracy 0.
    # p_o 0, p_e = 1*0 + 0*1 = 0 -> kappa 0
    assert attributes["certainty"] == {"pairs": 1, "accuracy": 0.0, "kappa": 0.0}


def test_an_attribute_given_but_never_matched_is_reported_with_no_pairs():
    section = scores([claim(0, 10, polarity="positive")], [claim(50, 60, polarity="positive")])
    assert section["attributes"] == {"polarity": {"pairs": 0, "accuracy": None, "kappa": None}}


def test_label_inventory_matches_labels_json():
    labels = json.loads((REPO / "schema" / "labels.json").read_text(encoding="utf-8"))
    assert set(ATTRIBUTE_LABELS["polarity"]) == set(labels["claim_polarity"])
    assert set(ATTRIBUTE_LABELS["certainty"]) == set(labels["claim_certainty"])
    assert set(ATTRIBUTE_LABELS["checkworthy"]) == {False, True}


# --- invariants -------------------------------------------------------------------------------


def _varied_gold() -> list[dict]:
    certainties = ["certain", "probable", "possible", "underspecified"]
    return [
        claim(
            30 * k,
            30 * k + 12 + k,
            polarity="negative" if k % 3 == 0 else "positive",
            certainty=certainties[k % 4],
            checkworthy=k % 2 == 0,
            cluster=f"c{k}",
        )
        for k in range(8)
    ]


def test_gold_against_itself_is_perfect():
    gold = _varied_gold()
    section = scores(gold, gold)
    for level in ("strict", "lenient"):
        assert section["span"][level]["precision"] == 1.0
        assert section["span"][level]["recall"] == 1.0
        assert section["span"][level]["f1"] == 1.0
    for name in ("polarity", "certainty", "checkworthy"):
        assert section["attributes"][name] == {"pairs": 8, "accuracy": 1.0, "kappa": 1.0}
    assert lenient_claim_pairs(gold, gold) == [(k, k) for k in range(8)]


def test_empty_prediction_has_zero_recall():
    section = scores(_varied_gold(), [])
    for level in ("strict", "lenient"):
        assert section["span"][level] == {
            "true_positives": 0,
            "gold": 8,
            "predicted": 0,
            "precision": 0.0,
            "recall": 0.0,
            "f1": 0.0,
        }
    assert section["attributes"] == {}


def test_reordering_changes_nothing_even_among_ties():
    # Two predictions with the same span tie for gold[0]; which one is paired decides the
    # polarity accuracy. The choice must not depend on list order.
    gold = [claim(0, 10, polarity="positive"), claim(20, 30, polarity="negative")]
    pred = [
        claim(0, 10, polarity="positive"),
        claim(0, 10, polarity="negative"),
        claim(21, 30, polarity="negative"),
    ]
    reference = scores(gold, pred)
    for gold_order in itertools.permutations(gold):
        for pred_order in itertools.permutations(pred):
            assert scores(list(gold_order), list(pred_order)) == reference


def test_reordering_keeps_the_same_pairs_on_random_documents():
    rng = random.Random(7)
    for _ in range(20):
        gold = []
        for k in range(rng.randint(0, 8)):
            start = rng.randint(0, 200)
            gold.append(
                claim(
                    start,
                    start + rng.randint(1, 30),
                    polarity=rng.choice(["positive", "negative"]),
                    id=f"g{k}",
                )
            )
        pred = []
        for k in range(rng.randint(0, 8)):
            start = rng.randint(0, 200)
            pred.append(
                claim(
                    start,
                    start + rng.randint(1, 30),
                    polarity=rng.choice(["positive", "negative"]),
                    id=f"p{k}",
                )
            )
        shuffled_gold = rng.sample(gold, len(gold))
        shuffled_pred = rng.sample(pred, len(pred))

        def id_pairs(g, p):
            return sorted((g[i]["id"], p[j]["id"]) for i, j in lenient_claim_pairs(g, p))

        assert id_pairs(gold, pred) == id_pairs(shuffled_gold, shuffled_pred)
        assert scores(gold, pred) == scores(shuffled_gold, shuffled_pred)


# --- corpus level -----------------------------------------------------------------------------


def test_score_claims_sums_documents_and_reports_each():
    gold_docs = {
        "d1": {"claims": [claim(0, 10), claim(20, 30)]},
        "d2": {"claims": [claim(0, 10)]},
    }
    pred_docs = {
        "d1": {"claims": [claim(0, 10)]},  # 1 of 2 found
        "d2": {"claims": [claim(0, 10), claim(50, 60)]},  # 1 found, 1 spurious
    }
    section = score_claims(gold_docs, pred_docs)
    # corpus strict: TP 1+1 = 2, gold 3, predicted 3 -> P = R = F1 = 2/3
    strict = section["span"]["strict"]
    assert (strict["true_positives"], strict["gold"], strict["predicted"]) == (2, 3, 3)
    assert strict["f1"] == pytest.approx(2 / 3)
    assert section["per_document"]["d1"]["span"]["strict"]["recall"] == 0.5
    assert section["per_document"]["d2"]["span"]["strict"]["precision"] == 0.5
    assert section["settings"] == {"claim_threshold": 0.5}


def test_score_claims_refuses_to_guess_about_missing_documents_or_layers():
    gold_docs = {"d1": {"claims": [claim(0, 10)]}}
    with pytest.raises(ValueError, match="no prediction"):
        score_claims(gold_docs, {})
    with pytest.raises(ValueError, match="no gold"):
        score_claims(gold_docs, {"d1": {"claims": []}, "d9": {"claims": []}})
    with pytest.raises(ValueError, match="'claims' layer"):
        score_claims(gold_docs, {"d1": {"entities": []}})


def test_normalize_text_equals_squads_steps_written_out():
    """normalize_text translates in one pass; the reference applies SQuAD's steps one by one."""
    import random
    import re
    import string

    from sourcetrace.scoring.common import normalize_text

    deleted = set(string.punctuation) | set("\u2018\u2019\u201c\u201d\u00ab\u00bb")
    separators = set("\u2013\u2014\u2026")

    def reference(text: str) -> str:
        text = text.lower()
        text = "".join(" " if ch in separators else ch for ch in text if ch not in deleted)
        text = re.sub(r"\b(a|an|the)\b", " ", text)
        return " ".join(text.split())

    alphabet = "aAnNtThHeE xyzÉé.,;:'\"-()\u2013\u2014\u2026\u2018\u2019\u201c\u201d\u00a0\t\n«»1"
    rng = random.Random(4)
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(30)))
        assert normalize_text(text) == reference(text), text


def test_ok_claim_threshold_decides_a_one_third_dice():
    # Precondition of the next test: threshold 0.333333 admits Dice 1/3 (0.3333333...),
    # 0.3333334 does not (1/3 < 0.3333334 - 1e-9). So the two settings give different numbers.
    low = evaluate(THIRD_PRED, THIRD_GOLD, claim_threshold=0.333333)
    high = evaluate(THIRD_PRED, THIRD_GOLD, claim_threshold=0.3333334)
    assert low["layers"]["claims"]["span"]["lenient"]["true_positives"] == 1
    assert high["layers"]["claims"]["span"]["lenient"]["true_positives"] == 0


def test_ok_claim_threshold_ties_pass_exactly():
    # Dice: gold [0,10), pred [5,15): 2*5/20 = 0.5 -> lenient at 0.5; pred [6,15): 2*4/19 =
    # 0.42 -> not. Token F1: 7 shared of 8 predicted and 20 gold: 14/28 = 0.5 exactly
    # (0.4999999999999999 in floats) -> lenient.
    def lenient(gold, pred):
        return tally_claims(gold, pred)["span"]["lenient"]["true_positives"]

    gold = [{"start": 0, "end": 10, "text": "x" * 10}]
    assert lenient(gold, [{"start": 5, "end": 15}]) == 1
    assert lenient(gold, [{"start": 6, "end": 15}]) == 0
    words = [{"start": 0, "end": 100, "text": " ".join(f"w{i}" for i in range(20))}]
    assert lenient(words, [{"text": " ".join(f"w{i}" for i in range(7)) + " zz"}]) == 1


def test_ok_duplicate_claims_and_attributions_earn_once():
    # Two identical predicted claims for one gold claim: one-to-one -> TP 1, P 1/2, R 1.
    gold = [{"start": 0, "end": 10, "text": "x" * 10}]
    section = summarize_claims(tally_claims(gold, [{"start": 0, "end": 10}] * 2))
    strict = section["span"]["strict"]
    assert (strict["true_positives"], strict["precision"], strict["recall"]) == (1, 0.5, 1.0)
    # Same for a duplicated attribution (own voice, no cue, same content).
    content = {"start": 0, "end": 10, "text": "x" * 10}
    attribution = {"source": None, "cue": None, "content": content}
    tally = tally_attributions(
        {"entities": [], "attributions": [attribution]},
        {"entities": [], "attributions": [attribution, attribution]},
    )
    assert tally["triple"]["strict"] == {"true_positives": 1, "gold": 1, "predicted": 2}


def test_ok_text_only_gold_claim_against_offset_prediction():
    # Gold with text only, prediction with offsets and text: compared by normalised text
    # (strict) -> TP 1. Prediction with offsets and no text: nothing to compare -> ValueError
    # (documented: a silent zero would be a wrong score).
    gold = [{"text": "Russia denied it"}]
    assert (
        tally_claims(gold, [{"start": 3, "end": 19, "text": "Russia denied it."}])["span"][
            "strict"
        ]["true_positives"]
        == 1
    )
    with pytest.raises(ValueError, match="text is needed"):
        tally_claims(gold, [{"start": 3, "end": 19}])


def test_ok_claim_attribute_kappa_equals_sklearn():
    # Hand table (gold, pred): (pos,pos) 3, (pos,neg) 1, (neg,neg) 2; n = 6.
    # p_o = 5/6; gold pos 4/6, pred pos 3/6: p_e = 4/6*3/6 + 2/6*3/6 = 1/2;
    # kappa = (5/6 - 1/2)/(1/2) = 2/3.
    gold = ["positive"] * 4 + ["negative"] * 2
    pred = ["positive"] * 3 + ["negative"] * 3
    result = attribute_agreement(gold, pred, "polarity")
    assert result["kappa"] == pytest.approx(2 / 3)
    assert result["kappa"] == pytest.approx(cohen_kappa_score(gold, pred))
    assert result["accuracy"] == pytest.approx(5 / 6)
