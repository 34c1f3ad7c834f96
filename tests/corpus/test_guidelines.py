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
    for inventory in ("claim_polarity", "claim_certainty", "attribution_types"):
        for value in LABELS[inventory]:
            assert f"`{value}`" in GUIDELINES, value
