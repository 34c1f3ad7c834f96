"""The registry of layer scorers: batch tallies equal per-document tallies, and every report
part is placed where the scorer says."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from sourcetrace.evaluation.inputs import load_gold, load_predictions
from sourcetrace.evaluation.settings import make_settings
from sourcetrace.scoring.registry import SCORERS, headline_metrics, scorers_for, summarize
from sourcetrace.scoring.tallies import TallyTable

REPO_ROOT = Path(__file__).resolve().parents[2]
RUNS = sorted((REPO_ROOT / "evaluate" / "runs").glob("*/predictions.jsonl"))


@pytest.mark.parametrize("run", RUNS, ids=lambda p: p.parent.name)
@pytest.mark.parametrize("mentions", [None, frozenset({"name"}), frozenset({"nominal", "pronoun"})])
def test_a_batch_tally_equals_the_per_document_tallies(run, mentions):
    gold = load_gold()
    predictions = load_predictions(run, gold)
    settings = make_settings(mentions=mentions)
    doc_ids = sorted(gold.documents)
    batch = [(gold.documents[d], predictions.documents.get(d, {}), gold.texts[d]) for d in doc_ids]
    for scorer in SCORERS:
        if scorer.tally_batch is None:
            continue
        table = scorer.tally_batch(doc_ids, batch, settings)
        if table is None:  # a batch it does not take: scored document by document
            continue
        one_by_one = TallyTable.from_tallies(
            {
                d: scorer.tally(g, p, settings, t)
                for d, (g, p, t) in zip(doc_ids, batch, strict=True)
            }
        )
        assert dict(table.documents()) == dict(one_by_one.documents())
        assert table.total() == one_by_one.total()
        assert table.pooled == one_by_one.pooled


@pytest.mark.parametrize("run", RUNS, ids=lambda p: p.parent.name)
@pytest.mark.parametrize("mentions", [None, frozenset({"name"}), frozenset({"pronoun"})])
def test_entity_cluster_batch_of_predictions_without_entity_ids_equals_per_document(run, mentions):
    """Predictions without entity ids (the common case) take the columnar cluster tally; the
    table must be the one the per-document tallies make, lists, counts and presence alike."""
    gold = load_gold()
    predictions = load_predictions(run, gold)
    settings = make_settings(mentions=mentions)
    doc_ids = sorted(gold.documents)
    stripped = {
        d: {
            **p,
            "entities": [
                {k: v for k, v in m.items() if k != "entity"} for m in p.get("entities") or []
            ],
        }
        for d, p in predictions.documents.items()
    }
    batch = [(gold.documents[d], stripped.get(d, {}), gold.texts[d]) for d in doc_ids]
    (scorer,) = [s for s in SCORERS if s.name == "entity_clusters"]
    table = scorer.tally_batch(doc_ids, batch, settings)
    assert table is not None
    one_by_one = TallyTable.from_tallies(
        {d: scorer.tally(g, p, settings, t) for d, (g, p, t) in zip(doc_ids, batch, strict=True)}
    )
    assert (table.fields, table.list_fields) == (one_by_one.fields, one_by_one.list_fields)
    assert table.counts.dtype == one_by_one.counts.dtype
    assert (table.counts == one_by_one.counts).all()
    assert (table.present == one_by_one.present).all()
    assert (table.list_present == one_by_one.list_present).all()
    assert table.lists == one_by_one.lists
    assert table.pooled == one_by_one.pooled
    # every kept gold mention with an entity counts once in the pair (its entity, no partner)
    expected = Counter(
        (m["entity"], None)
        for d in doc_ids
        for m in gold.documents[d]["entities"]
        if m.get("entity") is not None and (mentions is None or m["mention"] in mentions)
    )
    assert table.pooled == {("cluster_counts",): expected}


def test_every_layer_has_its_scorers_and_sections_nest_under_their_layer():
    assert [s.name for s in scorers_for(["claims"])] == ["claims", "claim_clusters"]
    assert {s.layer for s in SCORERS} == {"entities", "claims", "attributions", "provenance"}
    for scorer in SCORERS:
        assert scorer.section[0] == scorer.layer
    names = headline_metrics(["entities", "attributions"])
    assert names["entities.strict.f1"] == ("entities", "overall", "strict", "f1")
    assert names["attributions.triple.lenient.f1"] == ("attributions", "triple", "lenient", "f1")
    assert not any(name.startswith("claims") for name in names)


def test_summarize_places_each_section_and_nests_clusters():
    settings = make_settings()
    sections = summarize({}, ["entities", "claims"], settings)
    assert set(sections) == {"entities", "claims"}
    assert sections["entities"]["clusters"] is None  # no prediction carried an entity id
    assert sections["claims"]["span"]["strict"]["f1"] == 0.0
    json.dumps(sections)  # plain data
