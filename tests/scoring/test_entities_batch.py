"""Batch entity tallies: every document's row equals `tally_entities`, key for key.

Random suites cover nested, overlapping and duplicated spans, text-only predictions, the
mention filter and empty documents, through each path of the batch (one-pair components,
enumerated clusters, clusters handed to tally_entities, text-only predictions anchored per
document, whole documents). `cluster_mention_pairs` is checked against
`match_items(gold, pred, same_piece)`, and the regex-free search for the occurrences of
text-only predictions against the regular expression it replaces.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys

import numpy as np
import pytest

from sourcetrace.scoring import entity_batch
from sourcetrace.scoring.common import add_tallies
from sourcetrace.scoring.entities import COUNT_NAMES, SCHEMES, tally_entities, text_occurrences
from sourcetrace.scoring.entity_batch import (
    PATH_ANCHORED,
    PATH_ENUMERATED,
    PATH_IDENTICAL_CLUSTER,
    PATH_LARGE_CLUSTER,
    PATH_WHOLE_DOCUMENT,
    cluster_mention_pairs,
    tally_entities_batch,
)
from sourcetrace.scoring.matching import match_items, same_piece

TYPES = ("PERSON", "ORG", "GPE", "NORP")
KINDS = ("name", "nominal", "pronoun")
WORDS = ("Kim", "Seoul", "the", "army", "North", "Korean", "said", "Kyiv", "it", "met")
FILTERS = [None, frozenset({"name"}), frozenset({"nominal", "pronoun"}), frozenset({"pronoun"})]


def assert_rows_equal(documents: list, mentions: frozenset[str] | None = None):
    """Row by row and summed, the batch equals tally_entities; returns the columns."""
    columns = tally_entities_batch(documents, mentions=mentions)
    expected = [tally_entities(g, p, text=t, mentions=mentions) for g, p, t in documents]
    assert columns.counts.shape == columns.present.shape == (len(documents), len(columns.fields))
    for index, tally in enumerate(expected):
        assert columns.row_dict(index) == tally, f"document {index}"
    assert columns.summed_tally() == add_tallies(expected)
    assert not columns.counts[~columns.present].any()
    return columns


# ---------------------------------------------------------------------------------------------
# random documents


def random_document(rng: random.Random, *, text_only: float = 0.15) -> tuple[list, list, str]:
    """A text of random words; gold spans on words and word groups (nested, duplicated,
    annotated twice with two mention kinds); predictions exact, shifted, retyped, merged,
    spurious, duplicated, or text-only (some strings not in the text)."""
    words = [rng.choice(WORDS) for _ in range(rng.randint(0, 40))]
    text = " ".join(words)
    bounds, position = [], 0
    for word in words:
        bounds.append((position, position + len(word)))
        position += len(word) + 1
    gold: list[dict] = []
    for _ in range(rng.randint(0, 14) if bounds else 0):
        first = rng.randrange(len(bounds))
        last = min(len(bounds) - 1, first + rng.choice((0, 0, 0, 1, 2)))
        span = {"start": bounds[first][0], "end": bounds[last][1]}
        gold.append({**span, "type": rng.choice(TYPES), "mention": rng.choice(KINDS)})
        if rng.random() < 0.1:  # the same span annotated again, other kind or type
            gold.append({**span, "type": rng.choice(TYPES), "mention": rng.choice(KINDS)})
    pred: list[dict] = []
    for entity in gold:
        draw = rng.random()
        start, end, entity_type = entity["start"], entity["end"], entity["type"]
        if draw < 0.4:
            pred.append({"start": start, "end": end, "type": entity_type})
        elif draw < 0.55:
            new_start = min(end - 1, max(0, start + rng.randint(-3, 3)))
            new_end = max(new_start + 1, min(len(text), end + rng.randint(-3, 3)))
            pred.append({"start": new_start, "end": new_end, "type": entity_type})
        elif draw < 0.65:
            pred.append({"start": start, "end": end, "type": rng.choice(TYPES)})
        elif draw < 0.72:
            pred.append({"start": start, "end": min(len(text), end + 12), "type": entity_type})
        elif draw < 0.72 + text_only:
            pred.append({"text": text[start:end], "type": rng.choice((entity_type, *TYPES))})
        if rng.random() < 0.05:  # duplicate
            pred.append(dict(pred[-1]) if pred else {"start": start, "end": end, "type": "ORG"})
    for _ in range(rng.randint(0, 3) if bounds else 0):
        a, b = sorted(rng.sample(range(len(text) + 1), 2)) if len(text) > 1 else (0, 1)
        if a < b:
            pred.append({"start": a, "end": b, "type": rng.choice(TYPES)})
    if rng.random() < text_only:
        pred.append({"text": rng.choice(("Busan", "Kim  Kim", "North Korean")), "type": "GPE"})
    rng.shuffle(gold)
    rng.shuffle(pred)
    return gold, pred, text


def random_dense_document(rng: random.Random) -> tuple[list, list, None]:
    """Freely overlapping spans in a small window: clusters of every size, ones over the
    enumeration limit included."""

    def spans(n: int) -> list[dict]:
        out = []
        for _ in range(n):
            start = rng.randrange(0, 30)
            out.append(
                {
                    "start": start,
                    "end": start + rng.randint(1, 8),
                    "type": rng.choice(TYPES[:3]),
                    "mention": rng.choice(KINDS),
                }
            )
        return out

    gold = spans(rng.randint(0, 12))
    pred = [dict(g) for g in gold if rng.random() < 0.4] + spans(rng.randint(0, 12))
    return gold, pred, None


@pytest.fixture(scope="module")
def corpus() -> list[tuple[list, list, str]]:
    rng = random.Random(20260516)
    return [random_document(rng) for _ in range(700)] + [([], [], "")] * 3


@pytest.fixture(scope="module")
def dense_corpus() -> list[tuple[list, list, None]]:
    rng = random.Random(16)
    return [random_dense_document(rng) for _ in range(400)]


@pytest.mark.parametrize("mentions", FILTERS)
def test_random_documents_equal_tally_entities_row_by_row(corpus, mentions):
    columns = assert_rows_equal(corpus, mentions)
    # the suite goes through the anchoring of text-only predictions and enumerated clusters
    assert (columns.paths & PATH_ANCHORED).any()
    assert (columns.paths & PATH_ENUMERATED).any()
    assert columns.summed_tally()["unanchored_predictions"] > 0
    if mentions is not None:
        assert columns.summed_tally()["ignored_predictions"] > 0


@pytest.mark.parametrize("mentions", FILTERS[:2])
def test_dense_overlaps_equal_tally_entities_row_by_row(dense_corpus, mentions):
    columns = assert_rows_equal(dense_corpus, mentions)
    assert (columns.paths & PATH_LARGE_CLUSTER).any()
    assert columns.summed_tally()["overall"]["partial"]["partial"] > 0


def random_same_bounds_document(rng: random.Random) -> tuple[list, list, None]:
    """Few boundaries, many mentions on each: gold annotated several times with several kinds
    and types, and several identical predictions, so the mention filter's gold slots run out
    in every order."""
    bounds = [(0, 4), (0, 9), (5, 9), (12, 15), (20, 30)]

    def entity(with_kind: bool) -> dict:
        start, end = rng.choice(bounds)
        out = {"start": start, "end": end, "type": rng.choice(TYPES[:2])}
        return {**out, "mention": rng.choice(KINDS)} if with_kind else out

    gold = [entity(True) for _ in range(rng.randint(0, 8))]
    pred = [entity(False) for _ in range(rng.randint(0, 8))]
    return gold, pred, None


@pytest.mark.parametrize("mentions", FILTERS)
def test_mention_filter_on_spans_annotated_many_times(mentions):
    rng = random.Random(41)
    documents = [random_same_bounds_document(rng) for _ in range(600)]
    columns = assert_rows_equal(documents, mentions)
    if mentions is not None:
        assert columns.summed_tally()["ignored_predictions"] > 100


def random_exactly_predicted_document(rng: random.Random) -> tuple[list, list, str]:
    """Nested and overlapping gold spans predicted exactly (most clusters are then counted as
    correct without enumeration), and in some documents one change that must send a cluster
    back to the enumeration: a span given twice on one side or on both, a prediction dropped,
    added, retyped or moved."""
    gold, _, text = random_document(rng, text_only=0.0)
    for entity in list(gold):  # nest a shorter span in some gold spans
        if entity["end"] - entity["start"] > 3 and rng.random() < 0.5:
            inner = {**entity, "end": entity["start"] + rng.randint(1, 3)}
            gold.append({**inner, "type": rng.choice(TYPES)})
    pred = [{"start": g["start"], "end": g["end"], "type": g["type"]} for g in gold]
    change = rng.choice(("none", "none", "none", "twice", "both", "drop", "add", "type", "move"))
    if pred and change == "twice":
        pred.append(dict(rng.choice(pred)))
    elif pred and change == "both":
        twin = rng.randrange(len(gold))
        gold.append(dict(gold[twin]))
        pred.append(dict(pred[twin]))
    elif pred and change == "drop":
        pred.pop(rng.randrange(len(pred)))
    elif pred and change == "add":
        entity = rng.choice(pred)
        pred.append({**entity, "end": min(len(text), entity["end"] + 2)})
    elif pred and change == "type":
        entity = rng.choice(pred)
        entity["type"] = rng.choice([t for t in TYPES if t != entity["type"]])
    elif pred and change == "move":
        entity = rng.choice(pred)
        entity["start"] = min(entity["end"] - 1, entity["start"] + 1)
    rng.shuffle(gold)
    rng.shuffle(pred)
    return gold, pred, text


@pytest.mark.parametrize("mentions", FILTERS)
def test_exactly_predicted_clusters_equal_tally_entities_row_by_row(mentions):
    rng = random.Random(2412)
    documents = [random_exactly_predicted_document(rng) for _ in range(600)]
    columns = assert_rows_equal(documents, mentions)
    # both ways are taken: clusters counted as predicted exactly, and spoiled ones enumerated
    assert (columns.paths & PATH_IDENTICAL_CLUSTER).any()
    assert (columns.paths & PATH_ENUMERATED).any()


def test_exactly_predicted_clusters_by_hand():
    # d0: gold [0,20) ORG with [12,17) GPE nested in it, predicted exactly: each prediction
    #     touches both gold spans (one cluster of four pairs), both exact pairs are correct in
    #     every scheme; per type ORG and GPE one correct each.
    # d1: the same with the ORG span annotated twice and predicted twice: a span in two exact
    #     pairs, so the cluster is enumerated; it gives 3 correct all the same.
    # d2: gold G1=[0,10) PER, G2=[8,20) PER; pred P1=[0,10) PER (G1's exact twin), P2=[0,5)
    #     PER. P1 also touches G2, P2 only G1: the exact pair does not cover the cluster, and
    #     ent_type (type only) does better without it: G1-P2 and G2-P1, 2 correct; strict,
    #     exact and partial keep G1-P1: 1 correct, G2 missed, P2 spurious.
    # d3: gold [0,10) PER; pred P1=[0,10) PER, its exact twin, and P2=[0,5) PER: one exact
    #     pair as many as the gold side has spans, so it is the best matching (ent_type would
    #     also take G-P2, correct too: the same counts): 1 correct, 1 spurious in every scheme.
    # d4: d2 with P2 left out: G1-P1 covers the prediction side: 1 correct, G2 missed.
    nested = [{"start": 0, "end": 20, "type": "ORG"}, {"start": 12, "end": 17, "type": "GPE"}]
    doubled = [*nested, nested[0]]
    documents = [
        (nested, [dict(entity) for entity in nested[::-1]], None),
        (doubled, [dict(entity) for entity in doubled], None),
        (
            [{"start": 0, "end": 10, "type": "PER"}, {"start": 8, "end": 20, "type": "PER"}],
            [{"start": 0, "end": 10, "type": "PER"}, {"start": 0, "end": 5, "type": "PER"}],
            None,
        ),
        (
            [{"start": 0, "end": 10, "type": "PER"}],
            [{"start": 0, "end": 10, "type": "PER"}, {"start": 0, "end": 5, "type": "PER"}],
            None,
        ),
        (
            [{"start": 0, "end": 10, "type": "PER"}, {"start": 8, "end": 20, "type": "PER"}],
            [{"start": 0, "end": 10, "type": "PER"}],
            None,
        ),
    ]
    columns = assert_rows_equal(documents)
    for index, counts in ((3, (1, 0, 0, 0, 1)), (4, (1, 0, 0, 1, 0))):
        row = columns.row_dict(index)
        for scheme in SCHEMES:
            assert tuple(row["overall"][scheme].values()) == counts
            assert tuple(row["per_type"]["PER"][scheme].values()) == counts
    for index, correct in ((0, 2), (1, 3)):
        row = columns.row_dict(index)
        for scheme in SCHEMES:
            assert tuple(row["overall"][scheme].values()) == (correct, 0, 0, 0, 0)
            assert tuple(row["per_type"]["GPE"][scheme].values()) == (1, 0, 0, 0, 0)
            assert tuple(row["per_type"]["ORG"][scheme].values()) == (correct - 1, 0, 0, 0, 0)
    row = columns.row_dict(2)
    for scheme in ("strict", "exact", "partial"):
        assert tuple(row["overall"][scheme].values()) == (1, 0, 0, 1, 1)
    assert tuple(row["overall"]["ent_type"].values()) == (2, 0, 0, 0, 0)
    assert columns.paths.tolist() == [
        PATH_IDENTICAL_CLUSTER,
        PATH_ENUMERATED,
        PATH_ENUMERATED,
        PATH_IDENTICAL_CLUSTER,
        PATH_IDENTICAL_CLUSTER,
    ]


@pytest.mark.parametrize("largest", [0, 1, 3])
def test_every_cluster_limit_gives_the_same_rows(dense_corpus, corpus, monkeypatch, largest):
    # 0: every ambiguous cluster goes to tally_entities; small limits mix the two ways.
    # Tiny work arrays force the enumeration to run in many chunks.
    monkeypatch.setattr(entity_batch, "_LARGEST_ENUMERATED_CLUSTER", largest)
    monkeypatch.setattr(entity_batch, "_ENUMERATION_CELLS", 64)
    assert_rows_equal(dense_corpus)
    assert_rows_equal(corpus[:200], frozenset({"name"}))


def test_rows_do_not_depend_on_the_order_of_documents_or_spans(dense_corpus):
    rng = random.Random(5)
    reference = tally_entities_batch(dense_corpus)
    order = list(range(len(dense_corpus)))
    rng.shuffle(order)
    shuffled = [
        (rng.sample(g, len(g)), rng.sample(p, len(p)), t)
        for g, p, t in (dense_corpus[i] for i in order)
    ]
    columns = tally_entities_batch(shuffled)
    for position, index in enumerate(order):
        assert columns.row_dict(position) == reference.row_dict(index)


def test_long_gold_spans_follow_the_one_percent_rule():
    # gold [0,200): a 1-code-point prediction is under 1 % (no overlap), 2 code points are 1 %
    gold = [{"start": 0, "end": 200, "type": "EVENT"}]
    documents = [
        (gold, [{"start": 199, "end": 200, "type": "EVENT"}], None),
        (gold, [{"start": 198, "end": 200, "type": "EVENT"}], None),
        (
            gold,
            [{"start": 198, "end": 200, "type": "EVENT"}, {"start": 0, "end": 1, "type": "X"}],
            None,
        ),
    ]
    columns = assert_rows_equal(documents)
    assert columns.row_dict(0)["overall"]["strict"]["missed"] == 1
    assert columns.row_dict(1)["overall"]["partial"]["partial"] == 1


# ---------------------------------------------------------------------------------------------
# a small case worked by hand


def test_hand_worked_batch():
    # d0: gold A=[0,10) PER, B=[20,25) ORG; pred [0,10) PER (correct), [20,24) GPE (boundary
    #     and type wrong). strict COR 1 INC 1; partial COR 1 PAR 1; per type: PER COR 1,
    #     ORG MIS 1, GPE SPU 1.
    # d1: nested gold G1=[0,10) PER, G2=[0,5) PER; pred P1=[0,10) PER, P2=[5,10) PER (one
    #     cluster of three pairs: P1-G1, P1-G2, P2-G1). strict/exact/partial keep the exact
    #     pair: COR 1 MIS 1 SPU 1; ent_type two pairs of the right type: COR 2.
    # d2: empty. d3: text-only "Kim" twice in "Kim met Kim", gold on the second: COR 1, SPU 1.
    documents = [
        (
            [{"start": 0, "end": 10, "type": "PER"}, {"start": 20, "end": 25, "type": "ORG"}],
            [{"start": 0, "end": 10, "type": "PER"}, {"start": 20, "end": 24, "type": "GPE"}],
            None,
        ),
        (
            [{"start": 0, "end": 10, "type": "PER"}, {"start": 0, "end": 5, "type": "PER"}],
            [{"start": 0, "end": 10, "type": "PER"}, {"start": 5, "end": 10, "type": "PER"}],
            None,
        ),
        ([], [], None),
        (
            [{"start": 8, "end": 11, "type": "PER"}],
            [{"text": "Kim", "type": "PER"}, {"text": "Kim", "type": "PER"}],
            "Kim met Kim",
        ),
    ]
    columns = assert_rows_equal(documents)

    def counts(index: int, *path: str) -> tuple[int, ...]:
        section = columns.row_dict(index)
        for key in path:
            section = section[key]
        return tuple(section[name] for name in COUNT_NAMES)

    assert counts(0, "overall", "strict") == (1, 1, 0, 0, 0)
    assert counts(0, "overall", "partial") == (1, 0, 1, 0, 0)
    assert counts(0, "per_type", "ORG", "strict") == (0, 0, 0, 1, 0)
    assert counts(0, "per_type", "GPE", "strict") == (0, 0, 0, 0, 1)
    for scheme in ("strict", "exact", "partial"):
        assert counts(1, "overall", scheme) == (1, 0, 0, 1, 1)
    assert counts(1, "overall", "ent_type") == (2, 0, 0, 0, 0)
    assert columns.row_dict(2) == {
        "overall": {scheme: dict.fromkeys(COUNT_NAMES, 0) for scheme in SCHEMES},
        "per_type": {},
        "ignored_predictions": 0,
        "unanchored_predictions": 0,
    }
    assert counts(3, "overall", "strict") == (1, 0, 0, 0, 1)
    # fields: 20 overall leaves, 20 per type (GPE, ORG, PER: sorted), then the two counters
    assert columns.fields[:2] == [
        ("overall", "strict", "correct"),
        ("overall", "strict", "incorrect"),
    ]
    assert [f[1] for f in columns.fields[20:80:20]] == ["GPE", "ORG", "PER"]
    assert columns.fields[-2:] == [("ignored_predictions",), ("unanchored_predictions",)]
    assert columns.present[1].tolist() == [True] * 20 + [False] * 40 + [True] * 20 + [True] * 2
    assert columns.paths.tolist() == [0, PATH_ENUMERATED, 0, PATH_ANCHORED]


def test_cluster_of_two_types_is_counted_per_type_by_hand():
    # gold G1=[0,10) ORG with G2=[0,4) GPE nested in it; predicted P1=[0,9) ORG (one boundary
    # off) and P2=[0,4) GPE. Each prediction touches both gold spans: one cluster of four
    # pairs, solved by enumerating its subsets, among which ORG subsets come before GPE ones
    # although GPE sorts first. Best matching G1-P1 + G2-P2. Overall (correct, incorrect,
    # partial, missed, spurious): strict and exact (1, 1, 0, 0, 0), partial (1, 0, 1, 0, 0),
    # ent_type (2, 0, 0, 0, 0). Per type, ORG: strict and exact (0, 1, 0, 0, 0), partial
    # (0, 0, 1, 0, 0), ent_type (1, 0, 0, 0, 0); GPE: (1, 0, 0, 0, 0) in every scheme.
    gold = [{"start": 0, "end": 10, "type": "ORG"}, {"start": 0, "end": 4, "type": "GPE"}]
    pred = [{"start": 0, "end": 9, "type": "ORG"}, {"start": 0, "end": 4, "type": "GPE"}]
    overall = {
        "strict": (1, 1, 0, 0, 0),
        "exact": (1, 1, 0, 0, 0),
        "partial": (1, 0, 1, 0, 0),
        "ent_type": (2, 0, 0, 0, 0),
    }
    org = {
        "strict": (0, 1, 0, 0, 0),
        "exact": (0, 1, 0, 0, 0),
        "partial": (0, 0, 1, 0, 0),
        "ent_type": (1, 0, 0, 0, 0),
    }
    documents = [(gold, pred, None), ([], [], None), (gold[::-1], pred[::-1], None)]
    columns = assert_rows_equal(documents)
    for index in (0, 2):
        row = columns.row_dict(index)
        for scheme in SCHEMES:
            assert tuple(row["overall"][scheme].values()) == overall[scheme]
            assert tuple(row["per_type"]["ORG"][scheme].values()) == org[scheme]
            assert tuple(row["per_type"]["GPE"][scheme].values()) == (1, 0, 0, 0, 0)
    assert columns.paths.tolist() == [PATH_ENUMERATED, 0, PATH_ENUMERATED]


def test_predictions_without_a_type_key_are_tallied_as_tally_entities_does():
    # one entity of the batch lacks a key: the columns are read the slow way for all, and the
    # document is refused (or tallied) as tally_entities refuses (or tallies) it
    documents = [
        ([{"start": 0, "end": 3, "type": "ORG"}], [{"start": 0, "end": 3, "type": "ORG"}], None),
        ([{"start": 0, "end": 3, "type": "ORG"}], [{"start": 0, "end": 3}], None),
    ]
    with pytest.raises(ValueError) as expected:
        tally_entities(*documents[1][:2], text=None)
    with pytest.raises(ValueError) as got:
        tally_entities_batch(documents)
    assert str(got.value) == str(expected.value)


def test_empty_batch():
    columns = tally_entities_batch([])
    assert columns.counts.shape == (0, 22) and columns.summed_tally() == add_tallies([]) == {}


# ---------------------------------------------------------------------------------------------
# input tally_entities refuses, or that is not plain


GOOD = ([{"start": 0, "end": 3, "type": "ORG", "mention": "name"}], [], "abc")
BAD_DOCUMENTS = [
    ([{"start": 0, "end": 3, "type": "ORG"}], [{"start": 3, "end": 3, "type": "ORG"}], "abc"),
    ([{"start": 0, "end": 9, "type": "ORG"}], [], "abc"),
    ([{"start": 0, "type": "ORG"}], [], "abc"),
    ([{"start": 0, "end": 2}], [], "abc"),
    ([{"start": 0.0, "end": 2, "type": "ORG"}], [], "abc"),
    ([{"start": False, "end": True, "type": "ORG"}], [], "abc"),
    ([], [{"start": 2, "end": 1, "type": "ORG"}], "abc"),
    ([], [{"text": "abc"}], "abc"),
    ([], [{"text": "abc", "type": "ORG"}], None),
    ([], [{"start": None, "end": 2, "type": "ORG"}], "abc"),
]


@pytest.mark.parametrize("bad", BAD_DOCUMENTS)
def test_refused_input_raises_what_tally_entities_raises(bad):
    with pytest.raises(ValueError) as expected:
        tally_entities(*bad[:2], text=bad[2])
    with pytest.raises(ValueError) as got:
        tally_entities_batch([GOOD, bad, GOOD, BAD_DOCUMENTS[1]])
    assert str(got.value) == str(expected.value)


def test_gold_without_mention_under_a_filter_raises_as_tally_entities():
    bad = ([{"start": 0, "end": 3, "type": "ORG"}], [], "abc")
    with pytest.raises(ValueError, match="mention") as expected:
        tally_entities(*bad[:2], text=bad[2], mentions=frozenset({"name"}))
    with pytest.raises(ValueError) as got:
        tally_entities_batch([GOOD, bad], mentions=frozenset({"name"}))
    assert str(got.value) == str(expected.value)


def test_input_off_the_fast_path_is_tallied_by_tally_entities():
    # offsets beyond the int32 range, an int subclass and a str subclass as type: valid for
    # tally_entities, so their documents go to it whole, and the other rows stay vectorised
    class Label(str):
        pass

    huge = 2**40
    documents = [
        (
            [{"start": huge, "end": huge + 5, "type": "ORG"}],
            [{"start": huge, "end": huge + 5, "type": "ORG"}],
            None,
        ),
        (
            [{"start": 0, "end": 3, "type": Label("ORG")}],
            [{"start": 0, "end": 3, "type": "ORG"}],
            None,
        ),
        GOOD,
    ]
    columns = assert_rows_equal(documents)
    assert columns.paths.tolist() == [PATH_WHOLE_DOCUMENT, PATH_WHOLE_DOCUMENT, 0]


def test_offsets_near_the_fast_limit_stay_vectorised_and_equal():
    # offsets around 2**30: the packed keys no longer fit, the grouping falls back to lexsort
    def shifted(entity: dict) -> dict:
        return {**entity, "start": entity["start"] + 2**30, "end": entity["end"] + 2**30}

    rng = random.Random(3)
    documents = []
    for _ in range(40):
        gold, pred, _ = random_same_bounds_document(rng)
        documents.append(([shifted(g) for g in gold], [shifted(p) for p in pred], None))
    for mentions in (None, frozenset({"name"})):
        columns = assert_rows_equal(documents, mentions)
        assert not (columns.paths & PATH_WHOLE_DOCUMENT).any()


# ---------------------------------------------------------------------------------------------
# cluster_mention_pairs


def random_mentions(rng: random.Random, *, text_only: bool, duplicates: bool) -> list[dict]:
    mentions = []
    for _ in range(rng.randint(0, 12)):
        start = rng.randrange(0, 40)
        mention = {"start": start, "end": start + rng.randint(1, 4), "text": rng.choice(WORDS)}
        if text_only and rng.random() < 0.2:
            mention = {"text": mention["text"]}
        mentions.append(mention)
    if duplicates and mentions and rng.random() < 0.5:
        mentions.append(dict(rng.choice(mentions)))
    rng.shuffle(mentions)
    return mentions


@pytest.mark.parametrize("text_only", [False, True])
@pytest.mark.parametrize("duplicates", [False, True])
def test_cluster_mention_pairs_equals_match_items(text_only, duplicates):
    rng = random.Random(hash((text_only, duplicates)) & 0xFFFF)
    for _ in range(400):
        gold = random_mentions(rng, text_only=text_only, duplicates=duplicates)
        pred = random_mentions(rng, text_only=text_only, duplicates=duplicates)
        pred += [dict(g, type="X") for g in gold if rng.random() < 0.5]
        rng.shuffle(pred)
        assert cluster_mention_pairs(gold, pred) == match_items(gold, pred, same_piece)


def test_cluster_mention_pairs_needs_no_solver_when_spans_are_unique(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the general matching was called")

    gold = [{"start": s, "end": s + 3} for s in (0, 10, 20, 30)] + [{"start": 50, "end": 52}] * 2
    pred = [{"start": 20, "end": 23}, {"start": 0, "end": 3}, {"start": 5, "end": 9}]
    expected = match_items(gold, pred, same_piece)
    monkeypatch.setattr(entity_batch, "same_piece_pairs", refuse)
    assert cluster_mention_pairs(gold, pred) == expected == [(0, 1), (2, 0)]
    with pytest.raises(AssertionError):  # two gold mentions on a predicted span: the solver
        cluster_mention_pairs(gold, [*pred, {"start": 50, "end": 52}])


# ---------------------------------------------------------------------------------------------
# start-up


def test_importing_the_scorers_does_not_import_scipy():
    code = (
        "import sys\n"
        "import sourcetrace.scoring.entities, sourcetrace.scoring.matching\n"
        "import sourcetrace.scoring.entity_batch\n"
        "assert 'scipy' not in sys.modules, sorted(m for m in sys.modules if 'scipy' in m)[:5]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_counts_are_int64_and_present_bool(corpus):
    columns = tally_entities_batch(corpus[:50])
    assert columns.counts.dtype == np.int64 and columns.present.dtype == bool
    assert all(type(v) is int for v in columns.row_dict(0)["overall"]["strict"].values())


# ---------------------------------------------------------------------------------------------
# occurrences of text-only predictions, found without compiling a pattern per string


def occurrences_by_regex(tokens: tuple[str, ...], text: str) -> list[tuple[int, int]]:
    """The rule of docs/scoring/entities.md as the regular expression it used to be."""
    if not tokens:
        return []
    pattern = r"\s+".join(re.escape(token) for token in tokens)
    if re.match(r"\w", tokens[0]):
        pattern = r"(?<!\w)" + pattern
    if re.match(r"\w", tokens[-1][-1]):
        pattern += r"(?!\w)"
    return [match.span() for match in re.finditer(pattern, text)]


# letters, digits, the underscore, punctuation, accents (one combined, one combining), CJK,
# and white space of several kinds (NBSP, tab, newline, an ASCII separator, ideographic space)
ALPHABET = "aaKim_9.,'-()é\u0301中 \u00a0\t\n\x1c\u3000"


def test_occurrences_equal_the_regular_expression():
    rng = random.Random(23)
    for _ in range(20_000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 30)))
        words = text.split()
        if words and rng.random() < 0.7:  # a piece of the text, maybe cut inside its words
            first = rng.randrange(len(words))
            tokens = words[first : first + rng.randint(1, 3)]
            if rng.random() < 0.5:
                tokens[0] = tokens[0][rng.randrange(len(tokens[0])) :]
            if rng.random() < 0.5:
                tokens[-1] = tokens[-1][: rng.randint(1, len(tokens[-1]))]
        else:
            tokens = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 6))).split()
        tokens = tuple(tokens)
        assert text_occurrences(tokens, text) == occurrences_by_regex(tokens, text), (tokens, text)


def test_occurrences_of_several_words_equal_the_regular_expression():
    # few short words and gaps of mixed white space: strings of two or three words that
    # occur several times, overlapping, inside words, at the edges of the text
    rng = random.Random(9)
    words = ["a", "ab", "b_", "K.", "aa", "(a", "é", "a\u0301"]
    gaps = [" ", "  ", "\u00a0", "\t ", "\n"]
    for _ in range(20_000):
        pieces = [rng.choice(words) + rng.choice(gaps) for _ in range(rng.randint(0, 12))]
        text = "".join(pieces)[: rng.randint(0, 60)]
        tokens = [rng.choice(words) for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.3:
            tokens[0] = tokens[0][-1]
        if rng.random() < 0.3:
            tokens[-1] = tokens[-1][0]
        tokens = tuple(" ".join(tokens).split())
        assert text_occurrences(tokens, text) == occurrences_by_regex(tokens, text), (tokens, text)


def test_character_classes_are_those_of_the_regular_expression():
    # every code point: \w is is_word_character, \s is what str.split splits on
    from sourcetrace.scoring.entities import is_word_character

    every = "".join(map(chr, range(sys.maxunicode + 1)))
    assert set(re.findall(r"\w", every)) == {c for c in every if is_word_character(c)}
    assert set(re.findall(r"\s", every)) == {c for c in every if len(f"a{c}a".split()) == 2}
