"""nervaluate span lists: both file shapes, --end and --offsets read into code points, parity of
the converted spans' scores with nervaluate's own counts, and the errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from convert_helpers import at, gold_record, spans

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
