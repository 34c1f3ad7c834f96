"""Issue 25, output details: help with defaults, the usage line's name, the line of a fault in a
pretty-printed JSON file, agreement signatures, the corpus build and verify counts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sourcetrace.errors import InputError, InputErrors
from sourcetrace.evaluation.settings import Settings

from gold_factory import ROOT

GOLD_FILE = ROOT / "annotations" / "gold" / "st-000.json"


# ---------------------------------------------------------------- help and usage


@pytest.mark.parametrize(
    ("option", "default"),
    [
        ("--confidence", Settings.confidence),
        ("--seed", Settings.seed),
        ("--compare-samples", Settings.compare_samples),
        ("--compare-method", Settings.compare_method),
        ("--alpha", Settings.alpha),
    ],
)
def test_statistics_options_have_help_with_their_default(run_cli, option, default):
    # the option's entry: from its line in the options list to the next option's line
    text = run_cli("evaluate", "--help").out
    entry = re.split(r"\n  -", text.split(f"\n  {option} ", 1)[1], maxsplit=1)[0]
    assert f"(default {default})" in " ".join(entry.split()), entry


def test_usage_names_evaluate_as_it_was_run(capsys, monkeypatch):
    from sourcetrace.cli.main import evaluate_main, main, script_name

    monkeypatch.setattr("sys.argv", ["/opt/venv/bin/evaluate", "--help"])
    with pytest.raises(SystemExit):
        evaluate_main()
    assert capsys.readouterr().out.startswith("usage: evaluate [-h]")
    with pytest.raises(SystemExit):
        main(["evaluate", "--help"])
    assert capsys.readouterr().out.startswith("usage: sourcetrace evaluate [-h]")
    assert script_name("-c") == script_name("") == "evaluate"


# ---------------------------------------------------------------- JSON lines


def pretty_gold_with(tmp_path: Path, index: int, key: str, value: object) -> tuple[Path, int]:
    """The gold of st-000 indented, entity ``index``'s ``key`` set to ``value``; the file and
    the line that holds that key (found in the text written)."""
    record = json.loads(GOLD_FILE.read_text(encoding="utf-8"))
    record["entities"][index][key] = value
    path = tmp_path / "st-000.json"
    text = json.dumps(record, indent=2, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    marker = json.dumps(value)
    lines = [n for n, line in enumerate(text.split("\n"), 1) if f'"{key}": {marker}' in line]
    assert len(lines) == 1
    return path, lines[0]


@pytest.mark.parametrize(("index", "key", "value"), [(3, "type", "BOGUS"), (7, "start", -5)])
def test_a_fault_in_a_pretty_printed_json_file_is_reported_at_its_line(
    run_cli, tmp_path, index, key, value
):
    path, line = pretty_gold_with(tmp_path, index, key, value)
    assert line > 1
    result = run_cli("validate", path)
    assert result.code == 2
    assert f"line {line}, at /entities/{index}/{key}" in result.err
    evaluated = run_cli("evaluate", path)
    assert evaluated.code == 2
    assert f"line {line}, at /entities/{index}/{key}" in evaluated.err
    import sourcetrace

    with pytest.raises((InputError, InputErrors)) as caught:
        sourcetrace.evaluate(path)
    assert f"line {line}," in str(caught.value)


def test_the_records_of_a_json_array_are_placed_each_in_its_own_lines(tmp_path):
    from sourcetrace.jsonio import placed

    path = tmp_path / "two.json"
    lines = ["[", "  {", '    "a": 1', "  },", "  {", '    "b": [', "      0,", '      {"c": 2}']
    path.write_text("\n".join([*lines, "    ]", "  }", "]"]))
    problems = [
        InputError("x", file=path, line=2, pointer="/a"),
        InputError("y", file=path, line=5, pointer="/b/1/c"),
        InputError("z", file=path, line=5, pointer="/b/9"),  # absent: its container's line
        InputError("w", file=tmp_path / "r.jsonl", line=4, pointer="/a"),  # JSON Lines: as is
    ]
    assert [p.line for p in placed(problems)] == [3, 8, 6, 4]


# ---------------------------------------------------------------- agreement and corpus counts


def test_agreement_signatures_name_the_reference_pass(run_cli, tmp_path):
    passes = []
    for name in ("ann-one", "ann-two"):
        folder = tmp_path / name
        folder.mkdir()
        (folder / GOLD_FILE.name).write_bytes(GOLD_FILE.read_bytes())
        passes.append(folder)
    report = json.loads(run_cli("agreement", *passes, "--format", "json").out)
    signature = report["pairs"][0]["report"]["signature"]
    fields = dict(part.split(":", 1) for part in signature.split("|"))
    assert "corpus" not in fields  # not `corpus:pass`, which named no corpus
    assert fields["reference"] == "ann-one"  # the pass scored against, by its folder name


def test_corpus_build_and_verify_count_the_same_files(run_cli, tmp_path):
    import shutil

    for folder in ("seeds", "annotations", "corpus", "schema"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    manifest = json.loads((tmp_path / "corpus" / "MANIFEST.json").read_text(encoding="utf-8"))
    listed = len(manifest["files"])
    built = run_cli("corpus", "build", "--root", tmp_path)
    verified = run_cli("corpus", "verify", "--root", tmp_path)
    assert built.code == 0 and verified.code == 0, built.err + verified.err
    phrase = f"MANIFEST.json and the {listed} files it lists"
    assert phrase in built.out and phrase in verified.out
    counts = re.search(r"(\d+) written, (\d+) unchanged", built.out)
    assert counts and int(counts[1]) + int(counts[2]) == listed + 1  # the manifest itself too
