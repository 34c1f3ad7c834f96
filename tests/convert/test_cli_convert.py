"""`sourcetrace convert` and `export` at the command line: bad input exits 2 in one paragraph,
without a traceback, and writes nothing; outputs never land in the checkout's protected folders."""

from __future__ import annotations

import hashlib
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


# A text with a non-ASCII letter, two spaces, a hyphenated name and a line break; its offsets,
# counted by hand in code points: Zürich 0-6, greets 8-14, Kim Jong-un 15-26, KCNA 28-32.
PINNED_TEXT = "Zürich  greets Kim Jong-un.\nKCNA said so."
PINNED_CONLL = (
    "-DOCSTART- t-1\n\nZürich B-LOC\ngreets O\nKim B-PER\nJong I-PER\n- I-PER\nun I-PER\n. O\n\n"
    "KCNA B-ORG\nsaid O\nso B-MISC\n. O\n\n-DOCSTART- t-2\n\nReuters B-ORG\nreported O\nit O\n. O\n"
)
PINNED_HF = {
    "t-1": [
        {"entity_group": "LOC", "score": 0.75, "word": "Zürich", "start": 0, "end": 6},
        {"entity_group": "PER", "score": 0.5, "word": "Kim Jong - un", "start": 15, "end": 26},
        {"entity_group": "ORG", "score": 1, "word": "KCNA", "start": 27, "end": 32},  # "\nKCNA"
        {"entity_group": "MISC", "score": 0.25, "word": "so", "start": 38, "end": 40},
    ],
    "t-2": [{"entity_group": "ORG", "score": 0.125, "word": "Reuters", "start": 0, "end": 7}],
}


def _pinned_jsonl(scores: list[str]) -> bytes:
    """The two prediction lines as the json writer spells them (`, ` and `: `, UTF-8 as is),
    each entity followed by its piece of ``scores`` ('' or ', "score": ...')."""
    first, second = PINNED_TEXT, "Reuters reported it."
    lines = [
        f'{{"doc_id": "t-1", "text_sha256": "{hashlib.sha256(first.encode()).hexdigest()}", '
        f'"entities": [{{"start": 0, "end": 6, "text": "Zürich", "type": "GPE"{scores[0]}}}, '
        f'{{"start": 15, "end": 26, "text": "Kim Jong-un", "type": "PERSON"{scores[1]}}}, '
        f'{{"start": 28, "end": 32, "text": "KCNA", "type": "ORG"{scores[2]}}}]}}',
        f'{{"doc_id": "t-2", "text_sha256": "{hashlib.sha256(second.encode()).hexdigest()}", '
        f'"entities": [{{"start": 0, "end": 7, "text": "Reuters", "type": "ORG"{scores[3]}}}]}}',
    ]
    return "".join(line + "\n" for line in lines).encode("utf-8")


def test_convert_conll_and_hf_files_equal_the_lines_worked_out_by_hand(
    tmp_path: Path, run_cli
) -> None:
    """conll2003 maps LOC to GPE, PER to PERSON, ORG to ORG and drops MISC; hf keeps each score
    (1 as 1.0, the mean of one score) and leaves the line break before KCNA out of its span."""
    gold = write_gold(tmp_path / "gold.jsonl", [gold_record("t-1", PINNED_TEXT), *GOLD])
    (tmp_path / "out.conll").write_text(PINNED_CONLL, encoding="utf-8")
    (tmp_path / "out.json").write_text(json.dumps(PINNED_HF), encoding="utf-8")
    expected = {
        "conll": _pinned_jsonl(["", "", "", ""]),
        "hf": _pinned_jsonl(
            [', "score": 0.75', ', "score": 0.5', ', "score": 1.0', ', "score": 0.125']
        ),
    }
    for fmt, source in (("conll", "out.conll"), ("hf", "out.json")):
        output = tmp_path / f"{fmt}.jsonl"
        result = run_cli(
            "convert", fmt, tmp_path / source, "--gold", gold, "--labels", "conll2003",
            "--output", output,
        )  # fmt: skip
        assert result.code == 0, result.err
        assert output.read_bytes() == expected[fmt]
