"""The registry of scored layers, in the manner of sacrebleu's `Metric`.

Each entry scores one thing: `tally` turns one document's gold and prediction into additive
counts (its sufficient statistics), `summarize` turns summed counts into its report section, and
the entry names its headline figures (those that get intervals and paired tests), its
per-document figure and its report rows. `evaluate`, `agreement`, the bootstrap, `--compare`,
`--partial`/`merge` and every report format loop over `SCORERS`; adding a layer touches its own
scoring module, its schema, its labels and one entry here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sourcetrace.scoring.common import Tally

if TYPE_CHECKING:
    from sourcetrace.evaluation.settings import Settings
    from sourcetrace.scoring.tallies import TallyTable

Document = Mapping[str, Any]
# (gold document, predicted document, text) of each scored document, in document-id order
Batch = Sequence[tuple[Document, Document, str]]


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
    rows: Callable[[Mapping[str, Any], Any], Iterator[list[str]]] | None = None
    # all documents at once, as columns (for speed); must equal `tally` document by document
    tally_batch: Callable[[list[str], Batch, Settings], TallyTable] | None = None
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
        kept = [
            mention
            for mention in gold_mentions
            if settings.mentions is None or mention["mention"] in settings.mentions
        ]
        return tally_clusters({"entities": kept}, {"entities": []}, [], "entity")
    kept_gold, kept_pred, pairs = cluster_mentions(
        gold_mentions, pred_mentions, settings.mentions, text
    )
    return tally_clusters({"entities": kept_gold}, {"entities": kept_pred}, pairs, "entity")


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

ENTITY_SCHEMES = ("strict", "exact", "partial", "ent_type")
LEVELS = ("strict", "lenient")
ATTRIBUTION_PARTS = ("source", "cue", "content", "triple")


def _rows(name: str) -> Callable[[Mapping[str, Any], Any], Iterator[list[str]]]:
    """The report rows of a section, from report/rows.py (imported when a report is drawn)."""

    def rows(report: Mapping[str, Any], section: Any) -> Iterator[list[str]]:
        from sourcetrace.report import rows as report_rows

        return getattr(report_rows, name)(report, section)

    return rows


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
        rows=_rows("entity_rows"),
        curves=tuple((scheme, ("overall", scheme)) for scheme in ENTITY_SCHEMES),
    ),
    LayerScorer(
        name="entity_clusters",
        layer="entities",
        section=("entities", "clusters"),
        tally=_tally_entity_clusters,
        summarize=_summarize_clusters,
        rows=_rows("entity_cluster_rows"),
    ),
    LayerScorer(
        name="claims",
        layer="claims",
        section=("claims",),
        tally=_tally_claims,
        summarize=_summarize_claims,
        headline=tuple((f"claims.span.{level}.f1", ("span", level, "f1")) for level in LEVELS),
        per_document=_claims_per_document,
        rows=_rows("claim_rows"),
        curves=tuple((level, ("span", level)) for level in LEVELS),
    ),
    LayerScorer(
        name="claim_clusters",
        layer="claims",
        section=("claims", "clusters"),
        tally=_tally_claim_clusters,
        summarize=_summarize_clusters,
        rows=_rows("claim_cluster_rows"),
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
        rows=_rows("attribution_rows"),
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


def report_rows(report: Mapping[str, Any]) -> Iterator[list[str]]:
    """(layer, measure, P, R, F1, CI, details) rows of every scored section, in registry order."""
    for scorer in SCORERS:
        section: Any = report["layers"]
        for key in scorer.section:
            section = section.get(key) if isinstance(section, Mapping) else None
        if section is not None and scorer.rows is not None:
            yield from scorer.rows(report, section)
        if scorer.curves and isinstance(section, Mapping) and "confidence" in section:
            from sourcetrace.report.rows import confidence_rows

            yield from confidence_rows(scorer.layer, section["confidence"])
