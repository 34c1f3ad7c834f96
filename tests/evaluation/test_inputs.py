"""`evaluate` reads predictions through the columnar checks: a clean file gives the same
documents as the record-by-record path, and a file with a problem the same refusal, word for
word (the slow path words it)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from sourcetrace.errors import InputError, InputErrors
from sourcetrace.evaluation import inputs
from sourcetrace.evaluation.inputs import load_gold, load_predictions
from sourcetrace.schema import columns

from gold_factory import story_gold

GOLD = story_gold()


@pytest.fixture(autouse=True, scope="module")
def columnar_for_small_files() -> Any:
    """The files here are small: the columnar path takes them all (in use it leaves files under
    MIN_FILE_BYTES to the record path)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(columns, "MIN_FILE_BYTES", 0)
        yield


def _write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def _prediction(record: dict[str, Any]) -> dict[str, Any]:
    record = copy.deepcopy(record)
    return {
        "doc_id": record["doc_id"],
        "entities": [dict(e, score=0.5) for e in record["entities"]],
        "claims": record["claims"],
        "attributions": record["attributions"],
    }


def _outcome(load: Any) -> Any:
    try:
        return ("read", load())
    except (InputError, InputErrors) as refusal:
        return ("refused", str(refusal))


def _both_paths(load: Any) -> tuple[Any, Any]:
    """What ``load`` gives with the columnar checks, and with them never finding a file clean."""
    fast = _outcome(load)
    with mock.patch.object(inputs, "clean_count", mock.Mock(return_value=None)):
        slow = _outcome(load)
    return fast, slow


def test_load_predictions_columnar_and_record_paths_agree_on_a_clean_file(tmp_path: Path) -> None:
    gold = load_gold(_write(tmp_path / "gold.jsonl", GOLD))
    path = _write(tmp_path / "pred.jsonl", [_prediction(r) for r in GOLD])
    assert inputs.clean_count(path, "prediction", gold.texts.get) == len(GOLD)
    fast, slow = _both_paths(lambda: load_predictions(path, gold))
    assert fast[0] == slow[0] == "read"
    assert fast[1].documents == slow[1].documents
    assert (fast[1].sha256, fast[1].where) == (slow[1].sha256, slow[1].where)


@pytest.mark.parametrize(
    "defect",
    ["end_past_text", "unknown_mention", "entity_text_off_by_one", "duplicate_doc_id"],
)
def test_load_predictions_with_a_defect_is_refused_as_by_the_record_path(
    tmp_path: Path, defect: str
) -> None:
    gold = load_gold(_write(tmp_path / "gold.jsonl", GOLD))
    records = [_prediction(r) for r in GOLD]
    first = records[0]
    if defect == "end_past_text":
        first["entities"][0]["end"] = len(GOLD[0]["text"]) + 1
    elif defect == "unknown_mention":
        first["attributions"][0]["source"] = {"mention": "nobody"}
    elif defect == "entity_text_off_by_one":
        first["entities"][0]["start"] += 1
    else:
        records.append(records[0])
    path = _write(tmp_path / "pred.jsonl", records)
    assert inputs.clean_count(path, "prediction", gold.texts.get) is None
    fast, slow = _both_paths(lambda: load_predictions(path, gold))
    assert fast[0] == "refused"
    assert fast == slow
