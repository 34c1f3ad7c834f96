"""Issue 25, honest statistics: every report says fractions or percent; `--compare` says which
test ran, the smallest p it can give and what is significant at `--alpha`; a filter that acts on
no scored layer is refused."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import Any

import pytest

import sourcetrace
from sourcetrace.errors import InputError
from sourcetrace.evaluation.settings import Settings

from gold_factory import story_gold, write_jsonl

ALPHA = Settings.alpha  # the one default of --alpha


def dropped(records: list[dict[str, Any]], keep: Any) -> list[dict[str, Any]]:
    """The gold as predictions, keeping the entities for which ``keep(doc_index, i)`` holds."""
    out = []
    for doc, record in enumerate(records):
        entities = [e for i, e in enumerate(record["entities"]) if keep(doc, i)]
        out.append({"doc_id": record["doc_id"], "entities": entities})
    return out


@pytest.fixture
def story(tmp_path: Path) -> dict[str, Any]:
    """The three-document story gold, system A (most entities), system B (every other: worse
    on every document) and B near (better than A on one document)."""
    gold = story_gold()
    predictions = story_gold(with_text=False)
    a = dropped(predictions, lambda doc, i: i % (doc + 3) != 0)
    b = dropped(predictions, lambda doc, i: i % 2 == 0)
    near = dropped(predictions, lambda doc, i: i % 4 != 0 if doc == 0 else i % 2 == 0)
    return {
        "gold": gold,
        "a": a,
        "b": b,
        "near": near,
        "gold_path": write_jsonl(tmp_path / "gold.jsonl", gold),
        "a_path": write_jsonl(tmp_path / "a.jsonl", a),
        "b_path": write_jsonl(tmp_path / "b.jsonl", b),
        "near_path": write_jsonl(tmp_path / "near.jsonl", near),
    }


# ---------------------------------------------------------------- fractions or percent


def test_every_renderer_says_whether_its_figures_are_fractions_or_percent(run_cli, story):
    args = (story["a_path"], "--gold", story["gold_path"])
    report = json.loads(run_cli("evaluate", *args, "--format", "json").out)
    assert report["units"] == "fraction"
    f1 = report["layers"]["entities"]["overall"]["strict"]["f1"]
    assert 0 < f1 < 1  # the JSON figure is a fraction, as it says
    shown = f"{100 * f1:.2f}"
    for fmt in ("table", "markdown", "html"):
        text = run_cli("evaluate", *args, "--format", fmt).out
        assert shown in text  # the same figure, in percent ...
        assert "Scores are percentages" in text, fmt  # ... and it says so
    assert sourcetrace.evaluate(story["a"], gold=story["gold"])["units"] == "fraction"


def test_agreement_reports_say_fractions_or_percent(run_cli, tmp_path, story):
    passes = []
    for name, records in (("one", story["gold"]), ("two", story["gold"])):
        folder = tmp_path / name
        folder.mkdir()
        for record in records:
            annotation = {k: v for k, v in record.items() if k != "text"}
            (folder / f"{record['doc_id']}.json").write_text(json.dumps(annotation))
        passes.append(folder)
    report = json.loads(run_cli("agreement", *passes, "--format", "json").out)
    assert report["units"] == "fraction"
    assert "Scores are percentages" in run_cli("agreement", *passes, "--format", "markdown").out
    assert "Scores are percentages" in run_cli("agreement", *passes, "--format", "table").out


# ---------------------------------------------------------------- the paired test


def exact_p(story: dict[str, Any], other: str, metric: str) -> float:
    """The randomization p of ``metric`` by brute force: every one of the 2**D ways of swapping
    the two systems' documents, each scored by `evaluate` from scratch."""
    a = {r["doc_id"]: r for r in story["a"]}
    b = {r["doc_id"]: r for r in story[other]}
    doc_ids = sorted(a)

    def f1(records: list[dict[str, Any]]) -> float:
        layers = sourcetrace.evaluate(records, gold=story["gold"], layers=["entities"])["layers"]
        return layers["entities"]["overall"][metric]["f1"]

    observed = f1(list(a.values())) - f1(list(b.values()))
    count = 0
    for swaps in itertools.product((False, True), repeat=len(doc_ids)):
        a_star = [b[d] if s else a[d] for d, s in zip(doc_ids, swaps, strict=True)]
        b_star = [a[d] if s else b[d] for d, s in zip(doc_ids, swaps, strict=True)]
        delta = f1(a_star) - f1(b_star)
        count += abs(delta) >= abs(observed) or math.isclose(abs(delta), abs(observed))
    return count / 2 ** len(doc_ids)


@pytest.mark.parametrize("other", ["b", "near"])
def test_compare_on_few_documents_is_an_exact_test_equal_to_brute_force(run_cli, story, other):
    result = run_cli(
        "evaluate", story["a_path"], "--gold", story["gold_path"], "--compare",
        story[f"{other}_path"], "--layers", "entities", "--format", "json",
    )  # fmt: skip
    assert result.code == 0, result.err
    comparison = json.loads(result.out)["statistics"]["comparison"]
    documents = len(story["gold"])
    assert comparison["exact"] is True
    assert comparison["documents"] == documents
    assert comparison["samples"] == 2**documents  # <= the 1000 samples asked: all of them
    # the observed assignment and its full swap always reach |delta|: p >= 2 / 2**D
    assert comparison["smallest_p"] == 2 / 2**documents
    for scheme in ("strict", "partial"):
        p = comparison["metrics"][f"entities.{scheme}.f1"]["p_value"]
        assert p == exact_p(story, other, scheme)  # counted from scratch, 2**D evaluations
        # B near is better than A on one document: a swap there moves delta towards 0 or past
        # it, so more swaps than the two extreme ones reach |delta|
        assert (p > comparison["smallest_p"]) == (other == "near")


def test_compare_says_when_no_difference_can_reach_the_level(run_cli, story):
    args = (
        story["a_path"], "--gold", story["gold_path"], "--compare", story["b_path"],
        "--layers", "entities",
    )  # fmt: skip
    documents = len(story["gold"])
    floor = 2 / 2**documents
    assert floor >= ALPHA  # three documents: 0.25, so nothing can be significant at 0.05
    report = json.loads(run_cli("evaluate", *args, "--format", "json").out)
    assert report["statistics"]["comparison"]["alpha"] == ALPHA
    assert not any(m["significant"] for m in report["statistics"]["comparison"]["metrics"].values())
    note = next(n for n in report["notes"] if "randomization" in n)
    assert f"all {2**documents} = 2^{documents} ways" in note
    assert f"smallest p it can give is {floor:.4g}" in note
    assert f"no difference can reach p < {ALPHA:g}" in note
    assert "paired bootstrap" not in note  # the old note named a method that had not run
    table = run_cli("evaluate", *args).out
    assert "exact randomization" in table and f"smallest possible p {floor:.4g}" in table
    markdown = run_cli("evaluate", *args, "--format", "markdown").out
    assert "exact randomization" in markdown and f"smallest possible p {floor:.4g}" in markdown


def test_alpha_marks_the_p_values_below_it(run_cli, story):
    args = (
        story["a_path"], "--gold", story["gold_path"], "--compare", story["b_path"],
        "--layers", "entities", "--alpha", "0.5",
    )  # fmt: skip
    report = json.loads(run_cli("evaluate", *args, "--format", "json").out)
    metrics = report["statistics"]["comparison"]["metrics"]
    marked = {name for name, m in metrics.items() if m["p_value"] < 0.5}
    assert {name for name, m in metrics.items() if m["significant"]} == marked
    assert marked  # at least one p is below 0.5 on these systems
    assert "alpha:0.5" in report["signature"].split("|")
    table = run_cli("evaluate", *args).out
    for name, m in metrics.items():
        row = next(line for line in table.splitlines() if f" {name} " in line and "│" in line)
        assert (f"{m['p_value']:.4f} *" in row) == (name in marked)


@pytest.mark.parametrize("alpha", ["0", "1", "-0.1"])
def test_an_alpha_outside_zero_one_is_refused(run_cli, story, alpha):
    result = run_cli("evaluate", story["a_path"], "--gold", story["gold_path"], "--alpha", alpha)
    assert result.code == 2
    assert "significance level" in result.err and "Traceback" not in result.err


# ---------------------------------------------------------------- filters


def test_a_mention_filter_on_no_scored_layer_is_refused_not_signed(run_cli, tmp_path, story):
    claims_only = [{"doc_id": r["doc_id"], "claims": r["claims"]} for r in story["gold"]]
    path = write_jsonl(tmp_path / "claims.jsonl", claims_only)
    result = run_cli(
        "evaluate", path, "--gold", story["gold_path"], "--mentions", "name", "--output",
        tmp_path / "r.json",
    )  # fmt: skip
    assert result.code == 2
    assert "--mentions name" in result.err and "scored: claims" in result.err
    assert not (tmp_path / "r.json").exists()
    explicit = run_cli(
        "evaluate", story["gold_path"], "--gold", story["gold_path"], "--layers", "claims",
        "--mentions", "name",
    )  # fmt: skip
    assert explicit.code == 2, explicit.out
    with pytest.raises(InputError, match="no scored layer"):
        sourcetrace.evaluate(claims_only, gold=story["gold"], mentions=["name"])
    # with entities scored, the filter acts and is signed
    kept = run_cli(
        "evaluate", story["a_path"], "--gold", story["gold_path"], "--mentions", "name",
        "--format", "json",
    )  # fmt: skip
    assert "mentions:name" in json.loads(kept.out)["signature"].split("|")
