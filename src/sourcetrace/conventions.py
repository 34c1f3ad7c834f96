"""Offset conventions at the border: what a file's `start`/`end` count, read into ours.

Ours are Python code-point offsets into the text, end exclusive. A system may count UTF-16 code
units (JavaScript, Java, Label Studio in the browser) or UTF-8 bytes (Rust, Go, C), and may end
a span on its last character (end inclusive, as nervaluate's span lists and many CoNLL-derived
tools do). Each such convention is read by an option, never guessed in silence.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from itertools import accumulate
from typing import Any

OFFSET_UNITS = ("codepoint", "utf16", "utf8")  # what --offsets accepts; codepoint is ours
END_CONVENTIONS = ("exclusive", "inclusive")  # what --end accepts; exclusive is ours
DEFAULT_OFFSETS, DEFAULT_END = OFFSET_UNITS[0], END_CONVENTIONS[0]


def unit_boundaries(text: str, unit: str) -> list[int]:
    """The offset, counted in ``unit``, of every code-point boundary of ``text``: [0, ...,
    length in that unit]; index i of the list is code point i."""
    if unit == "codepoint":
        return list(range(len(text) + 1))
    if unit == "utf16":
        sizes = (2 if ord(ch) > 0xFFFF else 1 for ch in text)
    elif unit == "utf8":
        sizes = (len(ch.encode("utf-8", "surrogatepass")) for ch in text)
    else:
        raise ValueError(f"unknown offset unit {unit!r}; expected one of {OFFSET_UNITS}")
    return [0, *accumulate(sizes)]


def to_codepoint(boundaries: list[int], offset: int) -> int | None:
    """The code-point index at ``offset`` (in the unit of ``boundaries``), or None when the
    offset falls inside a character (a surrogate pair, a multi-byte sequence) or past the end."""
    index = bisect_left(boundaries, offset)
    return index if index < len(boundaries) and boundaries[index] == offset else None


def spans_of(record: Any) -> Iterator[dict[str, Any]]:
    """Every span object of a prediction or gold record: a dict that carries both an integer
    `start` and an integer `end` (entities, claims, and an attribution's source, cue, content)."""
    if isinstance(record, dict):
        if type(record.get("start")) is int and type(record.get("end")) is int:
            yield record
        for value in record.values():
            if isinstance(value, dict | list):
                yield from spans_of(value)
    elif isinstance(record, list):
        for item in record:
            yield from spans_of(item)


def read_span(
    boundaries: list[int], start: int, end: int, *, end_convention: str = DEFAULT_END
) -> tuple[int, int] | None:
    """One span read into code points, end exclusive; None when it cannot be placed. End
    inclusive means `end` is the offset of the span's last unit (its last byte in UTF-8), so
    the exclusive end is ``end + 1``."""
    if end_convention == "inclusive":
        end += 1
    elif end_convention != "exclusive":
        raise ValueError(f"unknown end convention {end_convention!r}; expected {END_CONVENTIONS}")
    begin, finish = to_codepoint(boundaries, start), to_codepoint(boundaries, end)
    return None if begin is None or finish is None else (begin, finish)
