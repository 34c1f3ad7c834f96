"""Folders of gold files (annotations/gold, passes) as `--gold`, and how `validate` reads them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import sourcetrace
from sourcetrace.errors import InputError

from gold_factory import story_gold, write_jsonl


def write_gold_folder(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for record in story_gold(with_text=False):
        (folder / f"{record['doc_id']}.json").write_text(
            json.dumps(record, ensure_ascii=False), encoding="utf-8"
        )
    return folder


def test_a_folder_of_gold_files_scores_as_the_same_gold_in_a_jsonl(tmp_path):
    folder = write_gold_folder(tmp_path / "gold")
    jsonl = write_jsonl(tmp_path / "gold.jsonl", story_gold(with_text=True))
    predictions = story_gold(with_text=False)
    predictions[0]["entities"].append({"start": 0, "end": 7, "text": "Ukraine", "type": "GPE"})
    from_folder = sourcetrace.evaluate(predictions, gold=folder)
    from_jsonl = sourcetrace.evaluate(predictions, gold=jsonl)
    assert from_folder["layers"] == from_jsonl["layers"]
    assert from_folder["layers"]["entities"]["overall"]["strict"]["spurious"] == 1
    assert from_folder["corpus"]["source"] == str(folder)
    assert from_folder["documents"]["scored"] == ["st-000", "st-001", "st-003"]


def test_a_gold_folder_file_bound_to_another_text_is_refused(tmp_path):
    folder = write_gold_folder(tmp_path / "gold")
    record = json.loads((folder / "st-001.json").read_text())
    record["text_sha256"] = "0" * 64
    (folder / "st-001.json").write_text(json.dumps(record))
    with pytest.raises(InputError) as caught:
        sourcetrace.evaluate(story_gold(with_text=False), gold=folder)
    assert "st-001.json" in str(caught.value) and "text_sha256" in str(caught.value)


@pytest.mark.parametrize("where", ["annotations/gold", "annotations/passes/pass-x"])
def test_a_gold_file_without_text_sha256_is_an_invalid_gold_file(run_cli, tmp_path, where):
    # Without text_sha256 the record would pass as a valid prediction; where it lives says what
    # it is: a broken gold file.
    record = story_gold(("st-000",), with_text=False)[0]
    del record["text_sha256"]
    path = tmp_path / where / "st-000.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(record))
    result = run_cli("validate", path)
    assert result.code == 2
    assert "read as annotation" in result.err
    assert "text_sha256" in result.err
    elsewhere = tmp_path / "st-000.json"
    elsewhere.write_text(json.dumps(record))
    assert "valid prediction" in run_cli("validate", elsewhere).out
