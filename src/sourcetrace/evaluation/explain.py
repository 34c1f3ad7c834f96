"""Item by item: what each count of a report is made of, for error analysis (the HTML report).

Every outcome here comes from the same matchings the scorers count, so the number of items marked
`missed` and `spurious` per layer equals the report's counts: entities under the `strict` scheme,
claims at the `lenient` span level, attributions as `triple` at the `lenient` level.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sourcetrace.schema.validation import LAYERS
from sourcetrace.scoring.attributions import TRIPLE_PARTS, attribution_matches, wrong_extras
from sourcetrace.scoring.claims import lenient_claim_pairs, strict_claim_pairs
from sourcetrace.scoring.entities import align_entities
from sourcetrace.scoring.registry import at_path, figures


def explain_document(
    gold_doc: Mapping[str, Any],
    pred_doc: Mapping[str, Any],
    layers: Iterable[str],
    *,
    text: str,
    mentions: frozenset[str] | None = None,
    claim_threshold: float = 0.5,
) -> dict[str, Any]:
    """The outcome of every gold and predicted item of one document, per scored layer."""
    layers = set(layers)
    explained: dict[str, Any] = {}
    if "entities" in layers:
        explained["entities"] = _entities(
            gold_doc["entities"], pred_doc.get("entities") or [], text, mentions
        )
    if "claims" in layers:
        explained["claims"] = _claims(
            gold_doc["claims"], pred_doc.get("claims") or [], claim_threshold
        )
    if "attributions" in layers:
        explained["attributions"] = _attributions(gold_doc, pred_doc, claim_threshold)
    return explained


def _entities(
    gold: list[dict], pred: list[dict], text: str, mentions: frozenset[str] | None
) -> dict[str, Any]:
    aligned = align_entities(gold, pred, text=text, mentions=mentions, scheme="strict")
    predicted = aligned["predicted"]
    gold_items = []
    for entity, row in zip(gold, aligned["gold"], strict=True):
        outcome = row["outcome"]
        if outcome == "incorrect":
            outcome = _error_kind(entity, predicted[row["match"]])
        gold_items.append(
            {
                **_span_of(entity),
                "type": entity["type"],
                "outcome": outcome,
                "mention": entity.get("mention"),
                "match": row["match"],
            }
        )
    pred_items = []
    for row in predicted:
        outcome = row["outcome"]
        if outcome == "incorrect":
            outcome = _error_kind(gold[row["match"]], row)
        pred_items.append({**row, "text": text[row["start"] : row["end"]], "outcome": outcome})
    return {"gold": gold_items, "predicted": pred_items, "unanchored": aligned["unanchored"]}


def _error_kind(gold: Mapping[str, Any], pred: Mapping[str, Any]) -> str:
    """A strict `incorrect` pair told apart: boundary error, type error, or both."""
    boundary = (gold["start"], gold["end"]) != (pred["start"], pred["end"])
    wrong_type = gold["type"] != pred["type"]
    return {(True, False): "boundary", (False, True): "type"}.get(
        (boundary, wrong_type), "boundary+type"
    )


def _claims(gold: list[dict], pred: list[dict], claim_threshold: float) -> dict[str, Any]:
    lenient = lenient_claim_pairs(gold, pred, claim_threshold=claim_threshold)
    strict = set(strict_claim_pairs(gold, pred))
    gold_items = [{**_span_of(c), "outcome": "missed", "match": None} for c in gold]
    pred_items = [{**_span_of(c), "outcome": "spurious", "match": None} for c in pred]
    for g, p in lenient:
        outcome = "matched" if (g, p) in strict else "boundary"
        attributes = [
            name
            for name in ("polarity", "certainty", "checkworthy")
            if pred[p].get(name) is not None and pred[p].get(name) != gold[g].get(name)
        ]
        gold_items[g].update(outcome=outcome, match=p, wrong_attributes=attributes)
        pred_items[p].update(outcome=outcome, match=g, wrong_attributes=attributes)
    return {"gold": gold_items, "predicted": pred_items}


def _attributions(
    gold_doc: Mapping[str, Any], pred_doc: Mapping[str, Any], claim_threshold: float
) -> dict[str, Any]:
    pred = {layer: pred_doc.get(layer) or [] for layer in LAYERS}
    matches = attribution_matches(gold_doc, pred, claim_threshold=claim_threshold)
    gold_items = [_attribution_item(a, gold_doc) for a in gold_doc["attributions"]]
    pred_items = [_attribution_item(a, pred) for a in pred["attributions"]]
    for item in gold_items:
        item["outcome"] = "missed"
    for item in pred_items:
        item["outcome"] = "spurious"
    for g, p in matches["triple", "lenient"]:
        strict = (g, p) in set(matches["triple", "strict"])
        wrong = wrong_extras(gold_doc["attributions"][g], pred["attributions"][p])
        for item, other in ((gold_items[g], p), (pred_items[p], g)):
            item.update(outcome="matched" if strict else "lenient", match=other)
            if wrong:
                item["wrong_attributes"] = wrong
    # which parts were right for the items the triple did not match, at the lenient level
    for part in TRIPLE_PARTS:
        for g, p in matches[part, "lenient"]:
            gold_items[g].setdefault("parts_found", []).append(part)
            pred_items[p].setdefault("parts_found", []).append(part)
    return {"gold": gold_items, "predicted": pred_items}


def _attribution_item(attribution: Mapping[str, Any], doc: Mapping[str, Any]) -> dict[str, Any]:
    entities = {e.get("id"): e for e in doc.get("entities") or [] if e.get("id") is not None}
    source = attribution.get("source")
    if isinstance(source, Mapping) and "mention" in source:
        source = entities.get(source["mention"], {})
    return {
        "id": attribution.get("id"),
        "source": None if source is None else _span_of(source),
        "cue": None if attribution.get("cue") is None else _span_of(attribution["cue"]),
        "content": _span_of(attribution.get("content") or {}),
        "type": attribution.get("type"),
        "nested_in": attribution.get("nested_in"),
        "match": None,
    }


def _span_of(item: Mapping[str, Any]) -> dict[str, Any]:
    return {"start": item.get("start"), "end": item.get("end"), "text": item.get("text")}


def explained_counts(explanation: Mapping[str, Any], layer: str) -> tuple[int, int]:
    """(missed gold items, spurious predicted items) of one layer over all documents."""
    missed = spurious = 0
    for document in explanation.values():
        items = document.get(layer)
        if items is None:
            continue
        missed += sum(item["outcome"] == "missed" for item in items["gold"])
        spurious += sum(item["outcome"] == "spurious" for item in items["predicted"])
        spurious += len(items.get("unanchored", []))
    return missed, spurious


def report_counts(report: Mapping[str, Any], layer: str) -> tuple[int, int]:
    """The same two numbers read from a report: what `explained_counts` must equal."""
    node = at_path(report["layers"][layer], figures()[layer].path)
    if layer == "entities":
        return node["missed"], node["spurious"]
    return node["gold"] - node["true_positives"], node["predicted"] - node["true_positives"]
