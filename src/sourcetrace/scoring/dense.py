"""Exact matching counts of dense overlap clusters, without the all-pairs graph (issue 27).

A system output where thousands of spans overlap thousands of others (whole-text predictions
against many small gold spans, deep nests) makes the touching pairs quadratic and the assignment
solver cubic. The counts of the entity schemes depend only on the optimum of their objective
(docs/scoring/entities.md, "Matching"), and that optimum has closed forms on intervals:

* **identical-span blocks first.** The pairs a scheme calls ``correct`` by boundaries are those
  with the same (start, end) (strict: and the same type): disjoint complete blocks. Every optimum
  takes min(#gold, #pred) pairs in every block (an exchange never loses), and the spans a block
  leaves over are interchangeable (same boundaries, so the same neighbours); what remains is a
  maximum matching of the left-over spans, all of whose pairs are of the other outcome;
* **maximum matching of touching spans** (`touching_matching_size`): min(#gold, #pred) when every
  gold span touches every prediction (checked exactly in linear time), otherwise a greedy sweep
  that is exact on intervals (proof at `_interval_matching_size`) whenever nervaluate's 1 % rule
  reduces to plain overlap of shrunk gold spans (every prediction at least as long as the share
  the longest gold span needs).

Where none of this applies (`NoClosedForm`), the caller lists the cluster's touching pairs and
solves it with the assignment solver when there are at most ``max_solver_cells()`` pairs and no
component has more gold x predicted spans than that, and refuses it otherwise with
`MatchingTooLarge` (an `InputError`, exit 2) naming the cluster: never a different number.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections import Counter
from collections.abc import Hashable, Sequence

from sourcetrace.errors import InputError
from sourcetrace.jsonio import positive_setting

# nervaluate's default min_overlap_percentage: a prediction must cover at least 1 % of the gold
# span to count as overlapping it. Kept so that our numbers equal nervaluate's.
MIN_OVERLAP_PERCENT = 1
# Clusters with more gold x predicted cells than this take the closed forms (below it the
# solver is cheap and the common path stays as it was).
DENSE_CELLS = 1024
SOLVER_CELLS_VARIABLE = "SOURCETRACE_MAX_MATCHING_CELLS"
# The most pairs, and the largest component (gold x predicted items), given to the assignment
# solver when no closed form applies (about 2 s of solving for 500 x 500 crossing entities).
DEFAULT_MAX_SOLVER_CELLS = 250_000

Bounds = tuple[int, int]  # start, end (exclusive)
Typed = tuple[int, int, str]  # start, end, type


class NoClosedForm(Exception):
    """The cluster needs the assignment solver."""


class MatchingTooLarge(InputError):
    """A cluster of mutually overlapping items too large for any exact method we have."""

    document_index: int | None = None  # set by a batch scorer: the document's place in it

    def in_document(self, doc_id: str) -> MatchingTooLarge:
        """The same refusal, naming the document (the scorers do not know its id)."""
        return MatchingTooLarge(
            f"document {doc_id!r}: {self.message}",
            self.file,
            self.line,
            self.pointer,
            self.expected,
        )


def max_solver_cells() -> int:
    """The cluster size (gold x predicted items) up to which the solver runs (override:
    SOURCETRACE_MAX_MATCHING_CELLS, a positive whole number)."""
    value = positive_setting(SOLVER_CELLS_VARIABLE, "gold x predicted items")
    return DEFAULT_MAX_SOLVER_CELLS if value is None else value


def too_large(
    what: str, n_gold: int, n_pred: int, first: int | None, last: int | None
) -> MatchingTooLarge:
    """The refusal of a cluster of ``n_gold`` gold and ``n_pred`` predicted ``what`` (over code
    points [first, last); without them, all the document's items of that kind)."""
    where = (
        "as one all-pairs matrix"
        if first is None
        else f"in one cluster over code points [{first}, {last})"
    )
    return MatchingTooLarge(
        f"{n_gold} gold and {n_pred} predicted {what} must be matched together {where}: "
        f"{n_gold * n_pred} pairs, more than the {max_solver_cells()} that the exact matching "
        f"solves without a closed form (set {SOLVER_CELLS_VARIABLE} to allow more)",
        expected="a prediction without masses of mutually overlapping items",
    )


def overlap_clusters(gold: Sequence[Bounds], pred: Sequence[Bounds]) -> list[tuple[list, list]]:
    """Indices of gold and predicted spans grouped in clusters of chained overlaps (spans sorted
    by start, split where a span starts at or after the end of all before it). Touching spans
    overlap, so every component of the touching pairs lies within one cluster."""
    spans = sorted(
        [(s, e, 0, i) for i, (s, e) in enumerate(gold)]
        + [(s, e, 1, i) for i, (s, e) in enumerate(pred)]
    )
    clusters: list[tuple[list, list]] = []
    reach = None
    for start, end, side, index in spans:
        if reach is None or start >= reach:
            clusters.append(([], []))
            reach = end
        reach = max(reach, end)
        clusters[-1][side].append(index)
    return clusters


def min_shared(length: int) -> int:
    """Fewest code points a prediction must share with a gold span of ``length`` to touch it:
    ``shared > 0 and 100 * shared >= MIN_OVERLAP_PERCENT * length``."""
    return max(1, -(-MIN_OVERLAP_PERCENT * length // 100))


def touching_matching_size(gold: Sequence[Bounds], pred: Sequence[Bounds]) -> int:
    """Size of a maximum matching of touching (gold, prediction) pairs, without the pairs.

    ``shared >= m`` (m = `min_shared` of the gold length) is ``min(ge, pe) - max(gs, ps) >= m``,
    i.e. ``pe - gs >= m``, ``ge - ps >= m`` and ``pe - ps >= m`` (``ge - gs >= m`` holds).
    """
    if not gold or not pred:
        return 0
    if _complete(gold, pred):
        return min(len(gold), len(pred))
    needs = [min_shared(e - s) for s, e in gold]
    if min(e - s for s, e in pred) < max(needs):
        if _one_chain(gold, pred):
            return _threshold_matching_size(needs, [e - s for s, e in pred])
        raise NoClosedForm
    # every prediction is long enough for every gold span: touching is ps < ge - m + 1 and
    # pe > gs + m - 1, plain overlap with the gold span shrunk by m - 1 at both ends (not empty:
    # m - 1 <= length / 100)
    shrunk = [(s + m - 1, e - m + 1) for (s, e), m in zip(gold, needs, strict=True)]
    return _interval_matching_size(shrunk, list(pred))


def _one_chain(gold: Sequence[Bounds], pred: Sequence[Bounds]) -> bool:
    """Whether all the spans, both sides, are nested in one another (a chain: sorted by
    length, each contains the one before)."""
    spans = sorted([*gold, *pred], key=lambda span: (span[1] - span[0], -span[0]))
    return all(
        outer[0] <= inner[0] and inner[1] <= outer[1]
        for inner, outer in zip(spans, spans[1:], strict=False)
    )


def _threshold_matching_size(needs: list[int], lengths: list[int]) -> int:
    """Maximum matching when a prediction of length l may pair with a gold span that needs
    m shared code points exactly when l >= m: in a chain, a prediction that contains the gold
    span shares all of it (at least m), one inside shares its own length. The neighbourhoods
    are nested, so serving the most demanding gold spans first from any prediction that
    qualifies is optimal."""
    needs = sorted(needs, reverse=True)
    lengths = sorted(lengths, reverse=True)
    qualified = size = 0
    for need in needs:
        while qualified < len(lengths) and lengths[qualified] >= need:
            qualified += 1
        if qualified > size:  # a qualifying prediction is still free
            size += 1
    return size


def _interval_matching_size(left: list[Bounds], right: list[Bounds]) -> int:
    """Maximum matching of two families of half-open intervals, a pair allowed when they overlap.

    Greedy: take the remaining interval x with the smallest end (either family); its remaining
    neighbours are exactly the other family's intervals starting before x's end (they all end at
    or after it); match x with the one of them that ends first, or drop x if there is none.
    Exact: if an optimum leaves x unmatched, x's partner y* is matched to some z (else add the
    pair) and (x, y*) may replace (z, y*). If x is matched to y and y* to z, then z overlaps y
    (z starts before y*'s end <= y's end, and ends at or after x's end > y's start), so (x, y*),
    (z, y) is an optimum too; if y* is free, (x, y*) replaces (x, y). O(n log n).
    """
    n_left = len(left)
    intervals = left + right
    side = [0] * n_left + [1] * len(right)
    by_end = sorted(range(len(intervals)), key=lambda i: intervals[i][1])
    by_start = [
        sorted(range(n_left), key=lambda i: left[i][0]),
        sorted(range(n_left, len(intervals)), key=lambda i: intervals[i][0]),
    ]
    pushed = [0, 0]
    waiting: list[list[tuple[int, int]]] = [[], []]  # per family: (end, id) started before
    removed = [False] * len(intervals)
    size = 0
    for x in by_end:
        if removed[x]:
            continue
        removed[x] = True
        end = intervals[x][1]
        other = 1 - side[x]
        starts, heap = by_start[other], waiting[other]
        while pushed[other] < len(starts) and intervals[starts[pushed[other]]][0] < end:
            y = starts[pushed[other]]
            heapq.heappush(heap, (intervals[y][1], y))
            pushed[other] += 1
        while heap and removed[heap[0][1]]:
            heapq.heappop(heap)
        if heap:
            removed[heapq.heappop(heap)[1]] = True
            size += 1
    return size


def block_counts(
    gold_keys: Sequence[Hashable], pred_keys: Sequence[Hashable]
) -> tuple[int, list[Hashable], list[Hashable]]:
    """Pairs of identical keys one-to-one: how many, and the keys left over on each side."""
    gold_count, pred_count = Counter(gold_keys), Counter(pred_keys)
    matched = 0
    left_gold: list[Hashable] = []
    left_pred: list[Hashable] = []
    for key, number in gold_count.items():
        taken = min(number, pred_count.get(key, 0))
        matched += taken
        left_gold += [key] * (number - taken)
    for key, number in pred_count.items():
        left_pred += [key] * (number - min(number, gold_count.get(key, 0)))
    return matched, left_gold, left_pred


def blocks_then_matching(
    gold: Sequence[Typed], pred: Sequence[Typed], *, by_type: bool
) -> tuple[int, int]:
    """(pairs with identical boundaries [and type], then the most other touching pairs): the
    counts of every optimum of an objective that first maximises identical pairs and then all
    pairs (module docstring)."""
    key = (lambda s: s) if by_type else (lambda s: (s[0], s[1]))
    identical, left_gold, left_pred = block_counts([key(s) for s in gold], [key(s) for s in pred])
    rest = touching_matching_size(
        [(s[0], s[1]) for s in left_gold], [(s[0], s[1]) for s in left_pred]
    )
    return identical, rest


def cluster_matched_counts(
    gold: Sequence[Typed], pred: Sequence[Typed]
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, dict[str, int]]]]:
    """The matched outcomes (correct, incorrect, partial) of every scheme, overall and per type,
    of one cluster of spans, equal to the optimal matchings of `entities._best_matches` (module
    docstring); raises NoClosedForm where no closed form applies."""
    same_bounds, other_bounds = blocks_then_matching(gold, pred, by_type=False)
    same_span, other_span = blocks_then_matching(gold, pred, by_type=True)
    overall = {
        "strict": _counts(same_span, other_span, 0),
        "exact": _counts(same_bounds, other_bounds, 0),
        "partial": _counts(same_bounds, 0, other_bounds),
        "ent_type": _ent_type_counts(gold, pred),
    }
    per_type = {}
    for entity_type in sorted({s[2] for s in gold} | {s[2] for s in pred}):
        gold_of = [s for s in gold if s[2] == entity_type]
        pred_of = [s for s in pred if s[2] == entity_type]
        identical, rest = blocks_then_matching(gold_of, pred_of, by_type=False)
        all_pairs = touching_matching_size(
            [(s[0], s[1]) for s in gold_of], [(s[0], s[1]) for s in pred_of]
        )
        per_type[entity_type] = {
            "strict": _counts(identical, rest, 0),
            "exact": _counts(identical, rest, 0),
            "partial": _counts(identical, 0, rest),
            "ent_type": _counts(all_pairs, 0, 0),
        }
    return overall, per_type


def _ent_type_counts(gold: Sequence[Typed], pred: Sequence[Typed]) -> dict[str, int]:
    """ent_type overall: the most same-type touching pairs, then the most pairs. One type: every
    touching pair is correct. Every gold span touching every prediction: the same-type pairs are
    complete blocks by type, and the spans they leave all touch each other."""
    bounds_gold = [(s[0], s[1]) for s in gold]
    bounds_pred = [(s[0], s[1]) for s in pred]
    if len({s[2] for s in gold} | {s[2] for s in pred}) <= 1:
        return _counts(touching_matching_size(bounds_gold, bounds_pred), 0, 0)
    all_pairs = touching_matching_size(bounds_gold, bounds_pred)
    if not _complete(bounds_gold, bounds_pred):
        raise NoClosedForm
    same_type, _, _ = block_counts([s[2] for s in gold], [s[2] for s in pred])
    return _counts(same_type, all_pairs - same_type, 0)


def _complete(gold: Sequence[Bounds], pred: Sequence[Bounds]) -> bool:
    """Every gold span touches every prediction (the conditions of `touching_matching_size`)."""
    if not gold or not pred:
        return True
    shortest = min(e - s for s, e in pred)
    earliest_end = min(e for _, e in pred)
    latest_start = max(s for s, _ in pred)
    for s, e in gold:
        m = min_shared(e - s)
        if shortest < m or earliest_end - s < m or e - latest_start < m:
            return False
    return True


def _counts(correct: int, incorrect: int, partial: int) -> dict[str, int]:
    return {"correct": correct, "incorrect": incorrect, "partial": partial}


def touched_predictions(gold: Sequence[Bounds], pred: Sequence[Bounds]) -> list[bool]:
    """For each prediction, whether it touches some gold span, in O(n log n).

    A prediction p touches a gold span g when ``pe - gs >= m``, ``ge - ps >= m`` and
    ``pe - ps >= m`` (m = `min_shared` of g): with the gold spans shrunk to
    ``[gs + m - 1, ge - m + 1)``, some gold span with ``m <= len(p)`` must start before ``pe``
    and end after ``ps``. Predictions are taken by increasing length and gold spans added as
    their m allows; a Fenwick tree over the shrunk starts gives the latest shrunk end among
    those starting before ``pe``.
    """
    touched = [False] * len(pred)
    if not gold or not pred:
        return touched
    shrunk = []
    for s, e in gold:
        m = min_shared(e - s)
        shrunk.append((m, s + m - 1, e - m + 1))
    shrunk.sort()
    starts = sorted({start for _, start, _ in shrunk})
    rank = {start: position for position, start in enumerate(starts)}
    latest_end = [None] * (len(starts) + 1)  # Fenwick tree of maxima, 1-based
    added = 0
    for index in sorted(range(len(pred)), key=lambda j: pred[j][1] - pred[j][0]):
        ps, pe = pred[index]
        while added < len(shrunk) and shrunk[added][0] <= pe - ps:
            _, start, end = shrunk[added]
            position = rank[start] + 1
            while position <= len(starts):
                if latest_end[position] is None or latest_end[position] < end:
                    latest_end[position] = end
                position += position & -position
            added += 1
        position = bisect_left(starts, pe)  # shrunk starts < pe: the first `position` ranks
        best = None
        while position > 0:
            value = latest_end[position]
            if value is not None and (best is None or value > best):
                best = value
            position -= position & -position
        touched[index] = best is not None and best > ps
    return touched
