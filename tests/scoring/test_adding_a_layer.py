"""Adding an annotation layer touches its scoring module, its JSON Schemas, labels.json if it
has labels, and at most 3 other files: docs/architecture.md's list, proved on a scratch copy.

The test writes a throwaway layer (`topics`: labelled spans, scored by exact span) into a copy of
the sources with exactly the edits the list names, then shows that the CLI's `--layers`, every
report format, partials and merge, validation (the layer's own semantic check, with the error
contract) and the `datasets` features pick it up, with nothing else edited.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from checkout import copy_environment, make_checkout
from sourcetrace.schema.layers import LAYERS

from gold_factory import ROOT, gold_st000, seed_text, span

# the layer's scoring module: a scorer that owns its vocabulary and its partial checks
TOPICS_MODULE = '''"""Topics: labelled spans, scored by exact span (a throwaway layer of a test)."""

from __future__ import annotations

from sourcetrace.scoring.claims import level_scores
from sourcetrace.scoring.layer import Figure, LayerScorer, PartialFields

COUNTS = ("gold", "predicted", "true_positives")


def _spans(items):
    return {(item["start"], item["end"]) for item in items}


def _tally(gold, pred, settings, text):
    gold_spans, pred_spans = _spans(gold.get("topics") or []), _spans(pred.get("topics") or [])
    counts = (len(gold_spans), len(pred_spans), len(gold_spans & pred_spans))
    return {"spans": dict(zip(COUNTS, counts))}


def _check_partial(s):
    gold, predicted = s.items("gold", "topics"), s.items("predicted", "topics")
    hits = s.column("topics", "spans", "true_positives")
    s.require(hits <= gold, lambda r: "more topic hits than gold topics")
    s.require(hits <= predicted, lambda r: "more topic hits than predicted topics")


SCORER = LayerScorer(
    name="topics",
    layer="topics",
    section=("topics",),
    tally=_tally,
    summarize=lambda tally, settings: {"spans": level_scores(tally.get("spans", {}))},
    partial_fields=lambda s: PartialFields(frozenset(("topics", "spans", c) for c in COUNTS)),
    check_partial=_check_partial,
    headline=(("topics.spans.f1", ("spans", "f1")),),
    per_document=lambda tally: level_scores(tally.get("spans", {})),
    figure=Figure("topics.spans.f1", ("spans",), "exact span", ()),
)
'''

# the layer at the schema floor: its item features and its semantic check
LAYER_DECLARATION = """

def _topic_features() -> dict[str, Any]:
    from datasets import Value

    return {"id": Value("string"), **_span_fields(), "label": Value("string")}


def _check_topics(record, check, text, gold) -> None:
    for index, topic in enumerate(record.get("topics") or []):
        check.span(topic, f"/topics/{index}", text, offsets_required=True)
        if not str(topic.get("label", "")).strip():
            check.add(f"/topics/{index}/label", "topic label is blank", "a non-blank label")


"""

TOPIC_ITEM = {
    "type": "object",
    "required": ["start", "end", "label"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string"},
        "start": {"type": "integer", "minimum": 0},
        "end": {"type": "integer", "minimum": 1},
        "text": {"type": "string"},
        "label": {"type": "string"},
    },
}
TOPIC_SECTION = {
    "type": "object",
    "required": ["spans"],
    "properties": {"spans": {"type": "object"}, "per_document": {"type": "object"}},
}

# the files the layer edits beyond its scoring module, schema/*.schema.json and labels.json
OTHER_FILES = {"src/sourcetrace/schema/layers.py", "src/sourcetrace/scoring/registry.py"}


def _replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{path.name}: the anchor {old!r} moved"
    path.write_text(text.replace(old, new), encoding="utf-8")


def _append_to_tuple(path: Path, opening: str, entry: str) -> None:
    """One more entry at the end of the tuple that ``opening`` starts (its `)` on a line of
    its own)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(opening) == 1, f"{path.name}: the anchor {opening!r} moved"
    start = text.index(opening)
    end = text.index("\n)\n", start)
    path.write_text(text[:end] + f"\n    {entry}," + text[end:], encoding="utf-8")


def _edit_schema(path: Path, edit) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    edit(schema)
    path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def add_topics_layer(root: Path) -> None:
    """The edits of a new layer, exactly as docs/architecture.md lists them."""
    package = root / "src" / "sourcetrace"
    (package / "scoring" / "topics.py").write_text(TOPICS_MODULE, encoding="utf-8")
    registry = package / "scoring" / "registry.py"
    _replace_once(
        registry,
        "from sourcetrace.scoring.layer import",
        "from sourcetrace.scoring import topics\nfrom sourcetrace.scoring.layer import",
    )
    _append_to_tuple(registry, "SCORERS: tuple[LayerScorer, ...] = (", "topics.SCORER")
    _replace_once(
        package / "schema" / "layers.py",
        "\nANNOTATION_LAYERS: tuple[AnnotationLayer, ...] = (",
        LAYER_DECLARATION + "ANNOTATION_LAYERS: tuple[AnnotationLayer, ...] = (",
    )
    _append_to_tuple(
        package / "schema" / "layers.py",
        "ANNOTATION_LAYERS: tuple[AnnotationLayer, ...] = (",
        'AnnotationLayer("topics", _topic_features, _check_topics)',
    )
    schemas = root / "schema"
    for kind in ("annotation", "prediction", "document"):
        _edit_schema(
            schemas / f"{kind}.schema.json",
            lambda s: s["properties"].update(topics={"type": "array", "items": TOPIC_ITEM}),
        )
    _edit_schema(
        schemas / "report.schema.json",
        lambda s: s["properties"]["layers"]["properties"].update(topics=TOPIC_SECTION),
    )
    _edit_schema(
        schemas / "partial.schema.json",
        lambda s: s["$defs"]["layers"]["items"]["enum"].append("topics"),
    )


# what the copy reports about itself, run with the copy's sources first on the path
PROBE = r"""
import json, sys
from sourcetrace.cli.main import build_parser
from sourcetrace.corpus.dataset import config_features
from sourcetrace.evaluation.partials import evaluate_partial, merge_partials
from sourcetrace.evaluation.run import evaluate
from sourcetrace.report import to_json
from sourcetrace.report.leaderboard import COLUMNS, PLOTTED

gold, predictions = sys.argv[1], sys.argv[2]
parser = build_parser()
sub = next(a for a in parser._actions if a.dest == "command").choices["evaluate"]
choices = next(a for a in sub._actions if "--layers" in a.option_strings).choices
one_run = evaluate(predictions, gold=gold, per_document=True)
partials = [evaluate_partial(predictions, gold=gold, shard=(k, 2)) for k in (1, 2)]
merged = merge_partials([json.loads(to_json(p)) for p in partials], per_document=True)
features = config_features()
print(json.dumps({
    "choices": list(choices),
    "section": one_run["layers"].get("topics"),
    "merged_equals_one_run": to_json(merged) == to_json(one_run),
    "partial_fields": [f for f in partials[0]["tallies"]["fields"] if f[0] == "topics"],
    "configs": sorted(features),
    "document_features": "topics" in features["documents"],
    "leaderboard": [COLUMNS["topics"], PLOTTED["topics"]],
}))
"""


@pytest.fixture(scope="module")
def copy_with_topics(tmp_path_factory) -> Path:
    root = make_checkout(tmp_path_factory.mktemp("layer"), shipped=True)
    shutil.copytree(ROOT / "src", root / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")  # a checkout's root
    untouched = root.parent / "untouched"
    shutil.copytree(root, untouched)
    add_topics_layer(root)
    return root


def _records(root: Path) -> tuple[Path, Path]:
    """A gold JSONL (two documents with their texts and topics) and predictions: st-000's
    topics are one hit and one miss, st-001's one hit and one spurious."""
    text0, text1 = seed_text("st-000"), seed_text("st-001")
    gold0 = {**gold_st000(), "text": text0}
    gold0["topics"] = [
        {"id": "t1", **span(text0, "North Korea"), "label": "weapons"},
        {"id": "t2", **span(text0, "Bakhmut"), "label": "war"},
    ]
    gold1 = {
        "doc_id": "st-001",
        "text_sha256": hashlib.sha256(text1.encode("utf-8")).hexdigest(),
        "text": text1,
        "entities": [],
        "claims": [],
        "attributions": [],
        "topics": [{"id": "t1", **span(text1, "Financial Times"), "label": "outlet"}],
    }
    pred = [
        {"doc_id": "st-000", "topics": [gold0["topics"][0]]},
        {
            "doc_id": "st-001",
            "topics": [gold1["topics"][0], {**span(text1, "North Korean"), "label": "x"}],
        },
    ]
    gold_file, pred_file = root / "gold.jsonl", root / "pred.jsonl"
    gold_file.write_text("".join(json.dumps(r) + "\n" for r in (gold0, gold1)), encoding="utf-8")
    pred_file.write_text("".join(json.dumps(r) + "\n" for r in pred), encoding="utf-8")
    return gold_file, pred_file


EVALUATE = "import sys; from sourcetrace.cli.entry import evaluate_main; sys.exit(evaluate_main())"


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=root,
        env=copy_environment(root),
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_a_new_layer_edits_only_its_module_its_schemas_and_the_listed_files(copy_with_topics):
    root = copy_with_topics
    untouched = root.parent / "untouched"
    changed = {
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and (
            not (untouched / path.relative_to(root)).is_file()
            or (untouched / path.relative_to(root)).read_bytes() != path.read_bytes()
        )
    }
    schemas = {p for p in changed if p.startswith("schema/") and p.endswith(".schema.json")}
    assert changed - schemas == {"src/sourcetrace/scoring/topics.py"} | OTHER_FILES
    assert len(OTHER_FILES) <= 3
    # and docs/architecture.md lists the same files for a new layer
    listed = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = listed.split("**A new annotation layer**")[1].split("**A new output format**")[0]
    for path in OTHER_FILES:
        assert f"`{path}`" in section, path


def test_a_new_layer_reaches_the_cli_reports_partials_and_datasets(copy_with_topics):
    root = copy_with_topics
    gold, pred = _records(root)
    done = _run(root, "-c", PROBE, str(gold), str(pred))
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["choices"] == [*LAYERS, "topics"]
    # by hand: st-000 1 hit of 2 gold, 1 predicted; st-001 1 hit of 1 gold, 2 predicted
    spans = found["section"]["spans"]
    assert (spans["true_positives"], spans["gold"], spans["predicted"]) == (2, 3, 3)
    assert spans["precision"] == pytest.approx(2 / 3) and spans["recall"] == pytest.approx(2 / 3)
    assert found["section"]["per_document"]["st-000"]["recall"] == pytest.approx(1 / 2)
    assert found["merged_equals_one_run"] is True
    assert sorted(map(tuple, found["partial_fields"])) == [
        ("topics", "spans", count) for count in ("gold", "predicted", "true_positives")
    ]
    assert "topics" in found["configs"] and found["document_features"] is True
    assert found["leaderboard"] == [["topics.spans.f1"], "topics.spans.f1"]


@pytest.mark.parametrize("fmt", ["table", "markdown", "json", "html", "tsv"])
def test_every_report_format_carries_the_new_layer(copy_with_topics, fmt):
    root = copy_with_topics
    gold, pred = _records(root)
    done = _run(
        root,
        "-c",
        EVALUATE,
        str(pred),
        "--gold",
        str(gold),
        "--format",
        fmt,
    )
    assert done.returncode == 0, done.stderr
    if fmt == "json":
        assert json.loads(done.stdout)["layers"]["topics"]["spans"]["f1"] == pytest.approx(2 / 3)
    elif fmt == "tsv":  # item outcomes are listed for the layers that explain them
        assert done.stdout.splitlines()[0].startswith("document\tlayer")
    else:
        row = next(
            line for line in done.stdout.splitlines() if "topics" in line and "66.67" in line
        )
        assert "spans" in row and "tp 2 gold 3 pred 3" in row


def test_the_new_layer_declares_its_semantic_check_with_the_error_contract(copy_with_topics):
    root = copy_with_topics
    gold, pred = _records(root)
    lines = pred.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[0])
    record["topics"][0]["label"] = " "
    bad = root / "bad.jsonl"
    bad.write_text(json.dumps(record) + "\n" + lines[1] + "\n", encoding="utf-8")
    done = _run(root, "-c", EVALUATE, str(bad), "--gold", str(gold))
    assert done.returncode == 2
    assert "bad.jsonl" in done.stderr and "line 1" in done.stderr
    assert "/topics/0/label" in done.stderr and "topic label is blank" in done.stderr
    assert "Traceback" not in done.stderr
