"""The offset-convention diagnosis against a brute-force reference (issue 24): every span of
every record read in every convention with the public `unit_boundaries` and `read_span`, the
rule of `diagnose`'s docstring applied to the counts. The diagnosis takes short cuts (our own
convention read without boundaries, other ways tried only when they could explain the misfits);
they must never change its answer."""

from __future__ import annotations

from collections import Counter
from itertools import product
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzz_profiles import EXACTNESS_EXAMPLES, profile_name
from sourcetrace.schema import conventions
from sourcetrace.schema.conventions import (
    END_CONVENTIONS,
    OFFSET_UNITS,
    Convention,
    diagnose,
    misfit_counts,
    never_diagnosed,
    read_span,
    spans_of,
    unit_boundaries,
)

# every convention, ours first, as diagnose breaks ties
ALL = [Convention(unit, end) for end, unit in product(END_CONVENTIONS, OFFSET_UNITS)]
CHARACTERS = st.sampled_from(list("ab \u00a0\u00e9\U0001f4f0-\n"))


def fits(text: str, span: dict[str, Any], convention: Convention, by_text: bool) -> bool:
    placed = read_span(
        unit_boundaries(text, convention.offsets),
        span["start"],
        span["end"],
        end_convention=convention.end,
    )
    if placed is None:
        return False
    start, end = placed
    if by_text:
        return text[start:end] == span["text"]
    if not 0 <= start < end <= len(text) or text[start].isspace() or text[end - 1].isspace():
        return False
    cuts_start = start > 0 and text[start - 1].isalnum() and text[start].isalnum()
    cuts_end = end < len(text) and text[end - 1].isalnum() and text[end].isalnum()
    return not (cuts_start or cuts_end)


def judged_spans(records: list[dict[str, Any]], by_text: bool) -> list[tuple[str, Any]]:
    """(text, span) of the spans that carry their own text (``by_text``), or of the others."""
    return [
        (record["text"], span)
        for record in records
        for span in spans_of(record)
        if isinstance(span.get("text"), str) == by_text
    ]


def reference(records: list[dict[str, Any]], asked: Convention) -> tuple[Any, ...] | None:
    """(seems, fitting, fitting asked, spans, by_text) by the rule, or None."""
    for by_text in (True, False):
        spans = judged_spans(records, by_text)
        counts = {c: sum(fits(t, s, c, by_text) for t, s in spans) for c in ALL}
        misfits = len(spans) - counts[asked]
        if not misfits:
            continue
        shared = {c: (c.offsets == asked.offsets) + (c.end == asked.end) for c in ALL}
        best = max(ALL, key=lambda c: (counts[c], shared[c], -ALL.index(c)))
        explained = counts[best] - counts[asked]
        if best != asked and len(spans) <= counts[best] * 2 and misfits <= explained * 2:
            return (best, counts[best], counts[asked], len(spans), by_text)
    return None


@st.composite
def records(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Documents with spans in every convention (and some that fit none), with or without text,
    as entities and as an attribution's cue."""
    result = []
    for index in range(draw(st.integers(1, 3))):
        text = "".join(draw(st.lists(CHARACTERS, min_size=1, max_size=14)))
        spans = []
        for _ in range(draw(st.integers(0, 5))):
            convention = draw(st.sampled_from(ALL))
            bounds = unit_boundaries(text, convention.offsets)
            first = draw(st.integers(0, len(text) - 1))
            last = draw(st.integers(first + 1, len(text)))
            start, end = bounds[first], bounds[last] - (convention.end == "inclusive")
            if draw(st.booleans()):  # off by one unit, or anything
                start, end = start + draw(st.integers(-1, 1)), end + draw(st.integers(-1, 1))
            span: dict[str, Any] = {"start": start, "end": end}
            if draw(st.booleans()):
                span["text"] = text[first:last]
            spans.append(span)
        record: dict[str, Any] = {"doc_id": f"d{index}", "text": text, "entities": spans}
        if spans and draw(st.booleans()):
            record["attributions"] = [{"cue": dict(spans[0]), "content": {"claims": []}}]
        result.append(record)
    return result


@pytest.mark.parametrize("columns_from", [0, 10**9], ids=["on-columns", "span-by-span"])
@settings(max_examples=EXACTNESS_EXAMPLES[profile_name()])
@given(records(), st.sampled_from(ALL))
def test_diagnosis_equals_brute_force_reference(
    columns_from: int, documents: list[dict[str, Any]], asked: Convention
) -> None:
    # our own convention's word edges read on columns (numpy) or span by span, whatever the
    # number of spans (WORD_FIT_COLUMNS_FROM): the same answer, the reference's
    with mock.patch.object(conventions, "WORD_FIT_COLUMNS_FROM", columns_from):
        found = diagnose(documents, {}, offsets=asked.offsets, end=asked.end)
    expected = reference(documents, asked)
    if expected is None:
        assert found is None
    else:
        assert found is not None
        assert (found.seems, found.fitting, found.fitting_asked, found.spans, found.by_text) == (
            expected
        )
        assert found.asked == asked


@settings(max_examples=EXACTNESS_EXAMPLES[profile_name()])
@given(records(), st.sampled_from(ALL), st.data())
def test_misfit_counts_add_up_over_chunks_and_never_hide_a_diagnosis(
    documents: list[dict[str, Any]], asked: Convention, data: st.DataObject
) -> None:
    """A run read a chunk at a time adds up each chunk's `misfit_counts`: the sum over any cut
    of the records is the count of them all, equals the brute-force count of misfits and of the
    misfits each other way fits, and when `never_diagnosed` says so, `diagnose` of all the
    records is None."""
    cuts = sorted(data.draw(st.sets(st.integers(0, len(documents)))))
    chunks = [documents[a:b] for a, b in zip([0, *cuts], [*cuts, len(documents)], strict=True)]
    options = {"offsets": asked.offsets, "end": asked.end}
    summed: Counter = sum((misfit_counts(chunk, {}, **options) for chunk in chunks), Counter())
    assert summed == misfit_counts(documents, {}, **options)
    for by_text in (True, False):
        spans = judged_spans(documents, by_text)
        misfits = [(t, s) for t, s in spans if not fits(t, s, asked, by_text)]
        assert summed["spans", by_text] == len(spans)
        assert summed["spans", by_text] - summed["fit", by_text] == len(misfits)
        for other in ALL:
            if other != asked:
                assert summed[other, by_text] == sum(fits(t, s, other, by_text) for t, s in misfits)
    if never_diagnosed(summed, **options):
        assert reference(documents, asked) is None
