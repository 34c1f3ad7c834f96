"""The Hugging Face `token-classification` (NER) pipeline's output, as `json.dump` writes it.

One list per document, in a JSON object {doc_id: [...]} or a list of lists named by `--doc-id`
in order (the pipeline called on a list of texts returns a list of lists). Two item shapes:

- aggregated (`aggregation_strategy` simple, first, average, max): {"entity_group": "PER",
  "score": 0.99, "word": "Shoigu", "start": 0, "end": 6}: one entity per item;
- per token (no aggregation): {"entity": "B-PER", "score": 0.99, "index": 1, "word": "Sho",
  "start": 0, "end": 3}: merged into entities by `--scheme` as `conll` merges tags (seqeval's
  non-strict reading). The pipeline leaves out tokens tagged O, so a gap in `index` is an O;
  an `entity` without a prefix (IO tagging) reads as I-.

The pipeline returns `score` as a numpy float32, which `json.dump` refuses: dump with
`default=float` (or turn the scores into floats first).

`start`/`end` are character offsets into the text the pipeline was given (code points from a
fast tokenizer; `--offsets`, `--end` for anything else). They are read as given, also where
they fall inside a word (a `##` piece tagged on its own; `simple` aggregation does not widen a
group to whole words): the span is what the system predicted. `word` is the tokenizer's
rendering ("Kim Jong - un" for "Kim Jong-un", "##d") and is not compared with the text. White
space at a span's edges (byte-level BPE tokens carry the space before a word) is left out of
the span. `score` is kept where the prediction schema allows it (the mean of the tokens'
scores for merged tokens)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sourcetrace.convert.common import (
    DocumentList,
    JsonLines,
    Options,
    entity,
    read_document_lists,
    score_allowed,
)
from sourcetrace.convert.conll import chunks, split_tag
from sourcetrace.errors import InputError

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


def _entities(found: DocumentList) -> list[dict[str, Any]]:
    path, pointer = found.path, found.pointer
    checked = [_checked(item, path, pointer, i) for i, item in enumerate(found.items)]
    spans = [
        found.place(item["start"], item["end"], path, pointer, "/", i)
        for i, item in enumerate(checked)
    ]
    merged = []  # (label, start, end, scores, index of the first item)
    for i, item in enumerate(checked):
        if "entity_group" in item:
            merged.append((item["entity_group"], *spans[i], [item.get("score")], i))
    tokens = [i for i, item in enumerate(checked) if "entity_group" not in item]
    tags, positions = _token_tags([checked[i] for i in tokens], found.scheme, path, pointer)
    for label, first, after in chunks(tags):
        members = [tokens[p] for p in positions[first:after] if p is not None]
        merged.append(
            (label, spans[members[0]][0], spans[members[-1]][1],
             [checked[m].get("score") for m in members], members[0])
        )  # fmt: skip
    entities = []
    for label, start, end, scores, first in sorted(merged, key=lambda f: (f[1], f[2])):
        kind = found.mapper(label, path, "#", pointer, "/", first)
        if (item := entity(found.text, start, end, kind, _mean(scores))) is not None:
            entities.append(item)
    return entities


def _aggregated_in_order(
    items: list[Any], text: str, labels: Mapping[str, str | None]
) -> list[dict[str, Any]] | None:
    """`_entities` of a list of aggregated items in text order (as the pipeline writes them),
    read in our own offset convention, each with a mapped label, a span inside the text and a
    score in [0, 1] or none, in one loop; None for any other list, which `_entities` reads item
    by item (and words any problem). What it makes is valid as made: it is not checked again
    (tests/convert/test_hf.py proves both on any list)."""
    length = len(text)
    keep_score = score_allowed()
    entities = []
    previous_start = previous_end = 0  # (start, end) never go back
    for item in items:
        if type(item) is not dict:
            return None
        try:  # a key missing (an item or a label): None
            start, end, label = item["start"], item["end"], item["entity_group"]
            if (
                type(start) is not int
                or type(end) is not int
                or not previous_start <= start < end <= length
                or (start == previous_start and end < previous_end)
                or type(label) is not str
            ):
                return None
            kind = labels[label]
        except KeyError:
            return None
        previous_start, previous_end = start, end
        if kind is None:
            continue
        score = item.get("score")
        if type(score) is float:
            if not 0.0 <= score <= 1.0:
                return None  # not a confidence: the careful reading refuses it
        elif type(score) is int:  # the mean of one score: a float, as `_mean` makes it
            score = score / 1
            if not 0.0 <= score <= 1.0:
                return None
        else:
            score = None
        covered = text[start:end]
        if covered.strip() is not covered:  # white space at an edge (or a copy made anyway)
            if (trimmed := entity(text, start, end, kind, score)) is not None:
                entities.append(trimmed)
        elif score is not None and keep_score:
            entities.append(
                {"start": start, "end": end, "text": covered, "type": kind, "score": score}
            )
        else:
            entities.append({"start": start, "end": end, "text": covered, "type": kind})
    return entities


def read(
    inputs: Sequence[str | Path],
    options: Options,
    as_written: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Prediction records (entities) of token-classification pipeline output files
    (``as_written``: see `read_document_lists`)."""
    return read_document_lists(
        inputs, options, "hf", EXPECTED_ITEM, _entities, _aggregated_in_order, None, as_written
    )


def read_jsonl(
    inputs: Sequence[str | Path],
    options: Options,
    as_written: list[dict[str, Any]] | None = None,
) -> JsonLines:
    """`read`'s records as JSON Lines (`convert_jsonl`): those of the lists read in one loop
    written as they come, PART_RECORDS at a time, the others as `read` makes them."""
    lines = JsonLines()
    read_document_lists(
        inputs, options, "hf", EXPECTED_ITEM, _entities, _aggregated_in_order, lines, as_written
    )
    return lines


def _mean(scores: list[Any]) -> float | None:
    if len(scores) == 1 and type(scores[0]) is float:  # an aggregated item: its own score
        return scores[0]
    numbers = [s for s in scores if isinstance(s, int | float) and not isinstance(s, bool)]
    return sum(numbers) / len(numbers) if numbers and len(numbers) == len(scores) else None
