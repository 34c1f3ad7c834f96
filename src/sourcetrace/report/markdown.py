"""Markdown: evaluation reports and agreement tables."""

from __future__ import annotations

import re
from typing import Any

from sourcetrace.errors import shown
from sourcetrace.report.rows import (
    COMPARISON_COLUMNS,
    KAPPA_COLUMNS,
    PER_TYPE_HEADER,
    PERCENT_NOTE,
    agreement_summary_rows,
    comparison_rows,
    comparison_title,
    header,
    kappa_rows,
    per_type_rows,
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
            f"Method: {comparison_title(comparison)}, seed {comparison['seed']}. "
            "A = this system, B = the other.",
            "",
            "| " + " | ".join(COMPARISON_COLUMNS) + " |",
            "|" + "---|" * len(COMPARISON_COLUMNS),
        ]
        lines += [_row(row) for row in rows]
    types = per_type_rows(report)
    if types:
        lines += [
            "",
            "## Entities per type (strict)",
            "",
            "| " + " | ".join(PER_TYPE_HEADER) + " |",
            "|" + "---|" * len(PER_TYPE_HEADER),
        ]
        lines += [_row(row) for row in types]
    lines += [
        "",
        f"{PERCENT_NOTE} Scoring rules: docs/scoring/ in the sourcetrace repository.",
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


def agreement_caveats(report: dict[str, Any]) -> list[str]:
    """What the figures above can and cannot show, and how each pass was made (METHOD.md)."""
    first = md_code(report["passes"][0])
    lines = [
        "## What these figures can and cannot show",
        "",
        f"- Each row scores the later pass against the earlier one ({first} first) with the "
        "scorers of `evaluate`; F1 does not depend on which side is the reference.",
        "- Agreement says how alike two passes are: it bounds how consistently the guidelines "
        "were applied. It cannot show that either pass is right: passes made the same way can "
        "share the same errors.",
        "- A pass the gold was adjudicated from agrees with the gold partly by construction; "
        "only a pass made without seeing the gold or the other passes gives an independent "
        "figure against it, and only a different kind of annotator can expose errors that one "
        "kind makes systematically.",
        "- Over a handful of documents every figure is a point estimate: one item changes an "
        "F1 by about 100 / (items in the layer) points. The interval beside each kappa is a "
        "percentile bootstrap over documents (docs/statistics.md): with few documents it is "
        "coarse, and it is left out (-) where kappa is undefined on some draw.",
    ]
    if any(pair.get("label_only") for pair in report["pairs"]):
        lines.append(
            "- A label-only pass was given the claims it labels: it can show whether the "
            "rubric's answers are reproducible on the same claims, not whether the claims "
            "themselves (spans, entities, attributions) are; its other layers read "
            '"not scored".'
        )
    methods = report.get("methods") or {}
    if methods:
        lines += ["", "How each pass was made (its `METHOD.md`):", ""]
        lines += [
            f"- {md_code(name)}: {md_text(m['summary'])} ({md_code(m['file'])})"
            for name, m in methods.items()
        ]
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
    lines += ["", *agreement_caveats(report)]
    for pair in report["pairs"]:
        scores = pair["report"]
        columns = header(scores)[:5] + ["details"]
        lines += [
            "",
            f"## {md_code(pair['b'])} scored against {md_code(pair['a'])}",
            "",
            f"Signature: {md_code(scores['signature'])}",
            "",
        ]
        if pair.get("label_only"):
            lines.append(
                "A label-only pass labels the claims it was given (its `CLAIMS.jsonl`) and "
                "nothing else: entities, claim spans and clusters, and attributions are not "
                "scored; only the claim attributes below are, on the claims matched between "
                "the two passes."
            )
        else:
            lines += ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
            lines += [_row(row[:5] + row[6:]) for row in summary_rows(scores)]
        if pair["kappa"]:
            lines += ["", "| " + " | ".join(KAPPA_COLUMNS) + " |", "|" + "---|" * 4]
            lines += [_row(row) for row in kappa_rows(pair)]
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
    lines += ["", PERCENT_NOTE]
    return "\n".join(lines) + "\n"
