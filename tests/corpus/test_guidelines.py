"""annotations/GUIDELINES.md: each quoted example is where it says; its tables are labels.json."""

from __future__ import annotations

import json
import re

from gold_factory import ROOT, seed_text

GUIDELINES = (ROOT / "annotations" / "GUIDELINES.md").read_text(encoding="utf-8")
LABELS = json.loads((ROOT / "schema" / "labels.json").read_text(encoding="utf-8"))
EXAMPLE = re.compile(r"`(st-\d{3})\[(\d+):(\d+)\]` `([^`]+)`")


def test_every_quoted_example_is_the_seed_text_at_its_offsets():
    examples = EXAMPLE.findall(GUIDELINES)
    assert len(examples) >= 60  # the guidelines quote the corpus throughout
    wrong = [
        (doc_id, start, end, quoted)
        for doc_id, start, end, quoted in examples
        if seed_text(doc_id)[int(start) : int(end)] != quoted
    ]
    assert wrong == []


def table_rows(header: str) -> dict[str, str]:
    """The `| `NAME` | definition |` rows of the table that starts with this header row."""
    table = GUIDELINES.split(header + "\n", 1)[1].split("\n\n", 1)[0]
    return dict(re.findall(r"^\| `([^`]+)` \| (.+) \|$", table, re.M))


def test_the_type_and_mention_tables_are_the_label_inventory():
    assert table_rows("| type | definition |") == LABELS["entity_types"]
    assert table_rows("| mention | definition |") == LABELS["mention_kinds"]


def test_every_label_value_the_guidelines_name_exists():
    # attribute values written in backticks in the claim and attribution sections
    for inventory in (
        "claim_polarity",
        "claim_certainty",
        "attribution_types",
        "attribution_content_types",
    ):
        for value in LABELS[inventory]:
            assert f"`{value}`" in GUIDELINES, value


GOLD = ROOT / "annotations" / "gold"
TYPED_EXAMPLE = re.compile(EXAMPLE.pattern + r" \((" + "|".join(LABELS["entity_types"]) + r")\b")


def gold(doc_id: str) -> dict:
    return json.loads((GOLD / f"{doc_id}.json").read_text(encoding="utf-8"))


def test_every_typed_entity_example_is_a_gold_mention_of_that_type():
    # "`st-000[905:918]` `Azov district` (GPE)": the guideline's type is the gold's, so a decision
    # such as administrative status for GPE cannot drift from the data it describes
    examples = TYPED_EXAMPLE.findall(GUIDELINES)
    assert len(examples) >= 20
    wrong = []
    for doc_id, start, end, quoted, type_ in examples:
        types = {
            e["type"]
            for e in gold(doc_id)["entities"]
            if (e["start"], e["end"]) == (int(start), int(end))
        }
        if type_ not in types:
            wrong.append((doc_id, start, end, quoted, type_, types))
    assert wrong == []


def test_the_worked_example_is_the_gold_itself():
    block = GUIDELINES.split("### 3.7 Worked example", 1)[1].split("```json\n", 1)[1]
    shown = json.loads(block.split("\n```", 1)[0])
    record = gold(shown["doc_id"])
    assert shown["text_sha256"] == record["text_sha256"]
    for layer in ("claims", "attributions"):
        by_id = {item["id"]: item for item in record[layer]}
        assert shown[layer] and [by_id[item["id"]] for item in shown[layer]] == shown[layer]


def rubric_rows() -> list[list[str]]:
    table = GUIDELINES.split("| claim | Q1 | Q2 | Q3 | Q4 | score | checkworthy |\n", 1)[1]
    rows = table.split("\n\n", 1)[0].splitlines()[1:]  # after the |---| row
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]


def test_every_rubric_example_is_the_answers_and_score_of_its_gold_claim():
    questions = list(LABELS["checkworthiness_questions"])
    rows = rubric_rows()
    assert len(rows) >= 4
    for cells in rows:
        doc_id, start, end, quoted = EXAMPLE.search(cells[0]).groups()
        start, end = int(start), int(end)
        assert seed_text(doc_id)[start:end] == quoted
        # the smallest gold claim that holds the quoted span
        claim = min(
            (c for c in gold(doc_id)["claims"] if c["start"] <= start and end <= c["end"]),
            key=lambda c: c["end"] - c["start"],
        )
        rubric = claim["checkworthiness"]
        said = [cell.split(" ", 1)[0] == "yes" for cell in cells[1:5]]
        assert said == [rubric["answers"][q] for q in questions], (doc_id, claim["id"])
        assert int(cells[5]) == rubric["score"], (doc_id, claim["id"])
        assert cells[6] == str(claim["checkworthy"]).lower(), (doc_id, claim["id"])


def test_the_provenance_example_is_the_gold_itself():
    section = GUIDELINES.split("## 6. Provenance", 1)[1]
    shown = json.loads(section.split("```json\n", 1)[1].split("\n```", 1)[0])
    doc_id = re.search(r"Example \((st-\d{3})", section).group(1)
    by_id = {edge["id"]: edge for edge in gold(doc_id)["provenance"]}
    assert shown and [by_id[edge["id"]] for edge in shown] == shown
    # the mentions the example names by offsets are the mentions its edges use
    quoted = {(int(s), int(e)) for d, s, e, _ in EXAMPLE.findall(section) if d == doc_id}
    mentions = {m["id"]: (m["start"], m["end"]) for m in gold(doc_id)["entities"]}
    used = {
        mentions[node["mention"]]
        for edge in shown
        for node in (edge["reporter"], edge["reported"])
        if isinstance(node, dict) and "mention" in node
    }
    assert used == quoted


SOURCE_SPAN_EXAMPLE = re.compile(EXAMPLE.pattern + r" \(source span\)")
CONTENT_TYPE_EXAMPLE = re.compile(EXAMPLE.pattern + r" \(content type `([a-z]+)`\)")


def test_every_source_span_example_is_a_gold_source_span():
    # "`st-004[389:441]` `Ukrainian military intelligence chief Kyrylo Budanov` (source span)"
    examples = SOURCE_SPAN_EXAMPLE.findall(GUIDELINES)
    assert len(examples) >= 6
    wrong = [
        (doc_id, start, end, quoted)
        for doc_id, start, end, quoted in examples
        if {"start": int(start), "end": int(end), "text": quoted}
        not in [a.get("source_span") for a in gold(doc_id)["attributions"]]
    ]
    assert wrong == []


def test_every_content_type_example_is_the_type_of_the_gold_attribution_with_that_cue():
    # "`st-004[98:105]` `believe` (content type `belief`)": the cue's attribution has that type
    examples = CONTENT_TYPE_EXAMPLE.findall(GUIDELINES)
    found_types = {content_type for *_, content_type in examples}
    assert found_types >= {"assertion", "belief", "fact"}  # no gold eventuality (§3.8 says so)
    assert found_types <= set(LABELS["attribution_content_types"])
    wrong = []
    for doc_id, start, end, quoted, content_type in examples:
        types = {
            a.get("content_type")
            for a in gold(doc_id)["attributions"]
            if a["cue"] and (a["cue"]["start"], a["cue"]["end"]) == (int(start), int(end))
        }
        if types != {content_type}:
            wrong.append((doc_id, start, end, quoted, content_type, types))
    assert wrong == []
