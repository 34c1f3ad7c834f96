"""Benchmarks at scale: whole processes side by side, every figure next to its target (issue 16).

    .venv/bin/python benchmarks/bench_scale.py                      # 1k, 10k, 30k and 100k
    BENCH_SIZES=1000,10000 .venv/bin/python benchmarks/bench_scale.py   # a quick run
    .venv/bin/python benchmarks/bench_scale.py --sizes 30000 --only w1,w3 --at-commit HEAD

Every figure is a fresh process timed from start to exit (the median of 3 when one run takes less
than a minute, else 1 run), with its peak RSS from `os.wait4`. The data are the seeded synthetic
W1 (entities) and W3 (three layers) sets of `synthetic_corpus.py`, generated once and cached in
build/bench/data. Measured:

- w1, w1-sparse: `evaluate --layers entities` against a nervaluate 1.2.1 script and the parse
  floor (orjson reading both files), run in turns, at every size, on the default texts and on
  issue 24's sparse ones (about 800 characters); the growth from 10k to the largest size;
- w3: `evaluate` on all layers against the parse floor, at every size;
- validate: `sourcetrace validate` throughput (at 30k, or the largest size below);
- bootstrap, compare: the time that `--bootstrap 1000` and `--compare OTHER` (1,000 samples) add
  to the plain run (at the largest size);
- merge: 10 `evaluate --partial` shards and `sourcetrace merge` against one run, and whether
  the reports are equal apart from `predictions.source`;
- workers: `evaluate --workers 2` (Dask) against one process on W3, run in pairs side by side,
  at 10k and 30k (the target, >= 1.5x faster, is judged at 30k), with the load average;
- corpus: `sourcetrace corpus build` and `corpus verify` on a checkout of N generated documents,
  at BENCH_CORPUS_SIZES (10k and 100k), and the growth of the time per document.

Options the CLI does not know yet are reported as "not available yet". At the end, every figure
of issue 24 (ISSUE_FIGURES) is printed with its ratio, or as "not run" with the reason (a group
not selected, a size not measured). Writes benchmarks/RESULTS.md, one block per group measured
(`readme_results.py` copies those blocks into benchmarks/README.md and leaves the others), and
build/bench/results.json. Environment: BENCH_SIZES, BENCH_ONLY, BENCH_TIMEOUT,
BENCH_NERVALUATE_TIMEOUT, BENCH_CORPUS_TIMEOUT, BENCH_CORPUS_SIZES, BENCH_REPEAT_UNDER (seconds).
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import platform
import subprocess
import sys
import tarfile
import textwrap
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from processes import (
    PACKAGE_SRC,
    Measurement,
    compile_sources,
    gib,
    measure,
    measure_added,
    measure_in_turns,
)
from synthetic_corpus import (
    DEFAULT_BUILD,
    ROOT,
    DataSet,
    ensure_checkout,
    ensure_data,
    ensure_predictions_with_texts,
    ensure_shards,
    reset_checkout_corpus,
)

HERE = Path(__file__).resolve().parent
DEFAULT_SIZES = (1000, 10000, 30000, 100000)
GROUPS = ("w1", "w1-sparse", "w3", "validate", "bootstrap", "compare", "merge", "workers", "corpus")
VALIDATE_SIZE, FULL_SIZE, GROWTH_FROM = 30000, 100000, 10000
WORKER_SIZES, WORKERS_JUDGED_AT, WORKERS_TARGET = (10000, 30000), 30000, 1.5
CORPUS_SIZES = (10000, 100000)
LINEAR_SLACK = 1.25  # "linear": the time per document at the largest size within this factor
SHARDS, SAMPLES = 10, 1000
MAX_INPUT_BYTES = str(10**10)  # today's input size limit (64 MiB) is far below these files


@dataclass
class Row:
    """One line of the results table."""

    figure: str
    data: str
    measured: str
    ratio: str = ""
    target: str = ""
    met: str = ""  # "yes", "no" or "" (no target, or not measured)
    group: str = ""  # the measurement group (GROUPS) that made it
    key: str = ""  # which of ISSUE_FIGURES it is ("" for the others)


@dataclass(frozen=True)
class IssueFigure:
    """A figure issue 24 asks for: which group measures it, at which size (documents, or the
    corpus checkout's size for `corpus`; None when it spans sizes), and its row's key."""

    key: str
    group: str
    documents: int | None
    figure: str


def _issue_figures() -> tuple[IssueFigure, ...]:
    figures = []
    for group, what in (("w1", "W1 entities"), ("w1-sparse", "W1 entities (sparse texts)")):
        for reference in ("nervaluate", "floor"):
            against = "nervaluate 1.2.1" if reference == "nervaluate" else "parse floor"
            figures.append(
                IssueFigure(
                    f"{group}@30000/{reference}",
                    group,
                    30000,
                    f"{what} at 30k: evaluate vs {against}",
                )
            )
    figures += [
        IssueFigure("w3@30000/floor", "w3", 30000, "W3 all layers at 30k: evaluate vs parse floor"),
        IssueFigure(
            "w3@100000/floor", "w3", 100000, "W3 all layers at 100k: evaluate vs parse floor"
        ),
        IssueFigure("w3@100000/memory", "w3", 100000, "W3 all layers at 100k: time and peak RSS"),
        IssueFigure(
            "workers@30000",
            "workers",
            30000,
            "`evaluate --workers 2` (Dask LocalCluster) vs one process at 30k",
        ),
        IssueFigure("validate@30000", "validate", 30000, "`sourcetrace validate` at 30k"),
        IssueFigure(
            "corpus@10000", "corpus", 10000, "`sourcetrace corpus build` + `corpus verify` at 10k"
        ),
        IssueFigure(
            "corpus@100000",
            "corpus",
            100000,
            "`sourcetrace corpus build` + `corpus verify` at 100k",
        ),
        IssueFigure(
            "corpus/growth",
            "corpus",
            None,
            "`sourcetrace corpus build` + `corpus verify`: time per document, 10k to 100k",
        ),
    ]
    return tuple(figures)


# Every figure of issue 24's table, in its order: `make bench` prints each with its ratio, or
# "not run" and why.
ISSUE_FIGURES = _issue_figures()
ISSUE_GROUPS = tuple(dict.fromkeys(figure.group for figure in ISSUE_FIGURES))


def env_list(name: str, default: tuple) -> list:
    raw = os.environ.get(name)
    return [item.strip() for item in raw.split(",") if item.strip()] if raw else list(default)


def times(ratio: float) -> str:
    """'6.2x slower' / '12.0x faster' for evaluate's time over the reference's."""
    return f"{ratio:.1f}x slower" if ratio >= 1 else f"{1 / ratio:.1f}x faster"


def cpu_times(ours: Measurement, reference: Measurement) -> str:
    """The same comparison in CPU time (user + system), which a load on the machine inflates
    less than wall time."""
    if not ours.cpu_seconds or not reference.cpu_seconds:
        return "CPU time not measured"
    return times(ours.cpu_seconds / reference.cpu_seconds) + " in CPU"


def verdict(condition: bool) -> str:
    return "yes" if condition else "no"


def size_label(documents: int) -> str:
    return f"{documents // 1000}k" if documents % 1000 == 0 else f"{documents:,}"


def at_or_below(sizes: list[int], wanted: int) -> int:
    """The configured size nearest ``wanted`` from below (the smallest if none is)."""
    below = [s for s in sizes if s <= wanted]
    return max(below) if below else min(sizes)


def export_commit(revision: str, build: Path) -> tuple[Path, str]:
    """The tree of ``revision`` (git archive) in build/bench/code-<sha>, and its short sha."""
    sha = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", revision],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    target = build / f"code-{sha}"
    if not (target / "src" / "sourcetrace").is_dir():
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", "--format=tar", sha],
            check=True,
            capture_output=True,
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(target, filter="data")
    return target, sha


def code_description(at_commit: str | None) -> str:
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    if at_commit:
        return f"commit {at_commit} (git archive; the working tree is not used)"
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--", "src", "pyproject.toml"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return f"working tree at {head}" + (" with uncommitted changes in src/" if dirty else "")


class ScaleBench:
    """Runs the measurements and collects the rows of the table."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.sizes = sorted(args.sizes)
        self.build = args.build.resolve()
        self.out = self.build / "out"
        self.out.mkdir(parents=True, exist_ok=True)
        self.env = dict(os.environ, SOURCETRACE_MAX_INPUT_BYTES=MAX_INPUT_BYTES)
        self.code = "working tree"
        measured_src = PACKAGE_SRC
        if args.at_commit:
            tree, sha = export_commit(args.at_commit, self.build)
            measured_src = tree / "src"
            self.env["PYTHONPATH"] = os.pathsep.join(
                [str(measured_src), *filter(None, [os.environ.get("PYTHONPATH")])]
            )
            self.code = sha
        compile_sources(measured_src)
        bin_dir = Path(sys.executable).parent
        self.evaluate_bin = bin_dir / "evaluate"
        self.sourcetrace_bin = bin_dir / "sourcetrace"
        self.rows: list[Row] = []
        self.group = ""  # the group being measured: every row added is of it
        self.load_before = os.getloadavg()[0]
        self.notes: list[tuple[str, str]] = []  # (group, note)
        self.raw: dict[str, Any] = {}
        self.plain_w3: dict[int, Measurement] = {}
        self.w1_evaluate: dict[int, Measurement] = {}
        self._help: dict[str, str] = {}

    # ------------------------------------------------------------ helpers

    def measure(self, name: str, command: list, **options: Any) -> Measurement:
        options.setdefault("timeout", self.args.timeout)
        options.setdefault("repeat_under", self.args.repeat_under)
        return self.record(name, measure(command, env=self.env, **options))

    def record(self, name: str, result: Measurement) -> Measurement:
        self.raw[name] = [asdict(run) | {"stderr": run.stderr[-2000:]} for run in result.runs]
        print(f"  {name}: {result.describe()}", flush=True)
        return result

    def evaluate(self, predictions: Path, gold: Path, *options: str) -> list:
        return [self.evaluate_bin, predictions, "--gold", gold, *options]

    def help_text(self, *command: str) -> str:
        """The --help of a (sub)command, '' when it does not exist."""
        key = " ".join(command)
        if key not in self._help:
            binary = self.evaluate_bin if command[0] == "evaluate" else self.sourcetrace_bin
            run = subprocess.run(
                [binary, *command[1:], "--help"], capture_output=True, text=True, env=self.env
            )
            self._help[key] = run.stdout if run.returncode == 0 else ""
        return self._help[key]

    def data(self, documents: int) -> DataSet:
        return ensure_data(documents, self.args.seed, self.build)

    def add(self, row: Row, key: str = "") -> None:
        """A row of the group being measured (``key``: which issue figure it is, if one)."""
        row.group, row.key = self.group, key
        self.rows.append(row)

    def unavailable(self, figure: str, what: str, key: str = "") -> None:
        line = f"{what}: not available yet (the CLI does not know it)"
        print(f"  {line}", flush=True)
        self.add(Row(figure, "", "not available yet"), key)
        self.notes.append((self.group, line))

    def failed(
        self, figure: str, data: str, measurement: Measurement, what: str, key: str = ""
    ) -> bool:
        """Add a row for a failed measurement; True if it failed."""
        if measurement.ok:
            return False
        problem = measurement.runs[-1].problem()
        self.add(Row(figure, data, f"{what}: {problem}"), key)
        self.notes.append((self.group, f"{figure}, {data}: {what} {problem}"))
        return True

    # ------------------------------------------------------------ W1: entities

    def run_w1(self, documents: int, shape: str = "default") -> None:
        """W1 at ``documents``; shape "sparse" is issue 24's texts of ~800 characters. The
        floor, evaluate and nervaluate run in turns (side by side), wall and CPU time."""
        data = ensure_data(documents, self.args.seed, self.build, shape=shape)
        counts = data.counts
        name = "w1" if shape == "default" else f"w1-{shape}"
        what = "W1 entities" if shape == "default" else f"W1 entities ({shape} texts)"
        gold, pred = data.path("w1-gold"), data.path("w1-pred")
        megabytes = (counts["bytes"]["w1-gold"] + counts["bytes"]["w1-pred"]) / 1e6
        label = (
            f"{documents:,} docs, {counts['entities']:,} gold / "
            f"{counts['predicted_entities']:,} predicted spans, {megabytes:,.0f} MB"
        )
        print(f"{what}, {label}", flush=True)
        report = self.out / f"{name}-{documents}.json"
        theirs_out = self.out / f"{name}-{documents}-nervaluate.json"
        load_before = os.getloadavg()[0]
        floor, ours, theirs = measure_in_turns(
            [
                [sys.executable, HERE / "parse_floor.py", gold, pred],
                self.evaluate(
                    pred, gold, "--layers", "entities", "--format", "json", "--output", report
                ),
                [sys.executable, HERE / "nervaluate_entities.py", gold, pred, theirs_out],
            ],
            timeouts=[self.args.timeout, self.args.timeout, self.args.nervaluate_timeout],
            repeat_under=self.args.repeat_under,
            env=self.env,
        )
        label += f"; load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
        for role, measurement in (("floor", floor), ("evaluate", ours), ("nervaluate", theirs)):
            self.record(f"{name}-{documents}-{role}", measurement)
        figure = f"{what} at {size_label(documents)}: evaluate vs nervaluate 1.2.1"
        key = f"{name}@{documents}"
        if self.failed(figure, label, ours, "evaluate", f"{key}/nervaluate"):
            return
        if shape == "default":  # the growth rows are of the default shape
            self.w1_evaluate[documents] = ours
        if theirs.ok:
            ratio = ours.seconds / theirs.seconds
            agree = self.strict_counts_agree(report, theirs_out)
            self.add(
                Row(
                    figure,
                    label,
                    f"evaluate {ours.describe()}, {ours.cpu_seconds:.2f} s CPU; nervaluate "
                    f"{theirs.describe()}, {theirs.cpu_seconds:.2f} s CPU; in turns; {agree}",
                    f"{times(ratio)} ({cpu_times(ours, theirs)})",
                    ">= 10x faster",
                    verdict(ratio <= 0.1),
                ),
                f"{key}/nervaluate",
            )
        else:
            problem = theirs.runs[-1].problem()
            bound = ""
            if theirs.runs[-1].timed_out:
                bound = f"more than {theirs.runs[-1].seconds / ours.seconds:.1f}x faster"
                self.notes.append(
                    (
                        self.group,
                        f"nervaluate at {documents:,} documents was stopped after "
                        f"{self.args.nervaluate_timeout:.0f} s (BENCH_NERVALUATE_TIMEOUT): the "
                        "ratio is a lower bound",
                    )
                )
            met = verdict(theirs.runs[-1].seconds / ours.seconds >= 10) if bound else ""
            self.add(
                Row(
                    figure,
                    label,
                    f"evaluate {ours.describe()}; nervaluate {problem}",
                    bound,
                    ">= 10x faster",
                    met,
                ),
                f"{key}/nervaluate",
            )
        figure = f"{what} at {size_label(documents)}: evaluate vs parse floor"
        if self.failed(figure, label, floor, "floor", f"{key}/floor"):
            return
        ratio = ours.seconds / floor.seconds
        self.add(
            Row(
                figure,
                label,
                f"evaluate {ours.seconds:.2f} s, {ours.cpu_seconds:.2f} s CPU; floor "
                f"{floor.describe()}, {floor.cpu_seconds:.2f} s CPU; in turns",
                f"{ratio:.1f}x the floor ({ours.cpu_seconds / floor.cpu_seconds:.1f}x in CPU)",
                "<= 3x the floor",
                verdict(ratio <= 3),
            ),
            f"{key}/floor",
        )

    def strict_counts_agree(self, report: Path, theirs: Path) -> str:
        try:
            ours = json.loads(report.read_text())["layers"]["entities"]["overall"]["strict"]
            reference = json.loads(theirs.read_text())["strict"]
        except (OSError, KeyError, ValueError) as exc:
            return f"strict counts not compared ({exc!r})"
        names = ("correct", "incorrect", "missed", "spurious")
        if all(ours[n] == reference[n] for n in names):
            return "strict counts equal"
        differing = ", ".join(
            f"{n} {ours[n]} vs {reference[n]}" for n in names if ours[n] != reference[n]
        )
        return (
            f"strict counts differ ({differing}: nervaluate matches overlapping spans "
            "greedily, evaluate one-to-one)"
        )

    # ------------------------------------------------------------ W3: all layers

    def w3_label(self, data: DataSet) -> str:
        counts = data.counts
        items = counts["entities"] + counts["claims"] + counts["attributions"]
        megabytes = (counts["bytes"]["w3-gold"] + counts["bytes"]["w3-pred"]) / 1e6
        return f"{data.documents:,} docs, {items:,} gold items, {megabytes:,.0f} MB"

    def plain_w3_run(self, documents: int) -> Measurement:
        """`evaluate` on all layers, once per size (the base of several figures)."""
        if documents not in self.plain_w3:
            data = self.data(documents)
            self.plain_w3[documents] = self.measure(
                f"w3-{documents}-evaluate",
                self.evaluate(
                    data.path("w3-pred"),
                    data.path("w3-gold"),
                    "--format",
                    "json",
                    "--output",
                    self.out / f"w3-{documents}.json",
                ),
            )
        return self.plain_w3[documents]

    def run_w3(self, documents: int) -> None:
        data = self.data(documents)
        label = self.w3_label(data)
        print(f"W3 all layers, {label}", flush=True)
        floor = self.measure(
            f"w3-{documents}-floor",
            [sys.executable, HERE / "parse_floor.py", data.path("w3-gold"), data.path("w3-pred")],
        )
        ours = self.plain_w3_run(documents)
        figure = f"W3 all layers at {size_label(documents)}: evaluate vs parse floor"
        if self.failed(figure, label, ours, "evaluate", f"w3@{documents}/floor"):
            return
        ratio = ours.seconds / floor.seconds if floor.ok else float("nan")
        self.add(
            Row(
                figure,
                label,
                f"evaluate {ours.describe()}; floor {floor.describe()}",
                f"{ratio:.1f}x the floor",
                "<= 5x the floor",
                verdict(ratio <= 5),
            ),
            f"w3@{documents}/floor",
        )
        if documents == max(self.sizes):
            # issue 24's target at 100k is the peak alone; its time is the floor row above
            under = ours.peak_rss < 2 * 2**30
            judged = documents == FULL_SIZE
            note = "" if judged else f" (the target is for {size_label(FULL_SIZE)}: not judged)"
            self.add(
                Row(
                    f"W3 all layers at {size_label(documents)}: time and peak RSS{note}",
                    label,
                    f"{ours.seconds:.2f} s, {gib(ours.peak_rss)}",
                    "",
                    "< 2 GiB peak at 100k",
                    verdict(under) if judged else "",
                ),
                f"w3@{documents}/memory",
            )

    def growth_rows(self) -> None:
        largest = max(self.sizes)
        if GROWTH_FROM not in self.sizes or largest <= GROWTH_FROM:
            return
        parts = []
        for name, runs in (("W1", self.w1_evaluate), ("W3", self.plain_w3)):
            small, large = runs.get(GROWTH_FROM), runs.get(largest)
            if small and large and small.ok and large.ok:
                parts.append(f"{name} x{large.seconds / small.seconds:.1f}")
        if parts:
            self.add(
                Row(
                    f"growth {size_label(GROWTH_FROM)} to {size_label(largest)}: evaluate time",
                    f"{largest // GROWTH_FROM}x the documents",
                    ", ".join(parts),
                    "",
                    f"none (linear = x{largest // GROWTH_FROM})",
                )
            )

    # ------------------------------------------------------------ validate

    def run_validate(self) -> None:
        documents = at_or_below(self.sizes, VALIDATE_SIZE)
        data = self.data(documents)
        path = ensure_predictions_with_texts(data)
        megabytes = path.stat().st_size / 1e6
        label = f"{documents:,} W3 predictions with their texts, {megabytes:,.0f} MB"
        print(f"validate, {label}", flush=True)
        result = self.measure(
            f"validate-{documents}",
            [self.sourcetrace_bin, "validate", "--kind", "prediction", path],
        )
        figure = f"`sourcetrace validate` at {size_label(documents)}"
        if self.failed(figure, label, result, "validate", f"validate@{documents}"):
            return
        rate = documents / result.seconds
        self.add(
            Row(
                figure,
                label,
                result.describe(),
                f"{rate:,.0f} docs/s",
                ">= 20,000 docs/s",
                verdict(rate >= 20000),
            ),
            f"validate@{documents}",
        )

    # ------------------------------------------------------------ bootstrap and compare

    def run_added(self, group: str) -> None:
        documents = max(self.sizes)
        data = self.data(documents)
        label = self.w3_label(data)
        print(f"{group}, {label}", flush=True)
        if group == "bootstrap":
            extra = ["--bootstrap", str(SAMPLES), "--seed", "1"]
            figure = f"`--bootstrap {SAMPLES}` at {size_label(documents)}: added time"
            target = "< 10 s"
        else:
            extra = [
                "--compare",
                str(data.path("w3-pred-b")),
                "--compare-samples",
                str(SAMPLES),
                "--seed",
                "1",
            ]
            figure = (
                f"`--compare OTHER` (paired test, {SAMPLES} samples) at "
                f"{size_label(documents)}: added time"
            )
            target = ""
        output = ["--format", "json", "--output"]
        gold, pred = data.path("w3-gold"), data.path("w3-pred")
        base = self.evaluate(pred, gold, *output, self.out / f"{group}-{documents}-plain.json")
        variant = self.evaluate(pred, gold, *output, self.out / f"{group}-{documents}.json", *extra)
        base_runs, variant_runs, added = measure_added(
            base,
            variant,
            repeat_under=self.args.repeat_under,
            timeout=self.args.timeout,
            env=self.env,
        )
        self.record(f"{group}-{documents}-plain", base_runs)
        self.record(f"{group}-{documents}", variant_runs)
        if self.failed(figure, label, base_runs, "plain evaluate") or self.failed(
            figure, label, variant_runs, group
        ):
            return
        self.add(
            Row(
                figure,
                label,
                f"{variant_runs.describe()}; plain {base_runs.seconds:.2f} s, run in pairs",
                f"{added:+.2f} s",
                target,
                verdict(added < 10) if target else "",
            )
        )

    # ------------------------------------------------------------ shards and merge

    def run_merge(self) -> None:
        figure = f"{SHARDS} shards (`evaluate --partial`) + `sourcetrace merge` vs one run"
        evaluate_help = self.help_text("evaluate")
        if "--partial" not in evaluate_help or not self.help_text("sourcetrace", "merge"):
            self.unavailable(figure, "evaluate --partial / sourcetrace merge")
            return
        documents = max(self.sizes)
        data = self.data(documents)
        label = self.w3_label(data)
        print(f"merge, {label}", flush=True)
        plain = self.plain_w3_run(documents)
        gold, pred = data.path("w3-gold"), data.path("w3-pred")
        partials, shard_runs = [], []
        shard_files = None if "--shard" in evaluate_help else ensure_shards(data, "w3-pred", SHARDS)
        for index in range(SHARDS):
            partial = self.out / f"partial-{documents}-{index + 1:02d}.json"
            partial.unlink(missing_ok=True)
            if shard_files is None:  # one predictions file, the shard chosen by --shard K/N
                command = self.evaluate(
                    pred, gold, "--partial", partial, "--shard", f"{index + 1}/{SHARDS}"
                )
            else:  # one predictions file per shard
                command = self.evaluate(shard_files[index], gold, "--partial", partial)
            run = self.measure(f"partial-{documents}-{index + 1}", command, repeats=1)
            if run.runs[-1].unknown_option:
                self.unavailable(figure, "evaluate --partial")
                return
            if self.failed(figure, label, run, f"shard {index + 1}"):
                return
            partials.append(partial)
            shard_runs.append(run)
        merged = self.out / f"merged-{documents}.json"
        merge = self.measure(
            f"merge-{documents}",
            [self.sourcetrace_bin, "merge", *partials, "--format", "json", "--output", merged],
        )
        if merge.runs[-1].unknown_option:
            self.unavailable(figure, "sourcetrace merge")
            return
        if self.failed(figure, label, merge, "merge") or self.failed(
            figure, label, plain, "one run"
        ):
            return
        shards_total = sum(run.seconds for run in shard_runs)
        longest = max(run.seconds for run in shard_runs)
        equal = reports_equal(self.out / f"w3-{documents}.json", merged)
        self.add(
            Row(
                figure,
                label,
                f"shards {shards_total:.2f} s in all (longest {longest:.2f} s, peak "
                f"{gib(max(r.peak_rss for r in shard_runs))}), merge {merge.describe()}; "
                f"one run {plain.seconds:.2f} s; {equal}",
                f"{(shards_total + merge.seconds) / plain.seconds:.2f}x one run in sequence, "
                f"{(longest + merge.seconds) / plain.seconds:.2f}x with the shards in parallel",
                "merged report equal to one run",
                verdict(equal.startswith("equal")),
            )
        )

    # ------------------------------------------------------------ Dask workers

    def run_workers(self) -> None:
        """`--workers 2` against one process on W3, side by side (in pairs, so that a load
        that comes and goes hits both), at 10k and 30k (or the largest size)."""
        figure = "`evaluate --workers 2` (Dask LocalCluster) vs one process"
        if "--workers" not in self.help_text("evaluate"):
            self.unavailable(figure, "evaluate --workers")
            return
        sizes = [size for size in self.sizes if size in WORKER_SIZES] or [max(self.sizes)]
        for documents in sizes:
            data = self.data(documents)
            label = self.w3_label(data)
            print(f"workers, {label}", flush=True)
            output = ["--format", "json", "--output"]
            gold, pred = data.path("w3-gold"), data.path("w3-pred")
            alone_report = self.out / f"workers-{documents}-one.json"
            report = self.out / f"workers-{documents}.json"
            load_before = os.getloadavg()[0]
            alone, workers, _ = measure_added(
                self.evaluate(pred, gold, *output, alone_report),
                self.evaluate(pred, gold, *output, report, "--workers", "2"),
                repeat_under=self.args.repeat_under,
                timeout=self.args.timeout,
                env=self.env,
                sample_session=True,
            )
            load = f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
            self.record(f"workers-{documents}-one-process", alone)
            self.record(f"workers-{documents}", workers)
            if workers.runs[-1].unknown_option:
                self.unavailable(figure, "evaluate --workers")
                return
            name = f"{figure} at {size_label(documents)}"
            key = f"workers@{documents}"
            if self.failed(name, label, workers, "--workers 2", key) or self.failed(
                name, label, alone, "one process", key
            ):
                continue
            equal = reports_equal(alone_report, report, ignore_source=False)
            speedup = alone.seconds / workers.seconds
            judged = documents == WORKERS_JUDGED_AT
            session = workers.session_rss
            self.add(
                Row(
                    name,
                    f"{label}; {load}",
                    f"--workers 2 {workers.describe()} (all processes together: "
                    f"{gib(session) if session else 'n/a'}); one process {alone.describe()}; "
                    f"run in pairs; {equal}",
                    times(workers.seconds / alone.seconds),
                    f">= {WORKERS_TARGET}x faster at {size_label(WORKERS_JUDGED_AT)}"
                    if judged
                    else "",
                    verdict(speedup >= WORKERS_TARGET) if judged else "",
                ),
                key,
            )

    # ------------------------------------------------------------ corpus build and verify

    def run_corpus(self) -> None:
        """`corpus build` and `corpus verify` at each of BENCH_CORPUS_SIZES (10k and 100k by
        default), and how the time per document grows from the smallest to the largest: judged
        on CPU time (user + system), which the other sessions on a shared machine do not
        stretch as they stretch the wall time (shown beside it)."""
        figure = "`sourcetrace corpus build` + `corpus verify`"
        per_document: dict[int, tuple[float, float]] = {}  # documents -> (wall, CPU) seconds
        for documents in self.args.corpus_sizes:
            data = self.data(documents)
            print(f"corpus, {documents:,} documents: writing the checkout", flush=True)
            root = ensure_checkout(data)
            reset_checkout_corpus(root)
            load_before = os.getloadavg()[0]
            label = f"{documents:,} documents (seed texts, metadata and W3 gold files)"
            name = f"{figure} at {size_label(documents)}"
            build = self.measure(
                f"corpus-build-{documents}",
                [self.sourcetrace_bin, "corpus", "build", "--root", root],
                repeats=1,
                timeout=self.args.corpus_timeout,
            )
            if self.failed(name, label, build, "build", f"corpus@{documents}"):
                continue
            verify = self.measure(
                f"corpus-verify-{documents}",
                [self.sourcetrace_bin, "corpus", "verify", "--root", root],
                repeats=1,
                timeout=self.args.corpus_timeout,
            )
            if self.failed(name, label, verify, "verify", f"corpus@{documents}"):
                continue
            wall = build.seconds + verify.seconds
            cpu = build.cpu_seconds + verify.cpu_seconds
            per_document[documents] = (wall / documents, cpu / documents)
            load = f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
            self.add(
                Row(
                    name,
                    f"{label}; {load}",
                    f"build {build.describe()}, {build.cpu_seconds:.2f} s CPU; verify "
                    f"{verify.describe()}, {verify.cpu_seconds:.2f} s CPU",
                    f"{documents / wall:,.0f} docs/s ({documents / cpu:,.0f} docs/s of CPU)",
                ),
                f"corpus@{documents}",
            )
        if len(per_document) >= 2:
            small, large = min(per_document), max(per_document)
            wall_small, cpu_small = per_document[small]
            wall_large, cpu_large = per_document[large]
            growth = cpu_large / cpu_small
            self.add(
                Row(
                    f"{figure}: time per document, {size_label(small)} to {size_label(large)}",
                    f"{large // small}x the documents",
                    f"CPU {cpu_small * 1000:.2f} ms and {cpu_large * 1000:.2f} ms a document; "
                    f"wall {wall_small * 1000:.2f} ms and {wall_large * 1000:.2f} ms",
                    f"x{growth:.2f} per document in CPU (x{wall_large / wall_small:.2f} in wall "
                    "time)",
                    f"linear (CPU time per document within x{LINEAR_SLACK})",
                    verdict(growth <= LINEAR_SLACK),
                ),
                "corpus/growth" if (small, large) == CORPUS_SIZES else "",
            )

    # ------------------------------------------------------------ the run

    def run(self) -> None:
        only = self.args.only
        self.load_before = os.getloadavg()[0]
        print(f"sizes {', '.join(f'{s:,}' for s in self.sizes)}; generating or reading the data")
        for documents in self.sizes:
            data = self.data(documents)
            print(f"  {data.folder}: {data.counts['documents']:,} documents")
        steps = [
            ("w1", lambda: [self.run_w1(documents) for documents in self.sizes]),
            ("w1-sparse", lambda: [self.run_w1(documents, "sparse") for documents in self.sizes]),
            ("w3", lambda: [self.run_w3(documents) for documents in self.sizes]),
            ("validate", self.run_validate),
            ("bootstrap", lambda: self.run_added("bootstrap")),
            ("compare", lambda: self.run_added("compare")),
            ("merge", self.run_merge),
            ("workers", self.run_workers),
            ("corpus", self.run_corpus),
        ]
        for group, step in steps:
            if group in only:
                self.group = group
                step()
            if group == "w3":
                self.group = "growth"
                self.growth_rows()
        self.group = ""

    def issue_rows(self) -> list[Row]:
        """Every figure of ISSUE_FIGURES, as measured or as "not run" with the reason; then the
        rows of the same groups at other sizes (nothing measured is left out)."""
        by_key = {row.key: row for row in self.rows if row.key}
        rows = []
        for figure in ISSUE_FIGURES:
            row = by_key.get(figure.key)
            if row is None:
                row = Row(figure.figure, "", f"not run: {self.why_not_run(figure)}")
            rows.append(replace(row, figure=figure.figure, group=figure.group, key=figure.key))
        expected = {figure.key for figure in ISSUE_FIGURES}
        rows += [
            row
            for row in self.rows
            if row.group in ISSUE_GROUPS and row.key and row.key not in expected
        ]
        return rows

    def why_not_run(self, figure: IssueFigure) -> str:
        if figure.group not in self.args.only:
            return f"group `{figure.group}` not selected (--only {','.join(self.args.only)})"
        sizes, option = self.sizes, "--sizes"
        if figure.group == "corpus":
            sizes, option = self.args.corpus_sizes, "--corpus-sizes"
        wanted = [figure.documents] if figure.documents else list(CORPUS_SIZES)
        missing = [size for size in wanted if size not in sizes]
        if missing:
            listed = ",".join(str(size) for size in sizes)
            return f"{', '.join(size_label(m) for m in missing)} not in {option} {listed}"
        return "measured nothing (see the notes)"


def reports_equal(one_run: Path, other: Path, *, ignore_source: bool = True) -> str:
    """Whether two JSON reports are equal byte for byte, apart from `predictions.source` (where
    the predictions came from) when ``ignore_source``."""
    try:
        texts = [one_run.read_text(encoding="utf-8"), other.read_text(encoding="utf-8")]
        values = [json.loads(text) for text in texts]
    except (OSError, ValueError) as exc:
        return f"not compared ({exc!r})"
    if ignore_source:
        for index, value in enumerate(values):
            source = value.get("predictions", {}).get("source")
            if isinstance(source, str):
                for encoded in {json.dumps(source), json.dumps(source, ensure_ascii=False)}:
                    texts[index] = texts[index].replace(encoded, '"<source>"', 1)
                value["predictions"]["source"] = "<source>"
    if texts[0] == texts[1]:
        return "equal byte for byte" + (" apart from predictions.source" if ignore_source else "")
    differing = sorted(differences(values[0], values[1]))
    if not differing:
        return "equal as JSON, not byte for byte (formatting or key order)"
    shown = ", ".join(differing[:5]) + (" ..." if len(differing) > 5 else "")
    return f"DIFFERENT at {len(differing)} path(s): {shown}"


def differences(a: Any, b: Any, path: str = "") -> list[str]:
    """JSON pointers where two values differ (down to the first differing containers)."""
    if isinstance(a, dict) and isinstance(b, dict):
        found = []
        for key in list(a) + [k for k in b if k not in a]:
            if key not in a or key not in b:
                found.append(f"{path}/{key}")
            else:
                found += differences(a[key], b[key], f"{path}/{key}")
        return found
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        pairs = enumerate(zip(a, b, strict=True))
        return [p for i, (x, y) in pairs for p in differences(x, y, f"{path}/{i}")]
    return [] if a == b and type(a) is type(b) else [path or "/"]


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores, {memory:.1f} GiB, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def markdown_table(rows: list[Row], run: str = "") -> str:
    """The rows as a markdown table; with ``run``, a last column that says which run measured
    them (readme_results.py keeps rows of earlier runs in the issue table)."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    head = ["figure", "data", "measured", "ratio", "target", "met"] + (["run"] if run else [])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        values = [row.figure, row.data, row.measured, row.ratio, row.target, row.met]
        if run:
            values.append("" if row.measured.startswith("not run") else run)
        lines.append("| " + " | ".join(cell(v) for v in values) + " |")
    return "\n".join(lines)


GROUP_TITLES = {
    "w1": "W1: entities, default texts",
    "w1-sparse": "W1: entities, sparse texts (about 800 characters)",
    "w3": "W3: all layers",
    "growth": "Growth of evaluate's time with the documents",
    "validate": "validate",
    "bootstrap": "--bootstrap",
    "compare": "--compare",
    "merge": "Shards and merge",
    "workers": "--workers 2 (Dask)",
    "corpus": "corpus build + verify",
}
ISSUE_BLOCK = "issue-24"


def block(name: str, text: str) -> str:
    """Text between the markers that readme_results.py replaces as a whole (one per group)."""
    return f"<!-- bench:{name}:start -->\n{text.strip()}\n<!-- bench:{name}:end -->"


def results_markdown(bench: ScaleBench, started: datetime.datetime, seconds: float) -> str:
    sizes = ", ".join(f"{s:,}" for s in bench.sizes)
    any_data = bench.data(min(bench.sizes)).counts
    per_doc = {
        k: any_data[k] / any_data["documents"]
        for k in ("characters", "entities", "claims", "attributions")
    }
    load = f"load average {bench.load_before:.1f} before and {os.getloadavg()[0]:.1f} after"
    code = code_description(bench.args.at_commit)
    context = (
        f"Written by `benchmarks/bench_scale.py` (`make bench`) on {started:%Y-%m-%d %H:%M} UTC "
        f"in {seconds / 60:.0f} min: {machine()}, {load}; code: {code}; sizes {sizes} "
        f"documents; groups {', '.join(bench.args.only)}; data seed {bench.args.seed}."
    )
    method = (
        "Every figure is a whole process, timed from start to exit (the median of 3 runs when "
        f"one run takes under {bench.args.repeat_under:.0f} s, else 1 run), with its peak "
        "resident memory (`ru_maxrss` of the process, from `os.wait4`) and its CPU time (user + "
        "system). W1's floor, evaluate and nervaluate run in turns, round after round. The data "
        "are synthetic (`benchmarks/synthetic_corpus.py`): news-like texts of 800-4,000 "
        f"characters, about {per_doc['characters']:,.0f} characters, "
        f"{per_doc['entities']:.0f} entity mentions (nested and a few crossing), "
        f"{per_doc['claims']:.0f} claims and {per_doc['attributions']:.0f} attributions per "
        "document (the sparse shape: 700-900 characters); predictions are the gold perturbed "
        "(exact, shifted, retyped, missed, spurious, text-only spans). W1 is the entity layer "
        "alone, W3 all three layers. The parse floor is a process that reads the gold and the "
        "predictions with orjson, line by line, and exits."
    )
    run = f"{started:%Y-%m-%d %H:%M} UTC, {code.split(' (')[0]}"
    explained = textwrap.fill(
        "Each figure of issue 24, from the latest run that measured it (the `run` column; "
        "`readme_results.py` keeps a row of an earlier run where a later one did not measure "
        "it), then the figures of the same groups at other sizes.",
        100,
    )
    issue = f"## Issue 24: every figure\n\n{explained}\n\n{markdown_table(bench.issue_rows(), run)}"
    paragraphs = [
        textwrap.fill(context, 100),
        textwrap.fill(method, 100),
        block(ISSUE_BLOCK, issue),
    ]
    for group in (*GROUPS, "growth"):
        rows = [row for row in bench.rows if row.group == group]
        if rows:
            title = f"## {GROUP_TITLES[group]} (`{group}`)"
            written = textwrap.fill(
                f"Measured on {started:%Y-%m-%d %H:%M} UTC: {load}; code: {code}.", 100
            )
            text = f"{title}\n\n{written}\n\n{markdown_table(rows)}"
            notes = [note for of, note in bench.notes if of == group]
            if notes:
                text += "\n\nNotes:\n\n" + "\n".join(f"- {note}" for note in notes)
            paragraphs.append(block(group, text))
    return "# Benchmarks at scale\n\n" + "\n\n".join(paragraphs) + "\n"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes",
        default=",".join(env_list("BENCH_SIZES", tuple(str(s) for s in DEFAULT_SIZES))),
        help="documents per set, comma-separated (BENCH_SIZES; default 1000,10000,30000,100000)",
    )
    parser.add_argument(
        "--only",
        default=",".join(env_list("BENCH_ONLY", GROUPS)),
        help=f"measurement groups, comma-separated (BENCH_ONLY; default all: {','.join(GROUPS)})",
    )
    parser.add_argument("--seed", type=int, default=0, help="data seed (default 0)")
    parser.add_argument("--build", type=Path, default=DEFAULT_BUILD)
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument(
        "--at-commit",
        metavar="REV",
        help="measure the code of a commit (git archive into build/bench) instead of the "
        "working tree: 'before' figures",
    )
    parser.add_argument(
        "--timeout", type=float, default=float(os.environ.get("BENCH_TIMEOUT", 1800))
    )
    parser.add_argument(
        "--nervaluate-timeout",
        type=float,
        default=float(os.environ.get("BENCH_NERVALUATE_TIMEOUT", 900)),
    )
    parser.add_argument(
        "--corpus-timeout", type=float, default=float(os.environ.get("BENCH_CORPUS_TIMEOUT", 900))
    )
    parser.add_argument(
        "--corpus-sizes",
        default=",".join(env_list("BENCH_CORPUS_SIZES", tuple(str(s) for s in CORPUS_SIZES))),
        help="documents of the corpus build + verify checkouts (BENCH_CORPUS_SIZES; default "
        "10000,100000)",
    )
    parser.add_argument(
        "--repeat-under", type=float, default=float(os.environ.get("BENCH_REPEAT_UNDER", 60))
    )
    args = parser.parse_args(argv)
    args.sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    args.only = [g.strip() for g in args.only.split(",") if g.strip()]
    args.corpus_sizes = sorted({int(s.replace("_", "")) for s in args.corpus_sizes.split(",") if s})
    unknown = set(args.only) - set(GROUPS)
    if unknown or not args.sizes or min(args.sizes) < 10:
        parser.error(f"unknown group(s) {sorted(unknown)} or bad sizes {args.sizes}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = datetime.datetime.now(datetime.UTC)
    clock = datetime.datetime.now().timestamp()
    bench = ScaleBench(args)
    print(f"code: {code_description(args.at_commit)}")
    bench.run()
    seconds = datetime.datetime.now().timestamp() - clock
    text = results_markdown(bench, started, seconds)
    args.results.write_text(text, encoding="utf-8")
    (args.build / "results.json").write_text(
        json.dumps({"rows": [asdict(r) for r in bench.rows], "runs": bench.raw}, indent=1) + "\n"
    )
    print()
    print(text)
    print(f"wrote {args.results} and {args.build / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
