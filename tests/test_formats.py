"""One format vocabulary: every command takes its --format names from report.FORMATS, and the
--output ending chooses the format the same way everywhere."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from sourcetrace.cli.main import build_parser
from sourcetrace.corpus.build import info
from sourcetrace.paths import corpus_dir
from sourcetrace.report import FORMATS, SUFFIXES

from gold_factory import ROOT

PASS_A = ROOT / "annotations" / "passes" / "pass-a"
PASS_B = ROOT / "annotations" / "passes" / "pass-b"
CORPUS = corpus_dir()


def subcommands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from subcommands(sub, (*prefix, name))
    yield prefix, parser


def test_every_format_option_uses_the_one_vocabulary():
    with_format = {}
    for path, parser in subcommands(build_parser()):
        for action in parser._actions:
            if "--format" in action.option_strings:
                with_format[" ".join(path)] = tuple(action.choices)
    assert {"evaluate", "agreement", "corpus info", "corpus diff"} <= set(with_format)
    for command, choices in with_format.items():
        assert set(choices) <= set(FORMATS), command
    for command in ("evaluate", "agreement", "corpus info", "corpus diff"):
        assert "json" in with_format[command], command


COMMANDS = {
    "evaluate": ["evaluate", str(PASS_B)],
    "agreement": ["agreement", str(PASS_A), str(PASS_B)],
    "corpus info": ["corpus", "info"],
    "corpus diff": ["corpus", "diff", str(CORPUS), str(CORPUS)],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize(("ending", "starts_with"), [(".json", "{"), (".md", "# ")])
def test_the_output_ending_chooses_the_format(run_cli, tmp_path, command, ending, starts_with):
    output = tmp_path / f"out{ending}"
    result = run_cli(*COMMANDS[command], "--output", output)
    assert result.code == 0, result.err
    text = output.read_text(encoding="utf-8")
    assert text.startswith(starts_with)
    if ending == ".json":
        json.loads(text)
    assert SUFFIXES[ending] in result.err  # "wrote json to ..."


@pytest.mark.parametrize("command", ["agreement", "corpus info", "corpus diff"])
def test_an_ending_a_command_cannot_write_is_refused_and_nothing_is_written(
    run_cli, tmp_path, command
):
    output = tmp_path / "out.html"
    result = run_cli(*COMMANDS[command], "--output", output)
    assert result.code == 2
    assert "does not write 'html'" in result.err and "out.html" in result.err
    assert not output.exists()


def test_corpus_info_markdown_has_the_counts_of_every_document(run_cli):
    result = run_cli("corpus", "info", "--format", "markdown")
    data = info(CORPUS)
    for row in data["documents"]:
        cells = f"| {row['doc_id']} | {row['story_id']} |"
        line = next(line for line in result.out.splitlines() if line.startswith(cells))
        assert line.endswith(f"| {row['entities']} | {row['claims']} | {row['attributions']} |")


def test_corpus_diff_of_a_corpus_with_itself_says_no_change_in_every_format(run_cli):
    table = run_cli(*COMMANDS["corpus diff"], "--format", "table").out
    markdown = run_cli(*COMMANDS["corpus diff"], "--format", "markdown").out
    for layer in ("entities", "claims", "attributions"):
        assert f"| {layer} |  | no change |" in markdown
        assert layer in table
    assert "no change" in table


def test_agreement_as_a_table_shows_the_headline_numbers(run_cli):
    report = json.loads(run_cli(*COMMANDS["agreement"], "--format", "json").out)
    table = run_cli(*COMMANDS["agreement"], "--format", "table").out
    strict = report["pairs"][0]["report"]["layers"]["entities"]["overall"]["strict"]["f1"]
    assert f"{100 * strict:.2f}" in table
    assert "Cohen's kappa" in table


def test_an_unknown_format_is_a_usage_error(run_cli, tmp_path: Path):
    assert run_cli("corpus", "info", "--format", "text").code == 2


def test_markup_and_control_characters_from_paths_never_reach_the_terminal(run_cli, tmp_path):
    # the hardening review crashed the table on `--compare 'x/[/bogus].jsonl'` (MarkupError)
    # and sent an ANSI screen clear from a file name
    hostile = tmp_path / "x" / "[" / "bogus]\x1b[2J[bold]x.jsonl"  # ".../x/[/bogus]..."
    hostile.parent.mkdir(parents=True)
    predictions = [json.loads(p.read_text()) for p in sorted(PASS_B.glob("*.json"))]
    hostile.write_text("".join(json.dumps(r) + "\n" for r in predictions), encoding="utf-8")
    result = run_cli("evaluate", hostile, "--compare", hostile, "--compare-samples", "10")
    assert result.code == 0, result.err
    assert "\x1b" not in result.out
    shown = "".join(result.out.split())  # the centred title may wrap
    assert "[/bogus]\\x1b[2J[bold]x.jsonl" in shown
