"""Reading a published corpus folder once: the MANIFEST and every file it names, hashed while read.

Every reader of a corpus folder (evaluate, load(), folds(), info, diff, story, the baselines,
studio tasks/push, corpus add, the texts behind `--gold annotations/gold`) takes one `Release`
from `check_folder`, and every figure, row and signature it gives comes from that one read:
never a second read of the live folder, which a build may have swapped in the meantime.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sourcetrace.errors import InputError, LimitError, raise_all
from sourcetrace.jsonio import (
    READ_CHUNK_BYTES,
    Record,
    check_regular_file,
    decode_utf8,
    explicit_max_input_bytes,
    gc_paused,
    iter_jsonl_records,
    max_input_bytes,
    parse_json,
    read_checked_bytes,
    read_json,
)
from sourcetrace.schema.validation import LAYERS, excerpt, sha256_text, validate_record

# The fields of a document record, in the order a row of data/documents.jsonl has them.
DOCUMENT_FIELDS = (
    "doc_id",
    "text",
    "text_sha256",
    "seed_file",
    "title",
    "outlet",
    "author",
    "url",
    "published",
    "date_source",
    "date_note",
    "language",
    "story_id",
    "zones",
)
MANIFEST = "MANIFEST.json"
DOCUMENTS = "data/documents.jsonl"
# Files a release may hold that its MANIFEST does not list: the MANIFEST itself, and the changelog,
# edited by hand (the corpus version is its newest heading), whose sha256 is among the
# MANIFEST's `sources`, which `corpus verify --root` compares with the checkout.
UNLISTED_ALLOWED = (MANIFEST, "CHANGELOG.md")
# A build swapping the folder while it is read: read it again, at most this many times.
SWAP_RETRIES = 8

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_VERSION = re.compile(r"^\d+\.\d+\.\d+$")
# a path inside the corpus folder: no "..", no absolute path, no hidden file
_INSIDE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def data_sha256(file_hashes: Mapping[str, str]) -> str:
    """One hash over all data files, order-independent: what signatures and the card cite."""
    lines = "".join(f"{path} {digest}\n" for path, digest in sorted(file_hashes.items()))
    return sha256_bytes(lines.encode("utf-8"))


def is_temp_name(name: str) -> bool:
    """A temp file of atomic_write (`.NAME.XXXX.tmp`): never part of a release."""
    return name.startswith(".") and name.endswith(".tmp")


# ---------------------------------------------------------------- the MANIFEST's shape


def manifest_problem(manifest: Any) -> tuple[str, str] | None:
    """(pointer, what is wrong) for the first fault in a MANIFEST's shape, else None."""
    if not isinstance(manifest, dict):
        return "/", f"a JSON {type(manifest).__name__}, not an object"
    version = manifest.get("version")
    if not isinstance(version, str) or not _VERSION.match(version):
        return "/version", f"version {excerpt(str(version))} is not X.Y.Z"
    if not isinstance(manifest.get("data_sha256"), str) or not _SHA256.match(
        manifest["data_sha256"]
    ):
        return "/data_sha256", "data_sha256 is not a sha256 in hex"
    files = manifest.get("files")
    if not isinstance(files, dict):
        return "/files", f"files is a {type(files).__name__}, not an object"
    for rel, entry in files.items():
        if not _INSIDE.match(rel):
            return f"/files/{rel}", f"the path {excerpt(rel)} leads out of the corpus folder"
        if not isinstance(entry, dict) or not _SHA256.match(str(entry.get("sha256"))):
            return f"/files/{rel}", "an entry without a sha256 in hex"
    documents = manifest.get("documents", {})
    if not isinstance(documents, dict):
        return "/documents", f"documents is a {type(documents).__name__}, not an object"
    for doc_id, entry in documents.items():
        if not isinstance(entry, dict) or not _SHA256.match(str(entry.get("text_sha256"))):
            return f"/documents/{doc_id}", "a document without a text_sha256 in hex"
    return None


_MANIFEST_EXPECTED = (
    "name, version X.Y.Z, data_sha256 and files {path: {sha256, ...}} with paths inside the "
    "corpus folder (rebuild it, or restore it from version control)"
)


def _malformed_manifest(path: Path, where: str, what: str) -> InputError:
    return InputError(
        f"not a MANIFEST as `sourcetrace corpus build` writes it: {what}",
        file=path,
        pointer=where,
        expected=_MANIFEST_EXPECTED,
    )


def read_manifest(corpus: Path) -> dict[str, Any] | None:
    """The MANIFEST.json of a corpus folder, checked for the shape `build` writes; None if absent.
    For `build`, which needs the last release's version and data sha256 only; readers of the
    data take a whole `Release` (`check_folder`)."""
    path = Path(corpus) / MANIFEST
    if not path.is_file():
        return None
    manifest = read_json(path)
    problem = manifest_problem(manifest)
    if problem is not None:
        raise _malformed_manifest(path, *problem)
    return manifest


# ---------------------------------------------------------------- document rows

_ROW_FIELDS = {"doc_id": str, "text": str, "story_id": str, "annotated": bool}


def row_problem(row: Any) -> tuple[str, str] | None:
    """(pointer, what is wrong) for a row of data/documents.jsonl that readers cannot use:
    doc_id and text are required; story_id, annotated and the layers have their types, and
    every item of a layer is an object with whole-number offsets where it has them."""
    if not isinstance(row, dict):
        return "/", f"a JSON {type(row).__name__}, not an object"
    for name, kind in _ROW_FIELDS.items():
        value = row.get(name)
        if (name in ("doc_id", "text") or value is not None) and not isinstance(value, kind):
            return f"/{name}", f"{name} is missing or not a {kind.__name__}"
    for layer in LAYERS:
        items = row.get(layer, [])
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            return f"/{layer}", f"{layer} is not a list of objects"
    return None


# ---------------------------------------------------------------- one read of a release


@dataclass(frozen=True)
class Finding:
    """One way a corpus folder is not what its MANIFEST.json says (a failed check)."""

    path: Path
    message: str
    line: int | None = None
    pointer: str | None = None

    def __str__(self) -> str:
        where = f", line {self.line}" if self.line is not None else ""
        where += f", at {self.pointer}" if self.pointer else ""
        return f"{self.path}{where}: {self.message}"


@dataclass(frozen=True)
class Release:
    """A corpus folder as read once: its MANIFEST, the sha256 of each file as read, and the rows
    of the JSON Lines files that were asked for, parsed from those same bytes."""

    folder: Path
    manifest: dict[str, Any]
    manifest_sha256: str
    file_sha256: dict[str, str]
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return self.manifest["version"]

    @property
    def data_sha256(self) -> str:
        return self.manifest["data_sha256"]

    @property
    def documents(self) -> list[dict[str, Any]]:
        return self.rows[DOCUMENTS]


def _identity(folder: Path) -> tuple[int, int] | None:
    try:
        found = os.stat(folder)
    except OSError:
        return None
    return found.st_dev, found.st_ino


@contextmanager
def _pinned(folder: Path) -> Iterator[tuple[Path, tuple[int, int] | None]]:
    """(where to read ``folder``, the identity of what is read). On Linux the folder is opened
    once and read through /proc/self/fd/N: every file comes from that one directory, even if a
    build swaps another release in under the folder's name meanwhile. Elsewhere, the path."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        yield folder, _identity(folder)
        return
    try:
        found = os.fstat(fd)
        through = Path(f"/proc/self/fd/{fd}")
        yield (through if through.is_dir() else folder), (found.st_dev, found.st_ino)
    finally:
        os.close(fd)


def _shown(path: Any, read_at: Path, folder: Path) -> Any:
    """A path under ``read_at`` (/proc/self/fd/N) as the user named it: under ``folder``."""
    if path is None or read_at == folder or not Path(path).is_relative_to(read_at):
        return path
    return folder / Path(path).relative_to(read_at)


@dataclass(frozen=True)
class Reading:
    """One read of a corpus folder: the Release when nothing differs from its MANIFEST, else the
    findings (and the MANIFEST when it could be parsed, for `verify` to go on with)."""

    release: Release | None
    findings: list[Finding]
    manifest: dict[str, Any] | None


def read_release(
    folder: Path, parse: Iterable[str] = (DOCUMENTS,), *, thorough: bool = False
) -> Reading:
    """The release in ``folder`` read once, and every way it differs from its MANIFEST (none when
    the Release is given). ``parse``: the JSON Lines files (paths under the folder) whose rows
    are wanted; data/documents.jsonl always is. ``thorough``: every row validated too, as
    `corpus verify` wants (readers validate the rows they rely on, `checked_rows`), as it is
    read: the document rows are then not kept (a verifying read holds one row at a time).

    A build that swaps the folder while it is read (the files of one release vanish, or the
    MANIFEST read was the other release's) is told apart from drift by the folder's identity,
    and the folder is read again. A size limit that stops the read raises LimitError: the limit,
    not the data, is at fault."""
    folder = Path(folder)
    wanted = {DOCUMENTS, *parse}
    for _ in range(SWAP_RETRIES):
        with _pinned(folder) as (read_at, read):
            try:
                reading = _read_once(read_at, wanted, thorough)
            except InputError as exc:
                if read == _identity(folder):
                    exc.file = _shown(exc.file, read_at, folder)
                    raise
                continue
        if not reading.findings or read == _identity(folder):
            return Reading(
                replace(reading.release, folder=folder) if reading.release else None,
                [replace(f, path=_shown(f.path, read_at, folder)) for f in reading.findings],
                reading.manifest,
            )
    raise InputError(
        f"the corpus folder was replaced {SWAP_RETRIES} times while it was read",
        file=folder,
        expected="a folder that no build is publishing into at the moment; try again",
    )


def check_folder(folder: Path, parse: Iterable[str] = (DOCUMENTS,)) -> Release:
    """The release in ``folder``, refused (InputError naming the file) unless its data are what
    its MANIFEST.json says: no score, row or count may be given under a version its data do
    not have."""
    reading = read_release(folder, parse)
    if reading.release is None:
        first, findings = reading.findings[0], reading.findings
        more = f" (and {len(findings) - 1} more problem(s))" if len(findings) > 1 else ""
        raise InputError(
            f"corpus folder refused: {first.message}{more}",
            file=first.path,
            line=first.line,
            pointer=first.pointer,
            expected="the folder as `sourcetrace corpus build` wrote it (`sourcetrace corpus "
            f"verify --corpus {folder}` lists every problem)",
        )
    return reading.release


def published_release(root: Path) -> Release | None:
    """The checked release in a checkout's corpus/, or None when it was never built (no
    MANIFEST.json and no data/): the commands that work on the sources (`corpus add`, `studio
    tasks`) run before the first build, but never beside a release that fails its check."""
    corpus = Path(root) / "corpus"
    if not (corpus / MANIFEST).exists() and not (corpus / "data").exists():
        return None
    return check_folder(corpus)


def _read_once(folder: Path, wanted: set[str], thorough: bool) -> Reading:
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        missing = "missing; this is not a built corpus folder (run `sourcetrace corpus build`)"
        return Reading(None, [Finding(manifest_path, missing)], None)
    try:
        manifest_bytes = read_checked_bytes(manifest_path)
    except LimitError as exc:
        raise _limit_stopped(exc) from None
    try:
        manifest = _parse_manifest(manifest_bytes, manifest_path)
    except InputError as exc:
        return Reading(None, [Finding(manifest_path, exc.message, exc.line, exc.pointer)], None)
    findings: list[Finding] = []
    hashes: dict[str, str] = {}
    rows: dict[str, list[Record]] = {}
    # a thorough read checks the document rows as they are read and keeps none of them
    checks = DocumentChecks(folder / DOCUMENTS, manifest, thorough) if thorough else None
    for rel, entry in sorted(manifest["files"].items()):
        path = folder / rel
        if _through_a_link(folder, rel):
            findings.append(
                Finding(
                    path,
                    "a link (a build writes none): it may lead out of the corpus folder; not read",
                )
            )
            continue
        if not path.is_file():
            findings.append(Finding(path, "listed in MANIFEST.json but missing"))
            continue
        check = checks.add if checks is not None and rel == DOCUMENTS else None
        digest, parsed, fault = _read_file(path, rel in wanted, check)
        hashes[rel] = digest
        if digest != entry["sha256"]:
            findings.append(
                Finding(
                    path,
                    "does not match its MANIFEST.json: sha256 differs (edited by hand?); a "
                    "corpus folder is written only by `sourcetrace corpus build`",
                )
            )
        elif fault is not None:
            findings.append(Finding(path, fault.message, fault.line, fault.pointer))
        elif parsed is not None:
            rows[rel] = parsed
    findings += _unlisted(folder, set(manifest["files"]))
    data = {rel: digest for rel, digest in hashes.items() if rel.startswith("data/")}
    if not findings and data_sha256(data) != manifest["data_sha256"]:
        findings.append(Finding(manifest_path, "data_sha256 does not match the data files"))
    if not findings and DOCUMENTS not in rows:
        findings.append(Finding(folder / DOCUMENTS, "no corpus data here (not in MANIFEST.json)"))
    if not findings:
        if checks is None:
            checks = DocumentChecks(folder / DOCUMENTS, manifest, thorough)
            for record in rows[DOCUMENTS]:
                checks.add(record)
        findings = checks.result()
    if findings:
        return Reading(None, findings, manifest)
    values = {
        rel: [record.value for record in records]
        for rel, records in rows.items()
        if not (thorough and rel == DOCUMENTS)  # checked as read, not kept
    }
    release = Release(folder, manifest, sha256_bytes(manifest_bytes), hashes, values)
    return Reading(release, [], manifest)


def _through_a_link(folder: Path, rel: str) -> bool:
    """Whether the path ``rel`` under ``folder`` passes through a symbolic link: a build writes
    none, and one may lead out of the folder (asked of each part, never of where it leads)."""
    parts = Path(rel).parts
    return any(os.path.islink(folder.joinpath(*parts[: n + 1])) for n in range(len(parts)))


def _parse_manifest(data: bytes, path: Path) -> dict[str, Any]:
    text = decode_utf8(data, path)
    records = parse_json(text, path)
    value = [r.value for r in records] if text.lstrip().startswith("[") else records[0].value
    problem = manifest_problem(value)
    if problem is not None:
        raise _malformed_manifest(path, *problem)
    return value


def _read_file(
    path: Path, parse: bool, check: Callable[[Record], None] | None = None
) -> tuple[str, list[Record] | None, InputError | None]:
    """(sha256 of the bytes read, the parsed rows when asked and readable, the fault that kept
    them from being parsed). One read: the rows come from the bytes that were hashed. With
    ``check``, each row is given to it as it is read and none is kept (the list is empty)."""
    try:
        if not parse and check is None:
            return _hash_file(path), None, None
        digest = hashlib.sha256()
        try:
            if check is not None:
                for record in iter_jsonl_records(path, digest):
                    check(record)
                return digest.hexdigest(), [], None
            with gc_paused():
                parsed = list(iter_jsonl_records(path, digest))
        except LimitError:
            raise
        except InputError as fault:  # only a refusal follows: hash it whole to say which
            return _hash_file(path), None, fault
        return digest.hexdigest(), parsed, None
    except LimitError as exc:
        raise _limit_stopped(exc) from None


def _hash_file(path: Path) -> str:
    """The sha256 of a file, read in chunks within the limit its kind has everywhere else (JSON
    Lines: SOURCETRACE_MAX_INPUT_BYTES when set; any other file: 64 MiB by default)."""
    check_regular_file(path)
    limit = explicit_max_input_bytes() if path.suffix == ".jsonl" else max_input_bytes()
    digest, read = hashlib.sha256(), 0
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(READ_CHUNK_BYTES):
                read += len(chunk)
                if limit is not None and read > limit:
                    raise LimitError(
                        f"file is over the limit of {limit:,} bytes", file=path, expected=""
                    )
                digest.update(chunk)
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", file=path) from None
    return digest.hexdigest()


def _limit_stopped(exc: LimitError) -> LimitError:
    """A limit error worded for a corpus check: the limit stopped the read, nothing was found
    wrong with the file."""
    return LimitError(
        f"{exc.message}: the read limit stopped the check of the corpus folder at this file "
        "(nothing was found wrong with it)",
        file=exc.file,
        line=exc.line,
        expected="SOURCETRACE_MAX_INPUT_BYTES (or SOURCETRACE_MAX_LINE_BYTES) unset, or set "
        "above the size of the corpus files",
    )


def _unlisted(folder: Path, listed: set[str]) -> list[Finding]:
    """Files and folders inside the corpus folder that its MANIFEST does not list (a folder is
    listed when a listed file lies in it), except the hand-edited CHANGELOG.md."""
    needed = {str(Path(rel).parent.as_posix()) for rel in listed} - {"."}
    for rel in list(needed):
        needed.update(p.as_posix() for p in Path(rel).parents if p.as_posix() != ".")
    findings = []
    for top, folders, files in os.walk(folder):
        base = Path(top).relative_to(folder)
        for name in sorted(folders):
            rel = (base / name).as_posix()
            if rel not in needed or os.path.islink(Path(top) / name):
                findings.append(Finding(Path(top) / name, "a folder not listed in MANIFEST.json"))
        folders[:] = [n for n in folders if (base / n).as_posix() in needed]
        for name in sorted(files):
            rel = (base / name).as_posix()
            if rel in listed or (base == Path(".") and name in UNLISTED_ALLOWED):
                continue
            note = " (left by an interrupted write)" if is_temp_name(name) else ""
            findings.append(Finding(Path(top) / name, f"not listed in MANIFEST.json{note}"))
    return findings


# What a row of data/documents.jsonl holds: a document record and its gold annotation.
RECORD_KINDS = ("document", "annotation")


def record_problems(
    row: Mapping[str, Any], path: Path, line: int, kinds: Iterable[str] = RECORD_KINDS
) -> list[InputError]:
    """The problems of a document row (one that passed `row_problem`) as the records `build`
    writes: its document fields against the document schema, its layers against the annotation
    schema and its text (offsets, span texts, ids, references)."""
    problems = []
    if "document" in kinds:
        document = {key: row[key] for key in DOCUMENT_FIELDS if key in row}
        problems += validate_record(document, "document", path, line)
    if "annotation" in kinds:
        problems += validate_record(
            {"doc_id": row["doc_id"], "text_sha256": row.get("text_sha256")}
            | {layer: row.get(layer, []) for layer in LAYERS},
            "annotation",
            path,
            line,
            text_for={row["doc_id"]: row["text"]}.get,
        )
    return problems


def checked_rows(
    release: Release,
    doc_ids: Iterable[str] | None = None,
    kinds: Iterable[str] = RECORD_KINDS,
) -> list[dict[str, Any]]:
    """The document rows of ``release`` (those of ``doc_ids``, or all), each validated as the
    records `build` writes (``kinds``): what scores and pages rely on. Counting readers (info,
    folds, load) need only the row shape that every read checks; the whole validation costs
    about a millisecond a document, so it is paid where it is needed. InputError(s) name the
    file and line otherwise."""
    path, wanted = release.folder / DOCUMENTS, None if doc_ids is None else set(doc_ids)
    problems, rows = [], []
    for line, row in enumerate(release.documents, start=1):  # a release has no blank lines
        if wanted is None or row["doc_id"] in wanted:
            problems += record_problems(row, path, line, tuple(kinds))
            rows.append(row)
    raise_all(problems)
    return rows


class DocumentChecks:
    """The rows of data/documents.jsonl checked one at a time: rows that readers cannot use,
    texts that do not hash to the MANIFEST's text_sha256, and (`result`) documents of the
    MANIFEST without a row; ``thorough``: also every row as the records `build` writes
    (`record_problems`), as `corpus verify` checks it. Keeps the findings and the doc ids."""

    def __init__(self, path: Path, manifest: Mapping[str, Any], thorough: bool) -> None:
        self.path = path
        self.documents = manifest.get("documents", {})
        self.thorough = thorough
        self.findings: list[Finding] = []
        self.present: set[str] = set()

    def add(self, record: Record) -> None:
        row, line, path = record.value, record.line, self.path
        problem = row_problem(row)
        if problem is not None:
            where, what = problem
            self.findings.append(
                Finding(
                    path,
                    f"not a document row as `sourcetrace corpus build` writes it: {what}",
                    line,
                    where,
                )
            )
            return
        self.present.add(row["doc_id"])
        invalid = record_problems(row, path, line, RECORD_KINDS) if self.thorough else []
        if invalid:
            self.findings += [Finding(path, p.message, line, p.pointer) for p in invalid]
            return
        expected = self.documents.get(row["doc_id"], {}).get("text_sha256")
        if sha256_text(row["text"]) != expected:
            self.findings.append(
                Finding(
                    path,
                    f"the text of {excerpt(row['doc_id'])} does not hash to MANIFEST.json's "
                    "text_sha256",
                    line,
                )
            )

    def result(self) -> list[Finding]:
        if self.findings:
            return self.findings
        return [
            Finding(self.path, f"no row for {excerpt(doc_id)}, which MANIFEST.json lists")
            for doc_id in sorted(set(self.documents) - self.present)
        ]
