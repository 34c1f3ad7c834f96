"""labels.json is the one label inventory: every schema enum comes from it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from gold_factory import ROOT

SCHEMAS = ["annotation", "prediction", "document", "links"]


def enums(node: Any, where: str = "") -> Iterator[tuple[str, list]]:
    if isinstance(node, dict):
        if "enum" in node:
            yield where, node["enum"]
        for key, value in node.items():
            if key != "examples":
                yield from enums(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from enums(value, f"{where}/{index}")


def test_every_schema_enum_is_a_labels_json_inventory():
    labels = json.loads((ROOT / "schema" / "labels.json").read_text())
    inventories = {name: list(value) for name, value in labels.items() if isinstance(value, dict)}
    used = set()
    count = 0
    for name in SCHEMAS:
        schema = json.loads((ROOT / "schema" / f"{name}.schema.json").read_text())
        for where, values in enums(schema):
            count += 1
            match = [inv for inv, names in inventories.items() if names == values]
            assert match, f"{name}.schema.json{where}: enum {values} is not in labels.json"
            used.update(match)
    assert count >= 10
    # every inventory is used by some schema (zone kinds, dates, relations included)
    assert used == set(inventories)


def test_every_label_has_a_one_line_definition():
    labels = json.loads((ROOT / "schema" / "labels.json").read_text())
    for inventory, entries in labels.items():
        if not isinstance(entries, dict):
            continue
        for label, definition in entries.items():
            assert isinstance(definition, str) and definition.strip(), (inventory, label)
            assert "\n" not in definition


def test_schemas_have_ids_titles_descriptions_and_valid_examples():
    from jsonschema import Draft202012Validator

    for name in SCHEMAS + ["report"]:
        schema = json.loads((ROOT / "schema" / f"{name}.schema.json").read_text())
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$id"].endswith(f"/{name}.schema.json")
        assert schema["title"] and schema["description"]
        assert schema["examples"]
        for example in schema["examples"]:
            Draft202012Validator(schema).validate(example)
