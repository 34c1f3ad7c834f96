"""The HTML error-analysis page: summary, entity confusion matrix and filter counts of every
document, and the text of the worst `documents` of them (DEFAULT_DOCUMENTS; the rest are in the
TSV error list) with each gold and predicted item highlighted by its outcome (see explain.py).
The explanations are read once, as an iterator: only the documents shown are held.

One self-contained file (inline CSS and JS, a CSP that forbids any fetch), every data value
escaped. Counting contract: exactly one element per gold or predicted item of a shown document
carries `data-item` with `data-layer`, `data-side`, `data-outcome` (and `data-type` for
entities), so on a page that shows every document, counting them by outcome gives the report's
missed and spurious numbers.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sourcetrace.report.marked import Mark, render_marked
from sourcetrace.report.page import DEFAULT_DOCUMENTS, attrs, esc, page, table
from sourcetrace.report.pr_curve import CONFIDENCE_CSS, confidence_section
from sourcetrace.report.rows import (
    COMPARISON_COLUMNS,
    PER_TYPE_HEADER,
    PERCENT_NOTE,
    comparison_rows,
    comparison_title,
    header,
    pct,
    per_type_rows,
    summary_rows,
)
from sourcetrace.report.tsv import items_of, parts_alone
from sourcetrace.schema.validation import LAYERS
from sourcetrace.scoring.attributions import TRIPLE_PARTS
from sourcetrace.scoring.registry import at_path, figures

LAYER_ORDER = LAYERS
SIDES = ("gold", "predicted")
PARTS = TRIPLE_PARTS

# outcome -> what it means, per layer (the legend; also the order of the outcome filters)
OUTCOMES: dict[str, dict[str, str]] = {
    "entities": {
        "correct": "same span and type (true positive)",
        "boundary": "same type, other boundaries",
        "type": "same span, other type",
        "boundary+type": "other boundaries and other type",
        "missed": "gold item no prediction matched (false negative)",
        "spurious": "prediction matching no gold item (false positive)",
        "excluded": "gold mention left out by --mentions",
        "ignored": "prediction on an excluded gold mention",
    },
    "claims": {
        "matched": "same span (strict and lenient match)",
        "boundary": "lenient match only: overlapping span",
        "missed": "gold claim no prediction matched",
        "spurious": "predicted claim matching no gold claim",
    },
    "attributions": {
        "matched": "source, cue and content all match strictly",
        "lenient": "the triple matches at the lenient level only",
        "missed": "gold attribution no prediction matched",
        "spurious": "predicted attribution matching no gold one",
    },
}
LEVEL_NAMES = {layer: figure.label for layer, figure in figures().items()}


# outcomes that are a strict match, and those that the scores leave out (--mentions)
STRICT_MATCH = frozenset({"correct", "matched"})
NOT_SCORED = frozenset({"excluded", "ignored"})


@dataclass
class RunDigest:
    """What the page needs from every document, read in one pass over the explanations: the
    counts of the whole run, and the documents it shows (worst first)."""

    confusion: dict[str, Counter]
    outcomes: Counter  # (layer, outcome) -> items, a matched pair counted once
    types: Counter  # (entity type, side) -> scored entities
    shown: list[tuple[str, Mapping[str, Any]]]
    total: int


def to_html(
    report: dict[str, Any],
    explanation: Mapping[str, Any] | Iterable[tuple[str, Mapping[str, Any]]] | None,
    documents: int | None = DEFAULT_DOCUMENTS,
) -> str:
    """The whole page for one evaluation run: the summary of every document, and the text of
    at most `documents` of them (None: all), worst first (`worst_first_key`). `explanation` is
    evaluate_and_explain's dict or the iterator of evaluate_with_explanations."""
    if explanation is None:
        raise ValueError("the HTML report needs the item-by-item explanation")
    if documents is not None and documents < 0:
        raise ValueError("documents must be a count >= 0, or None for all")
    # item by item: the layers whose outcomes the page knows (`OUTCOMES`); every scored layer
    # is in the score table
    layers = [layer for layer in LAYER_ORDER if layer in report["layers"] and layer in OUTCOMES]
    run = digest(report, items_of(explanation), layers, documents)
    body = "".join(
        [
            _identity(report),
            _summary(report),
            confidence_section(report),
            _confusion_section(report, run.confusion) if "entities" in layers else "",
            _legend(layers),
            _filters(run, layers),
            _documents(report, run, layers),
        ]
    )
    css = CSS + (CONFIDENCE_CSS if "pr-curve" in body else "")  # unchanged without scores
    return page("sourcetrace error analysis", body, css, JS)


def digest(
    report: Mapping[str, Any],
    explanations: Iterable[tuple[str, Mapping[str, Any]]],
    layers: list[str],
    documents: int | None,
) -> RunDigest:
    """Count every document's items and keep the `documents` worst (all when None)."""
    run = RunDigest(
        {"pairs": Counter(), "missed": Counter(), "spurious": Counter()},
        Counter(),
        Counter(),
        [],
        0,
    )

    def counted() -> Iterator[tuple[tuple[float, int, str], str, Mapping[str, Any]]]:
        for doc_id, explained in explanations:
            if not isinstance(explained.get("text"), str):
                raise ValueError(f"the explanation carries no text for {doc_id}")
            run.total += 1
            errors = _count_document(run, explained, layers)
            yield worst_first_key(report, doc_id, layers, errors), doc_id, explained

    every = counted()
    if documents is None:
        kept = sorted(every, key=lambda entry: entry[0])
    else:
        kept = heapq.nsmallest(documents, every, key=lambda entry: entry[0])
        for _ in every:  # nsmallest(0, ...) reads nothing: the counts need every document
            pass
    run.shown = [(doc_id, explained) for _, doc_id, explained in kept]
    return run


def worst_first_key(
    report: Mapping[str, Any], doc_id: str, layers: list[str], errors: int
) -> tuple[float, int, str]:
    """The page's order of documents: lowest mean F1 of the layers first (each layer at the
    level its document line shows; a layer with nothing to score is left out, a document with
    no F1 at all goes last), then the most errors, then the document id."""
    values = [f1 for _, f1 in document_f1(report, doc_id, layers) if f1 is not None]
    mean = sum(values) / len(values) if values else float("inf")
    return mean, -errors, doc_id


def _count_document(run: RunDigest, explained: Mapping[str, Any], layers: list[str]) -> int:
    """Add one document's items to the run's counts; returns its errors (the items that are not
    a strict match, those left out by --mentions aside)."""
    errors = 0
    for layer in layers:
        items = explained.get(layer)
        if items is None:
            continue
        for side in SIDES:
            for item in items[side]:
                outcome = item["outcome"]
                if layer == "entities" and outcome not in NOT_SCORED:
                    run.types[item["type"], side] += 1
                if side == "gold" or item.get("match") is None:  # a pair counts once
                    run.outcomes[layer, outcome] += 1
                    errors += outcome not in STRICT_MATCH and outcome not in NOT_SCORED
        for unanchored in items.get("unanchored", []):
            run.outcomes[layer, "spurious"] += 1
            run.types[_unanchored_type(unanchored), "predicted"] += 1
            errors += 1
        if layer == "entities":
            _add_confusion(run.confusion, items)
    return errors


# ---------------------------------------------------------------- summary


def _identity(report: Mapping[str, Any]) -> str:
    corpus, predictions = report["corpus"], report["predictions"]
    settings = report.get("settings", {})
    rows = [
        ["corpus", f"{corpus['version']}, data sha256 {corpus['data_sha256']}"],
        ["gold source", f"{corpus.get('source')} ({corpus.get('documents')} documents)"],
        ["predictions", f"{predictions.get('source')} ({predictions.get('documents')} documents)"],
        ["predictions sha256", predictions.get("sha256") or "-"],
        ["layers", ", ".join(settings.get("layers") or report["layers"])],
        ["mentions", ", ".join(settings.get("mentions") or ["all"])],
        ["claim threshold", settings.get("claim_threshold", "-")],
    ]
    if settings.get("min_score") is not None:
        rows.append(["min score", settings["min_score"]])
    cells = "".join(f"<tr><th>{esc(name)}</th><td>{esc(value)}</td></tr>" for name, value in rows)
    return (
        "<header><h1>sourcetrace error analysis</h1>"
        f'<p class="sig">Signature: <code>{esc(report["signature"])}</code></p>'
        f'<table class="identity">{cells}</table></header>'
    )


def _summary(report: Mapping[str, Any]) -> str:
    parts = [
        "<section><h2>Scores (percent)</h2>",
        f'<p class="units">{esc(PERCENT_NOTE)}</p>',
        table(header(report), list(summary_rows(report))),
    ]
    notes = report.get("notes") or []
    if notes:
        parts.append('<h3>Notes</h3><ul class="notes">')
        parts += [f"<li>{esc(note)}</li>" for note in notes]
        parts.append("</ul>")
    comparison = list(comparison_rows(report))
    if comparison:
        other = report["statistics"]["comparison"]
        parts.append(
            f"<h3>Paired comparison with {esc(other['other']['source'])} "
            f"({esc(comparison_title(other))})</h3>"
        )
        parts.append(table(list(COMPARISON_COLUMNS), comparison))
    parts.append("</section>")
    return "".join(parts)


# ---------------------------------------------------------------- confusion matrix


def _add_confusion(counts: dict[str, Counter], entities: Mapping[str, Any]) -> None:
    """Strict-matched (gold type, predicted type) pairs; missed gold, spurious predicted types."""
    for item in entities["gold"]:
        if item["outcome"] == "missed":
            counts["missed"][item["type"]] += 1
        elif item.get("match") is not None:
            counts["pairs"][item["type"], entities["predicted"][item["match"]]["type"]] += 1
    for item in entities["predicted"]:
        if item["outcome"] == "spurious":
            counts["spurious"][item["type"]] += 1
    counts["spurious"].update(_unanchored_type(u) for u in entities.get("unanchored", []))


def _confusion_section(report: Mapping[str, Any], counts: Mapping[str, Counter]) -> str:
    pairs, missed, spurious = counts["pairs"], counts["missed"], counts["spurious"]
    gold_types = sorted({g for g, _ in pairs} | set(missed))
    pred_types = sorted({p for _, p in pairs} | set(spurious))
    head = "".join(f"<th>{esc(t)}</th>" for t in pred_types)
    rows = []
    for gold_type in gold_types:
        cells = "".join(
            _count_cell(pairs[gold_type, p], "diag" if p == gold_type else "off")
            for p in pred_types
        )
        rows.append(
            f"<tr><th>{esc(gold_type)}</th>{cells}{_count_cell(missed[gold_type], 'miss')}</tr>"
        )
    cells = "".join(_count_cell(spurious[p], "spur") for p in pred_types)
    rows.append(f"<tr><th>spurious</th>{cells}<td></td></tr>")
    return (
        "<section><h2>Entities: confusion of types (strict-matched pairs)</h2>"
        "<p>Rows: gold type; columns: predicted type of the prediction each gold entity was "
        "matched with under the strict scheme (the diagonal includes boundary errors). "
        "<em>missed</em>: gold entities with no match; <em>spurious</em>: predictions with no "
        "match, text-only ones not found in the text included.</p>"
        f'<table class="confusion"><thead><tr><th>gold \\ predicted</th>{head}'
        f"<th>missed</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f"{_per_type(report)}</section>"
    )


def _count_cell(count: int, kind: str) -> str:
    return f'<td class="{kind if count else "zero"}">{count}</td>'


def _per_type(report: Mapping[str, Any]) -> str:
    rows = per_type_rows(report)
    if not rows:
        return ""
    return "<h3>Entities per type (strict, percent)</h3>" + table(PER_TYPE_HEADER, rows, "per-type")


def _unanchored_type(item: Any) -> str:
    return item.get("type", "?") if isinstance(item, Mapping) else str(item)


# ---------------------------------------------------------------- legend and filters


def _slug(outcome: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", outcome.lower())


def _legend(layers: list[str]) -> str:
    rows = []
    for layer in layers:
        swatches = "".join(
            f'<li><span class="hl {_layer_class(layer)} o-{_slug(o)} t0">{esc(o)}</span> '
            f"{esc(meaning)}</li>"
            for o, meaning in OUTCOMES[layer].items()
        )
        rows.append(f"<div><h3>{esc(layer)} ({LEVEL_NAMES[layer]})</h3><ul>{swatches}</ul></div>")
    parts = "".join(
        f'<li><span class="hl att part-{p} o-matched t0">{p}</span></li>' for p in PARTS
    )
    if "attributions" in layers:
        rows.append(
            "<div><h3>attribution parts</h3><ul>"
            f"{parts}<li>hover or click an attribution (in the text or in its list) to light its "
            "source, cue and content; matched items light their counterpart too</li></ul></div>"
        )
    return (
        f'<section class="legend"><h2>Legend</h2><div class="cols">{"".join(rows)}</div></section>'
    )


def _layer_class(layer: str) -> str:
    return {"entities": "ent", "claims": "clm", "attributions": "att"}[layer]


def _filters(run: RunDigest, layers: list[str]) -> str:
    """Check boxes per layer, side, outcome of each layer and entity type. The counts are the
    whole run's and match the score table: a matched pair counts once (entities: correct +
    boundary + type + boundary+type = cor + inc of the strict row; claims and attributions:
    matched + boundary or lenient = the lenient tp), missed on the gold side, spurious on the
    predicted side."""
    groups = [
        ("layer", "layers", [(layer, layer) for layer in layers]),
        ("side", "sides", [(side, side) for side in SIDES]),
    ]
    for layer in layers:
        counted = {o for (name, o) in run.outcomes if name == layer}
        ordered = [o for o in OUTCOMES[layer] if o in counted] + sorted(
            counted - set(OUTCOMES[layer])
        )
        boxes = [(f"{layer}:{o}", f"{o} ({run.outcomes[layer, o]})") for o in ordered]
        groups.append(("outcome", f"{layer} ({LEVEL_NAMES[layer]})", boxes))
    entity_types = sorted({t for t, _ in run.types})
    groups.append(
        (
            "type",
            "entity types (gold / predicted)",
            [
                (t, f"{t} ({run.types[t, 'gold']} / {run.types[t, 'predicted']})")
                for t in entity_types
            ],
        )
    )
    fieldsets = "".join(
        f"<fieldset><legend>{esc(legend)}</legend>"
        + "".join(
            f'<label><input type="checkbox" checked{attrs(data_filter=kind, value=value)}> '
            f"{esc(label)}</label>"
            for value, label in boxes
        )
        + "</fieldset>"
        for kind, legend, boxes in groups
        if boxes
    )
    note = ""
    if len(run.shown) < run.total:
        note = (
            f'<p class="counts">Counts are those of all {run.total} documents, as in the score '
            f"table; the filters act on the {len(run.shown)} documents shown.</p>"
        )
    return f'<nav class="filters" id="filters">{fieldsets}</nav>{note}'


# ---------------------------------------------------------------- documents


def _documents(report: Mapping[str, Any], run: RunDigest, layers: list[str]) -> str:
    sections = []
    for n, (doc_id, explained) in enumerate(run.shown):
        blocks = "".join(
            _layer_block(n, layer, explained[layer], explained["text"])
            for layer in layers
            if explained.get(layer) is not None
        )
        sections.append(
            f'<section class="doc" id="doc-{n}"{attrs(data_doc=doc_id)}><h2>{esc(doc_id)}</h2>'
            f"{_doc_scores(report, doc_id, layers)}{blocks}</section>"
        )
    return f"<main>{_shown_note(run, layers)}{''.join(sections)}</main>"


def _shown_note(run: RunDigest, layers: list[str]) -> str:
    """Which documents the page shows, in which order, and where the others are."""
    levels = ", ".join(f"{layer} {LEVEL_NAMES[layer]}" for layer in layers)
    order = (
        f"worst first: lowest mean F1 of the layers ({levels}), then most errors, then document id"
    )
    left_out = run.total - len(run.shown)
    if not left_out:
        return f'<p class="shown" id="shown">All {run.total} documents, {esc(order)}.</p>'
    return (
        f'<p class="shown" id="shown">{len(run.shown)} of {run.total} documents shown, '
        f"{esc(order)}. <strong>{left_out} documents are left out of this page</strong>: "
        "every item of every document, with its context, is in the error list of "
        "<code>evaluate --format tsv</code> (or csv), one row per item; "
        "<code>--html-documents N</code> or <code>all</code> shows more here.</p>"
    )


def document_f1(
    report: Mapping[str, Any], doc_id: str, layers: list[str]
) -> list[tuple[str, float | None]]:
    """(layer, F1) of one document at each layer's level of the page (LEVEL_NAMES), from the
    report's per-document scores."""
    found = []
    for layer in layers:
        per_doc = report["layers"][layer].get("per_document", {}).get(doc_id)
        if per_doc is None:
            continue
        level = at_path(per_doc, figures()[layer].per_document)
        found.append((layer, level.get("f1")))
    return found


def _doc_scores(report: Mapping[str, Any], doc_id: str, layers: list[str]) -> str:
    scores = [
        f"{layer} ({LEVEL_NAMES[layer]}) F1 {pct(f1)}"
        for layer, f1 in document_f1(report, doc_id, layers)
    ]
    return f'<p class="docscores">{esc("; ".join(scores))}</p>' if scores else ""


def _layer_block(n: int, layer: str, items: Mapping[str, Any], text: str) -> str:
    sides = "".join(_side(n, layer, side, items, text) for side in SIDES)
    return (
        f'<section class="layer"{attrs(data_layer_block=layer)}>'
        f'<h3>{esc(layer)}</h3><div class="sides">{sides}</div></section>'
    )


def _side(n: int, layer: str, side: str, items: Mapping[str, Any], text: str) -> str:
    build = {"entities": _entity_marks, "claims": _claim_marks, "attributions": _attribution_marks}
    marks, listed = build[layer](n, side, items)
    html, used = render_marked(text, marks)
    lists = f'<ul class="items">{"".join(listed)}</ul>' if listed else ""
    count = len(items[side]) + (len(items.get("unanchored", [])) if side == "predicted" else 0)
    return (
        f'<div class="side"{attrs(data_side_block=side)}>'
        f"<h4>{side} ({count})</h4>"
        f'<div class="text lh{min(max(used, 1), 8)}">{html}</div>{lists}</div>'
    )


def _key(n: int, layer: str, side: str, index: int | None) -> str | None:
    return None if index is None else f"d{n}-{layer[0]}-{side[0]}{index}"


def _item_attrs(layer: str, side: str, outcome: str, entity_type: str | None = None) -> dict:
    found = {"data-item": "", "data-layer": layer, "data-side": side, "data-outcome": outcome}
    if entity_type is not None:
        found["data-type"] = entity_type
    return found


def _other(side: str) -> str:
    return "predicted" if side == "gold" else "gold"


def _entity_marks(n: int, side: str, items: Mapping[str, Any]) -> tuple[list[Mark], list[str]]:
    marks = []
    for i, item in enumerate(items[side]):
        match = item.get("match")
        title = f"{side} {item['type']}"
        if item.get("mention"):
            title += f" ({item['mention']})"
        title += f": {item['outcome']}"
        if match is not None:
            other = items[_other(side)][match]
            title += (
                f"; matched with {_other(side)} {other['type']} \u201c{other.get('text')}\u201d"
            )
        marks.append(
            Mark(
                item["start"],
                item["end"],
                f"ent o-{_slug(item['outcome'])}",
                _key(n, "entities", side, i) or "",
                _key(n, "entities", _other(side), match),
                title,
                _item_attrs("entities", side, item["outcome"], item["type"]),
            )
        )
    listed = []
    if side == "predicted":
        for j, unanchored in enumerate(items.get("unanchored", [])):
            entity_type = _unanchored_type(unanchored)
            shown = unanchored.get("text") if isinstance(unanchored, Mapping) else None
            what = f"\u201c{esc(shown)}\u201d" if shown is not None else "(text-only prediction)"
            listed.append(
                f'<li class="o-spurious"{attrs(data_k=f"d{n}-e-u{j}")}'
                + "".join(
                    f' {k}="{esc(v)}"'
                    for k, v in _item_attrs("entities", side, "spurious", entity_type).items()
                )
                + f"><b>{esc(entity_type)}</b> {what}: not found in the text (spurious)</li>"
            )
    return marks, listed


def _claim_marks(n: int, side: str, items: Mapping[str, Any]) -> tuple[list[Mark], list[str]]:
    marks, listed = [], []
    for i, item in enumerate(items[side]):
        outcome = item["outcome"]
        wrong = item.get("wrong_attributes") or []
        title = f"{side} claim: {outcome}" + (f"; wrong {', '.join(wrong)}" if wrong else "")
        key = _key(n, "claims", side, i) or ""
        match = _key(n, "claims", _other(side), item.get("match"))
        first = _item_attrs("claims", side, outcome)
        classes = f"clm o-{_slug(outcome)}" + (" wa" if wrong else "")
        if item.get("start") is None or item.get("end") is None:
            listed.append(
                _listed(key, match, classes, first, f"\u201c{esc(item.get('text'))}\u201d", title)
            )
            continue
        marks.append(Mark(item["start"], item["end"], classes, key, match, title, first))
    return marks, listed


def _listed(key: str, match: str | None, classes: str, first: dict, inner: str, title: str) -> str:
    """A list entry for an item that has no place in the text; it is the item's element."""
    extra = "".join(f' {k}="{esc(v)}"' for k, v in first.items())
    return (
        f'<li class="{esc(classes)}"{attrs(data_k=key, data_m=match, title=title)}{extra}>'
        f'{inner} <span class="why">{esc(title)}</span></li>'
    )


def _attribution_marks(n: int, side: str, items: Mapping[str, Any]) -> tuple[list[Mark], list[str]]:
    marks, listed = [], []
    for i, item in enumerate(items[side]):
        outcome = item["outcome"]
        key = _key(n, "attributions", side, i) or ""
        match = _key(n, "attributions", _other(side), item.get("match"))
        wrong = item.get("wrong_attributes") or []
        title = f"{side} attribution {item.get('id') or i + 1}: {outcome}" + (
            f"; wrong {', '.join(wrong)}" if wrong else ""
        )
        for part in PARTS:
            span = item.get(part)
            if span and span.get("start") is not None and span.get("end") is not None:
                classes = f"att part-{part} o-{_slug(outcome)}"
                marks.append(
                    Mark(span["start"], span["end"], classes, key, match, f"{title} ({part})")
                )
        chain = " \u2192 ".join(_part_html(part, item.get(part)) for part in PARTS)
        detail = f"{title}; type {item.get('type') or '-'}"
        if item.get("nested_in"):
            detail += f"; nested in {item['nested_in']}"
        if outcome in ("missed", "spurious"):
            detail += f"; {parts_alone(item, _other(side))}"
        listed.append(
            _listed(
                key,
                match,
                f"att o-{_slug(outcome)}",
                _item_attrs("attributions", side, outcome),
                chain,
                detail,
            )
        )
    return marks, listed


def _part_html(part: str, span: Mapping[str, Any] | None) -> str:
    if span is None:
        shown = "(the author / no named source)" if part == "source" else "(none)"
        return f'<span class="part part-{part} none">{esc(shown)}</span>'
    where = ""
    if span.get("start") is not None:
        where = f" [{span['start']}:{span['end']}]"
    return (
        f'<span class="part part-{part}"{attrs(title=part + where)}>'
        f"{esc(span.get('text') if span.get('text') is not None else '(no text)')}</span>"
    )


# ---------------------------------------------------------------- style and behaviour

CSS = """
:root { --ok:#2e7d32; --okbg:#d4f2d4; --bd:#e08a00; --bdbg:#ffe6b0; --ty:#6a3fc0;
  --tybg:#e6dafc; --mi:#c62828; --mibg:#ffd0d0; --sp:#ad1457; --spbg:#ffd6ee; --ex:#8a8a8a;
  --exbg:#eeeeee; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 1.5rem 3rem;
  color: #1d1d1f; background: #fafafa; }
h1 { margin: 1rem 0 .3rem; } h2 { margin: 1.6rem 0 .5rem; } h3 { margin: .9rem 0 .3rem; }
h4 { margin: .2rem 0 .4rem; font-weight: 600; color: #444; }
code { font: 12px ui-monospace, monospace; background: #eef; padding: 1px 4px;
  overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: .4rem 0 1rem; background: #fff; }
th, td { border: 1px solid #d8d8d8; padding: 3px 8px; text-align: left; vertical-align: top; }
thead th { background: #f0f0f4; }
table.identity th { background: #f0f0f4; width: 11rem; }
table.identity td { overflow-wrap: anywhere; font: 12px ui-monospace, monospace; }
table.confusion td { text-align: right; min-width: 3.2em; }
td.diag { background: var(--okbg); font-weight: 600; } td.off { background: var(--tybg); }
td.miss { background: var(--mibg); } td.spur { background: var(--spbg); }
td.zero { color: #bbb; }
ul.notes li { margin: .2rem 0; }
.legend .cols { display: flex; flex-wrap: wrap; gap: 0 2.5rem; }
.legend ul { list-style: none; padding: 0; margin: 0; } .legend li { margin: .35rem 0; }
nav.filters { position: sticky; top: 0; z-index: 5; background: #fff; border: 1px solid #ccc;
  padding: .4rem .6rem; display: flex; flex-wrap: wrap; gap: .3rem 1rem; margin: 1rem 0;
  box-shadow: 0 2px 6px rgba(0,0,0,.08); }
fieldset { border: 1px solid #ddd; padding: .1rem .5rem .3rem; margin: 0; }
fieldset label { margin-right: .7rem; white-space: nowrap; font-size: 13px; }
section.doc { border-top: 3px solid #333; margin-top: 2rem; }
.docscores { color: #555; margin: 0 0 .4rem; }
.sides { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
.side { min-width: 0; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; background: #fff; border: 1px solid #ddd;
  padding: .6rem .8rem; font: 14px/1.9 Georgia, "DejaVu Serif", serif; }
.text.lh2 { line-height: 2.2; } .text.lh3 { line-height: 2.5; } .text.lh4 { line-height: 2.8; }
.text.lh5 { line-height: 3.1; } .text.lh6 { line-height: 3.4; }
.text.lh7, .text.lh8 { line-height: 3.7; }
.hl { border-bottom: 2px solid transparent; cursor: pointer; }
.t0 { padding-bottom: 1px; } .t1 { padding-bottom: 5px; } .t2 { padding-bottom: 9px; }
.t3 { padding-bottom: 13px; } .t4 { padding-bottom: 17px; } .t5 { padding-bottom: 21px; }
.t6 { padding-bottom: 25px; } .t7 { padding-bottom: 29px; }
.ent, .clm { background-color: rgba(0,0,0,.02); }
.o-correct, .o-matched { border-bottom-color: var(--ok); background-color: rgba(46,125,50,.13); }
.o-boundary, .o-lenient { border-bottom: 2px dashed var(--bd);
  background-color: rgba(224,138,0,.16); }
.o-type { border-bottom: 3px double var(--ty); background-color: rgba(106,63,192,.15); }
.o-boundary-type { border-bottom: 2px dashed var(--ty);
  background-image: repeating-linear-gradient(135deg, rgba(224,138,0,.25) 0 4px,
  rgba(106,63,192,.2) 4px 8px); }
.o-missed { border-bottom: 2px solid var(--mi); background-color: rgba(198,40,40,.16); }
.o-spurious { border-bottom: 2px dotted var(--sp); background-color: rgba(173,20,87,.14); }
.o-excluded, .o-ignored { border-bottom: 2px solid var(--ex); background-color: rgba(0,0,0,.06); }
.att.part-source { background-color: rgba(37,99,235,.16); }
.att.part-cue { background-color: rgba(234,179,8,.38); font-weight: 600; }
.att.part-content { background-color: rgba(100,116,139,.10); }
.wa { text-decoration: underline wavy var(--ty); text-underline-offset: 3px; }
.hl.muted { background: none !important; border-bottom-color: transparent !important;
  text-decoration: none; cursor: default; }
.hl.lit, li.lit { outline: 2px solid #111; background-color: rgba(255,235,59,.55) !important; }
.hl.pinned, li.pinned { outline: 2px solid #1565c0; }
ul.items { list-style: none; padding: 0; margin: .5rem 0 0; }
ul.items li { padding: 3px 6px; margin: 3px 0; background: #fff; border: 1px solid #e0e0e0;
  border-left-width: 5px; cursor: pointer; }
ul.items li.o-missed { border-left-color: var(--mi); }
ul.items li.o-spurious { border-left-color: var(--sp); }
ul.items li.o-matched { border-left-color: var(--ok); } ul.items li.o-lenient,
ul.items li.o-boundary { border-left-color: var(--bd); }
ul.items li.muted { display: none; }
.part { padding: 0 3px; border-radius: 3px; }
.part-source { background: rgba(37,99,235,.16); } .part-cue { background: rgba(234,179,8,.38); }
.part-content { background: rgba(100,116,139,.12); } .part.none { color: #777; font-style: italic; }
.why { display: block; color: #666; font-size: 12px; }
[hidden] { display: none !important; }
"""

JS = """
(function () {
  'use strict';
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[data-filter]'));
  function checked(kind) {
    var on = new Set();
    boxes.forEach(function (b) { if (b.dataset.filter === kind && b.checked) on.add(b.value); });
    return on;
  }
  function apply() {
    var layers = checked('layer'), sides = checked('side');
    var outcomes = checked('outcome'), types = checked('type');
    document.querySelectorAll('[data-layer-block]').forEach(function (el) {
      el.hidden = !layers.has(el.dataset.layerBlock);
    });
    document.querySelectorAll('[data-side-block]').forEach(function (el) {
      el.hidden = !sides.has(el.dataset.sideBlock);
    });
    var muted = new Set();
    document.querySelectorAll('[data-item]').forEach(function (el) {
      var off = !outcomes.has(el.dataset.layer + ':' + el.dataset.outcome) ||
        (el.dataset.layer === 'entities' && !types.has(el.dataset.type));
      if (off) muted.add(el.dataset.k);
    });
    document.querySelectorAll('[data-k]').forEach(function (el) {
      el.classList.toggle('muted', muted.has(el.dataset.k));
    });
  }
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  function related(el) {
    var keys = [el.dataset.k];
    if (el.dataset.m) keys.push(el.dataset.m);
    var found = [];
    keys.forEach(function (k) {
      document.querySelectorAll('[data-k="' + CSS.escape(k) + '"]').forEach(function (x) {
        found.push(x);
      });
    });
    return found;
  }
  function target(event) {
    var el = event.target.closest ? event.target.closest('[data-k]') : null;
    return el && !el.classList.contains('muted') ? el : null;
  }
  document.addEventListener('mouseover', function (e) {
    var el = target(e);
    if (el) related(el).forEach(function (x) { x.classList.add('lit'); });
  });
  document.addEventListener('mouseout', function (e) {
    var el = target(e);
    if (el) related(el).forEach(function (x) { x.classList.remove('lit'); });
  });
  document.addEventListener('click', function (e) {
    var el = target(e);
    if (!el) return;
    var on = !el.classList.contains('pinned');
    related(el).forEach(function (x) { x.classList.toggle('pinned', on); });
  });
  apply();
})();
"""
