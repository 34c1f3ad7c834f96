"""Tasks: one per document, its text and metadata, gold or a system's output as predictions."""

from __future__ import annotations

import json

from conftest import REPO
from sourcetrace.studio.convert import to_result


def gold(doc_id):
    return json.loads((REPO / "annotations" / "gold" / f"{doc_id}.json").read_text("utf-8"))


def test_tasks_carry_text_metadata_and_the_gold(studio_cli):
    done = studio_cli("studio", "tasks", "--root", REPO)
    assert done.code == 0, done.err
    tasks = json.loads(done.out)
    records = json.loads((REPO / "annotations" / "documents.json").read_text("utf-8"))
    assert [t["data"]["doc_id"] for t in tasks] == sorted(r["doc_id"] for r in records)
    for task, record in zip(tasks, sorted(records, key=lambda r: r["doc_id"]), strict=True):
        seed = (REPO / "seeds" / record["seed_file"]).read_bytes().decode("utf-8")
        assert task["data"]["text"] == seed
        for key in ("title", "outlet", "published", "story_id", "text_sha256"):
            assert task["data"][key] == record[key]
        (prediction,) = task["predictions"]
        assert prediction["result"] == to_result(gold(record["doc_id"]))
        assert prediction["model_version"].startswith("sourcetrace-gold-")


def test_a_subset_with_a_systems_predictions_and_a_model_version(studio_cli, tmp_path):
    run = REPO / "evaluate" / "runs" / "rules" / "predictions.jsonl"
    rows = {json.loads(line)["doc_id"]: json.loads(line) for line in run.read_text().splitlines()}
    out = tmp_path / "tasks.json"
    done = studio_cli(
        "studio", "tasks", "--root", REPO, "--documents", "st-002", "st-000",
        "--predictions", run, "--model-version", "rules-v1", "--output", out,
    )  # fmt: skip
    assert done.code == 0, done.err
    tasks = json.loads(out.read_text("utf-8"))
    assert [t["data"]["doc_id"] for t in tasks] == ["st-002", "st-000"]
    for task in tasks:
        (prediction,) = task["predictions"]
        assert prediction["model_version"] == "rules-v1"
        labelled = [r for r in prediction["result"] if r["type"] == "labels"]
        entity_spans = [r for r in labelled if r["from_name"] == "entity"]
        assert len(entity_spans) == len(rows[task["data"]["doc_id"]]["entities"])


def test_an_unknown_document_is_refused(studio_cli):
    done = studio_cli("studio", "tasks", "--root", REPO, "--documents", "st-999")
    assert done.code == 2
    assert "st-999" in done.err and done.out == ""
