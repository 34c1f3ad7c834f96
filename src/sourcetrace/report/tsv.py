"""The error list of a run, one row per item outcome (TSV or CSV): every match, miss and false
positive of every document with its context, to sort, filter and grep at any scale.

Rows come from the same item-by-item explanation as the HTML page (explain.py), so counting the
`outcome` column per layer gives the report's counts: entities under the `strict` scheme (cor,
inc, mis, spu; par is always 0 there), claims at the `lenient` span level and attributions as
`triple` at the `lenient` level (tp = correct + partial, gold - tp = missed, predicted - tp =
spurious). Text cells are escaped as error messages escape names (`errors.shown`): a backslash
as `\\\\`, tab, newline and every other control or line-separator character as `\\xNN` /
`\\uNNNN`, so a row is always one line in both formats.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from sourcetrace.errors import shown

COLUMNS = (
    "document",
    "layer",
    "outcome",
    "detail",
    "type",
    "predicted_type",
    "gold_start",
    "gold_end",
    "gold_text",
    "predicted_start",
    "predicted_end",
    "predicted_text",
    "left_context",
    "right_context",
)
# characters of the document's text shown on each side of a row's spans
CONTEXT_CHARACTERS = 40
# the outcomes a report counts; `excluded` and `ignored` rows (--mentions) count nowhere
COUNTED_OUTCOMES = ("correct", "incorrect", "partial", "missed", "spurious")

# explain.py's outcome of an item -> (the scorers' outcome, what the row's detail says)
_ENTITY_OUTCOMES = {
    "correct": ("correct", ""),
    "boundary": ("incorrect", "boundary: same type, other boundaries"),
    "type": ("incorrect", "type: same span, other type"),
    "boundary+type": ("incorrect", "boundary+type: other boundaries and other type"),
    "missed": ("missed", ""),
    "spurious": ("spurious", ""),
    "excluded": ("excluded", "gold mention left out by --mentions"),
    "ignored": ("ignored", "prediction on a gold mention left out by --mentions"),
}
_PAIR_OUTCOMES = {  # claims and attributions
    "matched": ("correct", ""),
    "boundary": ("partial", "overlapping span: a lenient match only"),
    "lenient": ("partial", "the triple matches at the lenient level only"),
    "missed": ("missed", ""),
    "spurious": ("spurious", ""),
}

Row = dict[str, Any]


def outcome_rows(doc_id: str, explained: Mapping[str, Any]) -> Iterator[Row]:
    """Every row of one explained document (evaluation.evaluate_with_explanations): per layer,
    the gold items in their order (a matched one with its prediction), then the predictions
    that matched nothing."""
    text = explained["text"]
    for layer, rows in (
        ("entities", _entity_rows),
        ("claims", _claim_rows),
        ("attributions", _attribution_rows),
    ):
        items = explained.get(layer)
        if items is None:
            continue
        for row in rows(items):
            yield _with_context({"document": doc_id, "layer": layer, **row}, text)


def _pair(gold: Mapping[str, Any] | None, predicted: Mapping[str, Any] | None) -> Row:
    row: Row = {}
    for side, item in (("gold", gold), ("predicted", predicted)):
        if item is not None:
            row |= {
                f"{side}_start": item.get("start"),
                f"{side}_end": item.get("end"),
                f"{side}_text": item.get("text"),
            }
    return row


def _types(gold_type: Any, predicted_type: Any) -> Row:
    """`type` is the gold item's (else the prediction's); `predicted_type` only where a matched
    prediction's type differs from it."""
    if gold_type is None:
        return {"type": predicted_type}
    differs = predicted_type is not None and predicted_type != gold_type
    return {"type": gold_type, "predicted_type": predicted_type if differs else None}


def _entity_rows(items: Mapping[str, Any]) -> Iterator[Row]:
    predicted = items["predicted"]
    for item in items["gold"]:
        outcome, detail = _ENTITY_OUTCOMES[item["outcome"]]
        match = predicted[item["match"]] if item.get("match") is not None else None
        yield {
            "outcome": outcome,
            "detail": detail,
            **_types(item["type"], match["type"] if match else None),
            **_pair(item, match),
        }
    for item in predicted:
        if item["outcome"] in ("spurious", "ignored"):
            outcome, detail = _ENTITY_OUTCOMES[item["outcome"]]
            yield {"outcome": outcome, "detail": detail, "type": item["type"], **_pair(None, item)}
    for item in items.get("unanchored", []):
        found = item if isinstance(item, Mapping) else {"type": item}
        yield {
            "outcome": "spurious",
            "detail": "text-only prediction not found in the text",
            "type": found.get("type"),
            "predicted_text": found.get("text"),
        }


def _claim_rows(items: Mapping[str, Any]) -> Iterator[Row]:
    predicted = items["predicted"]
    for item in items["gold"]:
        outcome, detail = _PAIR_OUTCOMES[item["outcome"]]
        wrong = item.get("wrong_attributes") or []
        if wrong:
            detail = "; ".join(filter(None, [detail, "other " + ", ".join(wrong)]))
        match = predicted[item["match"]] if item.get("match") is not None else None
        yield {"outcome": outcome, "detail": detail, **_pair(item, match)}
    for item in predicted:
        if item["outcome"] == "spurious":
            yield {"outcome": "spurious", "detail": "", **_pair(None, item)}


def _attribution_rows(items: Mapping[str, Any]) -> Iterator[Row]:
    predicted = items["predicted"]
    for item in items["gold"]:
        outcome, detail = _PAIR_OUTCOMES[item["outcome"]]
        match = predicted[item["match"]] if item.get("match") is not None else None
        if match is None:
            detail = parts_alone(item, "predicted")
        wrong = item.get("wrong_attributes") or []
        if wrong:  # the source phrase or the content type of a matched pair
            detail = "; ".join(filter(None, [detail, "other " + ", ".join(wrong)]))
        yield {
            "outcome": outcome,
            "detail": detail,
            **_types(item.get("type"), match.get("type") if match else None),
            **_pair(attribution_span(item), attribution_span(match) if match else None),
        }
    for item in predicted:
        if item["outcome"] == "spurious":
            yield {
                "outcome": "spurious",
                "detail": parts_alone(item, "gold"),
                "type": item.get("type"),
                **_pair(None, attribution_span(item)),
            }


def parts_alone(item: Mapping[str, Any], other: str) -> str:
    """What an unmatched attribution's parts did on their own: the triple matched no `other`
    attribution, but some of its parts may each match a part of one."""
    found = item.get("parts_found") or []
    if not found:
        return f"no part matches a part of any {other} attribution"
    return f"on their own, these parts match parts of {other} attributions: {', '.join(found)}"


def attribution_span(item: Mapping[str, Any]) -> dict[str, Any]:
    """An attribution as one span: from its first anchored part to its last, and its parts'
    texts as source -> cue -> content (the author's voice and a missing cue named)."""
    # imported here: `report` is imported by every command, the scorers (and numpy) are not
    from sourcetrace.scoring.attributions import TRIPLE_PARTS as ATTRIBUTION_PARTS

    anchored = [
        item[part]
        for part in ATTRIBUTION_PARTS
        if item.get(part) and item[part].get("start") is not None
    ]
    texts = []
    for part in ATTRIBUTION_PARTS:
        span = item.get(part)
        if span is None:
            texts.append("(the author)" if part == "source" else "(none)")
        else:
            texts.append(span.get("text") if span.get("text") is not None else "(no text)")
    return {
        "start": min((span["start"] for span in anchored), default=None),
        "end": max((span["end"] for span in anchored), default=None),
        "text": " \u2192 ".join(texts),
    }


def _with_context(row: Row, text: str) -> Row:
    starts = [row.get(f"{side}_start") for side in ("gold", "predicted")]
    ends = [row.get(f"{side}_end") for side in ("gold", "predicted")]
    starts = [s for s in starts if s is not None]
    ends = [e for e in ends if e is not None]
    if starts and ends:
        start, end = min(starts), max(ends)
        row["left_context"] = text[max(0, start - CONTEXT_CHARACTERS) : start]
        row["right_context"] = text[end : end + CONTEXT_CHARACTERS]
    return row


def _cells(row: Row) -> list[str]:
    return ["" if row.get(column) is None else shown(row[column]) for column in COLUMNS]


def item_lines(
    explanations: Iterable[tuple[str, Mapping[str, Any]]], fmt: str = "tsv"
) -> Iterator[str]:
    """The header line, then one line per row (`fmt` tsv or csv), a document at a time."""
    if fmt == "tsv":
        yield "\t".join(COLUMNS) + "\n"
        for doc_id, explained in explanations:
            yield "".join("\t".join(_cells(row)) + "\n" for row in outcome_rows(doc_id, explained))
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    yield buffer.getvalue()
    for doc_id, explained in explanations:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(_cells(row) for row in outcome_rows(doc_id, explained))
        yield buffer.getvalue()


def to_tsv(explanations: Iterable[tuple[str, Mapping[str, Any]]] | Mapping[str, Any]) -> str:
    """The whole TSV as one string (item_lines streams it)."""
    return "".join(item_lines(items_of(explanations), "tsv"))


def to_csv(explanations: Iterable[tuple[str, Mapping[str, Any]]] | Mapping[str, Any]) -> str:
    """The whole CSV as one string (item_lines streams it)."""
    return "".join(item_lines(items_of(explanations), "csv"))


def items_of(
    explanations: Iterable[tuple[str, Mapping[str, Any]]] | Mapping[str, Any] | None,
) -> Iterable[tuple[str, Mapping[str, Any]]]:
    """(doc_id, explanation) pairs from evaluate_and_explain's dict or the iterator of
    evaluate_with_explanations."""
    if explanations is None:
        raise ValueError("the error list needs the item-by-item explanation")
    return explanations.items() if isinstance(explanations, Mapping) else explanations
