"""The README's promises that code can check: the CLI reference, the two commands, the paths."""

from __future__ import annotations

import re

from sourcetrace.cli.main import readme_with_reference

from gold_factory import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_cli_reference_is_the_parsers_own_help():
    # `make readme` regenerates the block; a stale README fails here
    assert readme_with_reference(README) == README


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
    for target in re.findall(r"\]\(([^)#]+\.md)\)", README):
        assert (ROOT / target).is_file(), target


def test_stable_report_paths_are_documented():
    for path in (
        'report["signature"]',
        'report["corpus"]["version"]',
        'report["layers"]["entities"]["overall"][SCHEME][COUNT_OR_METRIC]',
        'report["layers"]["attributions"][PART]["strict"|"lenient"]["f1"]',
    ):
        assert path in README
