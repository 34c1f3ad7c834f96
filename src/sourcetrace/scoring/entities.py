"""Entity scorer: nervaluate's four SemEval-2013 9.1 schemes, made order-invariant.

The exact rules (overlap threshold, matching, mention filter, text anchoring, macro mean) are
written down in docs/scoring/entities.md; this module is their implementation.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any, NamedTuple, overload

import numpy as np

from sourcetrace.scoring.common import Tally, add_tallies, pair_components, prf
from sourcetrace.scoring.dense import (
    DENSE_CELLS,
    MIN_OVERLAP_PERCENT,
    NoClosedForm,
    cluster_matched_counts,
    max_solver_cells,
    overlap_clusters,
    too_large,
    touched_predictions,
)

SCHEMES = ("strict", "exact", "partial", "ent_type")
COUNT_NAMES = ("correct", "incorrect", "partial", "missed", "spurious")
METRIC_NAMES = ("precision", "recall", "f1")
# MIN_OVERLAP_PERCENT (nervaluate's 1 % rule) lives in .dense, with the other matching rules.
# Outcome of a matched (gold, prediction) pair per scheme, keyed by
# (same boundaries, same type). Unmatched spans are missed or spurious in every scheme.
_PAIR_OUTCOME = {
    "strict": {
        (True, True): "correct",
        (True, False): "incorrect",
        (False, True): "incorrect",
        (False, False): "incorrect",
    },
    "exact": {
        (True, True): "correct",
        (True, False): "correct",
        (False, True): "incorrect",
        (False, False): "incorrect",
    },
    "partial": {
        (True, True): "correct",
        (True, False): "correct",
        (False, True): "partial",
        (False, False): "partial",
    },
    "ent_type": {
        (True, True): "correct",
        (True, False): "incorrect",
        (False, True): "correct",
        (False, False): "incorrect",
    },
}
# Credit of an outcome, doubled so that partial (worth 0.5) stays an integer weight.
_DOUBLED_CREDIT = {"correct": 2, "partial": 1, "incorrect": 0}


class Span(NamedTuple):
    start: int
    end: int  # exclusive
    type: str


# ---------------------------------------------------------------------------------------------
# public API


def tally_entities(
    gold: Sequence[Mapping[str, Any]],
    pred: Sequence[Mapping[str, Any]],
    *,
    text: str | None = None,
    mentions: frozenset[str] | None = None,
) -> Tally:
    """Additive counts for one document, overall and per type, for the four schemes.

    ``mentions`` keeps only gold mentions of those kinds; predictions that land on a
    filtered-out gold mention are dropped (counted in ``ignored_predictions``), not spurious.
    ``text`` is needed only to anchor text-only predictions.
    """
    all_gold = [_gold_span(entity, index, text) for index, entity in enumerate(gold)]
    kept_gold, excluded_gold = _split_by_mention(gold, all_gold, mentions)
    anchored, unanchored = _prediction_spans(pred, text, all_gold)
    unanchored_types = [entity_type for entity_type, _ in unanchored]
    kept_pred, ignored = _drop_predictions_on_excluded(kept_gold, excluded_gold, anchored)

    pairs, dense = _pairs_and_dense_counts(kept_gold, kept_pred)
    overall = _scheme_counts(
        kept_gold, kept_pred, pairs, len(kept_gold), len(kept_pred), [d[0] for d in dense]
    )
    _add_spurious(overall, len(unanchored_types))
    # nervaluate's per-type view scores gold and predictions of that type only, so the
    # pairs of a type are the touching pairs whose two sides both have it
    same_type_pairs = defaultdict(list)
    for g, p in pairs:
        if kept_gold[g].type == kept_pred[p].type:
            same_type_pairs[kept_gold[g].type].append((g, p))
    gold_by_type = Counter(s.type for s in kept_gold)
    pred_by_type = Counter(s.type for s in kept_pred)
    unanchored_by_type = Counter(unanchored_types)
    per_type: dict[str, dict[str, dict[str, int]]] = {}
    for entity_type in sorted(set(gold_by_type) | set(pred_by_type) | set(unanchored_by_type)):
        per_type[entity_type] = _scheme_counts(
            kept_gold,
            kept_pred,
            same_type_pairs[entity_type],
            gold_by_type[entity_type],
            pred_by_type[entity_type],
            [d[1][entity_type] for d in dense if entity_type in d[1]],
        )
        _add_spurious(per_type[entity_type], unanchored_by_type[entity_type])
    return {
        "overall": overall,
        "per_type": per_type,
        "ignored_predictions": len(ignored),
        "unanchored_predictions": len(unanchored_types),
    }


def align_entities(
    gold: Sequence[Mapping[str, Any]],
    pred: Sequence[Mapping[str, Any]],
    *,
    text: str | None = None,
    mentions: frozenset[str] | None = None,
    scheme: str = "strict",
) -> dict[str, Any]:
    """Item by item, what `tally_entities` counts for one scheme of the overall view.

    ``gold``: one entry per gold entity, in input order: its outcome (correct, incorrect,
    partial, missed, or excluded by the mention filter) and the index into ``predicted`` of its
    match. ``predicted``: every anchored prediction as a span with its outcome (spurious,
    ignored on an excluded gold mention, or the outcome of its match). ``unanchored``: type and
    text of the text-only predictions not found in the text (spurious). The counts of these
    outcomes are exactly the scheme's counts in the tally.
    """
    all_gold = [_gold_span(entity, index, text) for index, entity in enumerate(gold)]
    kept_index = [
        index
        for index, entity in enumerate(gold)
        if mentions is None or entity.get("mention") in mentions
    ]
    kept_gold, excluded_gold = _split_by_mention(gold, all_gold, mentions)
    anchored, unanchored = _prediction_spans(pred, text, all_gold)
    kept_pred, ignored = _drop_predictions_on_excluded(kept_gold, excluded_gold, anchored)
    # the items need the solver's pairs: no closed form gives them
    matches = _scheme_matches(kept_gold, kept_pred, _pairs_for_solver(kept_gold, kept_pred), scheme)
    gold_rows = [{"outcome": "excluded", "match": None} for _ in gold]
    for g in kept_index:
        gold_rows[g] = {"outcome": "missed", "match": None}
    predicted = [
        {"start": s.start, "end": s.end, "type": s.type, "outcome": "spurious", "match": None}
        for s in kept_pred
    ]
    predicted += [
        {"start": s.start, "end": s.end, "type": s.type, "outcome": "ignored", "match": None}
        for s in ignored
    ]
    for g, p, outcome in matches:
        gold_rows[kept_index[g]] = {"outcome": outcome, "match": p}
        predicted[p].update(outcome=outcome, match=kept_index[g])
    unanchored_items = [{"type": entity_type, "text": words} for entity_type, words in unanchored]
    return {"gold": gold_rows, "predicted": predicted, "unanchored": unanchored_items}


def summarize_entities(tally: Mapping[str, Any]) -> dict[str, Any]:
    """Report section from a (summed) tally: counts, possible/actual and P/R/F1 per scheme.

    Settings (the mention filter) live in the report's signature, not here: the tally is
    already filtered and cannot say by what.
    """
    per_type = {
        entity_type: {scheme: _scheme_metrics(counts[scheme]) for scheme in SCHEMES}
        for entity_type, counts in sorted(tally.get("per_type", {}).items())
    }
    overall_counts = tally.get("overall", {})
    return {
        "overall": {scheme: _scheme_metrics(overall_counts.get(scheme, {})) for scheme in SCHEMES},
        "per_type": per_type,
        "macro": {scheme: _macro(per_type, scheme) for scheme in SCHEMES},
        "ignored_predictions": int(tally.get("ignored_predictions", 0)),
        "unanchored_predictions": int(tally.get("unanchored_predictions", 0)),
    }


def score_entities(
    gold_docs: Mapping[str, Mapping[str, Any]],
    pred_docs: Mapping[str, Mapping[str, Any]],
    *,
    texts: Mapping[str, str] | None = None,
    mentions: frozenset[str] | None = None,
) -> dict[str, Any]:
    """Corpus section (micro over all documents) plus ``per_document`` overall scores.

    Every gold document must have a prediction and vice versa: a silent default would
    give a wrong score, so a mismatch raises ``ValueError``.
    """
    _check_same_documents(gold_docs, pred_docs)
    tallies = {}
    for doc_id in sorted(gold_docs):
        gold_doc, pred_doc = gold_docs[doc_id], pred_docs[doc_id]
        if "entities" not in pred_doc:
            raise ValueError(f"prediction for document {doc_id!r} has no 'entities' layer")
        text = (texts or {}).get(doc_id, gold_doc.get("text"))
        tallies[doc_id] = tally_entities(
            gold_doc.get("entities", []), pred_doc["entities"], text=text, mentions=mentions
        )
    summed = add_tallies(tallies.values()) if tallies else _empty_tally()
    section = summarize_entities(summed)
    section["per_document"] = {
        doc_id: summarize_entities(tally)["overall"] for doc_id, tally in tallies.items()
    }
    return section


# ---------------------------------------------------------------------------------------------
# input conversion


def _gold_span(entity: Mapping[str, Any], index: int, text: str | None) -> Span:
    if entity.get("start") is None or entity.get("end") is None:
        raise ValueError(f"gold entity #{index} ({entity.get('id', 'no id')}) has no offsets")
    return _checked_span(entity, index, text, "gold")


def _checked_span(entity: Mapping[str, Any], index: int, text: str | None, side: str) -> Span:
    start, end, entity_type = entity["start"], entity["end"], entity.get("type")
    label = f"{side} entity #{index} ({entity.get('id', 'no id')})"
    if not isinstance(entity_type, str):
        raise ValueError(f"{label} has no string 'type'")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
        raise ValueError(f"{label}: start and end must be integers")
    # An empty span has no inclusive end in nervaluate's terms: refuse it rather than guess.
    if not 0 <= start < end or (text is not None and end > len(text)):
        raise ValueError(f"{label}: bad span [{start}, {end}) (need 0 <= start < end <= len(text))")
    return Span(start, end, entity_type)


def _split_by_mention(
    gold: Sequence[Mapping[str, Any]], spans: list[Span], mentions: frozenset[str] | None
) -> tuple[list[Span], list[Span]]:
    if mentions is None:
        return spans, []
    kept, excluded = [], []
    for index, (entity, span) in enumerate(zip(gold, spans, strict=True)):
        if "mention" not in entity:
            raise ValueError(f"gold entity #{index} has no 'mention' to filter on")
        (kept if entity["mention"] in mentions else excluded).append(span)
    return kept, excluded


def _prediction_spans(
    pred: Sequence[Mapping[str, Any]], text: str | None, gold: list[Span]
) -> tuple[list[Span], list[tuple[str, str]]]:
    """Spans of all predictions; text-only ones are anchored, the rest listed as (type, text)."""
    spans, _, unanchored = _indexed_prediction_spans(pred, text, gold)
    return spans, unanchored


def _indexed_prediction_spans(
    pred: Sequence[Mapping[str, Any]], text: str | None, gold: list[Span]
) -> tuple[list[Span], list[int], list[tuple[str, str]]]:
    """``_prediction_spans`` plus, for each span, the index of the prediction it came from."""
    spans: list[Span] = []
    origins: list[int] = []
    text_only: dict[tuple[str, ...], list[tuple[str, int]]] = defaultdict(list)
    for index, entity in enumerate(pred):
        if entity.get("start") is not None and entity.get("end") is not None:
            spans.append(_checked_span(entity, index, text, "predicted"))
            origins.append(index)
            continue
        if not isinstance(entity.get("type"), str) or not isinstance(entity.get("text"), str):
            raise ValueError(f"predicted entity #{index} needs a 'type' and offsets or 'text'")
        text_only[tuple(entity["text"].split())].append((entity["type"], index))
    if text_only and text is None:
        raise ValueError("text-only entity predictions need the document text to be anchored")
    unanchored: list[tuple[str, str]] = []
    gold_types_at: dict[tuple[int, int], set[str]] = defaultdict(set)
    for span in gold:
        gold_types_at[(span.start, span.end)].add(span.type)
    for tokens, typed in text_only.items():
        typed.sort()
        occurrences = _occurrences(tokens, text or "")
        placed, missing = _anchor_positions([t for t, _ in typed], occurrences, gold_types_at)
        for position, span in placed:
            spans.append(span)
            origins.append(typed[position][1])
        unanchored.extend((typed[position][0], " ".join(tokens)) for position in missing)
    return spans, origins, unanchored


def _occurrences(tokens: tuple[str, ...], text: str) -> list[tuple[int, int]]:
    """Non-overlapping occurrences, left to right; any white-space run matches any other
    (the seeds contain NBSPs a system will not reproduce); never inside a word.

    That is what ``re.finditer`` gives for the tokens joined by ``\\s+``, with ``(?<!\\w)``
    in front when the first token starts with a word character and ``(?!\\w)`` behind when the
    last ends with one; found here without compiling a pattern per string (compiling cost far
    more than searching). Each start has at most one match, so the matches are the candidate
    starts in order, kept when they pass the word guards and do not overlap the last one kept.
    """
    if not tokens:
        return []
    guard_before = _is_word_character(tokens[0][0])
    guard_after = _is_word_character(tokens[-1][-1])
    found: list[tuple[int, int]] = []
    reached = 0
    for start, end in _candidate_occurrences(tokens, text):
        if start < reached:
            continue
        if guard_before and start > 0 and _is_word_character(text[start - 1]):
            continue
        if guard_after and end < len(text) and _is_word_character(text[end]):
            continue
        found.append((start, end))
        reached = end
    return found


def _candidate_occurrences(tokens: tuple[str, ...], text: str) -> Iterator[tuple[int, int]]:
    """Every (start, end) where the tokens, separated by white-space runs, stand in the text,
    by increasing start. Tokens hold no white space (they come from ``str.split``), so one
    token is any substring; with more, the first ends a run of non-space characters, the
    middle ones are whole runs and the last begins a run (``\\s+`` takes the whole gap)."""
    first, last = tokens[0], tokens[-1]
    if len(tokens) == 1:
        start = text.find(first)
        while start >= 0:
            yield start, start + len(first)
            start = text.find(first, start + 1)
        return
    runs, run_starts, run_at = _non_space_runs(text)
    middle, before_last = list(tokens[1:-1]), len(tokens) - 1
    position = text.find(last)
    while position >= 0:
        index = run_at.get(position)  # the last token must begin a run
        if index is not None and index >= before_last:
            opening = index - before_last
            if runs[opening].endswith(first) and runs[opening + 1 : index] == middle:
                opening_end = run_starts[opening] + len(runs[opening])
                yield opening_end - len(first), position + len(last)
        position = text.find(last, position + 1)


@lru_cache(maxsize=8)
def _non_space_runs(text: str) -> tuple[list[str], list[int], dict[int, int]]:
    """The maximal runs of non-white-space characters (``text.split()``), their starts, and
    their positions in that list by start; cached because all the text-only strings of a
    document search one text."""
    runs = text.split()
    run_starts: list[int] = []
    offset = 0
    for run in runs:
        offset = text.find(run, offset)  # only white space lies before it: this is the run
        run_starts.append(offset)
        offset += len(run)
    return runs, run_starts, {start: index for index, start in enumerate(run_starts)}


def _is_word_character(character: str) -> bool:
    """``re``'s ``\\w`` on str: alphanumeric in Unicode, or the underscore."""
    return character.isalnum() or character == "_"


def _anchor(
    types: list[str],
    occurrences: list[tuple[int, int]],
    gold_types_at: Mapping[tuple[int, int], set[str]],
) -> tuple[list[Span], list[str]]:
    """See _anchor_positions; the placed spans and the types left over."""
    placed, missing = _anchor_positions(types, occurrences, gold_types_at)
    return [span for _, span in placed], [types[position] for position in missing]


def _anchor_positions(
    types: list[str],
    occurrences: list[tuple[int, int]],
    gold_types_at: Mapping[tuple[int, int], set[str]],
) -> tuple[list[tuple[int, Span]], list[int]]:
    """Give each prediction (types sorted, so input order cannot matter) an occurrence:
    first one where gold has the same span and type, then one where gold has the same span,
    then the earliest free one; predictions left over stay unanchored.

    Each preference is a queue of occurrences in text order, and a taken occurrence is skipped
    when it comes up, so many copies of one string anchor in linear time."""
    from collections import deque

    taken: set[tuple[int, int]] = set()
    by_type: dict[str, deque[tuple[int, int]]] = defaultdict(deque)
    at_gold: deque[tuple[int, int]] = deque()
    for occurrence in occurrences:
        if occurrence in gold_types_at:
            at_gold.append(occurrence)
            for entity_type in gold_types_at[occurrence]:
                by_type[entity_type].append(occurrence)
    anywhere = deque(occurrences)

    def first_free(queue: deque[tuple[int, int]]) -> tuple[int, int] | None:
        while queue and queue[0] in taken:
            queue.popleft()
        return queue.popleft() if queue else None

    placed: list[tuple[int, Span]] = []
    waiting = list(range(len(types)))
    for queue_of in (lambda t: by_type[t], lambda t: at_gold, lambda t: anywhere):
        still_waiting = []
        for position in waiting:
            found = first_free(queue_of(types[position]))
            if found is None:
                still_waiting.append(position)
                continue
            taken.add(found)
            placed.append((position, Span(found[0], found[1], types[position])))
        waiting = still_waiting
    return placed, waiting


def _drop_predictions_on_excluded(
    kept_gold: list[Span], excluded_gold: list[Span], pred: list[Span]
) -> tuple[list[Span], list[Span]]:
    """Predictions that belong to a filtered-out gold mention are not the system's fault.

    A prediction on the boundaries of gold mentions takes, by type, one of them: a kept one of
    its type, else an excluded one of its type (dropped), else it is scored against the kept
    ones. So a span annotated twice with different mention kinds, one kept and one excluded,
    still gives gold against itself 1.0. A prediction on no gold boundaries is dropped when it
    overlaps an excluded gold mention and no kept one.
    """
    dropped = _dropped_indices(kept_gold, excluded_gold, pred)
    return (
        [s for i, s in enumerate(pred) if i not in dropped],
        [s for i, s in enumerate(pred) if i in dropped],
    )


def _dropped_indices(
    kept_gold: list[Span], excluded_gold: list[Span], pred: list[Span]
) -> set[int]:
    """Indices into ``pred`` of the predictions _drop_predictions_on_excluded drops."""
    if not excluded_gold:
        return set()
    kept_at: dict[tuple[int, int], Counter[str]] = {}
    excluded_at: dict[tuple[int, int], Counter[str]] = {}
    for table, spans in ((kept_at, kept_gold), (excluded_at, excluded_gold)):
        for span in spans:
            table.setdefault((span.start, span.end), Counter())[span.type] += 1
    touches_kept = _touched_predictions(kept_gold, pred)
    touches_excluded = _touched_predictions(excluded_gold, pred)
    dropped: set[int] = set()
    # same-boundary predictions claim gold slots in a fixed order, so input order cannot matter
    for index in sorted(range(len(pred)), key=lambda i: pred[i]):
        span = pred[index]
        bounds = (span.start, span.end)
        kept_types, excluded_types = kept_at.get(bounds), excluded_at.get(bounds)
        if kept_types is not None or excluded_types is not None:
            if kept_types and kept_types[span.type] > 0:
                kept_types[span.type] -= 1
                keep = True
            elif excluded_types and excluded_types[span.type] > 0:
                excluded_types[span.type] -= 1
                keep = False
            else:
                keep = kept_types is not None
        else:
            keep = index in touches_kept or index not in touches_excluded
        if not keep:
            dropped.add(index)
    return dropped


def ignored_prediction_indices(
    gold: Sequence[Mapping[str, Any]],
    pred: Sequence[Mapping[str, Any]],
    *,
    text: str | None = None,
    mentions: frozenset[str] | None = None,
) -> set[int]:
    """Indices into ``pred`` of the predictions that ``tally_entities`` ignores under the mention
    filter (counted in ``ignored_predictions``): the entity cluster scores leave out the same
    ones, so the two never disagree on what the system predicted."""
    if mentions is None:
        return set()
    all_gold = [_gold_span(entity, index, text) for index, entity in enumerate(gold)]
    kept_gold, excluded_gold = _split_by_mention(gold, all_gold, mentions)
    spans, origins, _ = _indexed_prediction_spans(pred, text, all_gold)
    return {origins[i] for i in _dropped_indices(kept_gold, excluded_gold, spans)}


# ---------------------------------------------------------------------------------------------
# matching


def _touches(gold: Span, pred: Span) -> bool:
    """nervaluate's overlap test: share a code point, and at least 1 % of the gold span."""
    shared = min(gold.end, pred.end) - max(gold.start, pred.start)
    return shared > 0 and 100 * shared >= MIN_OVERLAP_PERCENT * (gold.end - gold.start)


def _touched_predictions(gold: list[Span], pred: list[Span]) -> set[int]:
    """Indices of the predictions that touch some gold span, without listing the pairs when
    there could be many of them."""
    if len(gold) * len(pred) <= DENSE_CELLS:
        return {p for _, p in _touching_pairs(gold, pred)}
    touched = touched_predictions(
        [(s.start, s.end) for s in gold], [(s.start, s.end) for s in pred]
    )
    return {index for index, yes in enumerate(touched) if yes}


@overload
def _touching_pairs(gold: list[Span], pred: list[Span]) -> list[tuple[int, int]]: ...
@overload
def _touching_pairs(
    gold: list[Span], pred: list[Span], *, most: int
) -> list[tuple[int, int]] | None: ...
def _touching_pairs(
    gold: list[Span], pred: list[Span], *, most: int | None = None
) -> list[tuple[int, int]] | None:
    """All (gold index, pred index) pairs that touch, by a sorted sweep instead of all pairs;
    None as soon as there are more than ``most`` of them."""
    if not gold or not pred:
        return []
    order = sorted(range(len(gold)), key=lambda i: gold[i].start)
    starts = [gold[i].start for i in order]
    longest = max(s.end - s.start for s in gold)
    pairs = []
    for p_index, span in enumerate(pred):
        # touching needs gold.start < pred.end and gold.end > pred.start, which bounds
        # gold.start from below by pred.start - longest
        for position in range(
            bisect_right(starts, span.start - longest), bisect_left(starts, span.end)
        ):
            g_index = order[position]
            if _touches(gold[g_index], span):
                pairs.append((g_index, p_index))
        if most is not None and len(pairs) > most:
            return None
    return pairs


MatchedCounts = dict[str, dict[str, int]]  # scheme -> correct/incorrect/partial


def _pairs_and_dense_counts(
    gold: list[Span], pred: list[Span]
) -> tuple[list[tuple[int, int]], list[tuple[MatchedCounts, dict[str, MatchedCounts]]]]:
    """The touching pairs of the spans outside dense clusters, and the matched counts (overall,
    per type) of each dense cluster (more than ``DENSE_CELLS`` gold x predicted spans), which
    are found without listing its pairs (`_dense_cluster_counts`)."""
    # ordinary documents have about as many pairs as spans: list them, as always, unless there
    # are many more (then some cluster is dense, and clustering costs less than the pairs)
    pairs = _touching_pairs(gold, pred, most=max(DENSE_CELLS, 4 * (len(gold) + len(pred))))
    if pairs is not None:
        return pairs, []
    clusters = overlap_clusters([(s.start, s.end) for s in gold], [(s.start, s.end) for s in pred])
    dense = [(g, p) for g, p in clusters if len(g) * len(p) > DENSE_CELLS]
    if not dense:
        return _touching_pairs(gold, pred), []
    in_dense_gold = {i for g, _ in dense for i in g}
    in_dense_pred = {j for _, p in dense for j in p}
    sparse_gold = [i for i in range(len(gold)) if i not in in_dense_gold]
    sparse_pred = [j for j in range(len(pred)) if j not in in_dense_pred]
    pairs = [
        (sparse_gold[g], sparse_pred[p])
        for g, p in _touching_pairs([gold[i] for i in sparse_gold], [pred[j] for j in sparse_pred])
    ]
    counts = [_dense_cluster_counts([gold[i] for i in g], [pred[j] for j in p]) for g, p in dense]
    return pairs, counts


def _dense_cluster_counts(
    gold: list[Span], pred: list[Span]
) -> tuple[MatchedCounts, dict[str, MatchedCounts]]:
    """Matched counts of one cluster: closed forms (`dense.cluster_matched_counts`), else the
    solver within the bound of `_pairs_for_solver`."""
    try:
        return cluster_matched_counts(gold, pred)
    except NoClosedForm:
        pass
    pairs = _pairs_for_solver(gold, pred)
    overall = _scheme_counts(gold, pred, pairs, 0, 0)
    per_type = {}
    for entity_type in {s.type for s in gold} | {s.type for s in pred}:
        typed = [(g, p) for g, p in pairs if gold[g].type == pred[p].type == entity_type]
        per_type[entity_type] = _scheme_counts(gold, pred, typed, 0, 0)
    return _matched_only(overall), {t: _matched_only(c) for t, c in per_type.items()}


def _pairs_for_solver(gold: list[Span], pred: list[Span]) -> list[tuple[int, int]]:
    """The touching pairs, for the solver, when there are at most ``max_solver_cells()`` of
    them and no connected component has more gold x predicted spans than that; otherwise
    `MatchingTooLarge`, naming the largest overlap cluster (or component)."""
    limit = max_solver_cells()
    pairs = _touching_pairs(gold, pred, most=limit)
    if pairs is None:
        clusters = overlap_clusters(
            [(s.start, s.end) for s in gold], [(s.start, s.end) for s in pred]
        )
        g, p = max(clusters, key=lambda cluster: len(cluster[0]) * len(cluster[1]))
        raise _too_large([gold[i] for i in g], [pred[j] for j in p])
    for component in _components(pairs):
        g_ids, p_ids = {g for g, _ in component}, {p for _, p in component}
        if len(g_ids) * len(p_ids) > limit:
            raise _too_large([gold[i] for i in g_ids], [pred[j] for j in p_ids])
    return pairs


def _too_large(gold: list[Span], pred: list[Span]) -> Exception:
    spans = gold + pred
    first, last = min(s.start for s in spans), max(s.end for s in spans)
    return too_large("entities", len(gold), len(pred), first, last)


def _matched_only(counts: dict[str, dict[str, int]]) -> MatchedCounts:
    return {
        scheme: {name: counts[scheme][name] for name in ("correct", "incorrect", "partial")}
        for scheme in SCHEMES
    }


def _components(pairs: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Connected groups of touching pairs; almost always one pair each."""
    gold_degree = Counter(g for g, _ in pairs)
    pred_degree = Counter(p for _, p in pairs)
    if all(d == 1 for d in gold_degree.values()) and all(d == 1 for d in pred_degree.values()):
        return [[pair] for pair in pairs]
    return [[pairs[index] for index in group] for group in pair_components(pairs)]


def _best_matches(
    component: list[tuple[int, int]], gold: list[Span], pred: list[Span], scheme: str
) -> list[tuple[int, int, str]]:
    """Outcomes of a one-to-one matching that maximises, in this order, the scheme's credit,
    the number of correct pairs and the number of matched pairs. The three are packed into one
    integer weight, so every optimal matching has the same counts whatever the input order."""
    # imported here: only ambiguous overlaps need the solver, and scipy is slow to import
    from scipy.optimize import linear_sum_assignment

    outcomes = [_outcome(gold[g], pred[p], scheme) for g, p in component]
    gold_ids = sorted({g for g, _ in component})
    pred_ids = sorted({p for _, p in component})
    row = {g: i for i, g in enumerate(gold_ids)}
    col = {p: j for j, p in enumerate(pred_ids)}
    scale = min(len(gold_ids), len(pred_ids)) + 1  # exceeds any count of pairs
    weights = np.zeros((len(gold_ids), len(pred_ids)), dtype=np.int64)
    outcome_at = {}
    for (g, p), outcome in zip(component, outcomes, strict=True):
        is_correct = outcome == "correct"
        weights[row[g], col[p]] = (_DOUBLED_CREDIT[outcome] * scale + is_correct) * scale + 1
        outcome_at[(row[g], col[p])] = outcome
    rows, cols = linear_sum_assignment(weights, maximize=True)
    return [
        (gold_ids[r], pred_ids[c], outcome_at[(r, c)])
        for r, c in zip(rows, cols, strict=True)
        if weights[r, c] > 0
    ]


def _outcome(gold: Span, pred: Span, scheme: str) -> str:
    same_bounds = gold.start == pred.start and gold.end == pred.end
    return _PAIR_OUTCOME[scheme][(same_bounds, gold.type == pred.type)]


def _scheme_matches(
    gold: list[Span], pred: list[Span], pairs: list[tuple[int, int]], scheme: str
) -> list[tuple[int, int, str]]:
    """The one-to-one (gold index, pred index, outcome) matches of one scheme: what every count
    and every highlighted item of a report is derived from."""
    matches = []
    for component in _components(pairs):
        if len(component) == 1:  # the common case: no choice to make
            ((g, p),) = component
            matches.append((g, p, _outcome(gold[g], pred[p], scheme)))
        else:
            matches += _best_matches(component, gold, pred, scheme)
    return matches


def _scheme_counts(
    gold: list[Span],
    pred: list[Span],
    pairs: list[tuple[int, int]],
    n_gold: int,
    n_pred: int,
    dense: Sequence[MatchedCounts] = (),
) -> dict[str, dict[str, int]]:
    """Counts of ``n_gold`` gold and ``n_pred`` predicted spans whose touching pairs (indices
    into ``gold`` and ``pred``) are ``pairs``, plus the matched counts of dense clusters whose
    pairs were not listed: the outcomes of `_scheme_matches`, counted with the one-pair
    components (nearly all) done once for the four schemes."""
    counts = {scheme: dict.fromkeys(COUNT_NAMES, 0) for scheme in SCHEMES}
    matched = dict.fromkeys(SCHEMES, 0)
    for cluster in dense:
        for scheme in SCHEMES:
            for name, number in cluster[scheme].items():
                counts[scheme][name] += number
                matched[scheme] += number
    for component in _components(pairs):
        if len(component) == 1:
            ((g, p),) = component
            key = (
                gold[g].start == pred[p].start and gold[g].end == pred[p].end,
                gold[g].type == pred[p].type,
            )
            for scheme in SCHEMES:
                counts[scheme][_PAIR_OUTCOME[scheme][key]] += 1
                matched[scheme] += 1
            continue
        for scheme in SCHEMES:
            for _, _, outcome in _best_matches(component, gold, pred, scheme):
                counts[scheme][outcome] += 1
                matched[scheme] += 1
    for scheme in SCHEMES:
        counts[scheme]["missed"] = n_gold - matched[scheme]
        counts[scheme]["spurious"] = n_pred - matched[scheme]
    return counts


def _add_spurious(counts: dict[str, dict[str, int]], number: int) -> None:
    for scheme in SCHEMES:
        counts[scheme]["spurious"] += number


# ---------------------------------------------------------------------------------------------
# summaries


def _scheme_metrics(counts: Mapping[str, int]) -> dict[str, Any]:
    """nervaluate's definitions: possible = COR+INC+PAR+MIS, actual = COR+INC+PAR+SPU, and
    credit COR + 0.5*PAR (PAR is always 0 in strict, exact and ent_type)."""
    values = {name: int(counts.get(name, 0)) for name in COUNT_NAMES}
    matched = values["correct"] + values["incorrect"] + values["partial"]
    values["possible"] = matched + values["missed"]
    values["actual"] = matched + values["spurious"]
    credit = values["correct"] + 0.5 * values["partial"]
    values.update(prf(credit, values["actual"], values["possible"]))
    return values


def _macro(per_type: Mapping[str, Mapping[str, Any]], scheme: str) -> dict[str, float]:
    """Unweighted mean over the types present in gold or prediction (after the mention
    filter); F1 is the mean of per-type F1s, as in scikit-learn's macro average."""
    if not per_type:
        return dict.fromkeys(METRIC_NAMES, 0.0)
    return {
        metric: math.fsum(section[scheme][metric] for section in per_type.values()) / len(per_type)
        for metric in METRIC_NAMES
    }


def _empty_tally() -> Tally:
    return {
        "overall": {scheme: dict.fromkeys(COUNT_NAMES, 0) for scheme in SCHEMES},
        "per_type": {},
        "ignored_predictions": 0,
        "unanchored_predictions": 0,
    }


def _check_same_documents(gold_docs: Iterable[str], pred_docs: Iterable[str]) -> None:
    missing = sorted(set(gold_docs) - set(pred_docs))
    unknown = sorted(set(pred_docs) - set(gold_docs))
    if missing or unknown:
        raise ValueError(
            f"documents without prediction: {missing[:10]}; predictions for unknown documents: "
            f"{unknown[:10]}"
        )
