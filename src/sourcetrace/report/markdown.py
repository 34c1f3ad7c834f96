"""Markdown: evaluation reports and agreement tables."""

from __future__ import annotations

from typing import Any

from .rows import agreement_summary_rows, comparison_rows, header, pct, summary_rows


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
                f"| {entity_type} | {pct(m['precision'])} | {pct(m['recall'])} | "
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
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


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
