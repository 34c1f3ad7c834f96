"""The token-classification pipeline's output: hand-written samples in tests/data/convert (the
pipeline's documented shape), and the real output of a real pipeline run there
(hf_pipeline_*.json, made by make_hf_pipeline_output.py): aggregated and per-token items give
the same entities."""

from __future__ import annotations

import json
import tempfile
import warnings
from pathlib import Path

import pytest
from convert_helpers import at, command_outcome, gold_record, records_outcome, spans, write_gold
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzz_profiles import EXACTNESS_EXAMPLES, profile_name
from sourcetrace import evaluate
from sourcetrace.convert import convert, prediction_jsonl
from sourcetrace.convert.common import score_allowed
from sourcetrace.errors import InputError, InputErrors
from sourcetrace.jsonio import jsonl_text
from sourcetrace.schema.conventions import OffsetConventionWarning
from sourcetrace.schema.validation import validate_record

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
TEXTS = {"t-1": TEXT}


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


# Real pipeline output: `make_hf_pipeline_output.py` beside the samples ran the real
# `pipeline("token-classification")` of transformers, with a tokenizer and a tiny BERT built
# and trained on this machine (no hub), on the five corpus texts; simple and per-token items.
SIMPLE = DATA / "hf_pipeline_simple.json"
PER_TOKEN = DATA / "hf_pipeline_none.json"
GOLD_ENTITIES = DATA.parents[2] / "corpus" / "data" / "entities.jsonl"


def pipeline_output(path: Path) -> dict[str, list[dict]]:
    return json.loads(path.read_text(encoding="utf-8"))


def read_aggregated(items: list[dict], text: str) -> list[tuple[int, int, str, str]]:
    """Each item one entity: its start/end with white space at the edges left out, its
    entity_group as our type (the model's labels are our type names)."""
    found = []
    for item in items:
        start, end = item["start"], item["end"]
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        found.append((start, end, item["entity_group"], text[start:end]))
    return sorted(found)


def read_tokens_iob2(items: list[dict], text: str) -> list[tuple[int, int, str, str]]:
    """seqeval's non-strict IOB2 reading: a token continues the open entity when it follows it
    directly (index + 1, no O left out between) with I- of the same type; else it opens one."""
    found: list[list] = []  # [start, end, type, last index]
    for item in items:
        prefix, kind = item["entity"].split("-", 1)
        last = found[-1] if found else None
        if prefix == "I" and last and last[2] == kind and item["index"] == last[3] + 1:
            last[1], last[3] = item["end"], item["index"]
        else:
            found.append([item["start"], item["end"], kind, item["index"]])
    return sorted((s, e, k, text[s:e]) for s, e, k, _ in found)


def test_real_pipeline_output_has_the_shapes_the_converter_documents() -> None:
    simple, tokens = pipeline_output(SIMPLE), pipeline_output(PER_TOKEN)
    assert simple.keys() == tokens.keys() and len(simple) > 0
    for items in simple.values():
        for item in items:
            assert set(item) == {"entity_group", "score", "word", "start", "end"}
            assert type(item["start"]) is int and type(item["end"]) is int
            assert type(item["score"]) is float
    for items in tokens.values():
        for item in items:
            assert set(item) == {"entity", "score", "index", "word", "start", "end"}
            assert item["entity"][:2] in ("B-", "I-")
        assert [i["index"] for i in items] == sorted({i["index"] for i in items})
    # what the hand-written samples only showed once: real sub-word pieces and grouped words
    assert any(i["word"].startswith("##") for items in tokens.values() for i in items)
    assert any(" " in i["word"] for items in simple.values() for i in items)


def test_real_aggregated_output_converts_to_its_own_spans(
    corpus_texts_by_id: dict[str, str],
) -> None:
    output = pipeline_output(SIMPLE)
    records = convert("hf", [SIMPLE])
    expected = {
        doc: read_aggregated(items, corpus_texts_by_id[doc]) for doc, items in output.items()
    }
    assert spans(records) == expected


def test_real_per_token_output_converts_to_its_iob2_reading(
    corpus_texts_by_id: dict[str, str],
) -> None:
    output = pipeline_output(PER_TOKEN)
    records = convert("hf", [PER_TOKEN], scheme="iob2")
    expected = {
        doc: read_tokens_iob2(items, corpus_texts_by_id[doc]) for doc, items in output.items()
    }
    assert spans(records) == expected


def test_real_per_token_output_merged_equals_the_pipelines_own_aggregation() -> None:
    per_token = spans(convert("hf", [PER_TOKEN], scheme="iob2"))
    aggregated = spans(convert("hf", [SIMPLE]))
    assert per_token == aggregated


def test_merged_real_tokens_carry_the_score_the_pipeline_gave_the_group() -> None:
    """The pipeline's simple score is the float32 mean of its tokens' scores; ours the float64
    mean of the same scores: equal to float32 precision."""
    if not score_allowed():
        pytest.skip("the prediction schema has no entity score")
    by_span = {
        (r["doc_id"], e["start"], e["end"]): e["score"]
        for r in convert("hf", [SIMPLE])
        for e in r["entities"]
    }
    merged = [
        (r["doc_id"], e["start"], e["end"], e["score"])
        for r in convert("hf", [PER_TOKEN], scheme="iob2")
        for e in r["entities"]
    ]
    assert merged and all(
        score == pytest.approx(by_span[(doc, start, end)], rel=1e-6)
        for doc, start, end, score in merged
    )


def test_real_pipeline_output_validates_and_scores_what_matches_gold(
    tmp_path: Path, run_cli
) -> None:
    out = tmp_path / "hf.jsonl"
    done = run_cli("convert", "hf", SIMPLE, "--output", out)
    assert done.code == 0, done.err
    checked = run_cli("validate", "--kind", "prediction", out)
    assert checked.code == 0, checked.err
    predicted = {
        (r["doc_id"], e["start"], e["end"], e["type"])
        for r in convert("hf", [SIMPLE])
        for e in r["entities"]
    }
    lines = GOLD_ENTITIES.read_text(encoding="utf-8").splitlines()
    gold = {
        (e["doc_id"], e["start"], e["end"], e["type"])
        for e in map(json.loads, lines)
        if e["mention"] == "name"
    }
    report = evaluate(str(out), layers=["entities"], mentions=["name"])
    strict = report["layers"]["entities"]["overall"]["strict"]
    assert strict["correct"] == len(predicted & gold)
    assert strict["correct"] + strict["missed"] + strict["incorrect"] + strict["partial"] == len(
        gold
    )


def test_real_group_inside_a_word_is_kept_as_predicted(corpus_texts_by_id: dict[str, str]) -> None:
    """`simple` aggregation leaves a `##` piece tagged alone as a group of its own, inside its
    word: the converter keeps that span (the system's prediction), it does not widen it."""
    inside = [
        (doc, item["start"], item["end"], item["entity_group"])
        for doc, items in pipeline_output(SIMPLE).items()
        for item in items
        if item["word"].startswith("##")
    ]
    assert inside, "the real output has no group that starts inside a word"
    converted = spans(convert("hf", [SIMPLE]))
    for doc, start, end, kind in inside:
        text = corpus_texts_by_id[doc]
        assert text[start - 1].isalnum()  # the group does start inside a word
        assert (start, end, kind, text[start:end]) in converted[doc]


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


PARITY_LABELS = {"PER": "PERSON", "ORG": "ORG", "MISC": None}
# a per-token item with a dropped label: it adds no entity, and a list that holds one is read
# item by item
DROPPED_TOKEN = {"entity": "B-MISC", "score": 0.5, "index": 1, "word": "K", "start": 0, "end": 1}


@st.composite
def aggregated_lists(draw: st.DrawFn) -> tuple[list[dict], str]:
    """Aggregated items on TEXT, mostly in text order: spans anywhere (at white space too, and
    sometimes outside the text or empty), labels mapped, dropped or unmapped (LOC), now and then
    not a string or a key missing, scores as floats (in [0, 1] or not), integers, booleans, null
    or none; and an --end convention."""
    items = []
    for _ in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, len(TEXT)))
        end = draw(st.integers(start + 1, len(TEXT))) if start < len(TEXT) else start
        if draw(st.integers(0, 9)) == 0:
            end = draw(st.integers(-1, len(TEXT) + 2))  # a fault now and then
        item = {"entity_group": draw(st.sampled_from(["PER", "ORG", "MISC", "PER", "LOC"])),
                "word": TEXT[start:end], "start": start, "end": end}  # fmt: skip
        score = draw(
            st.one_of(
                st.floats(0, 1),
                st.floats(allow_nan=False),  # outside [0, 1] too: refused
                st.integers(0, 1),
                st.integers(-1, 2),
                st.booleans(),
                st.none(),
            )
        )
        if draw(st.booleans()):
            item["score"] = score
        fault = draw(st.integers(0, 7))
        if fault == 0:  # a key missing
            del item[draw(st.sampled_from(["entity_group", "start", "end"]))]
        elif fault == 1:  # a label that is not a string
            item["entity_group"] = draw(st.sampled_from([["PER"], 3, None]))
        items.append(item)
    if draw(st.integers(0, 4)):
        items.sort(key=lambda item: (item.get("start", 0), item.get("end", 0)))
    return items, draw(st.sampled_from(["exclusive", "exclusive", "inclusive"]))


@settings(max_examples=EXACTNESS_EXAMPLES[profile_name()])
@given(aggregated_lists())
def test_aggregated_list_read_in_one_loop_equals_it_read_item_by_item(drawn: tuple) -> None:
    """A list of aggregated items in text order (our own offset convention) is read in one
    loop; the same list with a per-token item of a dropped label after them is read item by
    item. Both give the same records byte for byte, or refuse with the same message; and every
    record either makes is a valid prediction, written as the json writer writes it (what
    `convert` no longer checks at run time for the lists read in one loop)."""
    items, end = drawn

    def outcome(path: Path, listed: list[dict]) -> object:
        path.write_text(json.dumps({"t-1": listed}), encoding="utf-8")
        command = command_outcome("hf", [path], gold=GOLD, labels=PARITY_LABELS, end=end)
        try:
            records = convert("hf", [path], gold=GOLD, labels=PARITY_LABELS, end=end)
        except (InputError, InputErrors) as error:  # a score outside [0, 1]: several problems
            assert command == str(error)  # the command refuses it with the same message
            return str(error)
        for number, record in enumerate(records, start=1):
            assert validate_record(record, "prediction", "<hf>", number, text_for=TEXTS.get) == []
        written = prediction_jsonl(records)
        assert written in (jsonl_text(records), jsonl_text(records).encode("utf-8"))
        assert command == records_outcome(records)  # and writes these records, byte for byte
        return written

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "out.json"
        assert outcome(path, items) == outcome(path, [*items, DROPPED_TOKEN])


@pytest.mark.parametrize(
    ("sample", "labels"),
    [
        (SIMPLE, None),  # the real model's labels are our own types
        (PER_TOKEN, None),
        (DATA / "hf_tokens_st-000.json", CONLL_MAP),
        (DATA / "hf_grouped_st-000.json", CONLL_MAP),
    ],
)
def test_real_and_sample_outputs_convert_without_a_convention_note(
    sample: Path, labels: dict[str, str] | None
) -> None:
    # the pipeline's offsets are code points, end exclusive: nothing to name, although the
    # real output has groups and `##` pieces inside words (read as predicted)
    with warnings.catch_warnings():
        warnings.simplefilter("error", OffsetConventionWarning)
        assert convert("hf", [sample], labels=labels, scheme="iob2")


def test_utf16_offsets_after_an_emoji_are_named_and_read_by_the_option_named(
    tmp_path: Path, run_cli
) -> None:
    # a JavaScript pipeline (transformers.js) counts UTF-16 units: after the rocket (two units,
    # one code point) every span read as code points is one character late
    text = "\U0001f680 Shoigu met Kim Jong Un in Pyongyang; KCNA reported it."
    names = ("Shoigu", "Kim Jong Un", "Pyongyang", "KCNA")
    items = [
        {"entity_group": "PER", "score": 0.9, "word": name, "start": s + 1, "end": e + 1}
        for name, (s, e) in zip(names, (at(text, name) for name in names), strict=True)
    ]
    path = tmp_path / "hf.json"
    path.write_text(json.dumps({"t-1": items}), encoding="utf-8")
    gold = write_gold(tmp_path / "gold.jsonl", [gold_record("t-1", text)])
    out = tmp_path / "out.jsonl"
    plain = run_cli("convert", "hf", path, "--gold", gold, "--labels", "conll2003",
                    "--output", out)  # fmt: skip
    assert plain.code == 0
    assert plain.err.startswith(f"note: the spans of {path} fall on word edges")
    assert "when read with --offsets utf16 (4 of 4)" in plain.err
    assert "(the default) only 0 do" in plain.err
    read = run_cli("convert", "hf", path, "--gold", gold, "--labels", "conll2003",
                   "--offsets", "utf16", "--output", out)  # fmt: skip
    assert read.code == 0 and "note:" not in read.err
    written = json.loads(out.read_text(encoding="utf-8"))
    assert [item["text"] for item in written["entities"]] == list(names)
