"""The one error type for bad input: it renders as a single paragraph and maps to exit code 2."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# What never reaches a terminal raw: C0 and C1 controls, DEL, the Unicode line and paragraph
# separators, bidirectional overrides and isolates ("Trojan source"), the byte-order mark, and
# lone surrogates (the undecodable bytes of a file name, kept by surrogateescape).
_UNSAFE = "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff\ud800-\udfff"
_UNSAFE_IN_NAME = re.compile(f"[\\\\{_UNSAFE}]")  # a backslash too: the escape is unambiguous
_UNSAFE_IN_LINES = re.compile(f"(?![\\n\\t])[{_UNSAFE}]")  # composed text keeps its lines


def _code(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\\":
        return "\\\\"
    point = ord(char)
    return f"\\x{point:02x}" if point < 0x100 else f"\\u{point:04x}"


def shown(value: Any, *, lines: bool = False) -> str:
    """A name or value from data, paths or argv made inert for a terminal or a log: control
    characters (ANSI/OSC escapes, C1, DEL), bidi overrides and undecodable bytes are written as
    Python escapes (``\\x1b``, ``\\u202e``, ``\\udcff``) and a backslash as ``\\\\``, so the
    escaped name is unambiguous (it decodes back with ``unicode_escape``).

    ``lines=True`` is the safety net for composed text (a whole message): newline and tab stay,
    backslashes are left alone (the names in it were escaped already)."""
    text = str(value)
    return (_UNSAFE_IN_LINES if lines else _UNSAFE_IN_NAME).sub(_code, text)


@dataclass
class InputError(Exception):
    """Bad input a user can fix: names the file, line, JSON pointer and what was expected."""

    message: str
    file: str | Path | None = None
    line: int | None = None
    pointer: str | None = None
    expected: str | None = None

    def __str__(self) -> str:
        return format_problem(self.file, self.line, self.pointer, self.message, self.expected)

    def __reduce__(self) -> tuple:
        # rebuilt from its fields when it crosses a process boundary (a Dask worker's error)
        file = str(self.file) if self.file is not None else None
        return (InputError, (self.message, file, self.line, self.pointer, self.expected))


class LimitError(InputError):
    """A read stopped by a size limit (SOURCETRACE_MAX_INPUT_BYTES, SOURCETRACE_MAX_LINE_BYTES):
    the limit, not necessarily the input, is at fault, so a check must not call it drift."""

    def __reduce__(self) -> tuple:
        file = str(self.file) if self.file is not None else None
        return (LimitError, (self.message, file, self.line, self.pointer, self.expected))


@dataclass
class InputErrors(Exception):
    """Several problems found in one pass, so a user can fix them all at once. Shown grouped
    (one line per kind of problem at one JSON path pattern); ``render(all_problems=True)`` lists
    every one."""

    problems: list[InputError]

    def __str__(self) -> str:
        return self.render()

    def render(self, *, all_problems: bool = False) -> str:
        return f"{len(self.problems)} problem(s) found:\n" + indented_problems(
            self.problems, all_problems
        )

    def __reduce__(self) -> tuple:
        return (InputErrors, (self.problems,))


SHOWN_GROUPS = 50  # grouped lines shown before "... and N more"
_INDEX = re.compile(r"/\d+(?=/|$)")
# the values of one item: quoted text (an excerpt `'head'...(N characters)...'tail'` whole), numbers
_VARYING = re.compile(r"'[^']*'(?:\.\.\.\(\d+ characters\)\.\.\.'[^']*')?|\"[^\"]*\"|\d+")


def pointer_pattern(pointer: str | None) -> str:
    """A JSON pointer with its array indices collapsed: /entities/12/type -> /entities/*/type."""
    return _INDEX.sub("/*", pointer or "")


def problem_kind(problem: InputError) -> tuple[str, str, str, str]:
    """What makes two problems "the same problem": the file, the pointer pattern, the message
    without the values of the item (quoted text, numbers) and what was expected."""
    return (
        str(problem.file),
        pointer_pattern(problem.pointer),
        _VARYING.sub("#", problem.message),
        re.sub(r"\d+", "#", problem.expected or ""),
    )


def group_problems(problems: list[InputError]) -> list[tuple[InputError, int]]:
    """Each kind of problem once, in order of first appearance: (its first problem, count)."""
    groups: dict[tuple[str, str, str, str], list[Any]] = {}
    for problem in problems:
        groups.setdefault(problem_kind(problem), [problem, 0])[1] += 1
    return [(first, count) for first, count in groups.values()]


def indented_problems(problems: list[InputError], all_problems: bool = False) -> str:
    """The problem lines of a report, each as `  - PROBLEM` (see problem_lines)."""
    return "\n".join(
        f"  {line}" if line.startswith(MORE) else f"  - {line}"
        for line in problem_lines(problems, all_problems)
    )


MORE = "... and "


def problem_lines(problems: list[InputError], all_problems: bool = False) -> list[str]:
    """The lines that show ``problems``: every one with ``all_problems``, else one per kind of
    problem, its first occurrence and how many items share it (a misnamed key in every item is
    one line, not one per item)."""
    if all_problems:
        return [str(problem) for problem in problems]
    groups = group_problems(problems)
    lines = [
        str(first)
        if count == 1
        else f"{first} [the same problem in {count} items at {pointer_pattern(first.pointer)}, "
        f"first{'' if first.line is None else f' at line {first.line}'}; "
        "--all-problems lists each]"
        for first, count in groups[:SHOWN_GROUPS]
    ]
    if len(groups) > SHOWN_GROUPS:
        rest = sum(count for _, count in groups[SHOWN_GROUPS:])
        lines.append(
            f"... and {rest} more problem(s) of {len(groups) - SHOWN_GROUPS} other kind(s)"
        )
    return lines


def format_problem(
    file: str | Path | None,
    line: int | None,
    pointer: str | None,
    message: str,
    expected: str | None = None,
) -> str:
    parts = [shown(file)] if file is not None else []
    if line is not None:
        parts.append(f"line {line}")
    if pointer:
        parts.append(f"at {pointer}")
    text = f"{', '.join(parts)}: {message}" if parts else message
    if expected:
        text += f"; expected {expected}"
    return text


def raise_all(problems: list[InputError]) -> None:
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise InputErrors(problems)
