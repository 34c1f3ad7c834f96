"""Property: any gold entities on any text, written by `export conll` and read back by `convert
conll`, come back as exactly their outermost layer (entities cut inside words, crossing lines,
texts with no-break spaces, line separators and punctuation)."""

from __future__ import annotations

from pathlib import Path

from convert_helpers import gold_record
from hypothesis import given
from hypothesis import strategies as st

from sourcetrace.convert import convert
from sourcetrace.convert.conll import document_lines, outermost

ALPHABET = "ab\u00e9\u0915 \n\u00a0\u2028\x1c.,-\u201c\U0001f680"
TYPES = ("GPE", "ORG", "PERSON")


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, list[dict]]:
    text = draw(st.text(alphabet=ALPHABET, min_size=1, max_size=40))
    solid = [i for i, ch in enumerate(text) if not ch.isspace()]
    entities = []
    for _ in range(draw(st.integers(0, 5))):
        if not solid:
            break
        first, last = sorted(draw(st.lists(st.sampled_from(solid), min_size=2, max_size=2)))
        entities.append({"start": first, "end": last + 1, "text": text[first : last + 1],
                         "type": draw(st.sampled_from(TYPES))})  # fmt: skip
    return text, entities


@given(documents())
def test_export_then_convert_gives_back_the_outermost_layer(document: tuple) -> None:
    text, entities = document
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t-1.conll"
        path.write_text("\n".join(document_lines("t-1", text, entities)), encoding="utf-8")
        (record,) = convert("conll", [path], gold=[gold_record("t-1", text)])
    expected = sorted((e["start"], e["end"], e["type"]) for e in outermost(entities))
    assert sorted((e["start"], e["end"], e["type"]) for e in record["entities"]) == expected
