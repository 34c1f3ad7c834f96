"""Rows and cells that several report formats share: one place for what a summary row says."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

SCHEMES = ("strict", "exact", "partial", "ent_type")
LEVELS = ("strict", "lenient")
PARTS = ("source", "cue", "content", "triple")


def pct(value: Any) -> str:
    return "-" if value is None else f"{100 * float(value):.2f}"


def _ci(report: dict[str, Any], name: str) -> str:
    ci = report.get("statistics", {}).get("bootstrap", {}).get(name)
    if not ci:
        return ""
    return f"[{pct(ci['low'])}, {pct(ci['high'])}]"


def summary_rows(report: dict[str, Any]) -> Iterator[list[str]]:
    """(layer, measure, P, R, F1, 95% CI, counts) rows shared by the table and Markdown: each
    scored section's rows (below), in the order of the layer registry."""
    from sourcetrace.scoring.registry import report_rows

    return report_rows(report)


def entity_rows(report: dict[str, Any], section: dict[str, Any]) -> Iterator[list[str]]:
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
    for part in PARTS:
        for level in LEVELS:
            yield _level_row(report, "attributions", (part, level))


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


def comparison_rows(report: dict[str, Any]) -> Iterator[list[str]]:
    comparison = report.get("statistics", {}).get("comparison")
    if not comparison:
        return
    for name, result in comparison["metrics"].items():
        yield [
            name,
            pct(result["a"]),
            pct(result["b"]),
            pct(result["delta"]),
            f"{result['p_value']:.4f}",
        ]


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


def agreement_summary_rows(report: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """(columns, rows): one row per pair of passes with the headline F1 of every layer (%)."""
    columns = ["B scored against A", *(name for name, _ in AGREEMENT_HEADLINES)]
    rows = []
    for pair in report["pairs"]:
        layers = pair["report"]["layers"]
        cells = [f"{pair['b']} vs {pair['a']}"]
        cells += [pct(_dig(layers, path)) for _, path in AGREEMENT_HEADLINES]
        rows.append(cells)
    return columns, rows
