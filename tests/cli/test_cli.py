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


def _commands(prefix: str, parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """Every (sub)command of ``parser`` by its full name, in the order of the help."""
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:  # argparse offers no public walk of subcommands
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found[f"{prefix} {name}"] = sub
                found.update(_commands(f"{prefix} {name}", sub))
    return found


@pytest.mark.parametrize("module", list(cli.COMMAND_MODULES))
def test_a_module_parsed_alone_has_the_commands_help_and_defaults_of_the_whole_parser(module):
    """A command line that names a module's command builds that module's parser alone; each of
    its commands must read and describe itself exactly as in the parser of every command."""
    whole = _commands("sourcetrace", cli.build_parser())
    alone = _commands("sourcetrace", cli.build_parser(module))
    top_level = [name.split()[1] for name in alone if name.count(" ") == 1]
    assert top_level == list(cli.COMMAND_MODULES[module])
    assert all(name in whole for name in alone)
    for name, sub in alone.items():
        assert sub.format_help() == whole[name].format_help(), name
        assert _arguments(sub) == _arguments(whole[name]), name
        assert sub.get_default("handler") is whole[name].get_default("handler"), name


def _arguments(parser: argparse.ArgumentParser) -> list[tuple]:
    """What each argument of a parser reads: its options, destination, default, choices, count
    and whether it is required (subcommands by their names)."""
    return [
        (a.option_strings, a.dest, a.default, list(a.choices or ()), a.nargs, a.required)
        for a in parser._actions
    ]


def test_every_command_is_built_by_main_or_named_by_one_module():
    """A command missing from COMMAND_MODULES would still parse (with the whole parser), but a
    name listed for two modules, or for none that adds it, would send a command line astray."""
    listed = [command for commands in cli.COMMAND_MODULES.values() for command in commands]
    whole = [name.split()[1] for name in _commands("sourcetrace", cli.build_parser())]
    top_level = list(dict.fromkeys(whole))
    assert len(listed) == len(set(listed))
    assert [c for c in top_level if c in listed] == listed
    for command in top_level:
        assert cli.command_module([command, "--help"]) == next(
            (module for module, names in cli.COMMAND_MODULES.items() if command in names), None
        )
    assert cli.command_module(["--version", "convert"]) is None
    assert cli.command_module([]) is None


def test_convert_starts_without_the_reports_the_baselines_or_label_studio(tmp_path):
    """`convert` of 10k documents has a budget of tens of milliseconds beyond reading its input
    (issue 22): it builds only its own parser and imports no report format, no baseline and no
    Label Studio module, in a real run as with --help."""
    import json
    import subprocess
    import sys

    text = "Reuters said Kyiv ."
    gold = {"doc_id": "d1", "text": text, "text_sha256": hashlib_sha256(text), "entities": [],
            "claims": [], "attributions": []}  # fmt: skip
    (tmp_path / "gold.jsonl").write_text(json.dumps(gold) + "\n", encoding="utf-8")
    items = [{"entity_group": "ORG", "score": 0.9, "word": "Reuters", "start": 0, "end": 7}]
    (tmp_path / "hf.json").write_text(json.dumps({"d1": items}), encoding="utf-8")
    run = ["convert", "hf", str(tmp_path / "hf.json"), "--gold", str(tmp_path / "gold.jsonl"),
           "--labels", "conll2003", "--output", str(tmp_path / "pred.jsonl")]  # fmt: skip
    for command in (run, ["convert", "--help"]):
        code = (
            "import sys\n"
            f"sys.argv = ['sourcetrace', *{command!r}]\n"
            "from sourcetrace.cli.entry import main\n"
            "try:\n"
            "    code = main()\n"
            "except SystemExit as exit:\n"
            "    code = exit.code\n"
            "print(code, sorted(m for m in sys.modules if m.startswith(('sourcetrace.report', "
            "'sourcetrace.studio', 'sourcetrace.baselines', 'sourcetrace.cli.'))))\n"
        )
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert done.stdout.splitlines()[-1].split(" ", 1) == [
            "0",
            "['sourcetrace.cli.convert', 'sourcetrace.cli.entry', 'sourcetrace.cli.interrupts', "
            "'sourcetrace.cli.main']",
        ], done.stderr[-2000:]
    written = [json.loads(line) for line in (tmp_path / "pred.jsonl").read_text().splitlines()]
    assert written[0]["entities"] == [
        {"start": 0, "end": 7, "text": "Reuters", "type": "ORG", "score": 0.9}
    ]


def hashlib_sha256(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()
