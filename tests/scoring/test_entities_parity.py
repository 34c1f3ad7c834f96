"""Parity with nervaluate 1.2.1 on unambiguous span sets, and where (and why) we differ.

Unambiguous means: gold spans do not overlap each other, predictions neither, and each
prediction overlaps at most one gold span and vice versa. There nervaluate's greedy matching
has only one choice, so every count and metric must be equal, to the last bit.
"""

from __future__ import annotations

import random

import pytest
from nervaluate import Evaluator

from sourcetrace.scoring.common import add_tallies
from sourcetrace.scoring.entities import (
    COUNT_NAMES,
    SCHEMES,
    score_entities,
    summarize_entities,
    tally_entities,
)

TYPES = ("PERSON", "ORG", "GPE", "DATE")
REPORTED = (*COUNT_NAMES, "possible", "actual", "precision", "recall", "f1")
N_DOCUMENTS = 1200


def _random_span(rng: random.Random, slot_start: int, slot_end: int) -> tuple[int, int]:
    start = rng.randrange(slot_start, slot_end)
    return start, rng.randint(start + 1, slot_end)


def _random_document(rng: random.Random) -> tuple[int, list[dict], list[dict]]:
    """Disjoint slots, each holding at most one gold and one predicted span, so no span can
    overlap more than one span of the other side. Returns (text length, gold, pred)."""
    gold, pred = [], []
    position = 0
    for _ in range(rng.randint(0, 9)):
        position += rng.randint(0, 3)  # 0: the next slot is adjacent (end-exclusive offsets)
        kind = rng.choice(("both", "both", "both", "both", "gold", "pred", "long"))
        gold_type = rng.choice(TYPES)
        pred_type = gold_type if rng.random() < 0.6 else rng.choice(TYPES)
        if kind == "long":
            # a gold span over 100 code points with a 1-3 code-point prediction at its end:
            # exercises nervaluate's 1 % minimum overlap (1/101 of the span is under 1 %)
            length = rng.randint(101, 260)
            overlap = rng.randint(1, 3)
            gold_span = (position, position + length)
            pred_span = (position + length - overlap, position + length)
            slot = length
        else:
            slot = rng.randint(1, 12)
            gold_span = _random_span(rng, position, position + slot)
            same = rng.random() < 0.4
            pred_span = gold_span if same else _random_span(rng, position, position + slot)
        if kind in ("both", "long", "gold"):
            gold.append({"start": gold_span[0], "end": gold_span[1], "type": gold_type})
        if kind in ("both", "long", "pred"):
            pred.append({"start": pred_span[0], "end": pred_span[1], "type": pred_type})
        position += slot
    rng.shuffle(gold)
    rng.shuffle(pred)
    return position + 1, gold, pred


@pytest.fixture(scope="module")
def documents() -> list[tuple[int, list[dict], list[dict]]]:
    rng = random.Random(20240531)
    return [_random_document(rng) for _ in range(N_DOCUMENTS)]


def _nervaluate_dicts(spans: list[dict]) -> list[dict]:
    """Our end-exclusive spans in nervaluate's dict format, whose `end` is inclusive."""
    return [{"label": s["type"], "start": s["start"], "end": s["end"] - 1} for s in spans]


def _bio(spans: list[dict], length: int) -> list[str]:
    """One tag per code point, for nervaluate's list (BIO) loader."""
    tags = ["O"] * length
    for span in spans:
        tags[span["start"]] = "B-" + span["type"]
        for position in range(span["start"] + 1, span["end"]):
            tags[position] = "I-" + span["type"]
    return tags


def _assert_same(ours: dict, theirs) -> None:
    for name in REPORTED:
        assert ours[name] == getattr(theirs, name), name


def _assert_parity(section: dict, results: dict) -> None:
    for scheme in SCHEMES:
        _assert_same(section["overall"][scheme], results["overall"][scheme])
    assert set(section["per_type"]) == set(results["entities"])
    for entity_type, by_scheme in results["entities"].items():
        for scheme in SCHEMES:
            _assert_same(section["per_type"][entity_type][scheme], by_scheme[scheme])


def test_generated_sets_are_unambiguous_and_cover_every_outcome(documents):
    # guards the generator: if it produced ambiguous input, parity would prove nothing
    outcomes = set()
    for _, gold, pred in documents:
        for side in (gold, pred):
            spans = sorted((s["start"], s["end"]) for s in side)
            assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
        for g in gold:
            assert sum(min(g["end"], p["end"]) > max(g["start"], p["start"]) for p in pred) <= 1
        for p in pred:
            assert sum(min(g["end"], p["end"]) > max(g["start"], p["start"]) for g in gold) <= 1
    section = score_entities(
        {str(i): {"entities": d[1]} for i, d in enumerate(documents)},
        {str(i): {"entities": d[2]} for i, d in enumerate(documents)},
    )
    for scheme in SCHEMES:
        outcomes |= {n for n in COUNT_NAMES if section["overall"][scheme][n] > 0}
    assert outcomes == set(COUNT_NAMES)
    assert len(documents) >= 1000


def test_corpus_parity_with_nervaluate_dict_loader(documents):
    tallies = [tally_entities(gold, pred) for _, gold, pred in documents]
    ours = summarize_entities(add_tallies(tallies))
    theirs = Evaluator(
        [_nervaluate_dicts(gold) for _, gold, _ in documents],
        [_nervaluate_dicts(pred) for _, _, pred in documents],
        tags=list(TYPES),
        loader="dict",
    ).evaluate()
    _assert_parity(ours, theirs)


def test_per_document_parity_with_nervaluate(documents):
    for _, gold, pred in documents:
        theirs = Evaluator(
            [_nervaluate_dicts(gold)], [_nervaluate_dicts(pred)], tags=list(TYPES), loader="dict"
        ).evaluate()
        _assert_parity(summarize_entities(tally_entities(gold, pred)), theirs)


def test_parity_with_nervaluate_list_loader_on_character_tags(documents):
    # Same spans through nervaluate's BIO list loader, one tag per code point: checks our
    # end-exclusive -> inclusive conversion against a second reading of the same data.
    subset = documents[:300]
    theirs = Evaluator(
        [_bio(gold, length) for length, gold, _ in subset],
        [_bio(pred, length) for length, _, pred in subset],
        tags=list(TYPES),
        loader="list",
    ).evaluate()
    ours = summarize_entities(add_tallies(tally_entities(g, p) for _, g, p in subset))
    _assert_parity(ours, theirs)


def _nervaluate_strict(gold: list[dict], pred: list[dict]) -> tuple[int, int, int, int]:
    result = Evaluator(
        [_nervaluate_dicts(gold)], [_nervaluate_dicts(pred)], tags=["PERSON"], loader="dict"
    ).evaluate()["overall"]["strict"]
    return result.correct, result.incorrect, result.missed, result.spurious


def test_ambiguous_overlap_nervaluate_depends_on_order_we_do_not():
    # Gold G1=[0,10) and G2=[10,20); prediction P1=[5,15) touches both, P2=[0,10) equals G1.
    # nervaluate, P1 first: P1 takes the first gold it touches, G1 (incorrect); P2 then finds
    #   G1 taken and nothing else -> spurious; G2 missed.  strict = COR 0, INC 1, MIS 1, SPU 1.
    # nervaluate, P2 first: P2 = G1 (correct); P1 -> G2 (incorrect). COR 1, INC 1, MIS 0, SPU 0.
    # Ours maximises strict credit in both orders: P2-G1 correct, P1-G2 incorrect.
    g1 = {"start": 0, "end": 10, "type": "PERSON"}
    g2 = {"start": 10, "end": 20, "type": "PERSON"}
    p1 = {"start": 5, "end": 15, "type": "PERSON"}
    p2 = {"start": 0, "end": 10, "type": "PERSON"}
    assert _nervaluate_strict([g1, g2], [p1, p2]) == (0, 1, 1, 1)
    assert _nervaluate_strict([g1, g2], [p2, p1]) == (1, 1, 0, 0)
    for pred in ([p1, p2], [p2, p1]):
        strict = summarize_entities(tally_entities([g1, g2], pred))["overall"]["strict"]
        assert (strict["correct"], strict["incorrect"], strict["missed"], strict["spurious"]) == (
            1,
            1,
            0,
            0,
        )


def test_ambiguous_input_never_scores_below_nervaluate():
    # Freely overlapping, nested and duplicated spans. nervaluate's greedy result is one of the
    # matchings ours maximises over, and both put every span in exactly one category, so:
    # possible and actual are equal, and our credit (hence P, R, F1) is never lower.
    rng = random.Random(99)
    for _ in range(300):
        gold, pred = [], []
        for side, n in ((gold, rng.randint(0, 8)), (pred, rng.randint(0, 8))):
            for _ in range(n):
                start = rng.randrange(0, 30)
                side.append(
                    {
                        "start": start,
                        "end": start + rng.randint(1, 8),
                        "type": rng.choice(TYPES[:2]),
                    }
                )
        pred += [dict(g) for g in gold if rng.random() < 0.3]
        rng.shuffle(pred)
        ours = summarize_entities(tally_entities(gold, pred))
        theirs = Evaluator(
            [_nervaluate_dicts(gold)], [_nervaluate_dicts(pred)], tags=list(TYPES), loader="dict"
        ).evaluate()
        views = [(ours["overall"], theirs["overall"])]
        views += [(ours["per_type"][t], r) for t, r in theirs["entities"].items()]
        for mine, reference in views:
            for scheme in SCHEMES:
                assert mine[scheme]["possible"] == reference[scheme].possible
                assert mine[scheme]["actual"] == reference[scheme].actual
                for metric in ("precision", "recall", "f1"):
                    assert mine[scheme][metric] >= getattr(reference[scheme], metric) - 1e-12
