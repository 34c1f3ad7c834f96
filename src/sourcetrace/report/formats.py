"""The format registry: each output format once, with its file endings, its renderer of an
evaluation report and whether it needs the item outcomes (the explained run).

Every command's `--format` choices and `--output` endings come from here (`FORMATS`,
`SUFFIXES`); `evaluate` asks `needs_items` to choose its run mode. Adding a format is one module
with its renderer and one `Format(...)` line in `REGISTERED` below.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sourcetrace.errors import InputError

Report = dict[str, Any]


@dataclass(frozen=True)
class Format:
    """One output format: see the module docstring."""

    name: str
    suffixes: tuple[str, ...]  # --output endings that choose it, lower case, with the dot
    render: Callable[[Report, Any], str]  # (report, explanation or None) -> the text
    needs_items: bool = False  # True: the renderer needs evaluate_and_explain's explanation


def as_plain_text(draw: Any) -> str:
    """Run a function that prints to a rich Console and return what it printed, uncoloured."""
    from io import StringIO

    from rich.console import Console

    buffer = StringIO()
    draw(Console(file=buffer, width=140, color_system=None, highlight=False))
    return buffer.getvalue()


def _table(report: Report, explanation: Any) -> str:
    from sourcetrace.report.table import render_table

    return as_plain_text(lambda console: render_table(report, console))


def _json(report: Report, explanation: Any) -> str:
    from sourcetrace.report.json_format import to_json

    return to_json(report)


def _markdown(report: Report, explanation: Any) -> str:
    from sourcetrace.report.markdown import to_markdown

    return to_markdown(report)


def _html(report: Report, explanation: Any) -> str:
    from sourcetrace.report.html import to_html

    return to_html(report, explanation)


REGISTERED: tuple[Format, ...] = (
    Format("table", (".txt",), _table),
    Format("json", (".json",), _json),
    Format("markdown", (".md", ".markdown"), _markdown),
    Format("html", (".html", ".htm"), _html, needs_items=True),
)


def registry_of(formats: Sequence[Format]) -> dict[str, Format]:
    """name -> Format; a name or an ending registered twice is a bug, refused at import."""
    by_name: dict[str, Format] = {}
    endings: set[str] = set()
    for fmt in formats:
        clash = endings.intersection(fmt.suffixes)
        if fmt.name in by_name or clash:
            raise ValueError(f"format {fmt.name!r} registered twice, or its endings {clash}")
        by_name[fmt.name] = fmt
        endings.update(fmt.suffixes)
    return by_name


REGISTRY = registry_of(REGISTERED)
FORMATS = tuple(REGISTRY)
# --output ending -> format; the plain-text table's ending is listed last (in help texts too)
SUFFIXES = {
    suffix: fmt.name
    for fmt in sorted(REGISTERED, key=lambda fmt: fmt.name == "table")
    for suffix in fmt.suffixes
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


def render_text(report: Report, fmt: str, explanation: Any = None) -> str:
    """An evaluation report in one of FORMATS; `table` is rendered to plain text (no colour).
    A format that `needs_items` renders from the explanation (evaluation.evaluate_and_explain)."""
    return REGISTRY[fmt].render(report, explanation)
