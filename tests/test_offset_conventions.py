"""Predictions that count offsets otherwise (UTF-8 bytes, UTF-16 units, an inclusive end) read
with --offsets/--end score exactly as the code-point file does; read without, the message names
the convention they seem to use and the option that reads it. And floods of one problem are
one line per kind of problem (--all-problems lists each).

The gold is the corpus's annotated documents with a non-BMP character put before each text, so
that code points, UTF-16 units and UTF-8 bytes differ in every document (the corpus itself has
NBSP, curly quotes and Bengali, but nothing outside the BMP). Files in each convention are
written here from that gold with `str.encode`, not with the code under test.
"""

from __future__ import annotations

import copy
import hashlib
import json
import warnings
from pathlib import Path
from typing import Any

import pytest

import sourcetrace
from sourcetrace.errors import InputError, InputErrors
from sourcetrace.schema.conventions import (
    Convention,
    OffsetConventionWarning,
    diagnose,
    records_to_codepoints,
)

PREFIX = "\U0001f4f0 "  # NEWSPAPER + space: 2 code points, 3 UTF-16 units, 5 UTF-8 bytes
LAYERS = ("entities", "claims", "attributions")
CONVENTIONS = [
    ("utf8", "exclusive"),
    ("utf16", "exclusive"),
    ("codepoint", "inclusive"),
    ("utf8", "inclusive"),
    ("utf16", "inclusive"),
]


def _shifted(value: Any, by: int) -> Any:
    """A copy of a record whose every span moved ``by`` code points."""
    if isinstance(value, list):
        return [_shifted(item, by) for item in value]
    if not isinstance(value, dict):
        return value
    moved = {key: _shifted(item, by) for key, item in value.items()}
    if type(value.get("start")) is int and type(value.get("end")) is int:
        moved["start"], moved["end"] = value["start"] + by, value["end"] + by
    return moved


def _offset_in(text: str, index: int, unit: str) -> int:
    if unit == "utf8":
        return len(text[:index].encode("utf-8"))
    if unit == "utf16":
        return len(text[:index].encode("utf-16-le")) // 2
    return index


def written_in(value: Any, text: str, unit: str, end: str, keep_text: bool = True) -> Any:
    """A record written in another convention (and without span texts unless ``keep_text``)."""
    if isinstance(value, list):
        return [written_in(item, text, unit, end, keep_text) for item in value]
    if not isinstance(value, dict):
        return value
    out = {
        key: written_in(item, text, unit, end, keep_text)
        for key, item in value.items()
        if keep_text or key != "text"
    }
    if type(value.get("start")) is int and type(value.get("end")) is int:
        out["start"] = _offset_in(text, value["start"], unit)
        out["end"] = _offset_in(text, value["end"], unit) - (end == "inclusive")
    return out


def span_count(value: Any) -> int:
    if isinstance(value, list):
        return sum(span_count(item) for item in value)
    if not isinstance(value, dict):
        return 0
    own = type(value.get("start")) is int and type(value.get("end")) is int
    return own + sum(span_count(item) for item in value.values())


@pytest.fixture(scope="module")
def gold_records(corpus_records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The annotated corpus documents, each text behind PREFIX, spans moved along."""
    records = []
    for row in corpus_records:
        if not row.get("annotated"):
            continue
        text = PREFIX + row["text"]
        records.append(
            {
                "doc_id": row["doc_id"],
                "text": text,
                "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                **{layer: _shifted(row[layer], len(PREFIX)) for layer in LAYERS},
            }
        )
    assert any("\u09ac" in r["text"] for r in records), "Bengali (st-003) expected in the gold"
    return records


@pytest.fixture(scope="module")
def texts(gold_records: list[dict[str, Any]]) -> dict[str, str]:
    return {r["doc_id"]: r["text"] for r in gold_records}


@pytest.fixture(scope="module")
def predictions(gold_records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The gold as a prediction in our convention: code points, end exclusive."""
    return [{"doc_id": r["doc_id"], **{layer: r[layer] for layer in LAYERS}} for r in gold_records]


@pytest.fixture
def gold_path(tmp_path: Path, gold_records: list[dict[str, Any]]) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in gold_records))
    return path


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    return path


def in_convention(
    predictions: list[dict[str, Any]], texts: dict[str, str], unit: str, end: str, keep_text: bool
) -> list[dict[str, Any]]:
    return [written_in(r, texts[r["doc_id"]], unit, end, keep_text) for r in predictions]


def options_for(unit: str, end: str) -> str:
    """The options a user types to read a file in that convention (defaults left out)."""
    return " ".join(
        option
        for option, default in (
            (f"--offsets {unit}", unit == "codepoint"),
            (f"--end {end}", end == "exclusive"),
        )
        if not default
    )


# ---------------------------------------------------------------- read with the option


@pytest.mark.parametrize("keep_text", [True, False], ids=["with-text", "offsets-only"])
@pytest.mark.parametrize(("unit", "end"), CONVENTIONS)
def test_predictions_in_another_convention_score_exactly_as_code_points_with_their_options(
    unit: str, end: str, keep_text: bool, predictions, texts, gold_records
) -> None:
    reference = sourcetrace.evaluate(
        in_convention(predictions, texts, "codepoint", "exclusive", keep_text), gold=gold_records
    )
    written = in_convention(predictions, texts, unit, end, keep_text)
    assert written != in_convention(predictions, texts, "codepoint", "exclusive", keep_text)
    report = sourcetrace.evaluate(written, gold=gold_records, offsets=unit, end=end)
    assert report["layers"] == reference["layers"]
    assert (
        reference["layers"]["entities"]["overall"]["strict"]["f1"] == 1.0
    )  # the gold scores as itself


def test_records_to_codepoints_gives_back_the_code_point_records(predictions, texts) -> None:
    for unit, end in CONVENTIONS:
        written = in_convention(predictions, texts, unit, end, True)
        assert records_to_codepoints(written, texts, offsets=unit, end=end) == predictions


def test_records_to_codepoints_refuses_a_span_inside_a_character_naming_doc_pointer_convention(
    texts,
) -> None:
    doc_id = next(d for d, t in texts.items() if "\u09ac" in t)
    text = texts[doc_id]
    bengali = text.index("\u09ac")
    byte = len(text[:bengali].encode("utf-8")) + 1  # the second byte of a three-byte letter
    record = {
        "doc_id": doc_id,
        # the first span is the first letter after PREFIX (5 bytes): it is placed
        "entities": [{"start": 5, "end": 6}, {"start": byte, "end": byte + 2}],
    }
    with pytest.raises(InputError) as caught:
        records_to_codepoints([record], texts, offsets="utf8", end="exclusive", file="P.jsonl")
    said = str(caught.value)
    assert caught.value.pointer == "/entities/1"
    assert repr(doc_id) in said and "--offsets utf8 --end exclusive" in said
    assert said.startswith("P.jsonl, line 1, at /entities/1: ")


def test_unknown_offset_convention_is_refused_by_the_api_and_the_cli(
    predictions, gold_records, run_cli, tmp_path
) -> None:
    with pytest.raises(InputError, match="unknown offset unit 'bytes'"):
        sourcetrace.evaluate(predictions, gold=gold_records, offsets="bytes")
    with pytest.raises(InputError, match="unknown end convention 'closed'"):
        records_to_codepoints(predictions, {}, end="closed")
    path = write_jsonl(tmp_path / "p.jsonl", predictions)
    result = run_cli("evaluate", path, "--offsets", "bytes")
    assert result.code == 2 and "invalid choice: 'bytes'" in result.err


# ---------------------------------------------------------------- the convention named


@pytest.mark.parametrize(("unit", "end"), CONVENTIONS)
def test_spans_with_text_in_another_convention_are_refused_naming_convention_and_option(
    unit: str, end: str, predictions, texts, gold_path, tmp_path, run_cli
) -> None:
    written = in_convention(predictions, texts, unit, end, True)
    path = write_jsonl(tmp_path / "p.jsonl", written)
    spans = span_count(written)
    result = run_cli("evaluate", path, "--gold", gold_path)
    assert result.code == 2, result.err
    assert (
        f"the spans of {path} match their text when read with {options_for(unit, end)} "
        f"({spans} of {spans})"
    ) in result.err
    fixed = run_cli("evaluate", path, "--gold", gold_path, "--offsets", unit, "--end", end)
    assert fixed.code == 0 and "note:" not in fixed.err, fixed.err


@pytest.mark.parametrize(("unit", "end"), [("utf8", "exclusive"), ("codepoint", "inclusive")])
def test_validate_names_the_convention_of_corpus_predictions_and_reads_them_with_it(
    unit: str, end: str, corpus_records, tmp_path, run_cli
) -> None:
    corpus_texts = {r["doc_id"]: r["text"] for r in corpus_records}
    plain = [
        {"doc_id": r["doc_id"], **{layer: r[layer] for layer in LAYERS}}
        for r in corpus_records
        if r.get("annotated")
    ]
    written = in_convention(plain, corpus_texts, unit, end, True)
    path = write_jsonl(tmp_path / "p.jsonl", written)
    result = run_cli("validate", path)
    assert result.code == 2
    assert f"when read with {options_for(unit, end)} (" in result.err
    assert run_cli("validate", path, "--offsets", unit, "--end", end).code == 0


def test_utf8_offsets_without_text_are_named_not_only_caught_by_the_white_space_rule(
    predictions, texts, gold_path, tmp_path, run_cli
) -> None:
    path = write_jsonl(
        tmp_path / "p.jsonl", in_convention(predictions, texts, "utf8", "exclusive", False)
    )
    result = run_cli("evaluate", path, "--gold", gold_path)
    assert result.code == 2
    assert (
        f"the spans of {path} fall on word edges of the document text when read with " in result.err
    )
    assert "--offsets utf8 (" in result.err


def _validates_read_exclusive(span: dict[str, Any], text: str) -> bool:
    """An inclusive span, misread as exclusive, that the semantic checks still let through."""
    covered = text[span["start"] : span["end"]]
    return bool(covered) and covered == covered.strip()


def test_offsets_only_end_inclusive_predictions_that_validate_get_a_note_not_a_silent_score(
    predictions, texts, gold_records, gold_path, tmp_path, run_cli
) -> None:
    # The finding: nervaluate-style end-inclusive entities without text validated (exit 0) and
    # strict F1 collapsed with no hint. Keep the entities whose misread span still validates.
    written = []
    for record in in_convention(predictions, texts, "codepoint", "inclusive", False):
        text = texts[record["doc_id"]]
        entities = [e for e in record["entities"] if _validates_read_exclusive(e, text)]
        written.append({"doc_id": record["doc_id"], "entities": entities})
    kept = sum(len(r["entities"]) for r in written)
    path = write_jsonl(tmp_path / "p.jsonl", written)
    result = run_cli("evaluate", path, "--gold", gold_path, "--format", "json")
    assert result.code == 0
    assert "note: the spans of" in result.err and "when read with --end inclusive (" in result.err
    misread = json.loads(result.out)["layers"]["entities"]["overall"]["strict"]["f1"]
    with pytest.warns(OffsetConventionWarning, match=r"--end inclusive \(\d+ of " + str(kept)):
        sourcetrace.evaluate(written, gold=gold_records)
    with warnings.catch_warnings():
        warnings.simplefilter("error", OffsetConventionWarning)
        right = sourcetrace.evaluate(written, gold=gold_records, end="inclusive")
    assert right["layers"]["entities"]["overall"]["strict"]["f1"] > misread
    assert right["layers"]["entities"]["overall"]["strict"]["precision"] == 1.0


def test_a_tie_between_units_goes_to_the_one_asked() -> None:
    text = "Kim Jong Un met Putin in Vladivostok."
    record = {"doc_id": "d", "entities": [{"start": 0, "end": 10}, {"start": 16, "end": 20}]}
    diagnosis = diagnose([record], {"d": text}, offsets="utf8", end="exclusive")
    # ASCII: every unit reads alike; the inclusive end is the one thing to change
    assert diagnosis is not None
    assert diagnosis.seems == Convention("utf8", "inclusive")
    assert (
        diagnosis.seems.options_from(Convention("utf8", "exclusive"))
        == "--offsets utf8 --end inclusive"
    )
    assert diagnose([record], {"d": text}, offsets="utf8", end="inclusive") is None


def test_a_few_wrong_spans_in_our_convention_are_no_diagnosis() -> None:
    text = "Kim Jong Un met Putin in Vladivostok."
    good = [
        {"start": 0, "end": 11, "text": "Kim Jong Un"},
        {"start": 16, "end": 21, "text": "Putin"},
    ]
    wrong = {"start": 25, "end": 35, "text": "Vladivostok"}  # one short: a system's error
    assert diagnose([{"doc_id": "d", "entities": [*good, wrong]}], {"d": text}) is None


# ---------------------------------------------------------------- grouped problems


@pytest.fixture
def misnamed_key_file(tmp_path: Path, predictions) -> tuple[Path, int]:
    """`label` for `type` in every entity: two schema problems per entity."""
    records = copy.deepcopy(predictions)
    for record in records:
        for entity in record["entities"]:
            entity["label"] = entity.pop("type")
    return write_jsonl(tmp_path / "label.jsonl", records), sum(len(r["entities"]) for r in records)


def _problem_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("  - ")]


def test_a_misnamed_key_in_every_item_is_one_line_per_kind_of_problem(
    misnamed_key_file, gold_path, run_cli
) -> None:
    path, entities = misnamed_key_file
    for command in (
        ("validate", path, "--kind", "prediction"),
        ("evaluate", path, "--gold", gold_path),
    ):
        result = run_cli(*command)
        assert result.code == 2
        assert f"{2 * entities} problem(s)" in result.err
        lines = _problem_lines(result.err)
        assert len(lines) == 2, result.err
        assert "'label' was unexpected" in lines[0] and "'type' is a required property" in lines[1]
        for line in lines:
            assert line.startswith(f"  - {path}, line 1, at /entities/0: ")
            assert f"[the same problem in {entities} items at /entities/*, first at line 1;" in line
        every = run_cli(*command, "--all-problems")
        assert every.code == 2
        assert len(_problem_lines(every.err)) == 2 * entities


def test_problems_of_one_kind_at_different_paths_stay_apart() -> None:
    problems = [
        InputError("span text 'A' does not match", file="p", line=1, pointer="/entities/0/text"),
        InputError("span text 'B' does not match", file="p", line=2, pointer="/entities/3/text"),
        InputError("span text 'C' does not match", file="p", line=2, pointer="/claims/0/text"),
    ]
    text = str(InputErrors(problems))
    assert text.count("\n  - ") == 2
    assert "[the same problem in 2 items at /entities/*/text, first at line 1;" in text
    assert "p, line 2, at /claims/0/text: span text 'C' does not match" in text
    assert InputErrors(problems).render(all_problems=True).count("\n  - ") == 3


def test_shards_and_the_compared_system_are_read_in_the_convention_asked(
    predictions, texts, gold_records
) -> None:
    reference = sourcetrace.evaluate(predictions, gold=gold_records, compare=predictions)
    written = in_convention(predictions, texts, "utf8", "inclusive", True)
    compared = sourcetrace.evaluate(
        written, gold=gold_records, compare=written, offsets="utf8", end="inclusive"
    )
    assert compared["layers"] == reference["layers"]
    assert (
        compared["statistics"]["comparison"]["metrics"]
        == (reference["statistics"]["comparison"]["metrics"])
    )
    partials = [
        sourcetrace.evaluate_partial(
            written, gold=gold_records, shard=(k, 2), offsets="utf8", end="inclusive"
        )
        for k in (1, 2)
    ]
    assert sourcetrace.merge_partials(partials)["layers"] == reference["layers"]
