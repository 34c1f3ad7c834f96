"""Confidence scores on prediction items: validation, --min-score, precision-recall curves,
average precision (scikit-learn's step-wise definition) and the best-F1 threshold."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.metrics import average_precision_score

from sourcetrace.cli.main import main
from sourcetrace.errors import InputError
from sourcetrace.evaluation.partials import evaluate_partial
from sourcetrace.evaluation.run import evaluate, evaluate_and_explain

REPO = Path(__file__).resolve().parent.parent
TEXT = "Alice met Bob in Paris and Rome. Carol said the rockets were old and rusty."


def _at(needle: str, text: str = TEXT) -> dict[str, Any]:
    start = text.index(needle)
    return {"start": start, "end": start + len(needle), "text": needle}


def _entity(index: int, needle: str, kind: str) -> dict[str, Any]:
    return {
        "id": f"e{index}",
        **_at(needle),
        "type": kind,
        "mention": "name",
        "entity": needle.lower(),
    }


def _gold(**layers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [_record(TEXT) | layers]


def _record(text: str) -> dict[str, Any]:
    """An empty gold record bound to its text."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    empty: dict[str, Any] = {"entities": [], "claims": [], "attributions": []}
    return {"doc_id": "d1", "text": text, "text_sha256": digest, **empty}


GOLD_ENTITIES = [
    _entity(1, "Alice", "PERSON"),
    _entity(2, "Bob", "PERSON"),
    _entity(3, "Paris", "GPE"),
    _entity(4, "Rome", "GPE"),
]


def _scored_entities() -> list[dict[str, Any]]:
    """Alice right (0.9), a spurious "met" (0.8), Bob right (0.7), Paris with the wrong type
    (0.6); Rome is never predicted."""
    return [
        {**_at("Alice"), "type": "PERSON", "score": 0.9},
        {**_at("met"), "type": "ORG", "score": 0.8, "meta": {"label": "B-ORG"}},
        {**_at("Bob"), "type": "PERSON", "score": 0.7},
        {**_at("Paris"), "type": "ORG", "score": 0.6},
    ]


def _entity_report(**options: Any) -> dict[str, Any]:
    predictions = [{"doc_id": "d1", "entities": _scored_entities()}]
    return evaluate(predictions, _gold(entities=GOLD_ENTITIES), **options)


# ---------------------------------------------------------------- hand-worked curves


def test_entity_curve_average_precision_and_best_f1_worked_by_hand() -> None:
    confidence = _entity_report()["layers"]["entities"]["confidence"]
    strict = confidence["curves"]["strict"]
    # strict: possible = 4 gold; actual grows with the threshold going down
    assert strict["thresholds"] == [0.9, 0.8, 0.7, 0.6]
    assert strict["precision"] == pytest.approx([1, 1 / 2, 2 / 3, 2 / 4])
    assert strict["recall"] == pytest.approx([1 / 4, 1 / 4, 2 / 4, 2 / 4])
    # AP = sum (R_n - R_n-1) P_n = 1/4 * 1 + 0 + 1/4 * 2/3 + 0
    assert strict["average_precision"] == pytest.approx(1 / 4 + 1 / 6)
    # F1: 0.4, 1/3, 4/7, 0.5: the best is at 0.7
    assert strict["best_f1"] == pytest.approx(
        {"threshold": 0.7, "precision": 2 / 3, "recall": 1 / 2, "f1": 4 / 7}
    )
    # exact: Paris has the right span, so it counts at 0.6
    exact = confidence["curves"]["exact"]
    assert exact["precision"] == pytest.approx([1, 1 / 2, 2 / 3, 3 / 4])
    assert exact["recall"] == pytest.approx([1 / 4, 1 / 4, 2 / 4, 3 / 4])
    assert exact["average_precision"] == pytest.approx(1 / 4 + 1 / 4 * 2 / 3 + 1 / 4 * 3 / 4)
    assert exact["best_f1"]["threshold"] == 0.6
    assert exact["best_f1"]["f1"] == pytest.approx(3 / 4)
    assert confidence["items"] == 4 and confidence["thresholds"] == 4
    assert "average_precision_score" in confidence["average_precision"]


def test_claim_curve_rescores_each_threshold_because_one_to_one_matching_moves() -> None:
    """At 0.9 the short claim alone matches the gold claim leniently; at 0.5 the exact claim
    takes the gold claim and the short one becomes spurious. One sort of the full run's
    outcomes would call the short claim a false positive at every threshold."""
    gold_claim = {
        "id": "c1",
        **_at("the rockets were old and rusty"),
        "polarity": "positive",
        "certainty": "certain",
        "checkworthy": True,
        "cluster": "rockets-old",
    }
    predictions = [
        {
            "doc_id": "d1",
            "claims": [
                {**_at("the rockets were old"), "score": 0.9},  # Dice 40/50 = 0.8: lenient
                {**_at("the rockets were old and rusty"), "score": 0.5},
            ],
        }
    ]
    report = evaluate(predictions, _gold(claims=[gold_claim]))
    curves = report["layers"]["claims"]["confidence"]["curves"]
    assert curves["lenient"]["precision"] == [1.0, 0.5]
    assert curves["lenient"]["recall"] == [1.0, 1.0]
    assert curves["lenient"]["average_precision"] == 1.0
    assert curves["lenient"]["best_f1"]["threshold"] == 0.9
    assert curves["strict"]["precision"] == [0.0, 0.5]
    assert curves["strict"]["recall"] == [0.0, 1.0]
    assert curves["strict"]["average_precision"] == 0.5
    assert curves["strict"]["best_f1"] == pytest.approx(
        {"threshold": 0.5, "precision": 0.5, "recall": 1.0, "f1": 2 / 3}
    )


def test_tied_scores_are_one_threshold_and_best_f1_ties_take_the_higher_threshold() -> None:
    """Alice and the spurious "met" share 0.9 (one point: P 1/2, R 1/4); Bob at 0.5 gives
    P 2/3, R 1/2; F1 1/3 then 4/7."""
    entities = [
        {**_at("Alice"), "type": "PERSON", "score": 0.9},
        {**_at("met"), "type": "ORG", "score": 0.9},
        {**_at("Bob"), "type": "PERSON", "score": 0.5},
    ]
    report = evaluate([{"doc_id": "d1", "entities": entities}], _gold(entities=GOLD_ENTITIES))
    strict = report["layers"]["entities"]["confidence"]["curves"]["strict"]
    assert strict["thresholds"] == [0.9, 0.5]
    assert strict["precision"] == pytest.approx([1 / 2, 2 / 3])
    assert strict["best_f1"]["threshold"] == 0.5
    # two points of equal F1 = 2 TP / (actual + possible): Alice alone at 0.9 (2 / 5), then Bob
    # and four spurious words at 0.4 (4 / 10)
    even = [{**_at("Alice"), "type": "PERSON", "score": 0.9}]
    even += [{**_at(w), "type": "ORG", "score": 0.4} for w in ("met", "Carol", "and", "said")]
    even += [{**_at("Bob"), "type": "PERSON", "score": 0.4}]
    report = evaluate([{"doc_id": "d1", "entities": even}], _gold(entities=GOLD_ENTITIES))
    strict = report["layers"]["entities"]["confidence"]["curves"]["strict"]
    assert strict["f1"] == pytest.approx([0.4, 0.4])
    assert strict["best_f1"]["threshold"] == 0.9


# ---------------------------------------------------------------- parity with scikit-learn


@given(
    chosen=st.lists(
        st.tuples(st.booleans(), st.sampled_from([0.1, 0.25, 0.5, 0.75, 0.9, 1.0])),
        min_size=8,
        max_size=8,
    ),
)
def test_average_precision_equals_sklearn_when_matches_do_not_depend_on_the_threshold(
    chosen: list[tuple[bool, float]],
) -> None:
    """Eight words: each is a gold PERSON (predicted as such: a true positive) or not (predicted
    anyway: a false positive). No span overlaps another, so each prediction's outcome is the
    same at every threshold and every gold item is predicted: the two AP definitions agree."""
    text = "alpha bravo charlie delta echo foxtrot golf hotel"
    words = text.split()
    gold, predicted, y_true, y_score = [], [], [], []
    for index, (word, (is_gold, score)) in enumerate(zip(words, chosen, strict=True)):
        where = _at(word, text)
        if is_gold:
            gold.append(
                {"id": f"e{index}", **where, "type": "PERSON", "mention": "name", "entity": word}
            )
        predicted.append({**where, "type": "PERSON", "score": score})
        y_true.append(int(is_gold))
        y_score.append(score)
    if not any(y_true):
        return  # sklearn's AP has no positive to recall
    record = _record(text) | {"entities": gold}
    report = evaluate([{"doc_id": "d1", "entities": predicted}], [record])
    curve = report["layers"]["entities"]["confidence"]["curves"]["strict"]
    assert curve["average_precision"] == pytest.approx(average_precision_score(y_true, y_score))


# ---------------------------------------------------------------- the curve against the report


def _scored_noisy_run(tmp_path: Path) -> Path:
    """A committed run with a score on every item, drawn from a hash (two decimals: ties)."""
    lines = []
    run = REPO / "evaluate" / "runs" / "noisy-gold-30" / "predictions.jsonl"
    for line in run.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        for layer in ("entities", "claims", "attributions"):
            for index, item in enumerate(record.get(layer) or []):
                key = f"{record['doc_id']}/{layer}/{index}".encode()
                item["score"] = int(hashlib.sha256(key).hexdigest(), 16) % 100 / 100
        lines.append(json.dumps(record) + "\n")
    path = tmp_path / "scored.jsonl"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_each_curve_point_equals_the_report_at_that_min_score(tmp_path: Path) -> None:
    """The curve's point at a threshold is the report of `--min-score` at that threshold, and its
    lowest point is the report without it: one scorer, two paths to the same counts."""
    path = _scored_noisy_run(tmp_path)
    full = evaluate(path)
    layers = full["layers"]
    paths = {
        "entities": {s: ("overall", s) for s in ("strict", "exact", "partial", "ent_type")},
        "claims": {level: ("span", level) for level in ("strict", "lenient")},
        "attributions": {f"triple.{lv}": ("triple", lv) for lv in ("strict", "lenient")},
    }
    for layer, curves in paths.items():
        confidence = layers[layer]["confidence"]
        for name, where in curves.items():
            curve = confidence["curves"][name]
            node = layers[layer][where[0]][where[1]]
            assert (curve["precision"][-1], curve["recall"][-1]) == (
                node["precision"],
                node["recall"],
            )
    thresholds = layers["claims"]["confidence"]["curves"]["strict"]["thresholds"]
    for threshold in (thresholds[0], thresholds[len(thresholds) // 2]):
        thinned = evaluate(path, min_score=threshold)["layers"]
        for layer, curves in paths.items():
            for name, where in curves.items():
                curve = layers[layer]["confidence"]["curves"][name]
                index = max(i for i, t in enumerate(curve["thresholds"]) if t >= threshold)
                node = thinned[layer][where[0]][where[1]]
                assert (curve["precision"][index], curve["recall"][index]) == (
                    node["precision"],
                    node["recall"],
                )


def test_min_score_keeps_references_of_attributions_to_thinned_entities(tmp_path: Path) -> None:
    """--min-score thins each layer's own items: an attribution whose source names a mention
    below the threshold still resolves it (the reference is a span, not a scored item)."""
    path = _scored_noisy_run(tmp_path)
    report = evaluate(path, min_score=0.5)
    entities = report["layers"]["entities"]["overall"]["strict"]
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    kept = sum(1 for r in records for e in r["entities"] if e["score"] >= 0.5)
    assert entities["actual"] == kept
    attributions = report["layers"]["attributions"]["triple"]["strict"]
    kept = sum(1 for r in records for a in r["attributions"] if a["score"] >= 0.5)
    assert attributions["predicted"] == kept
    assert report["settings"]["min_score"] == 0.5
    assert report["signature"].endswith("|min_score:0.5")
    curve = report["layers"]["entities"]["confidence"]["curves"]["strict"]
    assert min(curve["thresholds"]) >= 0.5


def test_html_page_draws_one_curve_per_report_curve(tmp_path: Path) -> None:
    from xml.etree import ElementTree

    path = _scored_noisy_run(tmp_path)
    report, explanation = evaluate_and_explain(path)
    from sourcetrace.report.html import to_html

    html = to_html(report, explanation)
    start = html.index('<section class="confidence">')
    section = html[start : html.index("</section>", start) + len("</section>")]
    tree = ElementTree.fromstring(section)  # well-formed: every data value escaped
    svg = "{http://www.w3.org/2000/svg}"
    charts = tree.findall(f".//{svg}svg")
    assert [chart.get("data-layer") for chart in charts] == ["entities", "claims", "attributions"]
    for chart in charts:
        confidence = report["layers"][chart.get("data-layer")]["confidence"]
        lines = chart.findall(f"{svg}polyline")
        assert [line.get("data-curve") for line in lines] == list(confidence["curves"])
        for line in lines:
            curve = confidence["curves"][line.get("data-curve")]
            points = [tuple(map(float, p.split(","))) for p in line.get("points").split()]
            assert len(points) == len(curve["thresholds"])
            # the plot is 280 x 180 px inside a 40 px margin: recall across, precision up
            expected = [
                (40 + r * 280, 220 - p * 180)
                for p, r in zip(curve["precision"], curve["recall"], strict=True)
            ]
            assert points == [pytest.approx(point, abs=0.01) for point in expected]
            assert float(line.get("data-ap")) == pytest.approx(curve["average_precision"])
    assert "http://" not in section.replace("http://www.w3.org/2000/svg", "")


def test_table_and_markdown_show_average_precision_and_best_threshold(tmp_path: Path) -> None:
    from sourcetrace.report.markdown import to_markdown

    report = _entity_report()
    text = to_markdown(report)
    row = next(line for line in text.splitlines() if "strict by score" in line)
    assert "AP 41.67" in row  # 5/12
    assert "best F1 at score \\>= 0.7" in row  # Markdown escapes ">"
    assert "57.14" in row  # F1 4/7


# ---------------------------------------------------------------- no scores: nothing changes


# The committed `rules` run and the 1.0.0 gold with its texts, pinned under tests/data so the
# comparison holds whatever the corpus becomes; the reports were written by main at 6ed13b9
# (before scores existed) from these very files, and the HTML page (490 kB) by its sha256.
BEFORE_SCORES = Path("tests") / "data" / "before_scores"
HTML_BEFORE_SCORES = "82ca5c08871682e4aa82d87d8c79641ed89398065f8a16d0ed64002969309a83"


@pytest.mark.parametrize("fmt", ["json", "markdown", "html"])
def test_report_without_scores_is_byte_identical_to_before_scores(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run without scores, scored by main at 6ed13b9 (before scores existed) and scored now,
    from the same pinned files: the reports are identical byte for byte."""
    monkeypatch.chdir(REPO)
    out = tmp_path / f"report.{fmt}"
    run, gold = str(BEFORE_SCORES / "predictions.jsonl"), str(BEFORE_SCORES / "gold.jsonl")
    assert main(["evaluate", run, "--gold", gold, "--format", fmt, "--output", str(out)]) == 0
    if fmt == "html":
        assert hashlib.sha256(out.read_bytes()).hexdigest() == HTML_BEFORE_SCORES
        return
    assert out.read_bytes() == (REPO / BEFORE_SCORES / f"report.{fmt}").read_bytes()


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("score", "pointer"),
    [
        (1.5, "/entities/0/score"),
        (-0.1, "/entities/0/score"),
        ("0.9", "/entities/0/score"),
        (True, "/entities/0/score"),
        (None, "/entities/0/score"),
    ],
)
def test_score_outside_unit_interval_or_not_a_number_is_refused(
    score: Any, pointer: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(_gold(entities=GOLD_ENTITIES)[0]) + "\n", encoding="utf-8")
    entity = {**_at("Alice"), "type": "PERSON", "score": score}
    path = tmp_path / "pred.jsonl"
    path.write_text(json.dumps({"doc_id": "d1", "entities": [entity]}) + "\n", encoding="utf-8")
    assert main(["evaluate", str(path), "--gold", str(gold)]) == 2
    err = capsys.readouterr().err
    assert pointer in err and "line 1" in err and "Traceback" not in err


def test_nan_score_from_python_is_refused_with_its_pointer() -> None:
    entities = _scored_entities()
    entities[2]["score"] = math.nan
    with pytest.raises(InputError) as caught:
        evaluate([{"doc_id": "d1", "entities": entities}], _gold(entities=GOLD_ENTITIES))
    assert "/entities/2/score" in str(caught.value) and "NaN" in str(caught.value)


def test_nan_score_in_a_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(_gold(entities=GOLD_ENTITIES)[0]) + "\n", encoding="utf-8")
    path = tmp_path / "pred.jsonl"
    row = '{"doc_id": "d1", "entities": [{"start": 0, "end": 5, "type": "PERSON", "score": NaN}]}'
    path.write_text(row + "\n", encoding="utf-8")
    assert main(["evaluate", str(path), "--gold", str(gold)]) == 2
    err = capsys.readouterr().err
    assert "NaN" in err and "line 1" in err


def test_unknown_item_key_is_still_refused_beside_score_and_meta() -> None:
    entities = _scored_entities()
    entities[0]["confidence"] = 0.9
    with pytest.raises(InputError) as caught:
        evaluate([{"doc_id": "d1", "entities": entities}], _gold(entities=GOLD_ENTITIES))
    assert "/entities/0" in str(caught.value) and "confidence" in str(caught.value)


def test_meta_must_be_an_object() -> None:
    entities = _scored_entities()
    entities[0]["meta"] = "raw"
    with pytest.raises(InputError) as caught:
        evaluate([{"doc_id": "d1", "entities": entities}], _gold(entities=GOLD_ENTITIES))
    assert "/entities/0/meta" in str(caught.value)


def test_score_on_only_some_items_of_a_layer_is_refused() -> None:
    entities = _scored_entities()
    del entities[1]["score"]
    with pytest.raises(InputError) as caught:
        evaluate([{"doc_id": "d1", "entities": entities}], _gold(entities=GOLD_ENTITIES))
    assert "/entities/1/score" in str(caught.value) and "or on none" in str(caught.value)


@pytest.mark.parametrize("bad", [1.5, -0.5, math.nan, "0.5"])
def test_min_score_outside_unit_interval_is_refused(bad: Any) -> None:
    with pytest.raises(InputError, match="min"):
        _entity_report(min_score=bad)


def test_min_score_without_any_score_is_refused() -> None:
    entities = [{k: v for k, v in e.items() if k != "score"} for e in _scored_entities()]
    with pytest.raises(InputError, match="no scored item carries a score"):
        evaluate(
            [{"doc_id": "d1", "entities": entities}], _gold(entities=GOLD_ENTITIES), min_score=0.5
        )


def test_scores_with_sharded_scoring_are_refused(tmp_path: Path) -> None:
    predictions = [{"doc_id": "d1", "entities": _scored_entities()}]
    with pytest.raises(InputError, match="does not merge precision-recall curves"):
        evaluate_partial(predictions, _gold(entities=GOLD_ENTITIES))


def test_min_score_with_workers_is_refused_before_any_cluster(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _scored_noisy_run(tmp_path)
    assert main(["evaluate", str(path), "--workers", "2", "--min-score", "0.5"]) == 2
    assert "--min-score with --workers" in capsys.readouterr().err


def test_report_with_curves_and_min_score_follows_the_report_schema(tmp_path: Path) -> None:
    from jsonschema import Draft202012Validator

    schema = json.loads((REPO / "schema" / "report.schema.json").read_text(encoding="utf-8"))
    report = evaluate(_scored_noisy_run(tmp_path), min_score=0.1)
    assert list(Draft202012Validator(schema).iter_errors(report)) == []
    broken = json.loads(json.dumps(report))
    broken["layers"]["claims"]["confidence"]["curves"]["strict"]["average_precision"] = 1.5
    assert [e.validator for e in Draft202012Validator(schema).iter_errors(broken)] == ["maximum"]


def test_more_distinct_scores_than_the_bound_are_refused_before_scoring(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sourcetrace.scoring import confidence as confidence

    monkeypatch.setattr(confidence, "MAX_THRESHOLDS", 3)
    with pytest.raises(InputError, match="4 distinct scores") as caught:
        _entity_report()
    assert "rounded" in str(caught.value)


def test_score_on_only_some_items_names_the_file_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(_gold(entities=GOLD_ENTITIES)[0]) + "\n", encoding="utf-8")
    entities = _scored_entities()
    del entities[3]["score"]
    path = tmp_path / "pred.jsonl"
    path.write_text(json.dumps({"doc_id": "d1", "entities": entities}) + "\n", encoding="utf-8")
    before = path.read_bytes()
    assert main(["evaluate", str(path), "--gold", str(gold)]) == 2
    err = capsys.readouterr().err
    assert "pred.jsonl" in err and "/entities/3/score" in err and "Traceback" not in err
    assert path.read_bytes() == before


def test_partial_of_scored_predictions_is_refused_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _scored_noisy_run(tmp_path)
    out = tmp_path / "shard.json"
    assert main(["evaluate", str(path), "--partial", str(out), "--shard", "1/2"]) == 2
    assert "does not merge precision-recall curves" in capsys.readouterr().err
    assert not out.exists()


def test_min_score_thins_the_compared_system_too(tmp_path: Path) -> None:
    path = _scored_noisy_run(tmp_path)
    report = evaluate(path, compare=path, min_score=0.5, compare_samples=10)
    metrics = report["statistics"]["comparison"]["metrics"]
    strict = report["layers"]["entities"]["overall"]["strict"]["f1"]
    assert metrics["entities.strict.f1"]["a"] == metrics["entities.strict.f1"]["b"] == strict
    unscored = tmp_path / "unscored.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    for record in records:
        for layer in ("entities", "claims", "attributions"):
            for item in record[layer]:
                del item["score"]
    unscored.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    with pytest.raises(InputError, match="no scored item carries a score") as caught:
        evaluate(path, compare=unscored, min_score=0.5)
    assert "unscored.jsonl" in str(caught.value)
