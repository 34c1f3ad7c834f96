"""Markdown: evaluation reports and agreement tables."""

from __future__ import annotations

import re
from typing import Any

from sourcetrace.errors import shown
from sourcetrace.report.rows import (
    agreement_summary_rows,
    comparison_rows,
    header,
    pct,
    summary_rows,
)

# an underscore inside a word (ent_type) is no emphasis in CommonMark and stays as it is
_SPECIAL = re.compile(r"([\\`*\[\]<>|~#&!]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")


def _visible(value: Any) -> str:
    """Control characters (a newline in a file name must not start a Markdown heading), line
    separators, bidi overrides and undecodable bytes shown as their code (`errors.shown`)."""
    return shown(value)


def md_text(value: Any) -> str:
    """A string from data or paths as inert Markdown text on one line (also a safe table cell):
    control characters shown as their code, Markdown and HTML punctuation backslash-escaped."""
    return _SPECIAL.sub(r"\\\1", _visible(value))


def md_code(value: Any) -> str:
    """A string from data or paths as a Markdown code span on one line, whatever backticks it
    holds (the fence is longer than its longest run of backticks)."""
    text = _visible(value)
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(md_text(cell) for cell in cells) + " |"


def to_markdown(report: dict[str, Any]) -> str:
    lines = [
        "# sourcetrace evaluation",
        "",
        f"Signature: {md_code(report['signature'])}",
        "",
        f"Corpus {md_text(report['corpus']['version'])} (data sha256 "
        f"{md_code(report['corpus']['data_sha256'][:16])}), {report['corpus']['documents']} gold "
        f"document(s); predictions {md_code(report['predictions']['source'])}.",
        "",
        "| " + " | ".join(header(report)) + " |",
        "|" + "---|" * len(header(report)),
    ]
    lines += [_row(row) for row in summary_rows(report)]
    if report.get("notes"):
        lines += ["", "Notes:", ""] + [f"- {md_text(note)}" for note in report["notes"]]
    rows = list(comparison_rows(report))
    if rows:
        comparison = report["statistics"]["comparison"]
        lines += [
            "",
            f"## Paired comparison with {md_code(comparison['other']['source'])}",
            "",
            f"Method: {comparison['method']}, {comparison['samples']} samples, seed "
            f"{comparison['seed']}. A = this system, B = the other.",
            "",
            "| metric | A | B | A - B | p |",
            "|---|---|---|---|---|",
        ]
        lines += [_row(row) for row in rows]
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
                f"| {md_text(entity_type)} | {pct(m['precision'])} | {pct(m['recall'])} | "
                f"{pct(m['f1'])} | {m['possible']} | {m['actual']} |"
            )
    lines += [
        "",
        "Scores are percentages. Scoring rules: docs/scoring/ in the sourcetrace repository.",
    ]
    return "\n".join(lines) + "\n"


def agreement_summary(report: dict[str, Any]) -> list[str]:
    """The headline agreement table as Markdown lines."""
    columns, rows = agreement_summary_rows(report)
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for pair, row in zip(report["pairs"], rows, strict=True):
        names = f"{md_code(pair['b'])} vs {md_code(pair['a'])}"
        lines.append("| " + " | ".join([names, *(md_text(cell) for cell in row[1:])]) + " |")
    return lines


def agreement_to_markdown(report: dict[str, Any]) -> str:
    """Agreement between annotation passes: per pair the scores of B against A, then kappas."""
    documents = report["documents"]
    lines = [
        f"# Inter-annotator agreement: {', '.join(md_code(p) for p in report['passes'])}",
        "",
        f"Documents in every pass ({len(documents)}): {md_text(', '.join(documents))}.",
    ]
    if report.get("documents_not_in_every_pass"):
        lines.append(
            "Not scored, missing from some pass: "
            + md_text(", ".join(report["documents_not_in_every_pass"]))
            + "."
        )
    lines += ["", *agreement_summary(report)]
    for pair in report["pairs"]:
        scores = pair["report"]
        columns = header(scores)[:5] + ["details"]
        lines += [
            "",
            f"## {md_code(pair['b'])} scored against {md_code(pair['a'])}",
            "",
            f"Signature: {md_code(scores['signature'])}",
            "",
            "| " + " | ".join(columns) + " |",
            "|" + "---|" * len(columns),
        ]
        lines += [_row(row[:5] + row[6:]) for row in summary_rows(scores)]
        if pair["kappa"]:
            lines += ["", "| attribute | matched pairs | Cohen's kappa |", "|---|---|---|"]
            lines += [
                f"| {md_text(name)} | {k['pairs']} | "
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
            f"| {md_text(name)} | {a['units']} | "
            f"{'-' if a['alpha'] is None else format(a['alpha'], '.3f')} |"
            for name, a in report["alpha"].items()
        ]
    return "\n".join(lines) + "\n"
