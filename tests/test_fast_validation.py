"""The fast input path (orjson, streaming, jsonschema-rs, span checks in one loop) decides and
words everything exactly as the reference path: the standard library's decoder over the whole
decoded file, jsonschema, and `_Checker.span` for every span.

The property tests write mutated annotation, prediction, document and links records as JSON
Lines in many styles (separators, ASCII escapes, `\\u003a` for colons, escaped keys, duplicate
keys, NaN, 1e400, integers beyond 64 bits, lone surrogates, BOMs, CRLF, blank lines) and compare
what the two paths make of each file: the records (types included), their lines, the problems and
their order, the sha256, or the refusal.
"""

from __future__ import annotations

import copy
import enum
import hashlib
import json
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzz_profiles import EXACTNESS_EXAMPLES, profile_name
from sourcetrace import jsonio
from sourcetrace.errors import InputError
from sourcetrace.jsonio import (
    Record,
    decode_utf8,
    parse_jsonl,
    read_records_with_sha256,
)
from sourcetrace.schema import validation as schema_module
from sourcetrace.schema.fast import compiled_says_valid, is_plain_json
from sourcetrace.schema.validation import (
    _Checker,
    _spans_clean,
    check_annotation_semantics,
    schema_problems,
    validate_record,
    validate_records,
)

from gold_factory import ROOT, story_gold

GOLD = story_gold()
TEXTS = {record["doc_id"]: record["text"] for record in GOLD}
DOCUMENTS = [
    json.loads(line)
    for line in (ROOT / "corpus" / "data" / "documents.jsonl").read_text("utf-8").splitlines()
][:2]
LINKS = json.loads((ROOT / "annotations" / "links.json").read_text("utf-8"))
CLUSTERS = {claim["cluster"] for record in GOLD for claim in record["claims"]}
ENTITY_IDS = {entity["entity"] for record in GOLD for entity in record["entities"]}
EXAMPLES = EXACTNESS_EXAMPLES[profile_name()]


def text_only(record: dict[str, Any]) -> dict[str, Any]:
    """A prediction without offsets: entities and claims by their text alone."""
    return {
        "doc_id": record["doc_id"],
        "entities": [{"text": e["text"], "type": e["type"]} for e in record["entities"]],
        "claims": [{"text": c["text"]} for c in record["claims"]],
    }


BASES: list[tuple[str, dict[str, Any]]] = [
    *(("annotation", record) for record in GOLD),
    *(("prediction", record) for record in GOLD),
    ("prediction", text_only(GOLD[0])),
    *(("document", record) for record in DOCUMENTS),
    ("links", LINKS),
]


# ---------------------------------------------------------------- writing JSON as others do


class Raw(str):
    """A token written as it is: NaN, -Infinity, 1e400 (no JSON writer makes them)."""


class Pairs(list):
    """An object as (key, value) pairs, so that one key can be written twice."""


REPLACEMENTS: list[Any] = [
    None,
    True,
    0,
    -1,
    3.0,
    2.5,
    2**64,
    -(2**63) - 1,
    10**30,
    "",
    " ",
    "PERSN",
    "st-000\n",
    "e1 ",
    "2023-02-30",
    "0000-01-01",
    "2024-02-29",
    "\u0662\u0660\u0662\u0663-01-01",
    "\U0001f600",
    "a:b",
    [],
    {},
    [1],
    {"x": 1},
]
# what no JSON writer makes, or what readers disagree on
HAZARDS: list[Any] = [
    Raw("NaN"),
    Raw("-Infinity"),
    Raw("1e400"),
    Raw("18446744073709551616"),
    Raw("-9999999999999999999"),
    Raw("1.5e+300"),
    Raw("[" * 300 + "]" * 300),
    "\ud800",
    "x\udfff",
]
OPERATIONS = ["replace", "hazard", "nudge", "delete", "add", "duplicate"]


def node_paths(node: Any, path: tuple = ()) -> Iterator[tuple]:
    """Every path to a value in a JSON tree (the root excluded)."""
    if isinstance(node, Pairs):  # written as it is: its keys are not addressed
        return
    children: Any = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, child in children:
        yield (*path, key)
        yield from node_paths(child, (*path, key))


def node_at(tree: Any, path: tuple) -> Any:
    for key in path:
        tree = tree[key]
    return tree


def suits(operation: str, node: Any) -> bool:
    if operation in ("add", "duplicate"):
        return isinstance(node, dict) and bool(node)
    if operation == "nudge":
        return type(node) is int or isinstance(node, str)
    return True


@st.composite
def mutated(draw: Any, tree: Any) -> Any:
    """``tree`` after 0-3 mutations: a value replaced, made hostile, nudged or deleted, a key
    added, or a key of some object written twice."""
    tree = copy.deepcopy(tree)
    for operation in draw(st.lists(st.sampled_from(OPERATIONS), max_size=3)):
        paths = [(), *node_paths(tree)]
        paths = [
            p
            for p in paths
            if suits(operation, node_at(tree, p)) and (p or operation in ("add", "duplicate"))
        ]
        if not paths:
            continue
        path = draw(st.sampled_from(paths))
        current = node_at(tree, path)
        if operation == "replace":
            new = draw(st.sampled_from(REPLACEMENTS))
        elif operation == "hazard":
            new = draw(st.sampled_from(HAZARDS))
        elif operation == "nudge" and type(current) is int:
            new = current + draw(st.sampled_from([-1, 1, -(10**6), 10**6]))
        elif operation == "nudge":
            new = draw(st.sampled_from([current + " ", " " + current, current[1:]]))
        elif operation == "delete":
            del node_at(tree, path[:-1])[path[-1]]
            continue
        elif operation == "add":
            key = draw(st.sampled_from(["x", "id", "text", "start", "claims", "\ud800"]))
            current[key] = draw(st.sampled_from(REPLACEMENTS + HAZARDS))
            continue
        else:  # duplicate: one key written twice, the copy anywhere among the others
            new = Pairs(current.items())
            again = draw(st.sampled_from(list(current)))
            value = draw(st.sampled_from([current[again], *REPLACEMENTS[:6]]))
            new.insert(draw(st.integers(0, len(new))), (again, value))
        if path:
            node_at(tree, path[:-1])[path[-1]] = new
        else:
            tree = new
    return tree


@st.composite
def styles(draw: Any) -> dict[str, Any]:
    return {
        "separators": draw(st.sampled_from([(", ", ": "), (",", ":"), (" , ", " : ")])),
        "ascii": draw(st.booleans()),
        "escape_colons": draw(st.booleans()),
        "escape_keys": draw(st.booleans()),
    }


def render(node: Any, style: dict[str, Any], key: bool = False) -> str:
    item_sep, key_sep = style["separators"]
    if style.get("pretty"):  # over many lines, as a gold file is
        item_sep = item_sep.rstrip() + "\n  "
    if isinstance(node, Raw):
        return str(node)
    if isinstance(node, dict):
        node = Pairs(node.items())
    if isinstance(node, Pairs):
        return (
            "{"
            + item_sep.join(
                render(k, style, key=True) + key_sep + render(v, style) for k, v in node
            )
            + "}"
        )
    if isinstance(node, list):
        return "[" + item_sep.join(render(item, style) for item in node) + "]"
    if isinstance(node, str):
        written = json.dumps(node, ensure_ascii=style["ascii"])
        if style["escape_colons"]:
            written = written.replace(":", "\\u003a")  # ':' is never part of an escape
        if key and style["escape_keys"] and node and written[1] == node[0]:
            written = f'"\\u{ord(node[0]):04x}' + written[2:]
        return written
    return json.dumps(node)


@st.composite
def jsonl_files(draw: Any) -> tuple[str, bytes]:
    """(kind, file content): one or two records of one kind, one of them mutated."""
    kind, base = draw(st.sampled_from(BASES))
    records = [draw(mutated(base))]
    if draw(st.booleans()):
        other = [b for k, b in BASES if k == kind]
        records.insert(draw(st.integers(0, 1)), draw(st.sampled_from(other)))
    lines = [render(record, draw(styles())) for record in records]
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(["", "  ", "\t"])))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    content = newline.join(lines) + draw(st.sampled_from(["", newline]))
    data = content.encode("utf-8", "surrogatepass")  # a lone surrogate is written escaped
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    return kind, data


# ---------------------------------------------------------------- the two paths


@contextmanager
def reference_validation() -> Iterator[None]:
    """Validation as it was before the fast path: every record walked for lone surrogates,
    every record through jsonschema, every span through `_Checker.span`."""
    never = mock.Mock(return_value=False)
    with (
        mock.patch.object(schema_module, "compiled_says_valid", never),
        mock.patch.object(schema_module, "is_plain_json", never),
        mock.patch.object(schema_module, "_spans_clean", never),
    ):
        yield


def read_reference(path: Path) -> tuple[list[Record], str]:
    """The whole-file reader: decode every byte, then the standard library on each line."""
    data = path.read_bytes()
    return parse_jsonl(decode_utf8(data, path), path), hashlib.sha256(data).hexdigest()


def outcome(read: Callable[[], tuple[list[Record], str]], validate: Callable) -> tuple:
    """What a reader and a validator make of a file, as comparable values."""
    try:
        records, digest = read()
    except InputError as refusal:
        return ("refused", str(refusal))
    problems = validate(records)
    return (
        "read",
        [(repr(r.value), r.line) for r in records],
        [str(p) for p in problems],
        digest,
    )


def validate_as(kind: str, path: Path) -> Callable[[list[Record]], list[InputError]]:
    return lambda records: validate_records(
        records,
        kind,
        path,
        text_for=TEXTS.get,
        known_clusters=CLUSTERS,
        known_entities=ENTITY_IDS,
    )


def fast_read(path: Path) -> Callable[[], tuple[list[Record], str]]:
    def read() -> tuple[list[Record], str]:
        _, records, digest = read_records_with_sha256(path)
        return records, digest

    return read


# ---------------------------------------------------------------- properties


@settings(max_examples=EXAMPLES)
@given(file=jsonl_files())
def test_fast_and_reference_paths_agree_on_mutated_jsonl(file: tuple[str, bytes]) -> None:
    kind, data = file
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "records.jsonl"
        path.write_bytes(data)
        fast = outcome(fast_read(path), validate_as(kind, path))
        with reference_validation():
            reference = outcome(lambda: read_reference(path), validate_as(kind, path))
    assert fast == reference


@settings(max_examples=EXAMPLES)
@given(
    kind_and_tree=st.sampled_from(BASES).flatmap(
        lambda base: st.tuples(st.just(base[0]), mutated(base[1]))
    ),
    style=styles(),
    pretty=st.booleans(),
)
def test_fast_and_reference_paths_agree_on_a_mutated_json_file(kind_and_tree, style, pretty):
    # a .json file is read whole; one value is parsed by orjson when it may be
    kind, tree = kind_and_tree
    text = render(tree, {**style, "pretty": pretty})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "record.json"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        fast = outcome(fast_read(path), validate_as(kind, path))
        with reference_validation(), mock.patch.object(jsonio, "_orjson_value", ask_stdlib):
            reference = outcome(fast_read(path), validate_as(kind, path))
    assert fast == reference


def ask_stdlib(raw: bytes) -> Any:
    return jsonio._ASK_STDLIB


class Label(str):
    """A str subclass: jsonschema takes it as a string, jsonschema-rs cannot take it."""


class Offset(enum.IntEnum):
    SEVEN = 7


PYTHON_ONLY: list[Any] = [
    ("tuple",),
    (),
    Label("GPE"),
    Offset.SEVEN,
    float("nan"),
    float("inf"),
    float("-inf"),
    2**70,
    b"bytes",
    {1: "non-str key"},
    "\udc00",
    frozenset(),
]


@settings(max_examples=EXAMPLES)
@given(
    base=st.sampled_from(BASES),
    data=st.data(),
    replacement=st.sampled_from(PYTHON_ONLY + REPLACEMENTS),
)
def test_python_values_are_validated_as_the_reference_does(base, data, replacement) -> None:
    # records handed over from Python (evaluate(list)): no reader vouched for their types
    kind, tree = base
    tree = copy.deepcopy(tree)
    path = data.draw(st.sampled_from(list(node_paths(tree))))
    node_at(tree, path[:-1])[path[-1]] = replacement
    records = [Record(tree, 1), Record(copy.deepcopy(base[1]), 2)]
    validate = validate_as(kind, Path("<python>"))
    fast = problems_or_crash(lambda: validate(records))
    one_by_one = problems_or_crash(
        lambda: [
            problem
            for r in records
            for problem in validate_record(
                r.value,
                kind,
                Path("<python>"),
                r.line,
                text_for=TEXTS.get,
                known_clusters=CLUSTERS,
                known_entities=ENTITY_IDS,
            )
        ]
    )
    with reference_validation():
        reference = problems_or_crash(lambda: validate(records))
    assert fast == reference == one_by_one


def problems_or_crash(validate: Callable[[], list[InputError]]) -> Any:
    """The problems' texts, or the exception (a frozenset in a record crashes the reference's
    own messages: the fast path must crash alike, not differ)."""
    try:
        return [str(p) for p in validate()]
    except Exception as crash:
        return (type(crash).__name__, str(crash))


SPAN_TEXT = st.text(alphabet=st.sampled_from("ab \u00a0\u2028\n\U0001f600\u0301"), max_size=12)
SPAN_OFFSET = st.one_of(st.integers(-3, 15), st.sampled_from([3.0, True, None, "2", 2**64]))


@settings(max_examples=EXAMPLES)
@given(
    item=st.one_of(
        st.fixed_dictionaries(
            {},
            optional={
                "start": SPAN_OFFSET,
                "end": SPAN_OFFSET,
                "text": st.one_of(SPAN_TEXT, st.integers()),
            },
        ),
        st.sampled_from([[], "start", 5]),
    ),
    text=st.one_of(st.none(), SPAN_TEXT),
    offsets_required=st.booleans(),
)
def test_a_span_passed_clean_is_one_that_span_finds_nothing_wrong_with(
    item: Any, text: str | None, offsets_required: bool
) -> None:
    check = _Checker("<f>", 1)
    try:
        check.span(item, "/x", text, offsets_required=offsets_required)
    except TypeError:  # span() cannot take it either: never passed clean
        assert not _spans_clean([item], text, offsets_required)
        return
    if _spans_clean([item], text, offsets_required):
        assert check.problems == []


@settings(max_examples=EXAMPLES)
@given(record=st.sampled_from(GOLD).flatmap(mutated), gold=st.booleans())
def test_annotation_semantics_are_the_same_with_and_without_the_span_loop(record, gold) -> None:
    if schema_problems(record, "prediction", "<f>", 1):
        return  # the semantic checks run only on what the schema let through
    text = record.get("text")
    fast = check_annotation_semantics(record, "<f>", 1, text, gold=gold)
    with reference_validation():
        reference = check_annotation_semantics(record, "<f>", 1, text, gold=gold)
    assert [str(p) for p in fast] == [str(p) for p in reference]


# ---------------------------------------------------------------- the compiled validator


@pytest.mark.parametrize(
    ("kind", "record"), BASES, ids=[f"{k}-{i}" for i, (k, _) in enumerate(BASES)]
)
def test_the_compiled_validator_takes_every_valid_base_record(kind: str, record: dict) -> None:
    # the property tests above would pass vacuously if the fast path always fell back
    assert schema_problems(record, kind, "<f>", 1) == []
    assert is_plain_json(record) and compiled_says_valid(kind, record)


@pytest.mark.parametrize(
    ("published", "valid"),
    [
        ("2023-07-30", True),
        ("2024-02-29", True),
        ("2023-02-29", False),
        ("0000-01-01", False),  # jsonschema-rs's own "date" takes year 0000
        ("2023-7-30", False),
        ("\u0662\u0660\u0662\u0663-07-30", False),
        ("2023-07-30\n", False),
    ],
)
def test_dates_are_checked_by_jsonschemas_own_format_checker(published: str, valid: bool):
    record = {**DOCUMENTS[0], "published": published}
    assert (schema_problems(record, "document", "<f>", 1) == []) is valid
    assert compiled_says_valid("document", record) is valid


@pytest.mark.parametrize(
    "value",
    [("a", "b"), Label("st-000"), float("nan"), float("inf"), 2**64, {1: 2}, "\ud800", b"x"],
    ids=repr,
)
def test_the_fast_path_says_valid_only_where_the_reference_does(value: Any) -> None:
    for record in ({"doc_id": "st-000", "entities": value}, {"doc_id": value}):
        if is_plain_json(record) and compiled_says_valid("prediction", record):
            assert schema_problems(record, "prediction", "<f>", 1) == []


def test_a_tuple_is_an_array_to_jsonschema_rs_only_so_it_is_not_plain_json() -> None:
    record = {"doc_id": "st-000", "entities": ()}
    assert compiled_says_valid("prediction", record)  # why the fast path needs plain JSON
    assert schema_problems(record, "prediction", "<f>", 1)
    assert not is_plain_json(record)
    assert validate_record(record, "prediction", "<f>", 1) == schema_problems(
        record, "prediction", "<f>", 1
    )
