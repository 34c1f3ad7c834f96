"""Compiled JSON Schema validation (jsonschema-rs) that never disagrees with the reference.

The reference validator (`jsonschema`, pure Python) words every message the project prints, but
it is slow. The compiled one checks the same `schema/*.json` files; it is trusted only to say
"valid", and only on values where the two cannot disagree:

- values of plain JSON types: jsonschema-rs takes a tuple for an array, reads an infinite float
  as no number, and fails on a str subclass, where jsonschema does otherwise; a value is plain
  when the reader made it (``Record.plain_json``) or when it equals its own JSON round trip;
- formats: each `format` the schema names is checked by jsonschema's own FormatChecker function
  (jsonschema-rs's built-in "date" takes year 0000, which Python's date does not);
- patterns: Python's `$` also matches before a final newline and its `\\d` takes any Unicode
  digit, so jsonschema-rs is stricter there, never more lenient; a record it refuses goes to the
  reference validator, which decides.

Whenever the compiled validator says invalid, or cannot take a value, the caller runs the
reference validator, so every message and every decision stays the reference's.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import orjson
from jsonschema_rs import Draft202012Validator as CompiledValidator

from sourcetrace.paths import schema_dir


@cache
def compiled_validator(kind: str) -> CompiledValidator:
    """The compiled validator of `schema/<kind>.schema.json`, its formats checked as jsonschema
    checks them."""
    schema = json.loads((schema_dir() / f"{kind}.schema.json").read_text(encoding="utf-8"))
    return CompiledValidator(
        schema, validate_formats=True, formats=_reference_formats(set(_format_names(schema)))
    )


def _format_names(schema: Any) -> Iterator[str]:
    """Every value of a `format` keyword anywhere in a schema."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("format"), str):
                yield node["format"]
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def _reference_formats(names: set[str]) -> dict[str, Callable[[str], bool]]:
    """jsonschema's FormatChecker functions for these formats (jsonschema is imported only for a
    schema that names a format: it is the slowest import of the command line)."""
    if not names:
        return {}
    from jsonschema import FormatChecker

    checker = FormatChecker()
    return {name: (lambda value, name=name: checker.conforms(value, name)) for name in names}


def is_plain_json(value: Any) -> bool:
    """True when ``value`` holds JSON types only, as the reader would make them: it equals its
    orjson round trip (which refuses a lone surrogate, a non-str key, an integer beyond 64 bits
    and any other type, and turns a tuple into a list and NaN or infinity into null)."""
    try:
        return orjson.loads(orjson.dumps(value)) == value
    except (TypeError, ValueError):  # orjson's errors subclass these
        return False


def compiled_says_valid(kind: str, value: Any) -> bool:
    """True only when the reference validator would find no schema problem in ``value``, which
    must be plain JSON (see the module docstring); False means "ask the reference"."""
    validator = compiled_validator(kind)
    try:
        return validator.is_valid(value)
    except Exception:  # a value jsonschema-rs cannot take: the reference decides
        return False
