"""Progress on stderr (issue 25): one plain line per stage of large work when stderr is not a
terminal, rich's live display when it is, nothing for small work or with --quiet, and never a
byte of difference on stdout."""

from __future__ import annotations

import io
import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sourcetrace.progress import LARGE_WORK, is_shown, reporting, stage

from gold_factory import ROOT, story_gold, write_jsonl

ENTRY = "import sys; from sourcetrace.cli.entry import evaluate_main; sys.exit(evaluate_main())"


@pytest.fixture(scope="module")
def large_run(tmp_path_factory) -> tuple[Path, Path, Path, int]:
    """A synthetic run just large enough to be announced: the story gold copied under new
    document ids (LARGE_WORK documents), a system that misses each document's first entity, and
    the gold itself as a second system."""
    folder = tmp_path_factory.mktemp("large")
    base = story_gold()
    gold = [{**base[i % len(base)], "doc_id": f"syn-{i:04d}"} for i in range(LARGE_WORK)]
    system = [{**record, "entities": record["entities"][1:]} for record in gold]
    for record in system:
        del record["text_sha256"], record["text"]
    for record in system:  # attributions may name a dropped entity: keep them by text only
        record["attributions"] = []
    return (
        write_jsonl(folder / "gold.jsonl", gold),
        write_jsonl(folder / "system.jsonl", system),
        write_jsonl(folder / "other.jsonl", gold),
        len(gold),
    )


def test_a_stage_is_shown_from_the_large_work_size_or_when_slow_whatever_its_size():
    assert not is_shown(LARGE_WORK - 1)
    assert is_shown(LARGE_WORK)
    assert is_shown(None)


def test_plain_lines_name_each_shown_stage_once_in_order():
    stream = io.StringIO()
    with reporting(stream=stream):
        with stage("small", size=LARGE_WORK - 1):
            pass
        with stage("first", size=LARGE_WORK), stage("inner, always"):
            pass
        with stage("last"):
            pass
    assert stream.getvalue() == "first\ninner, always\nlast\n"


def test_quiet_reporting_and_no_reporting_show_nothing(capsys):
    stream = io.StringIO()
    with reporting(quiet=True, stream=stream), stage("always"):
        pass
    with stage("no reporter installed"):
        pass
    assert stream.getvalue() == ""
    assert capsys.readouterr() == ("", "")


def test_a_large_run_shows_its_stage_lines_in_order_and_nothing_else(run_cli, large_run):
    gold, system, other, documents = large_run
    arguments = [
        "evaluate", system, "--gold", gold, "--compare", other, "--bootstrap", "20",
        "--compare-samples", "20", "--format", "json",
    ]  # fmt: skip
    shown = run_cli(*arguments)
    assert shown.code == 0, shown.err
    assert shown.err.splitlines() == [
        f"reading the predictions of {documents} gold document(s)",
        f"scoring entities, claims, attributions on {documents} document(s)",
        f"reading and scoring the compared system ({documents} document(s))",
        f"bootstrap: 20 sample(s) over {documents} document(s)",
        f"paired test (approximate-randomization): 20 sample(s) over {documents} document(s)",
        f"rendering the json report of {documents} document(s)",
    ]
    quiet = run_cli(*arguments, "--quiet")
    assert quiet.code == 0, quiet.err
    assert quiet.err == ""
    assert quiet.out == shown.out  # stdout byte for byte the same with and without progress
    report = json.loads(shown.out)
    assert len(report["documents"]["scored"]) == documents


def test_the_page_of_a_large_run_adds_its_explanation_stage(run_cli, large_run, tmp_path):
    gold, system, _, documents = large_run
    page = tmp_path / "page.html"
    result = run_cli("evaluate", system, "--gold", gold, "--layers", "entities", "--output", page)
    assert result.code == 0, result.err
    # one output drawn from the items: they are explained as the page is rendered (streamed)
    assert result.err.splitlines() == [
        f"reading the predictions of {documents} gold document(s)",
        f"scoring entities on {documents} document(s)",
        f"rendering the html report of {documents} document(s)",
        f"wrote html to {page}",
    ]
    # two outputs drawn from the items: explained once, first, then both rendered
    errors = tmp_path / "errors.tsv"
    both = run_cli(
        "evaluate", system, "--gold", gold, "--layers", "entities", "--output", page,
        "--output", errors,
    )  # fmt: skip
    assert both.code == 0, both.err
    assert both.err.splitlines() == [
        f"reading the predictions of {documents} gold document(s)",
        f"scoring entities on {documents} document(s)",
        f"explaining {documents} document(s) item by item",
        f"rendering the html report of {documents} document(s)",
        f"rendering the tsv report of {documents} document(s)",
        f"wrote html to {page}",
        f"wrote tsv to {errors}",
    ]


def test_a_large_run_read_whole_after_its_chunks_shows_no_stage_line_twice(
    run_cli, large_run, tmp_path
):
    """A run in chunks that is given up (here: a malformed last line, found while the chunks
    are scored) is read whole to word its message: one line says so, and the stages the chunks
    showed are not shown again."""
    gold, system, _, documents = large_run
    lines = system.read_text(encoding="utf-8").splitlines()
    broken = tmp_path / "broken.jsonl"
    broken.write_text("\n".join([*lines[:-1], lines[-1][:-1]]) + "\n", encoding="utf-8")
    result = run_cli("evaluate", broken, "--gold", gold, "--layers", "entities")
    assert result.code == 2
    err = result.err.splitlines()
    assert err[:3] == [
        f"reading the predictions of {documents} gold document(s)",
        f"scoring entities on {documents} document(s)",
        f"reading and scoring all {documents} document(s) at once (this run cannot be scored "
        "a chunk at a time)",
    ]
    assert err[3].startswith(f"error: {broken}, line {len(lines)}: malformed JSON")
    assert len(err) == 4


def test_a_small_run_prints_its_report_and_nothing_on_stderr(run_cli):
    predictions = ROOT / "evaluate" / "runs" / "rules" / "predictions.jsonl"
    result = run_cli("evaluate", predictions, "--bootstrap", "50")
    assert result.code == 0, result.err
    assert result.err == ""
    assert "sourcetrace evaluation" in result.out


def _run_on_a_terminal(arguments: list[str | Path], timeout: float = 120) -> tuple[int, str, str]:
    """Run `evaluate` with stderr on a pseudo-terminal and stdout on a pipe: (exit code, stdout,
    what the terminal received)."""
    primary, secondary = pty.openpty()
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "TERM": "xterm-256color"}
    environment.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [sys.executable, "-c", ENTRY, *map(str, arguments)],
        stdout=subprocess.PIPE,
        stderr=secondary,
        stdin=subprocess.DEVNULL,
        env=environment,
    )
    os.close(secondary)
    received = bytearray()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([primary], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # the child closed the terminal (EIO)
                break
            if not chunk:
                break
            received += chunk
        elif process.poll() is not None:
            break
    os.close(primary)
    out, _ = process.communicate(timeout=timeout)
    return process.returncode, out.decode("utf-8"), received.decode("utf-8", "replace")


def test_on_a_terminal_the_stages_are_drawn_by_rich(large_run):
    gold, system, _, documents = large_run
    code, out, terminal = _run_on_a_terminal(
        ["evaluate", system, "--gold", gold, "--layers", "entities", "--format", "json"][1:]
    )
    assert code == 0, terminal
    # rich's live display: cursor control sequences, and one "done" line per finished stage
    assert "\x1b[" in terminal
    assert f"scoring entities on {documents} document(s)" in terminal
    assert "done" in terminal
    assert json.loads(out)["layers"]["entities"]["overall"]["strict"]["missed"] == documents
    quiet_code, quiet_out, quiet_terminal = _run_on_a_terminal(
        ["evaluate", system, "--gold", gold, "--layers", "entities", "--format", "json",
         "--quiet"][1:]
    )  # fmt: skip
    assert quiet_code == 0
    assert quiet_terminal == ""
    assert quiet_out == out
