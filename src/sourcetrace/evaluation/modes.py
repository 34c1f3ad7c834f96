"""Which way a run is scored: plain, explained (item outcomes for the HTML page) or on a Dask
cluster (`--workers`). The library chooses, from what the output needs and what was asked, so
that every option works with every format or is refused with a message; the command line only
passes them on. (A sharded run, `--partial --shard K/N`, writes statistics, not a report: see
partials.py.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sourcetrace.errors import InputError


def refuse_unsupported(
    *, explain: bool, workers: int | None, min_score: Any, scheduler: str | None = None
) -> None:
    """The combinations no run mode can honour, refused before anything is read."""
    if workers is not None and scheduler is not None:
        raise InputError(
            "--workers with --scheduler: --workers starts a local Dask cluster, --scheduler "
            "uses a running one",
            expected="--workers N (a local cluster of N processes) or --scheduler ADDRESS (an "
            "existing cluster, one shard per worker), not both",
        )
    option = "--scheduler" if scheduler is not None else "--workers"
    if (workers is not None or scheduler is not None) and explain:
        raise InputError(
            f"{option} with the HTML page or the tsv/csv error list, which are drawn from every "
            "document's items in one process",
            expected=f"{option} with --format table, json or markdown, or the page or the error "
            f"list without {option}",
        )
    if (workers is not None or scheduler is not None) and min_score is not None:
        raise InputError(
            f"--min-score with {option}",
            expected=f"evaluate without {option} when scores are used (sharded scoring does "
            "not merge precision-recall curves)",
        )


def evaluate_in_mode(
    predictions: Any,
    *,
    explain: bool = False,
    stream: bool = False,
    workers: int | None = None,
    scheduler: str | None = None,
    per_document: bool = False,
    progress: Callable[[str], None] | None = None,
    **options: Any,
) -> tuple[dict[str, Any], Any]:
    """(report, explanation or None). ``explain``: the item outcomes too, as a dict by doc_id,
    or with ``stream`` an iterator of (doc_id, outcomes) made as it is read (one output drawn
    from it: a run of any size is written without holding every document's items);
    ``workers``: score on a local Dask cluster; ``scheduler``: on the Dask cluster of that
    scheduler address."""
    refuse_unsupported(
        explain=explain, workers=workers, min_score=options.get("min_score"), scheduler=scheduler
    )
    if explain:
        from sourcetrace.evaluation.byte_ranges import explain_by_chunks_or_whole

        report, explanations = explain_by_chunks_or_whole(  # always with per-document scores
            predictions, per_document=True, **options
        )
        if stream:
            return report, explanations
        from sourcetrace.progress import stage

        documents = len(report["documents"]["scored"])
        with stage(f"explaining {documents} document(s) item by item", size=documents):
            return report, dict(explanations)
    if workers is not None or scheduler is not None:
        from sourcetrace.evaluation.scale import evaluate_on_dask

        report = evaluate_on_dask(
            predictions,
            workers=2 if workers is None else workers,
            scheduler=scheduler,
            per_document=per_document,
            progress=progress,
            **options,
        )
        return report, None
    from sourcetrace.evaluation.byte_ranges import evaluate_by_chunks_or_whole

    return evaluate_by_chunks_or_whole(predictions, per_document=per_document, **options), None
