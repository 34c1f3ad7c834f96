"""Round trips as targets: gold -> export FORMAT (or the gold written in the format's shape, for
the formats with no exporter) -> convert FORMAT -> evaluate is 1.0 on every layer the format
carries, on the shipped corpus's gold, through the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

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


# The formats with no exporter: the test writes the gold's entities in their shape, as a system
# would, and reads them back with the command line.


def _score_one_on_entities(report: dict[str, Any]) -> None:
    for scheme in ("strict", "exact", "partial", "ent_type"):
        overall = report["layers"]["entities"]["overall"][scheme]
        assert (overall["precision"], overall["recall"]) == (1.0, 1.0), scheme
    assert report["layers"]["entities"]["overall"]["strict"]["correct"] > 0


def nervaluate_span(entity: dict[str, Any]) -> dict[str, Any]:
    return {"label": entity["type"], "start": entity["start"], "end": entity["end"]}


def hf_aggregated_item(entity: dict[str, Any]) -> dict[str, Any]:
    """An aggregated pipeline item, with the score and the word the pipeline gives."""
    return {"entity_group": entity["type"], "score": 0.5, "word": entity["text"],
            "start": entity["start"], "end": entity["end"]}  # fmt: skip


@pytest.mark.parametrize(
    ("fmt", "item_of"), [("nervaluate", nervaluate_span), ("hf", hf_aggregated_item)]
)
def test_span_list_round_trip_scores_one_on_every_entity(
    tmp_path: Path, run_cli, fmt: str, item_of: Any
) -> None:
    # lists of spans hold nested and overlapping spans alike: every gold entity goes through,
    # each document's in text order (as a pipeline gives them)
    output = {
        doc_id: [item_of(e) for e in sorted(g["entities"], key=lambda e: (e["start"], e["end"]))]
        for doc_id, g in load_gold(None).documents.items()
    }
    source = tmp_path / f"{fmt}.json"
    source.write_text(json.dumps(output), encoding="utf-8")
    predictions = tmp_path / "pred.jsonl"
    done = run_cli("convert", fmt, source, "--output", predictions)
    assert done.code == 0 and "note:" not in done.err, done.err
    _score_one_on_entities(evaluate(str(predictions), layers=["entities"]))


def test_spacy_round_trip_scores_one_on_the_outermost_entities(tmp_path: Path, run_cli) -> None:
    # a Doc holds no overlapping entities: the outermost layer, as CoNLL, on the tokens of a
    # blank English pipeline; a span whose edges are not token edges cannot be a Doc entity,
    # so the gold is cut to those that are, and the round trip must give back exactly them
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    docs, kept = [], {}
    for doc_id, g in load_gold(None).documents.items():
        doc = nlp.make_doc(g["text"])
        outer = list(outermost(g["entities"]))
        spans = [doc.char_span(e["start"], e["end"], label=e["type"]) for e in outer]
        doc.ents = [span for span in spans if span is not None]
        doc.user_data["doc_id"] = doc_id
        kept[doc_id] = [e for e, span in zip(outer, spans, strict=True) if span is not None]
        docs.append(doc)
    source = tmp_path / "run.spacy"
    DocBin(docs=docs, store_user_data=True).to_disk(source)
    predictions = tmp_path / "pred.jsonl"
    done = run_cli("convert", "spacy", source, "--output", predictions)
    assert done.code == 0, done.err
    layers = {"entities": [], "claims": [], "attributions": []}
    gold = gold_records(lambda g: {**layers, "entities": kept[g["doc_id"]]})
    assert sum(len(e) for e in kept.values()) > 0.9 * sum(
        len(list(outermost(g["entities"]))) for g in load_gold(None).documents.values()
    )
    _score_one_on_entities(evaluate(str(predictions), gold, layers=["entities"]))
