"""Round trips as targets: gold -> export FORMAT -> convert FORMAT -> evaluate is 1.0 on every
layer the format carries, on the shipped corpus's gold, through the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sourcetrace import evaluate
from sourcetrace.convert.conll import outermost
from sourcetrace.evaluation.inputs import load_gold
from sourcetrace.schema.validation import sha256_text


def gold_records(keep: Any) -> list[dict[str, Any]]:
    """The packaged gold, each document's layers reduced by ``keep(document)``."""
    gold = load_gold(None)
    return [
        {"doc_id": d, "text": g["text"], "text_sha256": sha256_text(g["text"]), **keep(g)}
        for d, g in gold.documents.items()
    ]


def test_conll_round_trip_scores_one_on_the_outermost_entities(tmp_path: Path, run_cli) -> None:
    assert run_cli("export", "conll", "--output", tmp_path / "out").code == 0
    predictions = tmp_path / "pred.jsonl"
    done = run_cli("convert", "conll", tmp_path / "out" / "gold.conll", "--output", predictions)
    assert done.code == 0, done.err
    layers = {"entities": [], "claims": [], "attributions": []}
    gold = gold_records(lambda g: {**layers, "entities": list(outermost(g["entities"]))})
    assert sum(len(g["entities"]) for g in gold) > 0
    report = evaluate(str(predictions), gold, layers=["entities"])
    for scheme in ("strict", "exact", "partial", "ent_type"):
        overall = report["layers"]["entities"]["overall"][scheme]
        assert (overall["precision"], overall["recall"]) == (1.0, 1.0), scheme


def test_brat_round_trip_scores_one_on_entities_claims_and_attributions(
    tmp_path: Path, run_cli
) -> None:
    assert run_cli("export", "brat", "--output", tmp_path / "out").code == 0
    predictions = tmp_path / "pred.jsonl"
    done = run_cli("convert", "brat", tmp_path / "out", "--output", predictions)
    assert done.code == 0, done.err
    report = evaluate(str(predictions))
    layers = report["layers"]
    for scheme in ("strict", "exact", "partial", "ent_type"):
        assert layers["entities"]["overall"][scheme]["f1"] == 1.0, scheme
    for level in ("strict", "lenient"):
        assert layers["claims"]["span"][level]["f1"] == 1.0
        for part in ("source", "cue", "content", "triple"):
            assert layers["attributions"][part][level]["f1"] == 1.0, (part, level)
    gold = load_gold(None)
    assert (
        layers["attributions"]["triple"]["strict"]["true_positives"]
        == sum(len(g["attributions"]) for g in gold.documents.values())
        > 0
    )
