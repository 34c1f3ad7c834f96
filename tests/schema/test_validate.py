"""`sourcetrace validate FILE...`: every kind of broken input is refused with exit 2 and one clear
problem line naming the file, the line, the JSON pointer and what was expected; valid files of
every kind are accepted and named by kind; input files are never changed.

Most runs are in-process (sourcetrace.cli.main); a subprocess is used only where a real exit code
and a real stderr matter (an uncaught exception prints its traceback only there).
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from sourcetrace import jsonio
from sourcetrace.cli import main as cli
from sourcetrace.schema.validation import KINDS as VALIDATE_KINDS

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = REPO_ROOT / "schema"
DOC_ID_PATTERN = "^[a-z0-9_-]+$"
RUBRIC_QUESTIONS = ("verifiable", "public_interest", "harmful_if_false", "worth_checking")
RUBRIC_NOT_VERIFIABLE = dict.fromkeys(RUBRIC_QUESTIONS, True) | {"verifiable": False}
RUBRIC_ONE_YES = dict.fromkeys(RUBRIC_QUESTIONS, False) | {
    "verifiable": True,
    "worth_checking": True,
}

Mutation = Callable[[dict[str, Any], str], Any]


# ------------------------------------------------------------------ helpers


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def span_of(text: str, needle: str, after: int = 0) -> dict[str, Any]:
    """The span of the first occurrence of `needle` at or after `after` (offsets by str.find)."""
    start = text.find(needle, after)
    assert start >= 0, f"{needle!r} not in the text: the fixture text changed"
    return {"start": start, "end": start + len(needle), "text": needle}


def make_gold_st000(text: str) -> dict[str, Any]:
    """A small correct gold annotation of st-000: three entities, one claim, one attribution."""
    cue = span_of(text, "According to the Financial Times")
    cue = {**cue, "end": cue["start"] + len("According to"), "text": "According to"}
    claim = span_of(
        text,
        "the Ukrainian forces fired missiles, which were built decades ago in "
        "North Korea, against Russian positions near the city of Bakhmut",
    )
    return {
        "doc_id": "st-000",
        "text_sha256": sha256_hex(text),
        "entities": [
            {
                "id": "e1",
                **span_of(text, "Ukraine"),
                "type": "GPE",
                "mention": "name",
                "entity": "ukraine",
            },
            {
                "id": "e2",
                **span_of(text, "Financial Times"),
                "type": "ORG",
                "mention": "name",
                "entity": "financial-times",
            },
            {
                "id": "e3",
                **span_of(text, "North Korea", after=claim["start"]),
                "type": "GPE",
                "mention": "name",
                "entity": "north-korea",
            },
        ],
        "claims": [
            {
                "id": "c1",
                **claim,
                "polarity": "positive",
                "certainty": "certain",
                "checkworthy": True,
                "cluster": "ukraine-fired-nk-missiles",
            }
        ],
        "attributions": [
            {
                "id": "a1",
                "source": {"mention": "e2"},
                "cue": cue,
                "content": {"claims": ["c1"], **claim},
                "type": "indirect",
                "nested_in": None,
            }
        ],
    }


def empty_gold(doc_id: str, text: str) -> dict[str, Any]:
    return {
        "doc_id": doc_id,
        "text_sha256": sha256_hex(text),
        "entities": [],
        "claims": [],
        "attributions": [],
    }


def jsonl_line(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) + "\n"


def write(path: Path, content: str | bytes) -> bytes:
    """Write the file and return its bytes, to compare with the bytes after the run."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.write_bytes(data)
    return data


def problem_lines(err: str) -> list[str]:
    """Each reported problem: `  - <problem>` lines of a report, or the `error: <problem>` line."""
    found = []
    for raw in err.splitlines():
        stripped = raw.strip()
        if raw.startswith("  - "):
            found.append(stripped[2:])
        elif raw.startswith("error: "):
            found.append(raw[len("error: ") :])
    return found


def assert_rejected(
    result: Any,
    path: Path,
    before: bytes,
    *,
    line: int | None,
    pointer: str | None,
    expected: str | None,
    message: str | None = None,
) -> None:
    """Exit 2, no traceback, file unchanged, and one problem line that carries every part.

    The location prefix is the one errors.format_problem documents:
    `FILE[, line N][, at POINTER]: MESSAGE; expected EXPECTATION`. `expected=""` asks only that
    some expectation is given.
    """
    assert result.code == 2, (result.out, result.err)
    assert "Traceback" not in result.err
    assert path.read_bytes() == before, "validate changed its input file"
    where = str(path)
    if line is not None:
        where += f", line {line}"
    if pointer is not None:
        where += f", at {pointer}"
    candidates = [p for p in problem_lines(result.err) if p.startswith(where + ": ")]
    assert candidates, f"no problem starts with {where!r} in:\n{result.err}"

    def fits(problem: str) -> bool:
        said, marker, expectation = problem[len(where) + 2 :].partition("; expected ")
        if message is not None and message not in said:
            return False
        return expected is None or (bool(marker) and expected in expectation)

    assert any(fits(p) for p in candidates), (
        f"no problem at {where!r} says {message!r} and expects {expected!r}:\n{result.err}"
    )


def assert_valid(result: Any, path: Path, kind: str, fmt: str, records: int) -> None:
    assert result.code == 0, result.err
    assert result.err == ""
    assert f"{path}: valid {kind} ({fmt}, {records} record(s))" in result.out.splitlines()


# ------------------------------------------------------------------ fixtures


@pytest.fixture
def gold_st000(st000_text: str) -> dict[str, Any]:
    return make_gold_st000(st000_text)


@pytest.fixture
def gold_lines(corpus_texts_by_id: dict[str, str]) -> Callable[[Any], str]:
    """A gold JSONL whose line 1 is a valid st-001, line 2 is blank, line 3 is the given record."""

    def make(record: Any) -> str:
        first = empty_gold("st-001", corpus_texts_by_id["st-001"])
        return jsonl_line(first) + "\n" + jsonl_line(record)

    return make


@pytest.fixture
def document_lines(corpus_records: list[dict[str, Any]]) -> Callable[[Any], str]:
    """A documents JSONL: lines 1-2 are the committed st-001 and st-002, line 3 the given record."""
    by_id = {r["doc_id"]: r for r in corpus_records}

    def make(record: Any) -> str:
        return jsonl_line(by_id["st-001"]) + jsonl_line(by_id["st-002"]) + jsonl_line(record)

    return make


@pytest.fixture
def st000_record(corpus_records: list[dict[str, Any]]) -> dict[str, Any]:
    return copy.deepcopy(next(r for r in corpus_records if r["doc_id"] == "st-000"))


# ------------------------------------------------------------------ controls: the bases are valid


def test_valid_gold_annotation_of_st000(tmp_path, run_cli, gold_st000, st000_text):
    # The hand-made gold really points where it says (independent of the validator).
    for item in gold_st000["entities"] + gold_st000["claims"]:
        assert st000_text[item["start"] : item["end"]] == item["text"]
    path = tmp_path / "st-000.json"
    before = write(path, json.dumps(gold_st000, indent=2, ensure_ascii=False))
    assert_valid(run_cli("validate", path), path, "annotation", "json", 1)
    assert path.read_bytes() == before


def test_gold_jsonl_base_of_the_broken_cases_is_valid(tmp_path, run_cli, gold_lines, gold_st000):
    # Each broken-gold case below changes exactly one thing in this file.
    path = tmp_path / "gold.jsonl"
    write(path, gold_lines(gold_st000))
    assert_valid(run_cli("validate", path), path, "annotation", "jsonl", 2)


def test_documents_jsonl_base_of_the_broken_cases_is_valid(
    tmp_path, run_cli, document_lines, st000_record
):
    path = tmp_path / "documents.jsonl"
    write(path, document_lines(st000_record))
    assert_valid(run_cli("validate", path), path, "document", "jsonl", 3)


def test_valid_prediction_with_offsets_text_only_and_absent_layers(
    tmp_path, run_cli, corpus_texts_by_id
):
    t0, t1 = corpus_texts_by_id["st-000"], corpus_texts_by_id["st-001"]
    ukraine, ft0 = span_of(t0, "Ukraine"), span_of(t0, "Financial Times")
    claim0 = span_of(t0, "the Ukrainian forces fired missiles")
    rows = [
        {
            "doc_id": "st-000",  # offsets, with and without text, no ids, no attributes
            "entities": [
                {**ukraine, "type": "GPE"},
                {"start": ft0["start"], "end": ft0["end"], "type": "ORG"},
            ],
            "claims": [{"start": claim0["start"], "end": claim0["end"], "polarity": "positive"}],
            "attributions": [
                {
                    "source": {"start": ft0["start"], "end": ft0["end"]},
                    "cue": None,
                    "content": {"start": claim0["start"], "end": claim0["end"]},
                }
            ],
        },
        {
            "doc_id": "st-001",  # text only, as an LLM extractor writes it; a source by name
            "entities": [{"text": "Financial Times", "type": "ORG"}],
            "claims": [
                {
                    "text": "Ukrainian soldiers have been observed utilising North Korean rockets",
                    "certainty": "certain",
                }
            ],
            "attributions": [
                {
                    "source": {"text": "Financial Times"},
                    "cue": {"text": "According to"},
                    "content": {
                        "text": "Ukrainian soldiers have been observed utilising "
                        "North Korean rockets"
                    },
                    "type": "indirect",
                }
            ],
        },
        {"doc_id": "st-002", "entities": [], "claims": [], "attributions": []},  # found nothing
        {"doc_id": "st-003"},  # does no layer
    ]
    assert t1.find("Ukrainian soldiers have been observed utilising North Korean rockets") > 0
    path = tmp_path / "predictions.jsonl"
    before = write(path, "".join(jsonl_line(r) for r in rows))
    assert_valid(run_cli("validate", path), path, "prediction", "jsonl", 4)
    assert path.read_bytes() == before


def test_committed_corpus_documents_are_valid(run_cli, corpus_records):
    path = REPO_ROOT / "corpus" / "data" / "documents.jsonl"
    before = path.read_bytes()
    assert_valid(run_cli("validate", path), path, "document", "jsonl", len(corpus_records))
    assert len(corpus_records) == 5
    assert path.read_bytes() == before


def test_gold_with_a_consistent_rubric_is_valid(tmp_path, run_cli, gold_st000):
    # worked by hand: verifiable, and one yes among the other three -> score 1 -> not check-worthy
    claim = gold_st000["claims"][0]
    claim.update(checkworthy=False, checkworthiness={"answers": RUBRIC_ONE_YES, "score": 1})
    path = tmp_path / "st-000.json"
    write(path, json.dumps(gold_st000, ensure_ascii=False))
    assert_valid(run_cli("validate", path), path, "annotation", "json", 1)


def test_gold_is_a_valid_prediction(tmp_path, run_cli, gold_st000):
    path = tmp_path / "st-000.json"
    write(path, json.dumps(gold_st000))
    assert_valid(run_cli("validate", "--kind", "prediction", path), path, "prediction", "json", 1)


def _schema_examples() -> list[Any]:
    cases = []
    for schema_path in sorted(SCHEMA_DIR.glob("*.schema.json")):
        kind = schema_path.name.removesuffix(".schema.json")
        examples = json.loads(schema_path.read_text(encoding="utf-8")).get("examples", [])
        cases += [
            pytest.param(kind, index, example, id=f"{kind}-{index}")
            for index, example in enumerate(examples)
        ]
    return cases


SCHEMA_EXAMPLES = _schema_examples()


def test_every_kind_that_validate_takes_has_a_schema_with_examples():
    kinds = {case.values[0] for case in SCHEMA_EXAMPLES}
    assert kinds >= set(VALIDATE_KINDS) == {"annotation", "document", "links", "prediction"}


@pytest.fixture
def texts_with_examples(monkeypatch, corpus_texts_by_id):
    """The corpus texts plus the document examples' texts, which the other examples refer to."""
    texts = dict(corpus_texts_by_id)
    schema = json.loads((SCHEMA_DIR / "document.schema.json").read_text(encoding="utf-8"))
    for example in schema["examples"]:
        texts[example["doc_id"]] = example["text"]
    monkeypatch.setattr(cli, "_corpus_text_lookup", lambda: texts)
    return texts


@pytest.mark.parametrize(("kind", "index", "example"), SCHEMA_EXAMPLES)
def test_schema_example_is_valid_and_detected_as_its_kind(
    tmp_path, run_cli, texts_with_examples, kind, index, example
):
    schema = json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))
    # jsonschema directly, as a second opinion independent of sourcetrace's wrapper.
    assert list(Draft202012Validator(schema).iter_errors(example)) == []
    if kind not in VALIDATE_KINDS:  # e.g. report.schema.json: `validate` does not read reports
        return
    if "text_sha256" in example and "text" not in example:
        assert sha256_hex(texts_with_examples[example["doc_id"]]) == example["text_sha256"]
    path = tmp_path / f"{kind}-example-{index}.json"
    before = write(path, json.dumps(example, indent=2, ensure_ascii=False))
    assert_valid(run_cli("validate", path), path, kind, "json", 1)
    assert_valid(run_cli("validate", "--kind", kind, path), path, kind, "json", 1)
    assert path.read_bytes() == before


# ------------------------------------------------------------------ broken gold (line 3 of a JSONL)


def _at(gold: dict[str, Any], path: tuple[Any, ...]) -> Any:
    for key in path:
        gold = gold[key]
    return gold


def setting(path: tuple[Any, ...], value: Any) -> Mutation:
    """Set gold[path] to value (or to value(text) when it is a function of the text)."""

    def mutate(gold: dict[str, Any], text: str) -> None:
        _at(gold, path[:-1])[path[-1]] = value(text) if callable(value) else value

    return mutate


def deleting(path: tuple[Any, ...]) -> Mutation:
    def mutate(gold: dict[str, Any], text: str) -> None:
        del _at(gold, path[:-1])[path[-1]]

    return mutate


def replacing_record(value: Any) -> Mutation:
    return lambda gold, text: value


def empty_entity_span(gold: dict[str, Any], text: str) -> None:
    gold["entities"][0]["end"] = gold["entities"][0]["start"]


def reversed_entity_span(gold: dict[str, Any], text: str) -> None:
    entity = gold["entities"][1]  # "Financial Times", not at offset 0
    entity["start"], entity["end"] = entity["end"], entity["start"]


def entity_with_trailing_space(gold: dict[str, Any], text: str) -> None:
    entity = gold["entities"][0]
    entity["end"] += 1
    entity["text"] = text[entity["start"] : entity["end"]]
    assert entity["text"] == "Ukraine "


def claim_with_leading_space(gold: dict[str, Any], text: str) -> None:
    claim = gold["claims"][0]
    claim["start"] -= 1
    claim["text"] = text[claim["start"] : claim["end"]]
    assert claim["text"].startswith(" the Ukrainian")


def nested_in_cycle(gold: dict[str, Any], text: str) -> None:
    # a1 is nested in a2 and a2 in a1: no outermost attribution.
    second = copy.deepcopy(gold["attributions"][0])
    second.update(id="a2", nested_in="a1")
    gold["attributions"][0]["nested_in"] = "a2"
    gold["attributions"].append(second)


def length_plus(extra: int) -> Callable[[str], int]:
    return lambda text: len(text) + extra


BROKEN_GOLD = [
    # 3 wrong type
    pytest.param(
        setting(("entities", 0, "start"), "0"),
        "/entities/0/start",
        "type integer",
        "is not of type 'integer'",
        id="start-is-a-string",
    ),
    pytest.param(
        replacing_record(["st-000"]),
        "/",
        "type object",
        "is not of type 'object'",
        id="record-is-not-an-object",
    ),
    # 4 missing required field
    pytest.param(
        deleting(("entities", 0, "entity")),
        "/entities/0",
        "required properties",
        "'entity' is a required property",
        id="entity-without-entity-id",
    ),
    pytest.param(
        deleting(("claims",)),
        "/",
        "required properties",
        "'claims' is a required property",
        id="no-claims-layer",
    ),
    # 5 unknown property
    pytest.param(
        setting(("entities", 0, "confidence"), 0.9),
        "/entities/0",
        "only the properties",
        "'confidence' was unexpected",
        id="unknown-entity-key",
    ),
    pytest.param(
        setting(("score",), 1),
        "/",
        "only the properties",
        "'score' was unexpected",
        id="unknown-top-level-key",
    ),
    # 6 offsets out of range: expected "end <= len(text)", with the length of st-000
    pytest.param(
        setting(("claims", 0, "end"), length_plus(5)),
        "/claims/0/end",
        lambda text: f"end <= {len(text)}",
        "past the end of the text",
        id="claim-end-past-text",
    ),
    pytest.param(
        setting(("attributions", 0, "cue", "end"), length_plus(1)),
        "/attributions/0/cue/end",
        lambda text: f"end <= {len(text)}",
        "past the end of the text",
        id="cue-end-past-text",
    ),
    # 7 start >= end
    pytest.param(
        empty_entity_span, "/entities/0", "start < end", "empty or reversed span", id="empty-span"
    ),
    pytest.param(
        reversed_entity_span,
        "/entities/1",
        "start < end",
        "empty or reversed span",
        id="reversed-span",
    ),
    # 8 span text that does not match text[start:end]
    pytest.param(
        setting(("entities", 0, "text"), "Ukrain"),
        "/entities/0/text",
        "the exact text at the offsets",
        "'Ukrain' does not match",
        id="span-text-mismatch",
    ),
    # 9 duplicate ids within a document (within a layer, and across layers)
    pytest.param(
        setting(("entities", 1, "id"), "e1"),
        "/entities/1/id",
        "ids unique within the document",
        "duplicate id 'e1'",
        id="duplicate-entity-id",
    ),
    pytest.param(
        setting(("claims", 0, "id"), "e1"),
        "/claims/0/id",
        "ids unique within the document",
        "duplicate id 'e1'",
        id="claim-id-equals-entity-id",
    ),
    # 10 dangling references
    pytest.param(
        setting(("attributions", 0, "source"), {"mention": "e99"}),
        "/attributions/0/source/mention",
        "the id of one of the document's entities",
        "'e99'",
        id="unknown-source-mention",
    ),
    pytest.param(
        setting(("attributions", 0, "content", "claims"), ["c9"]),
        "/attributions/0/content/claims/0",
        "the id of one of the document's claims",
        "'c9'",
        id="unknown-content-claim",
    ),
    pytest.param(
        setting(("attributions", 0, "nested_in"), "a9"),
        "/attributions/0/nested_in",
        "the id of the outer attribution",
        "'a9'",
        id="unknown-nested-in",
    ),
    # 11 nested_in cycles
    pytest.param(
        nested_in_cycle,
        "/attributions",
        "nesting that ends at an outermost attribution",
        "cycle",
        id="nested-in-cycle",
    ),
    pytest.param(
        setting(("attributions", 0, "nested_in"), "a1"),
        "/attributions/0/nested_in",
        "the id of another attribution",
        "nested in itself",
        id="nested-in-itself",
    ),
    # 12 wrong text_sha256: the expectation is the real digest, computed here with hashlib
    pytest.param(
        setting(("text_sha256",), "0" * 64),
        "/text_sha256",
        sha256_hex,
        "annotation was made on another text",
        id="wrong-text-sha256",
    ),
    # 13 spans starting or ending in white space
    pytest.param(
        entity_with_trailing_space,
        "/entities/0",
        "spans trimmed of white space",
        "starts or ends in white space",
        id="span-ends-in-space",
    ),
    pytest.param(
        claim_with_leading_space,
        "/claims/0",
        "spans trimmed of white space",
        "starts or ends in white space",
        id="span-starts-in-space",
    ),
    # 14 unknown entity label
    pytest.param(
        setting(("entities", 0, "type"), "PERSN"),
        "/entities/0/type",
        'one of "PERSON"',
        '"PERSN" is not a known label',
        id="unknown-label-PERSN",
    ),
    # 15 unknown doc_id
    pytest.param(
        setting(("doc_id",), "st-999"),
        "/doc_id",
        "the id of a corpus document",
        "unknown doc_id 'st-999'",
        id="unknown-doc-id",
    ),
    # 16 path tricks in a doc_id: refused by the id pattern before any lookup
    pytest.param(
        setting(("doc_id",), "../../etc/passwd"),
        "/doc_id",
        f"a string matching {DOC_ID_PATTERN}",
        "does not match",
        id="doc-id-dotdot",
    ),
    pytest.param(
        setting(("doc_id",), "st-000/../x"),
        "/doc_id",
        f"a string matching {DOC_ID_PATTERN}",
        "does not match",
        id="doc-id-inner-dotdot",
    ),
    pytest.param(
        setting(("doc_id",), "/etc/passwd"),
        "/doc_id",
        f"a string matching {DOC_ID_PATTERN}",
        "does not match",
        id="doc-id-absolute",
    ),
]


@pytest.mark.parametrize(("mutate", "pointer", "expected", "message"), BROKEN_GOLD)
def test_broken_gold_is_refused_naming_line_pointer_and_expectation(
    tmp_path, run_cli, gold_lines, gold_st000, st000_text, mutate, pointer, expected, message
):
    replaced = mutate(gold_st000, st000_text)
    record = gold_st000 if replaced is None else replaced
    path = tmp_path / "gold.jsonl"
    before = write(path, gold_lines(record))
    result = run_cli("validate", path)
    expected_text = expected(st000_text) if callable(expected) else expected
    assert_rejected(
        result, path, before, line=3, pointer=pointer, expected=expected_text, message=message
    )
    assert result.out == ""  # the only file is not reported as valid


# the check-worthiness rubric (issue 26): the score follows from the answers (0 when the claim is
# not verifiable, else the yes among the other three), and checkworthy from the score
BROKEN_RUBRIC = [
    pytest.param(
        setting(("claims", 0, "checkworthiness"), {"answers": RUBRIC_NOT_VERIFIABLE, "score": 3}),
        "/claims/0/checkworthiness/score",
        "score 0 when the first question (verifiable) is answered no",
        "score 3 does not follow from the answers, which give 0",
        id="rubric-score-not-derived-from-answers",
    ),
    pytest.param(
        setting(("claims", 0, "checkworthiness"), {"answers": RUBRIC_ONE_YES, "score": 1}),
        "/claims/0/checkworthy",
        "checkworthy true exactly when the score is at least 2",
        "checkworthy is true but the rubric score is 1",
        id="rubric-checkworthy-contradicts-score",
    ),
]


@pytest.mark.parametrize(("mutate", "pointer", "expected", "message"), BROKEN_RUBRIC)
def test_rubric_that_does_not_derive_is_refused_naming_line_pointer_and_rule(
    tmp_path, run_cli, gold_lines, gold_st000, st000_text, mutate, pointer, expected, message
):
    mutate(gold_st000, st000_text)
    assert_gold_line_3_refused(
        tmp_path, run_cli, gold_lines(gold_st000), pointer, expected, message
    )


def assert_gold_line_3_refused(tmp_path, run_cli, lines: str, pointer, expected, message) -> None:
    """`validate` refuses the gold JSONL (the broken record on line 3), naming the pointer and
    the expectation, and reports no file as valid."""
    path = tmp_path / "gold.jsonl"
    before = write(path, lines)
    result = run_cli("validate", path)
    assert_rejected(
        result, path, before, line=3, pointer=pointer, expected=expected, message=message
    )
    assert result.out == ""


# provenance (issue 26 point 5): who reports whom; a node is "byline", an entity mention of the
# document or a span of its text, and the evidence is attributions of the document
def add_provenance(gold: dict[str, Any], text: str) -> None:
    """byline -> the Financial Times (shown by a1) -> the Ukrainian forces (a span)."""
    gold["provenance"] = [
        {"id": "v1", "reporter": "byline", "reported": {"mention": "e2"}, "evidence": ["a1"]},
        {
            "id": "v2",
            "reporter": {"mention": "e2"},
            "reported": span_of(text, "the Ukrainian forces"),
            "evidence": [],
        },
    ]


def test_gold_with_provenance_is_valid(tmp_path, run_cli, gold_st000, st000_text):
    add_provenance(gold_st000, st000_text)
    path = tmp_path / "gold.json"
    write(path, json.dumps(gold_st000))
    assert_valid(run_cli("validate", path), path, "annotation", "json", 1)


BROKEN_PROVENANCE = [
    pytest.param(
        setting(("provenance", 1, "id"), "e1"),
        "/provenance/1/id",
        "ids unique within the document",
        "duplicate id 'e1' (first used at /entities/0)",
        id="provenance-id-equals-entity-id",
    ),
    pytest.param(
        setting(("provenance", 1, "reporter"), {"mention": "e99"}),
        "/provenance/1/reporter/mention",
        "the id of one of the document's entities",
        "reporter mention 'e99' is not an entity id of this document",
        id="provenance-unknown-mention",
    ),
    pytest.param(
        setting(("provenance", 0, "evidence"), ["a1", "a9"]),
        "/provenance/0/evidence/1",
        "the id of one of the document's attributions",
        "evidence 'a9' is not an attribution id of this document",
        id="provenance-unknown-evidence",
    ),
    pytest.param(
        setting(("provenance", 1, "reported", "text"), "the Ukrainian force"),
        "/provenance/1/reported/text",
        "the exact text at the offsets",
        "'the Ukrainian force' does not match",
        id="provenance-span-text-mismatch",
    ),
    pytest.param(
        setting(("provenance", 0, "reporter"), "publisher"),
        "/provenance/0/reporter",
        '"byline" (the voice of the text: its publisher)',
        "is not valid under any of the given schemas",
        id="provenance-unknown-node",
    ),
]


@pytest.mark.parametrize(("mutate", "pointer", "expected", "message"), BROKEN_PROVENANCE)
def test_provenance_that_does_not_resolve_is_refused_naming_line_pointer_and_expectation(
    tmp_path, run_cli, gold_lines, gold_st000, st000_text, mutate, pointer, expected, message
):
    add_provenance(gold_st000, st000_text)
    mutate(gold_st000, st000_text)
    path = tmp_path / "gold.jsonl"
    before = write(path, gold_lines(gold_st000))
    result = run_cli("validate", path)
    assert_rejected(
        result, path, before, line=3, pointer=pointer, expected=expected, message=message
    )
    assert result.out == ""


def test_provenance_in_a_record_with_no_other_item_is_still_checked(
    tmp_path, run_cli, gold_st000, st000_text
):
    """A record whose only items are provenance edges: its unknown mention is refused (a
    shortcut for records without items once skipped every check of such a record)."""
    add_provenance(gold_st000, st000_text)
    gold_st000.update(entities=[], claims=[], attributions=[])
    gold_st000["provenance"] = [{**gold_st000["provenance"][0], "evidence": []}]
    path = tmp_path / "gold.json"
    before = write(path, json.dumps(gold_st000))
    result = run_cli("validate", path)
    assert result.code == 2 and "/provenance/0/reported/mention" in result.err
    assert "'e2' is not an entity id of this document" in result.err
    assert path.read_bytes() == before and "Traceback" not in result.err


# ------------------------------------------------------------------ broken documents (line 3)


def zones(*triples: tuple[int, int, str]) -> list[dict[str, Any]]:
    return [{"start": s, "end": e, "kind": k} for s, e, k in triples]


def overlapping_zones(record: dict[str, Any]) -> None:
    record["zones"] = zones((0, 100, "body"), (50, len(record["text"]), "body"))


def zone_gap_with_text(record: dict[str, Any]) -> None:
    assert record["text"][50:60].strip(), "the gap must hold a non-white-space character"
    record["zones"] = zones((0, 50, "body"), (60, len(record["text"]), "body"))


def zones_leaving_the_tail_out(record: dict[str, Any]) -> None:
    assert record["text"][-10:].strip()
    record["zones"] = zones((0, len(record["text"]) - 10, "body"))


def zone_past_the_text(record: dict[str, Any]) -> None:
    record["zones"] = zones((0, len(record["text"]) + 1, "body"))


def unknown_date_source_with_date(record: dict[str, Any]) -> None:
    assert record["published"] == "2023-07-30"
    record["date_source"] = "unknown"


def stated_date_source_without_date(record: dict[str, Any]) -> None:
    record["date_source"], record["published"] = "stated", None


def wrong_document_sha(record: dict[str, Any]) -> None:
    record["text_sha256"] = "f" * 64


def impossible_date(record: dict[str, Any]) -> None:
    record["published"] = "2023-02-30"


BROKEN_DOCUMENTS = [
    # 23 zone problems
    pytest.param(
        overlapping_zones,
        "/zones/1",
        "zones sorted and not overlapping",
        "overlaps or precedes the previous zone",
        id="zones-overlap",
    ),
    pytest.param(
        zone_gap_with_text,
        "/zones/1",
        "every non-white-space character inside a zone",
        "text[50:60] lies in no zone",
        id="text-between-zones",
    ),
    pytest.param(
        zones_leaving_the_tail_out,
        "/zones",
        "every non-white-space character inside a zone",
        "lies in no zone",
        id="text-after-last-zone",
    ),
    pytest.param(
        zone_past_the_text,
        "/zones/0/end",
        "end <= 2173",
        "past the end of the text",
        id="zone-past-text",
    ),
    # 24 date_source and published disagree
    pytest.param(
        unknown_date_source_with_date,
        "/published",
        "null, or date_source stated/inferred",
        "date_source is 'unknown'",
        id="unknown-date-source-with-date",
    ),
    pytest.param(
        stated_date_source_without_date,
        "/published",
        "an ISO date",
        "no date is given",
        id="stated-date-source-without-date",
    ),
    # 12 (document) wrong text_sha256: the expectation is the real digest
    pytest.param(
        wrong_document_sha,
        "/text_sha256",
        "fc18bd21044017476991e9ff4d8a1e2049d629a8fbabf19981308e866e0d5846",
        "does not match the sha256 of the text",
        id="document-wrong-sha",
    ),
    pytest.param(
        impossible_date,
        "/published",
        "ISO date; the earliest date the text allows when inferred",
        "2023-02-30",
        id="february-30",
    ),
]


@pytest.mark.parametrize(("mutate", "pointer", "expected", "message"), BROKEN_DOCUMENTS)
def test_broken_document_is_refused_naming_line_pointer_and_expectation(
    tmp_path, run_cli, document_lines, st000_record, mutate, pointer, expected, message
):
    # st-000 is 2173 code points long; its committed sha256 is the digest below (both checked).
    assert len(st000_record["text"]) == 2173
    assert sha256_hex(st000_record["text"]) == (
        "fc18bd21044017476991e9ff4d8a1e2049d629a8fbabf19981308e866e0d5846"
    )
    mutate(st000_record)
    path = tmp_path / "documents.jsonl"
    before = write(path, document_lines(st000_record))
    assert_rejected(
        run_cli("validate", path),
        path,
        before,
        line=3,
        pointer=pointer,
        expected=expected,
        message=message,
    )


# ------------------------------------------------------------------ broken files (reader level)


def test_malformed_json_names_the_line_of_the_fault(tmp_path, run_cli):
    path = tmp_path / "st-000.json"
    before = write(
        path,
        '{\n  "doc_id": "st-000",\n  "entities": [],\n'
        '  "claims": [1 2],\n  "attributions": []\n}\n',
    )  # fault on line 4
    assert_rejected(
        run_cli("validate", path),
        path,
        before,
        line=4,
        pointer=None,
        expected="valid JSON",
        message="malformed JSON",
    )


def test_malformed_jsonl_line_names_its_line(tmp_path, run_cli, corpus_texts_by_id):
    path = tmp_path / "gold.jsonl"
    good = [empty_gold(d, corpus_texts_by_id[d]) for d in ("st-000", "st-001")]
    before = write(path, jsonl_line(good[0]) + jsonl_line(good[1]) + '{"doc_id": "st-002",\n')
    assert_rejected(
        run_cli("validate", path),
        path,
        before,
        line=3,
        pointer=None,
        expected="valid JSON",
        message="malformed JSON",
    )


def test_huge_file_is_refused_naming_the_limit(tmp_path, run_cli, monkeypatch):
    path = tmp_path / "predictions.jsonl"
    before = write(path, jsonl_line({"doc_id": "st-000", "entities": []}))
    assert len(before) > 30
    # Control: the same file is valid under the default limits. A .jsonl streams, one line in
    # memory at a time, so the whole-file default (for .json) does not cap it.
    monkeypatch.setattr(jsonio, "DEFAULT_MAX_BYTES", 30)
    assert run_cli("validate", path).code == 0
    whole = tmp_path / "predictions.json"
    write(whole, before)
    assert "over the limit of 30 bytes" in run_cli("validate", whole).err
    monkeypatch.setenv("SOURCETRACE_MAX_INPUT_BYTES", "30")
    result = run_cli("validate", path)
    assert_rejected(
        result,
        path,
        before,
        line=None,
        pointer=None,
        expected="SOURCETRACE_MAX_INPUT_BYTES",
        message=f"file is {len(before):,} bytes, over the limit of 30 bytes",
    )


def test_a_line_over_the_line_cap_is_refused_naming_the_line(tmp_path, run_cli, monkeypatch):
    path = tmp_path / "predictions.jsonl"
    short = jsonl_line({"doc_id": "st-000"})
    long = jsonl_line({"doc_id": "st-001", "claims": [{"text": "x" * 100}]})
    before = write(path, short + "\n" + long)
    assert run_cli("validate", path).code == 0  # control: under the default cap (16 MiB)
    monkeypatch.setenv("SOURCETRACE_MAX_LINE_BYTES", "50")
    assert_rejected(
        run_cli("validate", path),
        path,
        before,
        line=3,
        pointer=None,
        expected="shorter lines (or raise SOURCETRACE_MAX_LINE_BYTES)",
        message="line is over the limit of 50 bytes",
    )


def test_duplicate_doc_id_lines_are_refused(tmp_path, run_cli, gold_st000):
    path = tmp_path / "gold.jsonl"
    before = write(path, jsonl_line(gold_st000) + "\n" + jsonl_line(gold_st000))
    assert_rejected(
        run_cli("validate", path),
        path,
        before,
        line=3,
        pointer="/doc_id",
        expected="one record per document",
        message="duplicate doc_id 'st-000' (first on line 1)",
    )


@pytest.mark.parametrize(
    ("name", "content", "line"),
    [
        # 0xff can never occur in UTF-8; it sits on line 2.
        pytest.param(
            "p.jsonl", b'{"doc_id": "st-000"}\n{"doc_id": "st-001", "x": "\xff"}\n', 2, id="jsonl"
        ),
        # a truncated two-byte sequence (0xc3 without its continuation byte) on line 3
        pytest.param(
            "p.json",
            b'{\n  "doc_id": "st-000",\n  "claims": [{"text": "caf\xc3"}]\n}\n',
            3,
            id="json",
        ),
    ],
)
def test_invalid_utf8_is_refused_naming_its_line(tmp_path, run_cli, name, content, line):
    path = tmp_path / name
    before = write(path, content)
    assert_rejected(
        run_cli("validate", path),
        path,
        before,
        line=line,
        pointer=None,
        expected="UTF-8 text",
        message="is not valid UTF-8",
    )


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.json", "", "a JSON object or array"),
        ("blank.json", "  \n\n", "a JSON object or array"),
        ("empty.jsonl", "", "one JSON object per line"),
        ("blank.jsonl", "\n  \n", "one JSON object per line"),
    ],
)
def test_empty_file_is_refused(tmp_path, run_cli, name, content, expected):
    # An empty file has no line to name: the problem is the file as a whole.
    path = tmp_path / name
    before = write(path, content)
    assert_rejected(
        run_cli("validate", path), path, before, line=None, pointer=None, expected=expected
    )


# NaN / Infinity are not JSON (RFC 8259) though Python's json accepts them; duplicate keys make
# "which value counts" depend on the reader.
NOT_JSON = [
    pytest.param('"start": NaN', "NaN", id="NaN"),
    pytest.param('"start": -Infinity', "Infinity", id="Infinity"),
    pytest.param('"start": 0, "start": 1', "duplicate key 'start'", id="duplicate-key"),
]


def _prediction_with_entity_fields(fields: str) -> str:
    return '{"doc_id": "st-000", "entities": [{' + fields + ', "end": 7, "type": "GPE"}]}'


@pytest.mark.parametrize(("fields", "message"), NOT_JSON)
def test_not_json_values_are_refused_naming_their_line(tmp_path, run_cli, fields, message):
    path = tmp_path / "p.jsonl"
    before = write(path, '{"doc_id": "st-001"}\n\n' + _prediction_with_entity_fields(fields) + "\n")
    assert_rejected(
        run_cli("validate", path),
        path,
        before,
        line=3,
        pointer=None,
        expected=None,
        message=message,
    )


@pytest.mark.parametrize(("fields", "message"), NOT_JSON)
def test_not_json_values_say_what_was_expected(tmp_path, run_cli, fields, message):
    path = tmp_path / "p.jsonl"
    before = write(path, '{"doc_id": "st-001"}\n\n' + _prediction_with_entity_fields(fields) + "\n")
    assert_rejected(
        run_cli("validate", path), path, before, line=3, pointer=None, expected="", message=message
    )


@pytest.mark.parametrize(("fields", "message"), NOT_JSON)
def test_not_json_values_in_a_pretty_json_name_the_line_of_the_fault(
    tmp_path, run_cli, fields, message
):
    path = tmp_path / "p.json"
    # the offending entity is on line 4
    before = write(
        path,
        '{\n  "doc_id": "st-000",\n  "entities": [\n    {'
        + fields
        + ', "end": 7, "type": "GPE"}\n  ]\n}\n',
    )
    assert_rejected(
        run_cli("validate", path),
        path,
        before,
        line=4,
        pointer=None,
        expected=None,
        message=message,
    )


def test_missing_file_is_refused(tmp_path, run_cli):
    path = tmp_path / "nowhere.jsonl"
    result = run_cli("validate", path)
    assert result.code == 2
    assert f"{path}: file not found; expected an existing file" in problem_lines(result.err)
    assert not path.exists()


def test_validate_without_files_is_a_usage_error(run_cli):
    result = run_cli("validate")
    assert result.code == 2
    assert "FILE" in result.err


# ------------------------------------------------------------------ several problems, several files


def test_every_problem_of_a_file_is_reported_with_the_count(
    tmp_path, run_cli, gold_st000, corpus_texts_by_id
):
    gold_st000["entities"][0]["text"] = "Ukrain"  # 1: text mismatch
    gold_st000["entities"][2]["id"] = "e1"  # 2: duplicate id
    gold_st000["attributions"][0]["source"] = {"mention": "e3"}  # 3: e3 no longer exists
    other = empty_gold("st-001", corpus_texts_by_id["st-001"])
    other["text_sha256"] = "0" * 64  # 4: on line 2
    path = tmp_path / "gold.jsonl"
    before = write(path, jsonl_line(gold_st000) + jsonl_line(other))
    result = run_cli("validate", path)
    assert f"{path}: read as annotation (jsonl, 2 record(s)): 4 problem(s)" in result.err
    assert len(problem_lines(result.err)) == 4
    for line, pointer in [
        (1, "/entities/0/text"),
        (1, "/entities/2/id"),
        (1, "/attributions/0/source/mention"),
        (2, "/text_sha256"),
    ]:
        assert_rejected(result, path, before, line=line, pointer=pointer, expected="")


def test_valid_and_invalid_files_are_each_reported(tmp_path, run_cli, gold_st000):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    write(good, json.dumps(gold_st000))
    gold_st000["entities"][0]["type"] = "PERSN"
    before = write(bad, json.dumps(gold_st000))
    result = run_cli("validate", good, bad)
    assert f"{good}: valid annotation (json, 1 record(s))" in result.out.splitlines()
    assert str(bad) not in result.out
    assert_rejected(
        result, bad, before, line=1, pointer="/entities/0/type", expected='one of "PERSON"'
    )


def test_problems_of_earlier_files_survive_an_unreadable_later_file(tmp_path, run_cli, gold_st000):
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    gold_st000["entities"][0]["type"] = "PERSN"
    first_bytes = write(first, json.dumps(gold_st000))
    second_bytes = write(second, "{")
    result = run_cli("validate", first, second)
    assert_rejected(result, second, second_bytes, line=1, pointer=None, expected="valid JSON")
    assert_rejected(
        result, first, first_bytes, line=1, pointer="/entities/0/type", expected='one of "PERSON"'
    )


def test_cycle_is_not_blamed_on_an_attribution_outside_it(tmp_path, run_cli, gold_st000):
    nested_in_cycle(gold_st000, "")
    third = copy.deepcopy(gold_st000["attributions"][0])
    third.update(id="a3", nested_in="a1")  # a3 -> a1 -> a2 -> a1: a3 is not in the cycle
    gold_st000["attributions"].append(third)
    path = tmp_path / "gold.json"
    before = write(path, json.dumps(gold_st000))
    result = run_cli("validate", path)
    assert_rejected(
        result,
        path,
        before,
        line=1,
        pointer="/attributions",
        expected="nesting that ends at an outermost attribution",
        message="cycle",
    )
    cycle_lines = [p for p in problem_lines(result.err) if "cycle" in p]
    assert not any("'a3'" in p for p in cycle_lines), cycle_lines


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085"])
def test_unicode_line_separators_inside_jsonl_strings_are_not_line_breaks(
    tmp_path, run_cli, separator
):
    path = tmp_path / "p.jsonl"
    rows = [
        {"doc_id": "st-000", "claims": [{"text": f"North Korea{separator}sent rockets"}]},
        {"doc_id": "st-001"},
    ]
    write(path, "".join(jsonl_line(r) for r in rows))
    assert separator in path.read_text(encoding="utf-8")  # written raw, not escaped
    assert_valid(run_cli("validate", path), path, "prediction", "jsonl", 2)


# ------------------------------------------------------------------ real process: exit code, stderr


def test_broken_inputs_exit_2_without_traceback_in_a_real_process(
    tmp_path, run_cli_subprocess, gold_st000
):
    malformed = tmp_path / "malformed.jsonl"
    write(malformed, '{"doc_id": "st-000"}\n{"doc_id": \n')
    unknown = tmp_path / "unknown.json"
    gold_st000["doc_id"] = "st-999"
    write(unknown, json.dumps(gold_st000))
    for path, needle in [
        (malformed, f"{malformed}, line 2: malformed JSON"),
        (unknown, f"{unknown}, line 1, at /doc_id: unknown doc_id 'st-999'"),
    ]:
        result = run_cli_subprocess("validate", path)
        assert result.code == 2, result.err
        assert "Traceback" not in result.err
        assert needle in result.err
        assert result.out == ""
    big = tmp_path / "big.jsonl"
    write(big, jsonl_line({"doc_id": "st-000"}) * 10)
    result = run_cli_subprocess("validate", big, env={"SOURCETRACE_MAX_INPUT_BYTES": "50"})
    assert result.code == 2
    assert "Traceback" not in result.err
    assert "over the limit of 50 bytes" in result.err


HOSTILE_INPUTS = [
    pytest.param("empty-array.json", "[]", {}, id="empty-top-level-array"),
    pytest.param("deep.json", "[" * 100_000 + "]" * 100_000, {}, id="deeply-nested"),
    pytest.param(
        "float.jsonl",
        '{"doc_id": "st-000", "entities": [{"start": 0.0, "end": 7.0, '
        '"type": "GPE", "text": "Ukraine"}]}\n',
        {},
        id="float-offsets",
    ),
    pytest.param(
        "layer-int.jsonl",
        '{"doc_id": "st-000", "text_sha256": "'
        + "0" * 64
        + '", "entities": 5, "claims": [], "attributions": []}\n',
        {},
        id="layer-is-a-number",
    ),
    pytest.param(
        "ok.jsonl",
        '{"doc_id": "st-000"}\n',
        {"SOURCETRACE_MAX_INPUT_BYTES": "64MB"},
        id="bad-size-limit-setting",
    ),
]


@pytest.mark.parametrize(("name", "content", "env"), HOSTILE_INPUTS)
def test_hostile_input_exits_2_with_a_message_not_a_traceback(
    tmp_path, run_cli_subprocess, name, content, env
):
    path = tmp_path / name
    before = write(path, content)
    result = run_cli_subprocess("validate", path, env=env)
    assert "Traceback" not in result.err
    assert result.code == 2, result.err
    assert path.read_bytes() == before
    problems = problem_lines(result.err)
    assert problems, result.err
    # the message names the file, or the setting at fault
    assert any(str(path) in p or "SOURCETRACE_MAX_INPUT_BYTES" in p for p in problems)
    assert any("expected" in p for p in problems)


def test_a_message_quotes_a_long_span_as_a_short_excerpt(tmp_path, run_cli, st000_text):
    # a 100-byte prediction once produced a 480 KB message: the mismatching span echoed whole
    path = tmp_path / "p.jsonl"
    record = {
        "doc_id": "st-000",
        "entities": [{"start": 0, "end": len(st000_text), "type": "GPE", "text": "x" * 50_000}],
    }
    path.write_text(json.dumps(record) + "\n")
    result = run_cli("validate", path)
    assert result.code == 2
    assert "does not match" in result.err and "characters)..." in result.err
    assert len(result.err) < 2_000


def test_nesting_cycles_are_found_once_each_and_a_tail_is_not_blamed():
    from sourcetrace.schema.validation import nesting_cycles

    # a4 leads into the cycle a1 -> a2 -> a3 -> a1; a5 -> a6 -> a5 is a second cycle; a7 is flat
    nesting = {"a4": "a1", "a1": "a2", "a2": "a3", "a3": "a1", "a5": "a6", "a6": "a5", "a7": None}
    assert nesting_cycles(nesting) == [["a1", "a2", "a3"], ["a5", "a6"]]
    # a long chain (the hardening review's 40k attributions took 116 s) has no cycle
    chain = {f"a{i}": (f"a{i + 1}" if i < 40_000 else None) for i in range(40_001)}
    assert nesting_cycles(chain) == []
    chain["a40000"] = "a0"
    (cycle,) = nesting_cycles(chain)
    assert len(cycle) == 40_001 and cycle[0] == "a0"


@pytest.mark.parametrize("command", [("validate",), ("evaluate",), ("agreement", "PASS")])
def test_a_fifo_or_a_device_is_refused_not_read(tmp_path, run_cli, command):
    # a FIFO as input once hung the process; /dev/zero passed the size cap (it trusts st_size)
    # and filled memory
    import os

    fifo = tmp_path / "pred.jsonl"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero")):
        args = (
            [*command[:1], path] if command != ("agreement", "PASS") else ["agreement", path, path]
        )
        result = run_cli(*args)
        assert result.code == 2, (command, path)
        assert "not a regular file" in result.err or "not found" in result.err


# ------------------------------------------------------------------ source phrase and content type


def with_phrase(phrase: Callable[[str], Any], **changes: Any) -> Mutation:
    """The gold's attribution with a source phrase (a function of the text, or None) and the
    other fields given."""

    def mutate(gold: dict[str, Any], text: str) -> None:
        attribution = gold["attributions"][0]
        attribution["source_span"] = phrase(text)
        attribution["content_type"] = "assertion"
        attribution.update(changes)

    return mutate


def test_gold_with_a_source_phrase_and_a_content_type_is_valid(
    tmp_path, run_cli, gold_st000, st000_text
):
    with_phrase(lambda text: span_of(text, "Financial Times"))(gold_st000, st000_text)
    path = tmp_path / "st-000.json"
    path.write_text(json.dumps(gold_st000), encoding="utf-8")
    result = run_cli("validate", path)
    assert result.code == 0, result.err


BROKEN_SOURCE_SPAN = [
    pytest.param(
        with_phrase(lambda text: span_of(text, "Financial Times"), source=None),
        "/attributions/0/source_span",
        "null, as the source",
        "a source span is given but the source is null",
        id="source-span-without-source",
    ),
    pytest.param(
        with_phrase(lambda text: None),
        "/attributions/0/source_span",
        "the whole source phrase",
        "the source span is null but the attribution has a source",
        id="source-null-phrase-with-source",
    ),
    pytest.param(
        with_phrase(lambda text: span_of(text, "the Ukrainian forces")),
        "/attributions/0/source_span",
        "a phrase that contains the source mention or source span",
        "does not hold the source it names",
        id="source-span-misses-its-source",
    ),
    pytest.param(
        with_phrase(lambda text: {**span_of(text, "Financial Times"), "text": "Financial Tim"}),
        "/attributions/0/source_span/text",
        "the exact text at the offsets",
        "does not match text[",
        id="source-span-text-mismatch",
    ),
    pytest.param(
        with_phrase(lambda text: span_of(text, "Financial Times"), content_type="opinion"),
        "/attributions/0/content_type",
        'one of "assertion"',
        '"opinion"',
        id="content-type-unknown",
    ),
]


@pytest.mark.parametrize(("mutate", "pointer", "expected", "message"), BROKEN_SOURCE_SPAN)
def test_broken_source_phrase_or_content_type_is_refused_naming_line_pointer(
    tmp_path, run_cli, gold_lines, gold_st000, st000_text, mutate, pointer, expected, message
):
    mutate(gold_st000, st000_text)
    assert_gold_line_3_refused(
        tmp_path, run_cli, gold_lines(gold_st000), pointer, expected, message
    )


def test_a_predicted_phrase_beside_a_null_source_is_scored_not_refused(tmp_path, run_cli):
    # a system's fields are scored as they are (the phrase then counts as a predicted phrase)
    text = json.loads(
        (REPO_ROOT / "corpus" / "data" / "documents.jsonl").read_text("utf-8").splitlines()[0]
    )["text"]
    prediction = {
        "doc_id": "st-000",
        "attributions": [
            {
                "source": None,
                "source_span": span_of(text, "reports"),
                "cue": span_of(text, "according to"),
                "content": {"text": "Ukraine used North Korean-made missiles"},
                "content_type": "belief",
            }
        ],
    }
    path = tmp_path / "predictions.jsonl"
    path.write_text(json.dumps(prediction) + "\n", encoding="utf-8")
    result = run_cli("validate", path, "--kind", "prediction")
    assert result.code == 0, result.err
