"""The token-classification pipeline's output (hand-written samples in tests/data/convert, in
the pipeline's documented shape): aggregated and per-token items give the same entities."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from convert_helpers import at, gold_record, spans

from sourcetrace.convert import convert
from sourcetrace.convert.common import score_allowed
from sourcetrace.errors import InputError

DATA = Path(__file__).resolve().parent.parent / "data" / "convert"
CONLL_MAP = {"PER": "PERSON", "ORG": "ORG", "LOC": "GPE", "MISC": "NORP"}


def expected_st000(text: str) -> list[tuple[int, int, str, str]]:
    # (needle, type, occurrence): the first "Russia" is inside "Russian"
    named = [
        ("Ukraine", "GPE", 0),
        ("North Korean", "NORP", 0),
        ("Russian", "NORP", 0),
        ("Russia", "GPE", 1),
        ("Pyongyang", "GPE", 0),
        ("Financial Times", "ORG", 0),
    ]
    return sorted((*at(text, needle, n), kind, needle) for needle, kind, n in named)


@pytest.mark.parametrize("sample", ["hf_tokens_st-000.json", "hf_grouped_st-000.json"])
def test_pipeline_samples_give_the_entities_worked_out_by_hand(
    sample: str, corpus_texts_by_id: dict[str, str]
) -> None:
    records = convert("hf", [DATA / sample], labels=CONLL_MAP)
    assert spans(records) == {"st-000": expected_st000(corpus_texts_by_id["st-000"])}


def test_shipped_conll2003_map_drops_misc(corpus_texts_by_id: dict[str, str]) -> None:
    records = convert("hf", [DATA / "hf_tokens_st-000.json"], labels="conll2003")
    kept = [e for e in expected_st000(corpus_texts_by_id["st-000"]) if e[2] != "NORP"]
    assert spans(records) == {"st-000": kept}


def test_merged_tokens_carry_the_mean_score_only_where_the_schema_allows() -> None:
    (record,) = convert("hf", [DATA / "hf_tokens_st-000.json"], labels=CONLL_MAP)
    pyongyang = next(e for e in record["entities"] if e["text"] == "Pyongyang")
    if score_allowed():
        assert pyongyang["score"] == pytest.approx((0.9411 + 0.9012 + 0.8877 + 0.9123) / 4)
    else:
        assert "score" not in pyongyang


TEXT = "Kyiv and Kharkiv, said Kim Jong Un."
GOLD = [gold_record("t-1", TEXT)]


def write(tmp_path: Path, value: object) -> Path:
    path = tmp_path / "out.json"
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


def token(word: str, tag: str, index: int) -> dict:
    start, end = at(TEXT, word)
    return {"entity": tag, "score": 0.9, "index": index, "word": word, "start": start, "end": end}


def test_a_gap_in_token_index_is_an_o_between_entities(tmp_path: Path) -> None:
    # "Kyiv" (1) I-LOC, "and" left out as O (2), "Kharkiv" (3) I-LOC: two entities in iob1
    path = write(tmp_path, [[token("Kyiv", "I-LOC", 1), token("Kharkiv", "I-LOC", 3)]])
    records = convert("hf", [path], gold=GOLD, labels=CONLL_MAP, doc_ids=("t-1",), scheme="iob1")
    assert spans(records) == {
        "t-1": [(*at(TEXT, "Kyiv"), "GPE", "Kyiv"), (*at(TEXT, "Kharkiv"), "GPE", "Kharkiv")]
    }


def test_bare_labels_read_as_io_tagging(tmp_path: Path) -> None:
    items = [token("Kim", "PER", 6), token("Jong", "PER", 7), token("Un", "PER", 8)]
    records = convert("hf", [write(tmp_path, {"t-1": items})], gold=GOLD, labels=CONLL_MAP)
    assert spans(records) == {"t-1": [(*at(TEXT, "Kim Jong Un"), "PERSON", "Kim Jong Un")]}


def test_leading_space_of_a_bpe_token_is_left_out(tmp_path: Path) -> None:
    start, end = at(TEXT, " Kharkiv")
    item = {"entity_group": "LOC", "score": 0.8, "word": "ĠKharkiv", "start": start, "end": end}
    records = convert("hf", [write(tmp_path, {"t-1": [item]})], gold=GOLD, labels=CONLL_MAP)
    assert spans(records) == {"t-1": [(start + 1, end, "GPE", "Kharkiv")]}


def test_hf_null_offsets_of_a_slow_tokenizer_refused_with_pointer(tmp_path: Path) -> None:
    item = {"entity_group": "LOC", "score": 0.8, "word": "Kyiv", "start": None, "end": None}
    with pytest.raises(InputError) as caught:
        convert("hf", [write(tmp_path, {"t-1": [item]})], gold=GOLD, labels=CONLL_MAP)
    assert "/t-1/0" in str(caught.value) and "fast" in str(caught.value)


def test_hf_doc_ids_left_over_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="left over"):
        convert("hf", [write(tmp_path, [[]])], gold=GOLD, doc_ids=("t-1", "t-2"))


def group(word: str, label: str, score: float = 0.8) -> dict:
    start, end = at(TEXT, word)
    return {"entity_group": label, "score": score, "word": word, "start": start, "end": end}


def test_aggregated_items_read_alone_equal_the_same_items_beside_a_token_item(
    tmp_path: Path,
) -> None:
    """Aggregated items alone, and the same items beside a per-token item, give the same
    entities, written by start (not in input order), trimmed of white space and mapped."""
    aggregated = [group(" Kharkiv", "LOC"), group("Kyiv", "LOC"), group("Kim Jong", "MISC")]
    alone = convert("hf", [write(tmp_path, {"t-1": aggregated})], gold=GOLD, labels=CONLL_MAP)
    beside = convert(
        "hf",
        [write(tmp_path, {"t-1": [*aggregated, token("Un", "B-PER", 9)]})],
        gold=GOLD,
        labels=CONLL_MAP,
    )
    expected = [
        (*at(TEXT, "Kyiv"), "GPE", "Kyiv"),
        (*at(TEXT, "Kharkiv"), "GPE", "Kharkiv"),
        (*at(TEXT, "Kim Jong"), "NORP", "Kim Jong"),
    ]
    assert in_order(alone) == expected
    assert in_order(beside) == [*expected, (*at(TEXT, "Un"), "PERSON", "Un")]


def in_order(records: list[dict]) -> list[tuple[int, int, str, str]]:
    """The one record's entities as written, in order (the order is part of the output)."""
    (record,) = records
    return [(e["start"], e["end"], e["type"], e["text"]) for e in record["entities"]]


def test_aggregated_item_with_a_dropped_label_or_only_space_is_left_out(tmp_path: Path) -> None:
    start = TEXT.index(" said")
    blank = {"entity_group": "LOC", "score": 0.5, "word": " ", "start": start, "end": start + 1}
    items = [group("Kyiv", "MISC"), blank, group("Kharkiv", "LOC")]
    labels = {**CONLL_MAP, "MISC": None}
    records = convert("hf", [write(tmp_path, {"t-1": items})], gold=GOLD, labels=labels)
    assert spans(records) == {"t-1": [(*at(TEXT, "Kharkiv"), "GPE", "Kharkiv")]}
