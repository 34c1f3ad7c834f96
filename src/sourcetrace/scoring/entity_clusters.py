"""Which entity mentions enter the entity cluster scores, and how they pair up.

The rules (and how ties are broken) are written out in docs/scoring/clusters.md, "How entity
mentions pair up". Nothing here looks at an id string of the system or at the order of the
input lists, except where two predicted entities are indistinguishable in the document (see
`_twin_rank`).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from itertools import chain
from typing import Any

from sourcetrace.scoring.common import normalize_text
from sourcetrace.scoring.dense import max_solver_cells, too_large
from sourcetrace.scoring.entities import ignored_prediction_indices
from sourcetrace.scoring.entity_batch import cluster_mention_pairs
from sourcetrace.scoring.matching import has_offsets, max_weight_matching, pairwise, same_piece

Mention = Mapping[str, Any]
# (type, shape of the mention's entity in the document, rank among indistinguishable entities)
TieKey = tuple[str, str, str]


def entity_pairs(gold: list[dict], pred: list[dict]) -> list[tuple[int, int]]:
    """Type-blind pairs of mentions on the same span (or same normalised text if text-only).

    For agreement between two annotation passes, whose point is to compare the types: a
    type-aware pairing would favour agreement. Cluster scores use `cluster_mentions`.
    """
    return cluster_mention_pairs(gold, pred)


def cluster_mentions(
    gold: list[dict],
    pred: list[dict],
    mentions: frozenset[str] | None,
    text: str | None = None,
) -> tuple[list[dict], list[dict], list[tuple[int, int]]]:
    """Gold and predicted mentions that enter entity cluster scores, and their pairs.

    With a mention filter, gold mentions of other kinds leave, and so do exactly as many
    predictions as the entity scores ignore (neither correct nor spurious there, so not here
    either). The mentions are filtered first and paired afterwards, so a kept gold mention is
    never left twinless because its partner was chosen among the filtered-out ones.
    """
    gold_keys = _tie_keys(gold, _gold_rank)
    pred_keys = _tie_keys(pred, _twin_rank(pred))
    if mentions is None:
        return gold, pred, mention_pairs(gold, pred, gold_keys, pred_keys)
    kept_gold = [i for i, mention in enumerate(gold) if mention["mention"] in mentions]
    ignored = ignored_prediction_indices(gold, pred, text=text, mentions=mentions)
    ignored = _ignored_by_shape(gold, pred, set(kept_gold), ignored, gold_keys, pred_keys)
    kept_pred = [j for j in range(len(pred)) if j not in ignored]
    pairs = mention_pairs(
        [gold[i] for i in kept_gold],
        [pred[j] for j in kept_pred],
        [gold_keys[i] for i in kept_gold],
        [pred_keys[j] for j in kept_pred],
    )
    return [gold[i] for i in kept_gold], [pred[j] for j in kept_pred], pairs


def mention_pairs(
    gold: Sequence[Mention],
    pred: Sequence[Mention],
    gold_keys: Sequence[TieKey],
    pred_keys: Sequence[TieKey],
) -> list[tuple[int, int]]:
    """A one-to-one set of same-span pairs: as many pairs as possible, then as many same-type
    pairs as possible (so the pairs agree with the strict entity matches), then as many pairs
    of mentions whose entities have the same shape in the document; ties in the order of the
    keys. Text-only mentions need the solver; spans alone never do."""
    if not gold or not pred:
        return []
    if not all(has_offsets(mention) for mention in chain(gold, pred)):
        return _solved_pairs(gold, pred, gold_keys, pred_keys)
    gold_at: dict[tuple[Any, Any], list[int]] = defaultdict(list)
    pred_at: dict[tuple[Any, Any], list[int]] = defaultdict(list)
    for index, mention in enumerate(gold):
        gold_at[(mention["start"], mention["end"])].append(index)
    for index, mention in enumerate(pred):
        pred_at[(mention["start"], mention["end"])].append(index)
    pairs: list[tuple[int, int]] = []
    for span, gold_here in gold_at.items():
        pred_here = pred_at.get(span)
        if pred_here:
            pairs += _pairs_on_one_span(gold_here, pred_here, gold_keys, pred_keys)
    return sorted(pairs)


def _pairs_on_one_span(
    gold: list[int], pred: list[int], gold_keys: Sequence[TieKey], pred_keys: Sequence[TieKey]
) -> list[tuple[int, int]]:
    """Every gold mention on a span can pair with every prediction on it: pair the same type
    and shape first, then the same type, then the rest, each in key order."""
    free_gold = sorted(gold, key=lambda i: gold_keys[i])
    free_pred = sorted(pred, key=lambda j: pred_keys[j])
    pairs = []
    for width in (2, 1, 0):
        waiting: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for j in free_pred:
            waiting[pred_keys[j][:width]].append(j)
        unpaired = []
        for i in free_gold:
            partners = waiting.get(gold_keys[i][:width])
            if partners:
                pairs.append((i, partners.pop(0)))
            else:
                unpaired.append(i)
        free_gold = unpaired
        free_pred = [j for group in waiting.values() for j in group]
        free_pred.sort(key=lambda j: pred_keys[j])
    return pairs


def _ignored_by_shape(
    gold: Sequence[Mention],
    pred: Sequence[Mention],
    kept_gold: set[int],
    ignored: set[int],
    gold_keys: Sequence[TieKey],
    pred_keys: Sequence[TieKey],
) -> set[int]:
    """The entity scores say how many predictions of one span and type are ignored, not which:
    keep those whose entity has the shape of a kept gold mention's entity there, and ignore
    those shaped like an excluded one's, so gold against itself keeps the right copies."""
    places: dict[tuple[Any, Any, Any], list[int]] = defaultdict(list)
    for j, mention in enumerate(pred):
        if has_offsets(mention):
            places[(mention["start"], mention["end"], mention.get("type"))].append(j)
    gold_places: dict[tuple[Any, Any, Any], list[int]] = defaultdict(list)
    for i, mention in enumerate(gold):
        gold_places[(mention["start"], mention["end"], mention.get("type"))].append(i)
    result = set(ignored)
    for place, members in places.items():
        dropped = sum(j in ignored for j in members)
        if dropped in (0, len(members)):
            continue
        keep_shapes = Counter(gold_keys[i][1] for i in gold_places[place] if i in kept_gold)
        drop_shapes = Counter(gold_keys[i][1] for i in gold_places[place] if i not in kept_gold)
        preference = {}
        for j in sorted(members, key=lambda j: pred_keys[j]):
            shape = pred_keys[j][1]
            if keep_shapes[shape] > 0:
                keep_shapes[shape] -= 1
                preference[j] = 0
            elif drop_shapes[shape] > 0:
                drop_shapes[shape] -= 1
                preference[j] = 2
            else:
                preference[j] = 1
        ranked = sorted(members, key=lambda j: (preference[j], pred_keys[j]))
        result -= set(members)
        result |= set(ranked[len(members) - dropped :])
    return result


def _piece(mention: Mention) -> str:
    """What a mention is, without its ids: span and type, or normalised text if it has no span."""
    text = mention.get("text")
    words = normalize_text(text) if isinstance(text, str) and not has_offsets(mention) else None
    return json.dumps([mention.get("start"), mention.get("end"), mention.get("type"), words])


def _entity_of(mention: Mention) -> str | None:
    entity = mention.get("entity")
    return None if entity is None else json.dumps(entity, sort_keys=True, default=repr)


def _tie_keys(side: Sequence[Mention], rank_of: Any) -> list[TieKey]:
    """Per mention: its type, the shape of its entity in the document (the sorted pieces of the
    entity's mentions here, so it survives any renaming of ids), and ``rank_of(index)``."""
    pieces = [_piece(mention) for mention in side]
    members: dict[str, list[str]] = defaultdict(list)
    for mention, piece in zip(side, pieces, strict=True):
        entity = _entity_of(mention)
        if entity is not None:
            members[entity].append(piece)
    keys = []
    for index, (mention, piece) in enumerate(zip(side, pieces, strict=True)):
        entity = _entity_of(mention)
        shape = json.dumps(sorted(members[entity]) if entity is not None else [piece, None])
        keys.append((str(mention.get("type")), shape, rank_of(side, index)))
    return keys


def _gold_rank(side: Sequence[Mention], index: int) -> str:
    """Gold entities are told apart by their id: gold is fixed, so no input order enters."""
    return _entity_of(side[index]) or ""


def _twin_rank(pred: Sequence[Mention]) -> Any:
    """Predicted entities whose mentions here look the same (twins) are told apart by where each
    first appears: the system's id strings play no part, and all mentions of one twin rank
    alike, so a twin pairs as a whole. (Only the twins' identities in other documents could
    make the order matter.)"""
    first: dict[str, int] = {}
    for index, mention in enumerate(pred):
        entity = _entity_of(mention)
        if entity is not None:
            first.setdefault(entity, index)

    def rank(side: Sequence[Mention], index: int) -> str:
        entity = _entity_of(side[index])
        return f"{first[entity] if entity is not None else index:012d}"

    return rank


def _solved_pairs(
    gold: Sequence[Mention],
    pred: Sequence[Mention],
    gold_keys: Sequence[TieKey],
    pred_keys: Sequence[TieKey],
) -> list[tuple[int, int]]:
    """Text-only mentions: all pairs and the solver (most pairs, then most same-type pairs),
    rows and columns in the order of their tie keys, within `dense.max_solver_cells`."""
    if len(gold) * len(pred) > max_solver_cells():
        raise too_large("entity mentions (for cluster scores)", len(gold), len(pred), None, None)
    valid = pairwise(gold, pred, same_piece, dtype=bool)
    same_type = pairwise(gold, pred, lambda g, p: g.get("type") == p.get("type"), dtype=float)
    return max_weight_matching(
        valid,
        same_type,
        row_keys=[(_piece(m), *k) for m, k in zip(gold, gold_keys, strict=True)],
        col_keys=[(_piece(m), *k) for m, k in zip(pred, pred_keys, strict=True)],
    )
