"""Exactness of the entity cluster scores (issue 24): the mention filter, duplicate spans,
renamed predicted ids and the order of items must not move any figure, not even its last bit.

Each reproduction of the review is a regression test; each class of edge has a property test
(hypothesis) that would have caught it.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
import random
from collections import Counter
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sourcetrace
from fuzz_profiles import EXACTNESS_EXAMPLES, profile_name
from sourcetrace.agreement.coefficients import cohen_kappa
from sourcetrace.schema.labels import names
from sourcetrace.scoring.clusters import (
    score_counts,
    score_partitions,
    summarize_clusters,
    tally_clusters,
)
from sourcetrace.scoring.common import normalize_text
from sourcetrace.scoring.entity_clusters import TieKeys, cluster_mentions, piece_of
from sourcetrace.scoring.tallies import PooledCounts, TallyTable

from gold_factory import story_gold

KINDS = names("mention_kinds")
FILTERS = [None, *(frozenset({kind}) for kind in KINDS), frozenset(KINDS[:2])]
TEXT = "Kim met Kim at the Kim Institute, Kim said." * 3


def cluster_figures(
    gold: list[dict], pred: list[dict], mentions: frozenset[str] | None = None
) -> dict[str, Any] | None:
    """Entity cluster scores of one document, through the scorer's public pieces."""
    kept_gold, kept_pred, pairs = cluster_mentions(gold, pred, mentions, TEXT)
    tally = tally_clusters({"entities": kept_gold}, {"entities": kept_pred}, pairs, "entity")
    return summarize_clusters(tally)


def all_figures(scores: dict[str, Any]) -> list[float]:
    """Every recall, precision and F1 of the three metrics that is defined."""
    return [
        scores[metric][part]
        for metric in ("muc", "bcubed", "ceafe")
        for part in ("recall", "precision", "f1")
        if scores[metric][part] is not None
    ]


def mention(start: int, end: int, kind: str, entity: str, mention_kind: str = "name") -> dict:
    return {"start": start, "end": end, "type": kind, "mention": mention_kind, "entity": entity}


# ---------------------------------------------------------------- regressions (the review)


def test_filtered_duplicate_span_gold_against_itself_scores_one_on_every_cluster_metric():
    # e0 and e1 share [0,3): before the fix the pairs were chosen over all gold, then both
    # dropped under --mentions name: B-cubed 0.0 and CEAF-e 0.0 next to an entity F1 of 1.0
    gold = [
        {"id": "e0", **mention(0, 3, "PERSON", "kim", "nominal")},
        {"id": "e1", **mention(0, 3, "PERSON", "kim", "name")},
    ]
    scores = cluster_figures(gold, gold, frozenset({"name"}))
    assert scores["mentions"] == {"key": 1, "response": 1}
    assert scores["bcubed"] == scores["ceafe"] == {"recall": 1.0, "precision": 1.0, "f1": 1.0}


def test_filtered_duplicate_span_system_predicting_the_kept_mentions_scores_one():
    # the kept mentions of a gold with a duplicate span, predicted exactly (before: CoNLL 0.25)
    gold = [
        mention(0, 3, "PERSON", "kim", "nominal"),
        mention(0, 3, "PERSON", "kim", "name"),
        mention(8, 11, "PERSON", "kim", "name"),
    ]
    kept = [m for m in gold if m["mention"] == "name"]
    scores = cluster_figures(gold, copy.deepcopy(kept), frozenset({"name"}))
    assert scores["conll_f1"] == 1.0
    assert all_figures(scores) == [1.0] * 9


@pytest.mark.parametrize("ids", [("P1", "P2"), ("Z1", "A2")])
def test_renamed_predicted_ids_on_duplicate_spans_score_the_same(ids):
    # same spans and types, ids P1/P2 or Z1/A2: before, CoNLL 1.0 against 0.444 (MUC 0.0),
    # because pairing by span ignored the type and broke ties by the ids' JSON order
    gold = [
        mention(0, 3, "PERSON", "a-kim"),
        mention(0, 3, "ORG", "o-kim"),
        mention(24, 27, "ORG", "o-kim"),
    ]
    person, org = ids
    pred = [mention(0, 3, "PERSON", person), mention(0, 3, "ORG", org)]
    pred.append(mention(24, 27, "ORG", org))
    scores = cluster_figures(gold, pred)
    assert scores["conll_f1"] == 1.0
    assert all_figures(scores) == [1.0] * 9


@pytest.mark.parametrize("order", [["A", "B", "B", "B"], ["B", "B", "B", "A"]])
def test_bcubed_recall_is_exactly_one_half_in_either_item_order(order):
    # key {A}, {B, B, B}, every mention a singleton in the response: recall
    # (1 + 3 * 1/3) / 4 = 1/2; plain `sum` gave 0.49999999999999994 in one of the two orders
    key = dict(enumerate(order))
    response = {index: index for index in key}
    bcubed = score_partitions(key, response)["bcubed"]
    assert bcubed["recall"] == 0.5
    assert bcubed["precision"] == 1.0


KAPPA_PAIRS = [(0, 2), (4, 3), (3, 2), (3, 2), (4, 1), (4, 1), (2, 1), (0, 4), (2, 4), (4, 1)]
KAPPA_PAIRS += [(2, 0), (0, 2), (3, 4), (0, 2), (3, 2)]


def exact_kappa(pairs: list[tuple[Any, Any]]) -> Fraction:
    """Cohen's kappa in exact arithmetic: (p_o - p_e) / (1 - p_e)."""
    n = len(pairs)
    observed = Fraction(sum(a == b for a, b in pairs), n)
    left, right = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    chance = sum(Fraction(left[c] * right[c], n * n) for c in set(left) | set(right))
    return (observed - chance) / (1 - chance)


def test_kappa_of_the_same_pairs_in_another_order_is_the_same_float():
    # categories were coded in order of first appearance, so the confusion matrix was permuted
    # with the items and sklearn's float sums over it came out as -0.20320855614973254 or
    # -0.20320855614973277 for these 15 pairs depending on their order
    values = set()
    for seed in range(12):
        shuffled = KAPPA_PAIRS[:]
        random.Random(seed).shuffle(shuffled)
        values.add(cohen_kappa([a for a, _ in shuffled], [b for _, b in shuffled]))
    assert len(values) == 1
    assert values.pop() == pytest.approx(float(exact_kappa(KAPPA_PAIRS)), abs=1e-15)


@given(
    pairs=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=2, max_size=30),
    seed=st.integers(0, 2**16),
)
def test_property_kappa_does_not_depend_on_item_order(pairs, seed):
    shuffled = pairs[:]
    random.Random(seed).shuffle(shuffled)
    first = cohen_kappa([a for a, _ in pairs], [b for _, b in pairs])
    again = cohen_kappa([a for a, _ in shuffled], [b for _, b in shuffled])
    assert repr(again) == repr(first)
    if first is not None and not math.isnan(first):
        assert first == pytest.approx(float(exact_kappa(pairs)), abs=1e-12)


# ---------------------------------------------------------------- properties

SPANS = [(0, 3), (4, 7), (8, 11), (19, 22)]  # few spans, so copies of a span are common


@st.composite
def documents(draw: Any, prefix: str = "", size: int = 8) -> list[dict]:
    """Entity mentions on few spans, types, kinds and entities: duplicate spans everywhere."""
    mentions = []
    for _ in range(draw(st.integers(0, size))):
        start, end = draw(st.sampled_from(SPANS))
        mentions.append(
            mention(
                start,
                end,
                draw(st.sampled_from(["PERSON", "ORG"])),
                prefix + draw(st.sampled_from(["a", "b", "c"])),
                draw(st.sampled_from(KINDS)),
            )
        )
    return mentions


@given(gold=documents(size=10))
def test_property_gold_against_itself_is_one_on_every_cluster_metric_under_every_filter(gold):
    for mentions in FILTERS:
        scores = cluster_figures(gold, copy.deepcopy(gold), mentions)
        kept = [m for m in gold if mentions is None or m["mention"] in mentions]
        if not kept:
            continue
        assert all_figures(scores) == [1.0] * len(all_figures(scores)), (mentions, scores)
        assert scores["conll_f1"] in (None, 1.0)


@given(
    gold=documents(),
    pred=documents(prefix="p-"),
    mentions=st.sampled_from(FILTERS),
    seed=st.integers(0, 2**16),
)
def test_property_renaming_predicted_entity_ids_changes_no_cluster_figure(
    gold, pred, mentions, seed
):
    names_now = sorted({m["entity"] for m in pred})
    renamed_to = names_now[:]
    random.Random(seed).shuffle(renamed_to)
    renaming = {old: f"Q{new}" for old, new in zip(names_now, renamed_to, strict=True)}
    renamed = [{**m, "entity": renaming[m["entity"]]} for m in pred]
    assert cluster_figures(gold, renamed, mentions) == cluster_figures(gold, pred, mentions)


@given(
    gold=documents(),
    pred=documents(prefix="p-"),
    mentions=st.sampled_from(FILTERS),
    seed=st.integers(0, 2**16),
)
def test_property_cluster_figures_do_not_depend_on_item_order(gold, pred, mentions, seed):
    rng = random.Random(seed)
    gold_shuffled, pred_shuffled = copy.deepcopy(gold), copy.deepcopy(pred)
    rng.shuffle(gold_shuffled)
    rng.shuffle(pred_shuffled)
    before = cluster_figures(gold, pred, mentions)
    assert cluster_figures(gold_shuffled, pred_shuffled, mentions) == before


@given(
    labels=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 4)), min_size=1, max_size=30),
    seed=st.integers(0, 2**16),
)
def test_property_bcubed_and_ceafe_do_not_depend_on_item_order(labels, seed):
    items = list(enumerate(labels))
    shuffled = items[:]
    random.Random(seed).shuffle(shuffled)
    first = score_partitions({i: k for i, (k, _) in items}, {i: r for i, (_, r) in items})
    again = score_partitions({i: k for i, (k, _) in shuffled}, {i: r for i, (_, r) in shuffled})
    assert json.dumps(again) == json.dumps(first)


# ------------------------------------------------- the pairs, against the documented rules


@st.composite
def tied_documents(draw: Any, prefix: str = "") -> list[dict]:
    """Entities made of a few (span, type) pieces on two spans, each shape drawn once and then
    copied under other ids (twins), with some mentions without entity, in any order: every
    step of the tie-breaking has something to break."""
    pieces = st.tuples(st.sampled_from(SPANS[:2]), st.sampled_from(["PERSON", "ORG"]))
    mentions = []
    for number in range(draw(st.integers(1, 2))):
        shape = draw(st.lists(pieces, min_size=1, max_size=2))
        for twin in range(draw(st.integers(1, 2))):
            entity = f"{prefix}{draw(st.sampled_from('xyz'))}{number}{twin}"
            mentions += [mention(s, e, kind, entity) for (s, e), kind in shape]
    for (start, end), kind in draw(st.lists(pieces, max_size=2)):
        mentions.append({**mention(start, end, kind, ""), "entity": None})
    return draw(st.permutations(mentions))


def reference_keys(side: list[dict], gold: bool) -> list[tuple]:
    """Every mention's tie key, eagerly and slowly, as docs/scoring/clusters.md defines it."""

    def piece(m: dict) -> str:
        return json.dumps([m["start"], m["end"], m["type"], None])

    keys = []
    for index, m in enumerate(side):
        if m.get("entity") is None:
            shape = json.dumps([piece(m), None])
            rank = "" if gold else f"{index:012d}"
        else:
            mates = [other for other in side if other.get("entity") == m["entity"]]
            shape = json.dumps(sorted(piece(other) for other in mates))
            first = min(i for i, other in enumerate(side) if other.get("entity") == m["entity"])
            rank = json.dumps(m["entity"]) if gold else f"{first:012d}"
        keys.append((m["type"], shape, rank))
    return keys


def reference_pairs(
    gold: list[dict], pred: list[dict], gold_keys: list, pred_keys: list
) -> set[tuple[int, int]]:
    """The documented pairing of mentions with offsets, span by span: same type and shape
    first, then the same type, then the rest, each in key order."""
    pairs = set()
    for span in {(m["start"], m["end"]) for m in gold}:
        here = [i for i, m in enumerate(gold) if (m["start"], m["end"]) == span]
        free_gold = sorted(here, key=gold_keys.__getitem__)
        there = [j for j, m in enumerate(pred) if (m["start"], m["end"]) == span]
        free_pred = sorted(there, key=pred_keys.__getitem__)
        for width in (2, 1, 0):
            unpaired = []
            for i in free_gold:
                partner = next(
                    (j for j in free_pred if pred_keys[j][:width] == gold_keys[i][:width]), None
                )
                if partner is None:
                    unpaired.append(i)
                else:
                    pairs.add((i, partner))
                    free_pred.remove(partner)
            free_gold = unpaired
    return pairs


def best_counts(gold: list[dict], pred: list[dict], gold_keys: list, pred_keys: list) -> tuple:
    """By brute force over every one-to-one pairing of same-span mentions (span by span, as
    only they can pair): the most pairs, then the most same-type pairs, then the most same-type
    pairs of the same shape."""

    def best_on(here: list[int], there: list[int]) -> tuple:
        if not here:
            return (0, 0, 0)
        i, rest = here[0], here[1:]
        best = best_on(rest, there)
        for j in there:
            same_type = gold_keys[i][0] == pred_keys[j][0]
            same_shape = same_type and gold_keys[i][1] == pred_keys[j][1]
            found = best_on(rest, [k for k in there if k != j])
            best = max(best, (found[0] + 1, found[1] + same_type, found[2] + same_shape))
        return best

    total = (0, 0, 0)
    for span in {(m["start"], m["end"]) for m in gold}:
        here = [i for i, m in enumerate(gold) if (m["start"], m["end"]) == span]
        there = [j for j, m in enumerate(pred) if (m["start"], m["end"]) == span]
        found = best_on(here, there)
        total = (total[0] + found[0], total[1] + found[1], total[2] + found[2])
    return total


@settings(max_examples=EXACTNESS_EXAMPLES[profile_name()])
@given(
    gold=st.one_of(tied_documents(), documents(size=7)),
    pred=st.one_of(tied_documents(prefix="p-"), documents(prefix="p-", size=7)),
    mentions=st.sampled_from(FILTERS),
)
def test_property_mention_pairs_follow_the_documented_rules(gold, pred, mentions):
    """The lazily computed tie keys pair exactly as the documented rules, with keys computed
    eagerly for every mention; and the pairs are a best pairing by brute force."""
    kept_gold, kept_pred, pairs = cluster_mentions(gold, pred, mentions, TEXT)
    gold_keys, pred_keys = reference_keys(gold, True), reference_keys(pred, False)
    # the kept mentions are the input's own objects: their positions give their keys
    gold_at = [next(i for i, m in enumerate(gold) if m is k) for k in kept_gold]
    pred_at = [next(j for j, m in enumerate(pred) if m is k) for k in kept_pred]
    kept_gold_keys = [gold_keys[i] for i in gold_at]
    kept_pred_keys = [pred_keys[j] for j in pred_at]
    expected = reference_pairs(kept_gold, kept_pred, kept_gold_keys, kept_pred_keys)
    assert set(pairs) == expected
    assert len(pairs) == len(expected)
    found = (
        len(pairs),
        sum(kept_gold_keys[i][0] == kept_pred_keys[j][0] for i, j in pairs),
        sum(kept_gold_keys[i][:2] == kept_pred_keys[j][:2] for i, j in pairs),
    )
    assert found == best_counts(kept_gold, kept_pred, kept_gold_keys, kept_pred_keys)


# ------------------------------------------------- the tie keys' JSON, written without json.dumps

ODD_TEXT = st.text(alphabet=st.sampled_from('aZ é"\\\n\u2028\u00a0😀/'), max_size=6)


@st.composite
def odd_mentions(draw: Any) -> list[dict]:
    """Mentions whose types, entity ids and texts need JSON escapes (quotes, backslashes,
    control and non-ASCII characters), some text-only, some with ids or offsets of other types."""
    side = []
    for _ in range(draw(st.integers(0, 6))):
        start, end = draw(st.sampled_from(SPANS))
        found: dict[str, Any] = {
            "start": start,
            "end": end,
            "type": draw(st.one_of(ODD_TEXT, st.none(), st.integers(0, 3))),
            "text": draw(ODD_TEXT),
        }
        if draw(st.booleans()):
            del found["start"], found["end"]  # text-only: its normalised text is its piece
        entity = draw(st.one_of(st.none(), ODD_TEXT, st.integers(0, 2), st.booleans()))
        if entity is not None:
            found["entity"] = entity
        side.append(found)
    return side


def json_tie_keys(side: list[dict], gold: bool) -> list[tuple[str, str, str]]:
    """Every tie key with json.dumps, as docs/scoring/clusters.md defines the keys."""

    def piece(m: dict) -> str:
        text, offsets = m.get("text"), m.get("start") is not None and m.get("end") is not None
        words = normalize_text(text) if isinstance(text, str) and not offsets else None
        return json.dumps([m.get("start"), m.get("end"), m.get("type"), words])

    def entity_of(m: dict) -> str | None:
        entity = m.get("entity")
        return None if entity is None else json.dumps(entity, sort_keys=True, default=repr)

    keys = []
    for index, m in enumerate(side):
        entity = entity_of(m)
        if entity is None:
            shape, rank = json.dumps([piece(m), None]), "" if gold else f"{index:012d}"
        else:
            mates = [other for other in side if entity_of(other) == entity]
            shape = json.dumps(sorted(piece(other) for other in mates))
            first = min(i for i, other in enumerate(side) if entity_of(other) == entity)
            rank = entity if gold else f"{first:012d}"
        keys.append((str(m.get("type")), shape, rank))
    return keys


@settings(max_examples=EXACTNESS_EXAMPLES[profile_name()])
@given(side=odd_mentions(), gold=st.booleans())
def test_property_tie_keys_are_the_json_texts_of_the_documented_keys(side, gold):
    keys = TieKeys(side, gold=gold)
    assert [keys(index) for index in range(len(side))] == json_tie_keys(side, gold)
    for m in side:
        offsets = m.get("start") is not None and m.get("end") is not None
        words = normalize_text(m["text"]) if not offsets else None
        assert piece_of(m) == json.dumps([m.get("start"), m.get("end"), m.get("type"), words])


# ------------------------------------------------- the whole report, byte for byte

GOLD = story_gold()


@st.composite
def corpus_predictions(draw: Any) -> list[dict]:
    """Per gold document, some of its entity mentions copied with system ids (copies of a span
    with other types and ids included), and some claims."""
    records = []
    for record in GOLD:
        entities = []
        spans = [(e["start"], e["end"], e["text"]) for e in record["entities"]][:12]
        for start, end, text in spans:
            for _ in range(draw(st.integers(0, 2))):
                kind = draw(st.sampled_from(["PERSON", "ORG"]))
                # document-local system ids (see docs/scoring/clusters.md on twins), one type each
                entity = f"{record['doc_id']}-{kind}-{draw(st.sampled_from('xyz'))}"
                entities.append(
                    {"start": start, "end": end, "text": text, "type": kind, "entity": entity}
                )
        claims = [c for c in record["claims"] if draw(st.booleans())]
        records.append({"doc_id": record["doc_id"], "entities": entities, "claims": claims})
    return records


def without_fingerprints(value: Any) -> Any:
    """The report without the hashes of its inputs (and the signature that quotes them): they
    identify the input files as given, so a renaming or a reordering rightly changes them."""
    if isinstance(value, dict):
        return {
            key: without_fingerprints(item)
            for key, item in value.items()
            if "sha256" not in key and key != "signature"
        }
    if isinstance(value, list):
        return [without_fingerprints(item) for item in value]
    return value


def report_bytes(predictions: list[dict], gold: list[dict], mentions: Any) -> str:
    report = sourcetrace.evaluate(
        predictions, gold=gold, mentions=mentions, layers=["entities", "claims"], bootstrap=50
    )
    return json.dumps(without_fingerprints(report), ensure_ascii=False)


@given(
    preds=corpus_predictions(),
    mentions=st.sampled_from([None, ["name"], ["name", "nominal"]]),
    seed=st.integers(0, 2**16),
)
def test_property_report_bytes_survive_renaming_and_reordering(preds, mentions, seed):
    expected = report_bytes(preds, GOLD, mentions)
    rng = random.Random(seed)
    ids = sorted({e["entity"] for r in preds for e in r["entities"]})
    targets = ids[:]
    rng.shuffle(targets)
    renaming = {old: f"sys-{new}" for old, new in zip(ids, targets, strict=True)}
    renamed = copy.deepcopy(preds)
    for record in renamed:
        for entity in record["entities"]:
            entity["entity"] = renaming[entity["entity"]]
    assert report_bytes(renamed, GOLD, mentions) == expected
    shuffled, gold = copy.deepcopy(preds), copy.deepcopy(GOLD)
    for records in (shuffled, gold):
        rng.shuffle(records)
        for record in records:
            rng.shuffle(record["entities"])
            rng.shuffle(record["claims"])
    assert report_bytes(shuffled, gold, mentions) == expected


# ----------------------------------------- scores from pooled counts, against the definitions


def reference_scores(items: list[tuple[Any, Any]]) -> dict[str, tuple[Fraction, Fraction]]:
    """MUC, B-cubed and CEAF-e (recall, precision) in exact arithmetic, straight from the
    definitions over the mentions (``items``: each mention's key and response cluster, None
    where it is twinless), CEAF-e by trying every one-to-one alignment."""
    key: dict[Any, list[int]] = {}
    response: dict[Any, list[int]] = {}
    for mention, (k, r) in enumerate(items):
        if k is not None:
            key.setdefault(k, []).append(mention)
        if r is not None:
            response.setdefault(r, []).append(mention)

    def muc(side: dict, other_side: int) -> Fraction:
        lost = sum(
            len(ms)
            - len({items[m][other_side] for m in ms if items[m][other_side] is not None})
            - sum(items[m][other_side] is None for m in ms)
            for ms in side.values()
        )
        links = sum(len(ms) - 1 for ms in side.values())
        return Fraction(lost, links) if links else Fraction(0)

    def bcubed(side: dict, other: dict) -> Fraction:
        total = sum(len(ms) for ms in side.values())
        found = sum(
            Fraction(len(set(ms) & set(os)) ** 2, len(ms))
            for ms in side.values()
            for os in other.values()
        )
        return found / total if total else Fraction(0)

    keys, responses = list(key), list(response)
    best = Fraction(0)
    small, large = (keys, responses) if len(keys) <= len(responses) else (responses, keys)
    for chosen in itertools.permutations(large, len(small)):
        total = Fraction(0)
        for a, b in zip(small, chosen, strict=True):
            k, r = (a, b) if small is keys else (b, a)
            shared = len(set(key[k]) & set(response[r]))
            total += Fraction(2 * shared, len(key[k]) + len(response[r]))
        best = max(best, total)
    ceafe = (
        best / len(keys) if keys else Fraction(0),
        best / len(responses) if responses else Fraction(0),
    )
    return {
        "muc": (muc(key, 1), muc(response, 0)),
        "bcubed": (bcubed(key, response), bcubed(response, key)),
        "ceafe": ceafe,
    }


@given(
    items=st.lists(
        st.tuples(
            st.sampled_from([None, "A", "B", "C", "D"]), st.sampled_from([None, 1, 2, 3, 4, 5])
        ).filter(lambda pair: pair != (None, None)),
        min_size=1,
        max_size=14,
    ),
    cuts=st.lists(st.integers(0, 14), max_size=3),
)
def test_property_scores_of_pooled_counts_equal_the_definitions(items, cuts):
    """The counts of mentions per (key, response) pair, summed over any split of the mentions
    into documents, give the figures of the definitions (exact arithmetic, rounded once)."""
    bounds = sorted({0, len(items), *(c for c in cuts if c <= len(items))})
    documents = {
        f"d{i}": {"pairs": PooledCounts(items[a:b])}
        for i, (a, b) in enumerate(itertools.pairwise(bounds))
    }
    summed = TallyTable.from_tallies(documents).total()["pairs"]
    scores = score_counts(summed)
    expected = reference_scores(items)
    for metric in ("bcubed", "ceafe"):
        recall, precision = expected[metric]
        assert scores[metric]["recall"] == pytest.approx(float(recall), abs=1e-15)
        assert scores[metric]["precision"] == pytest.approx(float(precision), abs=1e-15)
    if scores["muc"]["recall"] is not None:
        assert (scores["muc"]["recall"], scores["muc"]["precision"]) == tuple(
            float(value) for value in expected["muc"]
        )
    key = {i: k for i, (k, _) in enumerate(items) if k is not None}
    response = {i: r for i, (_, r) in enumerate(items) if r is not None}
    assert json.dumps(score_partitions(key, response)) == json.dumps(scores)
