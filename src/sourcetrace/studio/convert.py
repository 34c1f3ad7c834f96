"""Gold-shaped annotations <-> Label Studio result items, losslessly. Pure functions.

The encoding (names from `config`):

- entity mention: a region of `entity` labelled with its type, region id = mention id; per-region
  `mention` choice and `entity_id` text;
- claim: a region of `claim` (CLAIM), region id = claim id; per-region `polarity`, `certainty`,
  `checkworthy` (yes/no) choices and `cluster` text; when the claim has its check-worthiness
  rubric, one yes/no choice per question (`checkworthiness_<question>`); the score is not sent,
  it is computed again from the answers on the way back (the validator checks the rest);
- attribution: a CONTENT region of `attribution`, region id = attribution id, per-region
  `attribution_type` choice and, when given, `content_type` choice; its CUE region (if any),
  SOURCE region (when the source is a span, not a mention) and SOURCE_SPAN region (the whole
  source phrase, when there is one) get ids of their own; relations source -> cue -> content
  (source -> content when there is no cue), source phrase -> cue (or content), content -> each of
  its claims in order, inner content -> outer content for `nested_in`. The source of an
  attribution is the entity or SOURCE region related to its cue or its content; no such relation
  means the article's own voice (`null`). An attribution annotated after PARC (a content type or
  a phrase) comes back with `source_span` (null without a phrase); one with neither comes back
  without the two keys, as it went.

Going back, a relation's meaning comes from the roles of the two regions it joins (so an arrow
drawn the other way round still reads right); its label, when given, must agree.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sourcetrace.schema.labels import checkworthiness_score, load_labels
from sourcetrace.schema.validation import LAYERS
from sourcetrace.studio import config as c
from sourcetrace.studio.offsets import Span, SpanError, resolve

ID_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]+$")
SPAN_LAYERS = {c.ENTITY: "entities", c.CLAIM: "claims", c.ATTRIBUTION: "attributions"}


# ---------------------------------------------------------------- annotation -> result


class _Ids:
    """Region ids: the item's own id when it has one, else a fresh one; never a duplicate."""

    def __init__(self, taken: Iterable[str]) -> None:
        self.taken = set(taken)

    def fresh(self, base: str) -> str:
        candidate, n = base, 1
        while candidate in self.taken:
            n += 1
            candidate = f"{base}{n}" if not base[-1:].isdigit() else f"{base}_{n}"
        self.taken.add(candidate)
        return candidate


def _value(span: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    return {"start": span["start"], "end": span["end"], "text": span["text"], **extra}


def _region(rid: str, name: str, span: Mapping[str, Any], label: str) -> dict[str, Any]:
    return _item(rid, name, "labels", _value(span, labels=[label]))


def _choice(rid: str, name: str, span: Mapping[str, Any], choice: str) -> dict[str, Any]:
    return _item(rid, name, "choices", _value(span, choices=[choice]))


def _item(rid: str, name: str, kind: str, value: dict[str, Any]) -> dict[str, Any]:
    """One result item on the document's text; per-region attributes share the region's id."""
    return {"id": rid, "from_name": name, "to_name": c.TEXT, "type": kind, "value": value}


def _textarea(rid: str, name: str, span: Mapping[str, Any], text: str) -> dict[str, Any]:
    # Label Studio keeps a per-region text area's input in value.text (a list), where a span
    # keeps its text: the span's own text lives on the region's labels item.
    return _item(
        rid, name, "textarea", {"start": span["start"], "end": span["end"], "text": [text]}
    )


def _relation(from_id: str, to_id: str, label: str) -> dict[str, Any]:
    return {
        "from_id": from_id,
        "to_id": to_id,
        "type": "relation",
        "direction": "right",
        "labels": [label],
    }


def to_result(annotation: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Result items for a gold annotation (or a system's prediction with offsets).

    Attributes a prediction lacks are left out (the annotator adds them); items without ids get
    fresh region ids. Every span must carry start, end and text.
    """
    layers = LAYERS
    ids = _Ids(
        item["id"] for layer in layers for item in annotation.get(layer) or [] if "id" in item
    )
    result: list[dict[str, Any]] = []
    relations: list[dict[str, Any]] = []
    mention_rid: dict[str, str] = {}
    for entity in annotation.get("entities") or []:
        rid = entity["id"] if "id" in entity else ids.fresh("e")
        mention_rid[entity.get("id", rid)] = rid
        result.append(_region(rid, c.ENTITY, entity, entity["type"]))
        if "mention" in entity:
            result.append(_choice(rid, c.MENTION, entity, entity["mention"]))
        if "entity" in entity:
            result.append(_textarea(rid, c.ENTITY_ID, entity, entity["entity"]))
    for claim in annotation.get("claims") or []:
        rid = claim["id"] if "id" in claim else ids.fresh("c")
        result.append(_region(rid, c.CLAIM, claim, c.CLAIM_LABEL))
        for name in (c.POLARITY, c.CERTAINTY):
            if name in claim:
                result.append(_choice(rid, name, claim, claim[name]))
        if "checkworthy" in claim:
            choice = next(k for k, v in c.CHECKWORTHY_CHOICES.items() if v is claim["checkworthy"])
            result.append(_choice(rid, c.CHECKWORTHY, claim, choice))
        if "cluster" in claim:
            result.append(_textarea(rid, c.CLUSTER, claim, claim["cluster"]))
        for question, answer in (claim.get("checkworthiness") or {}).get("answers", {}).items():
            choice = next(k for k, v in c.CHECKWORTHY_CHOICES.items() if v is answer)
            result.append(_choice(rid, c.rubric_control(question), claim, choice))
    content_rid: dict[str, str] = {}
    for attribution in annotation.get("attributions") or []:
        rid = attribution["id"] if "id" in attribution else ids.fresh("a")
        content_rid[attribution.get("id", rid)] = rid
        content = attribution["content"]
        result.append(_region(rid, c.ATTRIBUTION, content, c.CONTENT_LABEL))
        if "type" in attribution:
            result.append(_choice(rid, c.ATTRIBUTION_TYPE, content, attribution["type"]))
        if attribution.get("content_type") is not None:
            result.append(_choice(rid, c.CONTENT_TYPE, content, attribution["content_type"]))
        target = rid
        cue = attribution.get("cue")
        if cue is not None:
            target = ids.fresh(f"{rid}_cue")
            result.append(_region(target, c.ATTRIBUTION, cue, c.CUE_LABEL))
            relations.append(_relation(target, rid, c.REL_CUE))
        source = attribution.get("source")
        if source is not None and "mention" in source:
            relations.append(_relation(mention_rid[source["mention"]], target, c.REL_SOURCE))
        elif source is not None:
            source_rid = ids.fresh(f"{rid}_source")
            result.append(_region(source_rid, c.ATTRIBUTION, source, c.SOURCE_LABEL))
            relations.append(_relation(source_rid, target, c.REL_SOURCE))
        phrase = attribution.get("source_span")
        if phrase is not None:
            phrase_rid = ids.fresh(f"{rid}_phrase")
            result.append(_region(phrase_rid, c.ATTRIBUTION, phrase, c.SOURCE_SPAN_LABEL))
            relations.append(_relation(phrase_rid, target, c.REL_SOURCE_SPAN))
        for claim_id in content.get("claims") or []:
            relations.append(_relation(rid, claim_id, c.REL_CLAIM))
    for attribution in annotation.get("attributions") or []:
        outer = attribution.get("nested_in")
        if outer is not None:
            inner = content_rid[attribution["id"]]
            relations.append(_relation(inner, content_rid[outer], c.REL_NESTED))
    if "provenance" in annotation:  # as JSON in the document's text area, kept as it is
        edges = json.dumps(annotation["provenance"], ensure_ascii=False)
        result.append(
            {
                "id": ids.fresh("provenance"),
                "from_name": c.PROVENANCE,
                "to_name": c.TEXT,
                "type": "textarea",
                "value": {"text": [edges]},
            }
        )
    return result + relations


# ---------------------------------------------------------------- result -> annotation


@dataclass
class Region:
    """One labelled span of a result, with its per-region attributes."""

    rid: str
    control: str  # entity, claim or attribution
    label: str
    span: Span
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def role(self) -> str:
        """entity, claim, SOURCE, CUE or CONTENT: what a relation to it means."""
        return self.label if self.control == c.ATTRIBUTION else self.control


@dataclass
class Conversion:
    """What came back from a result: the annotation, the repairs made, and the refusals."""

    annotation: dict[str, Any]
    repairs: list[str]
    problems: list[str]


_ATTRIBUTES = {
    c.MENTION: (c.ENTITY, "choices"),
    c.ENTITY_ID: (c.ENTITY, "textarea"),
    c.POLARITY: (c.CLAIM, "choices"),
    c.CERTAINTY: (c.CLAIM, "choices"),
    c.CHECKWORTHY: (c.CLAIM, "choices"),
    c.CLUSTER: (c.CLAIM, "textarea"),
    c.ATTRIBUTION_TYPE: (c.ATTRIBUTION, "choices"),
    c.CONTENT_TYPE: (c.ATTRIBUTION, "choices"),
    **{
        c.rubric_control(q): (c.CLAIM, "choices")
        for q in load_labels()["checkworthiness_questions"]
    },
}


def _attribute(item: Mapping[str, Any]) -> tuple[Any, str | None]:
    """The one value of a per-region choices or textarea item, or a reason it has none."""
    name = item.get("from_name")
    value = _mapping(item.get("value"))
    key = "choices" if _ATTRIBUTES[name][1] == "choices" else "text"
    values = value.get(key)
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list):
        return None, f"{name} has no {key} list"
    values = [v.strip() for v in values if isinstance(v, str) and v.strip()]
    if len(values) != 1:
        return None, f"{name} has {len(values)} values {values!r}; expected exactly one"
    return values[0], None


def _mapping(value: Any) -> Mapping[str, Any]:
    """An item's value as an object; anything else (a hostile export) as an empty one, so that
    what it lacks is reported as missing."""
    return value if isinstance(value, Mapping) else {}


def _labels_of(labels: Mapping[str, Any]) -> dict[str, set[str]]:
    roles = {c.CLAIM: {c.CLAIM_LABEL}, c.ATTRIBUTION: set(c.ROLE_LABELS)}
    return {c.ENTITY: set(labels["entity_types"]), **roles}


def _allowed(labels: Mapping[str, Any]) -> dict[str, set[str]]:
    return {
        c.MENTION: set(labels["mention_kinds"]),
        c.POLARITY: set(labels["claim_polarity"]),
        c.CERTAINTY: set(labels["claim_certainty"]),
        c.CHECKWORTHY: set(c.CHECKWORTHY_CHOICES),
        c.ATTRIBUTION_TYPE: set(labels["attribution_types"]),
        c.CONTENT_TYPE: set(labels.get("attribution_content_types", {})),
        **{c.rubric_control(q): set(c.CHECKWORTHY_CHOICES) for q in _questions(labels)},
    }


def _questions(labels: Mapping[str, Any]) -> list[str]:
    return list(labels.get("checkworthiness_questions", {}))


def _rubric(region: Region, labels: Mapping[str, Any], problems: list[str]) -> dict | None:
    """The claim's check-worthiness rubric from its answers (all or none), score recomputed."""
    questions = _questions(labels)
    given = {q: region.attributes[c.rubric_control(q)] for q in questions
             if c.rubric_control(q) in region.attributes}  # fmt: skip
    if not given:
        return None
    if len(given) != len(questions):
        missing = [c.rubric_control(q) for q in questions if q not in given]
        problems.append(
            f"region {region.rid!r} ({region.label} {region.span.text!r}): check-worthiness "
            f"answers missing: {', '.join(missing)}; answer every question or none"
        )
        return None
    answers = {q: c.CHECKWORTHY_CHOICES[given[q]] for q in questions}
    return {"answers": answers, "score": checkworthiness_score(answers)}


def _regions(
    result: list[Any], text: str, labels: Mapping[str, Any], problems: list[str], refused: set[str]
) -> dict[str, Region]:
    """The labelled spans by region id; ids of refused ones go into ``refused`` (their
    attributes and relations are not complained about again)."""
    regions: dict[str, Region] = {}
    allowed_labels = _labels_of(labels)
    for index, item in enumerate(result):
        if not isinstance(item, Mapping) or item.get("type") != "labels":
            continue
        rid, name = item.get("id"), item.get("from_name")
        value = _mapping(item.get("value"))
        where = f"region {rid!r} (result item {index})"
        if not isinstance(rid, str) or not ID_PATTERN.match(rid):
            problems.append(f"{where}: region id is not a string of [A-Za-z0-9_.:-]")
            continue
        if not isinstance(name, str) or name not in SPAN_LAYERS:
            problems.append(f"{where}: from_name {name!r} is not one of {sorted(SPAN_LAYERS)}")
            refused.add(rid)
            continue
        found = value.get("labels") or []
        if (
            not isinstance(found, list)
            or len(found) != 1
            or not isinstance(found[0], str)
            or found[0] not in allowed_labels[name]
        ):
            problems.append(
                f"{where}: labels {found!r}; expected one of {sorted(allowed_labels[name])}"
            )
            refused.add(rid)
            continue
        if rid in regions:
            problems.append(f"{where}: a second labelled span with this region id")
            continue
        try:
            span = resolve(text, value.get("start"), value.get("end"), value.get("text"))
        except SpanError as exc:
            problems.append(
                f"{where}: offsets [{value.get('start')}, {value.get('end')}) with text "
                f"{value.get('text')!r} cannot be placed on the text: {exc}"
            )
            refused.add(rid)
            continue
        regions[rid] = Region(rid, name, found[0], span)
    return regions


def _attach_attributes(
    result: list[Any],
    regions: dict[str, Region],
    labels: Mapping[str, Any],
    problems: list[str],
    refused: set[str],
) -> None:
    allowed = _allowed(labels)
    for index, item in enumerate(result):
        if not isinstance(item, Mapping) or item.get("type") in ("labels", "relation"):
            continue
        rid, name = item.get("id"), item.get("from_name")
        where = f"region {rid!r} (result item {index})"
        if not isinstance(rid, str) or not isinstance(name, str):
            problems.append(f"{where}: region id and from_name must be strings")
            continue
        if rid in refused or name == c.PROVENANCE:  # the document's, read by _provenance
            continue
        if name not in _ATTRIBUTES:
            problems.append(f"{where}: unknown control {name!r}; expected one of the config's")
            continue
        region = regions.get(rid)
        control = _ATTRIBUTES[name][0]
        if region is None or region.control != control:
            problems.append(f"{where}: {name} given for no {control} region with this id")
            continue
        value, reason = _attribute(item)
        if reason is None and name in allowed and value not in allowed[name]:
            reason = f"{name} {value!r} is not one of {sorted(allowed[name])}"
        if reason is None and name in (c.ENTITY_ID, c.CLUSTER) and not ID_PATTERN.match(value):
            reason = f"{name} {value!r} is not an id of [A-Za-z0-9_.:-]"
        if reason is None and name in region.attributes:
            reason = f"{name} given twice"
        if reason:
            problems.append(f"{where}: {reason}")
            continue
        region.attributes[name] = value


def _provenance(result: list[Any], problems: list[str]) -> Any:
    """The provenance edges of the document's text area (JSON), None when it has none; the
    annotation's validation then checks them as it checks a gold file's."""
    items = [
        item
        for item in result
        if isinstance(item, Mapping) and item.get("from_name") == c.PROVENANCE
    ]
    if not items:
        return None
    texts = (items[0].get("value") or {}).get("text")
    if len(items) > 1 or not isinstance(texts, list) or len(texts) != 1:
        problems.append(f"{c.PROVENANCE}: one text area with one JSON list of edges expected")
        return None
    try:
        edges = json.loads(texts[0]) if isinstance(texts[0], str) else None
    except ValueError as exc:
        problems.append(f"{c.PROVENANCE}: the text area is not JSON ({exc})")
        return None
    if not isinstance(edges, list):
        problems.append(f"{c.PROVENANCE}: the text area holds no JSON list of edges")
        return None
    return edges


def _span(region: Region) -> dict[str, Any]:
    return {"start": region.span.start, "end": region.span.end, "text": region.span.text}


def _required(region: Region, names: tuple[str, ...], problems: list[str]) -> bool:
    missing = [n for n in names if n not in region.attributes]
    if missing:
        problems.append(
            f"region {region.rid!r} ({region.label} {region.span.text!r}): missing "
            f"{', '.join(missing)}; every {region.control} region needs them"
        )
    return not missing


@dataclass
class _Links:
    """What the relations say, per CONTENT or CUE region id."""

    sources: dict[str, list[str]] = field(default_factory=dict)  # cue/content -> source rids
    cues: dict[str, list[str]] = field(default_factory=dict)  # content -> cue rids
    claims: dict[str, list[str]] = field(default_factory=dict)  # content -> claim rids
    outer: dict[str, list[str]] = field(default_factory=dict)  # inner content -> outer content
    phrases: dict[str, list[str]] = field(default_factory=dict)  # cue/content -> phrase rids


_SOURCE_ROLES = (c.ENTITY, c.SOURCE_LABEL)


def _meaning(a: Region, b: Region) -> tuple[str, Region, Region] | None:
    """(relation label, from, to) in the canonical direction, for an unordered pair of roles."""
    for x, y in ((a, b), (b, a)):
        if x.role in _SOURCE_ROLES and y.role in (c.CUE_LABEL, c.CONTENT_LABEL):
            return c.REL_SOURCE, x, y
        if x.role == c.SOURCE_SPAN_LABEL and y.role in (c.CUE_LABEL, c.CONTENT_LABEL):
            return c.REL_SOURCE_SPAN, x, y
        if x.role == c.CUE_LABEL and y.role == c.CONTENT_LABEL:
            return c.REL_CUE, x, y
        if x.role == c.CONTENT_LABEL and y.role == c.CLAIM:
            return c.REL_CLAIM, x, y
    return None


def _links(
    result: list[Any], regions: dict[str, Region], problems: list[str], refused: set[str]
) -> _Links:
    links = _Links()
    for index, item in enumerate(result):
        if not isinstance(item, Mapping) or item.get("type") != "relation":
            continue
        where = f"relation {item.get('from_id')!r} -> {item.get('to_id')!r} (result item {index})"
        if not all(isinstance(item.get(end), str) for end in ("from_id", "to_id")):
            problems.append(f"{where}: from_id and to_id must be region ids (strings)")
            continue
        if {item.get("from_id"), item.get("to_id")} & refused:
            continue
        a, b = regions.get(item.get("from_id")), regions.get(item.get("to_id"))
        if a is None or b is None:
            problems.append(f"{where}: joins a region that is not a labelled span of this result")
            continue
        direction = item.get("direction", "right")
        if direction == "left":
            a, b = b, a
        if a.role == b.role == c.CONTENT_LABEL:
            if direction not in ("right", "left"):
                problems.append(f"{where}: a nesting needs a direction (inner -> outer)")
                continue
            meaning = (c.REL_NESTED, a, b)
        else:
            meaning = _meaning(a, b)
        if meaning is None:
            problems.append(
                f"{where}: joins {a.role} and {b.role}; expected source -> cue -> content, "
                "source phrase -> cue, content -> claim, or inner content -> outer content"
            )
            continue
        label, x, y = meaning
        given = item.get("labels") or []
        if given and given != [label]:
            problems.append(f"{where}: labelled {given!r} but it joins {x.role} and {y.role}")
            continue
        key, target, table = {
            c.REL_SOURCE: (y.rid, x.rid, links.sources),  # keyed by the cue or content
            c.REL_CUE: (y.rid, x.rid, links.cues),  # keyed by the content
            c.REL_CLAIM: (x.rid, y.rid, links.claims),
            c.REL_NESTED: (x.rid, y.rid, links.outer),
            c.REL_SOURCE_SPAN: (y.rid, x.rid, links.phrases),  # keyed by the cue or content
        }[label]
        bucket = table.setdefault(key, [])
        if target not in bucket:
            bucket.append(target)
    return links


def _one(rids: list[str], what: str, owner: str, problems: list[str]) -> str | None:
    if len(rids) > 1:
        problems.append(f"region {owner!r}: {len(rids)} {what}s ({', '.join(rids)}); expected one")
    return rids[0] if rids else None


def _attributions(
    regions: dict[str, Region], links: _Links, problems: list[str]
) -> list[dict[str, Any]]:
    attributions = []
    used: set[str] = set()
    for region in regions.values():
        if region.role != c.CONTENT_LABEL:
            continue
        _required(region, (c.ATTRIBUTION_TYPE,), problems)
        cue_rid = _one(links.cues.get(region.rid, []), "cue", region.rid, problems)
        sources = list(links.sources.get(region.rid, []))
        if cue_rid is not None:
            used.add(cue_rid)
            sources += [s for s in links.sources.get(cue_rid, []) if s not in sources]
        source_rid = _one(sources, "source", region.rid, problems)
        source: dict[str, Any] | None = None
        if source_rid is not None:
            used.add(source_rid)
            found = regions[source_rid]
            source = {"mention": source_rid} if found.role == c.ENTITY else _span(found)
        phrases = list(links.phrases.get(region.rid, []))
        if cue_rid is not None:
            phrases += [p for p in links.phrases.get(cue_rid, []) if p not in phrases]
        phrase_rid = _one(phrases, "source phrase", region.rid, problems)
        if phrase_rid is not None:
            used.add(phrase_rid)
        outer = _one(links.outer.get(region.rid, []), "outer attribution", region.rid, problems)
        content_type = region.attributes.get(c.CONTENT_TYPE)
        attribution: dict[str, Any] = {"id": region.rid, "source": source}
        if phrase_rid is not None or content_type is not None:  # annotated after PARC
            attribution["source_span"] = None if phrase_rid is None else _span(regions[phrase_rid])
        attribution |= {
            "cue": _span(regions[cue_rid]) if cue_rid is not None else None,
            "content": {"claims": links.claims.get(region.rid, []), **_span(region)},
            "type": region.attributes.get(c.ATTRIBUTION_TYPE),
        }
        if content_type is not None:
            attribution["content_type"] = content_type
        attributions.append({**attribution, "nested_in": outer})
    for region in regions.values():
        if region.role in (c.CUE_LABEL, c.SOURCE_LABEL, c.SOURCE_SPAN_LABEL) and (
            region.rid not in used
        ):
            problems.append(
                f"region {region.rid!r} ({region.label} {region.span.text!r}) belongs to no "
                "attribution; expected a relation to a CONTENT region (or, for a source, to a "
                "cue of one)"
            )
    return attributions


def from_result(
    result: list[Any],
    text: str,
    *,
    doc_id: str,
    text_sha256: str,
    labels: Mapping[str, Any],
    describe: Callable[[str], str] = str,
) -> Conversion:
    """A gold-shaped annotation from the result items of one annotation, on ``text``.

    Spans are placed in code points (see `offsets.resolve`); ``describe`` words a repair or a
    problem with its context (file, task). Nothing is guessed: what cannot be read is a problem.
    """
    problems: list[str] = []
    if not isinstance(result, list):
        return Conversion({}, [], [describe("the annotation's result is not a list")])
    refused: set[str] = set()
    regions = _regions(result, text, labels, problems, refused)
    _attach_attributes(result, regions, labels, problems, refused)
    links = _links(result, regions, problems, refused)
    entities, claims = [], []
    for region in regions.values():
        if region.role == c.ENTITY and _required(region, (c.MENTION, c.ENTITY_ID), problems):
            entities.append(
                {
                    "id": region.rid,
                    **_span(region),
                    "type": region.label,
                    "mention": region.attributes[c.MENTION],
                    "entity": region.attributes[c.ENTITY_ID],
                }
            )
        names = (c.POLARITY, c.CERTAINTY, c.CHECKWORTHY, c.CLUSTER)
        if region.role == c.CLAIM and _required(region, names, problems):
            claim = {
                "id": region.rid,
                **_span(region),
                "polarity": region.attributes[c.POLARITY],
                "certainty": region.attributes[c.CERTAINTY],
                "checkworthy": c.CHECKWORTHY_CHOICES[region.attributes[c.CHECKWORTHY]],
            }
            rubric = _rubric(region, labels, problems)
            if rubric is not None:
                claim["checkworthiness"] = rubric
            claims.append({**claim, "cluster": region.attributes[c.CLUSTER]})
    attributions = _attributions(regions, links, problems)
    repairs = [
        f"region {r.rid!r} ({r.label} {r.span.text!r}): {r.span.repair}"
        for r in regions.values()
        if r.span.repair
    ]
    annotation = {
        "doc_id": doc_id,
        "text_sha256": text_sha256,
        "entities": entities,
        "claims": claims,
        "attributions": attributions,
    }
    edges = _provenance(result, problems)
    if edges is not None:
        annotation["provenance"] = edges
    return Conversion(annotation, [describe(r) for r in repairs], [describe(p) for p in problems])
