"""Claim scorer: one-to-one span matching at two levels, and attribute agreement on matched pairs.

The rules, and why, are in docs/scoring/claims.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import compress, repeat
from operator import and_, is_not
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from sourcetrace.schema.labels import names
from sourcetrace.scoring.claim_batch import claim_matches
from sourcetrace.scoring.clusters import (
    CLUSTER_COUNTS,
    check_cluster_counts,
    cluster_partial_fields,
    summarize_cluster_section,
    tally_clusters,
)
from sourcetrace.scoring.common import (
    Tally,
    add_tallies,
    cohen_kappa,
    normalize_text,
    prf,
    safe_div,
)
from sourcetrace.scoring.dense import DENSE_CELLS, MatchingTooLarge, max_solver_cells, too_large
from sourcetrace.scoring.grouped import Groups, grouped_matching_size, grouped_pairs
from sourcetrace.scoring.layer import (
    Batch,
    Document,
    FieldPath,
    Figure,
    LayerScorer,
    PartialFields,
)
from sourcetrace.scoring.matching import (
    THRESHOLD_TOLERANCE,
    Pair,
    canonical_key,
    match_items,
    max_weight_matching,
    pairwise,
    piece_similarity,
    same_piece,
)
from sourcetrace.scoring.piece_matrices import (
    KeyOrders,
    PieceBatch,
    PieceComparison,
    comparable,
    matching_size,
    maximum_matching,
    piece_batch,
    same_piece_pairs,
)
from sourcetrace.scoring.tallies import PooledCounts, TallyTable

if TYPE_CHECKING:
    from sourcetrace.evaluation.partial_checks import Statistics
    from sourcetrace.evaluation.settings import Settings

DEFAULT_CLAIM_THRESHOLD = 0.5
LEVELS = ("strict", "lenient")
# The label inventory of schema/labels.json. Labels a system invents are added to these, so no
# pair is dropped for a label the inventory does not know.
ATTRIBUTE_LABELS: dict[str, tuple[Any, ...]] = {
    "polarity": tuple(names("claim_polarity")),
    "certainty": tuple(names("claim_certainty")),
    "checkworthy": (False, True),
}

# the leaves of a claim or attribution level (`level_scores` reads them)
LEVEL_COUNTS = ("gold", "predicted", "true_positives")
# the list leaves of the attribute agreement of matched claims
ATTRIBUTE_SIDES = ("gold", "predicted")

Claim = Mapping[str, Any]


def check_claim_threshold(claim_threshold: float) -> float:
    """A threshold of 0 would match claims that share nothing, above 1 nothing at all."""
    if not 0 < claim_threshold <= 1:
        raise ValueError(f"claim_threshold must be in (0, 1], not {claim_threshold!r}")
    return float(claim_threshold)


def strict_claim_pairs(gold_claims: Sequence[Claim], pred_claims: Sequence[Claim]) -> list[Pair]:
    """A maximum set of one-to-one pairs with the same span (or same normalised text)."""
    return same_piece_pairs(gold_claims, pred_claims)


def lenient_claim_pairs(
    gold_claims: Sequence[Claim],
    pred_claims: Sequence[Claim],
    *,
    claim_threshold: float = DEFAULT_CLAIM_THRESHOLD,
) -> list[Pair]:
    """Lenient matched pairs of one document as (gold_claim_index, pred_claim_index).

    The cluster scorer maps predicted ``cluster`` ids onto gold claims through these pairs.
    """
    threshold = check_claim_threshold(claim_threshold)
    comparison = _claim_comparison(gold_claims, pred_claims)
    orders = KeyOrders(gold_claims, pred_claims)
    if comparison is not None and len(gold_claims) * len(pred_claims) > DENSE_CELLS:
        grouped = _grouped_claims(gold_claims, pred_claims, comparison, threshold, orders)
        if grouped is not None and grouped.lenient_pairs is not None:
            return grouped.lenient_pairs
    _check_solver_bound(gold_claims, pred_claims)
    if comparison is None:
        return _lenient_claim_pairs_pairwise(gold_claims, pred_claims, threshold)
    return _lenient_pairs(comparison, threshold, orders)


def tally_claims(
    gold_claims: Sequence[Claim],
    pred_claims: Sequence[Claim],
    *,
    claim_threshold: float = DEFAULT_CLAIM_THRESHOLD,
) -> Tally:
    """Additive counts for one document: matched pairs per level, paired attribute labels."""
    comparison = _claim_comparison(gold_claims, pred_claims)
    totals = {"gold": len(gold_claims), "predicted": len(pred_claims)}
    if comparison is not None and len(gold_claims) * len(pred_claims) > DENSE_CELLS:
        threshold = check_claim_threshold(claim_threshold)
        orders = KeyOrders(gold_claims, pred_claims)
        grouped = _grouped_claims(gold_claims, pred_claims, comparison, threshold, orders)
        # the pairs matter only for the attributes a prediction carries
        if grouped is not None and (
            grouped.lenient_pairs is not None or not _carried_attributes(pred_claims)
        ):
            lenient = grouped.lenient_pairs or []
            return {
                "span": {
                    "strict": {"true_positives": grouped.strict_count, **totals},
                    "lenient": {"true_positives": grouped.lenient_count, **totals},
                },
                "attributes": _paired_attributes(gold_claims, pred_claims, lenient),
            }
    _check_solver_bound(gold_claims, pred_claims)
    if comparison is None:  # pair by pair, raising where a claim cannot be compared
        strict_count = len(match_items(gold_claims, pred_claims, same_piece))
        threshold = check_claim_threshold(claim_threshold)
        lenient = _lenient_claim_pairs_pairwise(gold_claims, pred_claims, threshold)
    else:
        threshold = check_claim_threshold(claim_threshold)
        # the strict count is the size of any maximum matching: no pairs, no keys needed
        strict_count = matching_size(comparison.same())
        lenient = _lenient_pairs(comparison, threshold, KeyOrders(gold_claims, pred_claims))
    return {
        "span": {
            "strict": {"true_positives": strict_count, **totals},
            "lenient": {"true_positives": len(lenient), **totals},
        },
        "attributes": _paired_attributes(gold_claims, pred_claims, lenient),
    }


class GroupedClaims(NamedTuple):
    strict_count: int
    lenient_count: int
    lenient_pairs: list[Pair] | None  # None: not known without the all-pairs solver


def _grouped_claims(
    gold_claims: Sequence[Claim],
    pred_claims: Sequence[Claim],
    comparison: PieceComparison,
    threshold: float,
    orders: KeyOrders,
) -> GroupedClaims | None:
    """The counts (and, where known, the lenient pairs) from one comparison per pair of
    distinct claims (`scoring.grouped`): claims compared by text are grouped by normalised text
    (``same_piece`` and ``token_f1`` see nothing else), claims compared by offsets by their
    offsets. None when the two kinds mix, or when the distinct claims are too many."""
    gold_segment, pred_segment = comparison.gold.segments[0], comparison.pred.segments[0]
    if len(gold_segment.text_only) == len(gold_claims) or len(pred_segment.text_only) == len(
        pred_claims
    ):
        gold_keys = [normalize_text(claim["text"]) for claim in gold_claims]
        pred_keys = [normalize_text(claim["text"]) for claim in pred_claims]
    elif not gold_segment.text_only and not pred_segment.text_only:
        gold_keys = _offsets(comparison.gold)
        pred_keys = _offsets(comparison.pred)
    else:
        return None
    gold, pred = Groups(gold_keys), Groups(pred_keys)
    if len(gold) * len(pred) > max_solver_cells():
        return None
    gold_batch = piece_batch([gold_claims[i] for i in gold.first])
    pred_batch = piece_batch([pred_claims[i] for i in pred.first])
    if gold_batch is None or pred_batch is None:  # cannot be: they are claims of the batches
        return None
    distinct = PieceComparison(gold_batch, pred_batch)
    similarity = distinct.similarity()
    valid = similarity >= threshold - THRESHOLD_TOLERANCE
    pairs = grouped_pairs(valid, similarity, gold, pred, orders)
    return GroupedClaims(
        strict_count=grouped_matching_size(distinct.same(), gold, pred),
        lenient_count=len(pairs) if pairs is not None else grouped_matching_size(valid, gold, pred),
        lenient_pairs=pairs,
    )


def _offsets(batch: PieceBatch) -> list[tuple[int, int]]:
    return list(zip(batch.starts.tolist(), batch.ends.tolist(), strict=True))


def _carried_attributes(pred_claims: Sequence[Claim]) -> bool:
    """Whether a predicted claim carries an attribute (then the lenient pairs are read)."""
    return any(claim.get(name) is not None for claim in pred_claims for name in ATTRIBUTE_LABELS)


def _check_solver_bound(gold_claims: Sequence[Claim], pred_claims: Sequence[Claim]) -> None:
    """Refuse all-pairs matching beyond the solver bound (scoring.dense)."""
    if len(gold_claims) * len(pred_claims) > max_solver_cells():
        raise too_large("claims", len(gold_claims), len(pred_claims), None, None)


def _claim_comparison(
    gold_claims: Sequence[Claim], pred_claims: Sequence[Claim]
) -> PieceComparison | None:
    """Both sides ready for broadcasting, or None when a claim needs the pair-by-pair path (an
    odd piece, or a comparison that would raise)."""
    gold = piece_batch(gold_claims)
    pred = piece_batch(pred_claims)
    if gold is None or pred is None or gold.any_absent or pred.any_absent:  # None is no claim
        return None
    if not comparable(gold, pred):
        return None
    return PieceComparison(gold, pred)


def _lenient_pairs(comparison: PieceComparison, threshold: float, orders: KeyOrders) -> list[Pair]:
    similarity = comparison.similarity()
    valid = similarity >= threshold - THRESHOLD_TOLERANCE
    return maximum_matching(valid, similarity, orders)


def _lenient_claim_pairs_pairwise(
    gold_claims: Sequence[Claim], pred_claims: Sequence[Claim], threshold: float
) -> list[Pair]:
    """Pair by pair with ``piece_similarity``: the reference behaviour."""
    similarity = pairwise(gold_claims, pred_claims, piece_similarity, dtype=float)
    valid = similarity >= threshold - THRESHOLD_TOLERANCE
    return max_weight_matching(
        valid,
        similarity,
        row_keys=[canonical_key(claim) for claim in gold_claims],
        col_keys=[canonical_key(claim) for claim in pred_claims],
    )


def _paired_attributes(
    gold_claims: Sequence[Claim], pred_claims: Sequence[Claim], pairs: list[Pair]
) -> dict[str, dict[str, list]]:
    """Labels of each attribute the system gave, on the pairs where both sides carry it.

    An attribute is scored only when a predicted claim carries it (the prediction format makes
    attributes optional); its key is present, even with empty lists, as soon as one predicted
    claim of the document has it, so "the system gave it but nothing matched" stays visible.
    """
    paired: dict[str, dict[str, list]] = {}
    for name in ATTRIBUTE_LABELS:
        if not any(claim.get(name) is not None for claim in pred_claims):
            continue
        gold_labels, pred_labels = [], []
        for gold_index, pred_index in pairs:
            gold_label = gold_claims[gold_index].get(name)
            pred_label = pred_claims[pred_index].get(name)
            if gold_label is not None and pred_label is not None:
                gold_labels.append(gold_label)
                pred_labels.append(pred_label)
        paired[name] = {"gold": gold_labels, "predicted": pred_labels}
    return paired


def _batch_attributes(
    golds: Sequence[Sequence[Claim]],
    preds: Sequence[Sequence[Claim]],
    settled: list[int],
    pairs_of: Sequence[list[Pair] | None],
) -> list[dict[str, dict[str, list]]]:
    """``_paired_attributes`` of the documents ``settled`` (positions in ``golds``, ``preds``
    and ``pairs_of``), each attribute read once over all their claims and pairs."""
    if not settled:
        return []
    pred_claims = [claim for index in settled for claim in preds[index]]
    pred_document = np.repeat(np.arange(len(settled)), [len(preds[index]) for index in settled])
    paired = [(index, pair) for index in settled for pair in pairs_of[index] or ()]
    gold_paired = [golds[index][g] for index, (g, _) in paired]
    pred_paired = [preds[index][p] for index, (_, p) in paired]
    pair_bounds = np.cumsum([0] + [len(pairs_of[index] or ()) for index in settled])
    found: list[dict[str, dict[str, list]]] = [{} for _ in settled]
    for name in ATTRIBUTE_LABELS:
        given = np.fromiter(
            map(is_not, map(dict.get, pred_claims, repeat(name)), repeat(None)),
            dtype=bool,
            count=len(pred_claims),
        )
        carried = np.bincount(pred_document[given], minlength=len(settled)) > 0
        if not carried.any():
            continue
        gold_labels = list(map(dict.get, gold_paired, repeat(name)))
        pred_labels = list(map(dict.get, pred_paired, repeat(name)))
        both = list(
            map(
                and_,
                map(is_not, gold_labels, repeat(None)),
                map(is_not, pred_labels, repeat(None)),
            )
        )
        kept_gold = list(compress(gold_labels, both))
        kept_pred = list(compress(pred_labels, both))
        bounds = np.concatenate([[0], np.cumsum(both, dtype=np.int64)])[pair_bounds].tolist()
        for k in np.flatnonzero(carried).tolist():
            found[k][name] = {
                "gold": kept_gold[bounds[k] : bounds[k + 1]],
                "predicted": kept_pred[bounds[k] : bounds[k + 1]],
            }
    return found


def summarize_claims(
    tally: Mapping[str, Any], *, claim_threshold: float = DEFAULT_CLAIM_THRESHOLD
) -> dict[str, Any]:
    """Report section from a (summed) tally."""
    section = _summarize_without_settings(tally)
    section["settings"] = {"claim_threshold": check_claim_threshold(claim_threshold)}
    return section


def _summarize_without_settings(tally: Mapping[str, Any]) -> dict[str, Any]:
    span = tally.get("span", {})
    return {
        "span": {level: level_scores(span.get(level, {})) for level in LEVELS},
        "attributes": {
            name: attribute_agreement(labels.get("gold", []), labels.get("predicted", []), name)
            for name, labels in sorted(tally.get("attributes", {}).items())
        },
    }


def level_scores(counts: Mapping[str, int]) -> dict[str, Any]:
    """{"true_positives", "gold", "predicted", "precision", "recall", "f1"} from counts."""
    true_positives = int(counts.get("true_positives", 0))
    gold = int(counts.get("gold", 0))
    predicted = int(counts.get("predicted", 0))
    return {
        "true_positives": true_positives,
        "gold": gold,
        "predicted": predicted,
        **prf(true_positives, predicted, gold),
    }


def attribute_agreement(
    gold_labels: Sequence[Any], pred_labels: Sequence[Any], name: str
) -> dict[str, Any]:
    """Accuracy and Cohen's kappa of paired labels; None where they are undefined.

    Kappa is (p_o - p_e) / (1 - p_e): undefined when p_e = 1, i.e. when gold and system both
    use one and the same label on every pair (sklearn's cohen_kappa_score returns nan with a
    warning). We report None then rather than a number that would read as "no agreement" or
    "perfect agreement".
    """
    if len(gold_labels) != len(pred_labels):
        raise ValueError(f"{name}: {len(gold_labels)} gold labels but {len(pred_labels)} predicted")
    pairs = len(gold_labels)
    if pairs == 0:
        return {"pairs": 0, "accuracy": None, "kappa": None}
    agreeing = sum(g == p for g, p in zip(gold_labels, pred_labels, strict=True))
    return {
        "pairs": pairs,
        "accuracy": float(safe_div(agreeing, pairs)),
        "kappa": cohen_kappa(
            gold_labels,
            pred_labels,
            labels=[*ATTRIBUTE_LABELS.get(name, ()), *gold_labels, *pred_labels],
        ),
    }


def score_claims(
    gold_docs: Mapping[str, Mapping[str, Any]],
    pred_docs: Mapping[str, Mapping[str, Any]],
    *,
    claim_threshold: float = DEFAULT_CLAIM_THRESHOLD,
) -> dict[str, Any]:
    """Corpus section plus "per_document", over the documents of ``gold_docs``."""
    check_claim_threshold(claim_threshold)
    per_document = {
        doc_id: tally_claims(gold_claims, pred_claims, claim_threshold=claim_threshold)
        for doc_id, gold_claims, pred_claims in layer_pairs(gold_docs, pred_docs, "claims")
    }
    section = summarize_claims(add_tallies(per_document.values()), claim_threshold=claim_threshold)
    section["per_document"] = {
        doc_id: _summarize_without_settings(tally) for doc_id, tally in per_document.items()
    }
    return section


def layer_pairs(
    gold_docs: Mapping[str, Mapping[str, Any]],
    pred_docs: Mapping[str, Mapping[str, Any]],
    layer: str,
) -> list[tuple[str, Any, Any]]:
    """(doc_id, gold layer, predicted layer) per document, refusing anything that would mis-score.

    A missing document or layer is an error here, not an empty prediction: whether to score a
    missing document as "found nothing" is a policy for the caller to choose and report.
    """
    unknown = sorted(set(pred_docs) - set(gold_docs))
    if unknown:
        raise ValueError(f"predictions for documents that have no gold: {', '.join(unknown)}")
    rows = []
    for doc_id in sorted(gold_docs):
        if doc_id not in pred_docs:
            raise ValueError(f"document {doc_id!r} has no prediction")
        for side, doc in (("gold", gold_docs[doc_id]), ("prediction", pred_docs[doc_id])):
            if doc.get(layer) is None:
                raise ValueError(f"{side} of document {doc_id!r} has no {layer!r} layer")
        rows.append((doc_id, gold_docs[doc_id][layer], pred_docs[doc_id][layer]))
    return rows


# ---------------------------------------------------------------- the layer scorers


def _tally(gold: Document, pred: Document, settings: Settings, text: str) -> Tally:
    return tally_claims(
        gold["claims"], pred.get("claims") or [], claim_threshold=settings.claim_threshold
    )


# the count leaves of a claim tally, in the order a TallyTable sorts them
_COUNT_FIELDS = sorted(("span", level, count) for level in LEVELS for count in LEVEL_COUNTS)


def document_tallies(
    tally: Any, doc_ids: list[str], batch: Batch, settings: Settings
) -> list[Tally] | None:
    """``tally`` of each document, naming the document in a refusal of a matching too large;
    None where the documents cannot be rows of a table laid out directly (none, or an id twice:
    ``TallyTable.from_tallies`` takes them as a mapping)."""
    tallies = []
    for doc_id, (gold, pred, text) in zip(doc_ids, batch, strict=True):
        try:
            tallies.append(tally(gold, pred, settings, text))
        except MatchingTooLarge as error:
            raise error.in_document(doc_id) from None
    if not tallies or len(set(doc_ids)) != len(doc_ids):
        return None
    return tallies


def _tally_batch(doc_ids: list[str], batch: Batch, settings: Settings) -> TallyTable | None:
    """The documents' tallies (`_tally`) laid out as ``TallyTable.from_tallies`` lays them out,
    without walking each tally: the six span counts, then the label lists of each attribute
    that some document has (sorted), present where the document has it. The matchings of the
    batch come from its columns (`claim_batch`); a document they do not take is `_tally`'d."""
    if not doc_ids or len(set(doc_ids)) != len(doc_ids):
        return None
    try:
        threshold = check_claim_threshold(settings.claim_threshold)
    except ValueError:  # raised by the first document, as one by one
        threshold = None
    golds = [gold.get("claims") for gold, _, _ in batch]
    preds = [pred.get("claims") or [] for _, pred, _ in batch]
    if threshold is not None:
        matches = claim_matches(golds, preds, threshold)
        strict_counts, lenient = matches.strict_counts, matches.lenient_pairs
    else:
        strict_counts = lenient = [None] * len(batch)
    settled = [
        index
        for index, (count, pairs) in enumerate(zip(strict_counts, lenient, strict=True))
        if count is not None and pairs is not None
    ]
    attributes_of = dict(
        zip(settled, _batch_attributes(golds, preds, settled, lenient), strict=True)
    )
    rows: list[tuple[list[int], dict[str, dict[str, list]]]] = []
    for index, (doc_id, (gold, pred, text)) in enumerate(zip(doc_ids, batch, strict=True)):
        attributes = attributes_of.get(index)
        if attributes is None:
            try:
                tally = _tally(gold, pred, settings, text)
            except MatchingTooLarge as error:
                raise error.in_document(doc_id) from None
            rows.append(
                (
                    [tally["span"][level][count] for _, level, count in _COUNT_FIELDS],
                    tally["attributes"],
                )
            )
            continue
        totals = {"gold": len(golds[index]), "predicted": len(preds[index])}
        hits = {"strict": strict_counts[index], "lenient": len(lenient[index] or ())}
        rows.append(
            (
                [
                    hits[level] if count == "true_positives" else totals[count]
                    for _, level, count in _COUNT_FIELDS
                ],
                attributes,
            )
        )
    names = sorted({name for _, attributes in rows for name in attributes})
    list_fields = [("attributes", name, side) for name in names for side in ATTRIBUTE_SIDES]
    counts = np.array([counts for counts, _ in rows], dtype=np.int64)
    lists, list_present = [], []
    for _, attributes in rows:
        lists.append(
            [
                list(attributes[name][side]) if name in attributes else []
                for _, name, side in list_fields
            ]
        )
        list_present.append([name in attributes for _, name, _ in list_fields])
    return TallyTable(
        list(doc_ids),
        list(_COUNT_FIELDS),
        counts,
        np.ones(counts.shape, dtype=bool),
        list_fields,
        lists,
        np.array(list_present, dtype=bool).reshape(len(rows), len(list_fields)),
    )


def _summarize(tally: Mapping[str, Any], settings: Settings) -> dict[str, Any]:
    return summarize_claims(tally, claim_threshold=settings.claim_threshold)


def _per_document(tally: Mapping[str, Any]) -> dict[str, Any]:
    return {level: level_scores(tally.get("span", {}).get(level, {})) for level in LEVELS}


def level_fields(scorer: str, parts: Sequence[str]) -> frozenset[FieldPath]:
    """The count leaves of each part and level of a claim or attribution tally."""
    return frozenset(
        (scorer, part, level, count) for part in parts for level in LEVELS for count in LEVEL_COUNTS
    )


def _partial_fields(s: Statistics) -> PartialFields:
    attribute_lists = {
        ("claims", "attributes", name, side)
        for name in ATTRIBUTE_LABELS
        for side in ATTRIBUTE_SIDES
    }
    return PartialFields(
        level_fields("claims", ("span",)), optional_lists=frozenset(attribute_lists)
    )


def check_levels(
    s: Statistics, layer: str, parts: Sequence[FieldPath]
) -> dict[tuple[FieldPath, str], np.ndarray]:
    """Claims and attributions in a partial: at each part and level, gold and predicted are the
    recorded items and true positives at most the smaller of them. Returns the true positives."""
    gold, predicted = s.items("gold", layer), s.items("predicted", layer)
    true_positives = {}
    for part in parts:
        for level in LEVELS:
            path = (*part, level)
            name = " ".join(path)
            found_gold, found_predicted, hits = (s.column(*path, count) for count in LEVEL_COUNTS)
            s.require(
                found_gold == gold,
                lambda r, n=name, v=found_gold: (
                    f"{n}: {v[r]} gold, but {gold[r]} gold {layer} are recorded"
                ),
            )
            s.require(
                found_predicted == predicted,
                lambda r, n=name, v=found_predicted: (
                    f"{n}: {v[r]} predicted, but {predicted[r]} predicted {layer} are recorded"
                ),
            )
            s.require(
                hits <= np.minimum(gold, predicted),
                lambda r, n=name, v=hits: (
                    f"{n}: {v[r]} true positives among {gold[r]} gold and "
                    f"{predicted[r]} predicted {layer}"
                ),
            )
            true_positives[part, level] = hits
    return true_positives


def _check_partial(s: Statistics) -> None:
    hits = check_levels(s, "claims", [("claims", "span")])
    matched = hits[("claims", "span"), "lenient"]
    predicted = s.items("predicted", "claims")
    for name, labels in ATTRIBUTE_LABELS.items():
        paths = [("claims", "attributes", name, side) for side in ATTRIBUTE_SIDES]
        check_paired_labels(s, name, paths, labels, matched, "claims", predicted=predicted)


def check_paired_labels(
    s: Statistics,
    name: str,
    paths: Sequence[FieldPath],
    labels: Sequence[Any],
    matched: np.ndarray,
    matched_what: str,
    predicted: np.ndarray | None = None,
) -> None:
    """The gold and predicted labels of an attribute on matched pairs, in a partial: both sides
    present or neither (and only where something was predicted, when `predicted` is given),
    absent ones empty, one label per side and pair, at most the matched pairs, every label one
    of `labels`. Nothing to check where no shard document gave the attribute."""
    if not any(path in s.list_fields for path in paths):
        return
    if not all(path in s.list_fields for path in paths):
        raise s.layout_error(f"/{s.key}/list_fields", f"one side of {name} labels only")
    columns = [s.list_fields[path] for path in paths]
    has = s.list_present[:, columns]
    for row in range(len(s.doc_ids)):
        pair = [s.lists[row][column] for column in columns]
        pointer = f"/{s.key}/lists/{row}/{columns[0]}"
        if has[row, 0] != has[row, 1] or (
            predicted is not None and has[row, 0] and not predicted[row]
        ):
            raise s.fail(
                row,
                f"{name} labels marked present on one side only"
                + (", or for a document without predicted claims" if predicted is not None else ""),
                f"/{s.key}/list_present/{row}",
            )
        if not has[row, 0] and (pair[0] or pair[1]):
            raise s.fail(row, f"absent {name} labels are not empty", pointer)
        if len(pair[0]) != len(pair[1]) or len(pair[0]) > matched[row]:
            raise s.fail(
                row,
                f"{len(pair[0])} gold and {len(pair[1])} predicted {name} labels for "
                f"{matched[row]} matched {matched_what}",
                pointer,
            )
        strange = [
            label for labels_of in pair for label in labels_of if not _is_label(label, labels)
        ]
        if strange:
            raise s.fail(row, f"{strange[0]!r} is no {name} label", pointer)


def _is_label(value: Any, labels: Sequence[Any]) -> bool:
    return any(type(value) is type(label) and value == label for label in labels)


def _tally_clusters(gold: Document, pred: Document, settings: Settings, text: str) -> Tally:
    pred_claims = pred.get("claims") or []
    if not any(claim.get("cluster") is not None for claim in pred_claims):
        return tally_clusters(gold, {"claims": []}, [], "cluster")  # as for entity clusters
    pairs = lenient_claim_pairs(
        gold["claims"], pred_claims, claim_threshold=settings.claim_threshold
    )
    return tally_clusters(gold, {"claims": pred_claims}, pairs, "cluster")


def _tally_clusters_batch(
    doc_ids: list[str], batch: Batch, settings: Settings
) -> TallyTable | None:
    """The documents' cluster tallies (`_tally_clusters`) as ``TallyTable.from_tallies`` lays
    them out: the counted predictions per document, and the cluster pairs pooled in document
    order. The lenient pairs come from the batch's columns (`claim_batch`, those the claim
    scorer has just made); a document they do not take, or with a cluster id that is not a
    string, is `_tally_clusters`'d."""
    if not doc_ids or len(set(doc_ids)) != len(doc_ids):
        return None
    try:
        threshold = check_claim_threshold(settings.claim_threshold)
    except ValueError:  # raised by the first document that asks for pairs, as one by one
        threshold = None
    golds = [gold.get("claims") for gold, _, _ in batch]
    preds = [pred.get("claims") or [] for _, pred, _ in batch]
    if threshold is not None:
        lenient = claim_matches(golds, preds, threshold, strict=False).lenient_pairs
    else:
        lenient = [None] * len(batch)
    pooled = PooledCounts()
    pending: list[tuple[Any, Any]] = []  # pairs of documents since the last one-by-one tally
    carried = []
    for index, (doc_id, (gold, pred, text)) in enumerate(zip(doc_ids, batch, strict=True)):
        pairs = lenient[index]
        found = None if pairs is None else _cluster_pairs(golds[index], preds[index], pairs)
        if found is None:
            try:
                tally = _tally_clusters(gold, pred, settings, text)
            except MatchingTooLarge as error:
                raise error.in_document(doc_id) from None
            pooled.update(pending)
            pending = []
            pooled.update(tally[CLUSTER_COUNTS])
            carried.append(tally["cluster_predictions"])
            continue
        pending += found[0]
        carried.append(found[1])
    pooled.update(pending)  # counted in order: the pairs' first occurrences as one by one
    counts = np.array(carried, dtype=np.int64).reshape(len(doc_ids), 1)
    return TallyTable(
        list(doc_ids),
        [("cluster_predictions",)],
        counts,
        np.ones(counts.shape, dtype=bool),
        [],
        [[] for _ in doc_ids],
        np.zeros((len(doc_ids), 0), dtype=bool),
        {(CLUSTER_COUNTS,): pooled},
    )


# the cluster ids `_cluster_pairs` counts; anything else is left to `tally_clusters`
_CLUSTER_ID_TYPES = {str, type(None)}


def _cluster_pairs(
    gold_claims: list[Claim], pred_claims: list[Claim], pairs: list[Pair]
) -> tuple[list[tuple[Any, Any]], int] | None:
    """The (gold cluster, predicted cluster) pairs of a document's claims in the order
    ``tally_clusters`` lists them, and its counted predictions; None where a cluster id is
    not a string or None (left to ``tally_clusters``, which may refuse it)."""
    gold_values = list(map(dict.get, gold_claims, repeat("cluster")))
    pred_values = list(map(dict.get, pred_claims, repeat("cluster")))
    if not {*map(type, gold_values), *map(type, pred_values)} <= _CLUSTER_ID_TYPES:
        return None
    carrying = len(pred_values) - pred_values.count(None)
    if not carrying:  # no pairs asked for: every gold cluster twinless
        return [(value, None) for value in gold_values if value is not None], 0
    pred_of_gold = dict(pairs)
    found = []
    for g, gold_value in enumerate(gold_values):
        p = pred_of_gold.get(g)
        pred_value = None if p is None else pred_values[p]
        if gold_value is not None or pred_value is not None:
            found.append((gold_value, pred_value))
    matched = set(pred_of_gold.values())
    found += [
        (None, value)
        for p, value in enumerate(pred_values)
        if value is not None and p not in matched
    ]
    return found, carrying


SCORER = LayerScorer(
    name="claims",
    layer="claims",
    section=("claims",),
    tally=_tally,
    tally_batch=_tally_batch,
    summarize=_summarize,
    partial_fields=_partial_fields,
    check_partial=_check_partial,
    headline=tuple((f"claims.span.{level}.f1", ("span", level, "f1")) for level in LEVELS),
    per_document=_per_document,
    figure=Figure("claims.span.lenient.f1", ("span", "lenient"), "span, lenient", ("lenient",)),
    curves=tuple((level, ("span", level)) for level in LEVELS),
)
CLUSTERS_SCORER = LayerScorer(
    name="claim_clusters",
    layer="claims",
    section=("claims", "clusters"),
    tally=_tally_clusters,
    tally_batch=_tally_clusters_batch,
    summarize=summarize_cluster_section,
    partial_fields=lambda s: cluster_partial_fields("claim_clusters"),
    check_partial=lambda s: check_cluster_counts(
        s, "claim_clusters", "claims", s.items("predicted", "claims")
    ),
)


__all__ = [
    "ATTRIBUTE_LABELS",
    "CLUSTERS_SCORER",
    "DEFAULT_CLAIM_THRESHOLD",
    "LEVEL_COUNTS",
    "SCORER",
    "attribute_agreement",
    "check_levels",
    "check_paired_labels",
    "document_tallies",
    "layer_pairs",
    "lenient_claim_pairs",
    "level_fields",
    "level_scores",
    "score_claims",
    "strict_claim_pairs",
    "summarize_claims",
    "tally_claims",
]
