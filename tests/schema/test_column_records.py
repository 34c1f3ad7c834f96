"""Column records (records of a clean chunk kept as its lines and columns) read as the reader's
values, and the entity scorers that read them from their columns give the tallies of the dicts.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sourcetrace.evaluation.settings import make_settings
from sourcetrace.jsonio import record_of_line
from sourcetrace.schema import columns
from sourcetrace.schema.column_records import (
    BufferLines,
    ChunkRecords,
    ColumnRecord,
    entity_arrays,
    has_scored_items,
    items_count,
)
from sourcetrace.scoring.entity_layer import ENTITIES, ENTITY_CLUSTERS

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

WORDS = ("Kyiv", "naïve", "東京", "drone😀s", "ok", "x", "NATO")
TYPES = ("PERSON", "ORG", "GPE")
MENTIONS = ("name", "nominal", "pronoun")


@st.composite
def pair(draw: Any, index: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """A clean gold record (with its text) and a clean prediction of the same document, with
    duplicate spans, nested spans, text-only items, entity ids and scores drawn."""
    words = draw(st.lists(st.sampled_from(WORDS), max_size=8))
    text, bounds = "", []
    for word in words:
        text += " " if text else ""
        bounds.append((len(text), len(text) + len(word)))
        text += word
    text = text or "·"
    entities = []
    for number in range(draw(st.integers(0, 6)) if words else 0):
        first = draw(st.integers(0, len(words) - 1))
        last = draw(st.integers(first, min(first + 2, len(words) - 1)))
        start, end = bounds[first][0], bounds[last][1]
        kind = draw(st.integers(0, 4))
        entities.append(
            {
                "id": f"e{number}",
                "start": start,
                "end": end,
                "text": text[start:end],
                "type": TYPES[kind % len(TYPES)],
                "mention": draw(st.sampled_from(MENTIONS)),
                "entity": f"ent-{kind}",
            }
        )
    doc_id = f"d-{index:03d}"
    gold = {
        "doc_id": doc_id,
        "text": text,
        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "entities": entities,
        "claims": [],
        "attributions": [],
    }
    predicted = []
    scored = draw(st.booleans())
    for entity in entities:
        how = draw(st.sampled_from(("same", "retyped", "dropped", "text only", "twice")))
        if how == "dropped":
            continue
        item: dict[str, Any] = {"start": entity["start"], "end": entity["end"]}
        if how == "text only":
            item = {"text": entity["text"]}
        item["type"] = TYPES[0] if how == "retyped" else entity["type"]
        if scored:
            item["score"] = 0.5
        predicted += [item] * (2 if how == "twice" else 1)
    prediction: dict[str, Any] = {"doc_id": doc_id}
    if draw(st.integers(0, 5)):  # now and then a record without the layer
        prediction["entities"] = predicted
    if predicted and "start" in predicted[0] and draw(st.booleans()):
        predicted[0]["entity"] = "p-1"
    return gold, prediction


def _chunk(records: list[dict[str, Any]], kind: str) -> ChunkRecords | None:
    """The records as a clean chunk of a file (None when the columns are not certain)."""
    raws = [json.dumps(r, ensure_ascii=False).encode("utf-8") for r in records]
    lines = [(number, 0, raw) for number, raw in enumerate(raws, start=1)]
    texts = {r["doc_id"]: r["text"] for r in records if "text" in r}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(columns, "MIN_FILE_BYTES", 0)
        table = columns.clean_lines_table(b"\n".join(raws), kind, texts.get, file_bytes=1)
    if table is None:
        return None
    return ChunkRecords(Path("chunk.jsonl"), lines, table)


@settings(max_examples=80, deadline=None)
@given(pairs=st.integers(1, 6).flatmap(lambda n: st.tuples(*(pair(i) for i in range(n)))))
def test_column_records_read_as_the_reader_and_score_as_the_dicts(pairs: Any) -> None:
    """Each column record equals the reader's value of its line and has the same keys; its item
    counts, score test and entity arrays are those of the dicts; both entity scorers tally the
    same numbers from the columns as from the dicts, with and without the mention filter."""
    golds = [gold for gold, _ in pairs]
    preds = [pred for _, pred in pairs]
    gold_chunk = _chunk(golds, "annotation")
    assert gold_chunk is not None
    texts = {gold["doc_id"]: gold["text"] for gold in golds}
    pred_raws = [json.dumps(p, ensure_ascii=False).encode("utf-8") for p in preds]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(columns, "MIN_FILE_BYTES", 0)
        table = columns.clean_lines_table(
            b"\n".join(pred_raws), "prediction", texts.get, file_bytes=1
        )
    assert table is not None

    pred_chunk = ChunkRecords(
        Path("p.jsonl"), [(n, 0, r) for n, r in enumerate(pred_raws, 1)], table
    )
    gold_records, pred_records = gold_chunk.records(), pred_chunk.records()
    for record, value in zip(gold_records + pred_records, golds + preds, strict=True):
        read = record_of_line(json.dumps(value, ensure_ascii=False).encode(), 1, 0, Path("x"))
        assert read is not None
        for key in ("doc_id", "text", "text_sha256", "entities", "claims", "attributions", "x"):
            assert (key in record) == (key in value)
        assert dict(record) == read.value
        assert record["doc_id"] == value["doc_id"]
        for mentions in (None, frozenset({"name"}), frozenset(MENTIONS)):
            expected = len(value.get("entities") or [])
            if mentions is not None:
                expected = sum(
                    1 for item in value.get("entities") or [] if item.get("mention") in mentions
                )
            assert items_count(record, "entities", mentions) == expected
            assert items_count(value, "entities", mentions) == expected
    scored = any("score" in item for pred in preds for item in pred.get("entities") or [])
    assert has_scored_items(pred_records, "entities") is scored
    assert has_scored_items(preds, "entities") is None

    # a prediction of each gold document, or none (scored as empty)
    empty = {"entities": [], "claims": [], "attributions": []}
    order = list(range(len(golds)))[::-1]
    batch_columns = [
        (gold_records[i], pred_records[i] if i % 3 else empty, texts[golds[i]["doc_id"]])
        for i in order
    ]
    batch_dicts = [
        (golds[i], preds[i] if i % 3 else empty, texts[golds[i]["doc_id"]]) for i in order
    ]
    arrays = entity_arrays([gold for gold, _, _ in batch_columns], mentions=True, entities=True)
    assert arrays is not None
    flat = [entity for gold, _, _ in batch_dicts for entity in gold["entities"]]
    assert arrays.sizes.tolist() == [len(gold["entities"]) for gold, _, _ in batch_dicts]
    assert arrays.start.tolist() == [entity["start"] for entity in flat]
    assert [arrays.type_names[c] for c in arrays.type_code] == [e["type"] for e in flat]
    assert entity_arrays([preds[0], gold_records[0]]) is None or not preds[0].get("entities")
    doc_ids = [golds[i]["doc_id"] for i in order]
    for mentions in (None, ["name"], ["nominal", "pronoun"]):
        options = make_settings(layers=["entities"], mentions=mentions)
        for scorer in (ENTITIES, ENTITY_CLUSTERS):
            from_columns = scorer.tally_documents(doc_ids, batch_columns, options)
            from_dicts = scorer.tally_documents(doc_ids, batch_dicts, options)
            assert list(from_columns.documents()) == list(from_dicts.documents())
            assert from_columns.total() == from_dicts.total()
            assert from_columns.to_json() == from_dicts.to_json()


def test_a_record_of_another_chunk_or_with_entities_of_its_own_is_not_read_on_columns() -> None:
    golds = [
        {
            "doc_id": f"d-{i}",
            "text": "Kyiv ok",
            "text_sha256": hashlib.sha256(b"Kyiv ok").hexdigest(),
            "entities": [
                {
                    "id": "e1",
                    "start": 0,
                    "end": 4,
                    "text": "Kyiv",
                    "type": "GPE",
                    "mention": "name",
                    "entity": "kyiv",
                }
            ],
            "claims": [],
            "attributions": [],
        }
        for i in range(2)
    ]
    first, second = _chunk(golds[:1], "annotation"), _chunk(golds[1:], "annotation")
    assert first is not None and second is not None
    assert entity_arrays(first.records() + second.records()) is None
    assert entity_arrays(first.records() + [golds[1]]) is None
    found = entity_arrays(first.records() + [{"entities": []}])
    assert found is not None and found.sizes.tolist() == [1, 0]
    assert isinstance(first.records()[0], ColumnRecord)
    assert np.array_equal(found.start, [0])


def test_buffer_lines_are_the_lines_of_their_read_and_make_the_same_records() -> None:
    """Adjacent lines read as one buffer from a byte offset: each line (number, offset, bytes)
    is cut from it as `_raw_lines` cut it, slices too, and a chunk of them gives the records
    and line numbers of a chunk of cut lines."""
    records = [
        {"doc_id": f"d{n}", "text": "a b c d", "entities": [{"start": 2 * n, "end": 2 * n + 1}]}
        for n in range(4)
    ]
    for record in records:
        record["entities"][0]["type"] = "ORG"
    raws = [json.dumps(r).encode() for r in records]
    first_offset = 1000
    offsets = [first_offset + sum(len(raw) + 1 for raw in raws[:n]) for n in range(len(raws))]
    cut = [(7 + n, offset, raw) for n, (offset, raw) in enumerate(zip(offsets, raws, strict=True))]
    lines = BufferLines(b"\n".join(raws), first_offset, [(n, o, len(raw)) for n, o, raw in cut])
    assert len(lines) == 4
    assert [lines[n] for n in range(4)] == list(lines) == cut
    assert lines[-1] == cut[-1] and lines[1:3] == cut[1:3] and lines[::2] == cut[::2]
    with pytest.raises(IndexError):
        lines[4]  # noqa: B018 (the refusal is the point)
    chunk = _chunk(records, "prediction")
    assert chunk is not None
    on_buffer = ChunkRecords(Path("p.jsonl"), lines, chunk.table)
    assert on_buffer.line_numbers() == [7, 8, 9, 10]
    assert [dict(record) for record in on_buffer.records()] == records
    assert "line 9" in repr(on_buffer.records()[2])
