"""Attribution scorer (after PARC): source, cue, content and the whole triple, strict and lenient.

The rules, and why, are in docs/scoring/attributions.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from itertools import repeat
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from sourcetrace.schema.labels import names
from sourcetrace.scoring.attribution_batch import PART_LEVELS, SourcedAttributions, match_sizes
from sourcetrace.scoring.claims import (
    ATTRIBUTE_SIDES,
    DEFAULT_CLAIM_THRESHOLD,
    LEVEL_COUNTS,
    LEVELS,
    attribute_agreement,
    check_claim_threshold,
    check_levels,
    check_paired_labels,
    document_tallies,
    layer_pairs,
    level_fields,
    level_scores,
)
from sourcetrace.scoring.common import Tally, add_tallies
from sourcetrace.scoring.dense import DENSE_CELLS, MatchingTooLarge, max_solver_cells, too_large
from sourcetrace.scoring.grouped import Groups, grouped_matching_size
from sourcetrace.scoring.layer import Batch, Figure, LayerScorer, PartialFields
from sourcetrace.scoring.matching import (
    THRESHOLD_TOLERANCE,
    Pair,
    Piece,
    at_least,
    canonical_key,
    piece_similarity,
    pieces_touch,
    same_piece,
)
from sourcetrace.scoring.piece_matrices import (
    KeyOrders,
    PieceComparison,
    comparable,
    matching_sizes,
    maximum_matching,
    piece_batch,
)
from sourcetrace.scoring.tallies import TallyTable

if TYPE_CHECKING:
    from sourcetrace.evaluation.partial_checks import Statistics
    from sourcetrace.evaluation.settings import Settings

# the three parts of an attribution, then the triple (all three together): the scored parts
TRIPLE_PARTS = ("source", "cue", "content")
PARTS = (*TRIPLE_PARTS, "triple")
# After PARC 3.0, optional on both sides: the whole source phrase (P/R/F1 at both levels) and the
# content type (accuracy and kappa), scored on the attributions that the lenient triple matches.
SOURCE_SPAN = "source_span"
# the counts of the PARC source phrase on matched attributions in a partial file
SOURCE_SPAN_FIELDS = frozenset(
    {("attributions", SOURCE_SPAN, "pairs")}
    | {("attributions", SOURCE_SPAN, level, count) for level in LEVELS for count in LEVEL_COUNTS}
)
CONTENT_TYPE = "content_type"
CONTENT_TYPES = tuple(names("attribution_content_types"))
# the pairs the extras are scored on: the attribution found at all (explain.py lists the same)
MATCHED = ("triple", "lenient")
# Lenient source and cue: a name or a cue is a handful of tokens, so half of them in common is
# the bar (the SQuAD-F1 analogue of "the spans overlap"). Fixed, unlike the claim threshold.
NAME_TOKEN_F1_THRESHOLD = 0.5

Document = Mapping[str, Any]
# A resolved gold source: None (the article's own voice) or every piece that names it.
GoldSource = list[Piece] | None
# per (part, level): which (gold, predicted) attribution pairs have that part right
RightMatrices = dict[tuple[str, str], np.ndarray]


def tally_attributions(
    gold_doc: Document, pred_doc: Document, *, claim_threshold: float = DEFAULT_CLAIM_THRESHOLD
) -> Tally:
    """Additive counts for one document: per part and level, matched pairs, gold and predicted;
    and, where either side carries them, the source-span counts and content-type labels of the
    matched attributions (`extras_tally`).

    Both whole documents are needed: a source ``{"mention": id}`` is resolved through the
    ``entities`` of its own side. A count is the size of a maximum matching, the same for
    every maximum matching, so no pairs (and no canonical keys) are needed for it; the extras
    need the pairs, so a document that carries them is matched pair by pair.
    """
    gold_carried = carried_extras(gold_doc.get("attributions"))
    pred_carried = carried_extras(pred_doc.get("attributions"))
    # tallied when either side has it (0 pairs says "not scored"); paired when both have it
    tallied = tuple(
        name for name in (SOURCE_SPAN, CONTENT_TYPE) if name in {*gold_carried, *pred_carried}
    )
    paired = set(gold_carried) & set(pred_carried)
    gold_attributions, pred_attributions, right = _right_matrices(
        gold_doc, pred_doc, claim_threshold, counts_only=not paired
    )
    if isinstance(right, GroupedRight):
        sizes = {
            key: grouped_matching_size(matrix, right.gold, right.pred)
            for key, matrix in right.matrices.items()
        }
    else:
        sizes = dict(zip(right, matching_sizes(np.stack(list(right.values()))), strict=True))
    totals = {"gold": len(gold_attributions), "predicted": len(pred_attributions)}
    tally: Tally = {
        part: {level: {"true_positives": sizes[part, level], **totals} for level in LEVELS}
        for part in PARTS
    }
    if tallied:
        pairs: list[Pair] = []
        if paired and not isinstance(right, GroupedRight):
            orders = KeyOrders(gold_attributions, pred_attributions)
            pairs = maximum_matching(right[MATCHED], None, orders)
        tally |= extras_tally(gold_attributions, pred_attributions, pairs, tallied)
    return tally


def carried_extras(attributions: Any) -> tuple[str, ...]:
    """The optional fields (source span, content type) that some attribution of one side has:
    only these are scored, so a system or a pass without them is not scored on them (a null
    source span is carried: it says "no source phrase")."""
    found = set()
    for attribution in attributions if isinstance(attributions, list) else ():
        if isinstance(attribution, Mapping):
            if SOURCE_SPAN in attribution:
                found.add(SOURCE_SPAN)
            if attribution.get(CONTENT_TYPE) is not None:
                found.add(CONTENT_TYPE)
    return tuple(name for name in (SOURCE_SPAN, CONTENT_TYPE) if name in found)


def extras_tally(
    gold_attributions: Sequence[Mapping[str, Any]],
    pred_attributions: Sequence[Mapping[str, Any]],
    pairs: Sequence[Pair],
    carried: Sequence[str],
) -> Tally:
    """The source spans and content types of matched attributions, on the pairs where both
    sides carry the field (a null source span is carried: it says "no source phrase").

    Source span: ``pairs`` counts the pairs scored, ``gold`` / ``predicted`` those of them with a
    phrase on that side, ``true_positives`` those whose phrases are the same (strict) or
    overlap (lenient, token F1 >= 0.5 for text only); so precision and recall differ only where
    one side has a phrase and the other none. Content type: the paired labels.
    """
    tally: Tally = {}
    if SOURCE_SPAN in carried:
        scored = [
            (gold_attributions[g][SOURCE_SPAN], pred_attributions[p][SOURCE_SPAN])
            for g, p in pairs
            if SOURCE_SPAN in gold_attributions[g] and SOURCE_SPAN in pred_attributions[p]
        ]
        counts: Tally = {"pairs": len(scored)}
        for level in LEVELS:
            counts[level] = {
                "true_positives": sum(
                    gold is not None and pred is not None and source_span_right(gold, pred, level)
                    for gold, pred in scored
                ),
                "gold": sum(gold is not None for gold, _ in scored),
                "predicted": sum(pred is not None for _, pred in scored),
            }
        tally[SOURCE_SPAN] = counts
    if CONTENT_TYPE in carried:
        labelled = [
            (gold_attributions[g].get(CONTENT_TYPE), pred_attributions[p].get(CONTENT_TYPE))
            for g, p in pairs
        ]
        labelled = [
            (gold, pred) for gold, pred in labelled if gold is not None and pred is not None
        ]
        tally[CONTENT_TYPE] = {
            "gold": [gold for gold, _ in labelled],
            "predicted": [pred for _, pred in labelled],
        }
    return tally


def attribution_matches(
    gold_doc: Document, pred_doc: Document, *, claim_threshold: float = DEFAULT_CLAIM_THRESHOLD
) -> dict[tuple[str, str], list[Pair]]:
    """Per (part, level), a maximum one-to-one matching of (gold index, predicted index) pairs
    in which that part is right: the pairs every count and highlighted item comes from."""
    gold_attributions, pred_attributions, right = _right_matrices(
        gold_doc, pred_doc, claim_threshold
    )
    orders = KeyOrders(gold_attributions, pred_attributions)
    return {key: maximum_matching(matrix, None, orders) for key, matrix in right.items()}


class GroupedRight(NamedTuple):
    """The right matrices of distinct attributions only (groups x groups), and the groups."""

    matrices: RightMatrices
    gold: Groups
    pred: Groups


def _right_matrices(
    gold_doc: Document, pred_doc: Document, claim_threshold: float, *, counts_only: bool = False
) -> tuple[Sequence[Mapping[str, Any]], Sequence[Mapping[str, Any]], RightMatrices | GroupedRight]:
    """Both attribution lists and, per (part, level), which (gold, predicted) pairs are right.

    Broadcast when every piece is one the matrices handle; otherwise pair by pair, which is
    also what raises on a piece that cannot be compared, exactly as it always did. With
    ``counts_only``, many attributions are compared once per distinct pair (`GroupedRight`),
    which is all a count needs (`scoring.grouped`).
    """
    threshold = check_claim_threshold(claim_threshold)
    gold_attributions = _attributions_of(gold_doc, "gold")
    pred_attributions = _attributions_of(pred_doc, "prediction")
    gold_sources = _resolve_sources(gold_attributions, gold_doc, "gold")
    pred_sources = _resolve_sources(pred_attributions, pred_doc, "prediction")
    cells = len(gold_attributions) * len(pred_attributions)
    if counts_only and cells > DENSE_CELLS:
        grouped = _grouped_right(
            gold_attributions, pred_attributions, gold_sources, pred_sources, threshold
        )
        if grouped is not None:
            return gold_attributions, pred_attributions, grouped
    if cells > max_solver_cells():
        raise too_large("attributions", len(gold_attributions), len(pred_attributions), None, None)
    right = None
    if gold_attributions and pred_attributions:
        right = _right_matrices_broadcast(
            gold_attributions, pred_attributions, gold_sources, pred_sources, threshold
        )
    if right is None:
        right = _right_matrices_pairwise(
            gold_attributions, pred_attributions, gold_sources, pred_sources, threshold
        )
    return gold_attributions, pred_attributions, right


def _right_matrices_broadcast(
    gold_attributions: Sequence[Mapping[str, Any]],
    pred_attributions: Sequence[Mapping[str, Any]],
    gold_sources: list[GoldSource],
    pred_sources: list[Piece | None],
    threshold: float,
) -> RightMatrices | None:
    """The matrices by numpy broadcasting; None when a piece needs the pair-by-pair path.

    Cues, contents and source pieces go through one comparison as three segments (fewer, larger
    numpy calls); each part's block is sliced out of it.
    """
    mentions, membership = _source_mentions(gold_sources)
    gold = piece_batch(
        [a.get("cue") for a in gold_attributions],
        [a.get("content") for a in gold_attributions],
        mentions,
    )
    pred = piece_batch(
        [a.get("cue") for a in pred_attributions],
        [a.get("content") for a in pred_attributions],
        pred_sources,
    )
    if gold is None or pred is None or not comparable(gold, pred):
        return None
    comparison = PieceComparison(gold, pred)
    same = comparison.same()
    touch = comparison.touch(NAME_TOKEN_F1_THRESHOLD)
    content_similar = comparison.similarity() >= threshold - THRESHOLD_TOLERANCE
    either_absent = comparison.either_absent()
    both_absent = comparison.both_absent()
    n_gold, n_pred = len(gold_attributions), len(pred_attributions)
    cues = np.s_[:n_gold, :n_pred]
    contents = np.s_[n_gold : 2 * n_gold, n_pred : 2 * n_pred]
    sources = np.s_[2 * n_gold :, 2 * n_pred :]
    # A part's rule for absence: both absent is right, one absent is wrong. Same and touch are
    # already False wherever a piece is absent; similarity is not (0.0 can clear a tiny bar).
    own_voice = (
        np.array([source is None for source in gold_sources], dtype=bool)[:, None]
        & (pred.absent[2 * n_pred :][None, :])
    )
    right: RightMatrices = {
        # a gold source is right when any of its pieces is (boolean matrix product: or of ands)
        ("source", "strict"): membership.any_of(same[sources]) | own_voice,
        ("source", "lenient"): membership.any_of(touch[sources]) | own_voice,
        ("cue", "strict"): same[cues] | both_absent[cues],
        ("cue", "lenient"): touch[cues] | both_absent[cues],
        ("content", "strict"): same[contents] | both_absent[contents],
        ("content", "lenient"): (content_similar[contents] & ~either_absent[contents])
        | both_absent[contents],
    }
    for level in LEVELS:
        right["triple", level] = (
            right["source", level] & right["cue", level] & right["content", level]
        )
    return {(part, level): right[part, level] for part in PARTS for level in LEVELS}


def _grouped_right(
    gold_attributions: Sequence[Mapping[str, Any]],
    pred_attributions: Sequence[Mapping[str, Any]],
    gold_sources: list[GoldSource],
    pred_sources: list[Piece | None],
    threshold: float,
) -> GroupedRight | None:
    """The right matrices of the distinct attributions: two attributions with the same resolved
    source, cue and content (canonical JSON) are compared alike with everything. None when the
    distinct ones are too many, or a piece needs the pair-by-pair path."""
    gold = Groups(
        [
            canonical_key([source, a.get("cue"), a.get("content")])
            for source, a in zip(gold_sources, gold_attributions, strict=True)
        ]
    )
    pred = Groups(
        [
            canonical_key([source, a.get("cue"), a.get("content")])
            for source, a in zip(pred_sources, pred_attributions, strict=True)
        ]
    )
    if len(gold) * len(pred) > max_solver_cells():
        return None
    matrices = _right_matrices_broadcast(
        [gold_attributions[i] for i in gold.first],
        [pred_attributions[i] for i in pred.first],
        [gold_sources[i] for i in gold.first],
        [pred_sources[i] for i in pred.first],
        threshold,
    )
    return None if matrices is None else GroupedRight(matrices, gold, pred)


def _source_mentions(gold_sources: list[GoldSource]) -> tuple[list[Piece], Membership]:
    """The distinct pieces naming gold sources, and which gold attribution each names.

    Mentions of one entity are shared by every attribution of that entity, so each is compared
    once; the membership says which pieces name the source of which gold attribution.
    """
    pieces: list[Piece] = []
    column_of: dict[int, int] = {}
    rows: list[int] = []
    columns: list[int] = []
    for row, source in enumerate(gold_sources):
        for piece in source or ():
            column = column_of.setdefault(id(piece), len(pieces))
            if column == len(pieces):
                pieces.append(piece)
            rows.append(row)
            columns.append(column)
    return pieces, Membership(len(gold_sources), len(pieces), rows, columns)


class Membership:
    """Which pieces name the source of which gold attribution (rows x pieces)."""

    # above this many cells the matrix is not built (many attributions of distinct sources)
    LARGEST_DENSE = 1 << 20

    def __init__(self, n_rows: int, n_pieces: int, rows: list[int], columns: list[int]) -> None:
        self.shape = (n_rows, n_pieces)
        self.rows = np.array(rows, dtype=np.int64)
        self.columns = np.array(columns, dtype=np.int64)

    def any_of(self, piece_right: np.ndarray) -> np.ndarray:
        """Per row, the OR over its pieces of ``piece_right`` (pieces x predictions): the
        boolean matrix product, without the rows x pieces matrix when that is large."""
        n_rows, n_pieces = self.shape
        if n_rows * n_pieces <= self.LARGEST_DENSE:
            matrix = np.zeros(self.shape, dtype=bool)
            matrix[self.rows, self.columns] = True
            return matrix @ piece_right
        result = np.zeros((n_rows, piece_right.shape[1]), dtype=bool)
        np.logical_or.at(result, self.rows, piece_right[self.columns])
        return result


def _right_matrices_pairwise(
    gold_attributions: Sequence[Mapping[str, Any]],
    pred_attributions: Sequence[Mapping[str, Any]],
    gold_sources: list[GoldSource],
    pred_sources: list[Piece | None],
    threshold: float,
) -> RightMatrices:
    """The matrices pair by pair with the per-pair functions: the reference behaviour."""
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
    return right


def summarize_attributions(
    tally: Mapping[str, Any], *, claim_threshold: float = DEFAULT_CLAIM_THRESHOLD
) -> dict[str, Any]:
    """Report section from a (summed) tally: the parts, then the extras that were tallied.

    ``claim_threshold`` is accepted so every summariser takes the same settings; it only acted
    in the tally (lenient content), so the report's signature is where it should be recorded.
    """
    check_claim_threshold(claim_threshold)
    section: dict[str, Any] = {
        part: {level: level_scores(tally.get(part, {}).get(level, {})) for level in LEVELS}
        for part in PARTS
    }
    if SOURCE_SPAN in tally:
        counts = tally[SOURCE_SPAN]
        pairs = int(counts.get("pairs", 0))
        # no pair carries a phrase on both sides: no figure, rather than a 0 that reads as wrong
        section[SOURCE_SPAN] = {
            "pairs": pairs,
            **{level: level_scores(counts.get(level, {})) if pairs else None for level in LEVELS},
        }
    if CONTENT_TYPE in tally:
        labels = tally[CONTENT_TYPE]
        section[CONTENT_TYPE] = attribute_agreement(
            labels.get("gold", []), labels.get("predicted", []), CONTENT_TYPE
        )
    return section


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


def source_span_right(gold: Piece, pred: Piece, level: str) -> bool:
    """Strict: the same phrase (offsets, or normalised text); lenient: the phrases overlap (any
    shared character; token F1 >= 0.5 when one side is text only), as for the source."""
    if level == "strict":
        return same_piece(gold, pred)
    return pieces_touch(gold, pred, NAME_TOKEN_F1_THRESHOLD)


def wrong_extras(gold: Mapping[str, Any], pred: Mapping[str, Any]) -> list[str]:
    """The extras of a matched pair that both sides carry and that disagree (the strict
    level for the source phrase): what an error list says beside the pair."""
    wrong = []
    if SOURCE_SPAN in gold and SOURCE_SPAN in pred:
        gold_span, pred_span = gold[SOURCE_SPAN], pred[SOURCE_SPAN]
        if (gold_span is None) != (pred_span is None) or (
            gold_span is not None and not source_span_right(gold_span, pred_span, "strict")
        ):
            wrong.append(SOURCE_SPAN)
    labels = gold.get(CONTENT_TYPE), pred.get(CONTENT_TYPE)
    if None not in labels and labels[0] != labels[1]:
        wrong.append(CONTENT_TYPE)
    return wrong


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


def _resolve_sources(
    attributions: Sequence[Mapping[str, Any]], doc: Document, side: str
) -> list[Any]:
    """Each attribution's source as ``_resolve_gold_source`` or ``_resolve_pred_source``
    resolves it, with the entity list read once per document rather than scanned once per
    attribution; where that could mean anything else than the scans' ``==`` (an entity that
    is no dict, an id or entity id that is no string), the per-attribution functions run."""
    resolve = _resolve_gold_source if side == "gold" else _resolve_pred_source
    index: _EntityIndex | None = None
    resolved = []
    for attribution in attributions:
        source = attribution.get("source")
        mention_id = None if source is None else source.get("mention")
        if type(mention_id) is not str:
            resolved.append(resolve(source, doc))
            continue
        if index is None:
            index = _EntityIndex(doc, with_entities=side == "gold")
        if not index.usable:
            resolved.append(resolve(source, doc))
            continue
        mention = index.mention(mention_id)
        if mention is None:
            _mention(doc, mention_id, side)  # raises the error of a scan that finds nothing
        if side != "gold":
            resolved.append(mention)
            continue
        entity = mention.get("entity")
        resolved.append([mention] if entity is None else list(index.by_entity[entity]))
    return resolved


class _EntityIndex:
    """A document's mentions: the first of an id (``list.index`` is the scan's ``==``), and,
    for the gold side, every mention of an entity in document order."""

    def __init__(self, doc: Document, *, with_entities: bool) -> None:
        self.entities: list[Piece] = doc.get("entities") or []
        self.usable = type(self.entities) is list and set(map(type, self.entities)) <= {dict}
        if not self.usable:
            return
        # every mention is a dict: dict.get mapped over them reads what mention.get reads
        self.ids = list(map(dict.get, self.entities, repeat("id")))
        self.by_entity: dict[str, list[Piece]] = {}
        if with_entities:
            entity_ids = list(map(dict.get, self.entities, repeat("entity")))
            if not set(map(type, entity_ids)) <= {str, type(None)}:
                self.usable = False
                return
            by_entity = self.by_entity
            for mention, entity in zip(self.entities, entity_ids, strict=True):
                if entity is not None:
                    found = by_entity.get(entity)
                    if found is None:
                        by_entity[entity] = [mention]
                    else:
                        found.append(mention)

    def mention(self, mention_id: str) -> Piece | None:
        try:
            return self.entities[self.ids.index(mention_id)]
        except ValueError:
            return None


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


# ---------------------------------------------------------------- the layer scorer


def _tally(gold: Document, pred: Document, settings: Settings, text: str) -> Tally:
    predicted = {
        "entities": pred.get("entities") or [],
        "claims": pred.get("claims") or [],
        "attributions": pred.get("attributions") or [],
    }
    return tally_attributions(gold, predicted, claim_threshold=settings.claim_threshold)


# the count leaves of an attribution tally, in the order a TallyTable sorts them
_COUNT_FIELDS = sorted(
    (part, level, count) for part in PARTS for level in LEVELS for count in LEVEL_COUNTS
)


def _tally_batch(doc_ids: list[str], batch: Batch, settings: Settings) -> TallyTable | None:
    """The documents' tallies (`_tally`, one by one) as a table: the documents that
    `attribution_batch` can take all at once (their attributions, sources resolved here, in
    flat arrays), the others one by one, in document order (so a refusal is the one the first
    refused document gives). Laid out directly where no document has extras: every tally then
    has the same count leaves, and the table is the one ``TallyTable.from_tallies`` makes."""
    if not doc_ids or len(set(doc_ids)) != len(doc_ids):
        return None  # one by one, as tally_documents does it (document_tallies' None)
    try:
        threshold = check_claim_threshold(settings.claim_threshold)
        largest = min(DENSE_CELLS, max_solver_cells())
    except Exception:  # the first document raises it, exactly, one by one
        return _table(doc_ids, document_tallies(_tally, doc_ids, batch, settings))
    sourced: list[SourcedAttributions | None] = [
        _sourced(gold, pred, largest) for gold, pred, _ in batch
    ]
    taken = [document for document in sourced if document is not None]
    computed = match_sizes(taken, threshold, NAME_TOKEN_F1_THRESHOLD)
    sizes = np.zeros((len(PART_LEVELS), len(doc_ids)), dtype=np.int64)
    totals = np.zeros((2, len(doc_ids)), dtype=np.int64)
    one_by_one: dict[int, Tally] = {}
    place = 0
    for index, document in enumerate(sourced):
        if document is not None:
            if computed.scored[place]:
                sizes[:, index] = computed.sizes[:, place]
                totals[:, index] = len(document.gold), len(document.pred)
                place += 1
                continue
            place += 1
        gold, pred, text = batch[index]
        try:
            one_by_one[index] = _tally(gold, pred, settings, text)
        except MatchingTooLarge as error:
            raise error.in_document(doc_ids[index]) from None
    for index, tally in one_by_one.items():
        for row, (part, level) in enumerate(PART_LEVELS):
            sizes[row, index] = tally[part][level]["true_positives"]
        totals[:, index] = tally["triple"]["strict"]["gold"], tally["triple"]["strict"]["predicted"]
    if any(len(tally) != len(PARTS) for tally in one_by_one.values()):
        tallies = [
            one_by_one[index]
            if index in one_by_one
            else _counts_tally(sizes[:, index], totals[:, index])
            for index in range(len(doc_ids))
        ]
        return TallyTable.from_tallies(dict(zip(doc_ids, tallies, strict=True)))
    row_of = {key: row for row, key in enumerate(PART_LEVELS)}
    columns = []
    for part, level, name in _COUNT_FIELDS:
        if name == "true_positives":
            columns.append(sizes[row_of[part, level]])
        else:
            columns.append(totals[0 if name == "gold" else 1])
    counts = np.stack(columns, axis=1)
    return _table(doc_ids, None, counts)


def _sourced(gold: Document, pred: Document, largest: int) -> SourcedAttributions | None:
    """A document's attributions and resolved sources as `_tally` reads them, or None where
    it must go one by one: a side not a list of dicts, extras (source span, content type),
    more pairs than ``largest`` (grouped or refused), or a source that does not resolve."""
    try:
        gold_attributions = gold.get("attributions")
        pred_attributions = pred.get("attributions") or []
    except Exception:  # raised again, exactly, one by one
        return None
    if type(gold_attributions) is not list or type(pred_attributions) is not list:
        return None
    if len(gold_attributions) * len(pred_attributions) > largest:
        return None
    for attributions in (gold_attributions, pred_attributions):
        for attribution in attributions:
            if type(attribution) is not dict or SOURCE_SPAN in attribution:
                return None
            if attribution.get(CONTENT_TYPE) is not None:
                return None
    try:
        gold_sources = _resolve_sources(gold_attributions, gold, "gold")
        pred_sources = _resolve_sources(pred_attributions, pred, "prediction")
    except Exception:  # raised again, exactly, one by one
        return None
    return SourcedAttributions(gold_attributions, pred_attributions, gold_sources, pred_sources)


def _counts_tally(sizes: np.ndarray, totals: np.ndarray) -> Tally:
    """A tally without extras from its matching sizes (`PART_LEVELS`) and totals."""
    true_positives = dict(zip(PART_LEVELS, sizes.tolist(), strict=True))
    gold, predicted = totals.tolist()
    return {
        part: {
            level: {
                "true_positives": true_positives[part, level],
                "gold": gold,
                "predicted": predicted,
            }
            for level in LEVELS
        }
        for part in PARTS
    }


def _table(
    doc_ids: list[str], tallies: list[Tally] | None, counts: np.ndarray | None = None
) -> TallyTable | None:
    """The table of tallies without extras (or of ``counts`` laid out as `_COUNT_FIELDS`);
    ``TallyTable.from_tallies`` where a tally has extras."""
    if counts is None:
        if tallies is None:
            return None
        if any(len(tally) != len(PARTS) for tally in tallies):
            return TallyTable.from_tallies(dict(zip(doc_ids, tallies, strict=True)))
        counts = np.array(
            [
                [tally[part][level][name] for part, level, name in _COUNT_FIELDS]
                for tally in tallies
            ],
            dtype=np.int64,
        )
    count = len(doc_ids)
    return TallyTable(
        list(doc_ids),
        list(_COUNT_FIELDS),
        counts,
        np.ones(counts.shape, dtype=bool),
        [],
        [[] for _ in doc_ids],
        np.zeros((count, 0), dtype=bool),
    )


def _summarize(tally: Mapping[str, Any], settings: Settings) -> dict[str, Any]:
    return summarize_attributions(tally, claim_threshold=settings.claim_threshold)


def _per_document(tally: Mapping[str, Any]) -> dict[str, Any]:
    return {
        part: {level: level_scores(tally.get(part, {}).get(level, {})) for level in LEVELS}
        for part in PARTS
    }


def _check_partial(s: Statistics) -> None:
    """The levels' bounds, and a whole triple right at most as often as each of its parts."""
    hits = check_levels(s, "attributions", [("attributions", part) for part in PARTS])
    triple = ("attributions", "triple")
    _check_attribution_extras(s, hits[triple, "lenient"])
    for part in PARTS:
        for level in LEVELS:
            whole, one = hits[triple, level], hits[("attributions", part), level]
            s.require(
                whole <= one,
                lambda r, p=part, lv=level, w=whole, o=one: (
                    f"attributions {lv}: the whole triple "
                    f"is right {w[r]} times, its {p} only {o[r]} times"
                ),
            )


def _check_attribution_extras(s: Statistics, matched: np.ndarray) -> None:
    """Source-span counts and content-type labels, where written: all of a group present or
    none (and absent ones zero or empty); scored pairs at most the matched triples; per level
    gold and predicted phrases at most the pairs, true positives at most either; content types
    paired one to one, at most the matched triples, labels of the inventory."""
    written = [path for path in SOURCE_SPAN_FIELDS if path in s.fields]
    if written:
        if len(written) != len(SOURCE_SPAN_FIELDS):
            raise s.layout_error(f"/{s.key}/fields", "source span counts are partly written")
        columns = [s.fields[path] for path in SOURCE_SPAN_FIELDS]
        has = s.present[:, columns]
        s.require(
            has.all(axis=1) | ~has.any(axis=1),
            lambda r: "the source span counts are partly absent",
        )
        s.require(
            has.any(axis=1) | ~s.counts[:, columns].any(axis=1),
            lambda r: "absent source span counts are not zero",
        )
        pairs = s.column("attributions", SOURCE_SPAN, "pairs")
        s.require(
            pairs <= matched,
            lambda r: f"source span scored on {pairs[r]} pairs, but {matched[r]} matched triples",
        )
        for level in LEVELS:
            gold, predicted, hits = (
                s.column("attributions", SOURCE_SPAN, level, count) for count in LEVEL_COUNTS
            )
            s.require(
                (gold <= pairs) & (predicted <= pairs) & (hits <= np.minimum(gold, predicted)),
                lambda r, lv=level, g=gold, p=predicted, h=hits: (
                    f"source span {lv}: {h[r]} true positives, {g[r]} gold and {p[r]} predicted "
                    f"phrases on {pairs[r]} scored pairs"
                ),
            )
    paths = [("attributions", CONTENT_TYPE, side) for side in ATTRIBUTE_SIDES]
    check_paired_labels(s, CONTENT_TYPE, paths, CONTENT_TYPES, matched, "triples")


SCORER = LayerScorer(
    name="attributions",
    layer="attributions",
    section=("attributions",),
    tally=_tally,
    tally_batch=_tally_batch,
    summarize=_summarize,
    partial_fields=lambda s: PartialFields(
        level_fields("attributions", PARTS),
        optional_lists=frozenset(("attributions", CONTENT_TYPE, side) for side in ATTRIBUTE_SIDES),
        optional_numeric=SOURCE_SPAN_FIELDS,
    ),
    check_partial=_check_partial,
    headline=tuple(
        (f"attributions.{part}.{level}.f1", (part, level, "f1"))
        for part in PARTS
        for level in LEVELS
    ),
    per_document=_per_document,
    figure=Figure(
        "attributions.triple.lenient.f1",
        ("triple", "lenient"),
        "triple, lenient",
        ("triple", "lenient"),
    ),
    curves=tuple((f"triple.{level}", ("triple", level)) for level in LEVELS),
)


__all__ = [
    "CONTENT_TYPE",
    "CONTENT_TYPES",
    "NAME_TOKEN_F1_THRESHOLD",
    "PARTS",
    "SCORER",
    "SOURCE_SPAN",
    "carried_extras",
    "content_right",
    "cue_right",
    "score_attributions",
    "source_right",
    "source_span_right",
    "summarize_attributions",
    "tally_attributions",
    "wrong_extras",
]
