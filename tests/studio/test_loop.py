"""The annotation loop for a sixth document, on a copy of the checkout, against a real server:
corpus add -> studio push -> annotate (through the API) -> studio pull -> adjudicate (copy the
pass to gold) -> CHANGELOG entry -> corpus build -> corpus verify."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from test_importer import browser_result

from checkout import bump_version, copy_checkout, copy_environment
from conftest import ARTICLE, pulled_folder, run_subprocess


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    return copy_checkout(tmp_path / "sourcetrace", with_venv=False)


def test_a_sixth_document_goes_round_the_loop(copy, tmp_path, label_studio):
    from label_studio_sdk import LabelStudio

    env = copy_environment(copy) | {
        "LABEL_STUDIO_URL": label_studio.url,
        "LABEL_STUDIO_API_KEY": label_studio.token,
    }

    def sourcetrace(*args: str):
        done = run_subprocess(list(args), env=env, cwd=copy, tests_dir=copy / "tests" / "studio")
        assert done.code == 0, (args, done.out[-2000:], done.err[-2000:])
        assert label_studio.token not in done.out + done.err
        return done

    article = tmp_path / "kharkiv.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    sourcetrace("corpus", "add", str(article), "--story", "kharkiv-debris-2024")
    record = json.loads((copy / "annotations" / "documents.json").read_text("utf-8"))[-1]
    doc_id = record["doc_id"]

    pushed = sourcetrace("studio", "push", "--documents", doc_id)
    project = int(pushed.out.rsplit("to project ", 1)[1].split()[0])
    ls = LabelStudio(base_url=label_studio.url, api_key=label_studio.token)
    (task,) = list(ls.tasks.list(project=project))
    assert task.data["doc_id"] == doc_id and task.data["text"] == ARTICLE
    ls.annotations.create(id=task.id, result=browser_result(ARTICLE))  # UTF-16 offsets

    pulled = sourcetrace("studio", "pull", "--pass", "loop")
    assert "repaired:" in pulled.err
    pass_file = copy / "annotations" / "passes" / pulled_folder(ls, "loop") / f"{doc_id}.json"
    shutil.copy(pass_file, copy / "annotations" / "gold" / f"{doc_id}.json")

    manifest = json.loads((copy / "corpus" / "MANIFEST.json").read_text())
    major, minor, _ = map(int, manifest["version"].split("."))
    version = f"{major}.{minor + 1}.0"
    bump_version(copy, version, f"{doc_id}: a sixth document, annotated in Label Studio")
    sourcetrace("corpus", "build")
    verified = sourcetrace("corpus", "verify")
    assert f"corpus {version} verified" in verified.out

    new_manifest = json.loads((copy / "corpus" / "MANIFEST.json").read_text())
    assert new_manifest["version"] == version
    assert len(new_manifest["documents"]) == len(manifest["documents"]) + 1
    assert new_manifest["documents"][doc_id]["annotated"] is True
    rows = [
        json.loads(x)
        for x in (copy / "corpus" / "data" / "documents.jsonl").read_text("utf-8").splitlines()
    ]
    (row,) = [r for r in rows if r["doc_id"] == doc_id]
    assert row["text"] == ARTICLE and row["story_id"] == "kharkiv-debris-2024"
    gold = json.loads(pass_file.read_text("utf-8"))
    assert row["entities"] == gold["entities"] and row["attributions"] == gold["attributions"]
    person = gold["entities"][0]
    assert ARTICLE[person["start"] : person["end"]] == "Oleh Syniehubov"
    assert sys.executable  # the copy ran with this interpreter
