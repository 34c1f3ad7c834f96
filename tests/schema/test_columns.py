"""The columnar fast path (schema/columns.py) says "clean" exactly when the record-by-record
path (`validate_file`) finds no problem and diagnoses no offset convention.

Files of gold annotations and predictions are generated from clean records over a text with
NBSP, an astral emoji, a combining mark, a tab and an em space (offsets count code points), then
given the defects the checks look for: off-by-one offsets, an end past the text, span edges in
white space, a span text that differs, duplicate ids and doc_ids, dangling references, nesting
cycles, wrong types, missing and extra keys, explicit nulls, scores out of range, unknown
labels, a wrong sha256, blank text-only spans, spans that cut words, `meta` fields. They are
written compact, with spaces or with ASCII escapes. "Clean" must imply that the slow path finds
nothing (always); on the shapes the columnar path covers it must also find every clean file.
"""

from __future__ import annotations

import copy
import hashlib
import json
import tempfile
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from fuzz_profiles import EXACTNESS_EXAMPLES, profile_name
from sourcetrace.errors import InputError
from sourcetrace.schema import columns
from sourcetrace.schema.columns import clean_count, clean_lines_count
from sourcetrace.schema.conventions import OffsetConventionWarning, misfit_counts
from sourcetrace.schema.validation import check_file, validate_file

from gold_factory import story_gold

EXAMPLES = EXACTNESS_EXAMPLES[profile_name()]
TEXT = (
    "Kim Jong\u00a0un told reporters in Seoul that the cafe\u0301 was closed \U0001f600.\t"
    "Officials said\u2003the talks\u00a0failed, a minister added."
)


def _at(phrase: str, text: str = TEXT) -> dict[str, Any]:
    start = text.index(phrase)
    return {"start": start, "end": start + len(phrase), "text": phrase}


def tricky_gold(doc_id: str = "tricky-1") -> dict[str, Any]:
    """A clean gold record over TEXT, every layer and reference used once at least."""

    def entity(ident: str, phrase: str, kind: str, mention: str, entity_id: str) -> dict:
        return {"id": ident, **_at(phrase), "type": kind, "mention": mention, "entity": entity_id}

    def claim(ident: str, phrase: str, cluster: str) -> dict:
        return {
            "id": ident,
            **_at(phrase),
            "polarity": "positive",
            "certainty": "certain",
            "checkworthy": True,
            "cluster": cluster,
        }

    return {
        "doc_id": doc_id,
        "text": TEXT,
        "text_sha256": hashlib.sha256(TEXT.encode("utf-8")).hexdigest(),
        "entities": [
            entity("e1", "Kim Jong\u00a0un", "PERSON", "name", "kim-jong-un"),
            entity("e2", "reporters", "PERSON", "nominal", "reporters"),
            entity("e3", "Seoul", "GPE", "name", "seoul"),
            entity("e4", "cafe\u0301", "FAC", "nominal", "the-cafe"),
            entity("e5", "\U0001f600", "QUANTITY", "name", "x-emoji"),
            entity("e6", "Officials", "PERSON", "nominal", "officials"),
            entity("e7", "a minister", "PERSON", "nominal", "officials"),
        ],
        "claims": [
            claim("c1", "the cafe\u0301 was closed", "cafe-closed"),
            claim("c2", "the talks\u00a0failed", "talks-failed"),
        ],
        "attributions": [
            {
                "id": "a1",
                "source": {"mention": "e1"},
                "cue": _at("told"),
                "content": {**_at("the cafe\u0301 was closed"), "claims": ["c1"]},
                "type": "indirect",
                "nested_in": None,
            },
            {
                "id": "a2",
                "source": _at("Officials"),
                "cue": _at("said"),
                "content": {**_at("the talks\u00a0failed"), "claims": ["c2"]},
                "type": "indirect",
                "nested_in": None,
            },
            {
                "id": "a3",
                "source": None,
                "cue": None,
                "content": {**_at("the talks\u00a0failed"), "claims": ["c2"]},
                "type": "mixed",
                "nested_in": "a2",
            },
        ],
    }


def as_prediction(gold: dict[str, Any]) -> dict[str, Any]:
    """The gold as a system would write it: scores, some spans without their text, no
    nested_in where there is none, a source given by its text only."""
    record = copy.deepcopy(gold)
    for index, entity in enumerate(record["entities"]):
        entity["score"] = round(0.1 * (index + 1), 2)
        if index % 2:
            del entity["text"]
    for attribution in record["attributions"]:
        if attribution["nested_in"] is None:
            del attribution["nested_in"]
    record["attributions"][1]["source"] = {"text": "Officials"}
    del record["claims"][0]["checkworthy"]
    return record


STORY = story_gold()
BASES: list[tuple[str, dict[str, Any]]] = [
    ("annotation", tricky_gold()),
    ("prediction", as_prediction(tricky_gold())),
    ("annotation", STORY[0]),
    ("prediction", STORY[1]),
]

DEFECTS = (
    "nudge",
    "past_end",
    "edge_space",
    "span_text",
    "duplicate_id",
    "dangling",
    "self_nested",
    "cycle",
    "wrong_type",
    "delete_key",
    "extra_key",
    "meta",
    "score",
    "null",
    "type_conflict",
    "label",
    "doc_id",
    "sha",
    "blank_text",
    "cut_word",
    "drop_text",
    "unknown_doc",
)
WRONG_VALUES = [3.0, "3", True, [], {}, -1, 2**64, "PERSN", " x", ""]


def spans_of(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Every span object of a record (entities, claims, an attribution's source, cue, content)."""
    spans = [*record.get("entities", []), *record.get("claims", [])]
    for attribution in record.get("attributions", []):
        for part in ("source", "cue", "content"):
            value = attribution.get(part)
            if isinstance(value, dict) and "mention" not in value:
                spans.append(value)
    return spans


def items_of(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [*record.get("entities", []), *record.get("claims", []), *record.get("attributions", [])]


@st.composite
def defective(draw: Any, record: dict[str, Any]) -> dict[str, Any]:
    """``record`` with 0-2 defects of DEFECTS (some leave it valid: a nudge that lands well)."""
    record = copy.deepcopy(record)
    text = record.get("text", "")
    count = draw(st.sampled_from([0, 0, 1, 1, 1, 2]))
    for defect in draw(st.lists(st.sampled_from(DEFECTS), min_size=count, max_size=count)):
        spans = [s for s in spans_of(record) if "start" in s]
        items = items_of(record)
        if defect == "nudge" and spans:
            span = draw(st.sampled_from(spans))
            side = draw(st.sampled_from(["start", "end"]))
            span[side] += draw(st.sampled_from([-1, 1]))
        elif defect == "past_end" and spans:
            span = draw(st.sampled_from(spans))
            span["end"] = len(text) + draw(st.integers(0, 2))
            if draw(st.booleans()):
                span.pop("text", None)
        elif defect == "edge_space" and spans:
            span = draw(st.sampled_from(spans))
            spaces = [i for i, ch in enumerate(text) if ch.isspace()]
            where = draw(st.sampled_from(spaces))
            span["start"], span["end"] = (where, where + 3) if where + 3 < len(text) else (0, 1)
            if "text" in span:
                span["text"] = text[span["start"] : span["end"]]
        elif defect == "span_text" and spans:
            span = draw(st.sampled_from(spans))
            start, end = span["start"], span["end"]
            span["text"] = draw(
                st.sampled_from([" x", "x", text[start:end] + " ", text[start + 1 : end + 1]])
            )
        elif defect == "duplicate_id" and len(items) > 1:
            first, second = draw(st.permutations(items))[:2]
            if "id" in first:
                second["id"] = first["id"]
        elif defect == "dangling" and record.get("attributions"):
            attribution = draw(st.sampled_from(record["attributions"]))
            where = draw(st.sampled_from(["source", "content", "nested_in"]))
            if where == "source":
                attribution["source"] = {"mention": "nobody"}
            elif where == "content":
                attribution["content"]["claims"] = ["nothing"]
            else:
                attribution["nested_in"] = "nowhere"
        elif defect == "self_nested" and record.get("attributions"):
            attribution = draw(st.sampled_from(record["attributions"]))
            attribution["nested_in"] = attribution.get("id")
        elif defect == "cycle" and len(record.get("attributions", [])) > 1:
            one, other = record["attributions"][:2]
            one["nested_in"], other["nested_in"] = other.get("id"), one.get("id")
        elif defect == "wrong_type" and items:
            item = draw(st.sampled_from(items))
            key = draw(st.sampled_from(sorted(item)))
            item[key] = draw(st.sampled_from(WRONG_VALUES))
        elif defect == "delete_key" and items:
            item = draw(st.sampled_from(items))
            del item[draw(st.sampled_from(sorted(item)))]
        elif defect == "extra_key":
            target = draw(st.sampled_from([record, *items]))
            target[draw(st.sampled_from(["x", "source_span", "provenance"]))] = []
        elif defect == "meta" and items:
            draw(st.sampled_from(items))["meta"] = {"raw": "B-PER", "start": 0, "end": 3}
        elif defect == "score" and items:
            draw(st.sampled_from(items))["score"] = draw(st.sampled_from([0.5, 1, 0, 1.5, -0.1]))
        elif defect == "null" and items:
            item = draw(st.sampled_from(items))
            item[draw(st.sampled_from(sorted(item)))] = None
        elif defect == "type_conflict" and len(record.get("entities", [])) > 1:
            first, second = record["entities"][:2]
            second["entity"] = first.get("entity")
        elif defect == "label" and items:
            item = draw(st.sampled_from(items))
            for key in ("type", "mention", "polarity", "certainty", "content_type"):
                if key in item:
                    item[key] = draw(st.sampled_from(["PERSN", "person", "belief", "ORG"]))
                    break
        elif defect == "doc_id":
            record["doc_id"] = draw(st.sampled_from(["St-000", "a b", "x" * 129, "ok-id"]))
        elif defect == "sha":
            record["text_sha256"] = "0" * 64
        elif defect == "blank_text" and items:
            span = draw(st.sampled_from(spans_of(record) or [{}]))
            for key in ("start", "end"):
                span.pop(key, None)
            span["text"] = draw(st.sampled_from([" ", "\u00a0", "\t x", "word"]))
        elif defect == "cut_word" and spans:
            span = draw(st.sampled_from(spans))
            span.pop("text", None)
            span["start"] += 1
        elif defect == "drop_text" and "text" in record:
            del record["text"]
        elif defect == "unknown_doc":  # a document the text lookup does not know
            record["doc_id"] = draw(st.sampled_from(["unknown-1", "unknown-2"]))
            record.pop("text", None)
            if draw(st.booleans()):
                record.pop("text_sha256", None)
    return record


def render(record: dict[str, Any], style: str) -> str:
    if style == "compact":
        return json.dumps(record, separators=(",", ":"), ensure_ascii=False)
    return json.dumps(record, ensure_ascii=style == "ascii")


@st.composite
def files(draw: Any) -> tuple[str, bytes]:
    """(kind, JSON Lines bytes): one or two records of one kind, each perhaps with defects."""
    kind, base = draw(st.sampled_from(BASES))
    others = [record for k, record in BASES if k == kind]
    records = [draw(defective(base))]
    if draw(st.booleans()):
        records.append(draw(defective(draw(st.sampled_from(others)))))
    style = draw(st.sampled_from(["compact", "spaced", "ascii"]))
    return kind, "".join(render(r, style) + "\n" for r in records).encode("utf-8")


TEXTS = {record["doc_id"]: record["text"] for record in STORY} | {
    "tricky-1": TEXT,
    "tricky-2": TEXT,
}


def covered(data: bytes) -> bool:
    """Within the shapes the columnar path decides (see its docstring): no `meta`, no
    `provenance` or `source_span`, no explicit null but a source's, a cue's or nested_in's,
    no text-only span that starts with white space, no span without text that cuts a word."""
    records = [json.loads(line) for line in data.splitlines()]
    text = json.dumps(records)
    if any(f'"{key}"' in text for key in ("meta", "provenance", "source_span", "x")):
        return False
    nulls = sum(text.count(f'"{key}": null') for key in ("source", "cue", "nested_in"))
    if text.count("null") != nulls:
        return False
    for record in records:
        document = record.get("text") or TEXTS.get(record.get("doc_id"))
        for span in spans_of(record):
            if not isinstance(span, dict):
                continue
            own = span.get("text")
            if "start" not in span and isinstance(own, str) and own[:1].isspace():
                return False
            start, end = span.get("start"), span.get("end")
            if own is None and document and type(start) is int and type(end) is int:
                if 0 < start < len(document) and document[start - 1 : start + 1].isalnum():
                    return False
                if 0 < end < len(document) and document[end - 1 : end + 1].isalnum():
                    return False
    return True


def chunked_count(path: Path, kind: str, chunk_bytes: int) -> int | None:
    """`clean_count` reading ``chunk_bytes`` at a time (a line longer than that is read on in
    the same chunk; each chunk is checked on its own, then the doc_ids across them)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(columns, "CHUNK_BYTES", chunk_bytes)
        patch.setattr(columns, "TAIL_BYTES", min(chunk_bytes, columns.TAIL_BYTES))
        return clean_count(path, kind, TEXTS.get)


def decide(data: bytes, kind: str) -> tuple[bool, bool]:
    """(columnar verdict, record path verdict); the columnar verdict is the same whether the
    file is one chunk, a chunk per line or chunks that end inside a line, and `check_file`
    (columnar when it is certain: clean, or refused for unknown doc_ids only) says exactly
    what the record path says."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "records.jsonl"
        path.write_bytes(data)
        count = clean_count(path, kind, TEXTS.get)
        for chunk_bytes in (16, max(len(data) // 3, 1)):
            assert chunked_count(path, kind, chunk_bytes) == count, chunk_bytes
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _, _, records, problems = validate_file(path, kind=kind, text_for=TEXTS.get)
            checked = check_file(path, kind=kind, text_for=TEXTS.get)
        assert [str(p) for p in checked.problems] == [str(p) for p in problems]
        assert checked.records == len(records)
        slow = not problems and not any(w.category is OffsetConventionWarning for w in caught)
        return count is not None, slow


@pytest.fixture(autouse=True, scope="module")
def columnar_for_small_files() -> Any:
    """The files here are small: the columnar path takes them all (in use it leaves files under
    MIN_FILE_BYTES to the record path, which reads them sooner than pyarrow is imported)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(columns, "MIN_FILE_BYTES", 0)
        yield


# ---------------------------------------------------------------- properties


@settings(max_examples=EXAMPLES)
@given(file=files())
def test_columnar_clean_means_the_slow_path_finds_nothing(file: tuple[str, bytes]) -> None:
    kind, data = file
    fast, slow = decide(data, kind)
    event(f"columnar {'clean' if fast else 'not certain'}, slow path {'clean' if slow else 'not'}")
    if fast:
        assert slow, data.decode()
    if covered(data):
        assert fast == slow, data.decode()


def test_every_base_record_is_clean_on_both_paths() -> None:
    for kind, record in BASES:
        data = (json.dumps(record) + "\n").encode()
        assert decide(data, kind) == (True, True), (kind, record["doc_id"])


# ---------------------------------------------------------------- hand-written cases


def _decide_one(record: dict[str, Any], kind: str = "prediction") -> tuple[bool, bool]:
    return decide((json.dumps(record, ensure_ascii=False) + "\n").encode(), kind)


def _gold() -> dict[str, Any]:
    return tricky_gold()


def _without_nulls(record: dict[str, Any]) -> dict[str, Any]:
    """A prediction whose only attribution has a source and a cue (no null written)."""
    record = as_prediction(record)
    record["attributions"] = record["attributions"][:1]
    return record


def _two(first: dict[str, Any]) -> list[dict[str, Any]]:
    return [first, {**as_prediction(tricky_gold("tricky-2"))}]


def _end_past_text_without_span_text(record: dict[str, Any]) -> None:
    del record["entities"][2]["text"]
    record["entities"][2]["end"] = len(TEXT) + 2


def _same_length_other_text(record: dict[str, Any]) -> None:
    entity = record["entities"][2]
    entity["text"] = TEXT[entity["start"] + 1 : entity["end"] + 1]


def _entity_id_twice(record: dict[str, Any]) -> None:
    record["entities"][1]["id"] = "e1"


def _claim_reuses_an_entity_id(record: dict[str, Any]) -> None:
    record["claims"][1]["id"] = "e3"


def _nested_in_itself(record: dict[str, Any]) -> None:
    record["attributions"][0]["nested_in"] = "a1"


def _explicit_null_span_text(record: dict[str, Any]) -> None:
    record["entities"][0]["text"] = None


def _two_types_for_one_entity(record: dict[str, Any]) -> None:
    record["entities"][1]["entity"] = "kim-jong-un"  # PERSON both: still one type
    record["entities"][2]["entity"] = "kim-jong-un"  # a GPE now: two types


def _every_end_one_short(record: dict[str, Any]) -> None:
    """Spans without their text, each ending on its last character (end inclusive): they
    validate, but the diagnosis says the file counts its ends that way."""
    for span in spans_of(record):
        if "end" in span and span["end"] - span["start"] > 1:
            span.pop("text", None)
            span["end"] -= 1


def _id_with_a_space(record: dict[str, Any]) -> None:
    record["entities"][0]["id"] = "e 1"
    record["attributions"][0]["source"] = {"mention": "e 1"}


def _gold_entity_without_mention_kind(record: dict[str, Any]) -> None:
    del record["entities"][0]["mention"]


def _source_mention_unknown(record: dict[str, Any]) -> None:
    record["attributions"][0]["source"] = {"mention": "e99"}


def _content_claim_unknown(record: dict[str, Any]) -> None:
    record["attributions"][0]["content"]["claims"] = ["c9"]


def _empty_span(record: dict[str, Any]) -> None:
    entity = record["entities"][2]
    entity.pop("text", None)
    entity["end"] = entity["start"]


def _reversed_span_between_word_edges(record: dict[str, Any]) -> None:
    """[start of "Officials", just after the full stop before it): reversed, yet each edge is
    on a word edge and not in white space."""
    entity = record["entities"][5]
    entity.pop("text", None)
    entity["start"], entity["end"] = TEXT.index("Officials"), TEXT.index(".\t") + 1


HAND_CASES = [
    ("prediction", _two, _end_past_text_without_span_text),
    ("prediction", _two, _same_length_other_text),
    ("annotation", None, _entity_id_twice),
    ("annotation", None, _claim_reuses_an_entity_id),
    ("annotation", None, _nested_in_itself),
    ("prediction", _without_nulls, _explicit_null_span_text),
    ("annotation", None, _two_types_for_one_entity),
    ("prediction", None, _every_end_one_short),
    ("annotation", None, _id_with_a_space),
    ("annotation", None, _gold_entity_without_mention_kind),
    ("annotation", None, _source_mention_unknown),
    ("annotation", None, _content_claim_unknown),
    ("prediction", None, _empty_span),
    ("prediction", None, _reversed_span_between_word_edges),
]


@pytest.mark.parametrize(
    ("kind", "shape", "defect"), HAND_CASES, ids=[case[2].__name__[1:] for case in HAND_CASES]
)
def test_columnar_hand_written_defect_is_not_clean(kind: str, shape: Any, defect: Any) -> None:
    record = tricky_gold() if kind == "annotation" else as_prediction(tricky_gold())
    if shape is _without_nulls:
        record = _without_nulls(tricky_gold())
    defect(record)
    records = _two(record) if shape is _two else [record]
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()
    assert decide(data, kind) == (False, False)


def test_columnar_off_by_one_end_after_an_astral_character_is_refused() -> None:
    record = _gold()
    record["entities"][4]["end"] += 1  # the emoji counts one code point, not two
    assert _decide_one(record, "annotation") == (False, False)


def test_columnar_span_text_compared_in_code_points_not_bytes() -> None:
    record = _gold()
    entity = record["entities"][3]  # "cafe" + U+0301: five code points
    assert entity["end"] - entity["start"] == 5
    assert _decide_one(record, "annotation") == (True, True)
    entity["text"] = "caf\u00e9"  # the composed form: another string
    assert _decide_one(record, "annotation") == (False, False)


def test_columnar_nbsp_and_em_space_at_a_span_edge_are_white_space() -> None:
    record = _gold()
    at = TEXT.index("\u2003")
    record["claims"][1].update(start=at, end=at + 10, text=TEXT[at : at + 10])
    assert _decide_one(record, "annotation") == (False, False)


def test_columnar_nesting_cycle_is_refused() -> None:
    record = _gold()
    record["attributions"][1]["nested_in"] = "a3"  # a2 -> a3 -> a2
    assert _decide_one(record, "annotation") == (False, False)


def test_columnar_duplicate_doc_id_is_refused() -> None:
    line = json.dumps(_gold()) + "\n"
    assert decide((line * 2).encode(), "annotation") == (False, False)


def test_columnar_explicit_null_text_is_a_doubt_for_the_slow_path() -> None:
    record = as_prediction(_gold())
    record["entities"][0]["text"] = None
    assert _decide_one(record) == (False, False)


def test_columnar_word_null_inside_a_text_sends_a_clean_file_to_the_slow_path() -> None:
    record = as_prediction(_gold())
    record["entities"][0]["meta"] = {"note": "null"}
    fast, slow = _decide_one(record)
    assert (fast, slow) == (False, True)


@pytest.mark.parametrize(
    "data",
    [
        b'{"doc_id":"a"} {"doc_id":"b"}\n',  # two values on one line: the reader refuses
        b'{"doc_id":"a"}{"doc_id":"b"}\n',  # the same without a space: two rows, one line
        b'{"doc_id":"a"}}\n',  # trailing data
        b'{"doc_id":"a"},{"doc_id":"b"}\n',
        b'{"doc_id":"a"}\n\n{"doc_id":"b"}\n',  # a blank line: decided by the slow path
        b'\xef\xbb\xbf{"doc_id":"a"}\n',  # a byte-order mark
        b'{"doc_id":"a","doc_id":"b"}\n',  # a key twice
        b'{"doc_id":"a","entities":[{"type":"ORG","text":"x","score":NaN}]}\n',
        b'{"doc_id":"\\ud800"}\n',  # a lone surrogate
        b'{"doc_id":"a","entities":[{"type":"ORG","start":0.0,"end":1}]}\n',
        # outside the line shape (a doubt, for the slow path): a line after the first that
        # starts with white space, a last line that ends with it or with a CR
        b'{"doc_id":"a"}\n {"doc_id":"b"}\n',
        b'{"doc_id":"a"}\n{"doc_id":"b"} ',
        b'{"doc_id":"a"}\n{"doc_id":"b"}\r\n',
    ],
)
def test_columnar_reader_quirks_never_pass_as_clean(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "records.jsonl"
        path.write_bytes(data)
        assert clean_count(path, "prediction") is None


def test_check_file_reports_the_slow_paths_problems_when_not_clean(tmp_path: Path) -> None:
    record = _gold()
    record["entities"][0]["end"] += 1
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    checked = check_file(path, kind="annotation")
    _, _, records, problems = validate_file(path, kind="annotation")
    assert [str(p) for p in checked.problems] == [str(p) for p in problems] != []
    assert checked.records == len(records) == 1


def test_check_file_counts_a_clean_file_without_reading_records(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in STORY), encoding="utf-8")
    checked = check_file(path, kind="annotation")
    assert (checked.format, checked.kind, checked.records, checked.problems) == (
        "jsonl",
        "annotation",
        len(STORY),
        [],
    )


def test_columnar_path_honours_a_set_input_limit_only_when_the_file_is_over_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SOURCETRACE_MAX_INPUT_BYTES raised for large files must not turn the columnar path off; a
    file over the limit goes to the reader, which refuses it with its own message."""
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in STORY), encoding="utf-8")
    size = path.stat().st_size
    monkeypatch.setenv("SOURCETRACE_MAX_INPUT_BYTES", str(size))
    assert clean_count(path, "annotation") == len(STORY)
    monkeypatch.setenv("SOURCETRACE_MAX_INPUT_BYTES", str(size - 1))
    assert clean_count(path, "annotation") is None
    with pytest.raises(InputError, match="over the limit"):
        check_file(path, kind="annotation")


# ---------------------------------------------------------------- refusals decided by columns


def _unknown_doc_lines() -> list[dict[str, Any]]:
    """Predictions without their texts: two of documents the lookup does not know, one of a
    known document between them."""
    unknown = []
    for doc_id in ("unknown-1", "tricky-1", "unknown-2"):
        record = as_prediction(tricky_gold(doc_id))
        del record["text"]
        unknown.append(record)
    return unknown


def test_check_file_refuses_unknown_doc_ids_by_columns_with_the_record_paths_words(
    tmp_path: Path,
) -> None:
    path = tmp_path / "predictions.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in _unknown_doc_lines()), "utf-8")
    verdict = columns.file_verdict(path, "prediction", TEXTS.get)
    assert verdict == columns.Verdict(3, [(1, "unknown-1"), (3, "unknown-2")])
    assert clean_count(path, "prediction", TEXTS.get) is None
    checked = check_file(path, kind="prediction", text_for=TEXTS.get)
    _, _, _, problems = validate_file(path, kind="prediction", text_for=TEXTS.get)
    assert [str(p) for p in checked.problems] == [str(p) for p in problems]
    assert [(p.line, p.pointer) for p in checked.problems] == [(1, "/doc_id"), (3, "/doc_id")]
    assert "unknown doc_id 'unknown-2'" in str(checked.problems[1])


def test_columnar_unknown_doc_id_with_a_schema_problem_is_left_to_the_record_path(
    tmp_path: Path,
) -> None:
    records = _unknown_doc_lines()
    records[0]["entities"][0]["type"] = "PERSN"  # the schema's problem is said, not the doc_id
    path = tmp_path / "predictions.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    assert columns.file_verdict(path, "prediction", TEXTS.get) is None
    checked = check_file(path, kind="prediction", text_for=TEXTS.get)
    _, _, _, problems = validate_file(path, kind="prediction", text_for=TEXTS.get)
    assert [str(p) for p in checked.problems] == [str(p) for p in problems]
    assert [p.line for p in problems] == [1, 3]
    assert "not a known label" in str(problems[0])


def _cli_validate(path: Path, *options: str) -> tuple[int, str, str]:
    import contextlib
    import io

    from sourcetrace.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["validate", *options, str(path)])
    return code, out.getvalue(), err.getvalue()


def _many(record: dict[str, Any], count: int) -> list[dict[str, Any]]:
    return [{**copy.deepcopy(record), "doc_id": f"{record['doc_id']}-{n}"} for n in range(count)]


def _file_cases() -> dict[str, list[dict[str, Any]]]:
    gold = _many(tricky_gold(), 40)
    predictions = [as_prediction(r) for r in gold]
    off_by_one = copy.deepcopy(predictions)
    off_by_one[17]["entities"][0]["end"] += 1
    duplicate = copy.deepcopy(gold)
    duplicate[39]["doc_id"] = duplicate[0]["doc_id"]
    without_texts = copy.deepcopy(predictions)
    for record in without_texts:
        del record["text"]
    bad_labels = copy.deepcopy(predictions)
    for record in bad_labels:
        record["entities"][1]["type"] = "PERSN"
    return {
        "clean gold": gold,
        "clean predictions": predictions,
        "off by one": off_by_one,
        "doc_id twice, first and last chunk": duplicate,
        "texts of unknown documents": without_texts,
        "a bad label in every record": bad_labels,
    }


@pytest.mark.parametrize("case", list(_file_cases()))
@pytest.mark.parametrize("options", [(), ("--all-problems",), ("--kind", "prediction")])
def test_validate_cli_says_on_the_columnar_path_what_the_record_path_says(
    tmp_path: Path, case: str, options: tuple[str, ...]
) -> None:
    """Exit code, stdout and stderr of `sourcetrace validate`, byte for byte, whether the file
    is decided by columns (in chunks of about 2 KB here, so several) or record by record."""
    path = tmp_path / "records.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in _file_cases()[case]), "utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(columns, "CHUNK_BYTES", 2048)
        columnar = _cli_validate(path, *options)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(columns, "MIN_FILE_BYTES", 1 << 62)  # every file record by record
        by_records = _cli_validate(path, *options)
    assert columnar == by_records
    assert columnar[0] == (0 if case.startswith("clean") else 2) or (
        case == "texts of unknown documents" and columnar[0] == 0  # no built corpus: no lookup
    )


def test_detect_kind_reads_a_prediction_with_ids_and_a_sha256_as_a_prediction(
    tmp_path: Path,
) -> None:
    """A prediction that carries its text, its sha256 and an id on every entity has the keys
    of gold; read as gold, every attribution without nested_in and every claim without
    checkworthy was a problem (a 30,000-document file took minutes to refuse)."""
    from sourcetrace.schema.validation import detect_kind

    prediction = as_prediction(tricky_gold())
    assert "text_sha256" in prediction and all("id" in e for e in prediction["entities"])
    assert detect_kind(prediction) == "prediction"
    assert detect_kind(tricky_gold()) == "annotation"
    broken = tricky_gold()
    broken["entities"][0]["type"] = "PERSN"  # neither a valid annotation nor a prediction
    assert detect_kind(broken) == "annotation"
    path = tmp_path / "predictions.jsonl"
    path.write_text("".join(json.dumps(as_prediction(r)) + "\n" for r in _many(_gold(), 3)))
    checked = check_file(path, text_for=TEXTS.get)
    assert (checked.kind, checked.records, checked.problems) == ("prediction", 3, [])


def test_columnar_wrong_sha256_of_a_later_record_is_refused() -> None:
    records = _many(_gold(), 3)
    records[2]["text_sha256"] = hashlib.sha256(b"another text").hexdigest()
    data = "".join(json.dumps(r) + "\n" for r in records).encode()
    assert decide(data, "annotation") == (False, False)


# ---------------------------------------------------------------- lines already read (chunks)


@settings(max_examples=EXAMPLES)
@given(file=files())
def test_columnar_lines_decide_as_the_file_and_clean_lines_have_no_misfit(
    file: tuple[str, bytes],
) -> None:
    """`clean_lines_count` (the lines of a chunk, joined without a final newline) says what
    `clean_count` says of the same lines as a file; and lines it finds clean have every span
    fit as written (`misfit_counts`: as many fitting as judged), so a clean chunk adds nothing
    to the misfits a run read in chunks sums to decide whether it may be diagnosed."""
    kind, data = file
    lines = data.removesuffix(b"\n")
    fast_lines = clean_lines_count(lines, kind, TEXTS.get, file_bytes=len(data))
    fast_file, slow = decide(data, kind)
    assert (fast_lines is not None) == fast_file, data.decode()
    if fast_lines is not None:
        assert slow and fast_lines == len(data.splitlines())
        counts = misfit_counts([json.loads(line) for line in data.splitlines()], TEXTS)
        assert all(counts["spans", by_text] == counts["fit", by_text] for by_text in (True, False))


def test_columnar_lines_of_a_file_under_the_minimum_are_left_to_the_record_path() -> None:
    """The minimum is the file's, not the chunk's: the last chunk of a large file may be small
    (pyarrow is imported by then), a run of a small file never imports it."""
    data = "".join(json.dumps(r) + "\n" for r in STORY).encode("utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(columns, "MIN_FILE_BYTES", len(data) + 1)
        assert clean_lines_count(data, "annotation", file_bytes=len(data)) is None
        assert clean_lines_count(data, "annotation", file_bytes=len(data) + 1) == len(STORY)


def _entities_only(record: dict[str, Any]) -> dict[str, Any]:
    """A prediction as W1's systems write it: its doc_id and entities of start, end and type."""
    kept = ("start", "end", "type")
    return {
        "doc_id": record["doc_id"],
        "entities": [{key: entity[key] for key in kept} for entity in record["entities"]],
    }


def _whole_schema_table(data: bytes, kind: str) -> Any:
    """The lines read by pyarrow with the whole explicit schema of ``kind``."""
    import pyarrow as pa
    import pyarrow.json as pj

    options = pj.ParseOptions(
        explicit_schema=columns.arrow_schema(kind), unexpected_field_behavior="error"
    )
    return pj.read_json(pa.BufferReader(data), parse_options=options).combine_chunks()


def _with_later_keys(later: str) -> list[dict[str, Any]]:
    """Entity-only predictions of the tricky text, one of them (the first or a later one)
    with more keys than the first record has."""
    records = [_entities_only(r) for r in _many(tricky_gold("tricky-2"), 6)]
    for index, record in enumerate(records):
        record["doc_id"] = "tricky-1" if index % 2 else "tricky-2"
        if index > 1:
            record["doc_id"] = f"unknown-{index}"
            record["text"] = TEXT
    changed = records[0] if later.startswith("first") else records[4]
    if "score" in later:
        changed["entities"][0]["score"] = 0.5
    if "text" in later:
        entity = changed["entities"][1]
        entity["text"] = TEXT[entity["start"] : entity["end"]]
    if "claims" in later:
        changed["claims"] = [_at("the talks") | {"polarity": "negative"}]
    if "no entities" in later:
        del changed["entities"]
    return records


@pytest.mark.parametrize(
    "later",
    ["same keys", "a score", "a span text", "claims", "no entities", "first: a score and a text"],
)
def test_predictions_are_the_table_of_the_whole_schema(later: str) -> None:
    """Predictions are read with the schema cut to their first record's keys and widened
    again: the table the checks and the entity scorer read is the one the whole schema makes
    (values, nulls and types), also when a later record has more keys (read again whole)."""
    records = _with_later_keys(later)
    data = "\n".join(json.dumps(r) for r in records).encode()
    table = columns.clean_lines_table(data, "prediction", TEXTS.get, file_bytes=len(data))
    assert table is not None
    assert table.schema == columns.arrow_schema("prediction")
    assert table.equals(_whole_schema_table(data, "prediction"))
    table.validate(full=True)
    entities = table.column("entities").combine_chunks()
    assert (
        entities.to_pylist()
        == _whole_schema_table(data, "prediction").column("entities").combine_chunks().to_pylist()
    )


def test_a_later_prediction_with_an_unknown_item_key_is_still_refused() -> None:
    records = _with_later_keys("same keys")
    records[4]["entities"][0]["confidence"] = 0.5
    data = "\n".join(json.dumps(r) for r in records).encode()
    assert columns.clean_lines_table(data, "prediction", TEXTS.get, file_bytes=len(data)) is None
    assert decide(data + b"\n", "prediction") == (False, False)


def test_kept_freed_memory_takes_on_glibc_and_changes_no_answer() -> None:
    """`keep_freed_memory` (what `sourcetrace validate` asks of malloc before it reads): glibc
    takes both settings (the function says whether it did), and the columnar verdicts after it
    are the verdicts before it."""
    import platform

    records = _many(_gold(), 3)
    data = "".join(json.dumps(r) + "\n" for r in records).encode()
    broken = data.replace(b'"start": ', b'"start": 1', 1)
    before = (decide(data, "annotation"), decide(broken, "annotation"))
    kept = columns.keep_freed_memory()
    assert kept == (platform.libc_ver()[0] == "glibc")
    assert (decide(data, "annotation"), decide(broken, "annotation")) == before
    assert before[0] == (True, True) and before[1][0] is False
