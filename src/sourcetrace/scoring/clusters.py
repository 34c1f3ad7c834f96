"""Cross-document cluster scores: MUC, B-cubed, CEAF-e and their average, the CoNLL F1.

The definitions follow Pradhan et al. (2014), "Scoring Coreference Partitions of Predicted
Mentions: A Reference Implementation" (ACL, P14-2006), the paper behind the CoNLL reference
scorer. Its central rule is that predicted mentions are scored as they are: no mention is added
to or removed from either side to force a one-to-one mapping. A key mention missing from the
response (or the reverse) is "twinless"; it simply shares no cluster with anything on the other
side. Singletons are kept: our gold annotates every mention, so a singleton cluster is a claim
about the data, not an annotation gap as in OntoNotes. The rules are written out in
docs/scoring/clusters.md.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from sourcetrace.scoring.assignment import best_assignment_weights
from sourcetrace.scoring.common import Tally, add_tallies, f1_score, pair_components, safe_div
from sourcetrace.scoring.layer import PartialFields

if TYPE_CHECKING:
    from sourcetrace.evaluation.partial_checks import Statistics
    from sourcetrace.evaluation.settings import Settings

Partition = Mapping[Hashable, Hashable]

# Which layer of a document holds the mentions that carry each cluster attribute.
LAYER_OF_ATTRIBUTE = {"entity": "entities", "cluster": "claims"}


def score_partitions(key: Partition, response: Partition) -> dict[str, Any]:
    """MUC, B-cubed and CEAF-e of a response partition against a key partition.

    Both map mention id -> cluster id. Cluster ids are only labels: the two sides need not use
    the same names, and renaming them changes nothing.
    """
    key_clusters = _clusters(key)
    response_clusters = _clusters(response)
    overlap = Counter((key[m], response[m]) for m in key if m in response)
    muc = _muc(key_clusters, response_clusters, key, response)
    # With no coreference link on either side MUC has nothing to measure (0/0 both ways): it is
    # reported as null, not 0.0 as the reference scorer prints it, so that a perfect response is
    # never shown a zero; the CoNLL average is then null too.
    bcubed = _bcubed(overlap, key_clusters, response_clusters, len(key), len(response))
    ceafe = _ceafe(overlap, key_clusters, response_clusters)
    return {
        "muc": muc,
        "bcubed": bcubed,
        "ceafe": ceafe,
        "conll_f1": None if muc["f1"] is None else (muc["f1"] + bcubed["f1"] + ceafe["f1"]) / 3,
        "mentions": {"key": len(key), "response": len(response)},
    }


def _clusters(partition: Partition) -> dict[Hashable, set[Hashable]]:
    clusters: dict[Hashable, set[Hashable]] = defaultdict(set)
    for mention, cluster in partition.items():
        clusters[cluster].add(mention)
    return dict(clusters)


def _rpf(recall: float, precision: float) -> dict[str, float]:
    recall, precision = float(recall), float(precision)
    return {"recall": recall, "precision": precision, "f1": float(f1_score(precision, recall))}


def _muc_counts(clusters: Mapping[Hashable, set[Hashable]], other: Partition) -> tuple[int, int]:
    """Vilain et al. (1995) numerator and denominator of one side against the other.

    A cluster of size |S| split into p(S) parts by the other side loses |S| - p(S) links of its
    |S| - 1; a twinless mention is a part of its own (Pradhan et al. 2014).
    """
    numerator = denominator = 0
    for mentions in clusters.values():
        parts = {other[m] for m in mentions if m in other}
        twinless = sum(1 for m in mentions if m not in other)
        numerator += len(mentions) - len(parts) - twinless
        denominator += len(mentions) - 1
    return numerator, denominator


def _muc(
    key_clusters: Mapping[Hashable, set[Hashable]],
    response_clusters: Mapping[Hashable, set[Hashable]],
    key: Partition,
    response: Partition,
) -> dict[str, float | None]:
    # No links on ONE side makes that side's MUC 0/0: 0.0, as the reference scorer prints it.
    # No links on EITHER side: undefined, reported as null (see score_partitions).
    recall_counts = _muc_counts(key_clusters, response)
    precision_counts = _muc_counts(response_clusters, key)
    if recall_counts[1] == 0 and precision_counts[1] == 0:
        return {"recall": None, "precision": None, "f1": None}
    return _rpf(safe_div(*recall_counts), safe_div(*precision_counts))


def _bcubed(
    overlap: Mapping[tuple[Hashable, Hashable], int],
    key_clusters: Mapping[Hashable, set[Hashable]],
    response_clusters: Mapping[Hashable, set[Hashable]],
    key_mentions: int,
    response_mentions: int,
) -> dict[str, float]:
    """Bagga & Baldwin (1998) in the form sum_ij |K_i & R_j|^2 / |K_i| over all key mentions.

    A twinless key mention adds 0 to the numerator and 1 to the denominator of recall (and
    symmetrically for precision), which is how the reference scorer treats it.
    """
    # math.fsum is exactly rounded, so the figure cannot depend on the order of the mentions
    recall_sum = math.fsum(n * n / len(key_clusters[k]) for (k, _), n in overlap.items())
    precision_sum = math.fsum(n * n / len(response_clusters[r]) for (_, r), n in overlap.items())
    return _rpf(safe_div(recall_sum, key_mentions), safe_div(precision_sum, response_mentions))


def _ceafe(
    overlap: Mapping[tuple[Hashable, Hashable], int],
    key_clusters: Mapping[Hashable, set[Hashable]],
    response_clusters: Mapping[Hashable, set[Hashable]],
) -> dict[str, float]:
    """Luo (2005) entity CEAF: best one-to-one cluster alignment under phi4 = 2|K&R| / (|K|+|R|).

    Clusters that overlap nothing can only align with similarity 0, so the assignment is solved
    on the overlapping clusters alone; the denominators still count every cluster.
    """
    similarity = math.fsum(
        _best_alignment(component, key_clusters, response_clusters)
        for component in _overlap_components(overlap)
    )
    return _rpf(
        safe_div(similarity, len(key_clusters)), safe_div(similarity, len(response_clusters))
    )


def _overlap_components(
    overlap: Mapping[tuple[Hashable, Hashable], int],
) -> list[list[tuple[tuple[Hashable, Hashable], int]]]:
    """The overlapping (key, response) cluster pairs, grouped by connected component of the
    bipartite overlap graph. A key cluster can only align with a response cluster it overlaps,
    so the best alignment is the union of each component's best alignment: a corpus with
    100,000 clusters is solved as many small problems, never as one dense matrix."""
    items = list(overlap.items())
    return [
        [items[index] for index in group] for group in pair_components([pair for pair, _ in items])
    ]


def _best_alignment(
    component: list[tuple[tuple[Hashable, Hashable], int]],
    key_clusters: Mapping[Hashable, set[Hashable]],
    response_clusters: Mapping[Hashable, set[Hashable]],
) -> float:
    """The largest total phi4 of a one-to-one alignment within one component."""

    def phi4(key: Hashable, response: Hashable, shared: int) -> float:
        return 2 * shared / (len(key_clusters[key]) + len(response_clusters[response]))

    if len(component) == 1:
        ((key, response), shared) = component[0]
        return phi4(key, response, shared)
    key_ids = list(dict.fromkeys(k for (k, _), _ in component))
    response_ids = list(dict.fromkeys(r for (_, r), _ in component))
    row = {k: i for i, k in enumerate(key_ids)}
    col = {r: j for j, r in enumerate(response_ids)}
    matrix = np.zeros((len(key_ids), len(response_ids)))
    for (key, response), shared in component:
        matrix[row[key], col[response]] = phi4(key, response, shared)
    picked = best_assignment_weights(matrix > 0, matrix)
    if picked is not None:  # what the solver's alignment adds up to, without importing it
        return math.fsum(picked)
    from scipy.optimize import linear_sum_assignment  # only for a real choice

    rows, cols = linear_sum_assignment(matrix, maximize=True)
    return math.fsum(matrix[rows, cols].tolist())


# --- documents -> partitions -------------------------------------------------------------


def tally_clusters(
    gold_doc: Mapping[str, Any],
    pred_doc: Mapping[str, Any],
    matched_pairs: Iterable[tuple[int, int]],
    attribute: str,
) -> Tally:
    """One document's mentions as additive rows ``[gold cluster | None, predicted cluster | None]``.

    Row order is irrelevant: a row is one mention, the pair of clusters it sits in on the key and
    the response side. Rows of several documents concatenate into one corpus-wide partition, so
    cluster scores can be bootstrapped over documents like any other tally (a document drawn
    twice contributes its mentions twice, to the same corpus-wide clusters).
    """
    layer = _layer_of(attribute)
    gold_values = [item.get(attribute) for item in gold_doc.get(layer) or []]
    pred_values = [item.get(attribute) for item in pred_doc.get(layer) or []]
    gold_of_pred = _one_to_one(matched_pairs, len(gold_values), len(pred_values))
    pred_of_gold = {g: p for p, g in gold_of_pred.items()}

    rows: list[list[Hashable | None]] = []
    for g, gold_value in enumerate(gold_values):
        # A matched prediction takes its gold partner's identity; gold or prediction may lack
        # the attribute, which leaves the other twinless.
        pred_value = pred_values[pred_of_gold[g]] if g in pred_of_gold else None
        if gold_value is not None or pred_value is not None:
            rows.append([gold_value, pred_value])
    for p, pred_value in enumerate(pred_values):
        if p not in gold_of_pred and pred_value is not None:
            rows.append([None, pred_value])
    carrying = sum(value is not None for value in pred_values)
    return {"cluster_mentions": rows, "cluster_predictions": carrying}


def summarize_clusters(tally: Mapping[str, Any]) -> dict[str, Any] | None:
    """Scores of a (summed) cluster tally; None when no prediction carries the attribute."""
    if not tally.get("cluster_predictions"):
        return None
    rows = tally.get("cluster_mentions", [])
    key = {i: gold for i, (gold, _) in enumerate(rows) if gold is not None}
    response = {i: pred for i, (_, pred) in enumerate(rows) if pred is not None}
    return score_partitions(key, response)


def cluster_scores(
    gold_docs: Mapping[str, Mapping[str, Any]],
    pred_docs: Mapping[str, Mapping[str, Any]],
    matched_pairs: Mapping[str, Iterable[tuple[int, int]]],
    attribute: str,
) -> dict[str, Any] | None:
    """Corpus-wide cluster scores of ``attribute`` ("entity" or "cluster") over matched mentions.

    Gold mention ``(doc, "g", i)``; a matched prediction takes its partner's id, an unmatched one
    is ``(doc, "p", j)``. The same cluster id in two documents is one cluster. A document present
    on one side only still counts: its mentions are twinless.
    """
    doc_ids = sorted(set(gold_docs) | set(pred_docs))
    tallies = (
        tally_clusters(
            gold_docs.get(doc_id, {}),
            pred_docs.get(doc_id, {}),
            matched_pairs.get(doc_id, ()),
            attribute,
        )
        for doc_id in doc_ids
    )
    return summarize_clusters(add_tallies(tallies))


def _layer_of(attribute: str) -> str:
    try:
        return LAYER_OF_ATTRIBUTE[attribute]
    except KeyError:
        known = ", ".join(sorted(LAYER_OF_ATTRIBUTE))
        message = f"unknown cluster attribute {attribute!r}; expected one of {known}"
        raise ValueError(message) from None


def _one_to_one(
    matched_pairs: Iterable[tuple[int, int]], gold_count: int, pred_count: int
) -> dict[int, int]:
    """Predicted index -> gold index, refusing pairs that would give two mentions one identity."""
    gold_of_pred: dict[int, int] = {}
    seen_gold: set[int] = set()
    for gold_index, pred_index in matched_pairs:
        if not (0 <= gold_index < gold_count and 0 <= pred_index < pred_count):
            raise ValueError(f"matched pair {(gold_index, pred_index)} is out of range")
        if gold_index in seen_gold or pred_index in gold_of_pred:
            raise ValueError(f"matched pair {(gold_index, pred_index)} is not one-to-one")
        seen_gold.add(gold_index)
        gold_of_pred[pred_index] = gold_index
    return gold_of_pred


# ---------------------------------------------------------------- pieces of the cluster scorers


def summarize_cluster_section(tally: Mapping[str, Any], settings: Settings) -> dict | None:
    """A cluster scorer's `summarize` (the clusters section of its layer)."""
    return summarize_clusters(tally)


def cluster_partial_fields(scorer: str) -> PartialFields:
    """A cluster scorer's leaves in a partial: the counted predictions and the mention rows."""
    return PartialFields(
        frozenset({(scorer, "cluster_predictions")}), frozenset({(scorer, "cluster_mentions")})
    )


def check_cluster_rows(s: Statistics, scorer: str, layer: str, kept: np.ndarray) -> None:
    """Cluster rows of a partial are [gold cluster | null, predicted cluster | null] of one
    mention each: at most the recorded gold items on the gold side, the counted predictions on
    the other (``kept``: the scored predicted items of each document)."""
    gold = s.items("gold", layer)
    carrying = s.column(scorer, "cluster_predictions")
    column = s.list_fields[(scorer, "cluster_mentions")]
    for row, rows in s.list_rows(scorer, "cluster_mentions"):
        pointer = f"/{s.key}/lists/{row}/{column}"
        for index, mention in enumerate(rows):
            if not (
                isinstance(mention, list)
                and len(mention) == 2
                and all(side is None or isinstance(side, str) for side in mention)
                and mention != [None, None]
            ):
                raise s.fail(
                    row,
                    f"cluster row {mention!r} is not [gold cluster id or null, predicted "
                    "cluster id or null]",
                    f"{pointer}/{index}",
                )
        gold_side = sum(mention[0] is not None for mention in rows)
        predicted_side = sum(mention[1] is not None for mention in rows)
        if gold_side > gold[row] or predicted_side > kept[row] or predicted_side != carrying[row]:
            raise s.fail(
                row,
                f"{gold_side} gold and {predicted_side} predicted cluster mentions, "
                f"{carrying[row]} counted predictions, for {gold[row]} gold and {kept[row]} "
                f"scored predicted {layer}",
                pointer,
            )
