"""The format registry: each output format once, with its file endings, its renderer of an
evaluation report and whether it needs the item outcomes (the explained run).

Every command's `--format` choices and `--output` endings come from here (`FORMATS`,
`SUFFIXES`); `evaluate` asks `needs_items` to choose its run mode. Adding a format is one module
with its renderer and one `Format(...)` line in `REGISTERED` below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
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
    # (report, explanation or None, **options) -> the text, or its pieces (a large error list
    # is written as it is made); options: those named in `options`
    render: Callable[..., str | Iterable[str]]
    needs_items: bool = False  # True: the renderer needs the item outcomes (an explanation)
    # the renderer options it reads: a command refuses an option that no output of its reads
    options: tuple[str, ...] = ()


def as_plain_text(draw: Any) -> str:
    """Run a function that prints to a rich Console and return what it printed, uncoloured."""
    from io import StringIO

    from rich.console import Console

    buffer = StringIO()
    draw(Console(file=buffer, width=140, color_system=None, highlight=False))
    return buffer.getvalue()


def _table(report: Report, explanation: Any, **options: Any) -> str:
    from sourcetrace.report.table import render_table

    return as_plain_text(lambda console: render_table(report, console))


def _json(report: Report, explanation: Any, **options: Any) -> str:
    from sourcetrace.report.json_format import to_json

    return to_json(report)


def _markdown(report: Report, explanation: Any, **options: Any) -> str:
    from sourcetrace.report.markdown import to_markdown

    return to_markdown(report)


def _html(report: Report, explanation: Any, **options: Any) -> str:
    """Option `html_documents`: the documents whose text the page shows (None: all); when it
    is not given, the page's default."""
    from sourcetrace.report.html import to_html

    if "html_documents" in options:
        return to_html(report, explanation, documents=options["html_documents"])
    return to_html(report, explanation)


def _item_list(fmt: str) -> Callable[..., Iterator[str]]:
    """The error list (report/tsv.py): one row per item outcome, made as it is written."""

    def render(report: Report, explanation: Any, **options: Any) -> Iterator[str]:
        from sourcetrace.report.tsv import item_lines, items_of

        return item_lines(items_of(explanation), fmt)

    return render


REGISTERED: tuple[Format, ...] = (
    Format("table", (".txt",), _table),
    Format("json", (".json",), _json),
    Format("markdown", (".md", ".markdown"), _markdown),
    Format("html", (".html", ".htm"), _html, needs_items=True, options=("html_documents",)),
    Format("tsv", (".tsv",), _item_list("tsv"), needs_items=True),
    Format("csv", (".csv",), _item_list("csv"), needs_items=True),
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
RENDERER_OPTIONS = tuple(sorted({option for fmt in REGISTERED for option in fmt.options}))
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


ITEM_FORMATS = tuple(name for name, fmt in REGISTRY.items() if fmt.needs_items)


def render_chunks(
    report: Report, fmt: str, explanation: Any = None, **options: Any
) -> Iterable[str]:
    """An evaluation report in one of FORMATS, as text or in pieces (a large TSV or CSV is
    written as it is made); `table` is plain text (no colour). A format that `needs_items`
    renders from the explanation (evaluate_and_explain's dict, or the iterator of
    evaluate_with_explanations); ``html_documents`` caps the page's documents (None: all)."""
    text = REGISTRY[fmt].render(report, explanation, **options)
    return [text] if isinstance(text, str) else text


def render_text(report: Report, fmt: str, explanation: Any = None, **options: Any) -> str:
    """`render_chunks` joined."""
    return "".join(render_chunks(report, fmt, explanation, **options))
