"""`evaluate`: score every layer of the predictions against the gold, and build the report.

Reading and validating the inputs is inputs.py, the settings and signature settings.py, the
scorers the registry of layers.py; this module runs them. A run is first a table of
per-document tallies (tallies.py): the report, the bootstrap, the paired test and a partial
file for `sourcetrace merge` (partials.py) are all made from it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

from sourcetrace._version import __version__
from sourcetrace.evaluation.confidence import check_min_score, confidence_sections, layer_view
from sourcetrace.evaluation.inputs import (
    GoldSet,
    Predictions,
    check_coverage,
    load_gold,
    load_predictions,
    reading_options,
    scored_layers,
)
from sourcetrace.evaluation.settings import MAX_SAMPLES, Settings, make_settings, signature
from sourcetrace.progress import stage
from sourcetrace.schema.conventions import OURS, Convention
from sourcetrace.schema.validation import LAYERS
from sourcetrace.scoring.registry import (
    headline_metrics,
    headline_values,
    per_document_sections,
    scorers_for,
    summarize,
)
from sourcetrace.scoring.tallies import TallyTable

EMPTY_PREDICTION: Mapping[str, Any] = {layer: [] for layer in LAYERS}
# How the report's scores are written: precision 0.8363, not 83.63 (the table, Markdown, HTML and
# leaderboard show percent and say so)
UNITS = "fraction"


def tally_run(
    gold: GoldSet,
    predictions: Predictions,
    layers: Iterable[str],
    settings: Settings,
) -> TallyTable:
    """Per-document tallies of every scored layer for every gold document, in document-id
    order; a document without prediction is scored as empty."""
    doc_ids = sorted(gold.documents)
    batch = [
        (
            gold.documents[doc_id],
            predictions.documents.get(doc_id, EMPTY_PREDICTION),
            gold.texts[doc_id],
        )
        for doc_id in doc_ids
    ]
    return (
        TallyTable.side_by_side(
            [
                scorer.tally_documents(doc_ids, _thinned(batch, scorer.layer, settings), settings)
                for scorer in scorers_for(layers)
            ]
        )
        if layers
        else TallyTable.empty(doc_ids)
    )


def _thinned(
    batch: list[tuple[Any, Any, str]], layer: str, settings: Settings
) -> list[tuple[Any, Any, str]]:
    """The batch as the scorer of ``layer`` sees it under --min-score (confidence.layer_view)."""
    if settings.min_score is None:
        return batch
    return [(gold, layer_view(pred, layer, settings.min_score), text) for gold, pred, text in batch]


def score(
    gold: GoldSet,
    predictions: Predictions,
    settings: Settings,
    *,
    per_document: bool = False,
) -> tuple[dict[str, Any], TallyTable, tuple[str, ...]]:
    """The report's `layers` part, the per-document tallies behind it, and the scored layers."""
    layers = scored_layers(predictions, settings)
    table = tally_run(gold, predictions, layers, settings)
    return layer_sections(table, layers, settings, per_document=per_document), table, layers


def layer_sections(
    table: TallyTable, layers: tuple[str, ...], settings: Settings, *, per_document: bool
) -> dict[str, Any]:
    """The report's `layers` part from the per-document tallies."""
    sections = summarize(table.total(), layers, settings)
    if per_document:
        per_document_sections(table.documents(), layers, sections)
    return sections


def evaluate(
    predictions: Any,
    gold: Any = None,
    *,
    compare: Any = None,
    per_document: bool = False,
    **options: Any,
) -> dict[str, Any]:
    """Score predictions against gold; returns the report as plain data.

    ``predictions``/``compare``: a path (JSONL, JSON, or a folder of per-document JSON files), a
    list of prediction records, or a dict doc_id -> record. ``gold``: None for the packaged
    corpus, a corpus folder, a gold JSONL with texts, or a list of gold records with texts.
    ``per_document`` adds each layer's scores per document. ``options`` are the fields of
    Settings (layers, mentions, claim_threshold, bootstrap, seed, confidence, missing,
    compare_method, compare_samples, alpha, min_score), and how the predictions count their
    offsets: ``offsets`` ("codepoint", "utf16" or "utf8") and ``end`` ("exclusive" or
    "inclusive"), default code points, end exclusive (schema/conventions.py). Items that carry a
    ``score`` add precision-recall curves (scoring/confidence.py).
    """
    return _evaluate(predictions, gold, compare, per_document, options)[0]


def evaluate_and_explain(
    predictions: Any, gold: Any = None, *, compare: Any = None, **options: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The report of `evaluate` (with per-document scores), and per scored document the
    outcome of every gold and predicted item (see explain.py): what the HTML page shows."""
    report, explanations = evaluate_with_explanations(
        predictions, gold, compare=compare, per_document=True, **options
    )
    return report, dict(explanations)


def evaluate_with_explanations(
    predictions: Any,
    gold: Any = None,
    *,
    compare: Any = None,
    per_document: bool = True,
    **options: Any,
) -> tuple[dict[str, Any], Iterator[tuple[str, dict[str, Any]]]]:
    """The report of `evaluate`, and an iterator of (doc_id, explanation) in document-id order,
    each made only when it is asked for: a run of any size is written item by item (the TSV,
    the HTML page's counts) without holding every document's items at once."""
    report, gold_set, preds, settings, layers = _evaluate(
        predictions, gold, compare, per_document, options
    )
    return report, explanations_of(gold_set, preds, settings, layers)


def explanations_of(
    gold_set: GoldSet, preds: Predictions, settings: Settings, layers: tuple[str, ...]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(doc_id, explanation) of every gold document, in document-id order, made when asked."""
    from sourcetrace.evaluation.explain import explain_document

    for doc_id in sorted(gold_set.documents):
        text = gold_set.texts[doc_id]
        explained: dict[str, Any] = {"text": text}
        for layer in layers:
            explained |= explain_document(
                gold_set.documents[doc_id],
                layer_view(
                    preds.documents.get(doc_id, EMPTY_PREDICTION), layer, settings.min_score
                ),
                (layer,),
                text=text,
                mentions=settings.mentions,
                claim_threshold=settings.claim_threshold,
            )
        yield doc_id, explained


def claims_found(
    predictions: Any, gold: Any, documents: Sequence[Mapping[str, Any]]
) -> dict[tuple[str, str], bool]:
    """(doc_id, claim id) -> whether the system's claims matched it (lenient, as explain says).
    Documents the predictions lack are scored as 'found nothing'. (The story page's marks.)"""
    _, explanation = evaluate_and_explain(predictions, gold, layers=["claims"], missing="empty")
    found = {}
    for doc in documents:
        items = explanation[doc["doc_id"]]["claims"]["gold"]
        for claim, item in zip(doc["claims"], items, strict=True):
            found[doc["doc_id"], claim["id"]] = item["outcome"] != "missed"
    return found


def _evaluate(
    predictions: Any, gold: Any, compare: Any, per_document: bool, options: Mapping[str, Any]
) -> tuple[dict[str, Any], GoldSet, Predictions, Settings, tuple[str, ...]]:
    convention, options = reading_options(options)
    settings = make_settings(**options)
    gold_set = load_gold(gold)
    documents = len(gold_set.documents)
    with reading_stage(documents):
        preds = load_predictions(predictions, gold_set, convention=convention)
    missing, unscored = check_coverage(gold_set, preds, settings, preds.source)
    layers = scored_layers(preds, settings)
    check_min_score(preds, layers, settings)
    with scoring_stage(layers, documents):
        table = tally_run(gold_set, preds, layers, settings)
    other = None
    if compare is not None:
        with comparing_stage(documents):
            identity, other_table, _ = compared_system(
                compare, gold_set, layers, settings, convention=convention
            )
        other = identity, other_table
    report = build_report(
        table,
        layers,
        settings,
        corpus=corpus_identity(gold_set),
        predictions={
            "source": preds.source,
            "sha256": preds.sha256,
            "documents": len(preds.documents),
        },
        documents={
            "scored": sorted(gold_set.documents),
            "missing_scored_as_empty": missing,
            "not_scored_unannotated": unscored,
        },
        other=other,
        per_document=per_document,
    )
    for layer, section in confidence_sections(gold_set, preds, layers, settings).items():
        report["layers"][layer]["confidence"] = section
    return report, gold_set, preds, settings, layers


def reading_stage(documents: int) -> AbstractContextManager[None]:
    """The progress stage of reading the predictions of ``documents`` gold documents."""
    return stage(f"reading the predictions of {documents} gold document(s)", size=documents)


def scoring_stage(layers: tuple[str, ...], documents: int) -> AbstractContextManager[None]:
    """The progress stage of scoring ``layers`` on ``documents`` documents."""
    named = ", ".join(layers) if layers else "no layer"
    return stage(f"scoring {named} on {documents} document(s)", size=documents)


def comparing_stage(documents: int) -> AbstractContextManager[None]:
    """The progress stage of reading and scoring the system of --compare."""
    return stage(
        f"reading and scoring the compared system ({documents} document(s))", size=documents
    )


def corpus_identity(gold: GoldSet) -> dict[str, Any]:
    """The report's `corpus` part: which gold the numbers are against."""
    return {
        "version": gold.version,
        "data_sha256": gold.data_sha256,
        "source": gold.source,
        "documents": len(gold.documents),
    }


def compared_system(
    other: Any,
    gold: GoldSet,
    layers: tuple[str, ...],
    settings: Settings,
    *,
    within: Callable[[Any], bool] | None = None,
    scored: GoldSet | None = None,
    convention: Convention = OURS,
) -> tuple[dict[str, Any], TallyTable, Predictions]:
    """The second system of `--compare`: its identity, its per-document tallies, scored on
    the same layers and documents, and its predictions. ``within`` and ``scored`` (a shard's
    gold) restrict both to one shard, as `evaluate_partial` does for the first system. The other
    file is read in the same offset ``convention`` as the first."""
    scored = gold if scored is None else scored
    other_preds = load_predictions(other, gold, within, convention)
    check_coverage(scored, other_preds, settings, other_preds.source)
    other_settings = Settings(**{**settings.__dict__, "layers": layers})
    other_layers = scored_layers(other_preds, other_settings)
    check_min_score(other_preds, other_layers, settings)
    table = tally_run(scored, other_preds, other_layers, settings)
    return {"source": other_preds.source, "sha256": other_preds.sha256}, table, other_preds


def build_report(
    table: TallyTable,
    layers: tuple[str, ...],
    settings: Settings,
    *,
    corpus: Mapping[str, Any],
    predictions: Mapping[str, Any],
    documents: Mapping[str, Any],
    other: tuple[Mapping[str, Any], TallyTable] | None = None,
    per_document: bool = False,
) -> dict[str, Any]:
    """The report from the per-document tallies of a run (one process, or merged shards)."""
    sections = layer_sections(table, layers, settings, per_document=per_document)
    report: dict[str, Any] = {
        "signature": signature(
            corpus["version"], corpus["data_sha256"], layers, settings, compared=other is not None
        ),
        "toolkit": {"name": "sourcetrace", "version": __version__},
        "units": UNITS,
        "corpus": dict(corpus),
        "predictions": dict(predictions),
        "settings": settings.as_dict(layers),
        "layers": sections,
        "documents": dict(documents),
        "statistics": {},
    }
    documents = len(table.doc_ids)
    if settings.bootstrap:
        from sourcetrace.evaluation.stats import bootstrap_cis

        with stage(
            f"bootstrap: {settings.bootstrap} sample(s) over {documents} document(s)",
            size=documents,
        ):
            report["statistics"]["bootstrap"] = bootstrap_cis(
                table.numeric(),
                headline_values(layers, settings),
                n=settings.bootstrap,
                seed=settings.seed,
                confidence=settings.confidence,
            )
    if other is not None:
        from sourcetrace.evaluation.stats import paired_tests, smallest_p

        identity, other_table = other
        with stage(
            f"paired test ({settings.compare_method}): {settings.compare_samples} sample(s) "
            f"over {documents} document(s)",
            size=documents,
        ):
            metrics = paired_tests(
                table.numeric(),
                other_table.numeric(),
                headline_values(layers, settings),
                n=settings.compare_samples,
                seed=settings.seed,
                method=settings.compare_method,
            )
        for result in metrics.values():
            result["significant"] = result["p_value"] < settings.alpha
        first = next(iter(metrics.values()), None)
        report["statistics"]["comparison"] = {
            "other": dict(identity),
            "method": settings.compare_method,
            "exact": bool(first and first["exact"]),
            "samples": first["samples"] if first else settings.compare_samples,
            "seed": settings.seed,
            "documents": table.size,
            "smallest_p": smallest_p(settings.compare_method, table.size, settings.compare_samples),
            "alpha": settings.alpha,
            "metrics": metrics,
        }
    report["notes"] = report_notes(report)
    return report


SMALL_SAMPLE = 10


def report_notes(report: Mapping[str, Any]) -> list[str]:
    """What a reader of the numbers must know that the numbers do not show."""
    notes = []
    entities = report["layers"].get("entities", {})
    if entities.get("unanchored_predictions"):
        notes.append(
            f"{entities['unanchored_predictions']} text-only entity prediction(s) were not found "
            "in the text and count as spurious"
        )
    if entities.get("ignored_predictions"):
        notes.append(
            f"{entities['ignored_predictions']} entity prediction(s) on gold mentions outside "
            "the mention filter were ignored (neither correct nor spurious)"
        )
    documents = report["documents"]
    if documents["missing_scored_as_empty"]:
        notes.append(
            "no prediction, scored as 'found nothing' (--missing empty): "
            + ", ".join(documents["missing_scored_as_empty"])
        )
    if documents["not_scored_unannotated"]:
        notes.append(
            "predictions for documents that have no gold yet were not scored: "
            + ", ".join(documents["not_scored_unannotated"])
        )
    scored = len(documents["scored"])
    statistics = report["statistics"]
    if statistics.get("bootstrap") and scored < SMALL_SAMPLE:
        notes.append(
            f"only {scored} document(s) are resampled: the bootstrap intervals are coarse and "
            "unreliable"
        )
    if statistics.get("comparison"):
        notes.append(comparison_note(statistics["comparison"]))
    return notes


def comparison_note(comparison: Mapping[str, Any]) -> str:
    """What the paired test was, and what its p-values can and cannot show."""
    documents, alpha, floor = comparison["documents"], comparison["alpha"], comparison["smallest_p"]
    if comparison["exact"]:
        how = (
            f"exact randomization test: all {comparison['samples']:,} = 2^{documents} ways of "
            f"swapping the two systems' outputs on {documents} document(s), p = share of them "
            "with |A - B| at least the observed"
        )
    elif comparison["method"] == "approximate-randomization":
        how = (
            f"approximate randomization: {comparison['samples']:,} random swaps of the two "
            f"systems' outputs on {documents} document(s), p = (count + 1) / (samples + 1)"
        )
    else:
        how = (
            f"paired bootstrap: {comparison['samples']:,} resamples of {documents} document(s), "
            "p = (count + 1) / (samples + 1)"
        )
    verdict = (
        f"so no difference can reach p < {alpha:g}" if floor >= alpha else f"* marks p < {alpha:g}"
    )
    note = f"{how}; the smallest p it can give is {floor:.4g}, {verdict}"
    if comparison["method"] == "paired-bootstrap" and documents < SMALL_SAMPLE:
        note += f"; a bootstrap of {documents} document(s) understates the spread"
    return note


__all__ = [
    "MAX_SAMPLES",
    "UNITS",
    "Settings",
    "build_report",
    "comparing_stage",
    "evaluate",
    "evaluate_and_explain",
    "evaluate_with_explanations",
    "explanations_of",
    "headline_metrics",
    "load_gold",
    "load_predictions",
    "make_settings",
    "reading_stage",
    "score",
    "scoring_stage",
    "signature",
]
