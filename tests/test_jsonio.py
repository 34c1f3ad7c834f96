"""The readers of JSON and JSON Lines on hostile input: every fault is an InputError (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import sourcetrace
from sourcetrace.errors import InputError, InputErrors
from sourcetrace.jsonio import lone_surrogate, read_records

from gold_factory import story_gold, write_jsonl


def test_lone_surrogate_in_a_gold_text_is_exit_2_naming_the_pointer(tmp_path, run_cli) -> None:
    # a lone "\ud800" escape once crashed sha256 (UnicodeEncodeError) with a traceback
    gold = story_gold(("st-000",))
    broken = json.dumps({**gold[0], "text": gold[0]["text"] + "\ud800"})
    assert "\\ud800" in broken  # json.dumps writes the lone surrogate as an escape
    (tmp_path / "gold.jsonl").write_text(broken + "\n")
    write_jsonl(tmp_path / "pred.jsonl", gold)
    for args in (
        ("evaluate", tmp_path / "pred.jsonl", "--gold", tmp_path / "gold.jsonl"),
        ("evaluate", tmp_path / "gold.jsonl", "--gold", tmp_path / "pred.jsonl"),
        ("validate", tmp_path / "gold.jsonl"),
    ):
        result = run_cli(*args)
        assert result.code == 2, args
        assert "lone surrogate" in result.err and "/text" in result.err
        assert "Traceback" not in result.err


def test_lone_surrogate_in_python_records_is_an_input_error() -> None:
    gold = story_gold(("st-000",))
    predictions = [{"doc_id": "st-000", "entities": [{"text": "x\udc00", "type": "ORG"}]}]
    with pytest.raises((InputError, InputErrors), match="lone surrogate"):
        sourcetrace.evaluate(predictions, gold=gold)
    with pytest.raises((InputError, InputErrors), match="lone surrogate"):
        sourcetrace.evaluate(gold, gold=[{**gold[0], "text": "\ud800"}])


def test_a_surrogate_pair_is_one_non_bmp_character_and_is_read(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"a": "\\ud83d\\ude00", "b\\ud800": 1}\n{"c": "\\ud83d\\ude00"}\n')
    with pytest.raises(InputError) as caught:
        read_records(path)
    assert caught.value.line == 1 and caught.value.pointer == "/b\ud800"
    path.write_text('{"c": "\\ud83d\\ude00"}\n')
    assert read_records(path)[1][0].value == {"c": "\U0001f600"}


def test_lone_surrogate_is_found_at_any_depth_without_recursion() -> None:
    deep: object = "\udfff"
    for _ in range(100_000):
        deep = [deep]
    assert lone_surrogate(deep) == "/0" * 100_000
    assert lone_surrogate({"a": ["\U0001f600"]}) is None
