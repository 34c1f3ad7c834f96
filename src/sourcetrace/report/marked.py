"""A text with overlapping highlighted spans, as HTML that never nests spans wrongly.

Spans overlap (nested entity mentions, crossing predictions, nested attribution contents), and
HTML elements cannot cross. So the text is cut at every span boundary, and every piece is
wrapped in one fragment per span covering it. A span's fragments share its key (`data-k`), and
only its first fragment carries the span's own attributes (the countable `data-item`). Each span
keeps one track (a level of underline) over its whole length, so nested spans stay readable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sourcetrace.report.page import attrs, esc

MAX_TRACK = 7  # deeper overlaps share the last track (the CSS has classes t0..t7)


@dataclass(frozen=True)
class Mark:
    """One highlighted span: where, its CSS classes, its key, and the first fragment's data."""

    start: int
    end: int
    classes: str
    key: str
    match: str | None = None
    title: str = ""
    first: dict[str, str] = field(default_factory=dict)


def tracks(marks: Sequence[Mark]) -> dict[int, int]:
    """Greedy interval colouring: each mark gets the lowest track free along its span."""
    order = sorted(range(len(marks)), key=lambda i: (marks[i].start, -marks[i].end))
    assigned: dict[int, int] = {}
    ends: list[int] = []  # per track, where its last mark ends
    for i in order:
        mark = marks[i]
        free = next((t for t, end in enumerate(ends) if end <= mark.start), None)
        if free is None:
            ends.append(mark.end)
            free = len(ends) - 1
        ends[free] = max(mark.end, mark.start + 1)
        assigned[i] = min(free, MAX_TRACK)
    return assigned


def render_marked(text: str, marks: Sequence[Mark]) -> tuple[str, int]:
    """(HTML of the text with every mark, number of tracks used)."""
    track_of = tracks(marks)
    cuts = sorted({0, len(text)} | {m.start for m in marks} | {m.end for m in marks})
    starts: dict[int, list[int]] = {}
    for i, mark in enumerate(marks):
        starts.setdefault(mark.start, []).append(i)
    pieces: list[str] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        pieces += _empty_marks(marks, starts.get(a, []), track_of)
        covering = sorted(
            (i for i, m in enumerate(marks) if m.start <= a and b <= m.end and m.start < m.end),
            key=lambda i: track_of[i],
        )
        opened = [_open(marks[i], track_of[i], first=marks[i].start == a) for i in covering]
        pieces.append("".join(opened) + esc(text[a:b]) + "</span>" * len(covering))
    pieces += _empty_marks(marks, starts.get(len(text), []), track_of)
    used = max(track_of.values(), default=-1) + 1
    return "".join(pieces), used


def _empty_marks(marks: Sequence[Mark], indices: list[int], track_of: dict[int, int]) -> list[str]:
    """A zero-length span still needs its element: a caret where it stands."""
    return [
        _open(marks[i], track_of[i], first=True) + "\u2038</span>"
        for i in indices
        if marks[i].start >= marks[i].end
    ]


def _open(mark: Mark, track: int, *, first: bool) -> str:
    extra = mark.first if first else {}
    return (
        f'<span class="hl {esc(mark.classes)} t{track}"'
        + attrs(data_k=mark.key, data_m=mark.match, title=mark.title or None)
        + "".join(f' {name}="{esc(value)}"' for name, value in extra.items())
        + ">"
    )
