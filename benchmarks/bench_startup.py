"""Start-up of `evaluate` on the packaged corpus (issue 25): whole processes, and what they import.

Runs the console script `evaluate` (the one beside this interpreter) on a run's predictions N
times (median reported, as hyperfine would) and prints the ten heaviest imports of one run
under `python -X importtime`, grouped by top-level package (sourcetrace by module), self time.

    .venv/bin/python benchmarks/bench_startup.py [--runs 5] [PRED.jsonl] [-- EXTRA EVALUATE ARGS]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PREDICTIONS = ROOT / "evaluate" / "runs" / "rules" / "predictions.jsonl"
IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def whole_process_seconds(command: list[str], runs: int) -> list[float]:
    """Wall seconds of ``runs`` fresh processes (output discarded; a failure stops the bench)."""
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        seconds.append(time.perf_counter() - start)
    return seconds


def import_profile(arguments: list[str], top: int) -> list[tuple[str, float]]:
    """(package, self milliseconds) of the ``top`` heaviest imports of one `evaluate` run."""
    code = (
        "import sys; from sourcetrace.cli.entry import evaluate_main; "
        f"sys.argv = ['evaluate', *{arguments!r}]; sys.exit(evaluate_main())"
    )
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    self_us: dict[str, int] = defaultdict(int)
    for line in done.stderr.splitlines():
        match = IMPORT_LINE.match(line)
        if match:
            name = match[4]
            group = name if name.startswith("sourcetrace") else name.split(".")[0]
            self_us[group] += int(match[1])
    ranked = sorted(self_us.items(), key=lambda item: -item[1])[:top]
    return [(name, us / 1000) for name, us in ranked]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("predictions", nargs="?", type=Path, default=DEFAULT_PREDICTIONS)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--top", type=int, default=10)
    argv = sys.argv[1:]
    cut = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:cut])
    extra = argv[cut + 1 :]  # after --: evaluate's own options
    evaluate = Path(sys.executable).with_name("evaluate")
    seconds = whole_process_seconds([str(evaluate), str(args.predictions), *extra], args.runs)
    print(f"evaluate {args.predictions.name} {' '.join(extra)}".rstrip())
    print(
        f"  median of {args.runs}: {statistics.median(seconds):.3f} s "
        f"(min {min(seconds):.3f}, max {max(seconds):.3f})"
    )
    print(f"  top {args.top} imports (self time under -X importtime):")
    for name, ms in import_profile([str(args.predictions), *extra], args.top):
        print(f"    {ms:8.1f} ms  {name}")


if __name__ == "__main__":
    main()
