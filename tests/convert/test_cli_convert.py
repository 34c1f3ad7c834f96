"""`sourcetrace convert` and `export` at the command line: bad input exits 2 in one paragraph,
without a traceback, and writes nothing; outputs never land in the checkout's protected folders."""

from __future__ import annotations

import json
from pathlib import Path

from convert_helpers import gold_record, write_gold

from gold_factory import ROOT

GOLD = [gold_record("t-2", "Reuters reported it.")]


def test_convert_output_into_the_checkouts_annotations_refused(tmp_path: Path, run_cli) -> None:
    gold = write_gold(tmp_path / "gold.jsonl", GOLD)
    spans = tmp_path / "spans.json"
    spans.write_text(json.dumps({"t-2": [{"label": "ORG", "start": 0, "end": 7}]}), "utf-8")
    target = ROOT / "annotations" / "pred.jsonl"
    result = run_cli("convert", "nervaluate", spans, "--gold", gold, "--output", target)
    assert result.code == 2 and "refusing to write into annotations/" in result.err
    assert "Traceback" not in result.err and not target.exists()


def test_export_output_into_the_checkouts_corpus_refused(run_cli) -> None:
    target = ROOT / "corpus" / "brat-export"
    result = run_cli("export", "brat", "--output", target)
    assert result.code == 2 and "refusing to write into corpus/" in result.err
    assert not target.exists()


def test_label_map_that_is_not_an_object_refused(tmp_path: Path, run_cli) -> None:
    gold = write_gold(tmp_path / "gold.jsonl", GOLD)
    mapping = tmp_path / "map.json"
    mapping.write_text('["PER", "PERSON"]', encoding="utf-8")
    conll = tmp_path / "t-2.conll"
    conll.write_text("Reuters B-ORG\n", encoding="utf-8")
    out = tmp_path / "pred.jsonl"
    result = run_cli(
        "convert", "conll", conll, "--gold", gold, "--labels", mapping, "--output", out
    )
    assert result.code == 2 and "label map must be a JSON object" in result.err
    assert str(mapping) in result.err and not out.exists()


def test_malformed_nervaluate_json_refused_with_line(tmp_path: Path, run_cli) -> None:
    gold = write_gold(tmp_path / "gold.jsonl", GOLD)
    spans = tmp_path / "spans.json"
    spans.write_text('{"t-2": [\n{"label": "ORG", "start": 0,, "end": 7}]}', encoding="utf-8")
    out = tmp_path / "pred.jsonl"
    result = run_cli("convert", "nervaluate", spans, "--gold", gold, "--output", out)
    assert result.code == 2 and "line 2" in result.err and "Traceback" not in result.err
    assert not out.exists()


def test_convert_cli_writes_records_that_evaluate_scores(tmp_path: Path, run_cli) -> None:
    gold = write_gold(tmp_path / "gold.jsonl", GOLD)
    spans = tmp_path / "spans.json"
    spans.write_text(json.dumps({"t-2": [{"label": "ORG", "start": 0, "end": 6}]}), "utf-8")
    out = tmp_path / "pred.jsonl"
    done = run_cli(
        "convert", "nervaluate", spans, "--gold", gold, "--end", "inclusive", "--output", out
    )
    assert done.code == 0, done.err
    (record,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert record["entities"] == [{"start": 0, "end": 7, "text": "Reuters", "type": "ORG"}]
