"""nervaluate span lists: both file shapes, --end and --offsets read into code points, parity of
the converted spans' scores with nervaluate's own counts, and the errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from convert_helpers import at, gold_record, spans, write_gold

from sourcetrace import evaluate
from sourcetrace.convert import convert
from sourcetrace.errors import InputError

TEXT = "\U0001f680 Shoigu met Kim Jong Un in Pyongyang; KCNA reported it."
GOLD = [gold_record("t-1", TEXT), gold_record("t-2", "Reuters reported it.")]


def span_file(tmp_path: Path, value: Any) -> Path:
    path = tmp_path / "spans.json"
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


def test_object_shape_code_points_end_exclusive(tmp_path: Path) -> None:
    start, end = at(TEXT, "Kim Jong Un")
    path = span_file(tmp_path, {"t-1": [{"label": "PERSON", "start": start, "end": end}]})
    assert spans(convert("nervaluate", [path], gold=GOLD)) == {
        "t-1": [(start, end, "PERSON", "Kim Jong Un")]
    }


def test_list_of_lists_named_by_doc_ids_end_inclusive(tmp_path: Path) -> None:
    start, end = at(TEXT, "Pyongyang")
    value = [
        [],
        [{"label": "ORG", "start": 0, "end": 6}],
        [{"label": "GPE", "start": start, "end": end - 1}],
    ]
    path = span_file(tmp_path, value)
    gold = [*GOLD, gold_record("t-3", TEXT)]
    records = convert(
        "nervaluate", [path], gold=gold, doc_ids=("t-3", "t-2", "t-1"), end="inclusive"
    )
    assert spans(records) == {
        "t-3": [],
        "t-2": [(0, 7, "ORG", "Reuters")],
        "t-1": [(start, end, "GPE", "Pyongyang")],
    }


def test_utf16_offsets_after_a_non_bmp_character(tmp_path: Path) -> None:
    start, end = at(TEXT, "Shoigu")  # the rocket is one code point, two UTF-16 units
    path = span_file(tmp_path, {"t-1": [{"label": "PERSON", "start": start + 1, "end": end + 1}]})
    assert spans(convert("nervaluate", [path], gold=GOLD, offsets="utf16")) == {
        "t-1": [(start, end, "PERSON", "Shoigu")]
    }


def test_span_inside_a_surrogate_pair_refused_with_pointer(tmp_path: Path) -> None:
    path = span_file(tmp_path, {"t-1": [{"label": "ORG", "start": 1, "end": 5}]})
    with pytest.raises(InputError) as caught:
        convert("nervaluate", [path], gold=GOLD, offsets="utf16")
    assert "/t-1/0" in str(caught.value) and "cannot be placed" in str(caught.value)


def test_span_without_label_refused_with_pointer(tmp_path: Path) -> None:
    path = span_file(tmp_path, {"t-2": [{"start": 0, "end": 7}]})
    with pytest.raises(InputError, match="/t-2/0"):
        convert("nervaluate", [path], gold=GOLD)


def test_unknown_doc_id_refused(tmp_path: Path) -> None:
    path = span_file(tmp_path, {"t-404": []})
    with pytest.raises(InputError, match="unknown document 't-404'"):
        convert("nervaluate", [path], gold=GOLD)


@pytest.mark.parametrize(
    "predicted",
    [
        ["Shoigu:PERSON", "Kim Jong:PERSON", "Pyongyang:LOC", "KCNA reported:ORG"],
        ["Kim Jong Un:PERSON", "Pyongyang:GPE", "it:ORG"],
        [],
    ],
)
def test_scores_of_converted_spans_equal_nervaluate_on_the_same_lists(
    tmp_path: Path, predicted: list[str]
) -> None:
    from nervaluate import Evaluator

    def inclusive_spans(items: list[str]) -> list[dict[str, Any]]:
        found = []
        for item in items:
            needle, label = item.split(":")
            start, end = at(TEXT, needle)
            found.append({"label": label, "start": start, "end": end - 1})
        return found

    truth = inclusive_spans(["Shoigu:PERSON", "Kim Jong Un:PERSON", "Pyongyang:GPE", "KCNA:ORG"])
    guess = inclusive_spans(predicted)
    gold_entities = [
        {
            "id": f"e{i}",
            "start": s["start"],
            "end": s["end"] + 1,
            "text": TEXT[s["start"] : s["end"] + 1],
            "type": s["label"],
            "mention": "name",
            "entity": f"x{i}",
        }
        for i, s in enumerate(truth)
    ]
    gold = [gold_record("t-1", TEXT, entities=gold_entities)]
    converted = convert(
        "nervaluate", [span_file(tmp_path, {"t-1": guess})], gold=gold, end="inclusive"
    )
    ours = evaluate(converted, gold, layers=["entities"])["layers"]["entities"]["overall"]
    theirs = Evaluator(
        [truth], [guess], tags=["PERSON", "GPE", "LOC", "ORG"], loader="dict"
    ).evaluate()
    for scheme in ("strict", "exact", "partial", "ent_type"):
        result = theirs["overall"][scheme]
        counts = ("correct", "incorrect", "partial", "missed", "spurious")
        assert {c: ours[scheme][c] for c in counts} == {c: getattr(result, c) for c in counts}, (
            scheme
        )


def in_unit(text: str, name: str, offsets: str, end: str) -> tuple[int, int]:
    """(start, end) of ``name`` in ``text`` as a file in that convention writes them."""
    start, stop = at(text, name)
    if offsets == "utf8":
        start, stop = len(text[:start].encode("utf-8")), len(text[:stop].encode("utf-8"))
    elif offsets == "utf16":
        units = [len(text[:i].encode("utf-16-le")) // 2 for i in (start, stop)]
        start, stop = units
    return start, stop - (end == "inclusive")


@pytest.mark.parametrize(
    ("offsets", "end", "option"),
    [
        ("codepoint", "inclusive", "--end inclusive"),
        ("utf8", "exclusive", "--offsets utf8"),
        ("utf16", "exclusive", "--offsets utf16"),
        ("codepoint", "exclusive", None),
    ],
)
def test_a_file_in_another_convention_is_named_and_read_by_its_option(
    tmp_path: Path, run_cli, offsets: str, end: str, option: str | None
) -> None:
    # every name comes after the rocket (4 UTF-8 bytes, 2 UTF-16 units, 1 code point): read in
    # the default convention, no span falls on the text's word edges; read with the option the
    # file's convention names, all of them do, and they are the names
    names = ("Shoigu", "Kim Jong Un", "Pyongyang", "KCNA")
    items = [
        dict(zip(("start", "end"), in_unit(TEXT, name, offsets, end), strict=True), label="PER")
        for name in names
    ]
    path = span_file(tmp_path, {"t-1": items})
    gold = write_gold(tmp_path / "gold.jsonl", GOLD)
    out = tmp_path / "out.jsonl"
    plain = run_cli("convert", "nervaluate", path, "--gold", gold, "--labels", "conll2003",
                    "--output", out)  # fmt: skip
    assert plain.code == 0
    if option is None:
        assert "note:" not in plain.err
        return
    assert plain.err.startswith("note: the spans of ")
    assert f"when read with {option} (4 of 4)" in plain.err
    assert "(the default) only 0 do: the file seems to count its offsets that way" in plain.err
    read = run_cli(
        "convert", "nervaluate", path, "--gold", gold, "--labels", "conll2003", *option.split(),
        "--output", out,
    )  # fmt: skip
    assert read.code == 0 and "note:" not in read.err
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [item["text"] for item in written[0]["entities"]] == list(names)
