"""Where the data folders are: in the repository, or packaged inside an installed wheel."""

from __future__ import annotations

import os
import stat
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_PACKAGED_DATA = _PACKAGE_DIR / "_data"


def repo_root() -> Path | None:
    """The repository root when running from a checkout (src layout), else None."""
    env = os.environ.get("SOURCETRACE_ROOT")
    if env:
        return Path(env).resolve()
    candidate = _PACKAGE_DIR.parent.parent
    if (candidate / "pyproject.toml").is_file() and (
        candidate / "schema" / "labels.json"
    ).is_file():
        return candidate
    return None


def data_root() -> Path:
    """Folder holding `schema/` and `corpus/`: the checkout if there is one, else the wheel's."""
    root = repo_root()
    if root is not None:
        return root
    if _PACKAGED_DATA.is_dir():
        return _PACKAGED_DATA
    raise FileNotFoundError("sourcetrace data not found: neither a checkout nor packaged data")


def schema_dir() -> Path:
    return data_root() / "schema"


def corpus_dir() -> Path:
    return data_root() / "corpus"


# ---------------------------------------------------------------- where commands may write

PROTECTED = ("seeds", "corpus", "annotations", "schema")  # written only by their owners


def _is_checkout(folder: Path) -> bool:
    return (folder / "schema" / "labels.json").is_file() or (
        (folder / "seeds").is_dir() and (folder / "annotations").is_dir()
    )


def _checkouts_around(target: Path) -> list[Path]:
    """The checkouts whose protected folders `target` may fall in: this package's, and any
    checkout among the target's ancestors (a copy, or the checkout the user works in)."""
    found = [root.resolve()] if (root := repo_root()) is not None else []
    found += [folder for folder in target.parents if _is_checkout(folder)]
    return found


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def checked_output(
    path: str | Path, allowed: tuple[str, ...] = (), *, folder: bool = False
) -> Path:
    """The real path a command may write its result to, or InputError.

    Every user-chosen output (--output, --plot, --partial, configs, tasks, run folders) comes
    through here: after resolving `..` and symlinks, nothing goes into seeds/, corpus/,
    annotations/ or schema/ of a checkout (only their owners write there; `allowed` names the
    generated files a command owns there, relative to the checkout, e.g.
    "annotations/AGREEMENT.md"), and nothing replaces what is not a regular file (a folder
    unless ``folder``; a FIFO, a device, a socket, or a symlink to one). Writing to the returned
    path keeps a symlink to a regular file and replaces its target."""
    from sourcetrace.errors import InputError

    given = Path(path)
    try:
        target = given.resolve()
        mode = target.stat().st_mode if target.exists() else None
    except (OSError, RuntimeError) as exc:  # a symlink loop, a folder we may not enter
        raise InputError(f"cannot use this output path ({exc})", file=given) from None
    via = "" if target == given.absolute() else f" (it leads to {target})"
    wanted = stat.S_ISDIR if folder else stat.S_ISREG
    if mode is not None and not wanted(mode):
        kind = "a folder" if folder else "a regular file"
        raise InputError(
            f"refusing to write over {_kind(mode)}{via}",
            file=given,
            expected=f"a new path, or an existing {kind.removeprefix('a ')}",
        )
    for checkout in _checkouts_around(target):
        if any(target == checkout / name for name in allowed):
            continue
        for protected in PROTECTED:
            if target.is_relative_to(checkout / protected):
                raise InputError(
                    f"refusing to write into {protected}/ of the checkout {checkout}{via}",
                    file=given,
                    expected="an output path outside "
                    + ", ".join(f"{p}/" for p in PROTECTED)
                    + " (e.g. build/report.json)",
                )
    return target


def write_output(path: str | Path, content: str | bytes, allowed: tuple[str, ...] = ()) -> Path:
    """Write a command's result to a user-chosen path: checked (`checked_output`), then
    atomically (temp file, fsync, rename). Returns the path written."""
    from sourcetrace.jsonio import atomic_write

    target = checked_output(path, allowed)
    atomic_write(target, content)
    return target


def path_text(path: str | Path) -> str:
    """A path as text a report can hold (valid UTF-8, so JSON and files can carry it): bytes
    of the name that are not UTF-8 (kept by the OS as lone surrogates) become `\\xNN`. Control
    characters stay; every renderer escapes them for its medium."""
    return os.fsencode(str(path)).decode("utf-8", "backslashreplace")
