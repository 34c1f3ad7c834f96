"""Pieces every baseline shares: zones, spans, quotation marks, the cue lexicon, claim attributes.

Standard library only, so that the rule-based system and the noisy gold run without the
`baselines` extra. Offsets are Python code points into the document text, end exclusive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

# Zones whose claims and attributions the gold annotates (GUIDELINES.md 2.1 and 3.1).
CLAIM_ZONES = ("title", "body")

# Attribution cues (GUIDELINES.md 3.2), as lemmas: the spaCy systems compare token lemmas.
CUE_LEMMAS = frozenset(
    {
        "say",
        "tell",
        "report",
        "claim",
        "accuse",
        "deny",
        "suggest",
        "believe",
        "warn",
        "confirm",
        "add",
        "state",
        "announce",
        "note",
        "insist",
        "argue",
        "allege",
        "convey",
        "reveal",
        "indicate",
        "estimate",
        "explain",
        "write",
        "doubt",
        "acknowledge",
        "admit",
        "assert",
        "maintain",
        "cite",
    }
)

# The same cues as the word forms a rule can match without a lemmatizer.
CUE_FORMS = frozenset(
    {
        "said",
        "says",
        "say",
        "told",
        "tells",
        "reported",
        "reports",
        "claimed",
        "claims",
        "claim",
        "accused",
        "accuses",
        "accuse",
        "denied",
        "denies",
        "deny",
        "suggested",
        "suggests",
        "believe",
        "believes",
        "believed",
        "warned",
        "warns",
        "confirmed",
        "confirms",
        "added",
        "adds",
        "stated",
        "announced",
        "announces",
        "noted",
        "insisted",
        "insists",
        "argued",
        "argues",
        "alleged",
        "alleges",
        "conveyed",
        "revealed",
        "reveals",
        "indicated",
        "indicates",
        "estimated",
        "explained",
        "wrote",
        "writes",
        "doubt",
        "doubts",
        "acknowledged",
        "admitted",
        "asserted",
        "maintained",
    }
)

NEGATIVE_CUES = frozenset({"deny", "denied", "denies", "doubt", "doubts"})
PROBABLE_CUES = frozenset(
    {"believe", "believes", "believed", "suggest", "suggested", "suggests", "indicate"}
    | {"indicated", "indicates", "doubt", "doubts", "estimate", "estimated", "estimates"}
)

OPENING_QUOTES = "\u201c\u2018"
CLOSING_QUOTES = "\u201d\u2019"
STRAIGHT_QUOTE = '"'
QUOTES = STRAIGHT_QUOTE + "\u201c\u201d"  # apostrophe-like single quotes are not counted
FINAL_PUNCTUATION = ".,;:!?"

_NEGATION = re.compile(r"\b(?:not|no|never|nor|without)\b|n[’']t\b", re.IGNORECASE)
_POSSIBLE = re.compile(r"\b(?:may|might|could|possibly|perhaps)\b", re.IGNORECASE)
_PROBABLE = re.compile(r"\b(?:likely|probably|appears?|seems?)\b", re.IGNORECASE)


def claim_zones(doc: Mapping[str, Any]) -> list[tuple[int, int]]:
    """The title and body zones, in text order; a title repeated word for word is kept once
    (the guidelines annotate a duplicated headline in its first title zone only)."""
    text = doc["text"]
    seen: set[str] = set()
    zones = []
    for zone in sorted(doc.get("zones") or [], key=lambda z: (z["start"], z["end"])):
        if zone["kind"] not in CLAIM_ZONES:
            continue
        piece = text[zone["start"] : zone["end"]].strip()
        if zone["kind"] == "title" and piece in seen:
            continue
        seen.add(piece)
        zones.append((zone["start"], zone["end"]))
    return zones


def lines(text: str, zones: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The non-empty lines of the zones (a heading line is not glued to the next sentence)."""
    found = []
    for zone_start, zone_end in zones:
        cursor = zone_start
        for line in text[zone_start:zone_end].split("\n"):
            start, end = trim(text, cursor, cursor + len(line))
            if start < end:
                found.append((start, end))
            cursor += len(line) + 1
    return found


def trim(text: str, start: int, end: int, chars: str = "") -> tuple[int, int]:
    """Shrink [start, end) past white space (and `chars`) at both edges."""
    while start < end and (text[start].isspace() or text[start] in chars):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in chars):
        end -= 1
    return start, end


def span(text: str, start: int, end: int) -> dict[str, Any] | None:
    """A span dict trimmed of white space, or None when nothing is left."""
    start, end = trim(text, start, end)
    if start >= end:
        return None
    return {"start": start, "end": end, "text": text[start:end]}


def is_quote(char: str) -> bool:
    return char in QUOTES


def count_quotes(text: str) -> int:
    return sum(1 for char in text if char in QUOTES)


def strip_content(text: str, start: int, end: int) -> tuple[int, int]:
    """Content without final punctuation and without the quotation marks that open and close
    it (GUIDELINES.md 3.4); a lone, unpaired quotation mark at an edge goes as well."""
    while True:
        before = (start, end)
        start, end = trim(text, start, end, FINAL_PUNCTUATION)
        inner = text[start + 1 : end - 1]
        wrapped = end - start >= 2 and is_quote(text[start]) and is_quote(text[end - 1])
        if wrapped and count_quotes(inner) == 0:
            start, end = start + 1, end - 1
        if start < end and count_quotes(text[start:end]) % 2 == 1:
            if is_quote(text[start]):
                start += 1
            elif is_quote(text[end - 1]):
                end -= 1
        if (start, end) == before:
            return start, end


def outside(start: int, end: int, holes: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of [start, end) not covered by the holes (nested contents)."""
    parts, cursor = [], start
    for hole_start, hole_end in sorted(holes):
        if hole_end <= cursor or hole_start >= end:
            continue
        if hole_start > cursor:
            parts.append((cursor, hole_start))
        cursor = max(cursor, hole_end)
    if cursor < end:
        parts.append((cursor, end))
    return parts


def widen_to_quotes(text: str, start: int, end: int) -> tuple[int, int]:
    """A content span with the quotation marks right around it (and a comma or full stop
    before the closing one), which belong to that quotation."""
    if start > 0 and is_quote(text[start - 1]):
        start -= 1
    closing = re.match(r"[,.;:!?]?[\"\u201d]", text[end : end + 2])
    if closing:
        end += closing.end()
    return start, end


def quote_type(text: str, start: int, end: int, nested: Iterable[tuple[int, int]] = ()) -> str:
    """direct / mixed / indirect after GUIDELINES.md 3.5: quotation marks inside a nested
    attribution's content count for that attribution only."""
    holes = [widen_to_quotes(text, s, e) for s, e in nested]
    inner = sum(count_quotes(text[s:e]) for s, e in outside(start, end, holes))
    opened = start > 0 and is_quote(text[start - 1])
    closed = bool(re.match(r"[,.;:!?]?[\"\u201d]", text[end : end + 2]))
    if inner == 0 and opened and closed:
        return "direct"
    if inner or opened or closed:
        return "mixed"
    return "indirect"


def claim_attributes(claim_text: str, cue_word: str | None = None) -> dict[str, str]:
    """Polarity and certainty from surface words: negation, modals, hedging cues (FactBank)."""
    cue = (cue_word or "").lower()
    negative = cue in NEGATIVE_CUES or bool(_NEGATION.search(claim_text))
    if _POSSIBLE.search(claim_text):
        certainty = "possible"
    elif cue in PROBABLE_CUES or _PROBABLE.search(claim_text):
        certainty = "probable"
    else:
        certainty = "certain"
    return {"polarity": "negative" if negative else "positive", "certainty": certainty}


def inside_any(start: int, end: int, zones: Iterable[tuple[int, int]]) -> bool:
    return any(zone_start <= start and end <= zone_end for zone_start, zone_end in zones)


def unique_sorted(items: Iterable[dict[str, Any]], key: Any) -> list[dict[str, Any]]:
    """Items sorted by `key`, exact duplicates dropped: the same input gives the same bytes."""
    seen: set[str] = set()
    result = []
    for item in sorted(items, key=key):
        marker = repr(sorted(item.items()))
        if marker not in seen:
            seen.add(marker)
            result.append(item)
    return result


def entity_key(entity: Mapping[str, Any]) -> tuple[int, int, str]:
    return (entity["start"], entity["end"], entity["type"])


def claim_key(claim: Mapping[str, Any]) -> tuple[int, int]:
    return (claim["start"], claim["end"])


def attribution_key(attribution: Mapping[str, Any]) -> tuple[int, int, int]:
    content, cue = attribution["content"], attribution.get("cue") or {}
    return (content["start"], content["end"], cue.get("start", -1))


def prediction(
    doc_id: str,
    entities: Iterable[dict[str, Any]] | None = None,
    claims: Iterable[dict[str, Any]] | None = None,
    attributions: Iterable[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One prediction record with its layers in a fixed order; a layer given as None is left
    out (not scored), an empty one is kept ("found nothing")."""
    record: dict[str, Any] = {"doc_id": doc_id}
    if entities is not None:
        record["entities"] = unique_sorted(entities, entity_key)
    if claims is not None:
        record["claims"] = unique_sorted(claims, claim_key)
    if attributions is not None:
        record["attributions"] = sorted(attributions, key=attribution_key)
    return record
