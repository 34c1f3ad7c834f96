"""Folders of gold-shaped annotation files: `annotations/gold/`, `annotations/passes/<name>/`.

One `<doc_id>.json` per document, each validated as a gold annotation against the text it is
bound to (its `text_sha256`), so a pass, the adjudicated gold and `--gold FOLDER` are read alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sourcetrace.errors import InputError, raise_all
from sourcetrace.jsonio import read_records
from sourcetrace.schema.validation import DocIdRegister, validate_record


def read_pass(path: Path, texts: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """A pass folder (<doc_id>.json files) or a JSONL file of gold-shaped annotations."""
    path = Path(path)
    if not path.exists():
        raise InputError(
            "annotation pass not found",
            file=path,
            expected="a folder of <doc_id>.json gold files, or a gold JSONL file",
        )
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    if not files:
        raise InputError(
            "annotation pass folder has no .json files",
            file=path,
            expected="one <doc_id>.json gold file per document",
        )
    documents: dict[str, dict[str, Any]] = {}
    register = DocIdRegister("one annotation per document in a pass")
    problems: list[InputError] = []
    for file in files:
        _, records = read_records(file)
        for record in records:
            found = validate_record(
                record.value, "annotation", file, record.line, text_for=texts.get
            )
            if not found and path.is_dir() and record.value["doc_id"] != file.stem:
                found.append(
                    InputError(
                        f"file name does not match doc_id {record.value['doc_id']!r}",
                        file=file,
                        line=record.line,
                        pointer="/doc_id",
                        expected=f"{record.value['doc_id']}.json in a pass folder",
                    )
                )
            found += register.check(record.value, file, record.line)
            problems += found
            if not found:
                documents[record.value["doc_id"]] = record.value
    raise_all(problems)
    return documents
