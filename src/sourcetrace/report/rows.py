"""Rows and cells that several report formats share: one place for what a summary row says."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

# the scorers (and numpy with them) are imported where rows are made, not when a command that
# renders nothing starts (every command imports `report` for its --format choices)
if TYPE_CHECKING:
    from sourcetrace.scoring.layer import LayerScorer

SectionRows = Callable[[dict[str, Any], Any], Iterator[list[str]]]

# said under every rendering of scores; the JSON report and the API carry fractions (`units`)
PERCENT_NOTE = (
    "Scores are percentages (83.63 = 0.8363), kappa and alpha coefficients as they are; the JSON "
    "report and the Python API give the same scores as fractions."
)


def pct(value: Any) -> str:
    return "-" if value is None else f"{100 * float(value):.2f}"


def _ci(report: dict[str, Any], name: str) -> str:
    ci = report.get("statistics", {}).get("bootstrap", {}).get(name)
    if not ci:
        return ""
    return f"[{pct(ci['low'])}, {pct(ci['high'])}]"


def summary_rows(report: dict[str, Any]) -> Iterator[list[str]]:
    """(layer, measure, P, R, F1, 95% CI, counts) rows shared by the table and Markdown: each
    scored section's rows (`section_rows()`, by the scorer's name), in the order of the layer
    registry, then its precision-recall rows when the items carried scores."""
    from sourcetrace.scoring.registry import SCORERS

    for scorer in SCORERS:
        section: Any = report["layers"]
        for key in scorer.section:
            section = section.get(key) if isinstance(section, Mapping) else None
        if section is not None:
            yield from section_rows()[scorer.name](report, section)
        if scorer.curves and isinstance(section, Mapping) and "confidence" in section:
            yield from confidence_rows(scorer.layer, section["confidence"])


def entity_rows(report: dict[str, Any], section: dict[str, Any]) -> Iterator[list[str]]:
    from sourcetrace.scoring.entities import SCHEMES

    for scheme in SCHEMES:
        m = section["overall"][scheme]
        counts = (
            f"cor {m['correct']} inc {m['incorrect']} par {m['partial']} "
            f"mis {m['missed']} spu {m['spurious']}"
        )
        yield [
            "entities",
            scheme,
            pct(m["precision"]),
            pct(m["recall"]),
            pct(m["f1"]),
            _ci(report, f"entities.{scheme}.f1"),
            counts,
        ]


def claim_rows(report: dict[str, Any], section: dict[str, Any]) -> Iterator[list[str]]:
    from sourcetrace.scoring.claims import LEVELS

    for level in LEVELS:
        yield _level_row(report, "claims", ("span", level))
    for name, m in section.get("attributes", {}).items():
        kappa = "-" if m.get("kappa") is None else f"{m['kappa']:.3f}"
        yield [
            "claims",
            f"{name} (on matched)",
            "",
            "",
            "",
            "",
            f"accuracy {pct(m.get('accuracy'))} kappa {kappa} pairs {m['pairs']}",
        ]


def attribution_rows(report: dict[str, Any], section: dict[str, Any]) -> Iterator[list[str]]:
    from sourcetrace.scoring.attributions import PARTS
    from sourcetrace.scoring.claims import LEVELS

    for part in PARTS:
        for level in LEVELS:
            yield _level_row(report, "attributions", (part, level))
    yield from attribution_extra_rows(section)


def attribution_extra_rows(section: dict[str, Any]) -> Iterator[list[str]]:
    """The PARC source phrase and the content type on matched attributions, where the gold or
    the system carries them; "not scored" where no matched pair carries them on both sides."""
    from sourcetrace.scoring.claims import LEVELS

    spans = section.get("source_span")
    if spans is not None:
        for level in LEVELS:
            m = spans[level]
            if m is None:
                yield [
                    "attributions",
                    f"source_span {level} (on matched)",
                    "",
                    "",
                    "",
                    "",
                    _NOT_SCORED,
                ]
                continue
            yield [
                "attributions",
                f"source_span {level} (on matched)",
                pct(m["precision"]),
                pct(m["recall"]),
                pct(m["f1"]),
                "",
                f"tp {m['true_positives']} gold {m['gold']} pred {m['predicted']} "
                f"pairs {spans['pairs']}",
            ]
    types = section.get("content_type")
    if types is not None:
        kappa = "-" if types.get("kappa") is None else f"{types['kappa']:.3f}"
        details = (
            f"accuracy {pct(types.get('accuracy'))} kappa {kappa} pairs {types['pairs']}"
            if types["pairs"]
            else _NOT_SCORED
        )
        yield ["attributions", "content_type (on matched)", "", "", "", "", details]


# what a row of an optional attribution field says when no matched pair carried it on both sides
_NOT_SCORED = "not scored: no matched attribution carries it on both sides"


def confidence_rows(layer: str, confidence: dict[str, Any]) -> Iterator[list[str]]:
    """Per precision-recall curve (items with scores): the best-F1 point, its threshold and AP."""
    for name, curve in confidence["curves"].items():
        best = curve["best_f1"]
        yield [
            layer,
            f"{name.replace('.', ' ')} by score",
            pct(best["precision"]),
            pct(best["recall"]),
            pct(best["f1"]),
            "",
            f"AP {pct(curve['average_precision'])} best F1 at score >= {best['threshold']:g}",
        ]


def entity_cluster_rows(report: dict[str, Any], clusters: dict[str, Any]) -> Iterator[list[str]]:
    return _cluster_rows("entities", clusters)


def claim_cluster_rows(report: dict[str, Any], clusters: dict[str, Any]) -> Iterator[list[str]]:
    return _cluster_rows("claims", clusters)


def headline_rows(scorer: LayerScorer) -> SectionRows:
    """The rows of a section that has no rows of its own here: one P/R/F1 row per headline
    figure of its scorer (the node above each `f1`), with its interval and its counts."""

    def rows(report: dict[str, Any], section: Any) -> Iterator[list[str]]:
        from sourcetrace.scoring.registry import at_path

        for name, path in scorer.headline:
            node = at_path(section, path[:-1])
            counts = " ".join(
                f"{label} {node[key]}"
                for key, label in (
                    ("true_positives", "tp"),
                    ("gold", "gold"),
                    ("predicted", "pred"),
                )
                if key in node
            )
            yield [
                scorer.layer,
                " ".join(path[:-1]),
                pct(node.get("precision")),
                pct(node.get("recall")),
                pct(node[path[-1]]),
                _ci(report, name),
                counts,
            ]

    return rows


# the rows of the scored sections that say more than their headline figures, by scorer name
OWN_ROWS: dict[str, SectionRows] = {
    "entities": entity_rows,
    "entity_clusters": entity_cluster_rows,
    "claims": claim_rows,
    "claim_clusters": claim_cluster_rows,
    "attributions": attribution_rows,
}


@cache
def section_rows() -> dict[str, SectionRows]:
    """The rows of each scored section, by the name of its scorer in the layer registry: its
    own, or those of its headline figures (a new layer needs no entry here)."""
    from sourcetrace.scoring.registry import SCORERS

    return {scorer.name: OWN_ROWS.get(scorer.name) or headline_rows(scorer) for scorer in SCORERS}


def _level_row(report: dict[str, Any], layer: str, path: tuple[str, str]) -> list[str]:
    """A P/R/F1 row of matched pairs (claims span level, attribution part and level)."""
    m = report["layers"][layer][path[0]][path[1]]
    return [
        layer,
        " ".join(path),
        pct(m["precision"]),
        pct(m["recall"]),
        pct(m["f1"]),
        _ci(report, f"{layer}.{'.'.join(path)}.f1"),
        f"tp {m['true_positives']} gold {m['gold']} pred {m['predicted']}",
    ]


def _cluster_rows(layer: str, clusters: dict[str, Any] | None) -> Iterator[list[str]]:
    if clusters:
        yield [
            layer,
            "clusters (CoNLL F1)",
            "",
            "",
            pct(clusters["conll_f1"]),
            "",
            _cluster_counts(clusters),
        ]


def _cluster_counts(clusters: dict[str, Any]) -> str:
    return " ".join(f"{name} {pct(clusters[name]['f1'])}" for name in ("muc", "bcubed", "ceafe"))


def header(report: dict[str, Any]) -> list[str]:
    """Column names; the interval column says the confidence level that was used."""
    confidence = report.get("settings", {}).get("confidence", 0.95)
    return ["layer", "measure", "P", "R", "F1", f"{100 * confidence:g}% CI (F1)", "details"]


COMPARISON_COLUMNS = ("metric", "A %", "B %", "A - B", "p")


def comparison_rows(report: dict[str, Any]) -> Iterator[list[str]]:
    """(metric, A, B, A - B, p) per metric; p is marked `*` below the significance level."""
    comparison = report.get("statistics", {}).get("comparison")
    if not comparison:
        return
    for name, result in comparison["metrics"].items():
        mark = " *" if result.get("significant") else ""
        yield [
            name,
            pct(result["a"]),
            pct(result["b"]),
            pct(result["delta"]),
            f"{result['p_value']:.4f}{mark}",
        ]


def comparison_title(comparison: dict[str, Any]) -> str:
    """The method that ran, its samples, the smallest p it can give and the level of `*`."""
    method = "exact randomization" if comparison.get("exact") else comparison["method"]
    floor = comparison.get("smallest_p")
    alpha = comparison.get("alpha")
    parts = [method, f"{comparison['samples']:,} samples"]
    if floor is not None:
        parts.append(f"smallest possible p {floor:.4g}")
    if alpha is not None:
        parts.append(f"* p < {alpha:g}")
    return ", ".join(parts)


# (column name, path into a pair's report layers) of the headline agreement table
AGREEMENT_HEADLINES = (
    ("entities strict F1", ("entities", "overall", "strict", "f1")),
    ("entities ent_type F1", ("entities", "overall", "ent_type", "f1")),
    ("claims span strict F1", ("claims", "span", "strict", "f1")),
    ("claims span lenient F1", ("claims", "span", "lenient", "f1")),
    ("attributions triple strict F1", ("attributions", "triple", "strict", "f1")),
    ("attributions triple lenient F1", ("attributions", "triple", "lenient", "f1")),
    ("entity clusters CoNLL F1", ("entities", "clusters", "conll_f1")),
    ("claim clusters CoNLL F1", ("claims", "clusters", "conll_f1")),
)


def _dig(value: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(value, dict) or value.get(key) is None:
            return None
        value = value[key]
    return value


NOT_SCORED = "not scored"  # a layer a pass did not annotate: no figure, never 0


def agreement_summary_rows(report: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """(columns, rows): one row per pair of passes with the headline F1 of every layer (%);
    a pair with a label-only pass has no layer scored, only claim attributes."""
    columns = ["B scored against A", *(name for name, _ in AGREEMENT_HEADLINES)]
    rows = []
    for pair in report["pairs"]:
        layers = pair["report"]["layers"]
        cells = [f"{pair['b']} vs {pair['a']}"]
        if pair.get("label_only"):
            cells += [NOT_SCORED] * len(AGREEMENT_HEADLINES)
        else:
            cells += [pct(_dig(layers, path)) for _, path in AGREEMENT_HEADLINES]
        rows.append(cells)
    return columns, rows


KAPPA_COLUMNS = ["attribute", "matched pairs", "Cohen's kappa", "95% CI (bootstrap over documents)"]


def kappa_rows(pair: dict[str, Any]) -> list[list[str]]:
    """One row per scored attribute of a pair: matched pairs, kappa and its interval ("-" where
    kappa, or its interval, is undefined)."""
    intervals = pair.get("kappa_ci") or {}
    rows = []
    for name, k in pair["kappa"].items():
        ci = intervals.get(name)
        rows.append(
            [
                name,
                str(k["pairs"]),
                "-" if k["kappa"] is None else format(k["kappa"], ".3f"),
                "-" if not ci else f"{ci['low']:.3f} to {ci['high']:.3f}",
            ]
        )
    return rows


PER_TYPE_HEADER = ["type", "P", "R", "F1", "support", "actual", "missed", "spurious"]


def per_type_rows(report: dict[str, Any], scheme: str = "strict") -> list[list[str]]:
    """Entities per type under one scheme, as seqeval's classification report has them: P, R,
    F1 and support (the gold entities of the type: nervaluate's `possible`), then nervaluate's
    `actual`, missed and spurious; then the micro average (the overall row) and the macro
    average over the types. No rows when the report has no entity types."""
    section = report["layers"].get("entities") or {}
    per_type = section.get("per_type") or {}
    if not per_type:
        return []
    rows = [_type_row(name, schemes[scheme]) for name, schemes in per_type.items()]
    overall = section["overall"][scheme]
    rows.append(_type_row("micro avg", overall))
    macro = (section.get("macro") or {}).get(scheme)
    if macro:
        rows.append(
            ["macro avg", pct(macro["precision"]), pct(macro["recall"]), pct(macro["f1"])]
            + [str(overall["possible"]), "", "", ""]
        )
    return rows


def _type_row(name: str, m: dict[str, Any]) -> list[str]:
    return [name, pct(m["precision"]), pct(m["recall"]), pct(m["f1"])] + [
        str(m[count]) for count in ("possible", "actual", "missed", "spurious")
    ]
