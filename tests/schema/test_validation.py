"""schema/validation.py: the gold records that only bring a text (`bare_gold`), taken without
the compiled validator, and what `gold_record_problems` says of them."""

from __future__ import annotations

import hashlib
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from fuzz_profiles import EXACTNESS_EXAMPLES, profile_name
from sourcetrace.jsonio import Record
from sourcetrace.schema import fast
from sourcetrace.schema.validation import (
    DocIdRegister,
    bare_gold,
    gold_record_problems,
    record_problems,
    validator,
)

TEXT = "Reuters reported it."
SHA = hashlib.sha256(TEXT.encode("utf-8")).hexdigest()


def bare(**changes: Any) -> dict[str, Any]:
    record = {"doc_id": "st-000", "text": TEXT, "text_sha256": SHA, "entities": [],
              "claims": [], "attributions": []}  # fmt: skip
    record.update(changes)
    return record


def test_a_record_that_only_brings_its_text_is_bare() -> None:
    assert bare_gold(bare())
    assert bare_gold(bare(doc_id="a" * 128, text=""))


def test_records_the_schema_may_refuse_are_not_bare() -> None:
    """Each fault a bare record could have: any of them sends it to the validators."""
    faults = [
        bare(doc_id="St-000"),
        bare(doc_id="st-000\n"),
        bare(doc_id="a" * 129),
        bare(doc_id=""),
        bare(text_sha256=SHA.upper()),
        bare(text_sha256=SHA[:-1]),
        bare(text_sha256=SHA + "\n"),
        bare(text=None),
        bare(entities=[{}]),
        bare(claims={}),
        bare(attributions=None),
        {**bare(), "provenance": []},
        {key: value for key, value in bare().items() if key != "claims"},
        [bare()],
    ]
    assert not any(map(bare_gold, faults))


# values near a bare record's: the right ones, and some that the schema refuses or that are
# of the pattern but for a character
VALUES = {
    "doc_id": st.one_of(
        st.from_regex(r"[a-z0-9_-]{1,130}", fullmatch=True),
        st.text("ab-_9Z\n\u00e9 ", max_size=8),
        st.integers(),
    ),
    "text": st.one_of(st.just(TEXT), st.text(max_size=5), st.none()),
    "text_sha256": st.one_of(
        st.just(SHA), st.from_regex(r"[0-9a-fA-F]{63,65}\n?", fullmatch=True), st.none()
    ),
    "entities": st.one_of(st.just([]), st.just([{}]), st.just({})),
    "claims": st.one_of(st.just([]), st.just(None)),
    "attributions": st.one_of(st.just([]), st.just("")),
    "provenance": st.just([]),
}


@st.composite
def near_bare(draw: st.DrawFn) -> dict[str, Any]:
    """Bare records (any text, its sha256, a doc_id of the pattern) with up to two values
    drawn from the above instead, and now and then a key left out."""
    text = draw(st.text(max_size=8))
    value = bare(
        doc_id=draw(st.from_regex(r"[a-z0-9_-]{1,128}", fullmatch=True)),
        text=text,
        text_sha256=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
    )
    for key in draw(st.sets(st.sampled_from(sorted(VALUES)), max_size=2)):
        value[key] = draw(VALUES[key])
    if draw(st.integers(0, 5)) == 0:
        del value[draw(st.sampled_from(sorted(value)))]
    return value


@settings(max_examples=EXACTNESS_EXAMPLES[profile_name()])
@given(near_bare())
def test_a_bare_record_is_valid_for_both_validators(value: dict[str, Any]) -> None:
    """What `bare_gold` takes, the compiled validator and the reference one take too (so it
    may skip them); and `gold_record_problems`, which takes a bare record whose text hashes
    right without any check, says of every record what the checks say."""
    if bare_gold(value):
        assert fast.compiled_says_valid("annotation", value)
        assert list(validator("annotation").iter_errors(value)) == []
    record = Record(value, 1, True)
    said = [str(problem) for problem in gold_record_problems(record, "g.jsonl", DocIdRegister())]
    if isinstance(value.get("text"), str):
        checked = record_problems(record, "annotation", "g.jsonl")
        assert said == [str(problem) for problem in checked]
    else:
        assert said == ["g.jsonl, line 1, at /text: gold record without its document text; "
                        "expected each gold record to carry `text`"]  # fmt: skip
