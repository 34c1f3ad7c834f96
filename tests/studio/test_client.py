"""push / pull against a real Label Studio: the gold goes there and comes back the same, and
the token never shows."""

from __future__ import annotations

import json
import logging
import os
import re

import pytest

from conftest import REPO, pulled_folder, run_subprocess, snapshot
from sourcetrace.jsonio import dumps_pretty
from sourcetrace.studio.client import redact

GOLD = sorted((REPO / "annotations" / "gold").glob("*.json"))


@pytest.fixture
def ls(label_studio):
    from label_studio_sdk import LabelStudio

    return LabelStudio(base_url=label_studio.url, api_key=label_studio.token)


@pytest.fixture
def server_env(label_studio, monkeypatch):
    monkeypatch.setenv("LABEL_STUDIO_URL", label_studio.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", label_studio.token)
    return {"LABEL_STUDIO_URL": label_studio.url, "LABEL_STUDIO_API_KEY": label_studio.token}


def project_of(output: str) -> int:
    return int(re.search(r"to project (\d+)", output).group(1))


def accept_predictions(ls, project: int) -> int:
    """What a reviewer does who accepts every pre-annotation: one annotation per task."""
    tasks = list(ls.tasks.list(project=project))
    for task in tasks:
        (prediction,) = list(ls.predictions.list(task=task.id))
        ls.annotations.create(id=task.id, result=prediction.result)
    return len(tasks)


def test_gold_pushed_accepted_and_pulled_equals_the_gold(
    studio_cli, server_env, ls, checkout, caplog, label_studio
):
    caplog.set_level(logging.DEBUG)
    pushed = studio_cli("studio", "push", "--root", checkout)
    assert pushed.code == 0, pushed.err
    project = project_of(pushed.out)
    assert f"pushed {len(GOLD)} task(s)" in pushed.out
    assert ls.projects.get(id=project).label_config.startswith("<View>")
    assert accept_predictions(ls, project) == len(GOLD)
    pulled = studio_cli("studio", "pull", "--pass", "review", "--root", checkout)
    assert pulled.code == 0, pulled.err
    folder = checkout / "annotations" / "passes" / pulled_folder(ls, "review")
    assert sorted(p.name for p in folder.iterdir()) == [p.name for p in GOLD]
    for gold in GOLD:
        content = json.loads(gold.read_text("utf-8"))
        assert json.loads((folder / gold.name).read_text("utf-8")) == content
        # written as every pass file is, in the gold's key order, whatever the gold's spacing
        assert (folder / gold.name).read_text("utf-8") == dumps_pretty(content)
    assert "0 span(s) repaired" in pulled.out
    for text in (pushed.out, pushed.err, pulled.out, pulled.err):
        assert label_studio.token not in text and label_studio.url not in text
    leaks = [r.name for r in caplog.records if label_studio.token in r.getMessage()]
    assert leaks == [], [
        r.getMessage()[:300] for r in caplog.records if label_studio.token in r.getMessage()
    ]


def test_push_options_choose_documents_predictions_and_project(
    studio_cli, server_env, ls, checkout
):
    made = ls.projects.create(title="for a system", label_config=studio_cli("studio", "config").out)
    run = REPO / "evaluate" / "runs" / "rules" / "predictions.jsonl"
    done = studio_cli(
        "studio", "push", "--project", made.id, "--documents", "st-001", "st-003",
        "--predictions", run, "--model-version", "rules-test", "--root", checkout,
    )  # fmt: skip
    assert done.code == 0, done.err
    tasks = list(ls.tasks.list(project=made.id))
    assert sorted(t.data["doc_id"] for t in tasks) == ["st-001", "st-003"]
    rows = {json.loads(x)["doc_id"]: json.loads(x) for x in run.read_text().splitlines()}
    for task in tasks:
        (prediction,) = list(ls.predictions.list(task=task.id))
        assert prediction.model_version == "rules-test"
        spans = [r for r in prediction.result if r.get("from_name") == "entity"]
        assert len(spans) == len(rows[task.data["doc_id"]]["entities"])
    before = snapshot(checkout / "annotations")
    nothing = studio_cli("studio", "pull", "--project", made.id, "--root", checkout)
    assert nothing.code == 0 and "0 file(s)" in nothing.out
    assert snapshot(checkout / "annotations") == before


def test_the_token_never_shows_in_output_or_errors(label_studio, checkout, server_env):
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), **server_env}
    runs = [
        run_subprocess(["studio", "push", "--documents", "st-004", "--root", str(checkout)],
                       env=env, cwd=checkout),
        run_subprocess(["studio", "pull", "--pass", "tok", "--root", str(checkout)],
                       env=env, cwd=checkout),
    ]  # fmt: skip
    assert [r.code for r in runs] == [0, 0], [r.err for r in runs]
    wrong = {**env, "LABEL_STUDIO_API_KEY": label_studio.token[::-1]}
    refused = run_subprocess(["studio", "push", "--root", str(checkout)], env=wrong, cwd=checkout)
    assert refused.code == 2 and "401" in refused.err
    assert label_studio.token[::-1] not in refused.err
    down = {**env, "LABEL_STUDIO_URL": "http://127.0.0.1:9"}
    unreachable = run_subprocess(
        ["studio", "pull", "--root", str(checkout)], env=down, cwd=checkout
    )
    assert unreachable.code == 2 and "Label Studio" in unreachable.err
    assert "Traceback" not in refused.err + unreachable.err
    for run in [*runs, refused, unreachable]:
        assert label_studio.token not in run.out + run.err
    for run in runs:  # a failure names the server it failed on; success has no need to
        assert label_studio.url not in run.out + run.err
    assert f"{label_studio.url}: Label Studio" in refused.err
    assert "http://127.0.0.1:9: Label Studio" in unreachable.err


def test_missing_settings_are_named(studio_cli, checkout, monkeypatch):
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "secret-token-123")
    done = studio_cli("studio", "pull", "--root", checkout)
    assert done.code == 2 and "LABEL_STUDIO_URL is not set" in done.err
    assert "secret-token-123" not in done.err


def test_redact_removes_every_secret():
    assert (
        redact("GET http://h:1/?t=abc abc", ["abc", None])
        == "GET http://h:1/?t=[redacted] [redacted]"
    )


def test_pull_and_import_of_one_project_name_the_annotator_alike(
    studio_cli, server_env, ls, checkout, tmp_path
):
    """Issue 25: `pull --pass review` wrote review-<e-mail local part>/ while `import` of the
    same project's export wrote review-user1/, so one annotator became two passes."""
    pushed = studio_cli("studio", "push", "--documents", GOLD[0].stem, "--root", checkout)
    project = project_of(pushed.out)
    accept_predictions(ls, project)
    pulled = studio_cli("studio", "pull", "--pass", "review", "--project", project,
                        "--root", checkout)  # fmt: skip
    assert pulled.code == 0, pulled.err
    passes = checkout / "annotations" / "passes"
    (from_pull,) = [p for p in passes.iterdir() if p.name.startswith("review-")]
    export = tmp_path / "export.json"
    export.write_text(json.dumps(ls.projects.exports.as_json(project)), encoding="utf-8")
    imported = studio_cli("studio", "import", export, "--pass", "again", "--root", checkout)
    assert imported.code == 0, imported.err
    (from_import,) = [p for p in passes.iterdir() if p.name.startswith("again-")]
    assert from_pull.name.removeprefix("review-") == from_import.name.removeprefix("again-")
    assert from_pull.name == pulled_folder(ls, "review")
    assert (from_pull / GOLD[0].name).read_bytes() == (from_import / GOLD[0].name).read_bytes()


def test_pull_of_a_project_with_nothing_submitted_says_what_to_do(
    studio_cli, server_env, ls, checkout
):
    pushed = studio_cli("studio", "push", "--documents", GOLD[0].stem, "--root", checkout)
    project = project_of(pushed.out)
    before = snapshot(checkout)
    pulled = studio_cli("studio", "pull", "--project", project, "--root", checkout)
    assert pulled.code == 0, pulled.err
    assert "0 file(s) in 0 pass(es)" in pulled.out
    assert f"project {project} has no submitted annotation" in pulled.err
    assert "press Submit" in pulled.err
    assert snapshot(checkout) == before
