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

from ..errors import InputError
from ..jsonio import read_json
from ..schema import sha256_text
from .common import (
    LabelMapper,
    Options,
    SpanReader,
    document_text,
    entity,
    finished,
    named_documents,
)

EXPECTED_SPAN = 'an object {"label": string, "start": integer, "end": integer}'


def read(inputs: Sequence[str | Path], options: Options) -> list[dict[str, Any]]:
    """Prediction records (entities) of nervaluate span-list files."""
    mapper = LabelMapper(options.labels)
    doc_ids = list(options.doc_ids)
    records: dict[str, dict[str, Any]] = {}
    for given in inputs:
        path = Path(given)
        for doc_id, pointer, spans in named_documents(read_json(path), path, doc_ids):
            if doc_id in records:
                raise InputError(f"document {doc_id!r} appears twice", file=path, pointer=pointer)
            if not isinstance(spans, list):
                raise InputError(
                    "a document's spans must be a list",
                    file=path,
                    pointer=pointer,
                    expected=f"a list of {EXPECTED_SPAN}",
                )
            text = document_text(options.texts, doc_id, path, None)
            place = SpanReader(text, options)
            entities = []
            for index, span in enumerate(spans):
                where = f"{pointer}/{index}"
                if not (
                    isinstance(span, dict)
                    and isinstance(span.get("label"), str)
                    and type(span.get("start")) is int
                    and type(span.get("end")) is int
                ):
                    raise InputError(
                        "not a nervaluate span", file=path, pointer=where, expected=EXPECTED_SPAN
                    )
                start, end = place(span["start"], span["end"], path, where)
                kind = mapper(span["label"], path, "#", where)
                if (item := entity(text, start, end, kind, span.get("score"))) is not None:
                    entities.append(item)
            records[doc_id] = {
                "doc_id": doc_id,
                "text_sha256": sha256_text(text),
                "entities": entities,
            }
    if doc_ids:
        raise InputError(
            f"{len(doc_ids)} --doc-id value(s) left over ({', '.join(doc_ids[:5])})",
            expected="one --doc-id per document list",
        )
    mapper.check()
    return finished(records.values(), "<nervaluate>", options.texts)
