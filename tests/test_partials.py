"""`evaluate --partial --shard K/N` + `sourcetrace merge`: shards add up to the one-run report,
byte for byte, bootstrap intervals and --compare tests included; shards of different runs,
a shard twice or a shard missing are refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sourcetrace.errors import InputError
from sourcetrace.evaluation import evaluate
from sourcetrace.partials import evaluate_partial, merge_partials, shard_documents
from sourcetrace.report import to_json

REPO_ROOT = Path(__file__).resolve().parents[1]
RUNS = REPO_ROOT / "evaluate" / "runs"
# noisy gold carries every layer with entity and cluster ids, so cluster scores are merged too
SYSTEM = RUNS / "noisy-gold-30" / "predictions.jsonl"
OTHER = RUNS / "rules" / "predictions.jsonl"
STATISTICS = {"bootstrap": 200, "compare_samples": 200, "seed": 7}


def test_shards_are_contiguous_blocks_of_the_sorted_ids_covering_each_once():
    ids = [f"d{i}" for i in (4, 0, 3, 1, 2, 6, 5)]
    shards = [shard_documents(ids, (k, 3)) for k in (1, 2, 3)]
    assert shards == [["d0", "d1"], ["d2", "d3"], ["d4", "d5", "d6"]]
    with pytest.raises(InputError, match="shard 4/3 does not exist"):
        shard_documents(ids, (4, 3))


@pytest.mark.parametrize("count", [1, 2, 3, 5])
def test_merged_shards_give_the_one_run_report_byte_for_byte(count):
    one_run = evaluate(SYSTEM, compare=OTHER, per_document=True, **STATISTICS)
    partials = [
        evaluate_partial(SYSTEM, shard=(k, count), compare=OTHER, **STATISTICS)
        for k in range(count, 0, -1)  # any order
    ]
    through_files = [json.loads(to_json(p)) for p in partials]
    merged = merge_partials(through_files, per_document=True)
    assert to_json(merged) == to_json(one_run)
    # the figures really came from the shards: the interval and the p-values are there
    assert merged["statistics"]["bootstrap"]["entities.strict.f1"]["n"] == 200
    assert merged["layers"]["entities"]["clusters"] is not None
    assert sum(len(p["documents"]["scored"]) for p in partials) == 5


def test_the_cli_writes_partials_and_merges_them(run_cli, tmp_path):
    one = run_cli("evaluate", SYSTEM, "--format", "json", "--bootstrap", "100")
    assert one.code == 0, one.err
    files = []
    for k in (1, 2):
        out = tmp_path / f"part-{k}.json"
        done = run_cli(
            "evaluate", SYSTEM, "--partial", out, "--shard", f"{k}/2", "--bootstrap", "100"
        )
        assert done.code == 0, done.err
        files.append(out)
    merged = run_cli("merge", *files, "--format", "json")
    assert merged.code == 0, merged.err
    assert merged.out == one.out


def _two_partials(**options):
    return [json.loads(to_json(evaluate_partial(SYSTEM, shard=(k, 2), **options))) for k in (1, 2)]


def test_shards_of_different_settings_are_refused():
    first = evaluate_partial(SYSTEM, shard=(1, 2))
    second = evaluate_partial(SYSTEM, shard=(2, 2), claim_threshold=0.6)
    with pytest.raises(InputError, match="settings differs .* shards of different runs"):
        merge_partials([first, second], files=["a.json", "b.json"])


def test_a_missing_or_repeated_shard_is_refused():
    first, second = _two_partials()
    with pytest.raises(InputError, match=r"shard\(s\) 2/2 missing"):
        merge_partials([first])
    with pytest.raises(InputError, match="shard 1/2 is given twice"):
        merge_partials([first, first, second])


def test_a_file_that_is_not_a_partial_is_refused_with_its_name(run_cli, tmp_path):
    report = tmp_path / "report.json"
    report.write_text(to_json(evaluate(SYSTEM)), encoding="utf-8")
    done = run_cli("merge", report)
    assert done.code == 2
    assert f"{report}, at /format: not a partial file" in done.err
    assert "Traceback" not in done.err


def test_tampered_tallies_are_refused():
    first, second = _two_partials()
    second["tallies"]["counts"][0] = second["tallies"]["counts"][0][:-1]
    with pytest.raises(InputError, match="rows and columns do not fit"):
        merge_partials([first, second])


def test_shard_without_partial_and_bad_shard_text_are_usage_errors(run_cli, tmp_path):
    done = run_cli("evaluate", SYSTEM, "--shard", "1/2")
    assert done.code == 2 and "--shard without --partial" in done.err
    done = run_cli("evaluate", SYSTEM, "--partial", tmp_path / "p.json", "--shard", "two")
    assert done.code == 2 and "shard 'two' is not K/N" in done.err
    assert not (tmp_path / "p.json").exists()


def test_every_record_is_validated_by_exactly_one_shard(tmp_path):
    lines = SYSTEM.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    last = records[-1]["doc_id"]  # the last id in sorted order is in shard 2 of 2
    assert last == max(r["doc_id"] for r in records)
    records[-1]["entities"][0]["start"] = -1
    records.append({"doc_id": "no-such-doc", "entities": []})
    broken = tmp_path / "broken.jsonl"
    broken.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    with pytest.raises(InputError, match="unknown doc_id 'no-such-doc'") as first:
        evaluate_partial(broken, shard=(1, 2))
    assert first.value.line == len(records)
    with pytest.raises(InputError) as second:
        evaluate_partial(broken, shard=(2, 2))
    assert second.value.line == len(records) - 1 and "/entities/0/start" in str(second.value)


def test_a_partial_off_its_schema_is_refused_with_the_pointer():
    first, second = _two_partials()
    second["shard"]["index"] = 0
    with pytest.raises(InputError, match="schema: 0 is less than the minimum of 1") as raised:
        merge_partials([first, second], files=["a.json", "b.json"])
    assert raised.value.file == "b.json" and raised.value.pointer == "/shard/index"
