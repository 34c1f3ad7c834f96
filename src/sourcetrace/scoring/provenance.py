"""Provenance scorer: who reports whom in a document, as a set of edges between referents.

An edge `reporter -> reported` says that in this text `reporter` passes on what `reported` says
(the byline passes on a wire, the wire an outlet, the outlet a speaker). Each endpoint resolves
to a key, so that a system is credited for naming the same referent by any of its mentions:
- `"byline"` (the voice of the text: its publisher) is the key `("byline",)`;
- a mention `{"mention": id}` is the gold entity (`entity`) of the gold mention with exactly its
  span; a predicted mention is looked up by its span among the gold mentions, and one on no gold
  mention's span keys to its normalised text, which matches nothing gold;
- a span `{"start", "end", "text"}` (a source that is no entity mention: "reports") is the gold
  entity of a gold mention with exactly that span if there is one, else `("span", start, end)`.
A gold mention without an entity id keys as its span. Precision, recall and F1 are those of the
set of distinct (reporter key, reported key) edges of each document, summed over the documents
(micro). The rules are written out in docs/scoring/provenance.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from sourcetrace.scoring.claims import LEVEL_COUNTS, level_scores
from sourcetrace.scoring.common import Tally, normalize_text
from sourcetrace.scoring.layer import Document, Figure, LayerScorer, PartialFields

if TYPE_CHECKING:
    from sourcetrace.evaluation.partial_checks import Statistics
    from sourcetrace.evaluation.settings import Settings

BYLINE = "byline"
# the node kinds of an edge's endpoint, as the annotation schema has them
NODE_KINDS = ("byline", "mention", "span")
Key = tuple[Any, ...]
Edge = tuple[Key, Key]


def gold_entity_by_span(gold_doc: Document) -> dict[tuple[int, int], Key]:
    """(start, end) of every gold mention -> its key: its entity, or its span without one (the
    first mention in file order decides when two share a span)."""
    keys: dict[tuple[int, int], Key] = {}
    for mention in gold_doc.get("entities") or []:
        if "start" not in mention or "end" not in mention:
            continue
        where = (mention["start"], mention["end"])
        entity = mention.get("entity")
        keys.setdefault(where, ("entity", entity) if entity is not None else ("span", *where))
    return keys


def node_key(
    node: Any,
    mentions: Mapping[str, Mapping[str, Any]],
    gold_keys: Mapping[tuple[int, int], Key],
    text: str | None = None,
) -> Key:
    """The key of one endpoint; ``mentions`` are the entity mentions of its own document (gold
    or predicted) by id, ``gold_keys`` the gold's `gold_entity_by_span`, ``text`` the document
    text (the words of a mention given by offsets only)."""
    if node == BYLINE:
        return ("byline",)
    if isinstance(node, Mapping) and "mention" in node:
        mention = mentions.get(node["mention"], {})
        where = _offsets(mention)
        if where is not None and where in gold_keys:
            return gold_keys[where]
        words = mention.get("text")
        if words is None and where is not None and text is not None:
            words = text[where[0] : where[1]]
        return ("text", normalize_text(str(words or "")))
    where = _offsets(node)
    if where is not None:
        return gold_keys.get(where, ("span", *where))
    return ("text", normalize_text(str(node.get("text", ""))))


def _offsets(item: Mapping[str, Any]) -> tuple[int, int] | None:
    if "start" in item and "end" in item:
        return (item["start"], item["end"])
    return None


def document_edges(
    doc: Document, gold_keys: Mapping[tuple[int, int], Key], text: str | None = None
) -> set[Edge]:
    """The distinct (reporter key, reported key) edges of one document (gold or predicted)."""
    mentions = {m["id"]: m for m in doc.get("entities") or [] if m.get("id") is not None}
    return {
        (
            node_key(edge["reporter"], mentions, gold_keys, text),
            node_key(edge["reported"], mentions, gold_keys, text),
        )
        for edge in doc.get("provenance") or []
    }


def tally_provenance(gold_doc: Document, pred_doc: Document, text: str | None = None) -> Tally:
    """The edge counts of one document: distinct gold edges, distinct predicted edges, and the
    predicted edges that are gold edges."""
    gold_keys = gold_entity_by_span(gold_doc)
    gold = document_edges(gold_doc, gold_keys, text)
    predicted = document_edges(pred_doc, gold_keys, text)
    counts = (len(gold), len(predicted), len(gold & predicted))
    return {"edges": dict(zip(("gold", "predicted", "true_positives"), counts, strict=True))}


def summarize_provenance(tally: Mapping[str, Any]) -> dict[str, Any]:
    """Report section from a (summed) tally: P/R/F1 of the edges."""
    return {"edges": level_scores(tally.get("edges", {}))}


# ---------------------------------------------------------------- the layer scorer


def _tally(gold: Document, pred: Document, settings: Settings, text: str) -> Tally:
    return tally_provenance(gold, pred, text)


def _check_partial(s: Statistics) -> None:
    """Distinct edges: at most the recorded edges on each side; true positives at most both."""
    for side in ("gold", "predicted"):
        found, recorded = s.column("provenance", "edges", side), s.items(side, "provenance")
        s.require(
            found <= recorded,
            lambda r, sd=side, f=found, n=recorded: (
                f"provenance: {f[r]} distinct {sd} edges, but {n[r]} {sd} edges are recorded"
            ),
        )
    gold, predicted = (
        s.column("provenance", "edges", "gold"),
        s.column("provenance", "edges", "predicted"),
    )
    hits = s.column("provenance", "edges", "true_positives")
    s.require(
        hits <= np.minimum(gold, predicted),
        lambda r: (
            f"provenance: {hits[r]} true positives among {gold[r]} gold and {predicted[r]} "
            "predicted edges"
        ),
    )


SCORER = LayerScorer(
    name="provenance",
    layer="provenance",
    section=("provenance",),
    tally=_tally,
    summarize=lambda tally, settings: summarize_provenance(tally),
    partial_fields=lambda s: PartialFields(
        frozenset(("provenance", "edges", count) for count in LEVEL_COUNTS)
    ),
    check_partial=_check_partial,
    headline=(("provenance.edges.f1", ("edges", "f1")),),
    per_document=summarize_provenance,
    figure=Figure("provenance.edges.f1", ("edges",), "edges", ("edges",)),
)


__all__ = [
    "BYLINE",
    "NODE_KINDS",
    "SCORER",
    "document_edges",
    "gold_entity_by_span",
    "node_key",
    "summarize_provenance",
    "tally_provenance",
]
