"""The command line's exit codes are a contract: 2 bad input or I/O, 3 a bug, 130 Ctrl-C."""

from __future__ import annotations

import argparse

import pytest

from sourcetrace.cli import main as cli


def handler_raising(exc: BaseException):
    def handler(args: argparse.Namespace) -> int:
        raise exc

    return handler


@pytest.mark.parametrize(
    ("exc", "code", "says"),
    [
        (RuntimeError("boom"), cli.EXIT_INTERNAL, "internal error in sourcetrace"),
        (KeyboardInterrupt(), cli.EXIT_INTERRUPTED, "interrupted"),
        (OSError(28, "No space left on device", "out.json"), cli.EXIT_BAD_INPUT, "No space left"),
        (BrokenPipeError(), cli.EXIT_OK, ""),
    ],
)
def test_exceptions_become_documented_exit_codes_without_traceback(capsys, exc, code, says):
    assert cli.run(handler_raising(exc), argparse.Namespace()) == code
    err = capsys.readouterr().err
    assert says in err
    assert "Traceback" not in err
    assert err.count("\n") <= 1


def test_debug_shows_the_traceback_of_a_bug(monkeypatch):
    monkeypatch.setenv("SOURCETRACE_DEBUG", "1")
    with pytest.raises(RuntimeError):
        cli.run(handler_raising(RuntimeError("boom")), argparse.Namespace())


def test_writing_into_a_read_only_folder_is_exit_2(tmp_path, run_cli):
    import os

    from gold_factory import ROOT

    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):  # root ignores permissions: use a path under a file
            target = ROOT / "README.md" / "report.json"
        else:
            target = folder / "report.json"
        result = run_cli("evaluate", ROOT / "annotations" / "passes" / "pass-b", "--output", target)
    finally:
        folder.chmod(0o700)
    assert result.code == 2
    assert "Traceback" not in result.err


# ---------------------------------------------------------------- output errors (issue 17)


@pytest.fixture
def story_files(tmp_path):
    from gold_factory import story_gold, write_jsonl

    gold = write_jsonl(tmp_path / "gold.jsonl", story_gold())
    return gold, gold  # gold scored against itself


@pytest.mark.parametrize("fmt", ["table", "json", "markdown"])
def test_output_stdout_to_a_full_device_is_exit_2(story_files, fmt):
    import os
    import subprocess
    import sys

    from gold_factory import ROOT as REPO_ROOT

    predictions, gold = story_files
    code = "import sys; from sourcetrace.cli.main import main; sys.exit(main())"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")}
    args = ["evaluate", predictions, "--gold", gold, "--format", fmt]
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-c", code, *map(str, args)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            timeout=60,
        )
    assert done.returncode == 2
    assert "No space left on device" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("failing", "error", "says"),
    [
        ("tempfile.mkstemp", PermissionError(13, "Permission denied"), "Permission denied"),
        ("os.fsync", OSError(28, "No space left on device"), "No space left on device"),
    ],
)
def test_output_to_a_read_only_folder_or_a_full_disk_is_exit_2_and_leaves_no_file(
    tmp_path, run_cli, monkeypatch, story_files, failing, error, says
):
    import importlib

    predictions, gold = story_files
    module, name = failing.split(".")

    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(importlib.import_module(module), name, fail)
    out = tmp_path / "out" / "report.json"
    result = run_cli("evaluate", predictions, "--gold", gold, "--output", out)
    monkeypatch.undo()
    assert result.code == 2
    assert says in result.err and "Traceback" not in result.err
    assert list(out.parent.iterdir()) == []  # no partial file, no temp file


def test_ctrl_c_while_the_command_line_is_still_importing_exits_130_in_one_line():
    # the hardening review sent SIGINT in the first 0.1 s and got a traceback: the entry point
    # installs its handler before importing anything heavy; here the signal arrives at exactly
    # that moment, deterministically
    import subprocess
    import sys

    script = (
        "import os, signal, sys\n"
        "from sourcetrace.cli.interrupts import interrupted\n"
        "signal.signal(signal.SIGINT, interrupted)\n"
        "os.kill(os.getpid(), signal.SIGINT)\n"
        "from sourcetrace.cli.main import main\n"
        "sys.exit(main(['corpus', 'info']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == cli.EXIT_INTERRUPTED
    assert done.stderr == "interrupted\n"


@pytest.mark.parametrize(
    "command", [["--help"], ["convert", "--help"], ["validate", "--help"], ["corpus", "info"]]
)
def test_commands_that_score_nothing_start_without_numpy_or_the_scorers(command):
    import subprocess
    import sys

    """Every command imports `report` for its --format choices; the scorers, and numpy with
    them, are imported only where something is scored or rendered (a merge once put them back
    on this path: `convert` of 10k documents spends its budget in milliseconds)."""
    code = (
        "import sys\n"
        f"sys.argv = ['sourcetrace', *{command!r}]\n"
        "from sourcetrace.cli.entry import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "assert 'numpy' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
