"""Attribution scorer (after PARC): source, cue, content and the whole triple, strict and lenient.

The rules, and why, are in docs/scoring/attributions.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from sourcetrace.scoring.claims import (
    DEFAULT_CLAIM_THRESHOLD,
    LEVELS,
    check_claim_threshold,
    layer_pairs,
    level_scores,
)
from sourcetrace.scoring.common import Tally, add_tallies
from sourcetrace.scoring.matching import (
    Pair,
    Piece,
    at_least,
    canonical_key,
    max_weight_matching,
    piece_similarity,
    pieces_touch,
    same_piece,
)

PARTS = ("source", "cue", "content", "triple")
# Lenient source and cue: a name or a cue is a handful of tokens, so half of them in common is
# the bar (the SQuAD-F1 analogue of "the spans overlap"). Fixed, unlike the claim threshold.
NAME_TOKEN_F1_THRESHOLD = 0.5

Document = Mapping[str, Any]
# A resolved gold source: None (the article's own voice) or every piece that names it.
GoldSource = list[Piece] | None


def tally_attributions(
    gold_doc: Document, pred_doc: Document, *, claim_threshold: float = DEFAULT_CLAIM_THRESHOLD
) -> Tally:
    """Additive counts for one document: per part and level, matched pairs, gold and predicted.

    Both whole documents are needed: a source ``{"mention": id}`` is resolved through the
    ``entities`` of its own side.
    """
    matches = attribution_matches(gold_doc, pred_doc, claim_threshold=claim_threshold)
    totals = {
        "gold": len(_attributions_of(gold_doc, "gold")),
        "predicted": len(_attributions_of(pred_doc, "prediction")),
    }
    return {
        part: {level: {"true_positives": len(matches[part, level]), **totals} for level in LEVELS}
        for part in PARTS
    }


def attribution_matches(
    gold_doc: Document, pred_doc: Document, *, claim_threshold: float = DEFAULT_CLAIM_THRESHOLD
) -> dict[tuple[str, str], list[Pair]]:
    """Per (part, level), a maximum one-to-one matching of (gold index, predicted index) pairs
    in which that part is right: the pairs every count and highlighted item comes from."""
    threshold = check_claim_threshold(claim_threshold)
    gold_attributions = _attributions_of(gold_doc, "gold")
    pred_attributions = _attributions_of(pred_doc, "prediction")
    gold_sources = [_resolve_gold_source(a.get("source"), gold_doc) for a in gold_attributions]
    pred_sources = [_resolve_pred_source(a.get("source"), pred_doc) for a in pred_attributions]
    shape = (len(gold_attributions), len(pred_attributions))
    right = {(part, level): np.zeros(shape, dtype=bool) for part in PARTS for level in LEVELS}
    for i, gold in enumerate(gold_attributions):
        for j, pred in enumerate(pred_attributions):
            for level in LEVELS:
                source = source_right(gold_sources[i], pred_sources[j], level)
                cue = cue_right(gold.get("cue"), pred.get("cue"), level)
                content = content_right(gold.get("content"), pred.get("content"), level, threshold)
                right["source", level][i, j] = source
                right["cue", level][i, j] = cue
                right["content", level][i, j] = content
                right["triple", level][i, j] = source and cue and content
    row_keys = [canonical_key(a) for a in gold_attributions]
    col_keys = [canonical_key(a) for a in pred_attributions]
    return {
        key: max_weight_matching(matrix, row_keys=row_keys, col_keys=col_keys)
        for key, matrix in right.items()
    }


def summarize_attributions(
    tally: Mapping[str, Any], *, claim_threshold: float = DEFAULT_CLAIM_THRESHOLD
) -> dict[str, Any]:
    """Report section from a (summed) tally.

    ``claim_threshold`` is accepted so every summariser takes the same settings; it only acted
    in the tally (lenient content), so the report's signature is where it should be recorded.
    """
    check_claim_threshold(claim_threshold)
    return {
        part: {level: level_scores(tally.get(part, {}).get(level, {})) for level in LEVELS}
        for part in PARTS
    }


def score_attributions(
    gold_docs: Mapping[str, Document],
    pred_docs: Mapping[str, Document],
    *,
    claim_threshold: float = DEFAULT_CLAIM_THRESHOLD,
) -> dict[str, Any]:
    """Corpus section plus "per_document", over the documents of ``gold_docs``."""
    per_document = {
        doc_id: tally_attributions(
            gold_docs[doc_id], pred_docs[doc_id], claim_threshold=claim_threshold
        )
        for doc_id, _, _ in layer_pairs(gold_docs, pred_docs, "attributions")
    }
    section = summarize_attributions(
        add_tallies(per_document.values()), claim_threshold=claim_threshold
    )
    section["per_document"] = {
        doc_id: summarize_attributions(tally, claim_threshold=claim_threshold)
        for doc_id, tally in per_document.items()
    }
    return section


# --- is one part right? -----------------------------------------------------------------------


def source_right(gold: GoldSource, pred: Piece | None, level: str) -> bool:
    """The predicted source names the gold source: any of its pieces, or both are own voice."""
    if gold is None or pred is None:
        return gold is None and pred is None
    if level == "strict":
        return any(same_piece(mention, pred) for mention in gold)
    return any(pieces_touch(mention, pred, NAME_TOKEN_F1_THRESHOLD) for mention in gold)


def cue_right(gold: Piece | None, pred: Piece | None, level: str) -> bool:
    """No cue matches only no cue; otherwise same span/text, or overlap/token F1 >= 0.5."""
    return _both_absent_or(
        gold,
        pred,
        same_piece
        if level == "strict"
        else lambda g, p: pieces_touch(g, p, NAME_TOKEN_F1_THRESHOLD),
    )


def content_right(
    gold: Piece | None, pred: Piece | None, level: str, claim_threshold: float
) -> bool:
    """Same span/text, or similarity (Dice or token F1) at least the claim threshold."""
    return _both_absent_or(
        gold,
        pred,
        same_piece
        if level == "strict"
        else lambda g, p: at_least(piece_similarity(g, p), claim_threshold),
    )


def _both_absent_or(
    gold: Piece | None, pred: Piece | None, compare: Callable[[Piece, Piece], bool]
) -> bool:
    if gold is None or pred is None:
        return gold is None and pred is None
    return compare(gold, pred)


# --- resolving sources ------------------------------------------------------------------------


def _resolve_gold_source(source: Piece | None, gold_doc: Document) -> GoldSource:
    """A gold mention stands for its entity: every mention of that entity in the document."""
    if source is None:
        return None
    if source.get("mention") is None:
        return [source]
    mention = _mention(gold_doc, source["mention"], "gold")
    entity = mention.get("entity")
    if entity is None:
        return [mention]
    return [other for other in gold_doc["entities"] if other.get("entity") == entity]


def _resolve_pred_source(source: Piece | None, pred_doc: Document) -> Piece | None:
    """A predicted mention id points into the prediction's own entity list."""
    if source is None:
        return None
    if source.get("mention") is None:
        return source
    return _mention(pred_doc, source["mention"], "prediction")


def _mention(doc: Document, mention_id: str, side: str) -> Piece:
    for mention in doc.get("entities") or []:
        if mention.get("id") == mention_id:
            return mention
    raise ValueError(
        f"{side} of document {doc.get('doc_id')!r}: attribution source mention {mention_id!r} "
        "is not among the document's entities"
    )


def _attributions_of(doc: Document, side: str) -> Sequence[Mapping[str, Any]]:
    attributions = doc.get("attributions")
    if attributions is None:
        raise ValueError(f"{side} of document {doc.get('doc_id')!r} has no 'attributions' layer")
    return attributions


__all__ = [
    "NAME_TOKEN_F1_THRESHOLD",
    "PARTS",
    "content_right",
    "cue_right",
    "score_attributions",
    "source_right",
    "summarize_attributions",
    "tally_attributions",
]
