"""Offset conventions at the border: what a file's `start`/`end` count, read into ours.

Ours are Python code-point offsets into the text, end exclusive. A system may count UTF-16 code
units (JavaScript, Java, Label Studio in the browser) or UTF-8 bytes (Rust, Go, C), and may end
a span on its last character (end inclusive, as nervaluate's span lists and many CoNLL-derived
tools do). Each such convention is read by an option, never guessed in silence.
"""

from __future__ import annotations

import copy
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, product
from pathlib import Path
from typing import Any

from sourcetrace.errors import InputError, raise_all

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


def to_codepoint(boundaries: Sequence[int], offset: int) -> int | None:
    """The code-point index at ``offset`` (in the unit of ``boundaries``), or None when the
    offset falls inside a character (a surrogate pair, a multi-byte sequence) or past the end."""
    index = bisect_left(boundaries, offset)
    return index if index < len(boundaries) and boundaries[index] == offset else None


def spans_of(record: Any) -> Iterator[dict[str, Any]]:
    """Every span object of a prediction or gold record: a dict that carries both an integer
    `start` and an integer `end` (entities, claims, and an attribution's source, cue, content)."""
    return (span for _, span in span_pointers(record))


def span_pointers(record: Any, pointer: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """`spans_of` with the JSON pointer of each span (``/entities/3``, ``/attributions/0/cue``);
    the record's own top level is not a span (a document's `text` is no span text)."""
    if isinstance(record, dict):
        if pointer and type(record.get("start")) is int and type(record.get("end")) is int:
            yield pointer, record
        for key, value in record.items():
            if isinstance(value, dict | list):
                yield from span_pointers(value, f"{pointer}/{key}")
    elif isinstance(record, list):
        for index, item in enumerate(record):
            yield from span_pointers(item, f"{pointer}/{index}")


def _span_objects(record: Any) -> list[dict[str, Any]]:
    """The spans of `spans_of`, in no particular order, found without writing their pointers
    (the diagnosis counts spans; it never names one)."""
    found: list[dict[str, Any]] = []
    stack: list[Any] = [record] if isinstance(record, list) else []
    if isinstance(record, dict):  # the record's own top level is no span
        stack += [item for item in record.values() if isinstance(item, dict | list)]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack += [item for item in value if isinstance(item, dict | list)]
            continue
        if type(value.get("start")) is int and type(value.get("end")) is int:
            found.append(value)
        for item in value.values():
            if isinstance(item, dict | list):
                stack.append(item)
    return found


def read_span(
    boundaries: Sequence[int], start: int, end: int, *, end_convention: str = DEFAULT_END
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


@dataclass(frozen=True)
class Convention:
    """How a file counts its offsets: the unit (--offsets) and the end (--end)."""

    offsets: str = DEFAULT_OFFSETS
    end: str = DEFAULT_END

    def __post_init__(self) -> None:
        if self.offsets not in OFFSET_UNITS:
            raise InputError(
                f"unknown offset unit {self.offsets!r}",
                expected="one of " + ", ".join(OFFSET_UNITS),
            )
        if self.end not in END_CONVENTIONS:
            raise InputError(
                f"unknown end convention {self.end!r}",
                expected="one of " + ", ".join(END_CONVENTIONS),
            )

    @property
    def is_ours(self) -> bool:
        return (self.offsets, self.end) == (DEFAULT_OFFSETS, DEFAULT_END)

    def __str__(self) -> str:
        return f"--offsets {self.offsets} --end {self.end}"

    def options_from(self, asked: Convention) -> str:
        """The options that read a file in this convention, for a user who asked for ``asked``:
        each that differs from the default or from what was asked."""
        options = [
            f"--{name} {mine}"
            for name, mine, theirs, default in (
                ("offsets", self.offsets, asked.offsets, DEFAULT_OFFSETS),
                ("end", self.end, asked.end, DEFAULT_END),
            )
            if mine != default or mine != theirs
        ]
        return " ".join(options) or str(self)


OURS = Convention()
# every convention, ours first: a tie between candidates goes to the earlier one
CONVENTIONS = tuple(Convention(unit, end) for end, unit in product(END_CONVENTIONS, OFFSET_UNITS))

TextOf = Callable[[Any], str | None]  # a record -> the text its offsets count in, or None
WORD_FIT_CHUNK = 4096  # spans whose word edges are read on columns at once (memory, not speed)
# spans from which word edges are read on columns (numpy) rather than one span at a time: below,
# importing numpy costs more than it saves (a `convert` that judges a sample of 200 documents)
WORD_FIT_COLUMNS_FROM = 5000


class _Boundaries:
    """Unit boundaries of each document's text, computed once per (text, unit)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[int, str], Sequence[int]] = {}

    def of(self, text: str, unit: str) -> Sequence[int]:
        key = (id(text), unit)
        if key not in self._cache:  # code points: a range, not a list as long as the text
            bounds = range(len(text) + 1) if unit == "codepoint" else unit_boundaries(text, unit)
            self._cache[key] = bounds
        return self._cache[key]


def record_to_codepoints(
    value: Any,
    text: str | None,
    convention: Convention,
    file: str | Path,
    line: int,
    boundaries: _Boundaries | None = None,
) -> tuple[Any, list[InputError]]:
    """A copy of one record with every span read into code points, end exclusive, and the
    problems of the spans that cannot be placed. Without a text (unknown document) or in our own
    convention, the record is returned as it is: validation says what is wrong with it."""
    if convention.is_ours or text is None:
        return value, []
    boundaries = boundaries or _Boundaries()
    units = boundaries.of(text, convention.offsets)
    value = copy.deepcopy(value)
    problems = []
    for pointer, span in span_pointers(value):
        placed = read_span(units, span["start"], span["end"], end_convention=convention.end)
        if placed is None:
            doc_id = value.get("doc_id") if isinstance(value, dict) else None
            problems.append(
                InputError(
                    f"span [{span['start']}, {span['end']}] of {doc_id!r} cannot be placed on "
                    f"its text read with {convention}: an offset falls inside a character or "
                    "past the end",
                    file=file,
                    line=line,
                    pointer=pointer,
                    expected=f"{convention.offsets} offsets on character boundaries, 0 .. "
                    f"{units[-1]}, end {convention.end}",
                )
            )
            continue
        span["start"], span["end"] = placed
    return value, problems


def records_to_codepoints(
    records: Iterable[Any],
    texts: Any,
    *,
    offsets: str = DEFAULT_OFFSETS,
    end: str = DEFAULT_END,
    file: str | Path = "<predictions>",
) -> list[Any]:
    """Prediction (or gold) records with every span rewritten into our convention, code points
    and end exclusive (what `sourcetrace convert` and `evaluate --offsets/--end` read through).

    ``texts``: doc_id -> text (a mapping or a function); a record's own `text` wins. A span that
    cannot be placed raises InputError naming the document, the JSON pointer and the convention
    (InputErrors when several)."""
    convention = Convention(offsets, end)
    text_of = text_lookup(texts)
    boundaries = _Boundaries()
    converted, problems = [], []
    for index, value in enumerate(records):
        new, found = record_to_codepoints(
            value, text_of(value), convention, file, index + 1, boundaries
        )
        converted.append(new)
        problems += found
    raise_all(problems)
    return converted


def text_lookup(texts: Any) -> TextOf:
    """record -> its own `text`, else the text of its doc_id from ``texts`` (a mapping or a
    function doc_id -> text or None)."""
    lookup = texts if callable(texts) else (texts or {}).get

    def text_of(value: Any) -> str | None:
        if not isinstance(value, dict):
            return None
        if isinstance(value.get("text"), str):
            return value["text"]
        doc_id = value.get("doc_id")
        return lookup(doc_id) if isinstance(doc_id, str) else None

    return text_of


# ---------------------------------------------------------------- diagnosis


def _fits_words(text: str, start: int, end: int) -> bool:
    """A span whose edges fall on word edges and not in white space: what a span read in the
    right convention almost always is, and one read one character short almost never."""
    if not 0 <= start < end <= len(text):
        return False
    if text[start].isspace() or text[end - 1].isspace():
        return False
    cuts_start = start > 0 and text[start - 1].isalnum() and text[start].isalnum()
    cuts_end = end < len(text) and text[end - 1].isalnum() and text[end].isalnum()
    return not (cuts_start or cuts_end)


@dataclass(frozen=True)
class Diagnosis:
    """The convention a file seems to use, against the one it was read with."""

    seems: Convention
    asked: Convention
    fitting: int  # spans that fit when read as ``seems``
    fitting_asked: int  # ... when read as asked
    spans: int  # spans judged
    by_text: bool  # judged against the spans' own text (else by word edges of the document)

    def message(self, source: str) -> str:
        how = "match their text" if self.by_text else "fall on word edges of the document text"
        asked = "the default" if self.asked.is_ours else "what was asked"
        return (
            f"the spans of {source} {how} when read with {self.seems.options_from(self.asked)} "
            f"({self.fitting} of {self.spans}); read with {self.asked} ({asked}) only "
            f"{self.fitting_asked} do: the file seems to count its offsets that way"
        )


def _fitting(
    spans: list[tuple[str, dict[str, Any]]],
    convention: Convention,
    by_text: bool,
    boundaries: _Boundaries,
) -> int:
    """How many spans fit when read in ``convention``: their own text, or word edges."""
    return sum(_fit_flags(spans, convention, by_text, boundaries))


def _fit_flags(
    spans: list[tuple[str, dict[str, Any]]],
    convention: Convention,
    by_text: bool,
    boundaries: _Boundaries,
) -> list[bool]:
    """Whether each span fits when read in ``convention`` (see `_fitting`)."""
    if convention.is_ours and not by_text and len(spans) >= WORD_FIT_COLUMNS_FROM:
        try:  # a chunk at a time: the texts laid end to end stay small
            return [
                fits
                for at in range(0, len(spans), WORD_FIT_CHUNK)
                for fits in _fit_words_in_codepoints(spans[at : at + WORD_FIT_CHUNK])
            ]
        except OverflowError:  # an offset beyond 64 bits: read one at a time
            pass
    if convention.is_ours:  # code points, end exclusive: placed when both ends are in the text
        return [
            0 <= span["start"] <= len(text)
            and 0 <= span["end"] <= len(text)
            and (
                text[span["start"] : span["end"]] == span["text"]
                if by_text
                else _fits_words(text, span["start"], span["end"])
            )
            for text, span in spans
        ]
    flags = []
    for text, span in spans:
        placed = read_span(
            boundaries.of(text, convention.offsets),
            span["start"],
            span["end"],
            end_convention=convention.end,
        )
        if placed is None:
            flags.append(False)
        elif by_text:
            flags.append(text[placed[0] : placed[1]] == span["text"])
        else:
            flags.append(_fits_words(text, *placed))
    return flags


def _fit_words_in_codepoints(spans: list[tuple[str, dict[str, Any]]]) -> list[bool]:
    """`_fits_words` of every span read in our convention, on whole columns: the texts laid end
    to end with a NUL between them (neither white space nor alphanumeric, so a span at a text's
    edge cuts no word), the four characters around each span's edges gathered at once, and
    `str.isspace`/`str.isalnum` asked once per distinct character."""
    if not spans:
        return []
    import numpy as np  # imported here: the commands that never diagnose a file start faster

    base_of: dict[int, int] = {}
    parts: list[str] = []
    total = 1
    for text, _ in spans:
        if id(text) not in base_of:
            base_of[id(text)] = total
            parts.append(text)
            total += len(text) + 1
    joined = "\0" + "\0".join(parts) + "\0"
    points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    starts = np.array([span["start"] for _, span in spans], dtype=np.int64)
    ends = np.array([span["end"] for _, span in spans], dtype=np.int64)
    lengths = np.array([len(text) for text, _ in spans], dtype=np.int64)
    bases = np.array([base_of[id(text)] for text, _ in spans], dtype=np.int64)
    placed = (starts >= 0) & (starts < ends) & (ends <= lengths)
    first = np.where(placed, bases + starts, 1)
    last = np.where(placed, bases + ends - 1, 1)
    around = points[np.concatenate([first - 1, first, last, last + 1])]
    distinct, index = np.unique(around, return_inverse=True)
    space = np.array([chr(point).isspace() for point in distinct.tolist()], dtype=bool)[index]
    alnum = np.array([chr(point).isalnum() for point in distinct.tolist()], dtype=bool)[index]
    count = len(spans)
    before, at_first, at_last, after = (slice(i * count, (i + 1) * count) for i in range(4))
    fits = placed & ~space[at_first] & ~space[at_last]
    fits &= ~(alnum[before] & alnum[at_first]) & ~(alnum[at_last] & alnum[after])
    return fits.tolist()


def _judged_spans(
    records: Iterable[Any], texts: Any
) -> dict[bool, list[tuple[str, dict[str, Any]]]]:
    """The spans of ``records`` with their document's text, by whether they carry their own
    `text` (judged by it) or not (judged by the document's words)."""
    text_of = text_lookup(texts)
    judged: dict[bool, list[tuple[str, dict[str, Any]]]] = {True: [], False: []}
    with_text, without_text = judged[True], judged[False]
    for value in records:
        text = text_of(value)
        if text is not None:
            for span in _span_objects(value):
                if isinstance(span.get("text"), str):
                    with_text.append((text, span))
                else:
                    without_text.append((text, span))
    return judged


def misfit_counts(
    records: Iterable[Any], texts: Any, *, offsets: str = DEFAULT_OFFSETS, end: str = DEFAULT_END
) -> Counter[tuple[Any, bool]]:
    """What `diagnose` first counts of ``records``, in a form that adds up over the chunks of a
    file (a run read a chunk at a time): per kind of span (by its text or not), the spans, those
    that fit as asked, and how many of those that do not fit each other convention fits."""
    return _counted(_judged_spans(records, texts), Convention(offsets, end), _Boundaries())


def _counted(
    judged: dict[bool, list[tuple[str, dict[str, Any]]]],
    asked: Convention,
    boundaries: _Boundaries,
) -> Counter[tuple[Any, bool]]:
    """`misfit_counts` of spans already judged."""
    counts: Counter[tuple[Any, bool]] = Counter()
    for by_text, spans in judged.items():
        fits_asked = _fit_flags(spans, asked, by_text, boundaries)
        counts["spans", by_text] += len(spans)
        counts["fit", by_text] += sum(fits_asked)
        misfit_spans = [span for span, fits in zip(spans, fits_asked, strict=True) if not fits]
        if misfit_spans:
            for convention in CONVENTIONS:
                if convention != asked:
                    counts[convention, by_text] += _fitting(
                        misfit_spans, convention, by_text, boundaries
                    )
    return counts


def never_diagnosed(
    counts: Counter[tuple[Any, bool]], *, offsets: str = DEFAULT_OFFSETS, end: str = DEFAULT_END
) -> bool:
    """Whether `diagnose` of the records whose `misfit_counts` these are (summed) is None for
    sure: every span fits as asked, or no other way fits half of those that do not (the first
    test of `diagnose`). False: it may diagnose, and needs the records."""
    asked = Convention(offsets, end)
    for by_text in (True, False):
        misfits = counts["spans", by_text] - counts["fit", by_text]
        if misfits and not all(
            counts[convention, by_text] * 2 < misfits
            for convention in CONVENTIONS
            if convention != asked
        ):
            return False
    return True


def _shared(one: Convention, other: Convention) -> int:
    """How many of the two options the conventions share: a tie goes to the nearest."""
    return (one.offsets == other.offsets) + (one.end == other.end)


class OffsetConventionWarning(UserWarning):
    """Spans that validate but seem to count in another convention than the one asked for."""


def diagnose(
    records: Iterable[Any], texts: Any, *, offsets: str = DEFAULT_OFFSETS, end: str = DEFAULT_END
) -> Diagnosis | None:
    """The convention the spans of ``records`` seem to use when it is not the one asked for.

    Spans that carry their `text` are judged by it (does text[start:end] equal it?), spans
    without by the document's words (an edge inside a word or in white space does not fit).
    A diagnosis needs another way that fits at least half of all spans and at least half of
    those that do not fit as asked (UTF-8 offsets fit as code points up to the first non-ASCII
    character, so "most fit as asked" would miss them); ties go to the convention nearest the
    one asked. Only when some span does not fit as asked are the others tried."""
    return diagnose_and_count(records, texts, offsets=offsets, end=end)[0]


def diagnose_and_count(
    records: Iterable[Any], texts: Any, *, offsets: str = DEFAULT_OFFSETS, end: str = DEFAULT_END
) -> tuple[Diagnosis | None, Counter[tuple[Any, bool]]]:
    """`diagnose` and `misfit_counts` of ``records`` from one judging of their spans (a chunk
    of a run read a chunk at a time needs both): the diagnosis starts from those counts."""
    asked = Convention(offsets, end)
    judged = _judged_spans(records, texts)
    boundaries = _Boundaries()
    counts = _counted(judged, asked, boundaries)
    for by_text in (True, False):
        spans = judged[by_text]
        fitting_asked = counts["fit", by_text]
        misfits = len(spans) - fitting_asked
        if not misfits:
            continue
        # Another way gains over the asked one at most the misfits it fits: when no way fits
        # half of them, none can be diagnosed, and the spans that fit are not read again.
        if all(counts[c, by_text] * 2 < misfits for c in CONVENTIONS if c != asked):
            continue
        fitting = {c: _fitting(spans, c, by_text, boundaries) for c in CONVENTIONS if c != asked}
        fitting[asked] = fitting_asked
        best = max(
            CONVENTIONS, key=lambda c: (fitting[c], _shared(c, asked), -CONVENTIONS.index(c))
        )
        explained = fitting[best] - fitting_asked
        if best != asked and len(spans) <= fitting[best] * 2 and misfits <= explained * 2:
            return Diagnosis(best, asked, fitting[best], fitting_asked, len(spans), by_text), counts
    return None, counts
