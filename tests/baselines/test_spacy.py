"""spaCy baselines: the label mapping and trimming (pure), and the parse-driven attributions."""

from __future__ import annotations

import pytest

from baselines.helpers import at, body_document, need_spacy
from sourcetrace.baselines import spacy_ner


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("PERSON", "PERSON"),
        ("ORG", "ORG"),
        ("GPE", "GPE"),
        ("LOC", "LOC"),
        ("FAC", "FAC"),
        ("NORP", "NORP"),
        ("EVENT", "EVENT"),
        ("DATE", "DATE"),
        ("TIME", "TIME"),
        ("CARDINAL", "QUANTITY"),
        ("QUANTITY", "QUANTITY"),
        ("PRODUCT", "WEAPON"),
        ("ORDINAL", None),
        ("MONEY", None),
        ("PERCENT", None),
        ("LAW", None),
        ("LANGUAGE", None),
        ("WORK_OF_ART", None),
    ],
)
def test_label_mapping(label: str, expected: str | None) -> None:
    assert spacy_ner.map_label(label) == expected


def test_a_leading_the_is_trimmed_and_other_words_are_not() -> None:
    text = "By the Financial Times and The Hague, then theatre."
    ft = spacy_ner.entity_record(text, 3, 22, "ORG")
    assert ft == {
        "start": 7,
        "end": 22,
        "text": "Financial Times",
        "type": "ORG",
        "mention": "name",
    }
    hague = spacy_ner.entity_record(text, 27, 36, "GPE")
    assert hague is not None and hague["text"] == "Hague"
    theatre = spacy_ner.entity_record(text, 43, 50, "FAC")
    assert theatre is not None and theatre["text"] == "theatre"  # "the" only as a word
    assert spacy_ner.entity_record(text, 3, 22, "ORDINAL") is None


def test_ner_on_a_sentence_maps_and_trims() -> None:
    need_spacy()
    text = "Ukraine fired two rockets near Bakhmut, the Financial Times reported on Saturday."
    (record,) = spacy_ner.predict([body_document(text)])
    found = {(e["text"], e["type"]) for e in record["entities"]}
    assert {("Financial Times", "ORG"), ("Bakhmut", "GPE"), ("Saturday", "DATE")} <= found
    assert all(not e["text"].lower().startswith("the ") for e in record["entities"])
    assert set(record) == {"doc_id", "entities"}


def test_inverted_cue_parsed_as_a_second_ccomp_is_the_outer_attribution() -> None:
    need_spacy()
    from sourcetrace.baselines import spacy_attribution

    # TOOLS_NOTES.md: spaCy attaches "reported" as a second ccomp under "said".
    text = (
        "Ukraine's defence ministry said North Korean-made rockets were fired near Bakhmut, "
        "the Financial Times reported."
    )
    (record,) = spacy_attribution.predict([body_document(text)])
    triples = [
        (a["source"]["text"], a["cue"]["text"], a["content"]["text"], a["type"])
        for a in record["attributions"]
    ]
    assert triples == [
        (
            "Financial Times",
            "reported",
            "Ukraine's defence ministry said North Korean-made rockets were fired near Bakhmut",
            "indirect",
        ),
        (
            "Ukraine's defence ministry",
            "said",
            "North Korean-made rockets were fired near Bakhmut",
            "indirect",
        ),
    ]
    assert [c["text"] for c in record["claims"]] == [t[2] for t in triples]
    assert {"text": "Financial Times", "type": "ORG"}.items() <= record["entities"][-1].items()


def test_quoted_content_before_the_cue_is_direct() -> None:
    need_spacy()
    from sourcetrace.baselines import spacy_attribution

    text = '"Far more could come," the New York Times said.'
    (record,) = spacy_attribution.predict([body_document(text)])
    (attribution,) = record["attributions"]
    assert attribution["source"] == at(text, "New York Times")
    assert attribution["content"] == at(text, "Far more could come")
    assert attribution["type"] == "direct"
