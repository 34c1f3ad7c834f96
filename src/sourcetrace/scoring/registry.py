"""The registry of scored layers: every scorer, in the fixed order of the report.

Each scoring module defines and owns its `LayerScorer` (`scoring/layer.py` says what one is; the
vocabularies - entity schemes, claim levels, attribution parts - belong to their modules); this
module only lists them. `evaluate`, `agreement`, the bootstrap, `--compare`, `--partial`/`merge`
and every report format loop over `SCORERS`. A new layer is one more entry here, after the
layers it reads (the report, the CLI choices and the leaderboard follow this order); the report
rows of a scorer are found by its name in `report/rows.py`, or made from its headline figures
(the registry imports nothing from `report/`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sourcetrace.scoring import attributions, claims, entity_layer, provenance
from sourcetrace.scoring.layer import Figure, LayerScorer

if TYPE_CHECKING:
    from sourcetrace.evaluation.settings import Settings

SCORERS: tuple[LayerScorer, ...] = (
    entity_layer.ENTITIES,
    entity_layer.ENTITY_CLUSTERS,
    claims.SCORER,
    claims.CLUSTERS_SCORER,
    attributions.SCORER,
    provenance.SCORER,
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
