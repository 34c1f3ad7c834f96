"""The terminal format: rich tables."""

from __future__ import annotations

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


def safe(text: Any) -> str:
    """A string from data or paths made inert for a terminal: Rich markup escaped, control
    characters (ANSI escapes, OSC-8 links, screen clears) shown as their code, never sent."""
    from rich.markup import escape

    return escape(shown(text))


def render_table(report: dict[str, Any], console: Any) -> None:
    from rich.table import Table

    table = Table(
        title=safe(
            f"sourcetrace evaluation  (corpus {report['corpus']['version']}, "
            f"{report['corpus']['documents']} gold documents)"
        ),
    )
    for index, column in enumerate(header(report)):
        table.add_column(column, justify="right" if 2 <= index <= 4 else "left")
    previous = None
    for row in summary_rows(report):
        if previous is not None and row[0] != previous:
            table.add_section()
        previous = row[0]
        table.add_row(*(safe(cell) for cell in row))
    console.print(table)
    types = per_type_rows(report)
    if types:
        by_type = Table(title="entities per type (strict scheme)")
        for index, column in enumerate(PER_TYPE_HEADER):
            by_type.add_column(column, justify="left" if index == 0 else "right")
        for row in types:
            if row[0] == "micro avg":
                by_type.add_section()
            by_type.add_row(*(safe(cell) for cell in row))
        console.print(by_type)
    rows = list(comparison_rows(report))
    if rows:
        comparison = report["statistics"]["comparison"]
        other = Table(
            title=safe(
                f"paired comparison ({comparison_title(comparison)}) with "
                f"{comparison['other']['source']}"
            )
        )
        for column in COMPARISON_COLUMNS:
            other.add_column(column, justify="left" if column == "metric" else "right")
        for row in rows:
            other.add_row(*(safe(cell) for cell in row))
        console.print(other)
    for note in report.get("notes", []):
        console.print(f"note: {safe(note)}", soft_wrap=True)
    console.print(PERCENT_NOTE, soft_wrap=True, highlight=False)
    # one unbroken line, so that it can be copied next to the numbers it identifies
    console.print(f"signature: {safe(report['signature'])}", soft_wrap=True, highlight=False)


def render_agreement_table(report: dict[str, Any], console: Any) -> None:
    """The headline agreement table, then Cohen's kappa per attribute for each pair."""
    from rich.table import Table

    columns, rows = agreement_summary_rows(report)
    table = Table(title=f"agreement over {len(report['documents'])} document(s)")
    for index, column in enumerate(columns):
        table.add_column(column, justify="right" if index else "left")
    for row in rows:
        table.add_row(safe(row[0]), *row[1:])
    console.print(table)
    for pair in report["pairs"]:
        kappa = Table(title=safe(f"Cohen's kappa: {pair['b']} against {pair['a']}"))
        for column in KAPPA_COLUMNS:
            kappa.add_column(column)
        for row in kappa_rows(pair):
            kappa.add_row(*row)
        console.print(kappa)
    console.print(PERCENT_NOTE, soft_wrap=True, highlight=False)
