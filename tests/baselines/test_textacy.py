"""textacy's direct quotations, run per paragraph so that an unclosed quotation elsewhere on
the page does not lose the well-formed quotations."""

from __future__ import annotations

from baselines.helpers import at, body_document, need_spacy

ODD = 'The minister called it a "special operation.\n"We will not retreat," the general said.'


def test_odd_number_of_quotation_marks_does_not_crash_and_keeps_the_good_paragraph() -> None:
    need_spacy("textacy")
    import textacy.extract.triples

    from sourcetrace.baselines import spacy_ner, textacy_quotes

    assert ODD.count('"') == 3
    whole = spacy_ner.load_model()(ODD)
    try:
        list(textacy.extract.triples.direct_quotations(whole))
        raised = False
    except ValueError:
        raised = True
    assert raised, "textacy should refuse the whole text: that is why we split paragraphs"

    (record,) = textacy_quotes.predict([body_document(ODD)])
    assert record["attributions"] == [
        {
            "source": at(ODD, "general"),
            "cue": at(ODD, "said"),
            "content": at(ODD, "We will not retreat"),
            "type": "direct",
        }
    ]
    assert [(c["text"], c["polarity"]) for c in record["claims"]] == [
        ("We will not retreat", "negative")
    ]
    assert "entities" not in record  # the layer is absent, so it is not scored
