"""Report formats: one renderer per format, one vocabulary of format names for every command.

`FORMATS` is the vocabulary; each command says which of them it writes. Without `--format`, the
`--output` file's ending chooses (`SUFFIXES`), else the command's default.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sourcetrace.errors import InputError
from sourcetrace.report.json_format import to_json
from sourcetrace.report.markdown import agreement_summary, agreement_to_markdown, to_markdown
from sourcetrace.report.rows import LEVELS, PARTS, SCHEMES, comparison_rows, header, summary_rows
from sourcetrace.report.table import render_table

FORMATS = ("table", "json", "markdown", "html")
SUFFIXES = {
    ".json": "json",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".txt": "table",
}


def choose_format(
    fmt: str | None, output: Path | None, supported: Sequence[str], default: str = "table"
) -> str:
    """--format if given, else the --output ending, else the command's default."""
    chosen = fmt or (SUFFIXES.get(output.suffix.lower()) if output is not None else None)
    chosen = chosen or default
    if chosen not in supported:
        raise InputError(
            f"this command does not write {chosen!r}"
            + (f" (chosen by the ending of {output.name!r})" if fmt is None and output else ""),
            file=output,
            expected=f"--format one of {', '.join(supported)}, or an --output ending "
            + ", ".join(s for s, f in SUFFIXES.items() if f in supported),
        )
    return chosen


def as_plain_text(draw: Any) -> str:
    """Run a function that prints to a rich Console and return what it printed, uncoloured."""
    from io import StringIO

    from rich.console import Console

    buffer = StringIO()
    draw(Console(file=buffer, width=140, color_system=None, highlight=False))
    return buffer.getvalue()


def render_text(report: dict[str, Any], fmt: str, explanation: Any = None) -> str:
    """An evaluation report in one of FORMATS; `table` is rendered to plain text (no colour).
    `html` needs the item-by-item explanation (evaluation.evaluate_and_explain)."""
    if fmt == "json":
        return to_json(report)
    if fmt == "markdown":
        return to_markdown(report)
    if fmt == "html":
        from sourcetrace.report.html import to_html

        return to_html(report, explanation)
    return as_plain_text(lambda console: render_table(report, console))


__all__ = [
    "FORMATS",
    "LEVELS",
    "PARTS",
    "SCHEMES",
    "SUFFIXES",
    "agreement_summary",
    "agreement_to_markdown",
    "as_plain_text",
    "choose_format",
    "comparison_rows",
    "header",
    "render_table",
    "render_text",
    "summary_rows",
    "to_json",
    "to_markdown",
]
