"""Label Studio's real labeling page in a real Chromium: spans drawn with the mouse, choices
ticked, ids typed, relations drawn, Submit; then `sourcetrace studio pull` must give back exactly
what was drawn (offsets in code points, worked out here from the text of the document).

The document is a made-up article with an emoji (outside the BMP: one code point, two UTF-16
units), Bengali and a no-break space; no corpus document has all three.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest
from labeling_page import VIEWPORT, LabelingPage, Login, chromium, screenshot_on_failure

from checkout import bump_version
from conftest import ARTICLE, REPO, USERNAME, pulled_folder, run_subprocess
from sourcetrace.studio.config import CLUSTER_PLACEHOLDER, ENTITY_ID_PLACEHOLDER

ID = re.compile(r"^[A-Za-z0-9_.:-]+$")
LABELS = json.loads((REPO / "schema" / "labels.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def browser():
    with chromium() as running:
        yield running


@pytest.fixture
def server_env(label_studio, monkeypatch):
    monkeypatch.setenv("LABEL_STUDIO_URL", label_studio.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", label_studio.token)


@pytest.fixture
def ls(label_studio):
    from label_studio_sdk import LabelStudio

    return LabelStudio(base_url=label_studio.url, api_key=label_studio.token)


@pytest.fixture
def labeling(browser, label_studio):
    """A labeling page in a fresh browser context (its own cookies), not signed in yet."""
    context = browser.new_context(viewport=VIEWPORT)
    yield LabelingPage(context.new_page(), Login(label_studio.url, USERNAME, label_studio.password))
    context.close()


def pushed_task(studio_cli, ls, checkout: Path, *args: str) -> tuple[int, int, dict]:
    """`studio push ARGS` into a new project: (project, task id, task data)."""
    done = studio_cli("studio", "push", *args, "--root", checkout)
    assert done.code == 0, done.err
    project = int(re.search(r"to project (\d+)", done.out).group(1))
    (task,) = list(ls.tasks.list(project=project))
    return project, task.id, task.data


def pulled_unrepaired(
    studio_cli, ls, project: int, task: int, checkout: Path, pass_name: str, doc_id: str
) -> tuple[Path, dict]:
    """Once the submitted annotation is on the server: `studio pull`, which must have had no
    offset to repair; the pass file and its content."""
    wait_for_annotation(ls, task)
    pulled = studio_cli(
        "studio", "pull", "--pass", pass_name, "--project", project, "--root", checkout
    )
    assert pulled.code == 0, pulled.err
    assert "0 span(s) repaired" in pulled.out, pulled.err
    path = checkout / "annotations" / "passes" / pulled_folder(ls, pass_name) / f"{doc_id}.json"
    return path, json.loads(path.read_text("utf-8"))


def wait_for_annotation(ls, task: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not list(ls.annotations.list(id=task)):
        assert time.monotonic() < deadline, f"no annotation of task {task} after Submit"
        time.sleep(0.2)


def gold_entities(checkout: Path, doc_id: str) -> list[dict]:
    gold = checkout / "annotations" / "gold" / f"{doc_id}.json"
    return json.loads(gold.read_text("utf-8"))["entities"]


def span(text: str, needle: str) -> dict:
    """The span of the one occurrence of ``needle``, in code points (Python's str offsets)."""
    assert text.count(needle) == 1, f"{needle!r} occurs {text.count(needle)} times"
    start = text.index(needle)
    return {"start": start, "end": start + len(needle), "text": needle}


def utf16_start(text: str, needle: str) -> int:
    return len(text[: text.index(needle)].encode("utf-16-le")) // 2


ENTITY_ID, CLUSTER_ID = ENTITY_ID_PLACEHOLDER, CLUSTER_PLACEHOLDER  # the fields, as shown

# what the annotator draws on ARTICLE
PERSON, ORG = "Oleh Syniehubov", "Reuters"  # ORG follows a no-break space
SOURCE = "A Bengali-language outlet, \u09aa\u09cd\u09b0\u09a5\u09ae \u0986\u09b2\u09cb"
CUE, CONTENT = "quoted", "the fragments were being examined"
CLAIM = "fragments were being examined"


def draw_the_attribution(page: LabelingPage, project: int, task: int) -> None:
    """What an annotator does on the page: six spans, their attributes, three relations."""
    page.sign_in()
    page.open_task(project, task)
    page.label_span("PERSON", PERSON)
    page.label_span("ORG", ORG)
    page.label_span("SOURCE", SOURCE)
    page.label_span("CUE", CUE)
    page.label_span("CONTENT", CONTENT)
    page.label_span("CLAIM", CLAIM)
    page.select_region("PERSON", PERSON)
    # only the selected layer's fields show (the config's boxes; 1.23.2 alone showed both)
    assert page.field_shown(ENTITY_ID) and not page.field_shown(CLUSTER_ID)
    page.choose("name")
    page.type_into(ENTITY_ID, "oleh-syniehubov")
    page.select_region("ORG", ORG)
    page.choose("name")
    page.type_into(ENTITY_ID, "reuters")
    page.select_region("CONTENT", CONTENT)
    page.choose("indirect")
    page.select_region("CLAIM", CLAIM)
    assert page.field_shown(CLUSTER_ID) and not page.field_shown(ENTITY_ID)
    for value in ("positive", "probable"):
        page.choose(value)
    # yes/no controls in the config's order: checkworthy, then the four rubric questions
    # (verifiable, public_interest, harmful_if_false, worth_checking)
    page.choose("yes", index=0)
    for index, value in enumerate(("yes", "yes", "no", "yes"), start=1):
        page.choose(value, index=index)
    page.type_into(CLUSTER_ID, "kharkiv-fragments")
    page.relate(("SOURCE", SOURCE[:20]), CUE)
    page.relate(("CUE", CUE), CONTENT)  # its first word is the content's alone
    page.relate(("CONTENT", CONTENT), CLAIM)  # the claim is drawn inside the content
    assert page.relations() == ["3 SOURCE 4 CUE", "4 CUE 5 CONTENT", "5 CONTENT 6 CLAIM"]
    page.submit()


def test_spans_drawn_with_the_mouse_come_back_exact(
    studio_cli, server_env, ls, checkout, labeling, tmp_path
):
    # every span lies after the emoji, so UTF-16 offsets would be off by one
    assert all(utf16_start(ARTICLE, n) == ARTICLE.index(n) + 1 for n in (PERSON, ORG, CLAIM))
    assert "\u00a0" + ORG in ARTICLE and "\u09aa" in SOURCE
    article = tmp_path / "kharkiv.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    added = studio_cli("corpus", "add", article, "--story", "kharkiv-browser", "--root", checkout)
    assert added.code == 0, added.err
    doc_id = json.loads((checkout / "annotations" / "documents.json").read_text("utf-8"))[-1][
        "doc_id"
    ]
    project, task, data = pushed_task(studio_cli, ls, checkout, "--documents", doc_id)
    assert data["text"] == ARTICLE

    page = labeling
    with screenshot_on_failure(page.page, tmp_path, "drawn"):
        draw_the_attribution(page, project, task)
    path, got = pulled_unrepaired(studio_cli, ls, project, task, checkout, "browser", doc_id)

    entities = {e["text"]: e for e in got["entities"]}
    assert sorted(entities) == sorted([PERSON, ORG])
    assert all(ID.match(e["id"]) for e in got["entities"])
    assert {k: v for k, v in entities[PERSON].items() if k != "id"} == {
        **span(ARTICLE, PERSON),
        "type": "PERSON",
        "mention": "name",
        "entity": "oleh-syniehubov",
    }
    assert {k: v for k, v in entities[ORG].items() if k != "id"} == {
        **span(ARTICLE, ORG),
        "type": "ORG",
        "mention": "name",
        "entity": "reuters",
    }
    (claim,) = got["claims"]
    assert {k: v for k, v in claim.items() if k != "id"} == {
        **span(ARTICLE, CLAIM),
        "polarity": "positive",
        "certainty": "probable",
        "checkworthy": True,
        # worked by hand: verifiable, and two yes among the other three -> score 2
        "checkworthiness": {
            "answers": {
                "verifiable": True,
                "public_interest": True,
                "harmful_if_false": False,
                "worth_checking": True,
            },
            "score": 2,
        },
        "cluster": "kharkiv-fragments",
    }
    (attribution,) = got["attributions"]
    assert {k: v for k, v in attribution.items() if k != "id"} == {
        "source": span(ARTICLE, SOURCE),
        "cue": span(ARTICLE, CUE),
        "content": {"claims": [claim["id"]], **span(ARTICLE, CONTENT)},
        "type": "indirect",
        "nested_in": None,
    }
    assert validates(path, checkout, doc_id)


def validates(path: Path, checkout: Path, doc_id: str) -> bool:
    """`sourcetrace validate PATH` in a fresh process, against the checkout's corpus; a document
    that is not in the built corpus is first built into it (new version, as the README says)."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "SOURCETRACE_ROOT": str(checkout)}
    if not (checkout / "schema").is_dir():
        shutil.copytree(REPO / "schema", checkout / "schema")
    manifest = json.loads((checkout / "corpus" / "MANIFEST.json").read_text("utf-8"))
    if doc_id not in manifest["documents"]:
        major, minor, _ = map(int, manifest["version"].split("."))
        bump_version(checkout, f"{major}.{minor + 1}.0", f"{doc_id}: drawn in the browser")
        built = run_subprocess(["corpus", "build"], env=env, cwd=checkout)
        assert built.code == 0, built.err
    done = run_subprocess(["validate", str(path)], env=env, cwd=checkout)
    assert done.code == 0 and "valid annotation" in done.out, done.out + done.err
    return True


# ---------------------------------------------------------------- correcting a system's output

RULES = REPO / "evaluate" / "runs" / "rules" / "predictions.jsonl"


def four_predicted_entities(row: dict, text: str) -> list[dict]:
    """Four of the system's entities that do not overlap, the second of several words (its
    boundary is moved), in text order; each with its occurrence number among equal texts."""
    chosen: list[dict] = []
    for entity in sorted(row["entities"], key=lambda e: (e["start"], e["end"])):
        if any(e["start"] < entity["end"] and entity["start"] < e["end"] for e in chosen):
            continue
        if len(chosen) == 1 and " " not in entity["text"].strip():
            continue
        chosen.append(entity)
        if len(chosen) == 4:
            break
    assert len(chosen) == 4, "the run has too few separate entities in its first document"
    for entity in chosen:
        assert text[entity["start"] : entity["end"]] == entity["text"]
    return chosen


def occurrence(text: str, entity: dict) -> int:
    """Which occurrence of its text the span is, counted as the page counts (lines joined)."""
    joined = text[: entity["start"]].replace("\n", "")
    count, at = 0, joined.find(entity["text"])
    while at != -1:
        count, at = count + 1, joined.find(entity["text"], at + 1)
    return count


def test_a_systems_output_corrected_in_the_page_comes_back_with_exactly_those_edits(
    studio_cli, server_env, ls, checkout, labeling, tmp_path
):
    row = json.loads(RULES.read_text("utf-8").splitlines()[0])
    doc_id = row["doc_id"]
    text = next(
        d
        for d in json.loads((checkout / "annotations" / "documents.json").read_text("utf-8"))
        if d["doc_id"] == doc_id
    )
    text = (checkout / "seeds" / text["seed_file"]).read_text("utf-8")
    accepted, moved, deleted, relabelled = four_predicted_entities(row, text)
    predictions = tmp_path / "rules-four.jsonl"
    subset = {"doc_id": doc_id, "entities": [accepted, moved, deleted, relabelled]}
    predictions.write_text(json.dumps(subset) + "\n", encoding="utf-8")
    project, task, _ = pushed_task(
        studio_cli, ls, checkout, "--documents", doc_id, "--predictions", predictions
    )
    (prediction,) = list(ls.predictions.list(task=task))
    region_id = {  # the predicted regions' ids, by span
        (r["value"]["start"], r["value"]["end"]): r["id"]
        for r in prediction.result
        if r.get("type") == "labels"
    }
    new_type = next(t for t in LABELS["entity_types"] if t != relabelled["type"])
    moved_text = moved["text"][: moved["text"].rstrip().rindex(" ")].rstrip()

    page = labeling
    with screenshot_on_failure(page.page, tmp_path, "corrected"):
        page.sign_in()
        page.open_task(project, task)
        page.regions.nth(3).wait_for()  # the predictions load after the text
        assert page.regions.count() == 4  # ready to correct
        page.select_region(accepted["type"], accepted["text"])
        page.type_into(ENTITY_ID, "accepted-id")
        page.select_region(moved["type"], moved["text"])
        page.move_end(moved_text, occurrence(text, moved))
        page.type_into(ENTITY_ID, "moved-id")
        page.select_region(deleted["type"], deleted["text"])
        page.delete_selected()
        page.select_region(relabelled["type"], relabelled["text"])
        page.label_button(new_type).click()
        page.type_into(ENTITY_ID, "relabelled-id")
        page.submit()
    path, got = pulled_unrepaired(studio_cli, ls, project, task, checkout, "corrected", doc_id)
    key = (accepted["start"], accepted["end"])
    expected = [
        {"id": region_id[key], **accepted, "entity": "accepted-id"},
        {
            "id": region_id[(moved["start"], moved["end"])],
            **moved,
            "end": moved["start"] + len(moved_text),
            "text": moved_text,
            "entity": "moved-id",
        },
        {
            "id": region_id[(relabelled["start"], relabelled["end"])],
            **relabelled,
            "type": new_type,
            "entity": "relabelled-id",
        },
    ]
    assert sorted(got["entities"], key=lambda e: e["start"]) == expected
    assert got["claims"] == [] and got["attributions"] == []
    assert validates(path, checkout, doc_id)


def test_submit_refuses_a_span_with_an_empty_field(
    studio_cli, server_env, ls, checkout, labeling, tmp_path
):
    # every per-region field is required: nothing reaches the server until each span has them
    project, task, data = pushed_task(studio_cli, ls, checkout, "--documents", "st-004")
    predicted = list(ls.predictions.list(task=task))
    ls.predictions.delete(id=predicted[0].id)  # an empty page: the gold is not wanted here
    needle = next(e["text"] for e in gold_entities(checkout, "st-004") if e["mention"] == "name")
    page = labeling
    with screenshot_on_failure(page.page, tmp_path, "refused"):
        page.sign_in()
        page.open_task(project, task)
        page.label_span("PERSON", needle)
        page.submit()
        warning = page.page.get_by_text('Checkbox "mention" is required.')
        warning.wait_for()
        page.page.get_by_role("button", name="OK").click()
    time.sleep(1)
    assert list(ls.annotations.list(id=task)) == []
