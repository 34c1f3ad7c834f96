"""explain.py: item outcomes come from the scorers' own matchings, so their counts are the
report's counts, and strict entity errors are told apart as boundary or type errors."""

from __future__ import annotations

import copy
import json
import random

import pytest

from sourcetrace.evaluation.explain import explain_document, explained_counts, report_counts
from sourcetrace.evaluation.run import evaluate_and_explain

from gold_factory import ROOT

LAYERS = ("entities", "claims", "attributions")
GOLD = {
    p.stem: json.loads(p.read_text(encoding="utf-8"))
    for p in sorted((ROOT / "annotations" / "gold").glob("*.json"))
}


def perturbed(seed: int) -> list[dict]:
    """The gold with items dropped, entity boundaries moved, types swapped, spurious items
    added, one text-only entity that is not in the text, and claim spans cut short."""
    rng = random.Random(seed)
    records = []
    for doc_id, gold in GOLD.items():
        record = {"doc_id": doc_id, **copy.deepcopy({k: gold[k] for k in LAYERS})}
        kept = []
        for entity in record["entities"]:
            roll = rng.random()
            if roll < 0.1:
                continue  # dropped (attributions keep their source ids valid: remap below)
            if roll < 0.2 and entity["end"] - entity["start"] > 2:
                entity["text"] = entity["text"][:-1].rstrip()
                entity["end"] = entity["start"] + len(entity["text"])
            elif roll < 0.3:
                entity["type"] = "EVENT" if entity["type"] != "EVENT" else "DATE"
                entity["entity"] = f"{entity['entity']}-{entity['type']}"
            kept.append(entity)
        ids = {e["id"] for e in kept}
        record["entities"] = kept + [{"text": "Atlantis", "type": "GPE"}]
        for attribution in record["attributions"]:
            source = attribution["source"]
            if isinstance(source, dict) and source.get("mention") not in (None, *ids):
                attribution["source"] = None
        record["claims"] = [c for c in record["claims"] if rng.random() > 0.15]
        claim_ids = {c["id"] for c in record["claims"]}
        for claim in record["claims"]:
            if rng.random() < 0.2 and claim["end"] - claim["start"] > 10:
                claim["text"] = claim["text"][:-5].rstrip()
                claim["end"] = claim["start"] + len(claim["text"])
        for attribution in record["attributions"]:
            attribution["content"]["claims"] = [
                c for c in attribution["content"]["claims"] if c in claim_ids
            ]
        record["attributions"] = [a for a in record["attributions"] if rng.random() > 0.15]
        attribution_ids = {a["id"] for a in record["attributions"]}
        for attribution in record["attributions"]:
            if attribution["nested_in"] not in (None, *attribution_ids):
                attribution["nested_in"] = None
        records.append(record)
    return records


@pytest.mark.parametrize("seed", range(4))
def test_missed_and_spurious_items_are_the_report_counts(seed):
    report, explanation = evaluate_and_explain(perturbed(seed))
    for layer in LAYERS:
        missed, spurious = report_counts(report, layer)
        assert explained_counts(explanation, layer) == (missed, spurious), layer
    # the perturbation left something to find in every layer
    assert all(report_counts(report, layer) != (0, 0) for layer in LAYERS)


def test_the_same_holds_under_a_mention_filter():
    report, explanation = evaluate_and_explain(perturbed(7), mentions=["name"])
    assert explained_counts(explanation, "entities") == report_counts(report, "entities")


def test_strict_errors_are_told_apart_by_hand():
    text = "Kim met Putin in Pyongyang."
    gold = {
        "entities": [
            {"id": "e1", "start": 0, "end": 3, "text": "Kim", "type": "PERSON"},
            {"id": "e2", "start": 8, "end": 13, "text": "Putin", "type": "PERSON"},
            {"id": "e3", "start": 17, "end": 26, "text": "Pyongyang", "type": "GPE"},
        ],
        "claims": [],
        "attributions": [],
    }
    pred = {
        "entities": [
            {"start": 0, "end": 3, "type": "PERSON"},  # correct
            {"start": 8, "end": 13, "type": "ORG"},  # type error
            {"start": 17, "end": 27, "type": "GPE"},  # boundary error ("Pyongyang.")
            {"start": 4, "end": 7, "type": "EVENT"},  # spurious ("met")
        ]
    }
    explained = explain_document(gold, pred, ["entities"], text=text)["entities"]
    assert [g["outcome"] for g in explained["gold"]] == ["correct", "type", "boundary"]
    assert [p["outcome"] for p in explained["predicted"]] == [
        "correct",
        "type",
        "boundary",
        "spurious",
    ]
    assert explained["predicted"][1]["match"] == 1 and explained["gold"][2]["match"] == 2


RUNS = sorted(p for p in (ROOT / "evaluate" / "runs").iterdir() if p.is_dir())


@pytest.mark.parametrize("run", RUNS, ids=[p.name for p in RUNS])
def test_every_committed_run_is_explained_with_its_report_counts(run):
    report, explanation = evaluate_and_explain(run / "predictions.jsonl")
    for layer in report["layers"]:
        assert explained_counts(explanation, layer) == report_counts(report, layer), layer
