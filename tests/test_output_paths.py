"""Every option of every command that names an output path refuses what it must not destroy.

The parsers of `sourcetrace` (which `evaluate` shares) are walked; every option whose dest or
metavar says it names an output must be registered below with a real command line, and each one
is run against a symlink into seeds/, a `..` path into seeds/, a FIFO and a character device
(`/dev/null` or a copy of it): exit 2 with the refusal, and the thing is left as it was.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from sourcetrace.cli.main import build_parser
from sourcetrace.errors import InputError
from sourcetrace.paths import PROTECTED, checked_output, write_output

REPO = Path(__file__).resolve().parents[1]
SEED = sorted((REPO / "seeds").glob("*.txt"))[0].name
# the words that make an option an output path (dest or metavar); a new option that matches
# must be registered in COMMANDS, so that it is run through the matrix below
OUTPUT_LIKE = re.compile(r"output|\bout\b|^out_|plot|partial|save|write|dest|export|target|dir")


def _walk(prefix: tuple[str, ...], parser: argparse.ArgumentParser) -> list[tuple]:
    found = []
    for action in parser._actions:  # argparse has no public walk of its subcommands
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += _walk((*prefix, name), sub)
        elif action.option_strings and action.nargs != 0:  # a flag names no path
            words = f"{action.dest} {action.metavar or ''}".lower()
            if OUTPUT_LIKE.search(words):
                found.append((" ".join(prefix), max(action.option_strings, key=len)))
    return found


def output_options() -> set[tuple[str, str]]:
    """(command, option) of every output-path option of the command line."""
    return set(_walk((), build_parser()))


@pytest.fixture
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch checkout with the data folders (its seeds/ is what the matrix attacks), one
    per test, so that a failure cannot spill into the next case."""
    root = tmp_path_factory.mktemp("checkout")
    for folder in ("seeds", "annotations", "schema", "corpus", "evaluate"):
        shutil.copytree(REPO / folder, root / folder)
    return root


@pytest.fixture(scope="module")
def partial_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sourcetrace.cli.main import main

    path = tmp_path_factory.mktemp("partial") / "shard.json"
    predictions = REPO / "evaluate" / "runs" / "rules" / "predictions.jsonl"
    assert main(["evaluate", str(predictions), "--partial", str(path)]) == 0
    return path


def _story_id() -> str:
    import json

    return json.loads((REPO / "annotations" / "documents.json").read_text())[0]["story_id"]


def _command_lines(root: Path, partial: Path, scratch: Path) -> dict[tuple[str, str], Callable]:
    """(command, option) -> the argv that writes to OUT through that option."""
    predictions = str(root / "evaluate" / "runs" / "rules" / "predictions.jsonl")
    corpus = str(root / "corpus")
    fresh_md, fresh_png = str(scratch / "lb.md"), str(scratch / "lb.png")
    return {
        ("corpus info", "--output"): lambda out: [
            "corpus", "info", "--format", "json", "--output", out,
        ],
        ("corpus diff", "--output"): lambda out: [
            "corpus", "diff", corpus, corpus, "--format", "json", "--output", out,
        ],
        ("evaluate", "--output"): lambda out: [
            "evaluate", predictions, "--format", "json", "--output", out,
        ],
        ("evaluate", "--partial"): lambda out: ["evaluate", predictions, "--partial", out],
        ("merge", "--output"): lambda out: [
            "merge", str(partial), "--format", "json", "--output", out,
        ],
        ("agreement", "--output"): lambda out: [
            "agreement", *(str(p) for p in sorted((root / "annotations" / "passes").glob("*/"))),
            "--format", "json", "--output", out,
        ],
        ("leaderboard", "--output"): lambda out: [
            "leaderboard", "--runs", str(root / "evaluate" / "runs"), "--output", out,
            "--plot", fresh_png,
        ],
        ("leaderboard", "--plot"): lambda out: [
            "leaderboard", "--runs", str(root / "evaluate" / "runs"), "--output", fresh_md,
            "--plot", out,
        ],
        ("baseline", "--output"): lambda out: ["baseline", "rules", "--output", out],
        ("story", "--output"): lambda out: [
            "story", _story_id(), "--format", "html", "--output", out,
        ],
        ("studio config", "--output"): lambda out: ["studio", "config", "--output", out],
        ("convert", "--output"): lambda out: [
            "convert", "nervaluate", str(SPAN_LIST), "--end", "inclusive", "--output", out,
        ],
        ("export", "--output"): lambda out: ["export", "brat", "--output", out],
        ("studio tasks", "--output"): lambda out: [
            "studio", "tasks", "--root", str(root), "--output", out,
        ],
    }  # fmt: skip


SPAN_LIST = REPO / "tests" / "data" / "convert" / "nervaluate_st-000.json"  # what convert reads
FOLDER_OUTPUTS = {("baseline", "--output"), ("export", "--output")}  # folders, not files


def test_every_output_option_is_registered(tmp_path: Path) -> None:
    registered = set(_command_lines(tmp_path, tmp_path, tmp_path))
    assert output_options() == registered, (
        "an output-path option is not in the matrix of tests/test_output_paths.py (or a "
        "registered one is gone): add its command line there"
    )


def _fingerprint(path: Path) -> tuple:
    """What must not change: the kind, identity and (for a file) the bytes of path."""
    info = path.lstat()
    content = path.read_bytes() if stat.S_ISREG(info.st_mode) else None
    return (info.st_mode, info.st_ino, info.st_rdev, info.st_size, info.st_mtime_ns, content)


def _character_device(tmp_path: Path) -> Path:
    """A copy of /dev/null as root (so that a bug could not take the real one), else /dev/null."""
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        return Path("/dev/null")
    return device


CASES = ("symlink_into_seeds", "dotdot_into_seeds", "fifo", "character_device")


def _target(case: str, root: Path, tmp_path: Path, folder: bool) -> tuple[str, Path]:
    """The --output argument of a case, and the thing that must stay untouched."""
    if case == "symlink_into_seeds":
        link = tmp_path / "link"
        pointed = root / "seeds" if folder else root / "seeds" / SEED
        link.symlink_to(pointed)
        return str(link), pointed
    if case == "dotdot_into_seeds":
        return "build/../seeds/new", root / "seeds"
    if case == "fifo":
        fifo = tmp_path / "fifo"
        os.mkfifo(fifo)
        return str(fifo), fifo
    device = _character_device(tmp_path)
    return str(device), device


def _state(thing: Path) -> tuple:
    if thing.is_dir():
        return tuple((p.name, _fingerprint(p)) for p in sorted(thing.iterdir()))
    return _fingerprint(thing)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize(
    "command_option", sorted(_command_lines(Path("/"), Path("/"), Path("/"))), ids=" ".join
)
def test_output_path_refuses_what_it_must_not_destroy(
    command_option: tuple[str, str],
    case: str,
    checkout: Path,
    partial_file: Path,
    tmp_path: Path,
    run_cli: Callable,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(checkout)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    argv = _command_lines(checkout, partial_file, scratch)[command_option]
    output, untouched = _target(case, checkout, tmp_path, command_option in FOLDER_OUTPUTS)
    before, seeds_before = _state(untouched), _state(checkout / "seeds")

    result = run_cli(*argv(output))

    assert result.code == 2, result.err
    assert "refusing to write" in result.err
    assert _state(untouched) == before
    assert _state(checkout / "seeds") == seeds_before
    assert not (checkout / "build").exists()
    assert list(scratch.iterdir()) == []  # the other output of leaderboard is not written either


# ---------------------------------------------------------------- the function itself


def test_output_path_allows_a_named_generated_file(checkout: Path) -> None:
    owned = checkout / "annotations" / "AGREEMENT.md"
    assert checked_output(owned, allowed=("annotations/AGREEMENT.md",)) == owned
    with pytest.raises(InputError, match="refusing to write into annotations/"):
        checked_output(checkout / "annotations" / "OTHER.md", allowed=("annotations/AGREEMENT.md",))


@pytest.mark.parametrize("folder", PROTECTED)
def test_output_path_refuses_every_protected_folder(checkout: Path, folder: str) -> None:
    with pytest.raises(InputError, match=f"refusing to write into {folder}/"):
        checked_output(checkout / "evaluate" / ".." / folder / "x.json")


def test_output_path_writes_through_a_symlink_to_a_regular_file(tmp_path: Path) -> None:
    """A symlink to a regular file outside the protected folders stays a symlink; its target
    gets the new content (as a shell redirection would)."""
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert write_output(link, "new") == real
    assert link.is_symlink() and real.read_text() == "new"


def test_output_path_refuses_a_symlink_loop(tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    with pytest.raises(InputError, match="cannot use this output path"):
        write_output(loop, "x")
