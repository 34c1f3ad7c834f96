"""Label Studio JSON exports -> annotation passes, `annotations/passes/<pass>-<annotator>/`.

Each finished annotation of a task becomes one gold-shaped file, validated like any pass
(schema, semantics, bound to the sha256 of the checkout's text). Several annotators on one task
give several passes, never a merge. Spans are placed in code points (`offsets.resolve`); every
repair is reported, and anything that cannot be placed refuses the whole import: nothing is
written unless everything is valid, and every write is atomic.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, InputErrors
from ..jsonio import atomic_write, dumps_pretty, read_json
from ..labels import load_labels
from ..schema import sha256_text, validate_record
from .convert import from_result
from .tasks import read_documents

PASS_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass
class Imported:
    """Files to write (path -> annotation) and the report lines: repairs, skipped annotations."""

    files: dict[Path, dict[str, Any]] = field(default_factory=dict)
    repairs: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def annotator_name(completed_by: Any, users: Mapping[int, str]) -> str:
    """A pass-name suffix for an annotator: the e-mail's local part, else `user<id>`."""
    email = None
    if isinstance(completed_by, Mapping):
        email = completed_by.get("email")
        completed_by = completed_by.get("id")
    email = email or users.get(completed_by)
    if isinstance(email, str) and "@" in email:
        name = re.sub(r"[^a-z0-9_-]+", "-", email.split("@")[0].lower()).strip("-")
        if name:
            return name
    return f"user{completed_by}"


def check_pass_name(name: str) -> str:
    if not PASS_NAME.match(name):
        raise InputError(
            f"pass name {name!r} is not usable as a folder name",
            file="--pass",
            expected="lower-case letters, digits, '-' and '_', starting with a letter or digit",
        )
    return name


def _tasks_of(export: Any, source: str) -> list[Mapping[str, Any]]:
    if isinstance(export, Mapping):
        export = [export]
    if not isinstance(export, list) or not all(isinstance(t, Mapping) for t in export):
        raise InputError(
            "not a Label Studio JSON export",
            file=source,
            expected="a JSON list of tasks, each with data and annotations",
        )
    return export


def convert_export(
    export: Any,
    *,
    root: Path,
    pass_name: str,
    source: str,
    users: Mapping[int, str] | None = None,
) -> Imported:
    """Everything an export would write, or InputErrors naming file, task and region."""
    check_pass_name(pass_name)
    users = users or {}
    documents = read_documents(root)
    labels = load_labels()
    passes = Path(root) / "annotations" / "passes"
    imported, problems = Imported(), []
    seen: dict[tuple[str, str], str] = {}  # (pass, doc_id) -> where first
    for index, task in enumerate(_tasks_of(export, source)):
        data = task.get("data") or {}
        doc_id, task_id = data.get("doc_id"), task.get("id", f"#{index}")
        where = f"task {task_id}"
        document = documents.get(doc_id)
        if document is None:
            problems.append(
                InputError(
                    f"{where}: doc_id {doc_id!r} is not a document of this checkout",
                    file=source,
                    expected="tasks made by `sourcetrace studio tasks` or `push` (data.doc_id)",
                )
            )
            continue
        text = document["text"]
        if data.get("text") != text:
            problems.append(
                InputError(
                    f"{where}: the task's text is not the text of {doc_id} "
                    f"(sha256 {sha256_text(str(data.get('text')))[:12]}... against "
                    f"{document['text_sha256'][:12]}...): it was made on another text",
                    file=source,
                    expected=f"the text of seeds/{document['seed_file']}",
                )
            )
            continue
        for annotation in task.get("annotations") or []:
            annotator = annotator_name(annotation.get("completed_by"), users)
            label = f"{where}, annotation {annotation.get('id')} by {annotator}"
            if annotation.get("was_cancelled"):
                imported.skipped.append(f"{source}: {label}: skipped (cancelled in Label Studio)")
                continue
            name = f"{pass_name}-{annotator}"
            if (name, doc_id) in seen:
                problems.append(
                    InputError(
                        f"{label}: a second annotation of {doc_id} by the same annotator (the "
                        f"first is {seen[name, doc_id]}); passes are never merged",
                        file=source,
                        expected="one finished annotation per annotator and task (delete one in "
                        "Label Studio)",
                    )
                )
                continue
            seen[name, doc_id] = label
            converted = from_result(
                annotation.get("result"),
                text,
                doc_id=doc_id,
                text_sha256=document["text_sha256"],
                labels=labels,
                describe=lambda message, label=label: f"{label}, {message}",
            )
            imported.repairs += [f"{source}: {r}" for r in converted.repairs]
            if converted.problems:
                problems += [
                    InputError(p, file=source, expected="a span, attribute or relation as the "
                               "generated config makes them")
                    for p in converted.problems
                ]  # fmt: skip
                continue
            target = passes / name / f"{doc_id}.json"
            found = validate_record(
                converted.annotation, "annotation", target, 1, text_for={doc_id: text}.get
            )
            for problem in found:
                problem.message = f"{label}: {problem.message}"
            problems += found
            if not found:
                imported.files[target] = converted.annotation
    if problems:
        raise problems[0] if len(problems) == 1 else InputErrors(problems)
    return imported


def write(imported: Imported, *, overwrite: bool = False) -> list[Path]:
    """Write the files (atomically), refusing to replace other content unless asked."""
    texts = {path: dumps_pretty(value) for path, value in imported.files.items()}
    clashes = [
        path
        for path, text in texts.items()
        if path.exists() and path.read_text(encoding="utf-8") != text
    ]
    if clashes and not overwrite:
        raise InputError(
            f"{len(clashes)} pass file(s) exist with other content: "
            + ", ".join(str(p) for p in clashes[:5]),
            file=clashes[0],
            expected="a new --pass name, or --overwrite to replace them",
        )
    for path, text in sorted(texts.items()):
        atomic_write(path, text)
    return sorted(texts)


def import_export(
    path: Path, *, root: Path, pass_name: str, overwrite: bool = False
) -> tuple[Imported, list[Path]]:
    """`sourcetrace studio import`: read an export file, convert it all, then write."""
    imported = convert_export(read_json(path), root=root, pass_name=pass_name, source=str(path))
    return imported, write(imported, overwrite=overwrite)
