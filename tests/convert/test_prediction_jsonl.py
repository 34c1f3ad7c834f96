"""The predictions `convert` writes: `prediction_jsonl` (orjson, where that provably gives the same
bytes) against the json writer (`jsonl_text`), byte for byte: texts with non-ASCII, control
characters, quotes, `,` and `:`, scores of every size in [0, 1] (orjson writes those under 1e-4
otherwise), records without entities, and the records `convert` makes of HF and CoNLL input
under every tag scheme."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from convert_helpers import at, gold_record, write_gold
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzz_profiles import EXACTNESS_EXAMPLES, profile_name
from sourcetrace.convert import SCHEMES, common, convert, prediction_jsonl, prediction_jsonl_parts
from sourcetrace.jsonio import jsonl_text

ALPHABET = 'ab\u00e9\u0915 \u00a0\u2028\x1c\x00\x7f.,:"\\-e\u201c\U0001f680nul'
TYPES = ("GPE", "ORG", "PERSON")
SCORES = st.one_of(
    st.floats(0, 1, allow_nan=False),
    st.floats(0, 1e-4, allow_nan=False),
    st.sampled_from([0.0, 1.0, 1e-4, 5e-324, 0.1, 1 / 3]),
)


@st.composite
def records(draw: st.DrawFn) -> list[dict[str, Any]]:
    rows = []
    for number in range(draw(st.integers(0, 4))):
        entities = []
        for _ in range(draw(st.integers(0, 4))):
            text = draw(st.text(alphabet=ALPHABET, min_size=1, max_size=12))
            start = draw(st.integers(0, 500))
            item = {"start": start, "end": start + len(text), "text": text,
                    "type": draw(st.sampled_from(TYPES))}  # fmt: skip
            if draw(st.booleans()):
                item["score"] = draw(SCORES)
            entities.append(item)
        rows.append({"doc_id": f"d-{number}", "text_sha256": "0e" * 32, "entities": entities})
    return rows


@settings(max_examples=EXACTNESS_EXAMPLES[profile_name()])
@given(records(), st.integers(1, 5))
def test_prediction_jsonl_equals_the_json_writer_byte_for_byte(rows: list[dict], part: int) -> None:
    """Made ``part`` records at a time (PART_RECORDS, 100 when `convert` runs), the pieces
    written one after the other are the json writer's bytes, whichever part falls back."""
    with mock.patch.object(common, "PART_RECORDS", part):
        pieces = prediction_jsonl_parts(rows)
        joined = prediction_jsonl(rows)
    assert b"".join(map(written, pieces)) == jsonl_text(rows).encode("utf-8")
    assert written(joined) == jsonl_text(rows).encode("utf-8")
    if any(isinstance(piece, str) for piece in pieces):  # a part fell back: the whole text
        assert pieces == [jsonl_text(rows)]


def written(content: str | bytes) -> bytes:
    """The bytes `write_output` writes of ``content``."""
    return content if isinstance(content, bytes) else content.encode("utf-8")


def test_prediction_jsonl_falls_back_for_what_orjson_writes_otherwise() -> None:
    # a tiny score (orjson: 1e-5 as "1e-5"), a lone surrogate (orjson refuses it), a nested object
    rows = [
        {"doc_id": "a", "entities": [{"start": 0, "end": 1, "type": "ORG", "score": 1e-05}]},
        {"doc_id": "b", "entities": [{"text": "x\ud800", "type": "ORG"}]},
        {"doc_id": "c", "entities": [{"text": "y", "type": "ORG", "meta": {"k": [1, 2]}}]},
    ]
    for row in rows:
        expected = json.dumps(row, ensure_ascii=False, separators=(", ", ": ")) + "\n"
        assert prediction_jsonl([row]) == expected  # the json writer's text, not orjson's


def test_one_part_that_orjson_writes_otherwise_makes_the_whole_file_the_json_writers() -> None:
    plain = {"doc_id": "a", "text_sha256": "0e" * 32, "entities": []}
    tiny = {"doc_id": "b", "entities": [{"start": 0, "end": 1, "type": "ORG", "score": 1e-05}]}
    rows = [plain, plain | {"doc_id": "c"}, tiny]
    with mock.patch.object(common, "PART_RECORDS", 2):  # the first part alone is orjson's
        assert prediction_jsonl_parts(rows) == [jsonl_text(rows)]
        assert prediction_jsonl_parts(rows[:2]) == [jsonl_text(rows[:2]).encode("utf-8")]


TEXT = "Šojgu sagte: Kyjiw», Pjöngjang, 北京 und Reuters\u00a0meldeten."
NAMES = (("Šojgu", "PER"), ("Kyjiw", "LOC"), ("Pjöngjang", "LOC"), ("北京", "LOC"),
         ("Reuters", "ORG"))  # fmt: skip
TAGS = {  # scheme -> (first, inside, last, single) letters
    "iob2": ("B", "I", "I", "B"),
    "iob1": ("I", "I", "I", "I"),
    "iobes": ("B", "I", "E", "S"),
    "bilou": ("B", "I", "L", "U"),
}


def _pieces(word: str) -> list[str]:
    """A name cut into tokens of two characters, as a subword tokenizer might."""
    return [word[i : i + 2] for i in range(0, len(word), 2)]


def _tagged(scheme: str) -> list[tuple[int, int, str]]:
    """(start, end, tag) of every token of TEXT, names cut into pieces tagged in ``scheme``."""
    first, inside, last, single = TAGS[scheme]
    spans = {at(TEXT, name)[0]: (name, label) for name, label in NAMES}
    tokens, position = [], 0
    for word in TEXT.replace("\u00a0", " ").split(" "):
        if position in spans:
            name, label = spans[position]
            pieces = _pieces(word[: len(name)])
            for index, piece in enumerate(pieces):
                letter = single if len(pieces) == 1 else first if index == 0 else inside
                letter = last if 0 < index == len(pieces) - 1 else letter
                tokens.append((position, position + len(piece), f"{letter}-{label}"))
                position += len(piece)
            rest = word[len(name) :]
            if rest:
                tokens.append((position, position + len(rest), "O"))
                position += len(rest)
        else:
            tokens.append((position, position + len(word), "O"))
            position += len(word)
        position += 1
    return tokens


@pytest.mark.parametrize("scheme", SCHEMES)
def test_convert_output_is_written_as_the_json_writer_writes_it(
    tmp_path: Path, scheme: str
) -> None:
    gold = write_gold(tmp_path / "gold.jsonl", [gold_record("doc-1", TEXT)])
    tokens = _tagged(scheme)
    per_token = [
        {
            "entity": tag,
            "score": 0.5 + index / 100,
            "index": index,
            "word": TEXT[s:e],
            "start": s,
            "end": e,
        }  # fmt: skip
        for index, (s, e, tag) in enumerate(tokens)
        if tag != "O"
    ]
    aggregated = [
        {"entity_group": label, "score": 0.25, "word": name, "start": s, "end": e}
        for name, label in NAMES
        for s, e in [at(TEXT, name)]
    ]
    (tmp_path / "tokens.json").write_text(json.dumps({"doc-1": per_token}), encoding="utf-8")
    (tmp_path / "groups.json").write_text(json.dumps({"doc-1": aggregated}), encoding="utf-8")
    conll = ["-DOCSTART- doc-1", ""] + [f"{TEXT[s:e]} {tag}" for s, e, tag in tokens]
    (tmp_path / "doc.conll").write_text("\n".join(conll) + "\n", encoding="utf-8")
    outputs = [
        convert("hf", [tmp_path / "tokens.json"], gold=gold, labels="conll2003", scheme=scheme),
        convert("hf", [tmp_path / "groups.json"], gold=gold, labels="conll2003"),
        convert("conll", [tmp_path / "doc.conll"], gold=gold, labels="conll2003", scheme=scheme),
    ]
    for records_made in outputs:
        texts = [e["text"] for e in records_made[0]["entities"]]
        assert texts == [name for name, _ in NAMES]  # every name found, in order
        made = prediction_jsonl(records_made)
        assert isinstance(made, bytes)  # orjson wrote it
        assert made == jsonl_text(records_made).encode("utf-8")


def test_words_of_news_text_do_not_send_a_part_to_the_json_writer() -> None:
    """Words like "re-elected", "annulled" or "e-mail" in a span's text, or a digest of digits and
    `e`, are strings, not numbers orjson spells otherwise: the part stays orjson's bytes."""
    entities = [
        {"start": 0, "end": 10, "text": "re-elected", "type": "ORG", "score": 0.5},
        {"start": 11, "end": 19, "text": "annulled", "type": "ORG"},
        {"start": 20, "end": 26, "text": "e-mail", "type": "ORG", "score": 1.0},
    ]
    rows = [{"doc_id": "a", "text_sha256": "0e3e" * 16, "entities": entities}]
    assert prediction_jsonl_parts(rows) == [jsonl_text(rows).encode("utf-8")]
    rows[0]["entities"][0]["score"] = 1.5e-7  # a number orjson spells `1.5e-7`, json `1.5e-07`
    assert prediction_jsonl_parts(rows) == [jsonl_text(rows)]


@settings(max_examples=EXACTNESS_EXAMPLES[profile_name()])
@given(records(), st.integers(1, 5), st.data())
def test_json_lines_made_as_read_are_the_json_writers_bytes(
    rows: list[dict], part: int, data: st.DataObject
) -> None:
    """A record written without a dict (`record_line` of `entity_line`s) is the json writer's
    line; and `JsonLines` fed each record in one of its three ways (as those bytes, as a valid
    record written ``part`` at a time, or as a record kept to the end), in order, writes the
    json writer's file and counts its documents and entities."""
    lines = common.JsonLines()
    with mock.patch.object(common, "PART_RECORDS", part):
        for row in rows:
            made = common.record_line(
                row["doc_id"], row["text_sha256"], list(map(common.entity_line, row["entities"]))
            )
            assert made == jsonl_text([row])
            way = data.draw(st.sampled_from(["lines", "valid", "record"]))
            if way == "lines":
                lines.add_lines(made.encode("utf-8"), 1, len(row["entities"]))
            elif way == "valid":
                lines.add_valid(row)
            else:
                lines.add_record(row)
        pieces = lines.parts()
    assert b"".join(map(written, pieces)) == jsonl_text(rows).encode("utf-8")
    assert (lines.documents, lines.items) == (len(rows), sum(len(r["entities"]) for r in rows))
