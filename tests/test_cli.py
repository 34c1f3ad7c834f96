"""The command line's exit codes are a contract: 2 bad input or I/O, 3 a bug, 130 Ctrl-C."""

from __future__ import annotations

import argparse

import pytest

from sourcetrace import cli


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
