"""bench_scale.py's account of issue 24's figures, and processes run in turns.

The issue rows are checked on a bench whose rows are put in by hand (no process is timed):
each expected figure is there, measured or "not run" with the reason worked out from the
options; `measure_in_turns` runs real child processes that write down their turn.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import bench_scale  # noqa: E402
from bench_scale import ISSUE_FIGURES, Row, ScaleBench, parse_args  # noqa: E402
from processes import measure_in_turns  # noqa: E402
from readme_results import blocks  # noqa: E402


def bench(tmp_path: Path, *options: str) -> ScaleBench:
    return ScaleBench(parse_args(["--build", str(tmp_path), *options]))


def test_every_issue_figure_is_listed_measured_or_not_run_with_the_reason(tmp_path):
    scale = bench(tmp_path, "--sizes", "1000,10000,30000", "--only", "w1,w1-sparse,corpus")
    scale.group = "w1"
    scale.add(
        Row("W1 entities at 30k: evaluate vs nervaluate 1.2.1", "d", "7 s", "11x faster"),
        "w1@30000/nervaluate",
    )
    scale.add(
        Row("W1 entities at 10k: evaluate vs parse floor", "d", "3 s", "4x the floor"),
        "w1@10000/floor",
    )
    scale.group = "w1-sparse"
    scale.add(Row("sparse at 30k", "d", "evaluate: exit 3: boom"), "w1-sparse@30000/nervaluate")
    rows = scale.issue_rows()
    expected = [figure.figure for figure in ISSUE_FIGURES]
    assert [row.figure for row in rows[: len(expected)]] == expected
    measured = {row.key: row.measured for row in rows}
    assert measured["w1@30000/nervaluate"] == "7 s"
    # a failed figure is shown as failed, under the issue's name of the figure
    assert measured["w1-sparse@30000/nervaluate"] == "evaluate: exit 3: boom"
    assert rows[2].figure == "W1 entities (sparse texts) at 30k: evaluate vs nervaluate 1.2.1"
    # the group ran at 30k but gave no floor row
    assert measured["w1@30000/floor"] == "not run: measured nothing (see the notes)"
    only = "--only w1,w1-sparse,corpus"
    assert measured["w3@30000/floor"] == f"not run: group `w3` not selected ({only})"
    assert measured["validate@30000"] == f"not run: group `validate` not selected ({only})"
    # corpus sizes are their own option (default 10k and 100k: both in it here)
    assert measured["corpus@10000"] == "not run: measured nothing (see the notes)"
    # a row of the same groups at another size comes after the issue's figures
    assert [row.key for row in rows[len(expected) :]] == ["w1@10000/floor"]


def test_sizes_that_were_not_run_are_named(tmp_path):
    scale = bench(
        tmp_path, "--sizes", "1000,10000", "--only", "w3,corpus", "--corpus-sizes", "10000"
    )
    measured = {row.key: row.measured for row in scale.issue_rows()}
    assert measured["w3@30000/floor"] == "not run: 30k not in --sizes 1000,10000"
    assert measured["w3@100000/memory"] == "not run: 100k not in --sizes 1000,10000"
    assert measured["corpus@100000"] == "not run: 100k not in --corpus-sizes 10000"
    assert measured["corpus/growth"] == "not run: 100k not in --corpus-sizes 10000"
    assert measured["corpus@10000"] == "not run: measured nothing (see the notes)"


def test_results_have_one_block_per_group_measured_and_the_issue_block(tmp_path, monkeypatch):
    scale = bench(tmp_path, "--sizes", "20", "--only", "w1,validate")
    scale.group = "w1"
    scale.add(Row("W1 entities at 20: evaluate vs parse floor", "d", "1 s", "2x"), "w1@20/floor")
    scale.group = "validate"
    scale.notes.append(("validate", "validate: a note"))
    scale.add(Row("`sourcetrace validate` at 20", "d", "exit 2"), "validate@20")
    monkeypatch.setattr(bench_scale, "code_description", lambda at_commit: "commit abc")

    text = bench_scale.results_markdown(scale, datetime.datetime(2026, 12, 7, 16, 0), 60)
    found = blocks(text)
    assert list(found) == ["issue-24", "w1", "validate"]
    assert "| W1 entities at 20: evaluate vs parse floor | d | 1 s | 2x |  |  |" in found["w1"]
    assert "- validate: a note" in found["validate"] and "a note" not in found["w1"]
    # the issue rows name the run that measured them; rows not run name none
    assert "| 2x |  |  | 2026-12-07 16:00 UTC, commit abc |" in found["issue-24"]
    assert (
        "| not run: group `w3` not selected (--only w1,validate) |  |  |  |  |"
        in (found["issue-24"])
    )


def test_measure_in_turns_runs_the_commands_round_after_round(tmp_path):
    log = tmp_path / "turns.txt"

    def writes(name: str) -> list[str]:
        code = f"open({str(log)!r}, 'a').write({name!r})"
        return [sys.executable, "-c", code]

    results = measure_in_turns(
        [writes("a"), writes("b"), writes("c")], timeouts=[60, 60, 60], repeats=3
    )
    assert log.read_text() == "abcabcabc"
    assert [len(result.runs) for result in results] == [3, 3, 3]
    assert all(result.ok and result.cpu_seconds > 0 for result in results)


def test_measure_in_turns_stops_repeating_a_failed_or_slow_command(tmp_path):
    log = tmp_path / "turns.txt"
    write = f"open({str(log)!r}, 'a').write('w')"
    fail = "import sys; sys.exit(3)"
    slow = "import time; time.sleep(0.3)"
    results = measure_in_turns(
        [[sys.executable, "-c", code] for code in (write, fail, slow)],
        timeouts=[60, 60, 60],
        repeats=3,
        repeat_under=0.25,
    )
    assert log.read_text() == "www"
    assert [len(result.runs) for result in results] == [3, 1, 1]
    assert not results[1].ok and results[1].runs[0].returncode == 3
