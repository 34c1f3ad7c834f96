"""`convert --gold FILE.jsonl` reads the gold as `evaluate --gold` does (the same records, the
same checks, the same refusals word for word), without hashing the file's bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from convert_helpers import gold_record, write_gold

from sourcetrace.convert import convert
from sourcetrace.errors import InputError, InputErrors
from sourcetrace.evaluation.inputs import load_gold

TEXT = "Reuters reported it."
LINE = "-DOCSTART- t-1\n\nReuters B-ORG\nreported O\nit O\n. O\n"


def refusal(call: object) -> str:
    try:
        call()  # type: ignore[operator]
    except (InputError, InputErrors) as error:
        return str(error)
    raise AssertionError("not refused")


def outcome(call: object) -> str:
    """The message of the refusal, or "read"."""
    try:
        call()  # type: ignore[operator]
    except (InputError, InputErrors) as error:
        return str(error)
    return "read"


@pytest.mark.parametrize(
    "lines",
    [
        [{**gold_record("t-1", TEXT), "text_sha256": "0" * 64}],  # another text's hash
        [gold_record("t-1", TEXT), gold_record("t-1", TEXT)],  # a document twice
        [{"doc_id": "t-1", "entities": []}],  # no text
        [{**gold_record("t-1", TEXT), "entities": [{"start": 0}]}],  # not a gold entity
        "not json",
        [],  # no record
        # records that only bring a text (read without the compiled validator), their faults
        [{**gold_record("t-1", TEXT), "doc_id": "T-1"}],  # not of the doc_id pattern
        [{**gold_record("t-1", TEXT), "doc_id": "t" * 129}],  # too long
        [
            {
                **gold_record("t-1", TEXT),
                "text_sha256": gold_record("t-1", TEXT)["text_sha256"].upper(),
            }
        ],
        [{**gold_record("t-1", TEXT), "text": 3}],
        [{**gold_record("t-1", TEXT), "claims": {}}],
        [{**gold_record("t-1", TEXT), "meta": {}}],
        # a key twice (orjson keeps the last; the reader refuses it), a record of a line the
        # reader reads, then one without its newline that it refuses
        '{"doc_id": "t-2", "doc_id": "t-1"' + json.dumps(gold_record("t-1", TEXT))[16:],
        # ... with as many `:` as the record has, one of them escaped in the text
        '{"doc_id": "t-2", "doc_id": "t-1"'
        + json.dumps(gold_record("t-1", "Reuters: it."))[16:].replace(": it", "\\u003a it"),
        json.dumps(gold_record("t-1", TEXT)) + "\n" + json.dumps(gold_record("t-2", TEXT))[:-1],
        # problems of a record, then a line the reader refuses: the line is said alone
        f"{json.dumps({'doc_id': 't-1', 'entities': []})}\nnot json",
        f"{json.dumps(gold_record('t-1', TEXT))}\n{json.dumps(gold_record('t-1', TEXT))}\n[",
    ],
)
def test_gold_jsonl_refused_as_evaluate_refuses_it(tmp_path: Path, lines: object) -> None:
    gold = tmp_path / "gold.jsonl"
    if isinstance(lines, str):
        gold.write_text(lines + "\n", encoding="utf-8")
    else:
        write_gold(gold, lines)  # type: ignore[arg-type]
    system = tmp_path / "out.conll"
    system.write_text(LINE, encoding="utf-8")
    assert outcome(lambda: convert("conll", [system], gold=gold, labels="conll2003")) == outcome(
        lambda: load_gold(gold)
    )


def test_gold_jsonl_and_json_give_the_same_records(tmp_path: Path) -> None:
    records = [gold_record("t-1", TEXT), gold_record("t-2", "Kyiv \u00e9t\u00e9.")]
    jsonl = write_gold(tmp_path / "gold.jsonl", records)
    as_json = tmp_path / "gold.json"
    as_json.write_text(json.dumps(records), encoding="utf-8")
    system = tmp_path / "out.conll"
    system.write_text(LINE, encoding="utf-8")
    read = [convert("conll", [system], gold=g, labels="conll2003") for g in (jsonl, as_json)]
    assert (
        read[0]
        == read[1]
        == [
            {
                "doc_id": "t-1",
                "text_sha256": records[0]["text_sha256"],
                "entities": [{"start": 0, "end": 7, "text": "Reuters", "type": "ORG"}],
            }
        ]
    )


@pytest.mark.parametrize("name", ["gold.jsonl", "gold"])
def test_gold_folder_read_as_a_folder_whatever_its_name(tmp_path: Path, name: str) -> None:
    """A folder is read as a gold folder (here refused: it holds no gold file), whatever its
    name ends with, as `evaluate` reads it."""
    system = tmp_path / "out.conll"
    system.write_text(LINE, encoding="utf-8")
    folder = tmp_path / name
    folder.mkdir()
    assert refusal(lambda: convert("conll", [system], gold=folder, labels="conll2003")) == refusal(
        lambda: load_gold(folder)
    )


def test_gold_record_with_provenance_and_no_other_item_read_as_evaluate_reads_it(
    tmp_path: Path,
) -> None:
    """A record with an empty provenance (a key beyond the bare ones) goes through every check
    and is read."""
    gold = write_gold(tmp_path / "gold.jsonl", [{**gold_record("t-1", TEXT), "provenance": []}])
    system = tmp_path / "out.conll"
    system.write_text(LINE, encoding="utf-8")
    assert load_gold(gold).texts == {"t-1": TEXT}
    assert convert("conll", [system], gold=gold, labels="conll2003")[0]["doc_id"] == "t-1"


def test_an_error_raised_by_a_check_comes_after_the_reading_refuses_a_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gold is checked as it is read; an error a check raises (not a problem it finds) is
    raised once every line is read, so that a line the reader refuses is said first, as when
    every record is read before any is checked."""
    from sourcetrace.schema import validation

    def broken(*args: object) -> list[InputError]:
        raise RuntimeError("a check broke")

    monkeypatch.setattr(validation, "gold_record_problems", broken)
    system = tmp_path / "out.conll"
    system.write_text(LINE, encoding="utf-8")
    gold = tmp_path / "gold.jsonl"
    record = {**gold_record("t-1", TEXT), "provenance": []}  # checked (not a bare record)
    gold.write_text(json.dumps(record) + "\nnot json\n", encoding="utf-8")
    message = refusal(lambda: convert("conll", [system], gold=gold, labels="conll2003"))
    assert "line 2" in message and "a check broke" not in message
    write_gold(gold, [record])
    with pytest.raises(RuntimeError, match="a check broke"):
        convert("conll", [system], gold=gold, labels="conll2003")


def test_doc_id_with_a_final_newline_read_as_evaluate_reads_it(tmp_path: Path) -> None:
    """A doc_id of the pattern but for a final newline (which `$` of Python's re takes, so the
    reference validator reads it) is not taken for a bare record; the gold is read as
    `evaluate` reads it."""
    doc_id = "t-1\n"
    gold = write_gold(tmp_path / "gold.jsonl", [{**gold_record("t-1", TEXT), "doc_id": doc_id}])
    system = tmp_path / "out.conll"
    system.write_text(LINE.replace(" t-1", ""), encoding="utf-8")
    assert list(load_gold(gold).texts) == [doc_id]
    records = convert("conll", [system], gold=gold, labels="conll2003", doc_ids=(doc_id,))
    assert [record["doc_id"] for record in records] == [doc_id]


COLON_TEXT = "Reuters: reported it."


@pytest.mark.parametrize(
    "written",
    [
        json.dumps(gold_record("t-1", COLON_TEXT)) + "\n",  # a colon in the text
        json.dumps(gold_record("t-1", COLON_TEXT)).replace(": re", "\\u003a re") + "\n",
        json.dumps(gold_record("t-1", COLON_TEXT)) + "\r\n",
        json.dumps(gold_record("t-1", COLON_TEXT)),  # no newline at the end
        json.dumps(gold_record("t-1", COLON_TEXT), separators=(",", ":")) + "\n",
        json.dumps({**gold_record("t-1", COLON_TEXT), "provenance": []}) + "\n",
    ],
)
def test_gold_of_records_that_only_bring_a_text_read_as_evaluate_reads_it(
    tmp_path: Path, written: str
) -> None:
    """However a record that only brings its text is written (a colon in it, escaped or not, a
    CRLF line end, no final newline, compact), `convert` takes the text and its sha256 that
    `evaluate` reads."""
    gold = tmp_path / "gold.jsonl"
    gold.write_text(written, encoding="utf-8")
    system = tmp_path / "out.conll"
    system.write_text(LINE.replace("Reuters B-ORG\n", "Reuters B-ORG\n: O\n"), encoding="utf-8")
    read = load_gold(gold)
    assert read.texts == {"t-1": COLON_TEXT}
    assert convert("conll", [system], gold=gold, labels="conll2003") == [
        {
            "doc_id": "t-1",
            "text_sha256": read.documents["t-1"]["text_sha256"],
            "entities": [{"start": 0, "end": 7, "text": "Reuters", "type": "ORG"}],
        }
    ]
