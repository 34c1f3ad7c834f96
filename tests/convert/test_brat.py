"""brat standoff: entities, claims and attributions read from .ann/.txt pairs as the module
documents them; discontinuous spans, shifted texts and dangling relations refused by line."""

from __future__ import annotations

from pathlib import Path

import pytest
from convert_helpers import at, gold_record, write_gold

from sourcetrace.convert import convert, export
from sourcetrace.errors import InputError

TEXT = "Kyiv said North Korean missiles hit Kharkiv, the FT reported."
GOLD = [gold_record("t-1", TEXT)]


def pair(tmp_path: Path, ann: str, text: str = TEXT, doc_id: str = "t-1") -> Path:
    (tmp_path / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    path = tmp_path / f"{doc_id}.ann"
    path.write_text(ann, encoding="utf-8")
    return path


def t_line(tid: str, kind: str, needle: str) -> str:
    start, end = at(TEXT, needle)
    return f"{tid}\t{kind} {start} {end}\t{needle}\n"


def test_entities_claims_and_an_attribution_read_as_documented(tmp_path: Path) -> None:
    ann = (
        t_line("T1", "GPE", "Kyiv")
        + "A1\tMention T1 name\n"
        + t_line("T2", "Claim", "North Korean missiles hit Kharkiv")
        + "A2\tPolarity T2 positive\n"
        + t_line("T3", "Content", "North Korean missiles hit Kharkiv")
        + t_line("T4", "Cue", "said")
        + "R1\tCue Arg1:T3 Arg2:T4\nR2\tSource Arg1:T3 Arg2:T1\nR3\tCarries Arg1:T3 Arg2:T2\n"
        + "A3\tAttributionType T3 indirect\n"
        + t_line("T5", "Content", "Kyiv said North Korean missiles hit Kharkiv")
        + t_line("T6", "Source", "the FT")
        + "R4\tSource Arg1:T5 Arg2:T6\nR5\tNestedIn Arg1:T3 Arg2:T5\n"
        + "#1\tAnnotatorNotes T1\tpassed over\n"
    )
    (record,) = convert("brat", [pair(tmp_path, ann)], gold=GOLD)

    def span(needle: str) -> dict:
        start, end = at(TEXT, needle)
        return {"start": start, "end": end, "text": needle}

    claim = "North Korean missiles hit Kharkiv"
    assert record["entities"] == [{"id": "T1", **span("Kyiv"), "type": "GPE", "mention": "name"}]
    assert record["claims"] == [{"id": "T2", **span(claim), "polarity": "positive"}]
    assert record["attributions"] == [
        {"id": "T3", "source": {"mention": "T1"}, "cue": span("said"),
         "content": {**span(claim), "claims": ["T2"]}, "type": "indirect", "nested_in": "T5"},
        {"id": "T5", "source": span("the FT"), "cue": None,
         "content": span("Kyiv said North Korean missiles hit Kharkiv"), "nested_in": None},
    ]  # fmt: skip


def test_brat_discontinuous_span_refused_with_its_line(tmp_path: Path) -> None:
    path = pair(
        tmp_path, t_line("T1", "GPE", "Kyiv") + "T2\tWEAPON 10 22;23 31\tNorth Korean missiles\n"
    )
    with pytest.raises(InputError) as caught:
        convert("brat", [path], gold=GOLD)
    assert "line 2" in str(caught.value) and "discontinuous" in str(caught.value)


def test_brat_offsets_not_covering_the_text_refused(tmp_path: Path) -> None:
    path = pair(tmp_path, "T1\tGPE 1 5\tKyiv\n")
    with pytest.raises(InputError, match="does not cover 'Kyiv'"):
        convert("brat", [path], gold=GOLD)


def test_brat_text_other_than_the_corpus_text_refused(tmp_path: Path) -> None:
    path = pair(tmp_path, "T1\tGPE 1 5\tKyiv\n", text=" " + TEXT)
    with pytest.raises(InputError, match="not the corpus text of 't-1'"):
        convert("brat", [path], gold=GOLD)


def test_brat_relation_not_from_a_content_refused(tmp_path: Path) -> None:
    ann = t_line("T1", "GPE", "Kyiv") + t_line("T2", "Cue", "said") + "R1\tCue Arg1:T1 Arg2:T2\n"
    with pytest.raises(InputError, match="line 3"):
        convert("brat", [pair(tmp_path, ann)], gold=GOLD)


def test_brat_unmapped_entity_type_refused_and_mappable(tmp_path: Path) -> None:
    path = pair(tmp_path, t_line("T1", "Location", "Kyiv"))
    with pytest.raises(InputError, match="'Location'"):
        convert("brat", [path], gold=GOLD)
    (record,) = convert("brat", [path], gold=GOLD, labels={"Location": "GPE"})
    assert [(e["text"], e["type"]) for e in record["entities"]] == [("Kyiv", "GPE")]


def test_export_brat_writes_source_phrases_and_mentions(tmp_path: Path) -> None:
    def span(needle: str) -> dict:
        start, end = at(TEXT, needle)
        return {"start": start, "end": end, "text": needle}

    entities = [{"id": "e1", **span("Kyiv"), "type": "GPE", "mention": "name", "entity": "kyiv"}]
    attributions = [
        {"id": "a1", "source": {"mention": "e1"}, "cue": span("said"),
         "content": {**span("North Korean missiles hit Kharkiv"), "claims": []}, "type": "indirect",
         "nested_in": None},
        {"id": "a2", "source": span("the FT"), "cue": span("reported"),
         "content": {**span("Kyiv said North Korean missiles hit Kharkiv"), "claims": []},
         "type": "indirect", "nested_in": None},
    ]  # fmt: skip
    gold = write_gold(
        tmp_path / "g.jsonl",
        [gold_record("t-1", TEXT, entities=entities, attributions=attributions)],
    )
    export("brat", tmp_path / "out", gold=gold)
    assert (tmp_path / "out" / "t-1.txt").read_text(encoding="utf-8") == TEXT
    lines = (tmp_path / "out" / "t-1.ann").read_text(encoding="utf-8").splitlines()
    assert lines == [
        t_line("T1", "GPE", "Kyiv").rstrip("\n"),
        "A1\tMention T1 name",
        t_line("T2", "Content", "North Korean missiles hit Kharkiv").rstrip("\n"),
        t_line("T3", "Content", "Kyiv said North Korean missiles hit Kharkiv").rstrip("\n"),
        t_line("T4", "Cue", "said").rstrip("\n"),
        "R1\tCue Arg1:T2 Arg2:T4",
        "R2\tSource Arg1:T2 Arg2:T1",
        "A2\tAttributionType T2 indirect",
        t_line("T5", "Cue", "reported").rstrip("\n"),
        "R3\tCue Arg1:T3 Arg2:T5",
        t_line("T6", "Source", "the FT").rstrip("\n"),
        "R4\tSource Arg1:T3 Arg2:T6",
        "A3\tAttributionType T3 indirect",
    ]
