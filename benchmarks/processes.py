"""Whole processes timed from start to exit, with their peak resident memory.

Each command runs as a fresh child in a session of its own. `os.wait4` reaps it and returns the
kernel's resource usage of that one child: `ru_maxrss` is the peak RSS of the child or of the
largest of its own waited-for children (the kernel keeps the maximum, not the sum). For commands
that start worker processes, a sampler can also add up the RSS of the whole session every 0.1 s.
"""

from __future__ import annotations

import contextlib
import os
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
PACKAGE_SRC = Path(__file__).resolve().parent.parent / "src"
UNKNOWN_OPTION = ("unrecognized arguments", "invalid choice", "no such option")


@dataclass
class Run:
    """One process: wall seconds, peak RSS in bytes, exit code, and how it ended."""

    seconds: float
    peak_rss: int
    returncode: int
    timed_out: bool = False
    stderr: str = ""
    session_rss: int | None = None  # peak of the summed RSS of the session (when sampled)
    cpu_seconds: float = 0.0  # user + system time of the process and its waited-for children

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    @property
    def unknown_option(self) -> bool:
        """The command's parser refused an option or a subcommand it does not know."""
        return self.returncode == 2 and any(s in self.stderr for s in UNKNOWN_OPTION)

    def problem(self) -> str:
        """One line on why the run failed."""
        if self.timed_out:
            return f"timed out after {self.seconds:.0f} s"
        lines = [line for line in self.stderr.strip().splitlines() if line.strip()]
        last = lines[-1].strip() if lines else "(no message)"
        return f"exit {self.returncode}: {last[:200]}"


@dataclass
class Measurement:
    """The median of one or more runs of the same command."""

    runs: list[Run] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.runs) and all(run.ok for run in self.runs)

    @property
    def seconds(self) -> float:
        return statistics.median(run.seconds for run in self.runs)

    @property
    def peak_rss(self) -> int:
        return max(run.peak_rss for run in self.runs)

    @property
    def cpu_seconds(self) -> float:
        return statistics.median(run.cpu_seconds for run in self.runs)

    @property
    def session_rss(self) -> int | None:
        values = [run.session_rss for run in self.runs if run.session_rss is not None]
        return max(values) if values else None

    @property
    def repeats(self) -> int:
        return len(self.runs)

    def describe(self) -> str:
        """'12.34 s (median of 3), 1.20 GiB' or why it failed."""
        if not self.ok:
            return self.runs[-1].problem() if self.runs else "not run"
        how = f"median of {self.repeats}" if self.repeats > 1 else "1 run"
        return f"{self.seconds:.2f} s ({how}), {gib(self.peak_rss)} peak"


def compile_sources(src: Path = PACKAGE_SRC) -> None:
    """Write the bytecode of the measured package once, before any timing. The package is
    installed editable (no bytecode from pip) and this machine sets PYTHONDONTWRITEBYTECODE=1,
    so without this every timed process would compile every module it imports (about 0.25 s of
    CPU for `evaluate`), while the references pip installed (nervaluate) start from their
    bytecode. A user's every run but the first starts from bytecode too."""
    import compileall

    compileall.compile_dir(str(src), quiet=1)


def gib(size: float) -> str:
    return f"{size / 2**30:.2f} GiB"


def _session_rss(session: int) -> int:
    """The summed RSS of every process of a session, from /proc."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        # after the command name: state ppid pgrp session ... rss is field 24 of stat
        if int(fields[3]) == session:
            total += int(fields[21]) * PAGE_BYTES
    return total


def kill_session(session: int) -> None:
    """SIGKILL every process of the session that ``run_process`` started (its id is the
    child's pid)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(session, signal.SIGKILL)


def run_process(
    command: Sequence[str | Path],
    *,
    env: dict[str, str] | None = None,
    timeout: float = 3600,
    cwd: Path | None = None,
    sample_session: bool = False,
) -> Run:
    """Run ``command`` to its end (or kill its whole session after ``timeout`` seconds)."""
    with tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(
            [str(part) for part in command],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
        timed_out = threading.Event()
        finished = threading.Event()

        def kill() -> None:
            timed_out.set()
            kill_session(process.pid)

        timer = threading.Timer(timeout, kill)
        timer.start()
        peak_session = [0]

        def sample() -> None:
            while not finished.wait(0.1):
                peak_session[0] = max(peak_session[0], _session_rss(process.pid))

        sampler = threading.Thread(target=sample, daemon=True) if sample_session else None
        if sampler:
            sampler.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            elapsed = time.perf_counter() - started
            timer.cancel()
            finished.set()
        process.returncode = os.waitstatus_to_exitcode(status)
        kill_session(process.pid)  # worker processes left behind by the child
        if sampler:
            sampler.join()
        stderr.seek(0)
        message = stderr.read().decode("utf-8", "replace")
    return Run(
        seconds=elapsed,
        peak_rss=usage.ru_maxrss * 1024,  # kibibytes on Linux
        returncode=process.returncode,
        timed_out=timed_out.is_set(),
        stderr=message,
        session_rss=peak_session[0] if sample_session else None,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
    )


def measure(
    command: Sequence[str | Path],
    *,
    repeats: int = 3,
    repeat_under: float = 60.0,
    **options,
) -> Measurement:
    """Run once; when that took less than ``repeat_under`` seconds, run ``repeats - 1`` more
    times (the median of three where affordable). Stops at the first failure."""
    measurement = Measurement([run_process(command, **options)])
    first = measurement.runs[0]
    if first.ok and first.seconds < repeat_under:
        for _ in range(repeats - 1):
            measurement.runs.append(run_process(command, **options))
            if not measurement.runs[-1].ok:
                break
    return measurement


def measure_added(
    base: Sequence[str | Path],
    variant: Sequence[str | Path],
    *,
    repeats: int = 3,
    repeat_under: float = 60.0,
    **options,
) -> tuple[Measurement, Measurement, float]:
    """The time ``variant`` adds to ``base``: both run back to back, in pairs, and the median of
    the pairwise differences is taken, so that a load that comes and goes on a shared machine
    hits both sides of a pair alike. Pairs are repeated while the variant takes less than
    ``repeat_under`` seconds."""
    base_runs, variant_runs = Measurement(), Measurement()
    for _ in range(repeats):
        base_runs.runs.append(run_process(base, **options))
        variant_runs.runs.append(run_process(variant, **options))
        if not (base_runs.ok and variant_runs.ok) or variant_runs.runs[-1].seconds >= repeat_under:
            break
    differences = [
        v.seconds - b.seconds for b, v in zip(base_runs.runs, variant_runs.runs, strict=True)
    ]
    return base_runs, variant_runs, statistics.median(differences)


def measure_in_turns(
    commands: Sequence[Sequence[str | Path]],
    *,
    timeouts: Sequence[float],
    repeats: int = 3,
    repeat_under: float = 60.0,
    **options,
) -> list[Measurement]:
    """Several commands in turns, round after round (A, B, C, then A, B, C again), so that a
    load that comes and goes on a shared machine hits each of them alike: the ratios of their
    medians are side by side. A command runs again (up to ``repeats`` runs) while its first run
    took less than ``repeat_under`` seconds and none has failed; ``timeouts`` are per command."""
    results = [Measurement() for _ in commands]
    for _ in range(repeats):
        for command, timeout, result in zip(commands, timeouts, results, strict=True):
            if result.runs and (not result.ok or result.runs[0].seconds >= repeat_under):
                continue
            result.runs.append(run_process(command, timeout=timeout, **options))
    return results
