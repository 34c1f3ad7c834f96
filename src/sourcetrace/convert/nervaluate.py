"""nervaluate's span lists: per document, a list of {"label", "start", "end"} (nervaluate 1.2.1's
`Evaluator(true, pred, tags, loader="default")` input, the shape of prodi.gy spans).

nervaluate compares the integers whatever they count. Its own loaders (`conll`, `list`) make
token indices with `end` on the last token (inclusive); prodi.gy spans are character offsets
with `end` past the span (exclusive). This reader takes character offsets: their unit by
`--offsets` (code points by default; utf16, utf8) and their end by `--end` (exclusive by
default; `--end inclusive` for an end on the last character). Token indices cannot be placed
without the tokens: convert the tags with `conll` instead.

Two file shapes: a JSON object {doc_id: [span, ...]}, or nervaluate's own list of lists (one
list per document), the documents named by `--doc-id` in order. Keys besides label, start and
end are ignored, except `score`, kept when the prediction schema allows it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sourcetrace.convert.common import DocumentList, Options, entity, read_document_lists
from sourcetrace.errors import InputError

EXPECTED_SPAN = 'an object {"label": string, "start": integer, "end": integer}'


def _entities(found: DocumentList) -> list[dict[str, Any]]:
    entities = []
    for index, span in enumerate(found.items):
        if not (
            isinstance(span, dict)
            and isinstance(span.get("label"), str)
            and type(span.get("start")) is int
            and type(span.get("end")) is int
        ):
            raise InputError(
                "not a nervaluate span",
                file=found.path,
                pointer=f"{found.pointer}/{index}",
                expected=EXPECTED_SPAN,
            )
        start, end = found.place(span["start"], span["end"], found.path, found.pointer, "/", index)
        kind = found.mapper(span["label"], found.path, "#", found.pointer, "/", index)
        if (item := entity(found.text, start, end, kind, span.get("score"))) is not None:
            entities.append(item)
    return entities


def read(
    inputs: Sequence[str | Path],
    options: Options,
    as_written: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Prediction records (entities) of nervaluate span-list files (``as_written``: see
    `read_document_lists`)."""
    return read_document_lists(
        inputs, options, "nervaluate", EXPECTED_SPAN, _entities, as_written=as_written
    )
