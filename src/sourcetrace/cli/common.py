"""What every command shares: the console, the default checkout, output options and `emit`
(writing a command's result in the format the user chose, to stdout or atomically to --output,
refusing protected paths through `paths.checked_output`)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from sourcetrace.errors import InputError, shown
from sourcetrace.report import as_plain_text, choose_format

Draw = Callable[[Any], None]  # prints to a rich Console


def console(stderr: bool = False) -> Any:
    """The terminal console; NO_COLOR (any non-empty value, no-color.org) means no escape
    sequence at all, not even bold or italic."""
    from rich.console import Console

    plain = {"color_system": None} if os.environ.get("NO_COLOR") else {}
    terminal = Console(stderr=stderr, highlight=False, **plain)
    if not terminal.is_terminal:
        terminal.width = 160  # files and pipes get whole tables, not 80-column ellipses
    return terminal


def default_root() -> Path:
    """The checkout the corpus commands work in: the current folder if it holds seeds/ and
    annotations/, else the checkout this package runs from."""
    cwd = Path.cwd()
    if (cwd / "seeds").is_dir() and (cwd / "annotations").is_dir():
        return cwd
    from sourcetrace.paths import repo_root

    root = repo_root()
    if root is None:
        raise InputError(
            "not inside a sourcetrace checkout",
            file=cwd,
            expected="--root pointing at a checkout with seeds/ and annotations/",
        )
    return root


def emit(
    fmt: str | None,
    output: Path | None,
    renderers: Mapping[str, Callable[[], str | Iterable[str]] | Draw],
    *,
    default: str = "table",
    allowed: tuple[str, ...] = (),
) -> str:
    """Render with the chosen format and print it, or write it atomically to --output.

    ``renderers`` maps each format the command writes to a function returning its text; the
    `table` entry instead draws on a rich Console (in colour on a terminal, plain in a file); a
    renderer may return its text in pieces (a large error list written as it is made).
    The --output path is checked before anything is rendered (`paths.checked_output`;
    ``allowed`` names the generated files the command owns in a protected folder). Returns the
    format used.
    """
    from sourcetrace.paths import checked_output

    chosen = choose_format(fmt, output, tuple(renderers), default)
    if output is not None:
        checked_output(output, allowed)
    emit_outputs([(output, chosen)], renderers, allowed=allowed)
    return chosen


STDOUT = Path("-")  # in a list of outputs: the report printed on stdout


def output_formats(
    fmt: str | None, outputs: list[Path], supported: tuple[str, ...], default: str = "table"
) -> list[tuple[Path | None, str]]:
    """(path or None for stdout, format) of each of several --output targets, checked before
    anything is scored: a file's format is its ending, `-` (stdout) and a file without a known
    ending take --format (else ``default``). One target keeps the one-output rule (--format,
    else its ending). Refused: a target named twice, and a --format that no target takes."""
    from sourcetrace.errors import InputError
    from sourcetrace.paths import checked_output
    from sourcetrace.report import SUFFIXES

    if len(outputs) == 1:
        target = None if outputs[0] == STDOUT else outputs[0]
        if target is not None:
            checked_output(target)
        return [(target, choose_format(fmt, target, supported, default))]
    seen: set[Path] = set()
    chosen: list[tuple[Path | None, str]] = []
    for output in outputs:
        # lexically normalised: never raises (a symlink loop is checked_output's to word)
        key = output if output == STDOUT else Path(os.path.abspath(output))
        if key in seen:
            raise InputError(
                "the same --output target twice", file=output, expected="each target once"
            )
        seen.add(key)
        known = output != STDOUT and output.suffix.lower() in SUFFIXES
        target = None if output == STDOUT else output
        chosen.append((target, choose_format(None if known else fmt, target, supported, default)))
    if fmt is not None and all(o != STDOUT and o.suffix.lower() in SUFFIXES for o in outputs):
        raise InputError(
            f"--format {fmt} with several --output files that each name their format by their "
            "ending",
            expected="--format for `-` (stdout) or a file without a known ending, e.g. "
            "--output - --output report.html",
        )
    for target, _ in chosen:
        if target is not None:
            checked_output(target)
    return chosen


def emit_outputs(
    targets: list[tuple[Path | None, str]],
    renderers: Mapping[str, Callable[[], str | Iterable[str]] | Draw],
    *,
    documents: int = 0,
    allowed: tuple[str, ...] = (),
) -> None:
    """Render every target (`output_formats`) first, then write the files atomically and print
    the stdout one: a renderer that fails leaves no file half of a run behind. ``documents``:
    how many the report covers, for the progress of rendering a large one; ``allowed``: the
    generated files the command owns in a protected folder (`paths.checked_output`)."""
    from sourcetrace.paths import write_output
    from sourcetrace.progress import stage

    texts = {}
    for index, (target, fmt) in enumerate(targets):
        if target is None and fmt == "table":
            continue  # drawn on the console below
        with stage(f"rendering the {fmt} report of {documents} document(s)", size=documents):
            texts[index] = as_plain_text(renderers[fmt]) if fmt == "table" else renderers[fmt]()
    for index, (target, fmt) in enumerate(targets):
        if target is not None:
            write_output(target, texts[index], allowed)
            print(f"wrote {fmt} to {shown(target)}", file=sys.stderr)
    for index, (target, fmt) in enumerate(targets):
        if target is None and fmt == "table":
            renderers["table"](console())
        elif target is None:
            write_pieces(texts[index])


def write_pieces(text: str | Iterable[str]) -> None:
    """A report on stdout, whole or in the pieces its renderer makes."""
    for piece in [text] if isinstance(text, str) else text:
        sys.stdout.write(piece)


def add_output_options(
    parser: Any, formats: tuple[str, ...], default: str = "table", *, several: bool = False
) -> None:
    """--format and --output, worded the same in every command; with ``several``, --output
    may be repeated, `-` standing for stdout (`output_formats`). Repeated rather than taking
    several values, so that `--output r.json PRED.jsonl` still leaves the positional alone."""
    from sourcetrace.report import SUFFIXES

    endings = ", ".join(s for s, f in SUFFIXES.items() if f in formats)
    if not several:
        parser.add_argument(
            "--format",
            choices=formats,
            help=f"default: from the --output ending ({endings}), else {default}",
        )
        parser.add_argument("--output", type=Path, help="write here (atomically) instead of stdout")
        return
    parser.add_argument(
        "--format",
        choices=formats,
        help=f"default: from the --output ending ({endings}), else {default}; with several "
        "--output targets, the format of `-` and of files without a known ending",
    )
    parser.add_argument(
        "--output",
        type=Path,
        action="append",
        help="write here (atomically) instead of stdout; repeated, the one run in several "
        "formats, each file's from its ending, `-` for stdout (e.g. --output - --output "
        "report.html: the table on the terminal and the page)",
    )


def add_quiet_option(parser: Any) -> None:
    """--quiet: no progress on stderr (see sourcetrace.progress: shown for large work only)."""
    from sourcetrace.progress import LARGE_WORK

    parser.add_argument(
        "--quiet",
        action="store_true",
        help="no progress on stderr (shown, for work of "
        f"{LARGE_WORK} documents or more, as one line per stage, or live on a terminal)",
    )


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
