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
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from sourcetrace.scoring.assignment import best_assignment_weights, best_sparse_alignment
from sourcetrace.scoring.common import (
    Tally,
    add_tallies,
    f1_score,
    integer_pair_components,
    safe_div,
)
from sourcetrace.scoring.layer import PartialFields
from sourcetrace.scoring.tallies import PooledCounts, pooled_order

if TYPE_CHECKING:
    from sourcetrace.evaluation.partial_checks import Statistics
    from sourcetrace.evaluation.settings import Settings

Partition = Mapping[Hashable, Hashable]

# Which layer of a document holds the mentions that carry each cluster attribute.
LAYER_OF_ATTRIBUTE = {"entity": "entities", "cluster": "claims"}
# The leaf of a cluster tally that counts the mentions of each (gold, predicted) cluster pair
CLUSTER_COUNTS = "cluster_counts"
# Overlaps in a component above which its alignment goes straight to the sparse solver: the
# exhaustive search (assignment.py) would only run out of its budget (W3 at 10k documents has one
# component of 71,400 overlaps, 6 s of search before the solver)
SEARCHED_EDGES = 32
# Mentions shared by one pair of clusters below which its square is exact in a float64
_EXACT_SQUARE_LIMIT = 2**26


def score_partitions(key: Partition, response: Partition) -> dict[str, Any]:
    """MUC, B-cubed and CEAF-e of a response partition against a key partition.

    Both map mention id -> cluster id (never None). Cluster ids are only labels: the two sides
    need not use the same names, and renaming them changes nothing.
    """
    counts: Counter[tuple[Hashable | None, Hashable | None]] = Counter(
        (cluster, response.get(mention)) for mention, cluster in key.items()
    )
    counts.update((None, cluster) for mention, cluster in response.items() if mention not in key)
    return score_counts(counts)


def score_counts(counts: Mapping[tuple[Hashable | None, Hashable | None], int]) -> dict[str, Any]:
    """The scores of `score_partitions` from the partitions' sufficient statistics: how many
    mentions sit in each (key cluster, response cluster) pair, None for a twinless mention's
    missing side. The size of a cluster is the sum of its pairs, its overlaps the pairs with
    both sides; nothing else of the partitions enters MUC, B-cubed or CEAF-e."""
    pairs = _Pairs.of(counts)
    muc = _muc(pairs)
    # With no coreference link on either side MUC has nothing to measure (0/0 both ways): it is
    # reported as null, not 0.0 as the reference scorer prints it, so that a perfect response is
    # never shown a zero; the CoNLL average is then null too.
    bcubed = _bcubed(pairs)
    ceafe = _ceafe(pairs)
    key_mentions, response_mentions = int(pairs.key_sizes.sum()), int(pairs.response_sizes.sum())
    return {
        "muc": muc,
        "bcubed": bcubed,
        "ceafe": ceafe,
        "conll_f1": None if muc["f1"] is None else (muc["f1"] + bcubed["f1"] + ceafe["f1"]) / 3,
        "mentions": {"key": key_mentions, "response": response_mentions},
    }


class _Pairs(NamedTuple):
    """The counts as arrays: clusters numbered per side, one entry per (key, response) pair
    (-1 for a missing side), and the size of every cluster."""

    key: np.ndarray  # key cluster number of each pair, -1 for a twinless response mention
    response: np.ndarray  # response cluster number, -1 for a twinless key mention
    shared: np.ndarray  # mentions in the pair
    key_sizes: np.ndarray  # per key cluster
    response_sizes: np.ndarray  # per response cluster
    key_ids: list[Hashable]
    response_ids: list[Hashable]

    @classmethod
    def of(cls, counts: Mapping[tuple[Hashable | None, Hashable | None], int]) -> _Pairs:
        key_number: dict[Hashable, int] = {}
        response_number: dict[Hashable, int] = {}
        keys, responses, shared = [], [], []
        for (key, response), n in counts.items():
            if n < 0:
                raise ValueError(f"cluster count {n} for {(key, response)!r} is negative")
            if n == 0 or (key is None and response is None):
                continue
            keys.append(_number(key, key_number))
            responses.append(_number(response, response_number))
            shared.append(n)
        key = np.array(keys, dtype=np.int64)
        response = np.array(responses, dtype=np.int64)
        size = np.array(shared, dtype=np.int64)
        return cls(
            key,
            response,
            size,
            np.bincount(key[key >= 0], size[key >= 0], minlength=len(key_number)).astype(np.int64),
            np.bincount(
                response[response >= 0], size[response >= 0], minlength=len(response_number)
            ).astype(np.int64),
            list(key_number),
            list(response_number),
        )

    def overlapping(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        both = (self.key >= 0) & (self.response >= 0)
        return self.key[both], self.response[both], self.shared[both]


def _number(cluster: Hashable | None, numbers: dict[Hashable, int]) -> int:
    """The cluster's number on its side (the next free one if new); -1 for None."""
    return -1 if cluster is None else numbers.setdefault(cluster, len(numbers))


def _rpf(recall: float, precision: float) -> dict[str, float]:
    recall, precision = float(recall), float(precision)
    return {"recall": recall, "precision": precision, "f1": float(f1_score(precision, recall))}


def _muc_counts(
    side: np.ndarray, other: np.ndarray, shared: np.ndarray, sizes: np.ndarray
) -> tuple[int, int]:
    """Vilain et al. (1995) numerator and denominator of one side against the other.

    A cluster of size |S| split into p(S) parts by the other side loses |S| - p(S) links of its
    |S| - 1; a twinless mention is a part of its own (Pradhan et al. 2014).
    """
    mine = side >= 0
    overlaps = mine & (other >= 0)
    twinless = mine & (other < 0)
    parts = np.bincount(side[overlaps], minlength=len(sizes)) + np.bincount(
        side[twinless], shared[twinless], minlength=len(sizes)
    ).astype(np.int64)
    return int((sizes - parts).sum()), int((sizes - 1).sum())


def _muc(pairs: _Pairs) -> dict[str, float | None]:
    # No links on ONE side makes that side's MUC 0/0: 0.0, as the reference scorer prints it.
    # No links on EITHER side: undefined, reported as null (see score_partitions).
    recall_counts = _muc_counts(pairs.key, pairs.response, pairs.shared, pairs.key_sizes)
    precision_counts = _muc_counts(pairs.response, pairs.key, pairs.shared, pairs.response_sizes)
    if recall_counts[1] == 0 and precision_counts[1] == 0:
        return {"recall": None, "precision": None, "f1": None}
    return _rpf(safe_div(*recall_counts), safe_div(*precision_counts))


def _bcubed(pairs: _Pairs) -> dict[str, float]:
    """Bagga & Baldwin (1998) in the form sum_ij |K_i & R_j|^2 / |K_i| over all key mentions.

    A twinless key mention adds 0 to the numerator and 1 to the denominator of recall (and
    symmetrically for precision), which is how the reference scorer treats it.
    """
    key, response, shared = pairs.overlapping()
    # each term is one correctly rounded division, as n * n / size in Python (the square is
    # exact in a float below 2**53); math.fsum is exactly rounded, so the figure cannot depend
    # on the order of the mentions
    if shared.size and int(shared.max()) >= _EXACT_SQUARE_LIMIT:
        squares: Any = [n * n for n in shared.tolist()]
        key_sizes = pairs.key_sizes[key].tolist()
        response_sizes = pairs.response_sizes[response].tolist()
        recall_terms = [q / n for q, n in zip(squares, key_sizes, strict=True)]
        precision_terms = [q / n for q, n in zip(squares, response_sizes, strict=True)]
    else:
        squares = (shared * shared).astype(np.float64)
        recall_terms = (squares / pairs.key_sizes[key]).tolist()
        precision_terms = (squares / pairs.response_sizes[response]).tolist()
    recall_sum = math.fsum(recall_terms)
    precision_sum = math.fsum(precision_terms)
    return _rpf(
        safe_div(recall_sum, int(pairs.key_sizes.sum())),
        safe_div(precision_sum, int(pairs.response_sizes.sum())),
    )


def _ceafe(pairs: _Pairs) -> dict[str, float]:
    """Luo (2005) entity CEAF: best one-to-one cluster alignment under phi4 = 2|K&R| / (|K|+|R|).

    Clusters that overlap nothing can only align with similarity 0, so the assignment is solved
    on the overlapping clusters alone, one connected component of the overlap graph at a time;
    the denominators still count every cluster. A key and a response cluster that overlap only
    each other (most of them) align without a matrix.
    """
    key, response, shared = pairs.overlapping()
    # one correctly rounded division per pair, as 2 * shared / (|K| + |R|) in Python
    phi4 = (2 * shared).astype(np.float64) / (pairs.key_sizes[key] + pairs.response_sizes[response])
    alone = (np.bincount(key, minlength=len(pairs.key_sizes))[key] == 1) & (
        np.bincount(response, minlength=len(pairs.response_sizes))[response] == 1
    )
    values = phi4[alone].tolist()
    rest = np.flatnonzero(~alone)
    if rest.size:
        edges = list(zip(key[rest].tolist(), response[rest].tolist(), strict=True))
        for group in integer_pair_components(key[rest], response[rest]):
            values.append(
                _best_alignment(
                    [edges[i] for i in group.tolist()],
                    phi4[rest[group]],
                    pairs.key_ids,
                    pairs.response_ids,
                )
            )
    similarity = math.fsum(values)
    return _rpf(
        safe_div(similarity, len(pairs.key_sizes)), safe_div(similarity, len(pairs.response_sizes))
    )


def _best_alignment(
    edges: list[tuple[int, int]],
    weights: np.ndarray,
    key_ids: Sequence[Hashable],
    response_ids: Sequence[Hashable],
) -> float:
    """The largest total phi4 of a one-to-one alignment within one component; rows and
    columns in the order of the cluster ids, so that a tie the solver breaks is broken alike
    whatever the order of the mentions. A large component is solved on its sparse overlap
    graph (memory of the order of its overlaps, issue 24); the sum is always the phi4 of the
    chosen pairs, as computed from the counts."""
    rows = sorted({k for k, _ in edges}, key=lambda k: repr(key_ids[k]))
    cols = sorted({r for _, r in edges}, key=lambda r: repr(response_ids[r]))
    row = {k: i for i, k in enumerate(rows)}
    col = {r: j for j, r in enumerate(cols)}
    if len(edges) > SEARCHED_EDGES:
        chosen = best_sparse_alignment(
            np.array([row[k] for k, _ in edges], dtype=np.int64),
            np.array([col[r] for _, r in edges], dtype=np.int64),
            weights,
            (len(rows), len(cols)),
        )
        return math.fsum(weights[chosen].tolist())
    matrix = np.zeros((len(rows), len(cols)))
    for (k, r), weight in zip(edges, weights.tolist(), strict=True):
        matrix[row[k], col[r]] = weight
    picked = best_assignment_weights(matrix > 0, matrix)
    if picked is not None:  # what the solver's alignment adds up to, without importing it
        return math.fsum(picked)
    from scipy.optimize import linear_sum_assignment  # a real choice in a small component

    chosen_rows, chosen_cols = linear_sum_assignment(matrix, maximize=True)
    return math.fsum(matrix[chosen_rows, chosen_cols].tolist())


# --- documents -> partitions -------------------------------------------------------------


def tally_clusters(
    gold_doc: Mapping[str, Any],
    pred_doc: Mapping[str, Any],
    matched_pairs: Iterable[tuple[int, int]],
    attribute: str,
) -> Tally:
    """One document's mentions as additive counts: how many mentions sit in each pair
    ``(gold cluster | None, predicted cluster | None)`` (`score_counts`), pooled over the
    documents of a run (tallies.PooledCounts), and the predictions that carry the attribute.

    A pair is the two clusters a mention sits in on the key and the response side. Counts of
    several documents add up to the counts of one corpus-wide partition (the same cluster id in
    two documents is one cluster), so the run keeps one count per pair of clusters, not one row
    per mention.
    """
    layer = _layer_of(attribute)
    gold_values = [item.get(attribute) for item in gold_doc.get(layer) or []]
    pred_values = [item.get(attribute) for item in pred_doc.get(layer) or []]
    gold_of_pred = _one_to_one(matched_pairs, len(gold_values), len(pred_values))
    pred_of_gold = {g: p for p, g in gold_of_pred.items()}

    pairs = []  # the (gold cluster, predicted cluster) of each mention, counted at the end
    for g, gold_value in enumerate(gold_values):
        # A matched prediction takes its gold partner's identity; gold or prediction may lack
        # the attribute, which leaves the other twinless.
        p = pred_of_gold.get(g)
        pred_value = None if p is None else pred_values[p]
        if gold_value is not None or pred_value is not None:
            pairs.append((gold_value, pred_value))
    for p, pred_value in enumerate(pred_values):
        if pred_value is not None and p not in gold_of_pred:
            pairs.append((None, pred_value))
    carrying = len(pred_values) - pred_values.count(None)
    # counted in one call (Counter's compiled loop), pairs in order of first occurrence
    return {CLUSTER_COUNTS: PooledCounts(pairs), "cluster_predictions": carrying}


def summarize_clusters(tally: Mapping[str, Any]) -> dict[str, Any] | None:
    """Scores of a (summed) cluster tally; None when no prediction carries the attribute."""
    if not tally.get("cluster_predictions"):
        return None
    return score_counts(tally.get(CLUSTER_COUNTS, {}))


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
    """A cluster scorer's leaves in a partial: the counted predictions per document, and the
    pooled counts of (gold cluster, predicted cluster) pairs of the shard."""
    return PartialFields(
        frozenset({(scorer, "cluster_predictions")}), pooled=frozenset({(scorer, CLUSTER_COUNTS)})
    )


def check_cluster_counts(s: Statistics, scorer: str, layer: str, kept: np.ndarray) -> None:
    """The pooled cluster counts of a partial are rows [gold cluster id or null, predicted
    cluster id or null, mentions >= 1], not both null, each pair once and in the order
    `tallies.pooled_order` writes them; together they hold at most the shard's recorded gold
    items on the gold side, and on the predicted side exactly the counted predictions, which
    are at most the scored predicted items of each document (``kept``)."""
    carrying = s.column(scorer, "cluster_predictions")
    s.require(
        carrying <= kept,
        lambda r: (
            f"{carrying[r]} counted cluster predictions for {kept[r]} scored predicted {layer}"
        ),
    )
    column = s.pooled_fields[(scorer, CLUSTER_COUNTS)]
    pointer = f"/{s.key}/pooled/{column}"
    gold_side = predicted_side = 0
    previous = None
    for index, row in enumerate(s.pooled[column]):
        if not (
            isinstance(row, list)
            and len(row) == 3
            and all(side is None or (isinstance(side, str) and side) for side in row[:2])
            and row[:2] != [None, None]
            and isinstance(row[2], int)
            and not isinstance(row[2], bool)
            and row[2] >= 1
        ):
            raise s.pooled_error(
                f"cluster count {row!r} is not [gold cluster id or null, predicted cluster id "
                "or null, mentions >= 1]",
                f"{pointer}/{index}",
            )
        order = pooled_order(row[:2])
        if previous is not None and order <= previous:
            raise s.pooled_error(
                f"cluster pair {row[:2]!r} is "
                + ("given twice" if order == previous else "out of the written order"),
                f"{pointer}/{index}",
            )
        previous = order
        gold_side += row[2] if row[0] is not None else 0
        predicted_side += row[2] if row[1] is not None else 0
    gold = int(s.items("gold", layer).sum())
    if gold_side > gold or predicted_side != int(carrying.sum()):
        raise s.pooled_error(
            f"{gold_side} gold and {predicted_side} predicted cluster mentions, for {gold} gold "
            f"{layer} and {int(carrying.sum())} counted predictions in the shard",
            pointer,
        )
