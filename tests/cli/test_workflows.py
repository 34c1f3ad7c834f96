"""The README's workflows, run as a user runs them, on a copy of the checkout.

The shell blocks marked `<!-- workflow:NAME -->` in the README are executed line by line in the
copy; after the annotation workflow (edit gold, check, regenerate agreement, bump, rebuild) the
tests that read the shipped state are run again inside the copy, so a user who follows the README
never ends with a red suite.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

from checkout import bump_version, copy_checkout, run, workflow
from sourcetrace.corpus.build import read_version
from sourcetrace.schema.labels import CHECKWORTHY_MIN_SCORE, checkworthiness_score

from gold_factory import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
# the tests that read the shipped corpus, gold, card or README
AFFECTED = (
    "tests/corpus/test_gold.py",
    "tests/corpus/test_corpus.py",
    "tests/corpus/test_dataset.py",
    "tests/cli/test_readme.py",
    "tests/corpus/test_guidelines.py",
    "tests/report/test_leaderboard.py",
    "tests/baselines/test_runs.py",
)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    return copy_checkout(tmp_path / "sourcetrace")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_the_annotation_workflow_leaves_a_green_suite(copy):
    gold_file = copy / "annotations" / "gold" / "st-004.json"
    gold = json.loads(gold_file.read_text(encoding="utf-8"))
    # a correction: one answer of the check-worthiness rubric, with the score and the label that
    # follow from it (validate refuses a label that does not follow from the rubric)
    claim = gold["claims"][-1]
    rubric = claim["checkworthiness"]
    rubric["answers"]["worth_checking"] = not rubric["answers"]["worth_checking"]
    rubric["score"] = checkworthiness_score(rubric["answers"])
    claim["checkworthy"] = rubric["score"] >= CHECKWORTHY_MIN_SCORE
    gold_file.write_text(json.dumps(gold, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    manifest = json.loads((copy / "corpus" / "MANIFEST.json").read_text())
    major, minor, patch = map(int, manifest["version"].split("."))
    bumped = f"{major}.{minor}.{patch + 1}"
    bump_version(copy, bumped, "st-004: one claim's check-worthiness corrected")
    for command in workflow("annotate"):
        done = run(copy, command)
        assert done.returncode == 0, (command, done.stdout[-2000:], done.stderr[-2000:])
    assert json.loads((copy / "corpus" / "MANIFEST.json").read_text())["version"] == bumped
    rows = (copy / "corpus" / "data" / "claims.jsonl").read_text(encoding="utf-8").splitlines()
    last = [json.loads(r) for r in rows if json.loads(r)["doc_id"] == "st-004"][-1]
    assert last["checkworthy"] == claim["checkworthy"]
    assert last["checkworthiness"] == rubric
    tests = run(copy, f"{sys.executable} -m pytest -q -x -p no:cacheprovider {' '.join(AFFECTED)}")
    assert tests.returncode == 0, tests.stdout[-4000:]
    assert re.search(r"\d+ passed", tests.stdout)


# the tests that once failed after the annotation workflow below (issue 25): a count of the
# shipped gold, round trips compared with the gold file's bytes, bumps that read another version
AFTER_USER_EDITS = (
    "tests/baselines/test_noisy_gold.py",
    "tests/studio/test_client.py::test_gold_pushed_accepted_and_pulled_equals_the_gold",
    "tests/studio/test_hostile_export.py::test_the_gold_export_imports_as_the_gold",
    "tests/studio/test_hostile_server.py::"
    "test_hostile_user_emails_on_a_real_server_stay_in_the_pass_folder",
    "tests/studio/test_loop.py",
    "tests/studio/test_browser.py::test_spans_drawn_with_the_mouse_come_back_exact",
    "tests/corpus/test_corpus.py",
    "tests/cli/test_workflows.py::test_the_annotation_workflow_leaves_a_green_suite",
)


def test_the_annotation_workflow_with_a_users_edits_leaves_the_tests_green(copy):
    """As a user does it: an entity no claim or attribution refers to dropped from a gold file,
    saved without its trailing newline, a CHANGELOG entry written at the very top of the file,
    then the README's commands; the tests that read the shipped state then pass in the copy."""
    gold_file = copy / "annotations" / "gold" / "st-000.json"
    gold = json.loads(gold_file.read_text(encoding="utf-8"))
    referred = json.dumps([gold["claims"], gold["attributions"]])
    mentions = Counter(e["entity"] for e in gold["entities"])
    dropped = next(
        e
        for e in reversed(gold["entities"])
        if f'"{e["id"]}"' not in referred and mentions[e["entity"]] > 1  # links stay all used
    )
    gold["entities"].remove(dropped)
    gold_file.write_text(json.dumps(gold, indent=2, ensure_ascii=False), encoding="utf-8")
    changelog = copy / "corpus" / "CHANGELOG.md"
    major, minor, patch = map(int, read_version(changelog).split("."))
    bumped = f"{major}.{minor}.{patch + 1}"
    entry = f"## {bumped} - st-000: {dropped['id']} dropped\n\n"
    changelog.write_text(entry + changelog.read_text(encoding="utf-8"), encoding="utf-8")
    for command in workflow("annotate"):
        done = run(copy, command)
        assert done.returncode == 0, (command, done.stdout[-2000:], done.stderr[-2000:])
    assert json.loads((copy / "corpus" / "MANIFEST.json").read_text())["version"] == bumped
    rows = (copy / "corpus" / "data" / "entities.jsonl").read_text(encoding="utf-8").splitlines()
    built = [json.loads(r) for r in rows if json.loads(r)["doc_id"] == "st-000"]
    assert len(built) == len(gold["entities"])
    tests = run(
        copy, f"{sys.executable} -m pytest -q -p no:cacheprovider {' '.join(AFTER_USER_EDITS)}"
    )
    assert tests.returncode == 0, tests.stdout[-4000:]
    assert " failed" not in tests.stdout and re.search(r"\d+ passed", tests.stdout)


def test_the_evaluate_workflow_runs_on_a_fresh_clone_and_writes_nothing_it_should_not(copy):
    protected = {name: snapshot(copy / name) for name in ("annotations", "corpus", "seeds")}
    outputs = [run(copy, command) for command in workflow("evaluate")]
    assert [o.returncode for o in outputs] == [0] * len(outputs), [o.stderr for o in outputs]
    table, _, agreement = outputs
    assert "signature: sourcetrace:" in table.stdout
    report = json.loads((copy / "pass-b.json").read_text())
    assert report["corpus"]["source"] == "annotations/gold"
    assert report["layers"]["entities"]["overall"]["strict"]["f1"] is not None
    assert agreement.stdout.startswith("# Inter-annotator agreement")
    assert {name: snapshot(copy / name) for name in protected} == protected


def test_the_scale_workflow_merges_shards_into_the_one_run_report(copy):
    outputs = [run(copy, command) for command in workflow("scale")]
    assert [o.returncode for o in outputs] == [0] * len(outputs), [o.stderr for o in outputs]
    merged = json.loads((copy / "build" / "merged.json").read_text(encoding="utf-8"))
    assert merged["statistics"]["bootstrap"]["entities.strict.f1"]["n"] == 1000
    assert "signature: sourcetrace:" in outputs[-1].stdout  # the Dask run printed its table


def test_the_datasets_map_example_gives_the_one_run_report(copy):
    block = re.search(r"<!-- workflow:scale-datasets -->\n```python\n(.*?)```", README, re.S)
    assert block, "README has no workflow:scale-datasets block"
    script = copy / "build" / "datasets_map.py"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(block.group(1) + "print('equal')\n", encoding="utf-8")
    done = run(copy, f"{sys.executable} {script}")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("equal")


def test_the_browser_workflow_writes_both_pages(copy):
    outputs = [run(copy, command) for command in workflow("browser")]
    assert [o.returncode for o in outputs] == [0] * len(outputs), [o.stderr for o in outputs]
    report = (copy / "build" / "rules.html").read_text(encoding="utf-8")
    story = (copy / "build" / "story.html").read_text(encoding="utf-8")
    assert report.count('data-outcome="missed"') > 0 and "sourcetrace:" in report
    assert 'data-relation="contradicts"' in story and 'data-relation="distorts"' in story


def test_the_leaderboard_workflow_reproduces_the_committed_files(copy):
    before = {
        name: (copy / "evaluate" / name).read_bytes()
        for name in ("LEADERBOARD.md", "leaderboard.png", "runs/rules/predictions.jsonl")
    }
    outputs = [run(copy, command) for command in workflow("leaderboard")]
    assert [o.returncode for o in outputs] == [0] * len(outputs), [o.stderr for o in outputs]
    for name, content in before.items():
        assert (copy / "evaluate" / name).read_bytes() == content, name
