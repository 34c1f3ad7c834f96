"""Small pure helpers shared by the layer scorers: P/R/F1, tallies, text normalisation."""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

Tally = dict[str, Any]

_ARTICLES = re.compile(r"\b(a|an|the)\b")
# SQuAD deletes ASCII punctuation ("U.S." -> "us", "Korean-made" -> "koreanmade"). News text also
# has typographic quotes, deleted like their ASCII forms ("Moscow’s" = "Moscow's"), and dashes
# and ellipses that separate words, which become spaces.
_DELETED = set(string.punctuation) | set("\u2018\u2019\u201c\u201d\u00ab\u00bb")
_SEPARATORS = set("\u2013\u2014\u2026")
# one pass of str.translate: deleted characters map to None, separators to a space
_NORMALIZE_TABLE = {ord(ch): None for ch in _DELETED} | {ord(ch): " " for ch in _SEPARATORS}


def safe_div(numerator: float, denominator: float) -> float:
    """Division that yields 0.0 on an empty denominator (as nervaluate and seqeval do)."""
    return numerator / denominator if denominator else 0.0


def f1_score(precision: float, recall: float) -> float:
    return safe_div(2 * precision * recall, precision + recall)


def prf(true_positives: float, predicted: int, gold: int) -> dict[str, float]:
    """Precision, recall and F1 from a true-positive count and the two totals."""
    precision = safe_div(true_positives, predicted)
    recall = safe_div(true_positives, gold)
    return {"precision": precision, "recall": recall, "f1": f1_score(precision, recall)}


def add_tallies(tallies: Iterable[Mapping[str, Any]]) -> Tally:
    """Sum nested tallies: numbers add, lists concatenate, dicts merge key by key."""
    total: Tally = {}
    for tally in tallies:
        _add_into(total, tally)
    return total


def _add_into(total: dict, tally: Mapping[str, Any]) -> None:
    for key, value in tally.items():
        if isinstance(value, Mapping):
            _add_into(total.setdefault(key, {}), value)
        elif isinstance(value, list):
            total.setdefault(key, []).extend(value)
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(
                f"tally value for {key!r} must be a number, list or dict, not {value!r}"
            )
        else:
            total[key] = total.get(key, 0) + value


@lru_cache(maxsize=65536)
def normalize_text(text: str) -> str:
    """SQuAD's normalisation: lower case, delete punctuation, drop articles, fold white space.

    As SQuAD's ``normalize_answer`` for ASCII text; typographic quotes are deleted too, en/em
    dashes and ellipses become spaces, and Unicode white space (NBSP included) folds like a plain
    space, so the NBSPs of the seeds never decide a match.
    """
    text = text.lower().translate(_NORMALIZE_TABLE)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


# Joins the texts of `normalize_texts`: no step of `normalize_text` touches it or sees past it
# (not cased, not case-ignorable, not a word character, not white space)
_TEXT_SEPARATOR = "\x00"


def normalize_texts(texts: Sequence[str]) -> list[str]:
    """``normalize_text`` of each text, each step run once over all the texts joined by NUL.

    The steps are per character except two, and NUL bounds those as a string's ends do: the
    final-sigma rule of ``str.lower`` looks past case-ignorable characters for a cased one (NUL
    is neither), and ``\b`` of the article pattern sees a non-word character (NUL is one); a
    match never contains NUL. A text with a NUL of its own is normalised alone.
    """
    joined = _TEXT_SEPARATOR.join(texts)
    if not texts or joined.count(_TEXT_SEPARATOR) != len(texts) - 1:
        return [normalize_text(text) for text in texts]
    folded = _ARTICLES.sub(" ", joined.lower().translate(_NORMALIZE_TABLE))
    return [" ".join(part.split()) for part in folded.split(_TEXT_SEPARATOR)]


@lru_cache(maxsize=65536)
def _token_counts(text: str) -> tuple[Counter[str], int]:
    """Token bag of a text; cached because matching compares every gold text to every
    predicted one."""
    tokens = normalize_text(text).split()
    return Counter(tokens), len(tokens)


def token_f1(prediction: str, reference: str) -> float:
    """SQuAD token-overlap F1 between two strings after ``normalize_text``."""
    pred_counts, pred_length = _token_counts(prediction)
    gold_counts, gold_length = _token_counts(reference)
    if not pred_length or not gold_length:
        return float(pred_length == gold_length)
    overlap = sum((pred_counts & gold_counts).values())
    if overlap == 0:
        return 0.0
    return f1_score(overlap / pred_length, overlap / gold_length)


def char_overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    """Number of code points two half-open spans share."""
    return max(0, min(a_end, b_end) - max(a_start, b_start))


def span_f1(a_start: int, a_end: int, b_start: int, b_end: int) -> float:
    """Character-overlap Dice of two half-open spans: 1.0 only for identical spans."""
    overlap = char_overlap(a_start, a_end, b_start, b_end)
    return safe_div(2 * overlap, (a_end - a_start) + (b_end - b_start))


def pair_components(pairs: Sequence[tuple[Hashable, Hashable]]) -> list[list[int]]:
    """Indices into ``pairs`` (left, right) grouped by connected component of the bipartite
    graph they form, left and right nodes kept apart; groups in order of their first pair,
    pairs in input order. Matching problems split along these components."""
    parent: dict[tuple[int, Hashable], tuple[int, Hashable]] = {}

    def root(node: tuple[int, Hashable]) -> tuple[int, Hashable]:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for left, right in pairs:
        parent[root((0, left))] = root((1, right))
    groups: dict[tuple[int, Hashable], list[int]] = {}
    for index, (left, _) in enumerate(pairs):
        groups.setdefault(root((0, left)), []).append(index)
    return list(groups.values())


# Pairs above which `integer_pair_components` labels the graph with scipy's compiled search
# (importing scipy costs more than the Python union-find below this)
COMPILED_COMPONENT_PAIRS = 4096


def integer_pair_components(left: np.ndarray, right: np.ndarray) -> list[np.ndarray]:
    """``pair_components`` of the pairs (left[i], right[i]) of non-negative integers, as arrays
    of indices: the same groups in the same order (of their first pair), pairs in input order.
    Many pairs are labelled by ``scipy.sparse.csgraph.connected_components`` (the Python
    union-find was most of CEAF-e on large runs)."""
    left, right = np.asarray(left, dtype=np.int64), np.asarray(right, dtype=np.int64)
    if len(left) <= COMPILED_COMPONENT_PAIRS:
        pairs = list(zip(left.tolist(), right.tolist(), strict=True))
        return [np.array(group, dtype=np.int64) for group in pair_components(pairs)]
    from scipy.sparse import coo_array
    from scipy.sparse.csgraph import connected_components

    n_left = int(left.max()) + 1
    nodes = n_left + int(right.max()) + 1
    graph = coo_array(
        (np.ones(len(left), dtype=np.int8), (left, n_left + right)), shape=(nodes, nodes)
    )
    _, labels = connected_components(graph, directed=False)
    label_of_pair = labels[left]
    found, first = np.unique(label_of_pair, return_index=True)
    rank = np.empty(int(labels.max()) + 1, dtype=np.int64)
    rank[found[np.argsort(first)]] = np.arange(len(found))  # groups by their first pair
    group_of_pair = rank[label_of_pair]
    order = np.argsort(group_of_pair, kind="stable")  # pairs in input order within a group
    return np.split(order, np.flatnonzero(np.diff(group_of_pair[order])) + 1)


def cohen_kappa(
    labels_a: Sequence[Hashable],
    labels_b: Sequence[Hashable],
    labels: Sequence[Hashable] | None = None,
) -> float | None:
    """Cohen's kappa of two annotators, or of gold and system, over the same items (equal to
    sklearn's ``cohen_kappa_score``); None where it is 0/0 (one label on every item).

    Every item needs a label on both sides: pairs with a missing value are refused rather than
    dropped, because dropping them silently changes n; use ``krippendorff_alpha`` for data with
    gaps. ``labels`` (the full inventory) changes nothing to the value, but a label outside it
    is refused: sklearn would otherwise ignore those items.
    """
    if len(labels_a) != len(labels_b):
        raise ValueError(f"kappa needs paired labels: {len(labels_a)} against {len(labels_b)}")
    if any(value is None for value in (*labels_a, *labels_b)):
        raise ValueError("kappa needs a label on both sides of every pair; found None")
    if labels is not None:
        unknown = {*labels_a, *labels_b} - set(labels)
        if unknown:
            raise ValueError(f"labels outside the given inventory: {sorted(map(repr, unknown))}")
    if not labels_a:
        return None
    # Integer codes: mixed categories (bool with str) are valid here, and the codes' fixed order
    # makes the confusion matrix independent of the items' order. scoring.kappa does sklearn's
    # arithmetic without importing sklearn (a parity test keeps them bit-equal).
    from sourcetrace.scoring.kappa import kappa_of_codes

    codes = category_codes([*(labels or ()), *labels_a, *labels_b])
    return kappa_of_codes(
        [codes[v] for v in labels_a], [codes[v] for v in labels_b], len(set(codes.values()))
    )


def category_codes(values: Sequence[Hashable]) -> dict[Hashable, int]:
    """Category -> integer code in a fixed order of the categories (by type name, then repr),
    never in order of appearance: the confusion matrix, and so the last bit of kappa, must not
    depend on the order of the items."""
    categories = sorted(set(values), key=lambda value: (type(value).__name__, repr(value)))
    return {value: code for code, value in enumerate(categories)}
