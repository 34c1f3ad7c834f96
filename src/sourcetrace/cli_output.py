"""Writing a command's result in the format the user chose: one helper for every command."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .report import as_plain_text, choose_format

Draw = Callable[[Any], None]  # prints to a rich Console


def emit(
    fmt: str | None,
    output: Path | None,
    renderers: Mapping[str, Callable[[], str] | Draw],
    *,
    default: str = "table",
    refuse: Callable[[Path], None] | None = None,
) -> str:
    """Render with the chosen format and print it, or write it atomically to --output.

    ``renderers`` maps each format the command writes to a function returning its text; the
    `table` entry instead draws on a rich Console (in colour on a terminal, plain in a file).
    Returns the format used.
    """
    from .cli import _console
    from .jsonio import atomic_write

    chosen = choose_format(fmt, output, tuple(renderers), default)
    if output is not None and refuse is not None:
        refuse(output)
    render = renderers[chosen]
    if chosen == "table" and output is None:
        render(_console())
        return chosen
    text = as_plain_text(render) if chosen == "table" else render()
    if output is None:
        sys.stdout.write(text)
    else:
        atomic_write(output, text)
        print(f"wrote {chosen} to {output}", file=sys.stderr)
    return chosen


def add_output_options(parser: Any, formats: tuple[str, ...], default: str = "table") -> None:
    """--format and --output, worded the same in every command."""
    from .report import SUFFIXES

    endings = ", ".join(s for s, f in SUFFIXES.items() if f in formats)
    parser.add_argument(
        "--format",
        choices=formats,
        help=f"default: from the --output ending ({endings}), else {default}",
    )
    parser.add_argument("--output", type=Path, help="write here (atomically) instead of stdout")
