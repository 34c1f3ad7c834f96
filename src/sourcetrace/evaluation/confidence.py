"""Confidence scores: `--min-score`, precision-recall curves, average precision, best-F1 threshold.

A prediction item (entity, claim, attribution) may carry ``score``, a number in [0, 1]. Each
distinct score of a layer is a threshold; at a threshold the layer is scored as if only the items
scored at or above it had been predicted, by the layer's own scorer (the same matching, the same
counts as the report). Because every layer matches one-to-one, an item can pair differently once
a better-scored item is removed, so the outcome of an item is not fixed by one sort: each
document is re-scored at each of its own distinct scores (one batch of the layer's scorer). A
layer's tallies add up over documents, and a document's tally only changes at its own scores, so
the run's tally at a threshold is the sum, per document, of its tally at its lowest own score at
or above that threshold (or of its empty prediction), kept as a running sum from the highest
threshold down: exact, at most MAX_THRESHOLDS thresholds per layer.

Average precision is scikit-learn's step-wise `average_precision_score`:
AP = sum over thresholds, from the highest down, of (R_n - R_(n-1)) x P_n, with R_0 = 0 and
recall over every gold item (so AP is at most the recall of the full prediction).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain, repeat
from operator import contains
from typing import Any

from sourcetrace.errors import InputError
from sourcetrace.evaluation.inputs import GoldSet, Predictions
from sourcetrace.evaluation.settings import Settings
from sourcetrace.schema.column_records import has_scored_items
from sourcetrace.schema.validation import LAYERS
from sourcetrace.scoring.common import f1_score
from sourcetrace.scoring.registry import SCORERS, at_path

AP_DEFINITION = (
    "step-wise, as sklearn.metrics.average_precision_score: sum over thresholds from the "
    "highest down of (R_n - R_n-1) * P_n, R_0 = 0, recall over all gold items"
)
# the most distinct scores of one layer that are each a threshold (see the module docstring)
MAX_THRESHOLDS = 2000


def has_scores(predictions: Predictions, layer: str) -> bool:
    """True when some item of this layer carries a score (the items tested in C, as this runs
    on every item of every run)."""
    documents = list(predictions.documents.values())
    found = has_scored_items(documents, layer)  # records of clean chunks: from their columns
    if found is not None:
        return found
    items = chain.from_iterable(doc.get(layer) or [] for doc in documents)
    return any(map(contains, items, repeat("score")))  # "score" in item


def check_scores(predictions: Predictions, layers: Iterable[str]) -> tuple[str, ...]:
    """The scored layers whose items carry scores; an item without a score in such a layer is
    refused (a missing score read as 1.0 or 0.0 would move the curve without a word)."""
    with_scores = []
    for layer in layers:
        if not has_scores(predictions, layer):
            continue
        for doc_id, doc in sorted(predictions.documents.items()):
            for index, item in enumerate(doc.get(layer) or []):
                if "score" not in item:
                    raise InputError(
                        f"{layer} item {index} of {doc_id!r} has no score, while other {layer} "
                        "items of the predictions do",
                        file=predictions.where.get(doc_id, predictions.source),
                        pointer=f"/{layer}/{index}/score",
                        expected=f"a score in [0, 1] on every {layer} item, or on none",
                    )
        with_scores.append(layer)
    return tuple(with_scores)


def check_min_score(predictions: Predictions, layers: Iterable[str], settings: Settings) -> None:
    """Refuse mixed scores (check_scores), and ``--min-score`` on predictions without any score:
    it would silently change nothing."""
    scored = check_scores(predictions, layers)
    if settings.min_score is not None and not scored:
        raise InputError(
            f"--min-score {settings.min_score} given, but no scored item carries a score",
            file=predictions.source,
            expected='a "score" in [0, 1] on the items of the scored layers, or no --min-score',
        )


def layer_view(
    prediction: Mapping[str, Any], layer: str, min_score: float | None
) -> Mapping[str, Any]:
    """A predicted document as one layer's scorer sees it under ``--min-score``: only that
    layer's own items are thinned. The items of other layers stay whole, because an attribution
    names its source by an entity mention id and its content by claim ids: those references
    keep their spans whatever the entity's or the claim's own score."""
    if min_score is None or layer not in prediction:
        return prediction
    return {**prediction, layer: kept(prediction[layer] or [], min_score)}


def refuse_in_shards(predictions: Predictions, layers: Iterable[str]) -> None:
    """Shards (`--partial`, `--workers`) add up per-document tallies; the curves re-score every
    threshold over the whole run, which a partial file does not hold: refused, not dropped."""
    scored = [layer for layer in layers if has_scores(predictions, layer)]
    if scored:
        raise InputError(
            f"the predictions carry confidence scores ({', '.join(scored)}): sharded scoring "
            "(--partial, --workers) does not merge precision-recall curves or --min-score",
            file=predictions.source,
            expected="evaluate without --partial/--workers (one process scores the curves), "
            "or predictions without scores",
        )


def kept(items: Sequence[Mapping[str, Any]], threshold: float) -> list[Mapping[str, Any]]:
    """The items scored at or above the threshold (a layer without scores is kept whole:
    check_scores refuses a layer where only some items carry one)."""
    return [item for item in items if "score" not in item or item["score"] >= threshold]


# ---------------------------------------------------------------- the curve


def average_precision(precision: Sequence[float], recall: Sequence[float]) -> float:
    """Step-wise AP (see AP_DEFINITION) of points ordered from the highest threshold down."""
    total, previous = 0.0, 0.0
    for p, r in zip(precision, recall, strict=True):
        total += (r - previous) * p
        previous = r
    return total


def best_f1(
    thresholds: Sequence[float], precision: Sequence[float], recall: Sequence[float]
) -> dict[str, float]:
    """The point of highest F1; on a tie the highest threshold (fewest items kept)."""
    best = max(
        range(len(thresholds)),
        key=lambda i: (f1_score(precision[i], recall[i]), thresholds[i]),
    )
    return {
        "threshold": thresholds[best],
        "precision": precision[best],
        "recall": recall[best],
        "f1": f1_score(precision[best], recall[best]),
    }


def curve(
    thresholds: Sequence[float], precision: Sequence[float], recall: Sequence[float]
) -> dict[str, Any]:
    """One curve of the report: its points (highest threshold first), AP and best-F1 point."""
    return {
        "thresholds": list(thresholds),
        "precision": list(precision),
        "recall": list(recall),
        "f1": [f1_score(p, r) for p, r in zip(precision, recall, strict=True)],
        "average_precision": average_precision(precision, recall),
        "best_f1": best_f1(thresholds, precision, recall),
    }


# ---------------------------------------------------------------- scoring at every threshold


def confidence_sections(
    gold: GoldSet, predictions: Predictions, layers: Iterable[str], settings: Settings
) -> dict[str, dict[str, Any]]:
    """Per annotation layer with scores: its `confidence` section (see the module docstring)."""
    scored = check_scores(predictions, layers)
    return {
        layer: layer_confidence(gold, predictions, layer, settings)
        for layer in scored
        if any(scorer.curves for scorer in SCORERS if scorer.layer == layer)
    }


def layer_confidence(
    gold: GoldSet, predictions: Predictions, layer: str, settings: Settings
) -> dict[str, Any]:
    """The curves of one layer: its scorer summarised at every distinct score."""
    (scorer,) = [s for s in SCORERS if s.layer == layer and s.curves]
    empty: Mapping[str, Any] = {name: [] for name in LAYERS}
    documents = [  # under --min-score, the curve starts at that threshold
        (
            gold.documents[d],
            layer_view(predictions.documents.get(d, empty), layer, settings.min_score),
            gold.texts[d],
        )
        for d in sorted(gold.documents)
    ]
    own_scores = [
        sorted({float(item["score"]) for item in pred.get(layer) or []}) for _, pred, _ in documents
    ]
    thresholds = sorted(set().union(*own_scores), reverse=True)
    if len(thresholds) > MAX_THRESHOLDS:
        raise InputError(
            f"the {layer} items carry {len(thresholds):,} distinct scores; each is a threshold "
            f"re-scored exactly, and at most {MAX_THRESHOLDS:,} are taken",
            file=predictions.source,
            pointer=f"/{layer}",
            expected="scores rounded to fewer distinct values (e.g. 3 decimals), or no scores",
        )
    # one row per (document, own score), lowest score first, then the document's empty
    # prediction: every tally the curve needs, scored in one batch (the entity scorer's columns)
    row_ids: list[str] = []
    batch: list[tuple[Mapping[str, Any], Mapping[str, Any], str]] = []
    for (gold_doc, pred, text), own in zip(documents, own_scores, strict=True):
        items = pred.get(layer) or []
        for index, threshold in enumerate([*own, None]):
            row_ids.append(f"{gold_doc['doc_id']}#{index}")
            thinned = [] if threshold is None else kept(items, threshold)
            batch.append((gold_doc, {**pred, layer: thinned}, text))
    table = scorer.tally_documents(row_ids, batch, settings).numeric()
    # the run at a threshold: per document, the row of its lowest own score at or above it.
    # From the highest threshold down, a document moves from its empty row to its row of
    # own[i] exactly at the threshold own[i]: one swap of rows.
    empty_rows, swaps_at = [], defaultdict(list)
    first = 0
    for own in own_scores:
        for index, threshold in enumerate(own):
            swaps_at[threshold].append((first + index + 1, first + index))
        empty_rows.append(first + len(own))
        first += len(own) + 1
    totals = table.running_totals(empty_rows, (swaps_at[t] for t in thresholds))
    points: dict[str, tuple[list[float], list[float]]] = {n: ([], []) for n, _ in scorer.curves}
    for total in totals:
        section = scorer.summarize(total.get(scorer.name, {}), settings)
        for name, path in scorer.curves:
            node = at_path(section, path)
            points[name][0].append(float(node["precision"]))
            points[name][1].append(float(node["recall"]))
    return {
        "items": sum(len(pred.get(layer) or []) for _, pred, _ in documents),
        "thresholds": len(thresholds),
        "average_precision": AP_DEFINITION,
        "curves": {
            name: curve(thresholds, precision, recall)
            for name, (precision, recall) in points.items()
        },
    }
