"""Which entity mentions enter the entity cluster scores, and how they pair up.

The rules (and how ties are broken) are written out in docs/scoring/clusters.md, "How entity
mentions pair up". Nothing here looks at an id string of the system or at the order of the
input lists, except where two predicted entities are indistinguishable in the document (see
`_twin_rank`).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from json.encoder import encode_basestring_ascii
from typing import Any

from sourcetrace.scoring.common import normalize_text
from sourcetrace.scoring.dense import max_solver_cells, too_large
from sourcetrace.scoring.entities import ignored_prediction_indices, mention_kept
from sourcetrace.scoring.entity_batch import cluster_mention_pairs
from sourcetrace.scoring.matching import has_offsets, max_weight_matching, pairwise, same_piece

Mention = Mapping[str, Any]
# (type, shape of the mention's entity in the document, rank among indistinguishable entities),
# each a JSON text, compared as strings (docs/scoring/clusters.md, "Ties")
TieKey = tuple[str, str, str]
KeyOf = Callable[[int], TieKey]


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
    gold_key, pred_key = TieKeys(gold, gold=True), TieKeys(pred, gold=False)
    if mentions is None:
        return gold, pred, mention_pairs(gold, pred, gold_key, pred_key)
    kept_gold = [i for i, mention in enumerate(gold) if mention_kept(mention, mentions)]
    ignored = ignored_prediction_indices(gold, pred, text=text, mentions=mentions)
    if ignored:
        ignored = _ignored_by_shape(gold, pred, set(kept_gold), ignored, gold_key, pred_key)
    kept_pred = [j for j in range(len(pred)) if j not in ignored]
    pairs = mention_pairs(
        [gold[i] for i in kept_gold],
        [pred[j] for j in kept_pred],
        lambda i: gold_key(kept_gold[i]),
        lambda j: pred_key(kept_pred[j]),
    )
    return [gold[i] for i in kept_gold], [pred[j] for j in kept_pred], pairs


class TieKeys:
    """The tie keys of one side's mentions (`TieKey`), made on first use and kept: only a span
    with several mentions on a side, a place where the mention filter drops some of the copies,
    and text-only predictions need them, so most documents never make one (making them for
    every mention was half the time of `evaluate` on W3)."""

    def __init__(self, side: Sequence[Mention], *, gold: bool) -> None:
        self._side = side
        self._gold = gold
        self._keys: dict[int, TieKey] = {}
        self._shapes: dict[str, str] | None = None
        self._first: dict[str, int] | None = None

    def __call__(self, index: int) -> TieKey:
        key = self._keys.get(index)
        if key is None:
            key = self._keys[index] = self._key(index)
        return key

    def _key(self, index: int) -> TieKey:
        mention = self._side[index]
        entity = _entity_of(mention)
        if entity is None:
            shape = f"[{encode_basestring_ascii(piece_of(mention))}, null]"
            rank = "" if self._gold else f"{index:012d}"
        else:
            shape = self._entity_shapes()[entity]
            rank = entity if self._gold else f"{self._first_positions()[entity]:012d}"
        return (str(mention.get("type")), shape, rank)

    def _entity_shapes(self) -> dict[str, str]:
        """Entity -> the sorted pieces of its mentions in the document, so it survives any
        renaming of ids."""
        if self._shapes is None:
            members: dict[str, list[str]] = defaultdict(list)
            for mention in self._side:
                entity = _entity_of(mention)
                if entity is not None:
                    members[entity].append(piece_of(mention))
            self._shapes = {
                entity: _json_strings(sorted(found)) for entity, found in members.items()
            }
        return self._shapes

    def _first_positions(self) -> dict[str, int]:
        """Predicted entities whose mentions here look the same (twins) are told apart by where
        each first appears: the system's id strings play no part, and all mentions of one twin
        rank alike, so a twin pairs as a whole. (Only the twins' identities in other documents
        could make the order matter.)"""
        if self._first is None:
            first: dict[str, int] = {}
            for index, mention in enumerate(self._side):
                entity = _entity_of(mention)
                if entity is not None:
                    first.setdefault(entity, index)
            self._first = first
        return self._first


def mention_pairs(
    gold: Sequence[Mention], pred: Sequence[Mention], gold_key: KeyOf, pred_key: KeyOf
) -> list[tuple[int, int]]:
    """A one-to-one set of same-span pairs: as many pairs as possible, then as many same-type
    pairs as possible (so the pairs agree with the strict entity matches), then as many pairs
    of mentions whose entities have the same shape in the document; ties in the order of the
    keys (``gold_key(i)``, ``pred_key(j)``). Text-only mentions need the solver; spans alone
    never do, and a span with one mention on each side needs no key: they pair."""
    if not gold or not pred:
        return []
    gold_spans, pred_spans = _spans(gold), _spans(pred)
    if gold_spans is None or pred_spans is None:
        return _solved_pairs(gold, pred, gold_key, pred_key)
    gold_index, pred_index = (
        dict(zip(gold_spans, range(len(gold)), strict=True)),
        dict(zip(pred_spans, range(len(pred)), strict=True)),
    )
    if len(gold_index) == len(gold) and len(pred_index) == len(pred):
        # one mention per span on each side (most documents): every shared span pairs its two
        return sorted(
            (gold_index[span], pred_index[span]) for span in gold_index.keys() & pred_index.keys()
        )
    gold_at, pred_at = _by_span(gold_spans), _by_span(pred_spans)
    pairs: list[tuple[int, int]] = []
    for span, gold_here in gold_at.items():
        pred_here = pred_at.get(span)
        if not pred_here:
            continue
        if len(gold_here) == 1 and len(pred_here) == 1:
            pairs.append((gold_here[0], pred_here[0]))
        else:
            pairs += _pairs_on_one_span(gold_here, pred_here, gold_key, pred_key)
    return sorted(pairs)


def _spans(side: Sequence[Mention]) -> list[tuple[Any, Any]] | None:
    """The (start, end) of each mention; None when a mention has no offsets. Raises where a
    dict of the spans would, up to the first mention without offsets (as one did before)."""
    spans = [(mention.get("start"), mention.get("end")) for mention in side]
    missing = next(
        (i for i, (start, end) in enumerate(spans) if start is None or end is None), None
    )
    hash(tuple(spans if missing is None else spans[:missing]))
    return spans if missing is None else None


def _by_span(spans: Sequence[tuple[Any, Any]]) -> dict[tuple[Any, Any], list[int]]:
    """Indices of the mentions on each span, spans in order of their first mention."""
    at: dict[tuple[Any, Any], list[int]] = {}
    for index, span in enumerate(spans):
        found = at.get(span)
        if found is None:
            at[span] = [index]
        else:
            found.append(index)
    return at


def _pairs_on_one_span(
    gold: list[int], pred: list[int], gold_key: KeyOf, pred_key: KeyOf
) -> list[tuple[int, int]]:
    """Every gold mention on a span can pair with every prediction on it: pair the same type
    and shape first, then the same type, then the rest, each in key order."""
    free_gold = sorted(gold, key=gold_key)
    free_pred = sorted(pred, key=pred_key)
    pairs = []
    for width in (2, 1, 0):
        waiting: dict[tuple[Any, ...], list[int]] = defaultdict(list)
        for j in free_pred:
            waiting[pred_key(j)[:width]].append(j)
        unpaired = []
        for i in free_gold:
            partners = waiting.get(gold_key(i)[:width])
            if partners:
                pairs.append((i, partners.pop(0)))
            else:
                unpaired.append(i)
        free_gold = unpaired
        free_pred = [j for group in waiting.values() for j in group]
        free_pred.sort(key=pred_key)
    return pairs


def _ignored_by_shape(
    gold: Sequence[Mention],
    pred: Sequence[Mention],
    kept_gold: set[int],
    ignored: set[int],
    gold_key: KeyOf,
    pred_key: KeyOf,
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
        keep_shapes = Counter(gold_key(i)[1] for i in gold_places[place] if i in kept_gold)
        drop_shapes = Counter(gold_key(i)[1] for i in gold_places[place] if i not in kept_gold)
        preference = {}
        for j in sorted(members, key=pred_key):
            shape = pred_key(j)[1]
            if keep_shapes[shape] > 0:
                keep_shapes[shape] -= 1
                preference[j] = 0
            elif drop_shapes[shape] > 0:
                drop_shapes[shape] -= 1
                preference[j] = 2
            else:
                preference[j] = 1
        ranked = sorted(members, key=lambda j: (preference[j], pred_key(j)))
        result -= set(members)
        result |= set(ranked[len(members) - dropped :])
    return result


def piece_of(mention: Mention) -> str:
    """What a mention is, without its ids: span and type, or normalised text if it has no span
    (the JSON text of [start, end, type, normalised text or null])."""
    start, end, kind = mention.get("start"), mention.get("end"), mention.get("type")
    if type(start) is int and type(end) is int and type(kind) is str:
        # what json.dumps writes for these: a mention with offsets has no words
        return f"[{start!r}, {end!r}, {encode_basestring_ascii(kind)}, null]"
    text = mention.get("text")
    words = normalize_text(text) if isinstance(text, str) and not has_offsets(mention) else None
    return json.dumps([start, end, kind, words])


def _entity_of(mention: Mention) -> str | None:
    entity = mention.get("entity")
    if type(entity) is str:
        return encode_basestring_ascii(entity)  # json.dumps of a str, whatever its options
    return None if entity is None else json.dumps(entity, sort_keys=True, default=repr)


def _json_strings(strings: Iterable[str]) -> str:
    """``json.dumps`` of a list of strings, without its general machinery."""
    return f"[{', '.join(map(encode_basestring_ascii, strings))}]"


def _solved_pairs(
    gold: Sequence[Mention], pred: Sequence[Mention], gold_key: KeyOf, pred_key: KeyOf
) -> list[tuple[int, int]]:
    """Text-only mentions: all pairs and the solver (most pairs, then most same-type pairs),
    rows and columns in the order of (piece, tie key), within `dense.max_solver_cells`."""
    if len(gold) * len(pred) > max_solver_cells():
        raise too_large("entity mentions (for cluster scores)", len(gold), len(pred), None, None)
    valid = pairwise(gold, pred, same_piece, dtype=bool)
    same_type = pairwise(gold, pred, lambda g, p: g.get("type") == p.get("type"), dtype=float)
    return max_weight_matching(
        valid,
        same_type,
        row_keys=[(piece_of(m), *gold_key(i)) for i, m in enumerate(gold)],
        col_keys=[(piece_of(m), *pred_key(j)) for j, m in enumerate(pred)],
    )
