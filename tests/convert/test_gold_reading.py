"""`convert --gold FILE.jsonl` reads the gold as `evaluate --gold` does (the same records, the
same checks, the same refusals word for word), without hashing the file's bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from convert_helpers import gold_record, write_gold

from sourcetrace.convert import convert
from sourcetrace.errors import InputError, InputErrors
from sourcetrace.evaluation.inputs import load_gold

TEXT = "Reuters reported it."
LINE = "-DOCSTART- t-1\n\nReuters B-ORG\nreported O\nit O\n. O\n"


def refusal(call: object) -> str:
    try:
        call()  # type: ignore[operator]
    except (InputError, InputErrors) as error:
        return str(error)
    raise AssertionError("not refused")


@pytest.mark.parametrize(
    "lines",
    [
        [{**gold_record("t-1", TEXT), "text_sha256": "0" * 64}],  # another text's hash
        [gold_record("t-1", TEXT), gold_record("t-1", TEXT)],  # a document twice
        [{"doc_id": "t-1", "entities": []}],  # no text
        [{**gold_record("t-1", TEXT), "entities": [{"start": 0}]}],  # not a gold entity
        "not json",
        [],  # no record
    ],
)
def test_gold_jsonl_refused_as_evaluate_refuses_it(tmp_path: Path, lines: object) -> None:
    gold = tmp_path / "gold.jsonl"
    if isinstance(lines, str):
        gold.write_text(lines + "\n", encoding="utf-8")
    else:
        write_gold(gold, lines)  # type: ignore[arg-type]
    system = tmp_path / "out.conll"
    system.write_text(LINE, encoding="utf-8")
    assert refusal(lambda: convert("conll", [system], gold=gold, labels="conll2003")) == refusal(
        lambda: load_gold(gold)
    )


def test_gold_jsonl_and_json_give_the_same_records(tmp_path: Path) -> None:
    records = [gold_record("t-1", TEXT), gold_record("t-2", "Kyiv \u00e9t\u00e9.")]
    jsonl = write_gold(tmp_path / "gold.jsonl", records)
    as_json = tmp_path / "gold.json"
    as_json.write_text(json.dumps(records), encoding="utf-8")
    system = tmp_path / "out.conll"
    system.write_text(LINE, encoding="utf-8")
    read = [convert("conll", [system], gold=g, labels="conll2003") for g in (jsonl, as_json)]
    assert (
        read[0]
        == read[1]
        == [
            {
                "doc_id": "t-1",
                "text_sha256": records[0]["text_sha256"],
                "entities": [{"start": 0, "end": 7, "text": "Reuters", "type": "ORG"}],
            }
        ]
    )


@pytest.mark.parametrize("name", ["gold.jsonl", "gold"])
def test_gold_folder_read_as_a_folder_whatever_its_name(tmp_path: Path, name: str) -> None:
    """A folder is read as a gold folder (here refused: it holds no gold file), whatever its
    name ends with, as `evaluate` reads it."""
    system = tmp_path / "out.conll"
    system.write_text(LINE, encoding="utf-8")
    folder = tmp_path / name
    folder.mkdir()
    assert refusal(lambda: convert("conll", [system], gold=folder, labels="conll2003")) == refusal(
        lambda: load_gold(folder)
    )
