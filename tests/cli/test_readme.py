"""The README's promises that code can check: the two commands, its size, its links; and the
docs it sends users to: the CLI reference (docs/cli.md) and the report paths (docs/evaluate.md)."""

from __future__ import annotations

import re

from sourcetrace.cli.main import readme_with_reference

from gold_factory import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
CLI_REFERENCE = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
EVALUATE_DOC = (ROOT / "docs" / "evaluate.md").read_text(encoding="utf-8")


def test_cli_reference_is_the_parsers_own_help():
    # `make readme` regenerates the block; a stale docs/cli.md fails here
    assert readme_with_reference(CLI_REFERENCE) == CLI_REFERENCE


def test_readme_fits_a_screen_per_task_under_15_kb():
    # issue 25: the user's tasks in the README, the rules and references in docs/
    assert len(README.encode("utf-8")) < 15 * 1024
    assert "cli-reference:start" not in README and "bench:start" not in README


def test_set_up_is_two_commands_and_ci_runs_the_test_command():
    block = re.search(r"## Set-up: two commands.*?```sh\n(.*?)```", README, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines()]
    commands = [c for c in commands if c]
    assert commands == ["make demo", "make test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert [
        line for line in ci.splitlines() if line and not line.startswith(("#", "set ", "cd "))
    ] == ["make test"]


def test_every_linked_doc_exists():
    pages = [ROOT / "README.md", ROOT / "benchmarks" / "README.md", *(ROOT / "docs").rglob("*.md")]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#:\s]+)(?:#[^)]*)?\)", text):
            assert (page.parent / target).exists(), f"{page.relative_to(ROOT)} links {target}"


def test_stable_report_paths_are_documented():
    for path in (
        'report["signature"]',
        'report["corpus"]["version"]',
        'report["layers"]["entities"]["overall"][SCHEME][COUNT_OR_METRIC]',
        'report["layers"]["attributions"][PART]["strict"|"lenient"]["f1"]',
    ):
        assert path in EVALUATE_DOC
