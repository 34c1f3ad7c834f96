"""Two-stage validation: JSON Schema (Draft 2020-12) first, then the semantics a schema cannot say.

Every problem is an InputError naming the file, the line, the JSON pointer and what was expected.
A compiled validator (fast_validation) answers first; only a record it does not find valid meets
the reference validator (jsonschema), which decides and words the problems.
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sourcetrace.errors import InputError
from sourcetrace.jsonio import (
    Record,
    iter_jsonl_records,
    placed,
    read_records,
    surrogate_error,
)
from sourcetrace.paths import path_text, schema_dir
from sourcetrace.schema.columns import KINDS_COVERED, file_verdict
from sourcetrace.schema.conventions import (
    DEFAULT_END,
    DEFAULT_OFFSETS,
    Convention,
    Diagnosis,
    OffsetConventionWarning,
    diagnose,
    record_to_codepoints,
    text_lookup,
)
from sourcetrace.schema.labels import (
    CHECKWORTHINESS_RULE,
    CHECKWORTHY_MIN_SCORE,
    checkworthiness_score,
    names,
)
from sourcetrace.schema.layers import ANNOTATION_LAYERS, LAYERS  # LAYERS: read from here too

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

KINDS = ("document", "annotation", "prediction", "links")


def is_plain_json(value: Any) -> bool:
    """`fast.is_plain_json` (fast.py is imported on first use: a file that the columnar checks
    of columns.py find clean never needs jsonschema-rs, whose import is on `validate`'s
    critical path)."""
    from sourcetrace.schema import fast

    return fast.is_plain_json(value)


def compiled_says_valid(kind: str, value: Any) -> bool:
    """`fast.compiled_says_valid`, imported on first use (see `is_plain_json`)."""
    from sourcetrace.schema import fast

    return fast.compiled_says_valid(kind, value)


# a gold record that only brings its text (`bare_gold`): its keys, and the annotation schema's
# doc_id and text_sha256 patterns, matched whole (a `$` of Python's re would let a final "\n" by)
BARE_GOLD_KEYS = frozenset({"doc_id", "text", "text_sha256", "entities", "claims", "attributions"})
_BARE_DOC_ID = re.compile(r"[a-z0-9_-]{1,128}")  # pattern ^[a-z0-9_-]+$, maxLength 128
_BARE_SHA256 = re.compile(r"[0-9a-f]{64}")


def bare_gold(value: Any) -> bool:
    """Whether ``value`` (plain JSON, as the reader makes it) is a gold record that only brings
    a text, which the annotation schema can only take: exactly the keys doc_id, text,
    text_sha256, entities, claims and attributions, every layer an empty list, the doc_id and
    the sha256 of the schema's patterns (the text's own sha256 is checked apart). The gold of a
    `convert --gold` JSONL is such records: they need no compiled validator (nor the import of
    jsonschema-rs, 0.02 s); tests/schema/test_validate.py proves it finds every one valid."""
    if type(value) is not dict or len(value) != 6 or value.keys() != BARE_GOLD_KEYS:
        return False
    doc_id, digest = value["doc_id"], value["text_sha256"]
    return (
        value["entities"] == value["claims"] == value["attributions"] == []
        and type(value["text"]) is str
        and type(doc_id) is str
        and _BARE_DOC_ID.fullmatch(doc_id) is not None
        and type(digest) is str
        and _BARE_SHA256.fullmatch(digest) is not None
    )


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@cache
def load_schema(kind: str) -> dict[str, Any]:
    return json.loads((schema_dir() / f"{kind}.schema.json").read_text(encoding="utf-8"))


@cache
def validator(kind: str) -> Draft202012Validator:
    """The reference validator (imported on first use: a valid input never needs it)."""
    from jsonschema import Draft202012Validator, FormatChecker

    return Draft202012Validator(load_schema(kind), format_checker=FormatChecker())


def pointer(path: Iterable[Any]) -> str:
    """RFC 6901 JSON pointer for a jsonschema error path."""
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in path]
    return "/" + "/".join(parts) if parts else "/"


def _expected(error: Any) -> str:
    validator_name = error.validator
    value = error.validator_value
    if validator_name == "enum":
        return "one of " + ", ".join(json.dumps(v) for v in value)
    if validator_name == "type":
        return f"type {value}"
    if validator_name == "required":
        return "the required properties " + ", ".join(value)
    if validator_name == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        return "only the properties " + ", ".join(allowed)
    if validator_name == "pattern":
        return f"a string matching {value}"
    if validator_name == "anyOf":
        return "offsets (start, end) or a text"
    if validator_name == "oneOf":
        description = error.schema.get("description")
        return description or "one of the allowed shapes of the schema"
    return f"{validator_name} {json.dumps(value, ensure_ascii=False)[:80]}"


def schema_problems(value: Any, kind: str, file: str | Path, line: int | None) -> list[InputError]:
    errors = sorted(validator(kind).iter_errors(value), key=lambda e: list(e.absolute_path))
    problems = []
    for error in errors:
        message = error.message
        if error.validator == "enum":  # the allowed values go in the "expected" part only
            message = f"{json.dumps(error.instance, ensure_ascii=False)} is not a known label"
        if len(message) > 200:
            message = message[:200] + "..."
        problems.append(
            InputError(
                f"schema: {message}",
                file=file,
                line=line,
                pointer=pointer(error.absolute_path),
                expected=_expected(error),
            )
        )
    return problems


def detect_kind(value: Any) -> str:
    """Which kind of record this is, from its keys (see the README's `validate` section). A
    record with a text_sha256 and an id on every entity looks like gold, but predictions may
    carry both: when it is not a valid annotation and is a valid prediction (the compiled
    schemas say, at compiled speed), it is a prediction; read as gold it would be refused item
    by item, and a file of them took minutes to word (issue 24)."""
    if not isinstance(value, Mapping):
        return "prediction"
    if "zones" in value or "seed_file" in value:
        return "document"
    if "relations" in value and "doc_id" not in value:
        return "links"
    entities = value.get("entities")
    if (
        "text_sha256" in value
        and isinstance(entities, list)
        and all(isinstance(item, Mapping) and "id" in item for item in entities)
    ):
        if (
            is_plain_json(value)
            and not compiled_says_valid("annotation", value)
            and compiled_says_valid("prediction", value)
        ):
            return "prediction"
        return "annotation"
    return "prediction"


EXCERPT_CHARACTERS = 60


def excerpt(text: str, limit: int = EXCERPT_CHARACTERS) -> str:
    """A string quoted in a message, cut in the middle when long: an error names the span, it
    does not echo a megabyte of it."""
    if len(text) <= limit:
        return repr(text)
    half = limit // 2
    return f"{text[:half]!r}...({len(text) - 2 * half} characters)...{text[-half:]!r}"


def kind_of_path(path: Path) -> str | None:
    """`annotations/gold/*.json` and `annotations/passes/<name>/*.json` hold gold annotations,
    whatever their keys say: a gold file that lost its `text_sha256` is a broken gold file, not
    a valid prediction."""
    parts = path.resolve().parts
    if len(parts) >= 3 and parts[-3:-1] == ("annotations", "gold"):
        return "annotation"
    if len(parts) >= 4 and parts[-4:-2] == ("annotations", "passes"):
        return "annotation"
    return None


# ---------------------------------------------------------------- semantic checks


class Checker:
    """Collects semantic problems of one record, each with its pointer."""

    def __init__(self, file: str | Path, line: int) -> None:
        self.file = file
        self.line = line
        self.problems: list[InputError] = []

    def add(self, pointer_: str, message: str, expected: str | None = None) -> None:
        self.problems.append(
            InputError(message, file=self.file, line=self.line, pointer=pointer_, expected=expected)
        )

    def unique_id(self, item: Mapping[str, Any], where: str, ids: dict[Any, str]) -> None:
        """The item's id (if it has one) is in no earlier item: ``ids`` maps each id seen to
        the pointer of its first use, and gains this one."""
        if "id" not in item:
            return
        if item["id"] in ids:
            self.add(
                where + "/id",
                f"duplicate id {item['id']!r} (first used at {ids[item['id']]})",
                "ids unique within the document",
            )
        else:
            ids[item["id"]] = where

    def span(
        self, item: Mapping[str, Any], where: str, text: str | None, *, offsets_required: bool
    ) -> None:
        has_offsets = "start" in item and "end" in item
        if ("start" in item) != ("end" in item):
            self.add(
                where,
                "span has only one of start and end",
                "both start and end, or neither (text only)",
            )
            return
        if not has_offsets:
            if offsets_required:
                self.add(where, "span has no offsets", "start and end")
            elif "text" in item and not str(item["text"]).strip():
                self.add(where + "/text", "span text is blank", "non-blank text")
            return
        start, end = item["start"], item["end"]
        if type(start) is not int or type(end) is not int:
            self.add(
                where,
                f"offsets {start!r}, {end!r} are not whole-number literals",
                "integers such as 12, not 12.0",
            )
            return
        if start >= end:
            self.add(where, f"empty or reversed span [{start}, {end})", "start < end")
            return
        if text is None:
            return
        if end > len(text):
            self.add(
                where + "/end",
                f"offset {end} is past the end of the text ({len(text)} code points)",
                f"end <= {len(text)}",
            )
            return
        covered = text[start:end]
        if "text" in item and item["text"] != covered:
            self.add(
                where + "/text",
                f"span text {excerpt(item['text'])} does not match text[{start}:{end}] = "
                f"{excerpt(covered)}",
                "the exact text at the offsets (Python code points, end exclusive)",
            )
        if covered != covered.strip():
            self.add(
                where,
                f"span [{start}, {end}) = {excerpt(covered)} starts or ends in white space",
                "spans trimmed of white space",
            )


_MISSING = object()


def spans_clean(items: Any, text: str | None, offsets_required: bool) -> bool:
    """True when `Checker.span` would find nothing wrong with any of ``items`` (a list of spans
    of ``text``, a str or None), decided in one tight loop without building pointers or slicing
    the text; False means "let span() look at each", which words any problem."""
    if type(items) is not list:
        return False
    length = 0 if text is None else len(text)
    for item in items:
        if type(item) is not dict:
            return False
        start = item.get("start", _MISSING)
        end = item.get("end", _MISSING)
        span_text = item.get("text", _MISSING)
        if start is _MISSING or end is _MISSING:
            if start is not end or offsets_required:
                return False
            if span_text is not _MISSING and (type(span_text) is not str or not span_text.strip()):
                return False
            continue
        if type(start) is not int or type(end) is not int or not 0 <= start < end:
            return False
        if text is None:
            continue
        if end > length:
            return False
        if span_text is not _MISSING and (
            type(span_text) is not str
            or len(span_text) != end - start
            or not text.startswith(span_text, start)
        ):
            return False
        # text[start:end] != text[start:end].strip(), with str.strip's own white space
        if text[start].isspace() or text[end - 1].isspace():
            return False
    return True


def check_annotation_semantics(
    record: Mapping[str, Any],
    file: str | Path,
    line: int,
    text: str | None,
    *,
    gold: bool,
    plain_json: bool = False,
) -> list[InputError]:
    """Offsets, text match, id uniqueness and references of one annotation or prediction.

    When `spans_clean` passes a layer's spans, they cost no pointer and no slice; otherwise each
    goes through `Checker.span`, so the problems and their order are always span()'s. Ids and
    entity types are checked on whole lists first (`_ids_and_types_clean`); only a record where
    that finds something goes item by item (`_item_problems`), which words each problem."""
    entities = record.get("entities") or []
    claims = record.get("claims") or []
    attributions = record.get("attributions") or []
    if not any(map(record.get, LAYERS)):
        return []  # nothing below has an item to look at (a gold record that only brings a text)
    check = Checker(file, line)
    fast = text is None or type(text) is str
    if not gold and not plain_json:  # plain JSON (see fast.is_plain_json) holds no NaN
        _check_scores_are_numbers(record, check)
    entity_spans_clean = fast and spans_clean(entities, text, gold)
    claim_spans_clean = fast and spans_clean(claims, text, gold)
    if (
        entity_spans_clean
        and claim_spans_clean
        and _ids_and_types_clean(entities, claims, attributions)
    ):
        # nothing for the loops below to say: only the id sets are needed
        entity_ids = {entity["id"] for entity in entities if "id" in entity}
        claim_ids = {claim["id"] for claim in claims if "id" in claim}
        attribution_ids = {item["id"] for item in attributions if "id" in item}
    else:
        entity_ids, claim_ids, attribution_ids = _item_problems(
            check, entities, claims, attributions, text, gold, entity_spans_clean, claim_spans_clean
        )
    for index, claim in enumerate(claims):  # the check-worthiness rubric derives its label
        if isinstance(claim, Mapping) and isinstance(claim.get("checkworthiness"), Mapping):
            _check_rubric(claim, f"/claims/{index}", check)
    nesting: dict[str, str | None] = {}
    for index, attribution in enumerate(attributions):
        where = f"/attributions/{index}"
        source = attribution.get("source")
        if isinstance(source, Mapping):
            if "mention" in source:
                if source["mention"] not in entity_ids:
                    check.add(
                        where + "/source/mention",
                        f"source mention {source['mention']!r} is not an entity id of this "
                        "document",
                        "the id of one of the document's entities",
                    )
            elif not (fast and spans_clean([source], text, gold)):
                check.span(source, where + "/source", text, offsets_required=gold)
        if "source_span" in attribution:
            _check_source_span(attribution, where, entities, text, check, gold=gold, fast=fast)
        cue = attribution.get("cue")
        if isinstance(cue, Mapping) and not (fast and spans_clean([cue], text, gold)):
            check.span(cue, where + "/cue", text, offsets_required=gold)
        content = attribution.get("content")
        if isinstance(content, Mapping):
            if not (fast and spans_clean([content], text, gold)):
                check.span(content, where + "/content", text, offsets_required=gold)
            for cindex, claim_id in enumerate(content.get("claims") or []):
                if claim_id not in claim_ids:
                    check.add(
                        f"{where}/content/claims/{cindex}",
                        f"claim {claim_id!r} is not a claim id of this document",
                        "the id of one of the document's claims",
                    )
        outer = attribution.get("nested_in")
        if outer is not None:
            if outer not in attribution_ids:
                check.add(
                    where + "/nested_in",
                    f"nested_in {outer!r} is not an attribution id of this document",
                    "the id of the outer attribution, or null",
                )
            elif outer == attribution.get("id"):
                check.add(
                    where + "/nested_in",
                    "an attribution cannot be nested in itself",
                    "the id of another attribution",
                )
        if "id" in attribution:
            nesting[attribution["id"]] = outer
    for cycle in nesting_cycles(nesting) if nesting else ():
        check.add(
            "/attributions",
            "nested_in forms a cycle: " + " -> ".join(cycle + [cycle[0]]),
            "nesting that ends at an outermost attribution",
        )
    for layer in ANNOTATION_LAYERS:  # what each later layer declares of its own items
        if layer.check is not None and layer.name in record:
            layer.check(record, check, text, gold)
    return check.problems


def _check_source_span(
    attribution: Mapping[str, Any],
    where: str,
    entities: Any,
    text: str | None,
    check: Checker,
    *,
    gold: bool,
    fast: bool,
) -> None:
    """The PARC source phrase: a clean span; in gold annotations also null exactly when the
    source is, and a phrase that holds the source it names (its mention, or its span)."""
    source_span = attribution["source_span"]
    source = attribution.get("source")
    if source_span is None:
        if source is not None and gold:
            check.add(
                where + "/source_span",
                "the source span is null but the attribution has a source",
                "the whole source phrase {start, end, text}, or a null source",
            )
        return
    if not isinstance(source_span, Mapping):
        return  # the schema words it
    if not (fast and spans_clean([source_span], text, gold)):
        check.span(source_span, where + "/source_span", text, offsets_required=gold)
    if source is None and gold:  # a prediction's phrase is scored as it is
        check.add(
            where + "/source_span",
            "a source span is given but the source is null (the article's own voice)",
            "null, as the source",
        )
    if not gold or not isinstance(source, Mapping):
        return
    named = source
    if "mention" in source:
        named = next(
            (e for e in entities if isinstance(e, Mapping) and e.get("id") == source["mention"]),
            None,
        )
    if not isinstance(named, Mapping) or not all(
        type(value) is int
        for value in (named.get("start"), named.get("end"), *map(source_span.get, ("start", "end")))
    ):
        return  # an unknown mention or a bad span is reported where it is
    if not (source_span["start"] <= named["start"] and named["end"] <= source_span["end"]):
        check.add(
            where + "/source_span",
            f"the source span [{source_span['start']}, {source_span['end']}) does not hold the "
            f"source it names [{named['start']}, {named['end']})",
            "a phrase that contains the source mention or source span",
        )


def _ids_and_types_clean(entities: Any, claims: Any, attributions: Any) -> bool:
    """True when the item loops of `check_annotation_semantics` would find nothing: ids unique
    across the layers, one type per entity id (``entities`` and ``claims`` are lists of dicts,
    as `spans_clean` made sure); False means "let the loops look", which words any problem."""
    if type(attributions) is not list or any(type(item) is not dict for item in attributions):
        return False
    try:
        ids = [
            item["id"]
            for layer in (entities, claims, attributions)
            for item in layer
            if "id" in item
        ]
        if len(set(ids)) != len(ids):
            return False
        typed = {
            (entity["entity"], entity["type"])
            for entity in entities
            if "entity" in entity and "type" in entity
        }
    except TypeError:  # an unhashable id or type: the loops say what they say of it
        return False
    return len(typed) == len({entity for entity, _ in typed})


def _item_problems(
    check: Checker,
    entities: Any,
    claims: Any,
    attributions: Any,
    text: str | None,
    gold: bool,
    entity_spans_clean: bool,
    claim_spans_clean: bool,
) -> tuple[set[str], set[str], set[str]]:
    """The spans, ids and entity types of every item, each problem added to ``check``; the ids
    of the entities, claims and attributions."""
    ids: dict[Any, str] = {}  # id -> the pointer of its first use

    def note_id(item: Mapping[str, Any], where: str) -> None:
        check.unique_id(item, where, ids)

    entity_ids: set[str] = set()
    claim_ids: set[str] = set()
    attribution_ids: set[str] = set()
    entity_types: dict[str, tuple[str, int]] = {}  # corpus-wide entity id -> (type, index)
    for index, entity in enumerate(entities):
        if not entity_spans_clean:
            check.span(entity, f"/entities/{index}", text, offsets_required=gold)
        if "id" in entity:
            note_id(entity, f"/entities/{index}")
            entity_ids.add(entity["id"])
        if "entity" in entity and "type" in entity:
            first_type, first_index = entity_types.setdefault(
                entity["entity"], (entity["type"], index)
            )
            if first_type != entity["type"]:
                check.add(
                    f"/entities/{index}/type",
                    f"entity {entity['entity']!r} is {entity['type']} here but {first_type} at "
                    f"/entities/{first_index}",
                    "one type per entity id",
                )
    for index, claim in enumerate(claims):
        if not claim_spans_clean:
            check.span(claim, f"/claims/{index}", text, offsets_required=gold)
        if "id" in claim:
            note_id(claim, f"/claims/{index}")
            claim_ids.add(claim["id"])
    for index, attribution in enumerate(attributions):
        if "id" in attribution:
            note_id(attribution, f"/attributions/{index}")
            attribution_ids.add(attribution["id"])
    return entity_ids, claim_ids, attribution_ids


def _check_rubric(claim: Mapping[str, Any], where: str, check: Checker) -> None:
    """The rubric's score follows from its answers, and `checkworthy` from the score, so the
    binary label can never silently disagree with the rubric that justifies it."""
    rubric = claim["checkworthiness"]
    answers, score = rubric.get("answers"), rubric.get("score")
    questions = names("checkworthiness_questions")
    if not isinstance(answers, Mapping) or type(score) is not int:
        return  # the schema names what is missing
    if not all(isinstance(answers.get(q), bool) for q in questions):
        return
    derived = checkworthiness_score(answers)
    if score != derived:
        check.add(
            where + "/checkworthiness/score",
            f"score {score} does not follow from the answers, which give {derived}",
            CHECKWORTHINESS_RULE,
        )
    elif isinstance(claim.get("checkworthy"), bool) and claim["checkworthy"] != (
        score >= CHECKWORTHY_MIN_SCORE
    ):
        check.add(
            where + "/checkworthy",
            f"checkworthy is {str(claim['checkworthy']).lower()} but the rubric score is {score}",
            f"checkworthy true exactly when the score is at least {CHECKWORTHY_MIN_SCORE}",
        )


def _check_scores_are_numbers(record: Mapping[str, Any], check: Checker) -> None:
    """NaN passes the schema's bounds (every comparison with it is false); the file reader
    refuses it, but records from Python never met the reader."""
    for layer in LAYERS:
        for index, item in enumerate(record.get(layer) or []):
            score = item.get("score")
            if isinstance(score, float) and score != score:
                check.add(
                    f"/{layer}/{index}/score", "score is NaN", "a number in [0, 1] (confidence)"
                )


def nesting_cycles(nesting: Mapping[str, str | None]) -> list[list[str]]:
    """Every cycle of nested_in links, once, in linear time (each id has one outer link).

    A cycle is listed from its member that comes first in ``nesting``, following the links; an
    attribution that merely leads into a cycle is not on it and is not blamed."""
    order = {attribution_id: index for index, attribution_id in enumerate(nesting)}
    state: dict[str, int] = {}  # 1: on the path being walked, 2: done
    cycles = []
    for start_id in nesting:
        path: list[str] = []
        current: str | None = start_id
        while current is not None and current in nesting and current not in state:
            state[current] = 1
            path.append(current)
            current = nesting[current]
        if current is not None and state.get(current) == 1:
            members = path[path.index(current) :]
            first = min(range(len(members)), key=lambda i: order[members[i]])
            cycles.append(members[first:] + members[:first])
        for member in path:
            state[member] = 2
    return cycles


def check_document_semantics(
    record: Mapping[str, Any], file: str | Path, line: int
) -> list[InputError]:
    check = Checker(file, line)
    text = record["text"]
    if sha256_text(text) != record["text_sha256"]:
        check.add(
            "/text_sha256", "text_sha256 does not match the sha256 of the text", sha256_text(text)
        )
    previous_end = 0
    for index, zone in enumerate(record.get("zones") or []):
        where = f"/zones/{index}"
        check.span(zone, where, text, offsets_required=True)
        start, end = zone["start"], zone["end"]
        if start < previous_end:
            check.add(
                where,
                f"zone [{start}, {end}) overlaps or precedes the previous zone",
                "zones sorted and not overlapping",
            )
        elif text[previous_end:start].strip():
            check.add(
                where,
                f"text[{previous_end}:{start}] lies in no zone",
                "every non-white-space character inside a zone",
            )
        previous_end = max(previous_end, end)
    if record.get("zones") and text[previous_end:].strip():
        check.add(
            "/zones",
            f"text[{previous_end}:] lies in no zone",
            "every non-white-space character inside a zone",
        )
    if record.get("date_source") == "unknown" and record.get("published") is not None:
        check.add(
            "/published",
            "a date is given but date_source is 'unknown'",
            "null, or date_source stated/inferred",
        )
    if record.get("date_source") in ("stated", "inferred") and record.get("published") is None:
        check.add(
            "/published",
            f"date_source is {record['date_source']!r} but no date is given",
            "an ISO date",
        )
    if any(layer in record for layer in LAYERS):
        check.problems += check_annotation_semantics(record, file, line, text, gold=True)
    return check.problems


def check_links_semantics(
    record: Mapping[str, Any],
    file: str | Path,
    line: int,
    known_clusters: set[str] | None,
    known_entities: set[str] | None = None,
) -> list[InputError]:
    check = Checker(file, line)
    for key, known, what in (
        ("clusters", known_clusters, "claim cluster"),
        ("entities", known_entities, "entity id"),
    ):
        for name in record.get(key) or {}:
            if known is not None and name not in known:
                check.add(
                    f"/{key}/{name}",
                    f"{what} {name!r} is used by no gold annotation",
                    f"{'an' if what[0] in 'aeiou' else 'a'} {what} of the gold",
                )
    for index, relation in enumerate(record.get("relations") or []):
        for end in ("from", "to"):
            cluster = relation[end]
            if known_clusters is not None and cluster not in known_clusters:
                check.add(
                    f"/relations/{index}/{end}",
                    f"claim cluster {cluster!r} is used by no gold claim",
                    "a cluster id of a gold claim",
                )
        if relation["from"] == relation["to"]:
            check.add(
                f"/relations/{index}",
                "a relation links a cluster to itself",
                "two different clusters",
            )
    return check.problems


TextLookup = Callable[[str], str | None]


class DocIdRegister:
    """Where each doc_id was first seen; seeing it again is a problem (one record per document)."""

    def __init__(self, expected: str = "one record per document") -> None:
        self.expected = expected
        self._first_at: dict[str, tuple[str | Path, int]] = {}  # doc_id -> (file, line)

    @property
    def first(self) -> dict[str, str]:
        """doc_id -> "file, line N" of its first record (written out only when asked for)."""
        return {doc_id: f"{file}, line {line}" for doc_id, (file, line) in self._first_at.items()}

    def check(self, value: Any, file: str | Path, line: int) -> list[InputError]:
        doc_id = value.get("doc_id") if type(value) is dict or isinstance(value, Mapping) else None
        if not isinstance(doc_id, str):
            return []
        first = self._first_at.get(doc_id)
        if first is None:
            self._first_at[doc_id] = (file, line)
            return []
        first_file, first_line = first
        same_file = str(first_file) == str(file)
        where = f"line {first_line}" if same_file else f"{first_file}, line {first_line}"
        return [
            InputError(
                f"duplicate doc_id {doc_id!r} (first on {where})",
                file=file,
                line=line,
                pointer="/doc_id",
                expected=self.expected,
            )
        ]


def validate_record(
    value: Any,
    kind: str,
    file: str | Path,
    line: int,
    *,
    text_for: TextLookup | None = None,
    known_clusters: set[str] | None = None,
    known_entities: set[str] | None = None,
) -> list[InputError]:
    """All problems of one record of the given kind; [] when it is valid."""
    return _record_problems(
        value,
        False,
        kind,
        file,
        line,
        text_for=text_for,
        known_clusters=known_clusters,
        known_entities=known_entities,
    )


def validate_records(
    records: Iterable[Record],
    kind: str,
    file: str | Path,
    *,
    text_for: TextLookup | None = None,
    known_clusters: set[str] | None = None,
    known_entities: set[str] | None = None,
) -> list[InputError]:
    """The problems of many records of one file, in order: exactly what `validate_record` says
    of each, one after the other, at compiled speed for the records the reader made."""
    problems: list[InputError] = []
    for found in iter_record_problems(
        records,
        kind,
        file,
        text_for=text_for,
        known_clusters=known_clusters,
        known_entities=known_entities,
    ):
        problems += found
    return problems


def iter_record_problems(
    records: Iterable[Record],
    kind: str,
    file: str | Path,
    *,
    text_for: TextLookup | None = None,
    known_clusters: set[str] | None = None,
    known_entities: set[str] | None = None,
) -> Iterator[list[InputError]]:
    """`validate_records` one record at a time: a list per record, in order, for callers that
    add checks of their own between records (duplicate doc_ids)."""
    for record in records:
        yield record_problems(
            record,
            kind,
            file,
            text_for=text_for,
            known_clusters=known_clusters,
            known_entities=known_entities,
        )


def record_problems(
    record: Record,
    kind: str,
    file: str | Path,
    *,
    text_for: TextLookup | None = None,
    known_clusters: set[str] | None = None,
    known_entities: set[str] | None = None,
) -> list[InputError]:
    """`validate_record` of a Record: the same problems, and the reader's word that the value
    is plain JSON (``Record.plain_json``) spares it a round trip through orjson."""
    return _record_problems(
        record.value,
        record.plain_json,
        kind,
        file,
        record.line,
        text_for=text_for,
        known_clusters=known_clusters,
        known_entities=known_entities,
    )


def _record_problems(
    value: Any,
    plain_json: bool,
    kind: str,
    file: str | Path,
    line: int,
    *,
    text_for: TextLookup | None,
    known_clusters: set[str] | None,
    known_entities: set[str] | None,
) -> list[InputError]:
    if plain_json or is_plain_json(value):
        # no lone surrogate (orjson refuses them) and no type jsonschema-rs reads otherwise
        plain_json = True
        schema_valid = (kind == "annotation" and bare_gold(value)) or compiled_says_valid(
            kind, value
        )
    else:
        surrogate = surrogate_error(value, file, line)  # records from Python never met the reader
        if surrogate is not None:
            return [surrogate]
        schema_valid = False
    if not schema_valid:
        problems = schema_problems(value, kind, file, line)
        if problems:
            return problems
    if kind == "document":
        return check_document_semantics(value, file, line)
    if kind == "links":
        return check_links_semantics(value, file, line, known_clusters, known_entities)
    text = value.get("text")
    doc_id = value["doc_id"]
    if text is None and text_for is not None:
        text = text_for(doc_id)
        if text is None:
            return [unknown_doc_id(doc_id, file, line)]
    problems = []
    if text is not None and "text_sha256" in value and sha256_text(text) != value["text_sha256"]:
        problems.append(
            InputError(
                f"text_sha256 {value['text_sha256'][:12]}... does not match the text of {doc_id!r} "
                f"({sha256_text(text)[:12]}...): the annotation was made on another text",
                file=file,
                line=line,
                pointer="/text_sha256",
                expected=sha256_text(text),
            )
        )
        return problems
    return check_annotation_semantics(
        value, file, line, text, gold=(kind == "annotation"), plain_json=plain_json
    )


def gold_record_problems(
    record: Record, file: str | Path, register: DocIdRegister
) -> list[InputError]:
    """The problems of one record of a gold that brings its texts (`evaluate --gold`, `convert
    --gold`): a record without its text, or an annotation's problems and a doc_id seen before
    (``register``: the doc_ids of the records before it); [] when it is valid."""
    value = record.value
    if (
        record.plain_json
        and bare_gold(value)
        and sha256_text(value["text"]) == value["text_sha256"]
    ):  # what `record_problems` finds in it: nothing (no item in any layer to look at)
        return register.check(value, file, record.line)
    if not isinstance(value, Mapping) or not isinstance(value.get("text"), str):
        return [
            InputError(
                "gold record without its document text",
                file=file,
                line=record.line,
                pointer="/text",
                expected="each gold record to carry `text`",
            )
        ]
    return record_problems(record, "annotation", file) + register.check(value, file, record.line)


def unknown_doc_id(doc_id: str, file: str | Path, line: int) -> InputError:
    """The problem of a record without a text whose doc_id the text lookup does not know."""
    return InputError(
        f"unknown doc_id {doc_id!r}",
        file=file,
        line=line,
        pointer="/doc_id",
        expected="the id of a corpus document",
    )


def validate_file(
    path: str | Path,
    *,
    kind: str | None = None,
    text_for: TextLookup | None = None,
    known_clusters: set[str] | None = None,
    known_entities: set[str] | None = None,
    seed_text: Callable[[Any], Any] | None = None,
    offsets: str = DEFAULT_OFFSETS,
    end: str = DEFAULT_END,
) -> tuple[str, str, list[Record], list[InputError]]:
    """Validate a .json or .jsonl file; returns (format, kind, records, problems).

    Records of one file must all be of one kind; the kind is detected from the first record unless
    given. Duplicate doc_ids within one file are a problem. ``seed_text`` completes a document
    metadata record that has no text (annotations/documents.json) with its seed's text.
    ``offsets``/``end``: how the spans of annotations and predictions count (conventions.py);
    they are read into code points first, and a file that seems to count otherwise is said
    (first among the problems, or as an OffsetConventionWarning).
    """
    convention = Convention(offsets, end)
    fmt, records = read_records(path)
    if not records:
        raise InputError(
            "file holds an empty list", file=path, line=1, expected="at least one record"
        )
    if kind is None:
        kind = kind_of_path(Path(path)) or detect_kind(records[0].value)
    problems: list[InputError] = []
    diagnosis = None
    if kind == "document" and seed_text:
        completed = [_with_seed_text(record, seed_text) for record in records]
    elif kind in ("prediction", "annotation"):
        completed, problems, diagnosis = _read_spans(records, path, convention, text_for)
    else:
        completed = records
    unplaced = {problem.line for problem in problems}
    register = DocIdRegister()
    for record, found in zip(
        completed,
        iter_record_problems(
            completed,
            kind,
            path,
            text_for=text_for,
            known_clusters=known_clusters,
            known_entities=known_entities,
        ),
        strict=True,
    ):
        if record.line not in unplaced:  # a record whose spans were not read: said above
            problems += found
        problems += register.check(record.value, path, record.line)
    if diagnosis is not None and problems:
        problems.insert(0, InputError(diagnosis.message(path_text(path))))
    elif diagnosis is not None:
        warnings.warn(diagnosis.message(path_text(path)), OffsetConventionWarning, stacklevel=2)
    return fmt, kind, records, placed(problems) if fmt == "json" else problems


@dataclass(frozen=True)
class FileCheck:
    """What `validate` says of a file: its format, the kind of its records, how many, and their
    problems (none when valid)."""

    format: str
    kind: str
    records: int
    problems: list[InputError]


def check_file(
    path: str | Path,
    *,
    kind: str | None = None,
    text_for: TextLookup | None = None,
    known_clusters: set[str] | None = None,
    known_entities: set[str] | None = None,
    seed_text: Callable[[Any], Any] | None = None,
    offsets: str = DEFAULT_OFFSETS,
    end: str = DEFAULT_END,
) -> FileCheck:
    """`validate_file`'s verdict on a file, without its records: a JSON Lines file of
    predictions or annotations that the columnar checks (columns.py) find certainly clean, or
    whose only problems are doc_ids that ``text_for`` does not know, is never turned into Python
    objects; any other file goes through `validate_file`, which words every problem (and warns
    of an offset convention) as it always has."""
    if Path(path).suffix.lower() == ".jsonl" and Convention(offsets, end).is_ours:
        detected = kind or kind_of_path(Path(path)) or _first_record_kind(path)
        if detected in KINDS_COVERED:
            verdict = file_verdict(path, detected, text_for)
            if verdict is not None:
                problems = [
                    unknown_doc_id(doc_id, path, line) for line, doc_id in verdict.unknown_doc_ids
                ]
                return FileCheck("jsonl", detected, verdict.records, problems)
    fmt, kind, records, problems = validate_file(
        path,
        kind=kind,
        text_for=text_for,
        known_clusters=known_clusters,
        known_entities=known_entities,
        seed_text=seed_text,
        offsets=offsets,
        end=end,
    )
    return FileCheck(fmt, kind, len(records), problems)


def _first_record_kind(path: str | Path) -> str | None:
    """`detect_kind` of the first record of a JSON Lines file (None when it cannot be read:
    `validate_file` then words why)."""
    try:
        first = next(iter_jsonl_records(path), None)
    except InputError:
        return None
    return None if first is None else detect_kind(first.value)


def _read_spans(
    records: list[Record], path: str | Path, convention: Convention, text_for: TextLookup | None
) -> tuple[list[Record], list[InputError], Diagnosis | None]:
    """The records with their spans read into code points, the problems of the spans that
    cannot be placed, and the convention the file seems to use if it is not the one asked."""
    text_of = text_lookup(text_for)
    completed, problems = [], []
    for record in records:
        value, found = record_to_codepoints(
            record.value, text_of(record.value), convention, path, record.line
        )
        completed.append(record if value is record.value else Record(value, record.line))
        problems += found
    diagnosis = diagnose(
        [r.value for r in records], text_for, offsets=convention.offsets, end=convention.end
    )
    return completed, problems, diagnosis


def _with_seed_text(record: Record, seed_text: Callable[[Any], Any]) -> Record:
    """A document metadata record without text, completed with its seed's text (a new value:
    not the reader's, so not marked plain JSON)."""
    value = record.value
    if not isinstance(value, Mapping) or "text" in value:
        return record
    return Record(seed_text(value) or value, record.line)
