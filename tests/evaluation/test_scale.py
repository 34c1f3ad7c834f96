"""Scoring on Dask (`scale` extra): a LocalCluster of 2 worker processes gives the one-process
report byte for byte, bootstrap and --compare included; the workers are bounded, Dask is quiet,
and Ctrl-C at any moment ends the run with 130, the cluster closed, no report."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from sourcetrace.evaluation.run import evaluate
from sourcetrace.report import to_json

distributed = pytest.importorskip("dask.distributed", reason="the scale extra is not installed")

REPO_ROOT = Path(__file__).resolve().parents[2]
SYSTEM = REPO_ROOT / "evaluate" / "runs" / "noisy-gold-30" / "predictions.jsonl"
OTHER = REPO_ROOT / "evaluate" / "runs" / "rules" / "predictions.jsonl"
OPTIONS = {"bootstrap": 200, "compare_samples": 200, "seed": 3}


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        host="127.0.0.1",
    )
    with distributed.Client(cluster) as dask_client:
        yield dask_client
    cluster.close()


def test_two_workers_give_the_one_process_report_byte_for_byte(client):
    from sourcetrace.evaluation.scale import evaluate_on_dask

    assert len(client.scheduler_info()["workers"]) == 2
    one_process = evaluate(SYSTEM, compare=OTHER, per_document=True, **OPTIONS)
    on_dask = evaluate_on_dask(SYSTEM, client=client, compare=OTHER, per_document=True, **OPTIONS)
    assert to_json(on_dask) == to_json(one_process)
    # five shards on two workers: still the same report
    five = evaluate_on_dask(SYSTEM, client=client, shards=5, compare=OTHER, **OPTIONS)
    assert to_json(five) == to_json(evaluate(SYSTEM, compare=OTHER, **OPTIONS))


def test_a_workers_input_error_comes_back_as_the_same_one_paragraph_error(client, tmp_path):
    from sourcetrace.errors import InputError
    from sourcetrace.evaluation.scale import evaluate_on_dask

    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"doc_id": "st-000", "entities": [}\n', encoding="utf-8")
    with pytest.raises(InputError) as raised:
        evaluate_on_dask(broken, client=client)
    assert str(raised.value.file) == str(broken) and raised.value.line == 1
    assert "malformed JSON" in raised.value.message


def test_the_cli_runs_on_a_local_cluster(run_cli):
    one = run_cli("evaluate", SYSTEM, "--format", "json")
    on_dask = run_cli("evaluate", SYSTEM, "--format", "json", "--workers", "2")
    assert on_dask.code == 0, on_dask.err
    assert on_dask.out == one.out


# ---------------------------------------------------------------- every loop bounded


def test_workers_are_bounded_by_cores_documents_and_shards():
    from sourcetrace.errors import InputError
    from sourcetrace.evaluation.scale import plan_workers

    many = plan_workers(1000, None, documents=5, cores=2)
    assert (many.workers, many.shards) == (2, 2)
    assert many.notes == ("--workers 1000 lowered to 2 (2 usable core(s))",)
    few_documents = plan_workers(64, None, documents=5, cores=64)
    assert (few_documents.workers, few_documents.shards) == (5, 5)
    assert few_documents.notes == ("--workers 64 lowered to 5 (5 document(s))",)
    more_shards = plan_workers(3, 10, documents=5, cores=8)
    assert (more_shards.workers, more_shards.shards) == (3, 5)
    assert more_shards.notes == ("10 shards lowered to 5 (5 document(s))",)
    assert plan_workers(2, 4, documents=100, cores=2) == type(many)(2, 4, ())
    for bad in (0, -1, True, 2.5):
        with pytest.raises(InputError, match="workers"):
            plan_workers(bad, None, documents=5, cores=2)


def test_the_local_workers_keep_freed_memory_as_one_process_does():
    """The forkserver that forks a LocalCluster's workers imports dask_child first, which tells
    malloc to keep what it frees (`keep_freed_memory`) as `evaluate` does in one process; every
    worker forked from it inherits the setting (fewer page faults in each chunk). Importing
    anything else leaves malloc as it is (a library caller's process)."""
    from sourcetrace.evaluation.scale import WORKER_PRELOAD

    assert WORKER_PRELOAD[0] == "sourcetrace.evaluation.dask_child"
    check = "from sourcetrace.schema.columns import malloc_keeps_freed; print(malloc_keeps_freed())"
    for imported, kept in (("sourcetrace.evaluation.dask_child", "True"), ("distributed", "False")):
        done = subprocess.run(
            [sys.executable, "-c", f"import {imported}; {check}"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert done.stdout.strip() == kept


def test_many_workers_on_few_documents_end_with_a_note_and_no_dask_log(run_cli):
    one = run_cli("evaluate", SYSTEM, "--format", "json")
    many = run_cli("evaluate", SYSTEM, "--format", "json", "--workers", "1000")
    assert many.code == 0, many.err
    assert many.out == one.out
    from sourcetrace.evaluation.scale import plan_workers, usable_cores

    plan = plan_workers(1000, None, documents=5, cores=usable_cores())
    assert many.err.splitlines() == [
        "indexing the gold",
        *plan.notes,
        f"starting a local Dask cluster of {plan.workers} worker process(es)",
        "indexing the predictions",
        f"scoring {plan.shards} shard(s) on {plan.workers} worker(s)",
    ]


def test_workers_with_a_partial_or_the_html_page_are_usage_errors(run_cli, tmp_path):
    done = run_cli("evaluate", SYSTEM, "--workers", "2", "--partial", tmp_path / "p.json")
    assert done.code == 2 and "--workers with --partial" in done.err
    done = run_cli("evaluate", SYSTEM, "--workers", "2", "--output", tmp_path / "r.html")
    assert done.code == 2 and "--workers with the HTML page" in done.err
    done = run_cli("evaluate", SYSTEM, "--workers", "2", "--output", tmp_path / "r.tsv")
    assert done.code == 2 and "the tsv/csv error list" in done.err
    assert not (tmp_path / "r.tsv").exists()
    assert not (tmp_path / "p.json").exists() and not (tmp_path / "r.html").exists()


def test_dask_shards_without_prediction_records_give_the_one_process_report(client, tmp_path):
    from sourcetrace.evaluation.scale import evaluate_on_dask

    lines = SYSTEM.read_text(encoding="utf-8").splitlines()
    kept = tmp_path / "three.jsonl"
    kept.write_text("".join(line + "\n" for line in lines[:3]), encoding="utf-8")
    one_process = evaluate(kept, missing="empty")
    on_dask = evaluate_on_dask(kept, client=client, shards=5, missing="empty")
    assert to_json(on_dask) == to_json(one_process)
    assert len(one_process["documents"]["missing_scored_as_empty"]) == len(lines) - 3


# ---------------------------------------------------------------- Ctrl-C


def _replicated_run(folder: Path, copies: int) -> tuple[Path, Path]:
    """A gold JSONL and predictions of ``copies`` copies of every corpus document (new ids,
    same texts), so that a run scores long enough to be interrupted while it scores."""
    from sourcetrace.evaluation.inputs import load_gold

    gold = load_gold()
    predictions = {
        json.loads(line)["doc_id"]: json.loads(line)
        for line in SYSTEM.read_text(encoding="utf-8").splitlines()
    }
    gold_lines, prediction_lines = [], []
    for copy_index in range(copies):
        for doc_id, document in sorted(gold.documents.items()):
            new_id = f"c{copy_index:03d}-{doc_id}"
            record = {
                "doc_id": new_id,
                "text": document["text"],
                "text_sha256": hashlib.sha256(document["text"].encode("utf-8")).hexdigest(),
                **{layer: document[layer] for layer in ("entities", "claims", "attributions")},
            }
            gold_lines.append(json.dumps(record))
            prediction_lines.append(json.dumps({**predictions[doc_id], "doc_id": new_id}))
    gold_file, prediction_file = folder / "gold.jsonl", folder / "predictions.jsonl"
    gold_file.write_text("\n".join(gold_lines) + "\n", encoding="utf-8")
    prediction_file.write_text("\n".join(prediction_lines) + "\n", encoding="utf-8")
    return gold_file, prediction_file


ENTRY = "import sys; from sourcetrace.cli.entry import evaluate_main; sys.exit(evaluate_main())"


def _processes_marked(marker: str) -> list[Any]:
    import psutil

    found = []
    for process in psutil.process_iter():
        try:
            if process.environ().get("SOURCETRACE_TEST_RUN") == marker:
                found.append(process)
        except (psutil.Error, OSError):
            continue
    return found


@pytest.mark.parametrize(
    ("moment", "whole_group"),
    [("launch", False), ("starting", False), ("scoring", False), ("scoring", True)],
    ids=["during-imports", "during-cluster-start", "during-scoring", "terminal-ctrl-c"],
)
def test_ctrl_c_ends_a_dask_run_with_130_the_cluster_closed_and_no_report(
    tmp_path, moment, whole_group
):
    """SIGINT to a real `evaluate --workers 2` at several moments (to the whole process group,
    as a terminal's Ctrl-C, once the workers run): exit 130, one line, no report, no process of
    the run left."""
    gold, predictions = _replicated_run(tmp_path, copies=40)
    report = tmp_path / "report.json"
    marker = f"{os.getpid()}-{moment}-{whole_group}"
    environment = {**os.environ, "SOURCETRACE_TEST_RUN": marker}
    environment["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO_ROOT / "src"), environment.get("PYTHONPATH", "")) if p
    )
    environment.pop("SOURCETRACE_DASK_LOGS", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            ENTRY,
            predictions,
            "--gold",
            gold,
            "--workers",
            "2",
            "--output",
            report,
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=environment,
        start_new_session=True,
    )
    lines = []
    try:
        if moment == "launch":
            time.sleep(0.2)
        else:
            wanted = {"starting": "starting a local Dask cluster", "scoring": "scoring "}[moment]
            for line in process.stderr:
                lines.append(line)
                if line.startswith(wanted):
                    break
        if whole_group:
            os.killpg(process.pid, signal.SIGINT)
        else:
            process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    err = "".join(lines) + err
    assert process.returncode == 130, err
    assert err.endswith("interrupted\n"), err
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert out == "" and not report.exists()
    assert list(tmp_path.glob(".report.json.*")) == []
    deadline = time.monotonic() + 20
    while _processes_marked(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_marked(marker) == []
