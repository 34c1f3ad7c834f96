"""The registry of scored layers, in the manner of sacrebleu's `Metric`.

Each entry scores one thing: `tally` turns one document's gold and prediction into additive
counts (its sufficient statistics), `summarize` turns summed counts into its report section, and
the entry names its headline figures (those that get intervals and paired tests), the one
figure the leaderboard plots and the HTML page names (`figure`), and its per-document figure.
`evaluate`, `agreement`, the bootstrap, `--compare`, `--partial`/`merge` and every report format
loop over `SCORERS`; the vocabularies (entity schemes, claim levels, attribution parts) belong to
their scorer modules and are only imported here. The report rows of a scorer are found by its
name in `report/rows.py` (the registry imports nothing from `report/`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from sourcetrace.scoring.attributions import PARTS as ATTRIBUTION_PARTS
from sourcetrace.scoring.claims import LEVELS
from sourcetrace.scoring.common import Tally
from sourcetrace.scoring.entities import SCHEMES as ENTITY_SCHEMES
from sourcetrace.scoring.entities import mention_kept

if TYPE_CHECKING:
    from sourcetrace.evaluation.settings import Settings
    from sourcetrace.scoring.tallies import TallyTable

Document = Mapping[str, Any]
# (gold document, predicted document, text) of each scored document, in document-id order
Batch = Sequence[tuple[Document, Document, str]]


class Figure(NamedTuple):
    """The one headline figure of a layer: plotted by the leaderboard, named on the HTML page,
    and the level at which `explain` lists items."""

    name: str  # a name of `headline_metrics`
    path: tuple[str, ...]  # the node in the layer's section that holds its counts and F1
    label: str  # how the page says which figure it is
    per_document: tuple[str, ...]  # the same node inside the layer's per-document figures


@dataclass(frozen=True)
class LayerScorer:
    """One scored layer: see the module docstring."""

    name: str  # its key in a tally
    layer: str  # the annotation layer it reads, and that `--layers` names
    section: tuple[str, ...]  # where its summary goes under the report's "layers"
    tally: Callable[[Document, Document, Settings, str], Tally]
    summarize: Callable[[Mapping[str, Any], Settings], Any]
    headline: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (name, path in its section)
    per_document: Callable[[Mapping[str, Any]], Any] | None = None
    figure: Figure | None = None
    # all documents at once, as columns (for speed); must equal `tally` document by document;
    # None for a batch it does not take (then `tally` scores each document)
    tally_batch: Callable[[list[str], Batch, Settings], TallyTable | None] | None = None
    # the precision-recall curves drawn when the items carry scores (confidence.py):
    # (name, path in its section to a node with precision and recall)
    curves: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def tally_documents(self, doc_ids: list[str], batch: Batch, settings: Settings) -> TallyTable:
        """The tallies of every document, as a table keyed under this scorer's name."""
        from sourcetrace.scoring.dense import MatchingTooLarge
        from sourcetrace.scoring.tallies import TallyTable

        if self.tally_batch is not None:
            try:
                table = self.tally_batch(doc_ids, batch, settings)
            except MatchingTooLarge as error:  # it knows the document's place in the batch
                if error.document_index is None:
                    raise
                raise error.in_document(doc_ids[error.document_index]) from None
            if table is not None:
                return table.under((self.name,))
        tallies = {}
        for doc_id, (gold, pred, text) in zip(doc_ids, batch, strict=True):
            try:
                tallies[doc_id] = self.tally(gold, pred, settings, text)
            except MatchingTooLarge as error:
                raise error.in_document(doc_id) from None
        return TallyTable.from_tallies(tallies).under((self.name,))


# ---------------------------------------------------------------- entities


def _tally_entities(gold: Document, pred: Document, settings: Settings, text: str) -> Tally:
    from sourcetrace.scoring.entities import tally_entities

    return tally_entities(
        gold["entities"], pred.get("entities") or [], text=text, mentions=settings.mentions
    )


def _tally_entities_batch(doc_ids: list[str], batch: Batch, settings: Settings) -> TallyTable:
    from sourcetrace.scoring.entity_batch import tally_entities_batch
    from sourcetrace.scoring.tallies import TallyTable

    columns = tally_entities_batch(
        [(gold["entities"], pred.get("entities") or [], text) for gold, pred, text in batch],
        mentions=settings.mentions,
    )
    return TallyTable.from_columns(doc_ids, columns.fields, columns.counts, columns.present)


def _summarize_entities(tally: Mapping[str, Any], settings: Settings) -> dict[str, Any]:
    from sourcetrace.scoring.entities import summarize_entities

    return summarize_entities(tally)


def _entities_per_document(tally: Mapping[str, Any]) -> dict[str, Any]:
    from sourcetrace.scoring.entities import summarize_entities

    return summarize_entities(tally)["overall"]


def _tally_entity_clusters(gold: Document, pred: Document, settings: Settings, text: str) -> Tally:
    from sourcetrace.scoring.clusters import tally_clusters
    from sourcetrace.scoring.entity_clusters import cluster_mentions

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


def _tally_entity_clusters_batch(
    doc_ids: list[str], batch: Batch, settings: Settings
) -> TallyTable | None:
    """The entity cluster tallies of a batch in which no prediction carries an entity id (most
    systems predict none), as columns: each document's rows are its kept gold mentions, each
    without a partner, as `_tally_entity_clusters` makes them. None for any other batch."""
    import numpy as np

    from sourcetrace.scoring.tallies import TallyTable

    if not batch or any(
        mention.get("entity") is not None
        for _, pred, _ in batch
        for mention in pred.get("entities") or []
    ):
        return None
    mentions = settings.mentions
    rows = [
        [
            [mention["entity"], None]
            for mention in gold["entities"]
            if (mentions is None or mention["mention"] in mentions)
            and mention.get("entity") is not None
        ]
        for gold, _, _ in batch
    ]
    count = len(doc_ids)
    return TallyTable(
        list(doc_ids),
        [("cluster_predictions",)],
        np.zeros((count, 1), dtype=np.int64),
        np.ones((count, 1), dtype=bool),
        [("cluster_mentions",)],
        [[document_rows] for document_rows in rows],
        np.ones((count, 1), dtype=bool),
    )


# ---------------------------------------------------------------- claims


def _tally_claims(gold: Document, pred: Document, settings: Settings, text: str) -> Tally:
    from sourcetrace.scoring.claims import tally_claims

    return tally_claims(
        gold["claims"], pred.get("claims") or [], claim_threshold=settings.claim_threshold
    )


def _summarize_claims(tally: Mapping[str, Any], settings: Settings) -> dict[str, Any]:
    from sourcetrace.scoring.claims import summarize_claims

    return summarize_claims(tally, claim_threshold=settings.claim_threshold)


def _claims_per_document(tally: Mapping[str, Any]) -> dict[str, Any]:
    from sourcetrace.scoring.claims import LEVELS, level_scores

    return {level: level_scores(tally.get("span", {}).get(level, {})) for level in LEVELS}


def _tally_claim_clusters(gold: Document, pred: Document, settings: Settings, text: str) -> Tally:
    from sourcetrace.scoring.claims import lenient_claim_pairs
    from sourcetrace.scoring.clusters import tally_clusters

    pred_claims = pred.get("claims") or []
    if not any(claim.get("cluster") is not None for claim in pred_claims):
        return tally_clusters(gold, {"claims": []}, [], "cluster")  # as for entity clusters
    pairs = lenient_claim_pairs(
        gold["claims"], pred_claims, claim_threshold=settings.claim_threshold
    )
    return tally_clusters(gold, {"claims": pred_claims}, pairs, "cluster")


def _summarize_clusters(tally: Mapping[str, Any], settings: Settings) -> dict[str, Any] | None:
    from sourcetrace.scoring.clusters import summarize_clusters

    return summarize_clusters(tally)


# ---------------------------------------------------------------- attributions


def _tally_attributions(gold: Document, pred: Document, settings: Settings, text: str) -> Tally:
    from sourcetrace.scoring.attributions import tally_attributions

    predicted = {
        "entities": pred.get("entities") or [],
        "claims": pred.get("claims") or [],
        "attributions": pred.get("attributions") or [],
    }
    return tally_attributions(gold, predicted, claim_threshold=settings.claim_threshold)


def _summarize_attributions(tally: Mapping[str, Any], settings: Settings) -> dict[str, Any]:
    from sourcetrace.scoring.attributions import summarize_attributions

    return summarize_attributions(tally, claim_threshold=settings.claim_threshold)


def _attributions_per_document(tally: Mapping[str, Any]) -> dict[str, Any]:
    from sourcetrace.scoring.attributions import PARTS
    from sourcetrace.scoring.claims import LEVELS, level_scores

    return {
        part: {level: level_scores(tally.get(part, {}).get(level, {})) for level in LEVELS}
        for part in PARTS
    }


# ---------------------------------------------------------------- the registry

SCORERS: tuple[LayerScorer, ...] = (
    LayerScorer(
        name="entities",
        layer="entities",
        section=("entities",),
        tally=_tally_entities,
        tally_batch=_tally_entities_batch,
        summarize=_summarize_entities,
        headline=tuple(
            (f"entities.{scheme}.f1", ("overall", scheme, "f1")) for scheme in ENTITY_SCHEMES
        ),
        per_document=_entities_per_document,
        figure=Figure("entities.strict.f1", ("overall", "strict"), "strict scheme", ("strict",)),
        curves=tuple((scheme, ("overall", scheme)) for scheme in ENTITY_SCHEMES),
    ),
    LayerScorer(
        name="entity_clusters",
        layer="entities",
        section=("entities", "clusters"),
        tally=_tally_entity_clusters,
        tally_batch=_tally_entity_clusters_batch,
        summarize=_summarize_clusters,
    ),
    LayerScorer(
        name="claims",
        layer="claims",
        section=("claims",),
        tally=_tally_claims,
        summarize=_summarize_claims,
        headline=tuple((f"claims.span.{level}.f1", ("span", level, "f1")) for level in LEVELS),
        per_document=_claims_per_document,
        figure=Figure("claims.span.lenient.f1", ("span", "lenient"), "span, lenient", ("lenient",)),
        curves=tuple((level, ("span", level)) for level in LEVELS),
    ),
    LayerScorer(
        name="claim_clusters",
        layer="claims",
        section=("claims", "clusters"),
        tally=_tally_claim_clusters,
        summarize=_summarize_clusters,
    ),
    LayerScorer(
        name="attributions",
        layer="attributions",
        section=("attributions",),
        tally=_tally_attributions,
        summarize=_summarize_attributions,
        headline=tuple(
            (f"attributions.{part}.{level}.f1", (part, level, "f1"))
            for part in ATTRIBUTION_PARTS
            for level in LEVELS
        ),
        per_document=_attributions_per_document,
        figure=Figure(
            "attributions.triple.lenient.f1",
            ("triple", "lenient"),
            "triple, lenient",
            ("triple", "lenient"),
        ),
        curves=tuple((f"triple.{level}", ("triple", level)) for level in LEVELS),
    ),
)


def scorers_for(layers: Iterable[str]) -> tuple[LayerScorer, ...]:
    """The registry entries that score these annotation layers, in registry order."""
    wanted = set(layers)
    return tuple(scorer for scorer in SCORERS if scorer.layer in wanted)


def summarize(tally: Mapping[str, Any], layers: Iterable[str], settings: Settings) -> dict:
    """The report's `layers` part from a summed tally: each scorer's section in its place."""
    sections: dict[str, Any] = {}
    for scorer in scorers_for(layers):
        _place(sections, scorer.section, scorer.summarize(tally.get(scorer.name, {}), settings))
    return sections


def _place(sections: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = sections
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


def headline_metrics(layers: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The figures that get confidence intervals and paired tests: name -> path in `layers`."""
    return {
        name: (*scorer.section, *path)
        for scorer in scorers_for(layers)
        for name, path in scorer.headline
    }


def headline_values(
    layers: Iterable[str], settings: Settings
) -> Callable[[Mapping[str, Any]], dict[str, float]]:
    """All headline figures of a (resampled) tally, summarising only the scorers that have
    headline figures (cluster scores are not resampled)."""
    scorers = [scorer for scorer in scorers_for(layers) if scorer.headline]

    def values(tally: Mapping[str, Any]) -> dict[str, float]:
        result = {}
        for scorer in scorers:
            section = scorer.summarize(tally.get(scorer.name, {}), settings)
            for name, path in scorer.headline:
                result[name] = float(at_path(section, path))
        return result

    return values


def per_document_sections(
    per_doc: Iterable[tuple[str, Mapping[str, Any]]], layers: Iterable[str], sections: dict
) -> None:
    """Add each layer's `per_document` figures (one document's own scores) to ``sections``."""
    scorers = [scorer for scorer in scorers_for(layers) if scorer.per_document is not None]
    for scorer in scorers:
        _section(sections, scorer.section)["per_document"] = {}
    for doc_id, tally in per_doc:
        for scorer in scorers:
            own = scorer.per_document(tally.get(scorer.name, {}))  # type: ignore[misc]
            _section(sections, scorer.section)["per_document"][doc_id] = own


def at_path(node: Any, path: Iterable[str]) -> Any:
    """The value at ``path`` (keys, outermost first) inside a report section."""
    for key in path:
        node = node[key]
    return node


def _section(sections: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    return at_path(sections, path)


def figures() -> dict[str, Figure]:
    """layer -> its one headline figure (the leaderboard's plot, the HTML page's legend)."""
    return {scorer.layer: scorer.figure for scorer in SCORERS if scorer.figure is not None}
