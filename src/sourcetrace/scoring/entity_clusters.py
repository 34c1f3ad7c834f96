"""Which entity mentions enter the entity cluster scores, and how they pair up."""

from __future__ import annotations

from .entities import ignored_prediction_indices
from .entity_batch import cluster_mention_pairs


def entity_pairs(gold: list[dict], pred: list[dict]) -> list[tuple[int, int]]:
    """Mentions matched for cluster scoring: same span (or same normalised text if text-only).

    The type plays no part: coreference is about which mentions corefer, not what they are.
    Equal to ``match_items(gold, pred, same_piece)``, without a solver where the pairs are forced.
    """
    return cluster_mention_pairs(gold, pred)


def cluster_mentions(
    gold: list[dict],
    pred: list[dict],
    mentions: frozenset[str] | None,
    text: str | None = None,
) -> tuple[list[dict], list[dict], list[tuple[int, int]]]:
    """Gold and predicted mentions that enter entity cluster scores, and their pairs.

    With a mention filter, gold mentions of other kinds leave, and so do exactly the predictions
    that the entity scores ignore (neither correct nor spurious there, so not here either).
    """
    pairs = entity_pairs(gold, pred)
    if mentions is None:
        return gold, pred, pairs
    kept_gold = [i for i, mention in enumerate(gold) if mention["mention"] in mentions]
    dropped_pred = ignored_prediction_indices(gold, pred, text=text, mentions=mentions)
    kept_pred = [j for j in range(len(pred)) if j not in dropped_pred]
    new_gold = {old: new for new, old in enumerate(kept_gold)}
    new_pred = {old: new for new, old in enumerate(kept_pred)}
    kept_pairs = [(new_gold[i], new_pred[j]) for i, j in pairs if i in new_gold and j in new_pred]
    return [gold[i] for i in kept_gold], [pred[j] for j in kept_pred], kept_pairs
