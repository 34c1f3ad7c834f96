"""`sourcetrace baseline NAME`: run a reference system on the corpus and write its run folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def cmd_baseline(args: argparse.Namespace) -> int:
    from sourcetrace.baselines import PREDICTIONS_FILE, RUN_FILE, write_run
    from sourcetrace.errors import shown
    from sourcetrace.paths import checked_output

    if args.output is not None:
        checked_output(args.output, folder=True)
    options = {"rate": args.rate, "seed": args.seed}
    out_dir = write_run(args.name, args.output, **options)
    print(
        f"wrote {shown(out_dir / PREDICTIONS_FILE)} and {shown(out_dir / RUN_FILE)}",
        file=sys.stderr,
    )
    return 0


def add_commands(commands: Any) -> None:
    """Add `baseline` to the `sourcetrace` subcommands."""
    from sourcetrace.baselines import BASELINES

    listing = "; ".join(f"{b.name}: {b.description}" for b in BASELINES.values())
    baseline = commands.add_parser(
        "baseline",
        help="run a reference system and write evaluate/runs/<name>/",
        description="Run a reference system on the packaged corpus and write "
        "predictions.jsonl and run.json (the command that reproduces it, package "
        f"versions, corpus version and data sha256). Systems: {listing}.",
    )
    baseline.add_argument(
        "name",
        choices=sorted(BASELINES),
        metavar="NAME",
        help=f"one of: {', '.join(sorted(BASELINES))}",
    )
    baseline.add_argument(
        "--output",
        type=Path,
        help="run folder (default: evaluate/runs/<NAME>, noisy-gold: noisy-gold-<rate %%>)",
    )
    baseline.add_argument("--rate", type=float, help="noisy-gold: noise rate, 0..1 (default 0.1)")
    baseline.add_argument("--seed", type=int, help="noisy-gold: random seed (default 0)")
    baseline.set_defaults(handler=cmd_baseline)
