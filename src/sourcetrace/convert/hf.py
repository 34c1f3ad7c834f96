"""The Hugging Face `token-classification` (NER) pipeline's output, as `json.dump` writes it.

One list per document, in a JSON object {doc_id: [...]} or a list of lists named by `--doc-id`
in order (the pipeline called on a list of texts returns a list of lists). Two item shapes:

- aggregated (`aggregation_strategy` simple, first, average, max): {"entity_group": "PER",
  "score": 0.99, "word": "Shoigu", "start": 0, "end": 6}: one entity per item;
- per token (no aggregation): {"entity": "B-PER", "score": 0.99, "index": 1, "word": "Sho",
  "start": 0, "end": 3}: merged into entities by `--scheme` as `conll` merges tags (seqeval's
  non-strict reading). The pipeline leaves out tokens tagged O, so a gap in `index` is an O;
  an `entity` without a prefix (IO tagging) reads as I-.

`start`/`end` are character offsets into the text the pipeline was given (code points from a
fast tokenizer; `--offsets`, `--end` for anything else). `word` is the tokenizer's rendering
and is not compared with the text. White space at a span's edges (byte-level BPE tokens carry
the space before a word) is left out of the span. `score` is kept where the prediction schema
allows it (the mean of the tokens' scores for merged tokens)."""

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
from .conll import chunks, split_tag

EXPECTED_ITEM = (
    'an object with "entity_group" (aggregated) or "entity" (per token), and integer "start" '
    'and "end"'
)


def _checked(item: Any, path: Path, pointer: str, index: int) -> dict[str, Any]:
    label = item.get("entity_group", item.get("entity")) if isinstance(item, dict) else None
    if (
        not isinstance(label, str)
        or type(item.get("start")) is not int
        or type(item.get("end")) is not int
    ):
        raise InputError(
            "not a token-classification pipeline item (start/end are null for slow tokenizers: "
            "use a fast one)",
            file=path,
            pointer=f"{pointer}/{index}",
            expected=EXPECTED_ITEM,
        )
    return item


def _token_tags(items: list[dict[str, Any]], scheme: str, path: Path, pointer: str) -> list:
    """(letter, type) per token in order, with an O for each token the pipeline left out."""
    tags: list[tuple[str, str] | None] = []
    previous_index: int | None = None
    positions = []
    for number, item in enumerate(items):
        index = item.get("index")
        if type(index) is int and previous_index is not None and index > previous_index + 1:
            tags.append(("O", ""))
            positions.append(None)
        previous_index = index if type(index) is int else None
        label = item["entity"]
        tag = label if label == "O" or "-" in label[:2] else f"I-{label}"
        parsed = split_tag(tag, scheme)
        if parsed is None:
            raise InputError(
                f"entity {label!r} is not of the {scheme} scheme",
                file=path,
                pointer=f"{pointer}/{number}/entity",
                expected="B-, I-, ... prefixes of --scheme, or a bare label (IO tagging)",
            )
        tags.append(parsed)
        positions.append(number)
    return [tags, positions]


def read(inputs: Sequence[str | Path], options: Options) -> list[dict[str, Any]]:
    """Prediction records (entities) of token-classification pipeline output files."""
    mapper = LabelMapper(options.labels)
    doc_ids = list(options.doc_ids)
    records: dict[str, dict[str, Any]] = {}
    for given in inputs:
        path = Path(given)
        for doc_id, pointer, items in named_documents(read_json(path), path, doc_ids):
            if doc_id in records:
                raise InputError(f"document {doc_id!r} appears twice", file=path, pointer=pointer)
            if not isinstance(items, list):
                raise InputError(
                    "a document's output must be a list", file=path, pointer=pointer,
                    expected=f"a list of {EXPECTED_ITEM}",
                )  # fmt: skip
            text = document_text(options.texts, doc_id, path, None)
            place = SpanReader(text, options)
            checked = [_checked(item, path, pointer, i) for i, item in enumerate(items)]
            spans = [
                place(item["start"], item["end"], path, pointer, "/", i)
                for i, item in enumerate(checked)
            ]
            found = []  # (label, start, end, scores, pointer)
            grouped = [i for i, item in enumerate(checked) if "entity_group" in item]
            for i in grouped:
                found.append((checked[i]["entity_group"], *spans[i], [checked[i].get("score")], i))
            tokens = [i for i, item in enumerate(checked) if "entity_group" not in item]
            tags, positions = _token_tags(
                [checked[i] for i in tokens], options.scheme, path, pointer
            )
            for label, first, after in chunks(tags):
                members = [tokens[p] for p in positions[first:after] if p is not None]
                found.append(
                    (label, spans[members[0]][0], spans[members[-1]][1],
                     [checked[m].get("score") for m in members], members[0])
                )  # fmt: skip
            entities = []
            for label, start, end, scores, first in sorted(found, key=lambda f: (f[1], f[2])):
                kind = mapper(label, path, "#", pointer, "/", first)
                if (item := entity(text, start, end, kind, _mean(scores))) is not None:
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
    return finished(records.values(), "<hf>", options.texts)


def _mean(scores: list[Any]) -> float | None:
    if len(scores) == 1 and type(scores[0]) is float:  # an aggregated item: its own score
        return scores[0]
    numbers = [s for s in scores if isinstance(s, int | float) and not isinstance(s, bool)]
    return sum(numbers) / len(numbers) if numbers and len(numbers) == len(scores) else None
