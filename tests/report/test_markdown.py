"""Markdown reports: every string from data or paths is inert Markdown on one line."""

from __future__ import annotations

import pytest

from sourcetrace.report.markdown import md_code, md_text

from gold_factory import story_gold, write_jsonl

HOSTILE = "run\n# Injected heading\n<script>x()</script> | `tick` [link](http://e)"


def test_markdown_a_file_name_with_a_newline_injects_no_heading(tmp_path, run_cli) -> None:
    gold = write_jsonl(tmp_path / "gold.jsonl", story_gold())
    predictions = write_jsonl(tmp_path / (HOSTILE.replace("/", "_") + ".jsonl"), story_gold())
    other = write_jsonl(tmp_path / "other\n## Also injected.jsonl", story_gold())
    result = run_cli(
        "evaluate", predictions, "--gold", gold, "--compare", other, "--format", "markdown"
    )
    assert result.code == 0, result.err
    headings = [line for line in result.out.splitlines() if line.startswith("#")]
    assert headings[0] == "# sourcetrace evaluation"
    # the names appear escaped inside their own line, never as a heading of their own
    assert not any(line.lstrip("#").strip().startswith(("Injected", "Also")) for line in headings)
    assert "\\x0a# Injected heading" in result.out
    # a name is a code span (literal text, no HTML): fenced past its own backtick
    assert "run\\x0a# Injected heading" in result.out and "jsonl``" in result.out


@pytest.mark.parametrize("value", [HOSTILE, "a\u2028b\rc", "x" * 3 + "\x1b[2J", "_em_ *b*"])
def test_markdown_escaping_keeps_one_line_and_no_markup(value: str) -> None:
    for rendered in (md_text(value), md_code(value)):
        assert "\n" not in rendered and "\r" not in rendered and "\u2028" not in rendered
        assert "\x1b" not in rendered
    assert "<script>" not in md_text(value) and "|" not in md_text(value).replace("\\|", "")
    code = md_code("a`b``c")
    assert code.startswith("```") and code.endswith("```")
    assert md_text("ent_type") == "ent_type"  # an underscore inside a word is left alone
