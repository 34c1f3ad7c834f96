"""The label inventory, read from schema/labels.json (the one source of truth)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from .paths import schema_dir

INVENTORIES = (
    "entity_types",
    "mention_kinds",
    "claim_polarity",
    "claim_certainty",
    "attribution_types",
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
