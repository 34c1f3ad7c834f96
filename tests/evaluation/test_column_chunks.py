"""A run that scores entities only, read a chunk at a time on columns (gold JSONL and
predictions parsed by pyarrow, checked on whole arrays, kept as column records): the report,
or the message, of one process, byte for byte, over gold and predictions with defects.

Every file goes through the columnar checks here (MIN_FILE_BYTES 0). A gold chunk the columns
wrongly found clean would be scored where one process refuses it: the outcomes would differ.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import Path
from typing import Any

import pytest

from sourcetrace.errors import InputError, InputErrors
from sourcetrace.evaluation import byte_ranges
from sourcetrace.evaluation.byte_ranges import (
    evaluate_by_chunks_or_whole,
    evaluate_in_chunks,
    explain_by_chunks_or_whole,
)
from sourcetrace.evaluation.run import evaluate, evaluate_with_explanations
from sourcetrace.report import to_json
from sourcetrace.schema import columns
from sourcetrace.schema.column_records import ChunkRecords
from sourcetrace.schema.conventions import OffsetConventionWarning

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import Phase, event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

# words with characters outside ASCII and outside the BMP, and white space that is not ASCII
WORDS = ("Kyiv", "naïve", "Zoë", "東京", "drone😀s", "ok", "Ωmega", "x", "Ünïcode", "NATO")
SPACES = (" ", " ", " ", "\u00a0", "\n", "\u2003")
TYPES = ("PERSON", "ORG", "GPE", "WEAPON")
MENTIONS = ("name", "nominal", "pronoun")
NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)  # a failing run is slow to shrink
GOLD_DEFECTS = (
    "end one on",
    "start one back",
    "end past the text",
    "span text differs",
    "duplicate id",
    "two types for one entity",
    "wrong sha256",
    "no mention kind",
    "no text",
    "no text, no entity, the empty text's sha256",
    "doc_id twice",
    "NBSP inside the span edge",
)


@st.composite
def documents(draw: Any, index: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """A gold record with its text and a prediction of it (spans of the gold moved, retyped,
    dropped or added; some text only, some with an entity id)."""
    words = draw(st.lists(st.sampled_from(WORDS), min_size=0, max_size=12))
    text, starts, ends = "", [], []
    for word in words:
        if text:
            text += draw(st.sampled_from(SPACES))
        starts.append(len(text))
        text += word
        ends.append(len(text))
    if not text:
        text = "·"
    spans = draw(
        st.lists(
            st.tuples(st.integers(0, max(len(words) - 1, 0)), st.integers(0, 2)),
            max_size=8 if words else 0,
        )
    )
    gold_entities = []
    for number, (first, extra) in enumerate(spans):
        last = min(first + extra, len(words) - 1)
        start, end = starts[first], ends[last]
        gold_entities.append(
            {
                "id": f"e{number}",
                "start": start,
                "end": end,
                "text": text[start:end],
                "type": TYPES[(kind := draw(st.integers(0, 5))) % len(TYPES)],
                "mention": draw(st.sampled_from(MENTIONS)),
                "entity": f"ent-{kind}",  # one type per entity id
            }
        )
    doc_id = f"d-{index:03d}"
    gold = {
        "doc_id": doc_id,
        "text": text,
        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "entities": gold_entities,
        "claims": [],
        "attributions": [],
    }
    predicted = []
    for entity in gold_entities:
        how = draw(st.sampled_from(("same", "same", "retyped", "dropped", "text only", "twice")))
        if how == "dropped":
            continue
        item: dict[str, Any] = {"start": entity["start"], "end": entity["end"]}
        if how == "text only":
            item = {"text": entity["text"]}
        item["type"] = draw(st.sampled_from(TYPES)) if how == "retyped" else entity["type"]
        predicted += [item] * (2 if how == "twice" else 1)
    if words and draw(st.booleans()):
        at = draw(st.integers(0, len(words) - 1))
        predicted.append({"start": starts[at], "end": ends[at], "type": "ORG"})
    prediction: dict[str, Any] = {"doc_id": doc_id, "entities": predicted}
    if draw(st.booleans()) and predicted and "start" in predicted[0]:
        predicted[0]["entity"] = "p-1"  # an entity id: the clusters are matched
    return gold, prediction


def _with_defect(gold: dict[str, Any], defect: str) -> list[dict[str, Any]]:
    gold = json.loads(json.dumps(gold))
    entities, text = gold["entities"], gold["text"]
    if defect == "wrong sha256":
        gold["text_sha256"] = "0" * 64
    elif defect == "no text":
        del gold["text"]
    elif defect == "no text, no entity, the empty text's sha256":
        del gold["text"]
        gold["entities"] = []
        gold["text_sha256"] = hashlib.sha256(b"").hexdigest()
    elif defect == "doc_id twice":
        return [gold, gold]
    elif entities:
        entity = entities[-1]
        if defect == "end one on":
            entity["end"] += 1
            entity["text"] = text[entity["start"] : entity["end"]]
        elif defect == "start one back" and entity["start"] > 0:
            entity["start"] -= 1
            entity["text"] = text[entity["start"] : entity["end"]]
        elif defect == "end past the text":
            entity["end"] = len(text) + 2
        elif defect == "span text differs":
            entity["text"] = entity["text"][:-1] + "?"
        elif defect == "duplicate id":
            entity["id"] = entities[0]["id"]
        elif defect == "two types for one entity":
            entity["entity"] = entities[0]["entity"]
            entity["type"] = "ORG" if entities[0]["type"] != "ORG" else "GPE"
        elif defect == "no mention kind":
            del entity["mention"]
        elif defect == "NBSP inside the span edge":
            gold["text"] = text[: entity["start"]] + "\u00a0" + text[entity["start"] + 1 :]
            gold["text_sha256"] = hashlib.sha256(gold["text"].encode("utf-8")).hexdigest()
            entity["text"] = gold["text"][entity["start"] : entity["end"]]
    return [gold]


def _outcome(call: Any) -> tuple[str, str]:
    try:
        return "report", to_json(call())
    except (InputError, InputErrors) as error:
        return "error", str(error)


def _write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in records),
        encoding="utf-8",
    )
    return path


@settings(max_examples=60, deadline=None, phases=NO_SHRINK)
@given(data=st.data())
def test_entities_in_chunks_on_columns_give_the_one_process_report_or_message(
    tmp_path_factory: Any, data: Any
) -> None:
    """Gold with defects (offsets one off, past the text, a span text that differs, an id
    twice, two types for one entity, a wrong sha256, no mention kind, no text, a doc_id
    twice, white space that is not ASCII at a span edge), predictions with duplicate spans,
    text-only items, entity ids, empty documents and missing documents, any chunk size, with
    or without the mention filter and per-document scores: the run read a chunk at a time on
    columns gives one process's report byte for byte, or is read whole and says its message."""
    folder = tmp_path_factory.mktemp("column-chunks")
    count = data.draw(st.integers(1, 7), "documents")
    pairs = [data.draw(documents(index)) for index in range(count)]
    gold_records, predictions = [], []
    defects = ("none",) * 6 + GOLD_DEFECTS if data.draw(st.booleans()) else ("none",)
    for gold, prediction in pairs:
        defect = data.draw(st.sampled_from(defects), "gold defect")
        event(f"gold defect: {defect}")
        gold_records += [gold] if defect == "none" else _with_defect(gold, defect)
        if data.draw(st.integers(0, 5)):  # most documents predicted
            predictions.append(prediction)
    if not predictions:
        predictions.append(pairs[0][1])
    gold_path = _write(folder / "gold.jsonl", gold_records)
    predicted = _write(folder / "predictions.jsonl", predictions)
    options: dict[str, Any] = {"layers": ["entities"], "missing": "empty"}
    if data.draw(st.booleans(), "mention filter"):
        options["mentions"] = data.draw(
            st.lists(st.sampled_from(MENTIONS), min_size=1, unique=True)
        )
    per_document = data.draw(st.booleans(), "per document")
    chunk = data.draw(st.integers(1, 4), "documents per chunk")
    on_columns = []
    with pytest.MonkeyPatch.context() as patch, warnings.catch_warnings():
        warnings.simplefilter("ignore", OffsetConventionWarning)
        patch.setattr(columns, "MIN_FILE_BYTES", 0)
        records = ChunkRecords.records
        patch.setattr(ChunkRecords, "records", lambda self: on_columns.append(1) or records(self))
        one_process = _outcome(
            lambda: evaluate(predicted, gold_path, per_document=per_document, **options)
        )
        chunked = evaluate_in_chunks(
            predicted, gold_path, per_document=per_document, chunk_documents=chunk, **options
        )
        either = _outcome(
            lambda: evaluate_by_chunks_or_whole(
                predicted, gold_path, per_document=per_document, **options
            )
        )
    event(f"one process: {one_process[0]}")
    event(f"some chunk kept on columns: {bool(on_columns)}")
    assert either == one_process
    if one_process[0] == "report":
        assert chunked is not None
        assert to_json(chunked) == one_process[1]
    else:
        assert chunked is None


@settings(max_examples=25, deadline=None, phases=NO_SHRINK)
@given(data=st.data())
def test_chunks_of_adjacent_or_scattered_lines_by_gold_bytes_give_the_one_process_report(
    tmp_path_factory: Any, data: Any
) -> None:
    """Predictions in the gold's doc_id order (each chunk's lines one run of adjacent lines,
    read as they lie in the file) or shuffled (the lines of a chunk cut out and joined), in
    chunks of `documents_per_chunk` of the gold's bytes: one process's report, byte for byte,
    in as many chunks as `documents_per_chunk` says."""
    folder = tmp_path_factory.mktemp("chunk-runs")
    pairs = [data.draw(documents(index)) for index in range(data.draw(st.integers(2, 9)))]
    predictions = [prediction for _, prediction in pairs]
    if data.draw(st.booleans(), "shuffled"):
        predictions = data.draw(st.permutations(predictions), "order")
    gold_path = _write(folder / "gold.jsonl", [gold for gold, _ in pairs])
    predicted = _write(folder / "predictions.jsonl", predictions)
    gold_bytes = gold_path.stat().st_size
    chunk_bytes = data.draw(st.integers(1, gold_bytes), "gold bytes per chunk")
    options: dict[str, Any] = {"layers": ["entities"], "missing": "empty"}
    shards: list[int] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(columns, "MIN_FILE_BYTES", 0)
        patch.setattr(byte_ranges, "CHUNK_DOCUMENTS", 1)
        patch.setattr(byte_ranges, "CHUNK_GOLD_BYTES", chunk_bytes)
        specs = byte_ranges.shard_specs
        patch.setattr(
            byte_ranges,
            "shard_specs",
            lambda *args, **kwargs: shards.append(kwargs["shards"]) or specs(*args, **kwargs),
        )
        expected = to_json(evaluate(predicted, gold_path, **options))
        assert to_json(evaluate_by_chunks_or_whole(predicted, gold_path, **options)) == expected
        per_chunk = byte_ranges.documents_per_chunk(len(pairs), gold_bytes)
    assert per_chunk == max(1, chunk_bytes * len(pairs) // gold_bytes)
    assert shards == [byte_ranges.chunk_count(len(pairs), per_chunk)]
    event(f"chunks: {shards[0]}")


@settings(max_examples=10, deadline=None, phases=NO_SHRINK)
@given(data=st.data())
def test_explanations_of_column_chunks_are_the_one_process_explanations(
    tmp_path_factory: Any, data: Any
) -> None:
    """The HTML page's report and item outcomes read a chunk at a time are those of one
    process."""
    tmp_path = tmp_path_factory.mktemp("explained")
    pairs = [data.draw(documents(index)) for index in range(6)]
    gold_path = _write(tmp_path / "gold.jsonl", [gold for gold, _ in pairs])
    predicted = _write(tmp_path / "predictions.jsonl", [pred for _, pred in pairs])
    options: dict[str, Any] = {"layers": ["entities"], "missing": "empty"}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(columns, "MIN_FILE_BYTES", 0)
        report, explanations = explain_by_chunks_or_whole(
            predicted, gold_path, chunk_documents=4, **options
        )
        expected, expected_explanations = evaluate_with_explanations(
            predicted, gold_path, per_document=True, **options
        )
        assert to_json(report) == to_json(expected)
        assert list(explanations) == list(expected_explanations)


@pytest.mark.parametrize("where", ["gold", "predictions"])
def test_a_byte_that_is_not_utf8_in_a_string_is_the_one_process_message(
    tmp_path: Path, where: str
) -> None:
    """pyarrow's reader leaves a string's bytes unchecked: a chunk with a byte that is not
    UTF-8 inside a string is never kept on columns; the run says one process's message."""
    gold = {
        "doc_id": "d-000",
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
    prediction = {"doc_id": "d-000", "entities": [{"start": 0, "end": 4, "type": "GPE"}]}
    gold_path = _write(tmp_path / "gold.jsonl", [gold])
    predicted = _write(tmp_path / "predictions.jsonl", [prediction])
    if where == "gold":  # in the text, its sha256 that of the bytes as written
        data = gold_path.read_bytes().replace(b"Kyiv ok", b"Kyiv ok \xff", 1)
        digest = hashlib.sha256(b"Kyiv ok \xff").hexdigest().encode()
        gold_path.write_bytes(data.replace(gold["text_sha256"].encode(), digest))
    else:  # in the text of a text-only item
        prediction["entities"].append({"text": "Ky", "type": "GPE"})
        data = _write(predicted, [prediction]).read_bytes()
        predicted.write_bytes(data.replace(b'"Ky"', b'"K\xffy"'))
    options: dict[str, Any] = {"layers": ["entities"]}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(columns, "MIN_FILE_BYTES", 0)
        one_process = _outcome(lambda: evaluate(predicted, gold_path, **options))
        assert evaluate_in_chunks(predicted, gold_path, **options) is None
        assert _outcome(lambda: evaluate_by_chunks_or_whole(predicted, gold_path, **options)) == (
            one_process
        )
    assert one_process[0] == "error"


def test_a_gold_record_without_its_text_is_the_one_process_message(tmp_path: Path) -> None:
    """A gold record without a text, whose sha256 is that of the empty text and which has no
    entity, passes every check of a span: it is still refused, as one process refuses it."""
    empty = hashlib.sha256(b"").hexdigest()
    layers = {"entities": [], "claims": [], "attributions": []}
    gold = [
        {"doc_id": "d-000", "text_sha256": empty, **layers},
        {"doc_id": "d-001", "text": "ok", "text_sha256": hashlib.sha256(b"ok").hexdigest()}
        | layers,
    ]
    gold_path = _write(tmp_path / "gold.jsonl", gold)
    predicted = _write(tmp_path / "predictions.jsonl", [{"doc_id": "d-001", "entities": []}])
    options: dict[str, Any] = {"layers": ["entities"], "missing": "empty"}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(columns, "MIN_FILE_BYTES", 0)
        one_process = _outcome(lambda: evaluate(predicted, gold_path, **options))
        assert evaluate_in_chunks(predicted, gold_path, **options) is None
    assert one_process[0] == "error"
    assert "gold record without its document text" in one_process[1]


def test_a_prediction_with_another_text_is_the_one_process_message(tmp_path: Path) -> None:
    """A prediction that carries a text other than the gold's is clean to the columns (its
    spans fit its own text): it is still refused, as one process refuses it."""
    layers = {"entities": [], "claims": [], "attributions": []}
    gold = [{"doc_id": "d-001", "text": "ok", "text_sha256": hashlib.sha256(b"ok").hexdigest()}]
    gold_path = _write(tmp_path / "gold.jsonl", [gold[0] | layers])
    prediction = {"doc_id": "d-001", "text": "oh", "entities": [{"start": 0, "end": 2}]}
    prediction["entities"][0]["type"] = "ORG"
    predicted = _write(tmp_path / "predictions.jsonl", [prediction])
    options: dict[str, Any] = {"layers": ["entities"]}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(columns, "MIN_FILE_BYTES", 0)
        one_process = _outcome(lambda: evaluate(predicted, gold_path, **options))
        assert evaluate_in_chunks(predicted, gold_path, **options) is None
    assert one_process[0] == "error"
    assert "differs from the gold text" in one_process[1]
