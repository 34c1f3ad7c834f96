"""The entity layer's two scorers: spans and types (nervaluate's schemes), and entity clusters.

They combine entities.py (the per-document scorer and its vocabulary), entity_batch.py (the
same tallies for many documents at once, as columns) and entity_clusters.py (which mentions
enter the cluster scores), which is why they sit in a module of their own above those three.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import chain, repeat
from typing import TYPE_CHECKING, Any

import numpy as np

from sourcetrace.schema.column_records import EntityArrays, entity_arrays
from sourcetrace.schema.labels import names
from sourcetrace.scoring.clusters import (
    CLUSTER_COUNTS,
    check_cluster_counts,
    cluster_partial_fields,
    summarize_cluster_section,
    tally_clusters,
)
from sourcetrace.scoring.common import Tally
from sourcetrace.scoring.entities import (
    COUNT_NAMES,
    SCHEMES,
    mention_kept,
    summarize_entities,
    tally_entities,
)
from sourcetrace.scoring.entity_batch import tally_entities_batch, tally_entity_arrays
from sourcetrace.scoring.entity_clusters import cluster_mentions
from sourcetrace.scoring.layer import Batch, Document, FieldPath, Figure, LayerScorer, PartialFields
from sourcetrace.scoring.tallies import PooledCounts, TallyTable

if TYPE_CHECKING:
    from sourcetrace.evaluation.partial_checks import Statistics
    from sourcetrace.evaluation.settings import Settings

# ---------------------------------------------------------------- entities


def _tally_entities(gold: Document, pred: Document, settings: Settings, text: str) -> Tally:
    return tally_entities(
        gold["entities"], pred.get("entities") or [], text=text, mentions=settings.mentions
    )


def _tally_entities_batch(doc_ids: list[str], batch: Batch, settings: Settings) -> TallyTable:
    arrays = _batch_arrays(batch)
    if arrays is None:
        columns = tally_entities_batch(
            [(gold["entities"], pred.get("entities") or [], text) for gold, pred, text in batch],
            mentions=settings.mentions,
        )
    else:  # records of a clean chunk: their spans read from its columns, no dict per entity
        columns = tally_entity_arrays(
            _Entities(batch, 0),
            _Entities(batch, 1),
            [text for _, _, text in batch],
            *arrays,
            mentions=settings.mentions,
        )
    return TallyTable.from_columns(doc_ids, columns.fields, columns.counts, columns.present)


def _batch_arrays(batch: Batch) -> tuple[EntityArrays, EntityArrays] | None:
    """The `EntityArrays` of the batch's gold and predictions, with their mentions and entity
    ids (both scorers of the layer read the same arrays, made once), when both are records of
    clean chunks (`schema.column_records`); None otherwise."""
    gold = entity_arrays([gold for gold, _, _ in batch], mentions=True, entities=True)
    if gold is None:
        return None
    pred = entity_arrays([pred for _, pred, _ in batch], mentions=True, entities=True)
    return None if pred is None else (gold, pred)


class _Entities(Sequence[Sequence[Mapping[str, Any]]]):
    """The entity lists of one side of a batch (0: gold, 1: predictions), each made only when
    indexed, as the scorer reads them: ``gold["entities"]``, ``pred.get("entities") or []``."""

    def __init__(self, batch: Batch, side: int) -> None:
        self.batch = batch
        self.side = side

    def __len__(self) -> int:
        return len(self.batch)

    def __getitem__(self, index: Any) -> Any:
        if not isinstance(index, int):
            raise TypeError("one document at a time")
        document = self.batch[index][self.side]
        return document["entities"] if self.side == 0 else document.get("entities") or []


def _summarize_entities(tally: Mapping[str, Any], settings: Settings) -> dict[str, Any]:
    return summarize_entities(tally)


def _entities_per_document(tally: Mapping[str, Any]) -> dict[str, Any]:
    return summarize_entities(tally)["overall"]


def _entity_partial_fields(s: Statistics) -> PartialFields:
    """The overall counts of every scheme, the per-type counts of the types the partial lists
    (each an entity type of labels.json), and the ignored and unanchored predictions."""
    known_types = set(names("entity_types"))
    entity_types = sorted(
        {path[2] for path in s.fields if path[:2] == ("entities", "per_type") and len(path) > 2}
    )
    for entity_type in entity_types:
        if entity_type not in known_types:
            where = next(p for p in s.fields if p[:3] == ("entities", "per_type", entity_type))
            raise s.layout_error(
                f"/{s.key}/fields/{s.fields[where]}",
                f"per-type counts of {entity_type!r}, which is no entity type",
            )
    numeric: set[FieldPath] = {
        ("entities", "overall", scheme, count) for scheme in SCHEMES for count in COUNT_NAMES
    }
    per_type = {
        ("entities", "per_type", entity_type, scheme, count)
        for entity_type in entity_types
        for scheme in SCHEMES
        for count in COUNT_NAMES
    }
    numeric |= {("entities", "ignored_predictions"), ("entities", "unanchored_predictions")}
    return PartialFields(frozenset(numeric | per_type), sometimes_absent=frozenset(per_type))


def _check_entity_partial(s: Statistics) -> None:
    gold, predicted = s.items("gold", "entities"), s.items("predicted", "entities")
    ignored = s.column("entities", "ignored_predictions")
    unanchored = s.column("entities", "unanchored_predictions")
    scored = predicted - ignored  # the predictions the schemes count
    s.require(
        ignored + unanchored <= predicted,
        lambda r: (
            f"{ignored[r]} ignored + {unanchored[r]} unanchored entity predictions, but "
            f"{predicted[r]} predicted entities are recorded"
        ),
    )
    check_schemes(s, ("entities", "overall"), gold, scored, "entities")
    for scheme in SCHEMES:  # a text-only prediction not found in the text is spurious
        spurious = s.column("entities", "overall", scheme, "spurious")
        s.require(
            unanchored <= spurious,
            lambda r, sc=scheme, v=spurious: (
                f"{unanchored[r]} unanchored entity predictions, "
                f"but only {v[r]} spurious ones in the {sc} scheme"
            ),
        )
    possible_sum = np.zeros(len(s.doc_ids), dtype=np.int64)
    actual_sum = np.zeros(len(s.doc_ids), dtype=np.int64)
    entity_types = sorted({path[2] for path in s.fields if path[:2] == ("entities", "per_type")})
    for entity_type in entity_types:
        prefix = ("entities", "per_type", entity_type)
        columns = [
            s.fields[(*prefix, scheme, count)] for scheme in SCHEMES for count in COUNT_NAMES
        ]
        has = s.present[:, columns]
        s.require(
            has.all(axis=1) | ~has.any(axis=1),
            lambda r, t=entity_type: f"the per-type counts of {t} are partly absent",
        )
        s.require(
            has.any(axis=1) | ~s.counts[:, columns].any(axis=1),
            lambda r, t=entity_type: f"absent per-type counts of {t} are not zero",
        )
        possible, actual = check_schemes(s, prefix, None, None, f"entities of type {entity_type}")
        s.require(
            has[:, 0] == (possible + actual > 0),
            lambda r, t=entity_type: (
                f"the per-type counts of {t} are present exactly when the "
                "document has a gold or predicted entity of that type"
            ),
        )
        possible_sum += possible
        actual_sum += actual
    s.require(
        possible_sum == gold,
        lambda r: (
            f"the per-type gold entities add up to {possible_sum[r]}, but {gold[r]} are recorded"
        ),
    )
    s.require(
        actual_sum == scored,
        lambda r: (
            f"the per-type predicted entities add up to {actual_sum[r]}, but "
            f"{scored[r]} are recorded (predicted less ignored)"
        ),
    )


def check_schemes(
    s: Statistics,
    prefix: FieldPath,
    gold: np.ndarray | None,
    scored: np.ndarray | None,
    what: str,
) -> tuple[np.ndarray, np.ndarray]:
    """nervaluate's identities in each scheme of a partial's counts: possible (correct +
    incorrect + partial + missed) and actual (correct + incorrect + partial + spurious) are the
    same in the four schemes and, where given, the recorded gold and scored predictions; only the
    partial scheme counts partial matches, and it never counts one incorrect. Returns (possible,
    actual)."""
    first_possible = first_actual = None
    for scheme in SCHEMES:
        correct, incorrect, partial, missed, spurious = (
            s.column(*prefix, scheme, count) for count in COUNT_NAMES
        )
        possible = correct + incorrect + partial + missed
        actual = correct + incorrect + partial + spurious
        if gold is not None:
            s.require(
                possible == gold,
                lambda r, sc=scheme, v=possible: (
                    f"{what}, {sc}: correct + incorrect + partial + "
                    f"missed = {v[r]}, but {gold[r]} gold entities are recorded"
                ),
            )
        if scored is not None:
            s.require(
                actual == scored,
                lambda r, sc=scheme, v=actual: (
                    f"{what}, {sc}: correct + incorrect + partial + "
                    f"spurious = {v[r]}, but {scored[r]} predicted entities (less the ignored) are "
                    "recorded"
                ),
            )
        if first_possible is None:
            first_possible, first_actual = possible, actual
        else:
            s.require(
                (possible == first_possible) & (actual == first_actual),
                lambda r, sc=scheme: (
                    f"{what}: the {sc} scheme counts other gold or predicted "
                    f"entities than the {SCHEMES[0]} scheme"
                ),
            )
        never = incorrect if scheme == "partial" else partial
        s.require(
            never == 0,
            lambda r, sc=scheme: (
                f"{what}, {sc}: "
                + (
                    "an incorrect match, which"
                    if sc == "partial"
                    else "a partial match, which only"
                )
                + (
                    " the partial scheme never counts"
                    if sc == "partial"
                    else " the partial scheme counts"
                )
            ),
        )
    assert first_possible is not None and first_actual is not None
    return first_possible, first_actual


ENTITIES = LayerScorer(
    name="entities",
    layer="entities",
    section=("entities",),
    tally=_tally_entities,
    tally_batch=_tally_entities_batch,
    summarize=_summarize_entities,
    partial_fields=_entity_partial_fields,
    check_partial=_check_entity_partial,
    headline=tuple((f"entities.{scheme}.f1", ("overall", scheme, "f1")) for scheme in SCHEMES),
    per_document=_entities_per_document,
    figure=Figure("entities.strict.f1", ("overall", "strict"), "strict scheme", ("strict",)),
    curves=tuple((scheme, ("overall", scheme)) for scheme in SCHEMES),
)


# ---------------------------------------------------------------- entity clusters


def _tally_clusters(gold: Document, pred: Document, settings: Settings, text: str) -> Tally:
    gold_mentions, pred_mentions = gold["entities"], pred.get("entities") or []
    if not any(mention.get("entity") is not None for mention in pred_mentions):
        # No prediction carries an entity id: which mentions pair up cannot change a cluster
        # row (every predicted side is empty), so the matching is skipped.
        kept = [mention for mention in gold_mentions if mention_kept(mention, settings.mentions)]
        return tally_clusters({"entities": kept}, {"entities": []}, [], "entity")
    kept_gold, kept_pred, pairs = cluster_mentions(
        gold_mentions, pred_mentions, settings.mentions, text
    )
    return tally_clusters({"entities": kept_gold}, {"entities": kept_pred}, pairs, "entity")


def _tally_clusters_batch(
    doc_ids: list[str], batch: Batch, settings: Settings
) -> TallyTable | None:
    """The entity cluster tallies of a batch in which no prediction carries an entity id (most
    systems predict none), as columns: every kept gold mention counts in the pair (its entity,
    None), as `_tally_clusters` counts it. None for any other batch."""
    if not batch:
        return None
    arrays = _batch_arrays(batch)
    if arrays is not None:
        counts = _gold_cluster_counts_of_arrays(*arrays, settings.mentions)
        if counts is None:
            return None
        return _gold_only_table(doc_ids, counts)
    predicted = chain.from_iterable(pred.get("entities") or [] for _, pred, _ in batch)
    try:
        # one C-level pass: the distinct entity ids of the predictions (a value a set cannot
        # hold is no None either; an item that is no dict goes to the per-document tally)
        if not set(map(dict.get, predicted, repeat("entity"))) <= {None}:
            return None
    except TypeError:
        return None
    gold_lists = [gold["entities"] for gold, _, _ in batch]
    try:
        counts = _gold_cluster_counts(gold_lists, settings.mentions)
    except Exception:  # input the fast count cannot take: counted one by one, as it fails there
        counts = _gold_cluster_counts_one_by_one(gold_lists, settings.mentions)
    return _gold_only_table(doc_ids, counts)


def _gold_cluster_counts_of_arrays(
    gold: EntityArrays, pred: EntityArrays, mentions: frozenset[str] | None
) -> PooledCounts | None:
    """`_gold_cluster_counts` from columns, when no prediction has an entity id (else None):
    the kept gold mentions' entity ids (a null is a missing key: counted by no one), keyed in
    the order of their first kept mention."""
    if pred.entity_code is None or gold.entity_code is None or gold.entity_names is None:
        return None
    if np.any(pred.entity_code >= 0):
        return None
    codes = gold.entity_code
    if mentions is not None:
        assert gold.mention_code is not None and gold.mention_names is not None
        chosen = np.array([name in mentions for name in gold.mention_names] + [False], bool)
        codes = codes[chosen[gold.mention_code]]
    codes = codes[codes >= 0]
    if not len(codes):
        return PooledCounts()
    distinct, first, counts = np.unique(codes, return_index=True, return_counts=True)
    order = np.argsort(first, kind="stable")
    names = gold.entity_names
    return PooledCounts(
        {
            (names[code], None): count
            for code, count in zip(distinct[order].tolist(), counts[order].tolist(), strict=True)
        }
    )


def _gold_only_table(doc_ids: list[str], counts: PooledCounts) -> TallyTable:
    """The cluster tallies of a batch in which no prediction has an entity id."""
    count = len(doc_ids)
    return TallyTable(
        list(doc_ids),
        [("cluster_predictions",)],
        np.zeros((count, 1), dtype=np.int64),
        np.ones((count, 1), dtype=bool),
        [],
        [[] for _ in doc_ids],
        np.zeros((count, 0), dtype=bool),
        {(CLUSTER_COUNTS,): counts},
    )


def _gold_cluster_counts(
    gold_lists: list[Sequence[Mapping[str, Any]]], mentions: frozenset[str] | None
) -> PooledCounts:
    """The pairs (entity, None) of the kept gold mentions that have an entity id, counted in
    C (Counter over a map) rather than a generator per mention; the keys come in the order of
    their first kept mention, as `_gold_cluster_counts_one_by_one` gives them."""
    mentions_of_all = chain.from_iterable(gold_lists)
    ids = map(dict.get, mentions_of_all, repeat("entity"))  # mention.get("entity"), dicts only
    if mentions is None:
        by_id = Counter(ids)
        return PooledCounts(
            {(entity, None): n for entity, n in by_id.items() if entity is not None}
        )
    by_kind_and_id = Counter(
        zip(
            map(dict.get, chain.from_iterable(gold_lists), repeat("mention")),
            ids,
            strict=True,
        )
    )
    counts = PooledCounts()
    for (kind, entity), n in by_kind_and_id.items():
        if entity is not None and kind in mentions:
            counts[(entity, None)] += n
    return counts


def _gold_cluster_counts_one_by_one(
    gold_lists: list[Sequence[Mapping[str, Any]]], mentions: frozenset[str] | None
) -> PooledCounts:
    """`_gold_cluster_counts` mention by mention, as `_tally_clusters` reads each mention (and
    raises where it raises)."""
    return PooledCounts(
        (mention["entity"], None)
        for mention in chain.from_iterable(gold_lists)
        if mention_kept(mention, mentions) and mention.get("entity") is not None
    )


def _check_cluster_partial(s: Statistics) -> None:
    kept = s.items("predicted", "entities") - s.column("entities", "ignored_predictions")
    check_cluster_counts(s, "entity_clusters", "entities", kept)


ENTITY_CLUSTERS = LayerScorer(
    name="entity_clusters",
    layer="entities",
    section=("entities", "clusters"),
    tally=_tally_clusters,
    tally_batch=_tally_clusters_batch,
    summarize=summarize_cluster_section,
    partial_fields=lambda s: cluster_partial_fields("entity_clusters"),
    check_partial=_check_cluster_partial,
)
