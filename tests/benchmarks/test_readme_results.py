"""readme_results.py: a run's blocks go into the README group by group, the rest stays.

A small README (hand-written text, blocks of two groups, an issue table) and RESULTS.md texts
as bench_scale.py writes them; the expected READMEs are written out by hand.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from readme_results import readme_with_results  # noqa: E402

README = """# Benchmarks

## Performance

Text written by hand.

<!-- bench:start -->
<!-- bench:issue-24:start -->
### Issue 24: every figure

| figure | data | measured | ratio | target | met | run |
|---|---|---|---|---|---|---|
| W1 at 30k | d | 20 s | 3.5x faster | >= 10x | no | old run |
| W3 at 30k | d | 113 s | 29x the floor | <= 5x | no | old run |
| validate at 30k |  | not run: group `validate` not selected |  |  |  |  |
| W1 at 1k | d | 1 s | 2x faster |  |  | old run |
<!-- bench:issue-24:end -->

## A section written by hand

Kept as it is.

<!-- bench:w1:start -->
### W1 (`w1`)

| figure | data | measured | ratio | target | met |
|---|---|---|---|---|---|
| W1 at 30k | d | 20 s | 3.5x faster | >= 10x | no |
<!-- bench:w1:end -->

<!-- bench:w3:start -->
### W3 (`w3`)

old W3 table
<!-- bench:w3:end -->
<!-- bench:end -->

## After the benchmarks

The end.
"""

RESULTS = """# Benchmarks at scale

Context of the run.

<!-- bench:issue-24:start -->
## Issue 24: every figure

| figure | data | measured | ratio | target | met | run |
|---|---|---|---|---|---|---|
| W1 at 30k | d | 7 s | 10.5x faster | >= 10x | yes | new run |
| W3 at 30k |  | not run: group `w3` not selected |  |  |  |  |
| validate at 30k |  | not run: group `validate` not selected |  |  |  |  |
| W1 sparse at 30k | d | 3 s | 12x faster | >= 10x | yes | new run |
<!-- bench:issue-24:end -->

<!-- bench:w1:start -->
## W1 (`w1`)

new W1 table
<!-- bench:w1:end -->

<!-- bench:w1-sparse:start -->
## W1 sparse (`w1-sparse`)

new sparse table
<!-- bench:w1-sparse:end -->
"""

EXPECTED = """# Benchmarks

## Performance

Text written by hand.

<!-- bench:start -->
<!-- bench:issue-24:start -->
### Issue 24: every figure

| figure | data | measured | ratio | target | met | run |
|---|---|---|---|---|---|---|
| W1 at 30k | d | 7 s | 10.5x faster | >= 10x | yes | new run |
| W3 at 30k | d | 113 s | 29x the floor | <= 5x | no | old run |
| validate at 30k |  | not run: group `validate` not selected |  |  |  |  |
| W1 sparse at 30k | d | 3 s | 12x faster | >= 10x | yes | new run |
| W1 at 1k | d | 1 s | 2x faster |  |  | old run |
<!-- bench:issue-24:end -->

## A section written by hand

Kept as it is.

<!-- bench:w1:start -->
### W1 (`w1`)

new W1 table
<!-- bench:w1:end -->

<!-- bench:w3:start -->
### W3 (`w3`)

old W3 table
<!-- bench:w3:end -->

<!-- bench:w1-sparse:start -->
### W1 sparse (`w1-sparse`)

new sparse table
<!-- bench:w1-sparse:end -->
<!-- bench:end -->

## After the benchmarks

The end.
"""


def test_only_the_groups_a_run_measured_are_replaced():
    # w1 replaced, w3 (not measured) and the hand-written text kept, w1-sparse added before
    # the end marker; the issue table merged row by row: a measured row replaces the old one,
    # a "not run" row keeps an earlier measured row (W3) and replaces an unmeasured one, a
    # figure only the README has (W1 at 1k) stays at the end
    assert readme_with_results(README, RESULTS) == EXPECTED


def test_a_second_update_with_the_same_results_changes_nothing():
    once = readme_with_results(README, RESULTS)
    assert readme_with_results(once, RESULTS) == once


def test_results_of_no_measured_group_leave_the_readme_as_it_is():
    assert readme_with_results(README, "# Benchmarks at scale\n\nNothing measured.\n") == README


def test_a_readme_without_markers_gets_them_at_the_end_of_its_performance_section():
    readme = "# B\n\n## Performance\n\nHand text.\n\n## Next\n\nMore.\n"
    results = "<!-- bench:w1:start -->\n## W1\n\ntable\n<!-- bench:w1:end -->\n"
    assert readme_with_results(readme, results) == (
        "# B\n\n## Performance\n\nHand text.\n\n<!-- bench:start -->\n\n"
        "<!-- bench:w1:start -->\n### W1\n\ntable\n<!-- bench:w1:end -->\n<!-- bench:end -->\n\n"
        "## Next\n\nMore.\n"
    )


def test_a_readme_with_one_marker_only_is_refused():
    with pytest.raises(ValueError, match="not the other"):
        readme_with_results("## Performance\n\n<!-- bench:start -->\n", RESULTS)


def test_check_says_stale_then_current(tmp_path):
    readme, results = tmp_path / "README.md", tmp_path / "RESULTS.md"
    readme.write_text(README, encoding="utf-8")
    results.write_text(RESULTS, encoding="utf-8")
    script = [sys.executable, str(BENCHMARKS / "readme_results.py")]
    paths = ["--readme", str(readme), "--results", str(results)]
    check = subprocess.run([*script, *paths, "--check"], capture_output=True, text=True)
    assert check.returncode == 1 and "stale" in check.stdout
    assert readme.read_text(encoding="utf-8") == README
    subprocess.run([*script, *paths], check=True, capture_output=True)
    assert readme.read_text(encoding="utf-8") == EXPECTED
    check = subprocess.run([*script, *paths, "--check"], capture_output=True, text=True)
    assert check.returncode == 0 and "current" in check.stdout
