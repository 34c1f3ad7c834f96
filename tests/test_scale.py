"""Scoring on Dask (`scale` extra): a LocalCluster of 2 worker processes gives the one-process
report byte for byte, bootstrap and --compare included."""

from __future__ import annotations

from pathlib import Path

import pytest

from sourcetrace.evaluation import evaluate
from sourcetrace.report import to_json

distributed = pytest.importorskip("dask.distributed", reason="the scale extra is not installed")

REPO_ROOT = Path(__file__).resolve().parents[1]
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
    from sourcetrace.scale import evaluate_on_dask

    assert len(client.scheduler_info()["workers"]) == 2
    one_process = evaluate(SYSTEM, compare=OTHER, per_document=True, **OPTIONS)
    on_dask = evaluate_on_dask(SYSTEM, client=client, compare=OTHER, per_document=True, **OPTIONS)
    assert to_json(on_dask) == to_json(one_process)
    # five shards on two workers: still the same report
    five = evaluate_on_dask(SYSTEM, client=client, shards=5, compare=OTHER, **OPTIONS)
    assert to_json(five) == to_json(evaluate(SYSTEM, compare=OTHER, **OPTIONS))


def test_a_workers_input_error_comes_back_as_the_same_one_paragraph_error(client, tmp_path):
    from sourcetrace.errors import InputError
    from sourcetrace.scale import evaluate_on_dask

    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"doc_id": "st-000", "entities": [}\n', encoding="utf-8")
    with pytest.raises(InputError) as raised:
        evaluate_on_dask(broken, client=client)
    assert raised.value.file == str(broken) and raised.value.line == 1
    assert "malformed JSON" in raised.value.message


def test_the_cli_runs_on_a_local_cluster(run_cli):
    one = run_cli("evaluate", SYSTEM, "--format", "json")
    on_dask = run_cli("evaluate", SYSTEM, "--format", "json", "--workers", "2")
    assert on_dask.code == 0, on_dask.err
    assert on_dask.out == one.out
