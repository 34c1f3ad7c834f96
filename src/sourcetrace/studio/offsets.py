"""Offsets at the border: Label Studio spans -> Python code-point offsets into the text.

Whoever wrote a span (the browser, a script) may have counted UTF-16 code units instead of code
points, or drifted around white space. The span's own `text` is the witness: a span is taken as
given when `text[start:end]` equals it, else read as UTF-16 units, else looked for nearby; what
was repaired is said, what stays ambiguous is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from sourcetrace.schema.conventions import read_span, unit_boundaries

NEARBY = 200  # code points searched on each side of a span whose offsets do not fit its text


@dataclass(frozen=True)
class Span:
    """A span in code points; ``repair`` says how it was found when the offsets were not right."""

    start: int
    end: int
    text: str
    repair: str | None = None


class SpanError(ValueError):
    """A span that cannot be placed on the text without guessing."""


def _fits(text: str, start: int, end: int, expected: str) -> bool:
    return 0 <= start < end <= len(text) and text[start:end] == expected


def _nearby(text: str, start: int, expected: str) -> int | None:
    """The one occurrence of ``expected`` closest to ``start`` within NEARBY code points."""
    low = max(0, start - NEARBY)
    high = min(len(text), start + NEARBY + len(expected))
    found, position = [], text.find(expected, low, high)
    while position != -1:
        found.append(position)
        position = text.find(expected, position + 1, high)
    if not found:
        raise SpanError(f"{expected!r} does not occur within {NEARBY} characters of offset {start}")
    found.sort(key=lambda p: abs(p - start))
    if len(found) > 1 and abs(found[0] - start) == abs(found[1] - start):
        raise SpanError(
            f"{expected!r} occurs at {found[0]} and {found[1]}, equally near offset {start}"
        )
    return found[0]


def _trimmed(span: Span) -> Span:
    """The span without leading or trailing white space (the guidelines' rule), said so."""
    stripped = span.text.strip()
    if stripped == span.text:
        return span
    if not stripped:
        raise SpanError(f"the span [{span.start}, {span.end}) holds only white space")
    start = span.start + (len(span.text) - len(span.text.lstrip()))
    note = f"trimmed white space: [{span.start}, {span.end}) -> [{start}, {start + len(stripped)})"
    repair = f"{span.repair}; {note}" if span.repair else note
    return Span(start, start + len(stripped), stripped, repair)


def resolve(text: str, start: object, end: object, expected: object) -> Span:
    """Place a span given as (start, end, its text) on ``text`` in code points, or raise."""
    if type(start) is not int or type(end) is not int:
        raise SpanError(f"offsets {start!r}, {end!r} are not whole numbers")
    if not isinstance(expected, str) or not expected:
        raise SpanError("the span has no text to check its offsets against")
    if _fits(text, start, end, expected):
        return _trimmed(Span(start, end, expected))
    placed = read_span(unit_boundaries(text, "utf16"), start, end)
    cp_start, cp_end = placed or (-1, -1)
    if placed is not None and _fits(text, cp_start, cp_end, expected):
        return _trimmed(
            Span(
                cp_start,
                cp_end,
                expected,
                f"UTF-16 offsets [{start}, {end}) read as code points [{cp_start}, {cp_end})",
            )
        )
    position = _nearby(text, min(max(start, 0), len(text)), expected)
    return _trimmed(
        Span(
            position,
            position + len(expected),
            expected,
            f"offsets [{start}, {end}) did not hold {expected!r}; found it nearby at "
            f"[{position}, {position + len(expected)})",
        )
    )
