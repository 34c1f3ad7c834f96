"""The label inventory, read from schema/labels.json (the one source of truth)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any

from sourcetrace.paths import schema_dir

INVENTORIES = (
    "entity_types",
    "mention_kinds",
    "claim_polarity",
    "claim_certainty",
    "attribution_types",
    "attribution_content_types",
    "zone_kinds",
    "date_sources",
    "checkworthiness_questions",
    "link_relations",
)


@cache
def load_labels() -> dict[str, Any]:
    return json.loads((schema_dir() / "labels.json").read_text(encoding="utf-8"))


def names(inventory: str) -> list[str]:
    """The label names of one inventory, in the order labels.json gives them."""
    return list(load_labels()[inventory])


CHECKWORTHY_MIN_SCORE = 2
"""A claim is check-worthy when its rubric score is at least this (GUIDELINES.md 2.4)."""

CHECKWORTHINESS_RULE = (
    "score 0 when the first question (verifiable) is answered no, else the number of yes among "
    "the other questions"
)


def checkworthiness_score(answers: Mapping[str, bool]) -> int:
    """The graded 0-3 check-worthiness of a claim from its rubric answers: a claim that states
    nothing verifiable scores 0 whatever else holds (the first question gates the others)."""
    gate, *graded = names("checkworthiness_questions")
    return sum(bool(answers[q]) for q in graded) if answers[gate] else 0
