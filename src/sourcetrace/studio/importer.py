"""Label Studio JSON exports -> annotation passes, `annotations/passes/<pass>-<annotator>/`.

Each finished annotation of a task becomes one gold-shaped file, validated like any pass
(schema, semantics, bound to the sha256 of the checkout's text). Several annotators on one task
give several passes, never a merge. Spans are placed in code points (`offsets.resolve`); every
repair is reported, and anything that cannot be placed refuses the whole import: nothing is
written unless everything is valid, and every write is atomic.

An export is input from outside: its shape is checked before it is read (a wrong shape is an
InputError naming the JSON pointer), annotator names become folder names only through
`names.folder_name`, and every file is checked to land inside its pass folder (`names.confined`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sourcetrace.errors import InputError, InputErrors
from sourcetrace.jsonio import atomic_write, dumps_pretty, read_json
from sourcetrace.schema.labels import load_labels
from sourcetrace.schema.validation import sha256_text, validate_record
from sourcetrace.studio.convert import from_result
from sourcetrace.studio.names import assign_folders, check_pass_name, confined, folder_name, quoted
from sourcetrace.studio.tasks import read_documents

PASSES = Path("annotations") / "passes"
GOLD = Path("annotations") / "gold"
# keys of a result item that the converter compares and looks up: a string or nothing
_STRING_KEYS = ("type", "id", "from_name", "to_name", "from_id", "to_id", "direction")


@dataclass
class Imported:
    """Files to write (path -> annotation), the pass root they must stay in, and the report
    lines: repairs, skipped annotations, notes (annotators whose names collided)."""

    files: dict[Path, dict[str, Any]] = field(default_factory=dict)
    repairs: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    root: Path | None = None


@dataclass(frozen=True)
class Annotator:
    """Who made an annotation: ``identity`` tells two annotators apart (ASCII, as shown in
    messages: `user id 7`, a JSON string, `unknown`), ``name`` is the safe folder name wanted
    for them (before collisions are resolved)."""

    identity: str
    name: str


def _local_part(email: Any) -> str | None:
    if isinstance(email, str) and "@" in email and email.split("@")[0].strip():
        return email.split("@")[0]
    return None


def annotator_of(completed_by: Any, users: Mapping[int, str]) -> Annotator | None:
    """The annotator of ``completed_by`` (a user id, a name, or an object with id and/or
    email), named by the e-mail's local part, else the name, else `user<id>`; None when it
    has none of these shapes."""
    email: Any = None
    if isinstance(completed_by, Mapping):
        email = completed_by.get("email")
        if email is not None and not isinstance(email, str):
            return None
        completed_by = completed_by.get("id", email)
    if type(completed_by) is int:
        local = _local_part(email) or _local_part(users.get(completed_by))
        name = folder_name(local) if local else folder_name(f"user{completed_by}")
        return Annotator(f"user id {completed_by}", name)
    if isinstance(completed_by, str):
        local = _local_part(email) or _local_part(completed_by) or completed_by
        return Annotator(quoted(completed_by, limit=None), folder_name(local))
    if completed_by is None:
        return Annotator("unknown", "unknown")
    return None


def _kind(value: Any) -> str:
    """What a JSON value is, for a message (the value itself may be anything)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    names = {str: "a string", int: "a number", float: "a number", list: "a list"}
    return next((n for t, n in names.items() if isinstance(value, t)), "an object")


def _shape_error(source: str, pointer: str, what: str, value: Any, expected: str) -> InputError:
    return InputError(
        f"{what} is {_kind(value)}",
        file=source,
        pointer=pointer or "/",
        expected=f"{expected} (the shape of a Label Studio JSON export)",
    )


def _result_problems(result: Any, source: str, at: str) -> list[InputError]:
    """What in a result would not be read as result items (the converter judges the rest)."""
    if not isinstance(result, list):
        return [
            _shape_error(source, at, "the annotation's result", result, "a list of result items")
        ]
    problems = []
    for k, item in enumerate(result):
        here = f"{at}/{k}"
        if not isinstance(item, Mapping):
            problems.append(_shape_error(source, here, "a result item", item, "an object"))
            continue
        for key in _STRING_KEYS:
            if item.get(key) is not None and not isinstance(item[key], str):
                problems.append(_shape_error(source, f"{here}/{key}", key, item[key], "a string"))
        if item.get("labels") is not None and not isinstance(item["labels"], list):
            problems.append(
                _shape_error(source, f"{here}/labels", "labels", item["labels"], "a list")
            )
        value = item.get("value")
        if value is None:
            continue
        if not isinstance(value, Mapping):
            problems.append(_shape_error(source, f"{here}/value", "value", value, "an object"))
            continue
        for key in ("labels", "choices"):
            if value.get(key) is not None and not isinstance(value[key], (list, str)):
                problems.append(
                    _shape_error(
                        source, f"{here}/value/{key}", key, value[key], "a list of strings"
                    )
                )
    return problems


@dataclass
class _Annotation:
    pointer: str
    task_label: str
    doc_id: str
    text: str
    annotator: Annotator
    value: Mapping[str, Any]


def _tasks_of(export: Any, source: str) -> list[tuple[str, Any]]:
    """(JSON pointer, task) of an export: a list of tasks, or one task object."""
    if isinstance(export, Mapping):
        return [("", export)]
    if not isinstance(export, list):
        raise _shape_error(source, "", "the file", export, "a JSON list of tasks")
    return [(f"/{i}", task) for i, task in enumerate(export)]


def _annotations(
    export: Any,
    source: str,
    documents: Mapping[str, Any],
    users: Mapping[int, str],
    only: set[str] | None,
) -> tuple[list[_Annotation], list[InputError]]:
    """Every annotation of the export, with its task's document and its annotator, or the
    problems of shape and of documents (a task on another text, an unknown doc_id)."""
    found, problems = [], []
    for at, task in _tasks_of(export, source):
        if not isinstance(task, Mapping):
            problems.append(_shape_error(source, at, "a task", task, "an object"))
            continue
        data = task.get("data")
        if not isinstance(data, Mapping):
            problems.append(
                _shape_error(source, f"{at}/data", "the task's data", data, "an object")
            )
            continue
        doc_id = data.get("doc_id")
        if not isinstance(doc_id, str):
            problems.append(
                _shape_error(source, f"{at}/data/doc_id", "the task's doc_id", doc_id, "a string")
            )
            continue
        if only is not None and doc_id not in only:
            continue
        annotations = task.get("annotations")
        if annotations is not None and not isinstance(annotations, list):
            where = f"{at}/annotations"
            problems.append(
                _shape_error(source, where, "annotations", annotations, "a list of objects")
            )
            continue
        label = f"task {quoted(task.get('id', at or '/'))}"
        document = documents.get(doc_id)
        if document is None:
            problems.append(
                InputError(
                    f"{label}: doc_id {quoted(doc_id)} is not a document of this checkout",
                    file=source,
                    pointer=f"{at}/data/doc_id",
                    expected="tasks made by `sourcetrace studio tasks` or `push` (data.doc_id)",
                )
            )
            continue
        text = document["text"]
        if data.get("text") != text:
            problems.append(
                InputError(
                    f"{label}: the task's text is not the text of {doc_id} "
                    f"(sha256 {sha256_text(str(data.get('text')))[:12]}... against "
                    f"{document['text_sha256'][:12]}...): it was made on another text",
                    file=source,
                    pointer=f"{at}/data/text",
                    expected=f"the text of seeds/{document['seed_file']}",
                )
            )
            continue
        for j, annotation in enumerate(annotations or []):
            here = f"{at}/annotations/{j}"
            if not isinstance(annotation, Mapping):
                problems.append(
                    _shape_error(source, here, "an annotation", annotation, "an object")
                )
                continue
            annotator = annotator_of(annotation.get("completed_by"), users)
            if annotator is None:
                problems.append(
                    _shape_error(
                        source,
                        f"{here}/completed_by",
                        "completed_by",
                        annotation.get("completed_by"),
                        "a user id, a name, or an object with id and/or email",
                    )
                )
                continue
            found.append(_Annotation(here, label, doc_id, text, annotator, annotation))
    return found, problems


def convert_export(
    export: Any,
    *,
    root: Path,
    pass_name: str,
    source: str,
    users: Mapping[int, str] | None = None,
    doc_ids: set[str] | None = None,
) -> Imported:
    """Everything an export would write (only ``doc_ids``' tasks when given), or InputErrors
    naming file, JSON pointer, task and region."""
    check_pass_name(pass_name)
    documents = read_documents(root)
    labels = load_labels()
    passes = Path(root) / PASSES
    found, problems = _annotations(export, source, documents, users or {}, doc_ids)
    folders, notes = assign_folders({a.annotator.identity: a.annotator.name for a in found})
    imported = Imported(notes=[f"{source}: {n}" for n in notes], root=Path(root))
    seen: dict[tuple[str, str], str] = {}  # (annotator, doc_id) -> where first
    for item in found:
        annotation, doc_id = item.value, item.doc_id
        name = f"{pass_name}-{folders[item.annotator.identity]}"
        label = f"{item.task_label}, annotation {quoted(annotation.get('id'))} by {name}"
        if annotation.get("was_cancelled"):
            imported.skipped.append(f"{source}: {label}: skipped (cancelled in Label Studio)")
            continue
        shape = _result_problems(annotation.get("result"), source, f"{item.pointer}/result")
        if shape:
            problems += shape
            continue
        if (name, doc_id) in seen:
            problems.append(
                InputError(
                    f"{label}: a second annotation of {doc_id} by the same annotator (the "
                    f"first is {seen[name, doc_id]}); passes are never merged",
                    file=source,
                    pointer=item.pointer,
                    expected="one finished annotation per annotator and task (delete one in "
                    "Label Studio)",
                )
            )
            continue
        seen[name, doc_id] = label
        converted = from_result(
            annotation["result"],
            item.text,
            doc_id=doc_id,
            text_sha256=documents[doc_id]["text_sha256"],
            labels=labels,
            describe=lambda message, label=label: f"{label}, {message}",
        )
        imported.repairs += [f"{source}: {r}" for r in converted.repairs]
        if converted.problems:
            problems += [
                InputError(p, file=source, pointer=f"{item.pointer}/result", expected="a span, "
                           "attribute or relation as the generated config makes them")
                for p in converted.problems
            ]  # fmt: skip
            continue
        target = confined(passes / name / f"{doc_id}.json", passes, [Path(root) / GOLD])
        found_problems = validate_record(
            converted.annotation, "annotation", target, 1, text_for={doc_id: item.text}.get
        )
        for problem in found_problems:
            problem.message = f"{label}: {problem.message}"
        problems += found_problems
        if not found_problems:
            imported.files[target] = converted.annotation
    if problems:
        raise problems[0] if len(problems) == 1 else InputErrors(problems)
    return imported


def write(imported: Imported, *, overwrite: bool = False) -> list[Path]:
    """Write the files (atomically), refusing to replace other content unless asked, and
    checking again, just before, that each lands inside its pass folder."""
    if imported.files and imported.root is None:
        raise ValueError("Imported.root is needed to check where its files go")
    for path in imported.files:
        confined(path, imported.root / PASSES, [imported.root / GOLD])
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
