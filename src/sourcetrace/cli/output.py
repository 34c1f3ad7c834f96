"""Writing a command's result in the format the user chose: one helper for every command."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sourcetrace.errors import shown
from sourcetrace.report import as_plain_text, choose_format

Draw = Callable[[Any], None]  # prints to a rich Console


def emit(
    fmt: str | None,
    output: Path | None,
    renderers: Mapping[str, Callable[[], str] | Draw],
    *,
    default: str = "table",
    allowed: tuple[str, ...] = (),
) -> str:
    """Render with the chosen format and print it, or write it atomically to --output.

    ``renderers`` maps each format the command writes to a function returning its text; the
    `table` entry instead draws on a rich Console (in colour on a terminal, plain in a file).
    The --output path is checked before anything is rendered (`paths.checked_output`;
    ``allowed`` names the generated files the command owns in a protected folder). Returns the
    format used.
    """
    from sourcetrace.cli.main import _console
    from sourcetrace.paths import checked_output, write_output

    chosen = choose_format(fmt, output, tuple(renderers), default)
    if output is not None:
        checked_output(output, allowed)
    render = renderers[chosen]
    if chosen == "table" and output is None:
        render(_console())
        return chosen
    text = as_plain_text(render) if chosen == "table" else render()
    if output is None:
        sys.stdout.write(text)
    else:
        write_output(output, text, allowed)
        print(f"wrote {chosen} to {shown(output)}", file=sys.stderr)
    return chosen


def add_output_options(parser: Any, formats: tuple[str, ...], default: str = "table") -> None:
    """--format and --output, worded the same in every command."""
    from sourcetrace.report import SUFFIXES

    endings = ", ".join(s for s, f in SUFFIXES.items() if f in formats)
    parser.add_argument(
        "--format",
        choices=formats,
        help=f"default: from the --output ending ({endings}), else {default}",
    )
    parser.add_argument("--output", type=Path, help="write here (atomically) instead of stdout")


def add_problem_options(parser: Any) -> None:
    """How a command reads the offsets of its files, and how it lists their problems."""
    from sourcetrace.schema.conventions import (
        DEFAULT_END,
        DEFAULT_OFFSETS,
        END_CONVENTIONS,
        OFFSET_UNITS,
    )

    parser.add_argument(
        "--offsets",
        choices=OFFSET_UNITS,
        default=DEFAULT_OFFSETS,
        help="what the files' start/end count: Unicode code points (Python, the default), "
        "UTF-16 code units (JavaScript, Java) or UTF-8 bytes (Rust, Go, C); spans are read into "
        "code points before validation",
    )
    parser.add_argument(
        "--end",
        choices=END_CONVENTIONS,
        default=DEFAULT_END,
        help="whether `end` is one past the span's last character (exclusive, the default) or "
        "the span's last character (inclusive: nervaluate span lists, many CoNLL tools)",
    )
    parser.add_argument(
        "--all-problems",
        action="store_true",
        help="list every problem, not one line per kind of problem and JSON path",
    )
