"""`evaluate` and `agreement` subcommands (thin: parse, call the library, print)."""

from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path
from typing import Any

from sourcetrace.cli.common import (
    STDOUT,
    add_output_options,
    add_problem_options,
    add_quiet_option,
    emit,
    emit_outputs,
    output_formats,
)
from sourcetrace.errors import shown
from sourcetrace.paths import checked_output, write_output
from sourcetrace.report import (
    FORMATS,
    REGISTRY,
    RENDERER_OPTIONS,
    SUFFIXES,
    agreement_to_markdown,
    choose_format,
    render_chunks,
    render_table,
)


def cmd_evaluate(args: argparse.Namespace) -> int:
    from sourcetrace.errors import InputError
    from sourcetrace.evaluation.modes import evaluate_in_mode

    for option, value in (("--workers", args.workers), ("--scheduler", args.scheduler)):
        if value is not None and args.partial is not None:
            raise InputError(
                f"{option} with --partial",
                expected=f"--partial OUT --shard K/N to write one shard, or {option} for the "
                "whole run",
            )
    if args.partial is not None:
        return _write_partial(args)
    if args.shard is not None:
        raise InputError(
            "--shard without --partial", expected="--partial OUT.json --shard K/N (see merge)"
        )
    from sourcetrace.schema.columns import keep_freed_memory

    keep_freed_memory()  # this process reads, scores and exits: fewer page faults, same report
    targets = output_formats(args.format, args.output or [STDOUT], FORMATS)
    item_targets = [fmt for _, fmt in targets if REGISTRY[fmt].needs_items]
    renderer_options = _renderer_options(args, targets)
    # the targets are checked, and evaluate_in_mode refuses what no run mode can do before it
    # reads anything: a refused run costs nothing
    report, explanation = evaluate_in_mode(
        args.predictions,
        explain=bool(item_targets),
        stream=len(item_targets) == 1,  # one output drawn from the items: made as it is written
        workers=args.workers,
        scheduler=args.scheduler,
        per_document=args.per_document,
        progress=lambda message: print(message, file=sys.stderr, flush=True),
        **_scoring_options(args),
    )
    _emit_report(report, targets, explanation, renderer_options)
    return 0


def _renderer_options(
    args: argparse.Namespace, targets: list[tuple[Path | None, str]]
) -> dict[str, Any]:
    """The renderer options given (`--html-documents`); one that no output reads is refused,
    not ignored."""
    from sourcetrace.errors import InputError

    given = {name: getattr(args, name) for name in RENDERER_OPTIONS if hasattr(args, name)}
    read = {option for _, fmt in targets for option in REGISTRY[fmt].options}
    for name in given.keys() - read:
        readers = [fmt for fmt, entry in REGISTRY.items() if name in entry.options]
        raise InputError(
            f"--{name.replace('_', '-')} is given, but no output of this run is "
            + " or ".join(readers),
            expected=f"an output in {' or '.join(readers)} (--format, or an --output ending "
            + ", ".join(s for s, f in SUFFIXES.items() if f in readers)
            + f"), or no --{name.replace('_', '-')}",
        )
    return given


def _scoring_options(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "gold": args.gold,
        "compare": args.compare,
        "layers": args.layers,
        "mentions": args.mentions,
        "claim_threshold": args.claim_threshold,
        "min_score": args.min_score,
        "bootstrap": args.bootstrap,
        "seed": args.seed,
        "confidence": args.confidence,
        "missing": args.missing,
        "compare_method": args.compare_method,
        "compare_samples": args.compare_samples,
        "alpha": args.alpha,
        "offsets": args.offsets,
        "end": args.end,
    }


def _emit_report(
    report: dict[str, Any],
    targets: list[tuple[Path | None, str]],
    explanation: Any,
    options: dict[str, Any],
) -> None:
    from sourcetrace.cli.interrupts import was_interrupted

    if was_interrupted():  # a Ctrl-C whose exception something swallowed: no report
        raise KeyboardInterrupt
    renderers = {
        name: partial(render_chunks, report, name, explanation, **options) for name in FORMATS
    }
    renderers["table"] = partial(render_table, report)
    emit_outputs(targets, renderers, documents=len(report["documents"]["scored"]))


def html_documents(value: str) -> int | None:
    """--html-documents: a count >= 0, or `all` (None)."""
    if value.strip().lower() == "all":
        return None
    try:
        count = int(value)
    except ValueError:
        count = -1
    if count < 0:
        raise argparse.ArgumentTypeError(f"{value!r} is not a count >= 0 or 'all'")
    return count


def _write_partial(args: argparse.Namespace) -> int:
    from sourcetrace.evaluation.partials import evaluate_partial, parse_shard
    from sourcetrace.report import to_json

    shard = parse_shard(args.shard) if args.shard is not None else (1, 1)
    checked_output(args.partial)
    partial_file = evaluate_partial(args.predictions, shard=shard, **_scoring_options(args))
    write_output(args.partial, to_json(partial_file))
    scored = len(partial_file["documents"]["scored"])
    print(
        f"wrote shard {shard[0]}/{shard[1]} ({scored} scored document(s)) to {shown(args.partial)}",
        file=sys.stderr,
    )
    return 0


# every format that renders a report without item outcomes (a merge has none)
MERGE_FORMATS = tuple(name for name, fmt in REGISTRY.items() if not fmt.needs_items)


def cmd_merge(args: argparse.Namespace) -> int:
    from sourcetrace.evaluation.partials import merge_partials, read_partials

    targets = output_formats(args.format, [args.output or STDOUT], MERGE_FORMATS)
    report = merge_partials(
        read_partials(args.partials), files=args.partials, per_document=args.per_document
    )
    _emit_report(report, targets, None, {})
    return 0


AGREEMENT_FILE = "annotations/AGREEMENT.md"
AGREEMENT_FORMATS = ("table", "json", "markdown")


def cmd_agreement(args: argparse.Namespace) -> int:
    from sourcetrace.agreement.passes import agreement
    from sourcetrace.report import to_json
    from sourcetrace.report.table import render_agreement_table

    choose_format(args.format, args.output, AGREEMENT_FORMATS, "markdown")  # before reading
    if args.output is not None:
        checked_output(args.output, allowed=(AGREEMENT_FILE,))
    report = agreement(args.passes, claim_threshold=args.claim_threshold)
    emit(
        args.format,
        args.output,
        {
            "table": lambda console: render_agreement_table(report, console),
            "json": lambda: to_json(report),
            "markdown": lambda: agreement_to_markdown(report),
        },
        default="markdown",
        allowed=(AGREEMENT_FILE,),
    )
    return 0


def cmd_leaderboard(args: argparse.Namespace) -> int:
    from rich.table import Table

    from sourcetrace.baselines import BASELINES, rerun
    from sourcetrace.cli.common import console
    from sourcetrace.paths import repo_root
    from sourcetrace.report.leaderboard import (
        PLOTTED,
        metric_value,
        require_plotting,
        write_leaderboard,
    )
    from sourcetrace.report.table import safe

    root = repo_root() or Path.cwd()
    runs = args.runs or root / "evaluate" / "runs"
    markdown = args.output or root / "evaluate" / "LEADERBOARD.md"
    png = args.plot or markdown.with_name("leaderboard.png")
    for path in (markdown, png):
        checked_output(path)
    require_plotting()  # before anything is written: a leaderboard without its plot is half one
    if args.rerun:
        remade = rerun(runs)
        names = ", ".join(shown(name) for name in remade)
        print(f"re-made {len(remade)} baseline run(s): {names}", file=sys.stderr)
    references = [name for name, baseline in BASELINES.items() if baseline.reference]
    entries = write_leaderboard(runs, markdown, png, references=references)
    table = Table(title=safe(f"leaderboard: {len(entries)} run(s), F1 % (see {markdown.name})"))
    table.add_column("system")
    for name in PLOTTED.values():
        table.add_column(name, justify="right")
    for entry in entries:
        values = [metric_value(entry["report"], name) for name in PLOTTED.values()]
        cells = ("-" if v is None else f"{100 * v[0]:.2f}" for v in values)
        table.add_row(safe(entry["system"]), *cells)
    console().print(table)
    print(f"wrote {shown(markdown)} and {shown(png)}", file=sys.stderr)
    return 0


def add_commands(commands: Any) -> None:
    from sourcetrace.evaluation.settings import COMPARE_METHODS, Settings
    from sourcetrace.schema.labels import names
    from sourcetrace.schema.validation import LAYERS

    evaluate = commands.add_parser(
        "evaluate",
        help="score a system's predictions against the gold",
        description="Score predictions (JSONL, JSON, or a folder of per-document JSON files) "
        "against the packaged corpus or --gold. Predictions are validated first; "
        "every problem is reported with its line. Nothing under corpus/ or "
        "annotations/ is written.",
    )
    from sourcetrace._version import __version__

    evaluate.add_argument("--version", action="version", version=f"sourcetrace {__version__}")
    evaluate.add_argument("predictions", type=Path, metavar="PRED.jsonl")
    evaluate.add_argument(
        "--gold",
        type=Path,
        help="a corpus folder, a folder of <doc_id>.json gold files (annotations/gold), or a "
        "gold JSONL with texts (default: the packaged corpus)",
    )
    evaluate.add_argument(
        "--layers",
        nargs="+",
        choices=LAYERS,
        help="layers to score (default: every layer the predictions have)",
    )
    evaluate.add_argument(
        "--mentions",
        nargs="+",
        choices=names("mention_kinds"),
        help="score entities on these gold mention kinds only",
    )
    evaluate.add_argument(
        "--claim-threshold",
        type=float,
        default=Settings.claim_threshold,
        help="lenient claim/content match: overlap Dice or token F1 >= this (default %(default)s)",
    )
    evaluate.add_argument(
        "--min-score",
        type=float,
        metavar="T",
        help="score only the items whose `score` is at or above T (in [0, 1]; recorded in the "
        "signature); needs predictions with scores",
    )
    add_output_options(evaluate, FORMATS, several=True)
    from sourcetrace.report.page import DEFAULT_DOCUMENTS
    from sourcetrace.report.tsv import CONTEXT_CHARACTERS

    evaluate.add_argument(
        "--html-documents",
        type=html_documents,
        default=argparse.SUPPRESS,  # not given: the page's default; given: refused without a page
        metavar="N|all",
        help=f"documents whose text the HTML page shows, worst first (default {DEFAULT_DOCUMENTS}"
        "; the summary and counts are always of every document). tsv and csv list every item "
        "of every document instead: one row per match, miss or false positive, with its spans, "
        f"types and {CONTEXT_CHARACTERS} characters of context on each side",
    )
    evaluate.add_argument(
        "--bootstrap",
        type=int,
        default=0,
        metavar="N",
        help="bootstrap confidence intervals over documents with N samples",
    )
    evaluate.add_argument(
        "--confidence",
        type=float,
        default=Settings.confidence,
        metavar="C",
        help="level of the --bootstrap intervals, in (0, 1) (default %(default)s)",
    )
    evaluate.add_argument(
        "--seed",
        type=int,
        default=Settings.seed,
        help="seed of the --bootstrap draws and of the --compare test's random swaps or "
        "resamples (default %(default)s)",
    )
    evaluate.add_argument(
        "--compare",
        type=Path,
        metavar="OTHER.jsonl",
        help="paired significance test against another system's predictions",
    )
    evaluate.add_argument(
        "--compare-method",
        default=Settings.compare_method,
        choices=COMPARE_METHODS,
        help="approximate-randomization swaps the two systems' outputs per document (exact, "
        "all 2^D swaps, when 2^D <= --compare-samples); paired-bootstrap resamples documents "
        "(default %(default)s)",
    )
    evaluate.add_argument(
        "--compare-samples",
        type=int,
        default=Settings.compare_samples,
        metavar="N",
        help="random swaps or resamples of the --compare test; with D documents p cannot go "
        "below 1/(N+1), nor below 2/2^D for randomization (default %(default)s)",
    )
    evaluate.add_argument(
        "--alpha",
        type=float,
        default=Settings.alpha,
        help="with --compare, mark p below this level as significant (default %(default)s)",
    )
    evaluate.add_argument(
        "--missing",
        choices=["error", "empty"],
        default="error",
        help="a gold document with no prediction: an error (default) or scored as 'found nothing'",
    )
    evaluate.add_argument(
        "--per-document",
        action="store_true",
        help="add each layer's scores per document to the report (most of a large report)",
    )
    evaluate.add_argument(
        "--partial",
        type=Path,
        metavar="OUT.json",
        help="write this shard's per-document statistics for `sourcetrace merge` instead of a "
        "report",
    )
    evaluate.add_argument(
        "--shard",
        metavar="K/N",
        help="with --partial: score the K-th of N equal blocks of the sorted document ids",
    )
    evaluate.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="score the run in shards on a local Dask cluster of N worker processes and merge "
        "them (the scale extra): JSON Lines inputs in chunks of documents, other inputs one shard "
        "per worker. N is lowered to the usable cores and the number of documents, "
        "with a note on stderr. Dask's own log lines show only with SOURCETRACE_DASK_LOGS=1; "
        "Ctrl-C closes the cluster and exits 130 without a report",
    )
    evaluate.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="score the run on the running Dask cluster of this scheduler (e.g. "
        "tcp://10.0.0.5:8786), in shards as --workers does, and merge them; not with --workers. "
        "The "
        "workers read the input files by absolute path: they need a shared file system",
    )
    add_problem_options(evaluate)
    add_quiet_option(evaluate)
    evaluate.set_defaults(handler=cmd_evaluate)

    merge = commands.add_parser(
        "merge",
        help="add up the partial files of a sharded evaluate into one report",
        description="Merge the files of `evaluate --partial OUT --shard K/N` (every shard of one "
        "run, in any order) into the report one run would have given, bootstrap intervals and "
        "--compare tests included. Every partial is checked first (its sha256, its shard, its "
        "documents, every count against its document's bounds and its layer's identities); one "
        "that fails exits 2, naming the file and the JSON pointer.",
    )
    merge.add_argument("partials", nargs="+", type=Path, metavar="PARTIAL.json")
    add_output_options(merge, MERGE_FORMATS)
    merge.add_argument(
        "--per-document", action="store_true", help="add each layer's scores per document"
    )
    add_quiet_option(merge)
    merge.set_defaults(handler=cmd_merge)

    agreement = commands.add_parser(
        "agreement",
        help="score annotation passes against each other",
        description="Score two or more annotation passes against each other with the same "
        "scorers as evaluate, plus Cohen's kappa on attributes of matched items "
        "(and Krippendorff's alpha across all passes when there are more than two). "
        "A pass is a folder of <doc_id>.json gold files or a gold JSONL.",
    )
    agreement.add_argument("passes", nargs="+", type=Path, metavar="PASS")
    agreement.add_argument("--claim-threshold", type=float, default=0.5)
    add_output_options(agreement, AGREEMENT_FORMATS, default="markdown")

    leaderboard = commands.add_parser(
        "leaderboard",
        help="re-score every run in evaluate/runs, write LEADERBOARD.md and the plot",
        description="Score every evaluate/runs/<system>/predictions.jsonl against the packaged "
        "gold with bootstrap intervals, and write evaluate/LEADERBOARD.md (per layer and scheme) "
        "and evaluate/leaderboard.png (F1 per layer and system, with intervals). Needs "
        "matplotlib (the baselines extra).",
    )
    leaderboard.add_argument("--runs", type=Path, help="default: evaluate/runs of the checkout")
    leaderboard.add_argument("--output", type=Path, help="default: evaluate/LEADERBOARD.md")
    leaderboard.add_argument("--plot", type=Path, help="default: leaderboard.png beside --output")
    leaderboard.add_argument(
        "--rerun",
        action="store_true",
        help="first make every baseline run again from its run.json (after a gold correction)",
    )
    leaderboard.set_defaults(handler=cmd_leaderboard)
    agreement.set_defaults(handler=cmd_agreement)
