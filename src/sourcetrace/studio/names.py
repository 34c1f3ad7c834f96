"""Folder names from outside, and writes kept inside their pass folder. Pure except `confined`.

Annotator names, e-mails and user ids come from an export or a server, so anyone can choose
them: they never become a path as they are. `folder_name` maps any string onto a fixed
alphabet (lower-case ASCII letters, digits, '-', '_'), with no separator, no '..', no leading
dot or dash, and a bounded length; two different annotators who map to the same name get a
short hash of who they are appended (`assign_folders`), and that is reported.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sourcetrace.errors import InputError

SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
MAX_NAME_CHARS = 40  # an annotator's part of a pass folder name; --pass has the same bound
HASH_CHARS = 8
_UNSAFE_RUN = re.compile(r"[^a-z0-9_-]+")


def short_hash(identity: str) -> str:
    return hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_CHARS]


def folder_name(raw: str, *, fallback: str = "user") -> str:
    """A name of the safe alphabet for any string: compatibility characters folded (NFKC),
    lower-cased, every run of anything else one '-', ends trimmed; a long name is cut and
    ends in a hash of the whole, so two long names that share a start stay apart."""
    text = unicodedata.normalize("NFKC", raw).lower()
    name = _UNSAFE_RUN.sub("-", text).strip("-_")
    if not name:
        name = fallback
    if len(name) > MAX_NAME_CHARS:
        name = f"{name[: MAX_NAME_CHARS - HASH_CHARS - 1].rstrip('-_')}-{short_hash(raw)}"
    return name


def quoted(value: Any, limit: int | None = 60) -> str:
    """A value from outside as it may appear in a message: JSON, ASCII only (no control
    characters reach the terminal), cut to ``limit`` characters (None: whole)."""
    if type(value) is int:
        return str(value)
    text = json.dumps(value, ensure_ascii=True, default=repr)
    return text if limit is None else _cut(text, limit)


def _cut(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def assign_folders(names: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """(identity -> final folder name, notes): identities sharing a name each get
    `<name>-<hash of identity>`, whatever order they came in."""
    by_name: dict[str, list[str]] = {}
    for identity, name in names.items():
        by_name.setdefault(name, []).append(identity)
    final, notes = {}, []
    for name, identities in sorted(by_name.items()):
        if len(identities) == 1:
            final[identities[0]] = name
            continue
        stem = name[: MAX_NAME_CHARS - HASH_CHARS - 1].rstrip("-_") or "user"
        made = {i: f"{stem}-{short_hash(i)}" for i in sorted(identities)}
        final.update(made)
        notes.append(
            f"{len(identities)} different annotators map to the folder name {name!r}: "
            + ", ".join(f"{_cut(i)} -> {made[i]!r}" for i in sorted(identities))
        )
    if len(set(final.values())) != len(final):  # a hashed name equal to a plain one
        raise InputError(
            "annotators could not be given distinct folder names",
            expected="annotators whose names differ in letters or digits",
        )
    return final, notes


def check_pass_name(name: str) -> str:
    """``--pass``: already a safe name, so it is used as given (never mapped)."""
    if not SAFE_NAME.match(name) or len(name) > MAX_NAME_CHARS:
        raise InputError(
            f"pass name {name!r} is not usable as a folder name",
            file="--pass",
            expected=f"at most {MAX_NAME_CHARS} lower-case letters, digits, '-' and '_', "
            "starting with a letter or digit",
        )
    return name


def confined(target: Path, passes: Path, protected: Iterable[Path] = ()) -> Path:
    """``target`` if, with every link resolved, it is a file right inside a pass folder that
    is itself right inside ``passes`` (and in none of ``protected``); else InputError."""
    folder = target.parent
    real_passes = passes.resolve()
    real_folder, real_target = folder.resolve(), target.resolve()
    inside = (
        folder.parent == passes
        and SAFE_NAME.match(folder.name) is not None
        and real_folder.parent == real_passes
        and real_target.parent == real_folder
        and not target.name.startswith(".")
    )
    if not inside or any(real_target.is_relative_to(p.resolve()) for p in protected):
        raise InputError(
            "refusing to write outside its pass folder (a name or a link leads elsewhere)",
            file=target,
            expected=f"a file in a folder of {passes}",
        )
    return target
