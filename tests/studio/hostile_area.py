"""A checkout copy in a folder of its own, hashed whole before and after a hostile command,
and the exports such tests feed it (shared by the hostile-export and hostile-server tests)."""

from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from conftest import copy_checkout, main

DOC = "st-000"
# one folder of the safe alphabet, with the pass name "h" in front
FOLDER = re.compile(r"^h-[a-z0-9][a-z0-9_-]*$")
MAX_FOLDER = len("h-") + 40
EMPTY = {"doc_id": DOC, "entities": [], "claims": [], "attributions": []}


def run_main_output(*args: Any) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `sourcetrace ARGS` in this process (no fixture, so
    hypothesis examples can call it)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # a usage error
            code = exc.code if isinstance(exc.code, int) else 2
    return code, out.getvalue(), err.getvalue()


def run_main(*args: Any) -> tuple[int, str]:
    """(exit code, stderr) of `sourcetrace ARGS` in this process."""
    code, _, err = run_main_output(*args)
    return code, err


def tree(folder: Path) -> dict[str, str]:
    """relative path -> sha256 of every file (and link) under ``folder``."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            found[str(path.relative_to(folder))] = f"link:{path.readlink()}"
        elif path.is_file():
            found[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def text_of(root: Path, doc_id: str = DOC) -> str:
    records = json.loads((root / "annotations" / "documents.json").read_text("utf-8"))
    record = next(r for r in records if r["doc_id"] == doc_id)
    return (root / "seeds" / record["seed_file"]).read_text("utf-8")


def an_export(text: str, annotators: list[Any], result: list[Any] | None = None) -> list[Any]:
    annotations = [
        {"id": n + 1, "completed_by": who, "result": copy.deepcopy(result or []),
         "was_cancelled": False}
        for n, who in enumerate(annotators)
    ]  # fmt: skip
    return [{"id": 1, "data": {"text": text, "doc_id": DOC}, "annotations": annotations}]


class Area:
    """A checkout copy inside a folder of its own, hashed whole; exports are kept apart."""

    def __init__(self, base: Path) -> None:
        self.base = base / "area"
        self.root = copy_checkout(self.base / "checkout")
        (self.base / "outside").mkdir()
        self.exports = base / "exports"
        self.exports.mkdir()
        self.passes = self.root / "annotations" / "passes"
        self.clean = tree(self.base)
        self.text = text_of(self.root)

    def export_file(self, value: Any, name: str = "export.json") -> Path:
        path = self.exports / name
        path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
        return path

    def changes(self) -> dict[str, str | None]:
        """What changed since the copy was made: path -> new hash (None if removed)."""
        now = tree(self.base)
        changed = {p: h for p, h in now.items() if self.clean.get(p) != h}
        changed.update({p: None for p in self.clean if p not in now})
        return changed

    def new_pass_files(self) -> list[Path]:
        """The changes, each checked to be a new file right inside a new pass folder h-*."""
        made = []
        for relative, digest in self.changes().items():
            path = self.base / relative
            assert digest is not None, f"{relative} was removed"
            assert path.parent.parent == self.passes, f"written outside a pass folder: {path}"
            assert FOLDER.match(path.parent.name) and len(path.parent.name) <= MAX_FOLDER, path
            assert path.name == f"{DOC}.json" and not path.is_symlink()
            made.append(path)
        return made

    def reset(self) -> None:
        for folder in self.passes.glob("h-*"):
            shutil.rmtree(folder)
        assert self.changes() == {}


def assert_empty_annotation(path: Path, text: str) -> None:
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert json.loads(path.read_text("utf-8")) == {**EMPTY, "text_sha256": sha}


# ---------------------------------------------------------------- hostile annotators

LOOKALIKES = ["\u2215", "\uff0f", "\u2044", "\uff3c", "\u2024\u2024", "\uff0e\uff0e", "\u0338",
              "\u00b7", "\u2025", "\ufe52"]  # fmt: skip
PIECES = ["/", "..", ".", "\\", "\x00", "\x1b[31m", "\n", "\t", "\x7f", "gold", "annotations",
          "passes", "~", "$HOME", "%2e%2e%2f", "C:", "@", "Ann", " ", *LOOKALIKES]  # fmt: skip
hostile_text = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=12).map("".join),
    st.text(max_size=20),
    st.integers(200, 3000).map(lambda n: "/.." * n),  # very long
    st.just(""),
)
hostile_value = st.one_of(
    hostile_text,
    st.integers(min_value=-(10**30), max_value=10**30),
    st.none(),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(hostile_text, max_size=2),
    st.fixed_dictionaries(
        {},
        optional={
            "id": st.one_of(
                hostile_text, st.integers(), st.none(), st.lists(st.integers(), max_size=1)
            ),
            "email": st.one_of(hostile_text, st.none(), st.integers()),
        },
    ),
)  # fmt: skip


def accepted(who: Any) -> bool:
    """The documented shapes of completed_by: an integer id, a name, nothing, or an object with
    an id (integer, name or nothing) and/or an e-mail (a string or nothing)."""
    if isinstance(who, dict):
        email = who.get("email")
        if email is not None and not isinstance(email, str):
            return False
        who = who.get("id", email)
    return who is None or isinstance(who, str) or type(who) is int
