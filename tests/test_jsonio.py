"""The readers of JSON and JSON Lines on hostile input: every fault is an InputError (exit 2).

The JSON Lines reader streams (one line in memory, orjson first); it must decide and word
everything as the whole-file reader (every byte decoded, then the standard library) does."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

import sourcetrace
from sourcetrace import jsonio
from sourcetrace.errors import InputError, InputErrors
from sourcetrace.jsonio import (
    Record,
    decode_utf8,
    iter_jsonl_records,
    lone_surrogate,
    parse_json,
    parse_jsonl,
    read_records,
    read_records_with_sha256,
)

from gold_factory import story_gold, write_jsonl


def test_lone_surrogate_in_a_gold_text_is_exit_2_naming_the_pointer(tmp_path, run_cli) -> None:
    # a lone "\ud800" escape once crashed sha256 (UnicodeEncodeError) with a traceback
    gold = story_gold(("st-000",))
    broken = json.dumps({**gold[0], "text": gold[0]["text"] + "\ud800"})
    assert "\\ud800" in broken  # json.dumps writes the lone surrogate as an escape
    (tmp_path / "gold.jsonl").write_text(broken + "\n")
    write_jsonl(tmp_path / "pred.jsonl", gold)
    for args in (
        ("evaluate", tmp_path / "pred.jsonl", "--gold", tmp_path / "gold.jsonl"),
        ("evaluate", tmp_path / "gold.jsonl", "--gold", tmp_path / "pred.jsonl"),
        ("validate", tmp_path / "gold.jsonl"),
    ):
        result = run_cli(*args)
        assert result.code == 2, args
        assert "lone surrogate" in result.err and "/text" in result.err
        assert "Traceback" not in result.err


def test_lone_surrogate_in_python_records_is_an_input_error() -> None:
    gold = story_gold(("st-000",))
    predictions = [{"doc_id": "st-000", "entities": [{"text": "x\udc00", "type": "ORG"}]}]
    with pytest.raises((InputError, InputErrors), match="lone surrogate"):
        sourcetrace.evaluate(predictions, gold=gold)
    with pytest.raises((InputError, InputErrors), match="lone surrogate"):
        sourcetrace.evaluate(gold, gold=[{**gold[0], "text": "\ud800"}])


def test_a_surrogate_pair_is_one_non_bmp_character_and_is_read(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"a": "\\ud83d\\ude00", "b\\ud800": 1}\n{"c": "\\ud83d\\ude00"}\n')
    with pytest.raises(InputError) as caught:
        read_records(path)
    assert caught.value.line == 1 and caught.value.pointer == "/b\ud800"
    path.write_text('{"c": "\\ud83d\\ude00"}\n')
    assert read_records(path)[1][0].value == {"c": "\U0001f600"}


def test_lone_surrogate_is_found_at_any_depth_without_recursion() -> None:
    deep: object = "\udfff"
    for _ in range(100_000):
        deep = [deep]
    assert lone_surrogate(deep) == "/0" * 100_000
    assert lone_surrogate({"a": ["\U0001f600"]}) is None


# ---------------------------------------------------------------- the streaming JSON Lines reader


def refusal(path: Path, read: Callable[[Path], Any] = read_records) -> InputError:
    with pytest.raises(InputError) as caught:
        read(path)
    return caught.value


def whole_file_records(path: Path) -> list[Record]:
    """The reference reader: decode every byte, then the standard library on each line."""
    return parse_jsonl(decode_utf8(path.read_bytes(), path), path)


def reference_refusal(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        whole_file_records(path)
    return str(caught.value)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b'{"a": 1, "a": 2}\n', id="plain"),
        pytest.param(b'{"b": [{"a": 1, "c": 0, "a": 2}]}\n', id="nested"),
        pytest.param(b'{"a": 1, "\\u0061": 2}\n', id="escaped-twin"),
        # a colon written as an escape makes up for the colon of the dropped key: counting
        # colons alone would miss this duplicate
        pytest.param(b'{"k": 1, "k": 2, "x": "\\u003a"}\n', id="colon-escape-offsets-the-count"),
        pytest.param(b'{"k" : 1 , "k" : "::"}\n', id="spaced"),
        pytest.param(b'{"ok": 1}\n{"k": {"a": 1}, "k": {"a": 1}}\n', id="second-line"),
    ],
)
def test_duplicate_keys_are_refused_as_the_standard_library_words_it(tmp_path, content) -> None:
    path = tmp_path / "p.jsonl"
    path.write_bytes(content)
    problem = refusal(path)
    assert "duplicate key" in problem.message
    assert str(problem) == reference_refusal(path)


@pytest.mark.parametrize(
    ("content", "plain"),
    [
        pytest.param(b'{"start": 18446744073709551616}', False, id="2**64"),
        pytest.param(b'{"start": -9999999999999999999}', False, id="below-i64"),
        pytest.param(b'{"start": 9223372036854775807}', True, id="i64-max"),
        pytest.param(b'{"start": 1e400}', False, id="1e400"),
        pytest.param(b'{"start": 1.5e+300}', True, id="exponent"),
        pytest.param(b"[" * 300 + b"]" * 300, False, id="nested-300"),
        pytest.param(b'{"a:\\u003ab": ":"}', False, id="colon-escape"),
    ],
)
def test_values_orjson_reads_otherwise_are_the_standard_librarys(tmp_path, content, plain):
    # orjson makes 2**64 a float, refuses 1e400 and dumps no 300 levels: those lines are
    # decided by the standard library (and not marked plain JSON, so jsonschema checks them)
    path = tmp_path / "p.jsonl"
    path.write_bytes(content + b"\n")
    (record,) = read_records(path)[1]
    (reference,) = whole_file_records(path)
    assert repr(record.value) == repr(reference.value)
    assert record.plain_json is plain


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b'{"a": NaN}\n', id="NaN"),
        pytest.param(b'{"a": -Infinity}\n', id="Infinity"),
        pytest.param(b'{"a": "\\ud800"}\n', id="lone-surrogate"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000 + b"\n", id="deep"),
        pytest.param(b'{"a": 1} x\n', id="extra-data"),
        pytest.param(b'{"a": 1}\n\xef\xbb\xbf{"b": 2}\n', id="bom-on-line-2"),
        pytest.param(b'{"a": 1,\n', id="truncated"),
        pytest.param(b'{"a": 1}\n{"a": \n{"b": "\xff"}\n', id="bad-utf8-after-bad-json"),
        pytest.param(b"\n \n\t\n", id="blank"),
    ],
)
def test_refusals_are_worded_as_the_whole_file_reader_words_them(tmp_path, content) -> None:
    path = tmp_path / "p.jsonl"
    path.write_bytes(content)
    assert str(refusal(path)) == reference_refusal(path)


def test_a_bom_and_crlf_line_ends_read_as_before(tmp_path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"doc_id": "st-000"}\r\n\r\n{"doc_id": "st-001"}\r\n')
    records = read_records(path)[1]
    assert [(r.value, r.line, r.plain_json) for r in records] == [
        ({"doc_id": "st-000"}, 1, True),
        ({"doc_id": "st-001"}, 3, True),
    ]


@pytest.mark.parametrize("chunk_bytes", [1, 7, 64, 1 << 20])
def test_the_streamed_sha256_is_the_files_and_lines_cross_chunks(tmp_path, chunk_bytes) -> None:
    path = tmp_path / "p.jsonl"
    rows = [{"doc_id": f"d{i}", "text": "x" * (i * 13 % 50)} for i in range(40)]
    path.write_bytes(b"".join(json.dumps(row).encode() + b"\n" for row in rows))
    with mock.patch.object(jsonio, "READ_CHUNK_BYTES", chunk_bytes):
        fmt, records, digest = read_records_with_sha256(path)
    assert digest == hashlib.sha256(path.read_bytes()).hexdigest()
    assert fmt == "jsonl" and [r.value for r in records] == rows
    assert [r.line for r in records] == list(range(1, 41))


LINE_SHAPES = (
    b'\xef\xbb\xbf{"doc_id": "a"}\r\n\r\n{"doc_id": "b", "text": "' + b"y" * 90 + b'"}\n\n',
    b'{"doc_id": "a"}\n' + b'{"doc_id": "b", "t": "' + b"z" * 200 + b'"}',  # no last newline
    b"\n\n\n",
    b"x" * 150,
)


@pytest.mark.parametrize("content", LINE_SHAPES)
@pytest.mark.parametrize("chunk_bytes", [1, 3, 7, 64, 1 << 20])
def test_line_bounds_are_the_lines_and_the_sha256_of_jsonl_lines(
    tmp_path, content, chunk_bytes
) -> None:
    """`jsonl_line_bounds` (the index's scan) gives the lines `jsonl_lines` cuts out, with their
    numbers and offsets, and feeds the same sha256: lines across chunks, blank lines, CRLF, a
    byte-order mark, a last line without its newline."""
    path = tmp_path / "p.jsonl"
    path.write_bytes(content)
    with mock.patch.object(jsonio, "READ_CHUNK_BYTES", chunk_bytes):
        expected_digest, digest = hashlib.sha256(), hashlib.sha256()
        expected = list(jsonio.jsonl_lines(path, expected_digest))
        bounds = [
            (number, offset, buffer[start:end])
            for number, offset, buffer, start, end in jsonio.jsonl_line_bounds(path, digest)
        ]
    assert bounds == expected
    assert b"\n".join(raw for _, _, raw in bounds) == content.removesuffix(b"\n")
    assert digest.hexdigest() == expected_digest.hexdigest() == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize("chunk_bytes", [3, 40, 1 << 20])
def test_line_bounds_refuse_a_long_line_as_jsonl_lines_does(
    tmp_path, monkeypatch, chunk_bytes
) -> None:
    path = tmp_path / "p.jsonl"
    short, long = json.dumps({"a": "x"}), json.dumps({"a": "x" * 100})
    path.write_text(f"{short}\n{short}\n{long}\n{short}\n")
    monkeypatch.setenv("SOURCETRACE_MAX_LINE_BYTES", "50")
    with mock.patch.object(jsonio, "READ_CHUNK_BYTES", chunk_bytes):
        with pytest.raises(InputError) as expected:
            list(jsonio.jsonl_lines(path))
        with pytest.raises(InputError) as found:
            list(jsonio.jsonl_line_bounds(path))
    assert str(found.value) == str(expected.value)
    assert (found.value.line, found.value.message) == (3, "line is over the limit of 50 bytes")


def test_a_jsonl_file_has_no_default_size_cap_but_a_json_file_has(tmp_path, monkeypatch):
    # memory holds one line of a .jsonl, so only files read whole (.json) keep the cap
    monkeypatch.setattr(jsonio, "DEFAULT_MAX_BYTES", 100)
    row = json.dumps({"doc_id": "st-000", "text": "x" * 80})
    lines, whole = tmp_path / "p.jsonl", tmp_path / "p.json"
    lines.write_text((row + "\n") * 5)
    whole.write_text(row)
    assert len(read_records(lines)[1]) == 5
    assert "over the limit of 100 bytes" in refusal(whole).message
    monkeypatch.setenv("SOURCETRACE_MAX_INPUT_BYTES", "300")  # set, it caps a .jsonl too
    problem = refusal(lines)
    assert problem.message == f"file is {lines.stat().st_size:,} bytes, over the limit of 300 bytes"


def test_a_line_over_the_line_cap_is_refused_naming_its_line(tmp_path, monkeypatch) -> None:
    path = tmp_path / "p.jsonl"
    short, long = json.dumps({"a": "x"}), json.dumps({"a": "x" * 100})
    path.write_text(f"{short}\n{short}\n{long}\n{short}\n")
    assert len(read_records(path)[1]) == 4
    monkeypatch.setenv("SOURCETRACE_MAX_LINE_BYTES", "50")
    for chunk_bytes in (3, 1 << 20):  # seen whole, or piece by piece
        with mock.patch.object(jsonio, "READ_CHUNK_BYTES", chunk_bytes):
            problem = refusal(path)
        assert (problem.line, problem.message) == (3, "line is over the limit of 50 bytes")
        assert "SOURCETRACE_MAX_LINE_BYTES" in str(problem)
    monkeypatch.setenv("SOURCETRACE_MAX_LINE_BYTES", "50k")
    assert "SOURCETRACE_MAX_LINE_BYTES is '50k'" in str(refusal(path))


def test_a_fifo_or_a_device_is_refused_by_the_streaming_reader(tmp_path) -> None:
    fifo = tmp_path / "p.jsonl"
    os.mkfifo(fifo)  # opening it would block until a writer came
    for path in (fifo, Path("/dev/zero")):
        for read in (read_records, lambda p: list(iter_jsonl_records(p))):
            assert "not a regular file" in refusal(path, read).message


def test_the_streaming_reader_holds_one_line_not_the_file(tmp_path) -> None:
    # a generator: records come while the file is still being read
    path = tmp_path / "p.jsonl"
    path.write_text('{"a": 1}\n' * 3 + "{broken\n")
    records = iter_jsonl_records(path)
    assert next(records).value == {"a": 1}
    with pytest.raises(InputError, match="line 4"):
        list(records)


def sha256_as_read(path: Path) -> str:
    return read_records_with_sha256(path)[2]


def test_a_forked_child_hashes_as_its_parent_does(tmp_path) -> None:
    # the file is hashed by a helper thread; a forked child inherits the pool but not the
    # thread, and must not wait forever for it
    import multiprocessing

    path = tmp_path / "p.jsonl"
    path.write_text('{"a": "x"}\n' * 200_000)  # more than one chunk
    expected = hashlib.sha256(path.read_bytes()).hexdigest()
    assert sha256_as_read(path) == expected
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.apply_async(sha256_as_read, (path,)).get(timeout=60) == expected


@pytest.mark.parametrize(
    "content",
    [
        '{"a": 1, "b": [1, 2, {"c": "x:y"}]}',
        '{\n  "a": {"k": 1, "k": 2}\n}',
        '{"k": "\\u003a", "k": 2}',
        '{"big": 123456789012345678901234567890}',
        '{"x": NaN}',
        '[{"a": 1}, {"a": 1, "a": 1}]',
        '{"s": "\\ud800"}',
        '\ufeff{"bom": true}',
        '{"a": 1} {"b": 2}',
        "[" * 300 + "]" * 300,
    ],
)
def test_read_json_answers_as_the_standard_library_reader(tmp_path, content) -> None:
    """read_json takes orjson's value only where the stdlib reader would make the same one;
    anything else, errors included, is the stdlib reader's answer, word for word."""
    from sourcetrace.jsonio import decode_whole, read_json, read_text

    path = tmp_path / "value.json"
    path.write_text(content, encoding="utf-8")

    def outcome(read: Any) -> Any:
        try:
            return ("value", read())
        except InputError as exc:
            return ("error", str(exc))

    assert outcome(lambda: read_json(path)) == outcome(lambda: decode_whole(read_text(path), path))


def test_parse_json_numbers_each_record_of_an_array_by_the_line_it_starts_on() -> None:
    # line 1 "[", line 2 the first record, line 3 blank, lines 4-5 the second record, which
    # line 5 follows with the third: numbered from the last record on, not from the start
    text = '[\n{"a": 1},\n\n  {"b":\n 2}, {"c": 3}\n]\n'
    records = parse_json(text, Path("many.json"))
    assert [(r.value, r.line) for r in records] == [({"a": 1}, 2), ({"b": 2}, 4), ({"c": 3}, 5)]
