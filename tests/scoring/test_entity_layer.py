"""The entity layer's cluster scorer in batch: when no prediction carries an entity id, the
batch table equals the per-document tallies, pooled counts in the same order included (the
report sums cluster figures in that order)."""

from __future__ import annotations

import random
from types import MappingProxyType

import pytest

from sourcetrace.evaluation.settings import make_settings
from sourcetrace.scoring.entity_layer import ENTITY_CLUSTERS
from sourcetrace.scoring.tallies import TallyTable

KINDS = ("name", "nominal", "pronoun")
FILTERS = [None, frozenset({"name"}), frozenset({"nominal", "pronoun"})]


def random_gold(rng: random.Random) -> list[dict]:
    """Gold mentions of a few entities (ids shared across documents), some without an id
    (null or no key) and, rarely, without a mention kind."""
    mentions = []
    for _ in range(rng.randint(0, 12)):
        start = rng.randrange(0, 50)
        mention = {"start": start, "end": start + rng.randint(1, 6), "type": "PERSON"}
        draw = rng.random()
        if draw < 0.8:
            mention["entity"] = f"e{rng.randrange(15)}"
        elif draw < 0.9:
            mention["entity"] = None
        if rng.random() < 0.97:
            mention["mention"] = rng.choice(KINDS)
        mentions.append(mention)
    return mentions


def batch_of(golds: list[list[dict]], rng: random.Random) -> tuple[list[str], list]:
    doc_ids = [f"d{index:03d}" for index in range(len(golds))]
    batch = []
    for gold in golds:
        pred = [{k: v for k, v in m.items() if k in ("start", "end", "type")} for m in gold]
        batch.append(({"entities": gold}, {"entities": rng.sample(pred, len(pred))}, None))
    return doc_ids, batch


def one_by_one(doc_ids: list[str], batch: list, settings) -> TallyTable:
    return TallyTable.from_tallies(
        {
            doc_id: ENTITY_CLUSTERS.tally(gold, pred, settings, text)
            for doc_id, (gold, pred, text) in zip(doc_ids, batch, strict=True)
        }
    )


@pytest.mark.parametrize("mentions", FILTERS)
def test_cluster_batch_equals_the_per_document_tallies_in_order(mentions):
    rng = random.Random(24)
    settings = make_settings(mentions=mentions)
    doc_ids, batch = batch_of([random_gold(rng) for _ in range(300)], rng)
    table = ENTITY_CLUSTERS.tally_batch(doc_ids, batch, settings)
    expected = one_by_one(doc_ids, batch, settings)
    assert dict(table.documents()) == dict(expected.documents())
    assert list(table.pooled) == list(expected.pooled)
    for path, counts in expected.pooled.items():
        # same keys, counts and order: the first kept mention of each entity decides
        assert list(table.pooled[path].items()) == list(counts.items())
        assert sum(counts.values()) > 0


def test_cluster_batch_takes_mentions_the_fast_count_cannot_hash():
    # an unhashable entity id on a mention the filter drops: per document it is never read
    settings = make_settings(mentions=frozenset({"name"}))
    gold = [
        {"start": 0, "end": 3, "type": "PERSON", "mention": "pronoun", "entity": ["not", "id"]},
        {"start": 4, "end": 7, "type": "PERSON", "mention": "name", "entity": "kim"},
        {"start": 8, "end": 9, "type": "PERSON", "entity": "lee"},  # no kind: not kept
    ]
    doc_ids, batch = ["d"], [({"entities": gold}, {"entities": []}, None)]
    table = ENTITY_CLUSTERS.tally_batch(doc_ids, batch, settings)
    assert table.pooled == one_by_one(doc_ids, batch, settings).pooled
    assert dict(table.pooled[("cluster_counts",)]) == {("kim", None): 1}


@pytest.mark.parametrize("entity", ["e1", ["unhashable"], 0])
def test_cluster_batch_declines_when_a_prediction_carries_an_entity_id(entity):
    rng = random.Random(7)
    doc_ids, batch = batch_of([random_gold(rng) for _ in range(5)], rng)
    batch[3][1]["entities"].append({"start": 0, "end": 1, "type": "PERSON", "entity": entity})
    assert ENTITY_CLUSTERS.tally_batch(doc_ids, batch, make_settings()) is None


def test_cluster_batch_of_mappings_that_are_no_dicts_equals_the_per_document_tallies():
    # the fast count reads dicts; other mappings are counted one by one (gold) or leave the
    # batch to the per-document tallies (predictions), with the same table or none
    rng = random.Random(11)
    settings = make_settings(mentions=frozenset({"name"}))
    golds = [random_gold(rng) for _ in range(40)]
    doc_ids, batch = batch_of([[MappingProxyType(m) for m in gold] for gold in golds], rng)
    table = ENTITY_CLUSTERS.tally_batch(doc_ids, batch, settings)
    assert list(table.pooled[("cluster_counts",)].items()) == list(
        one_by_one(doc_ids, batch, settings).pooled[("cluster_counts",)].items()
    )
    batch[0][1]["entities"].append(MappingProxyType({"start": 0, "end": 1, "type": "PERSON"}))
    assert ENTITY_CLUSTERS.tally_batch(doc_ids, batch, settings) is None
