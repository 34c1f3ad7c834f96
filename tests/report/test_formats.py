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


# --- one run, several outputs (issue 25: `make demo` scores once for the table and the page) ---


def test_repeated_output_writes_the_table_on_stdout_and_the_page_of_one_run(run_cli, tmp_path):
    alone_table = run_cli("evaluate", PASS_B)
    alone_page = tmp_path / "alone.html"
    assert run_cli("evaluate", PASS_B, "--output", alone_page).code == 0
    page = tmp_path / "page.html"
    both = run_cli("evaluate", PASS_B, "--output", "-", "--output", page)
    assert both.code == 0, both.err
    assert both.out == alone_table.out
    assert page.read_bytes() == alone_page.read_bytes()
    assert f"wrote html to {page}" in both.err


def test_repeated_output_files_take_their_formats_from_their_endings(run_cli, tmp_path):
    report, markdown, unknown = tmp_path / "r.json", tmp_path / "r.md", tmp_path / "r.out"
    result = run_cli(
        "evaluate", PASS_B, "--format", "markdown", "--output", report, "--output", markdown,
        "--output", unknown,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert result.out == ""
    alone = tmp_path / "alone.json"
    assert run_cli("evaluate", PASS_B, "--output", alone).code == 0
    assert json.loads(report.read_text()) == json.loads(alone.read_text())
    assert markdown.read_text().startswith("# ")
    # the file without a known ending takes --format
    assert unknown.read_text() == markdown.read_text()


def test_output_keeps_the_positional_argument_after_it(run_cli, tmp_path):
    report = tmp_path / "r.json"
    result = run_cli("evaluate", "--output", report, PASS_B)
    assert result.code == 0, result.err
    assert json.loads(report.read_text())["layers"]


@pytest.mark.parametrize(
    ("targets", "fmt", "says"),
    [
        (["r.json", "r.json"], None, "the same --output target twice"),
        (["r.json", "sub/../r.json"], None, "the same --output target twice"),
        (["-", "-"], None, "the same --output target twice"),
        (["r.json", "r.md"], "json", "each name their format by their ending"),
    ],
    ids=["file-twice", "file-twice-through-dotdot", "stdout-twice", "format-taken-by-no-target"],
)
def test_ambiguous_repeated_outputs_are_refused_before_anything_is_written(
    run_cli, tmp_path, targets, fmt, says
):
    arguments = [a for t in targets for a in ("--output", t if t == "-" else tmp_path / t)]
    result = run_cli("evaluate", PASS_B, *(["--format", fmt] if fmt else []), *arguments)
    assert result.code == 2
    assert says in result.err
    assert result.out == ""
    assert list(tmp_path.iterdir()) == []


def test_a_refused_second_output_leaves_the_first_unwritten(run_cli, tmp_path):
    folder = tmp_path / "a-folder.json"
    folder.mkdir()
    first = tmp_path / "first.md"
    result = run_cli("evaluate", PASS_B, "--output", first, "--output", folder)
    assert result.code == 2
    assert "refusing to write over a folder" in result.err
    assert not first.exists()


def test_make_demo_scores_once_for_the_table_and_the_page():
    recipe = (ROOT / "Makefile").read_text().split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    evaluate_lines = [line for line in recipe.splitlines() if "/evaluate " in line]
    assert len(evaluate_lines) == 1
    assert "--output - --output $(DEMO)/report.html" in evaluate_lines[0]


def test_fixed_interval_column_is_labelled_with_the_confidence_used(run_cli, st000_files):
    # report.HEADER is the constant "95% CI (F1)"; with --confidence 0.8 the column holds the
    # 10th-90th percentile interval but still reads "95% CI". The label must follow the setting.
    pred, gold = st000_files
    result = run_cli(
        "evaluate", pred, "--gold", gold, "--bootstrap", "5", "--confidence", "0.8",
        "--format", "markdown",
    )  # fmt: skip
    assert result.code == 0
    assert "95% CI" not in result.out


def test_every_summary_format_shows_the_source_phrase_and_content_type_rows(run_cli, tmp_path):
    # the gold as a system with every content type of st-001 set to `belief` (gold has none
    # there): the rows carry what the JSON report says, in the table, Markdown and HTML alike
    lines = []
    for gold_file in sorted((ROOT / "annotations" / "gold").glob("*.json")):
        record = json.loads(gold_file.read_text(encoding="utf-8"))
        if record["doc_id"] == "st-001":
            for attribution in record["attributions"]:
                attribution["content_type"] = "belief"
        layers = {k: record[k] for k in ("entities", "claims", "attributions")}
        lines.append(json.dumps({"doc_id": record["doc_id"], **layers}) + "\n")
    predictions = tmp_path / "predictions.jsonl"
    predictions.write_text("".join(lines), encoding="utf-8")
    gold = ROOT / "annotations" / "gold"
    done = run_cli("evaluate", predictions, "--gold", gold, "--format", "json")
    assert done.code == 0, done.err
    section = json.loads(done.out)["layers"]["attributions"]
    types, spans = section["content_type"], section["source_span"]
    assert 0 < types["accuracy"] < 1 and spans["strict"]["f1"] == 1.0
    accuracy = f"accuracy {100 * types['accuracy']:.2f} kappa {types['kappa']:.3f}"
    phrases = f"tp {spans['strict']['true_positives']} gold {spans['strict']['gold']}"
    for fmt in ("table", "markdown", "html"):
        done = run_cli("evaluate", predictions, "--gold", gold, "--format", fmt)
        assert done.code == 0, done.err
        assert "content_type (on matched)" in done.out and accuracy in done.out, fmt
        assert "source_span strict (on matched)" in done.out and phrases in done.out, fmt
