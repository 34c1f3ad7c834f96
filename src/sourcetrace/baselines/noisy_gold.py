"""The gold with controlled noise: how each metric responds to a known amount of error.

For every document a generator `random.Random(f"{seed}:{doc_id}")` is made (so a document's
noise does not depend on the others, and the same seed gives the same bytes). Every gold item,
in the gold's order, draws one number u in [0, 1) and undergoes at most one change:

| u | entity | claim | attribution |
|---|---|---|---|
| u < r/3 | dropped | dropped | dropped |
| r/3 <= u < 2r/3 | end shifted one token | end shifted one token | content end shifted one token |
| 2r/3 <= u < r | type swapped | polarity flipped | source swapped |
| u >= r | kept as it is | kept | kept |

- **Boundary shift**: a second draw picks the direction: below 0.5 the end moves one token
  right (the next word or punctuation mark is added), otherwise one token left (the last
  token is removed); when that direction is impossible (one-token span, or the end of the
  text) the other one is used. Tokens are `\\w+` runs and single punctuation marks.
- **Type swap**: a second draw picks one of the other entity types of labels.json, in
  alphabetical order; the mention's `entity` id becomes "<id>.as-<type>" (one id has one type
  in a valid file), so the swap also shows in the entity cluster scores.
- **Source swap**: a named source becomes the article's own voice (null); an own-voice
  attribution gets as source the last PERSON, ORG or GPE name mention that ends before its cue
  (null stays null when there is none). The source phrase (`source_span`), where the gold has
  one, follows: null, or the new source's name.
- **References stay valid**: an attribution's `{"mention": id}` source whose entity was dropped
  or shifted is written as the span of the original mention (so entity noise does not leak into
  the source scores); content `claims` ids of dropped claims are removed (the key goes when it
  empties); `nested_in` pointing to a dropped attribution becomes null.

Rate 0 reproduces the gold exactly; in expectation a fraction r of the items of each layer is
changed, r/3 of each kind.
"""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Iterable, Mapping
from typing import Any

from sourcetrace.baselines.common import prediction
from sourcetrace.schema.labels import names

NAME = "noisy-gold"
DEFAULT_RATE = 0.1
DEFAULT_SEED = 0
_TOKEN = re.compile(r"\w+|[^\w\s]")
SOURCE_TYPES = frozenset({"PERSON", "ORG", "GPE"})


def action_for(draw: float, rate: float) -> str:
    """drop / shift / swap / keep for one item's draw (the table of the module docstring)."""
    if draw < rate / 3:
        return "drop"
    if draw < 2 * rate / 3:
        return "shift"
    if draw < rate:
        return "swap"
    return "keep"


def shift_end(text: str, start: int, end: int, extend: bool) -> int:
    """The span's new end, one token to the right (extend) or to the left."""
    inside = [m for m in _TOKEN.finditer(text, start, end)]
    following = _TOKEN.search(text, end)
    can_extend, can_shrink = following is not None, len(inside) >= 2
    if (extend and can_extend) or (can_extend and not can_shrink):
        return following.end()  # type: ignore[union-attr]
    if can_shrink:
        return inside[-2].end()
    return end


def shifted(item: dict[str, Any], text: str, draw: float) -> dict[str, Any]:
    new = dict(item)
    new["end"] = shift_end(text, item["start"], item["end"], extend=draw < 0.5)
    new["text"] = text[new["start"] : new["end"]]
    return new


def swapped_type(current: str, types: list[str], draw: float) -> str:
    others = sorted(t for t in types if t != current)
    return others[int(draw * len(others))]


def retyped(entity: dict[str, Any], kind: str) -> dict[str, Any]:
    """The mention with another type; its corpus-wide `entity` id gets the suffix
    ".as-<type>", because one entity id has one type (a rule the validator enforces)."""
    new = {**entity, "type": kind}
    if "entity" in new:
        new["entity"] = f"{entity['entity']}.as-{kind.lower()}"
    return new


def noisy_entities(
    entities: list[dict[str, Any]], text: str, rate: float, rng: random.Random, types: list[str]
) -> tuple[list[dict[str, Any]], set[str]]:
    """The entities after noise, and the ids of those kept unchanged."""
    result, unchanged = [], set()
    for entity in entities:
        action = action_for(rng.random(), rate)
        if action == "drop":
            continue
        if action == "shift":
            result.append(shifted(entity, text, rng.random()))
        elif action == "swap":
            result.append(retyped(entity, swapped_type(entity["type"], types, rng.random())))
        else:
            result.append(dict(entity))
            unchanged.add(entity.get("id", ""))
    return result, unchanged


def noisy_claims(
    claims: list[dict[str, Any]], text: str, rate: float, rng: random.Random
) -> list[dict[str, Any]]:
    result = []
    for claim in claims:
        action = action_for(rng.random(), rate)
        if action == "drop":
            continue
        if action == "shift":
            result.append(shifted(claim, text, rng.random()))
        elif action == "swap" and "polarity" in claim:
            flipped = "negative" if claim["polarity"] == "positive" else "positive"
            result.append({**claim, "polarity": flipped})
        else:
            result.append(dict(claim))
    return result


def nearest_name_before(entities: list[dict[str, Any]], position: int) -> dict[str, Any] | None:
    names = [
        e
        for e in entities
        if e.get("mention") == "name" and e["type"] in SOURCE_TYPES and e["end"] <= position
    ]
    if not names:
        return None
    last = max(names, key=lambda e: (e["end"], e["start"]))
    return {"start": last["start"], "end": last["end"], "text": last["text"]}


def swapped_source(
    attribution: dict[str, Any], gold_entities: list[dict[str, Any]]
) -> dict[str, Any] | None:
    if attribution["source"] is not None:
        return None
    cue = attribution.get("cue") or attribution["content"]
    return nearest_name_before(gold_entities, cue.get("start", 0))


def noisy_attributions(
    attributions: list[dict[str, Any]],
    text: str,
    rate: float,
    rng: random.Random,
    gold_entities: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    result = []
    for attribution in attributions:
        action = action_for(rng.random(), rate)
        if action == "drop":
            continue
        new = copy.deepcopy(attribution)
        if action == "shift":
            new["content"] = shifted(new["content"], text, rng.random())
        elif action == "swap":
            new["source"] = swapped_source(attribution, gold_entities)
            if "source_span" in new:  # the phrase follows its source (the name is its phrase)
                new["source_span"] = new["source"]
        result.append(new)
    return result


def repair_references(
    attributions: list[dict[str, Any]],
    gold_entities: list[dict[str, Any]],
    unchanged_entities: set[str],
    kept_claims: set[str],
) -> list[dict[str, Any]]:
    """Sources, content claim ids and nesting that point only at what is still there."""
    by_id = {e["id"]: e for e in gold_entities if "id" in e}
    kept_ids = {a["id"] for a in attributions if "id" in a}
    for attribution in attributions:
        source = attribution["source"]
        named = isinstance(source, dict) and "mention" in source
        if named and source["mention"] not in unchanged_entities:
            original = by_id[source["mention"]]
            attribution["source"] = {
                "start": original["start"],
                "end": original["end"],
                "text": original["text"],
            }
        content = attribution["content"]
        if "claims" in content:
            content["claims"] = [c for c in content["claims"] if c in kept_claims]
            if not content["claims"]:
                del content["claims"]
        if attribution.get("nested_in") is not None and attribution["nested_in"] not in kept_ids:
            attribution["nested_in"] = None
    return attributions


def noisy_document(
    doc: Mapping[str, Any], rate: float, seed: int, types: list[str]
) -> dict[str, Any]:
    text = doc["text"]
    rng = random.Random(f"{seed}:{doc['doc_id']}")
    gold_entities = list(doc.get("entities") or [])
    entities, unchanged = noisy_entities(gold_entities, text, rate, rng, types)
    claims = noisy_claims(list(doc.get("claims") or []), text, rate, rng)
    attributions = noisy_attributions(
        list(doc.get("attributions") or []), text, rate, rng, gold_entities
    )
    kept_claims = {c["id"] for c in claims if "id" in c}
    attributions = repair_references(attributions, gold_entities, unchanged, kept_claims)
    record = prediction(doc["doc_id"])
    record.update({"entities": entities, "claims": claims, "attributions": attributions})
    return record


def check_rate(rate: float) -> float:
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"the noise rate must be between 0 and 1, got {rate}")
    return float(rate)


def predict(
    documents: Iterable[Mapping[str, Any]],
    rate: float = DEFAULT_RATE,
    seed: int = DEFAULT_SEED,
) -> list[dict[str, Any]]:
    """The gold of the annotated documents with noise at `rate` (0..1) drawn from `seed`; the
    items keep the gold's order (so rate 0 gives the gold's own records)."""
    rate = check_rate(rate)
    types = names("entity_types")
    return [
        noisy_document(doc, rate, int(seed), types)
        for doc in documents
        if doc.get("annotated", True)
    ]
