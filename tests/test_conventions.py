"""Offset conventions read into code points, worked out by hand on non-BMP, Bengali and NBSP."""

from __future__ import annotations

import pytest

from sourcetrace.schema.conventions import read_span, spans_of, unit_boundaries

TEXT = "a\U0001f600 b\u00a0\u0995"  # a, emoji (2 UTF-16 units, 4 bytes), space, b, NBSP, Bengali


def test_boundaries_count_each_unit_by_hand() -> None:
    assert unit_boundaries(TEXT, "codepoint") == [0, 1, 2, 3, 4, 5, 6]
    assert unit_boundaries(TEXT, "utf16") == [0, 1, 3, 4, 5, 6, 7]
    assert unit_boundaries(TEXT, "utf8") == [0, 1, 5, 6, 7, 9, 12]


@pytest.mark.parametrize(
    ("unit", "start", "end", "expected"),
    [
        ("utf16", 1, 3, (1, 2)),  # the emoji alone
        ("utf8", 7, 12, (4, 6)),  # NBSP and Bengali
        ("utf16", 2, 3, None),  # inside the surrogate pair
        ("utf8", 1, 3, None),  # inside the emoji's bytes
    ],
)
def test_a_span_in_another_unit_reads_as_code_points(
    unit: str, start: int, end: int, expected: tuple[int, int] | None
) -> None:
    assert read_span(unit_boundaries(TEXT, unit), start, end) == expected


def test_an_inclusive_end_names_the_last_unit_of_the_span() -> None:
    # "b" + NBSP + Bengali: bytes 6..11, the last byte of the Bengali letter is 11
    assert read_span(unit_boundaries(TEXT, "utf8"), 6, 11, end_convention="inclusive") == (3, 6)
    assert read_span(unit_boundaries(TEXT, "codepoint"), 3, 5, end_convention="inclusive") == (
        3,
        6,
    )


def test_spans_of_finds_every_span_object_of_a_record() -> None:
    record = {
        "entities": [{"start": 1, "end": 2, "type": "X"}],
        "attributions": [{"source": {"text": "FT"}, "cue": {"start": 0, "end": 1}}],
    }
    assert [(s["start"], s["end"]) for s in spans_of(record)] == [(1, 2), (0, 1)]
