"""Report formats: terminal table (rich), JSON, Markdown. All read the same plain-data report."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

SCHEMES = ("strict", "exact", "partial", "ent_type")
LEVELS = ("strict", "lenient")
PARTS = ("source", "cue", "content", "triple")
FORMATS = ("table", "json", "markdown")


def _pct(value: Any) -> str:
    return "-" if value is None else f"{100 * float(value):.2f}"


def _ci(report: dict[str, Any], name: str) -> str:
    ci = report.get("statistics", {}).get("bootstrap", {}).get(name)
    if not ci:
        return ""
    return f"[{_pct(ci['low'])}, {_pct(ci['high'])}]"


def summary_rows(report: dict[str, Any]) -> Iterator[list[str]]:
    """(layer, measure, P, R, F1, 95% CI, counts) rows shared by the table and Markdown."""
    layers = report["layers"]
    if "entities" in layers:
        for scheme in SCHEMES:
            m = layers["entities"]["overall"][scheme]
            counts = (
                f"cor {m['correct']} inc {m['incorrect']} par {m['partial']} "
                f"mis {m['missed']} spu {m['spurious']}"
            )
            yield [
                "entities",
                scheme,
                _pct(m["precision"]),
                _pct(m["recall"]),
                _pct(m["f1"]),
                _ci(report, f"entities.{scheme}.f1"),
                counts,
            ]
        yield from _cluster_rows("entities", layers["entities"].get("clusters"))
    if "claims" in layers:
        for level in LEVELS:
            m = layers["claims"]["span"][level]
            yield [
                "claims",
                f"span {level}",
                _pct(m["precision"]),
                _pct(m["recall"]),
                _pct(m["f1"]),
                _ci(report, f"claims.span.{level}.f1"),
                f"tp {m['true_positives']} gold {m['gold']} pred {m['predicted']}",
            ]
        for name, m in layers["claims"].get("attributes", {}).items():
            kappa = "-" if m.get("kappa") is None else f"{m['kappa']:.3f}"
            yield [
                "claims",
                f"{name} (on matched)",
                "",
                "",
                "",
                "",
                f"accuracy {_pct(m.get('accuracy'))} kappa {kappa} pairs {m['pairs']}",
            ]
        yield from _cluster_rows("claims", layers["claims"].get("clusters"))
    if "attributions" in layers:
        for part in PARTS:
            for level in LEVELS:
                m = layers["attributions"][part][level]
                yield [
                    "attributions",
                    f"{part} {level}",
                    _pct(m["precision"]),
                    _pct(m["recall"]),
                    _pct(m["f1"]),
                    _ci(report, f"attributions.{part}.{level}.f1"),
                    f"tp {m['true_positives']} gold {m['gold']} pred {m['predicted']}",
                ]


def _cluster_rows(layer: str, clusters: dict[str, Any] | None) -> Iterator[list[str]]:
    if clusters:
        yield [
            layer,
            "clusters (CoNLL F1)",
            "",
            "",
            _pct(clusters["conll_f1"]),
            "",
            _cluster_counts(clusters),
        ]


def _cluster_counts(clusters: dict[str, Any]) -> str:
    return " ".join(f"{name} {_pct(clusters[name]['f1'])}" for name in ("muc", "bcubed", "ceafe"))


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
            _pct(result["a"]),
            _pct(result["b"]),
            _pct(result["delta"]),
            f"{result['p_value']:.4f}",
        ]


def to_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def to_markdown(report: dict[str, Any]) -> str:
    lines = [
        "# sourcetrace evaluation",
        "",
        f"Signature: `{report['signature']}`",
        "",
        f"Corpus {report['corpus']['version']} (data sha256 "
        f"`{report['corpus']['data_sha256'][:16]}`), {report['corpus']['documents']} gold "
        f"document(s); predictions `{report['predictions']['source']}`.",
        "",
        "| " + " | ".join(header(report)) + " |",
        "|" + "---|" * len(header(report)),
    ]
    lines += ["| " + " | ".join(row) + " |" for row in summary_rows(report)]
    if report.get("notes"):
        lines += ["", "Notes:", ""] + [f"- {note}" for note in report["notes"]]
    rows = list(comparison_rows(report))
    if rows:
        comparison = report["statistics"]["comparison"]
        lines += [
            "",
            f"## Paired comparison with `{comparison['other']['source']}`",
            "",
            f"Method: {comparison['method']}, {comparison['samples']} samples, seed "
            f"{comparison['seed']}. A = this system, B = the other.",
            "",
            "| metric | A | B | A - B | p |",
            "|---|---|---|---|---|",
        ]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
    per_type = report["layers"].get("entities", {}).get("per_type", {})
    if per_type:
        lines += [
            "",
            "## Entities per type (strict)",
            "",
            "| type | P | R | F1 | possible | actual |",
            "|---|---|---|---|---|---|",
        ]
        for entity_type, schemes in per_type.items():
            m = schemes["strict"]
            lines.append(
                f"| {entity_type} | {_pct(m['precision'])} | {_pct(m['recall'])} | "
                f"{_pct(m['f1'])} | {m['possible']} | {m['actual']} |"
            )
    lines += [
        "",
        "Scores are percentages. Scoring rules: docs/scoring/ in the sourcetrace repository.",
    ]
    return "\n".join(lines) + "\n"


def render_table(report: dict[str, Any], console: Any) -> None:
    from rich.table import Table

    table = Table(
        title=f"sourcetrace evaluation  (corpus {report['corpus']['version']}, "
        f"{report['corpus']['documents']} gold documents)",
    )
    for index, column in enumerate(header(report)):
        table.add_column(column, justify="right" if 2 <= index <= 4 else "left")
    previous = None
    for row in summary_rows(report):
        if previous is not None and row[0] != previous:
            table.add_section()
        previous = row[0]
        table.add_row(*row)
    console.print(table)
    rows = list(comparison_rows(report))
    if rows:
        comparison = report["statistics"]["comparison"]
        other = Table(
            title=f"paired comparison ({comparison['method']}, "
            f"{comparison['samples']} samples) with "
            f"{comparison['other']['source']}"
        )
        for column in ("metric", "A", "B", "A - B", "p"):
            other.add_column(column, justify="left" if column == "metric" else "right")
        for row in rows:
            other.add_row(*row)
        console.print(other)
    for note in report.get("notes", []):
        console.print(f"note: {note}", soft_wrap=True)
    # one unbroken line, so that it can be copied next to the numbers it identifies
    console.print(f"signature: {report['signature']}", soft_wrap=True, highlight=False)


def render_text(report: dict[str, Any], fmt: str) -> str:
    """The report in a text format; `table` is rendered to plain text (no colour)."""
    if fmt == "json":
        return to_json(report)
    if fmt == "markdown":
        return to_markdown(report)
    from io import StringIO

    from rich.console import Console

    buffer = StringIO()
    render_table(report, Console(file=buffer, width=140, color_system=None, highlight=False))
    return buffer.getvalue()


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


def agreement_summary(report: dict[str, Any]) -> list[str]:
    """One row per pair of passes with the headline F1 of every layer (in percent)."""
    columns = ["B scored against A", *(name for name, _ in AGREEMENT_HEADLINES)]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for pair in report["pairs"]:
        layers = pair["report"]["layers"]
        cells = [f"`{pair['b']}` vs `{pair['a']}`"]
        cells += [_pct(_dig(layers, path)) for _, path in AGREEMENT_HEADLINES]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def agreement_to_markdown(report: dict[str, Any]) -> str:
    """Agreement between annotation passes: per pair the scores of B against A, then kappas."""
    documents = report["documents"]
    lines = [
        f"# Inter-annotator agreement: {', '.join(f'`{p}`' for p in report['passes'])}",
        "",
        f"Documents in every pass ({len(documents)}): {', '.join(documents)}.",
    ]
    if report.get("documents_not_in_every_pass"):
        lines.append(
            "Not scored, missing from some pass: "
            + ", ".join(report["documents_not_in_every_pass"])
            + "."
        )
    lines += ["", *agreement_summary(report)]
    for pair in report["pairs"]:
        scores = pair["report"]
        columns = header(scores)[:5] + ["details"]
        lines += [
            "",
            f"## `{pair['b']}` scored against `{pair['a']}`",
            "",
            f"Signature: `{scores['signature']}`",
            "",
            "| " + " | ".join(columns) + " |",
            "|" + "---|" * len(columns),
        ]
        lines += ["| " + " | ".join(row[:5] + row[6:]) + " |" for row in summary_rows(scores)]
        if pair["kappa"]:
            lines += ["", "| attribute | matched pairs | Cohen's kappa |", "|---|---|---|"]
            lines += [
                f"| {name} | {k['pairs']} | "
                f"{'-' if k['kappa'] is None else format(k['kappa'], '.3f')} |"
                for name, k in pair["kappa"].items()
            ]
    if report.get("alpha"):
        lines += [
            "",
            "## Krippendorff's alpha (all passes, nominal)",
            "",
            "| attribute | units | alpha |",
            "|---|---|---|",
        ]
        lines += [
            f"| {name} | {a['units']} | "
            f"{'-' if a['alpha'] is None else format(a['alpha'], '.3f')} |"
            for name, a in report["alpha"].items()
        ]
    return "\n".join(lines) + "\n"
