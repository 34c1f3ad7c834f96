"""`studio import`: exports -> validated passes; UTF-16 offsets repaired and reported."""

from __future__ import annotations

import json

import pytest

from conftest import ARTICLE, REPO, snapshot
from sourcetrace.studio.offsets import SpanError, resolve

TEXT = "\U0001f680 \u09ac\u09be\u0982\u09b2\u09be\u00a0Acme Corp hired Jane Doe in Dhaka."


def utf16(text: str, index: int) -> int:
    """The UTF-16 offset of a code-point index, as a browser counts."""
    return len(text[:index].encode("utf-16-le")) // 2


@pytest.mark.parametrize("needle", ["Acme Corp", "Jane Doe", "Dhaka"])
def test_utf16_offsets_become_code_points(needle):
    start = TEXT.index(needle)
    end = start + len(needle)
    u_start, u_end = utf16(TEXT, start), utf16(TEXT, end)
    assert (u_start, u_end) != (start, end)  # the emoji shifts them
    span = resolve(TEXT, u_start, u_end, needle)
    assert (span.start, span.end) == (start, end)
    assert "UTF-16" in span.repair


def test_right_offsets_are_kept_and_nothing_is_said():
    start = TEXT.index("Jane Doe")
    assert resolve(TEXT, start, start + 8, "Jane Doe").repair is None


def test_a_nearby_span_is_found_and_white_space_trimmed():
    start = TEXT.index("Jane")
    span = resolve(TEXT, start - 3, start + 2, "Jane Doe ")
    assert (span.start, span.end, span.text) == (start, start + 8, "Jane Doe")
    assert "nearby" in span.repair and "trimmed" in span.repair


def test_what_cannot_be_placed_is_refused():
    with pytest.raises(SpanError, match="does not occur"):
        resolve(TEXT, 0, 4, "Nowhere")
    with pytest.raises(SpanError, match="equally near"):
        resolve("ab  ab", 2, 4, "ab")


# ---------------------------------------------------------------- whole exports


@pytest.fixture
def added(studio_cli, checkout, tmp_path):
    """The checkout copy with the made-up article registered; returns (root, doc_id, text)."""
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    assert studio_cli("corpus", "add", article, "--root", checkout).code == 0
    record = json.loads((checkout / "annotations" / "documents.json").read_text("utf-8"))[-1]
    return checkout, record["doc_id"], ARTICLE


def span_items(rid, name, label, text, needle, *, browser=True, occurrence=0):
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    end = start + len(needle)
    if browser:
        start, end = utf16(text, start), utf16(text, end)
    return {
        "id": rid,
        "from_name": name,
        "to_name": "text",
        "type": "labels",
        "value": {"start": start, "end": end, "text": needle, "labels": [label]},
    }


def attribute(rid, name, kind, value):
    key = "choices" if kind == "choices" else "text"
    return {"id": rid, "from_name": name, "to_name": "text", "type": kind, "value": {key: [value]}}


def browser_result(text):
    """What an annotator might draw: offsets in UTF-16 units, as old browsers counted."""
    return [
        span_items("r1", "entity", "PERSON", text, "Oleh Syniehubov"),
        attribute("r1", "mention", "choices", "name"),
        attribute("r1", "entity_id", "textarea", "oleh-syniehubov"),
        span_items("r2", "entity", "ORG", text, "Reuters"),
        attribute("r2", "mention", "choices", "name"),
        attribute("r2", "entity_id", "textarea", "reuters"),
        span_items("r3", "claim", "CLAIM", text, "The markings are in Korean."),
        attribute("r3", "polarity", "choices", "positive"),
        attribute("r3", "certainty", "choices", "certain"),
        attribute("r3", "checkworthy", "choices", "yes"),
        attribute("r3", "cluster", "textarea", "kharkiv-markings-korean"),
        span_items("r4", "attribution", "CUE", text, "told reporters"),
        span_items("r5", "attribution", "CONTENT", text, "The markings are in Korean."),
        attribute("r5", "attribution_type", "choices", "direct"),
        {"from_id": "r1", "to_id": "r4", "type": "relation", "direction": "right"},
        {"from_id": "r4", "to_id": "r5", "type": "relation", "direction": "right"},
        {"from_id": "r5", "to_id": "r3", "type": "relation", "direction": "right"},
    ]


def export(doc_id, text, annotations):
    return [{"id": 7, "data": {"text": text, "doc_id": doc_id}, "annotations": annotations}]


def annotation(aid, user, result, **extra):
    return {"id": aid, "completed_by": user, "result": result, "was_cancelled": False, **extra}


def test_browser_utf16_offsets_are_repaired_and_said(studio_cli, added, tmp_path):
    root, doc_id, text = added
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export(doc_id, text, [annotation(1, 3, browser_result(text))])))
    done = studio_cli("studio", "import", path, "--pass", "ls", "--root", root)
    assert done.code == 0, done.err
    written = json.loads(
        (root / "annotations" / "passes" / "ls-user3" / f"{doc_id}.json").read_text()
    )
    person = written["entities"][0]
    assert (person["start"], person["end"]) == (
        text.index("Oleh Syniehubov"),
        text.index("Oleh Syniehubov") + len("Oleh Syniehubov"),
    )
    for item in written["entities"] + written["claims"]:
        assert text[item["start"] : item["end"]] == item["text"]
    (attr,) = written["attributions"]
    assert attr["source"] == {"mention": "r1"} and attr["content"]["claims"] == ["r3"]
    assert text[attr["cue"]["start"] : attr["cue"]["end"]] == "told reporters"
    repaired = [line for line in done.err.splitlines() if line.startswith("repaired:")]
    assert len(repaired) == 5  # every span lies after the emoji
    assert all("task 7" in line and "UTF-16" in line for line in repaired)
    assert "'r1'" in repaired[0]


def test_several_annotators_become_separate_passes(studio_cli, added, tmp_path):
    root, doc_id, text = added
    other = browser_result(text)
    other[7]["value"]["choices"] = ["negative"]  # the second annotator disagrees
    path = tmp_path / "export.json"
    users = [annotation(1, {"id": 3, "email": "Ann.Lee@example.org"}, browser_result(text)),
             annotation(2, 4, other), annotation(3, 5, [], was_cancelled=True)]  # fmt: skip
    path.write_text(json.dumps(export(doc_id, text, users)))
    done = studio_cli("studio", "import", path, "--root", root)
    assert done.code == 0, done.err
    passes = root / "annotations" / "passes"
    # a user id names the folder (an export carries ids only), whatever e-mail the object adds
    a = json.loads((passes / "studio-user3" / f"{doc_id}.json").read_text())
    b = json.loads((passes / "studio-user4" / f"{doc_id}.json").read_text())
    assert (a["claims"][0]["polarity"], b["claims"][0]["polarity"]) == ("positive", "negative")
    assert not (passes / "studio-user5").exists()
    assert "cancelled" in done.err


def test_the_same_annotator_twice_is_refused(studio_cli, added, tmp_path):
    root, doc_id, text = added
    path = tmp_path / "export.json"
    twice = [annotation(1, 3, browser_result(text)), annotation(2, 3, browser_result(text))]
    path.write_text(json.dumps(export(doc_id, text, twice)))
    before = snapshot(root)
    done = studio_cli("studio", "import", path, "--root", root)
    assert done.code == 2 and "never merged" in done.err
    assert snapshot(root) == before


def test_an_unplaceable_span_refuses_everything(studio_cli, added, tmp_path):
    root, doc_id, text = added
    result = browser_result(text)
    result[3]["value"]["text"] = "Agence France-Presse"  # not in the text at all
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export(doc_id, text, [annotation(1, 3, result)])))
    before = snapshot(root)
    done = studio_cli("studio", "import", path, "--root", root)
    assert done.code == 2
    message = done.err
    assert str(path) in message and "task 7" in message and "'r2'" in message
    assert "Agence France-Presse" in message and "\n" not in message.strip()
    assert snapshot(root) == before


def test_a_task_on_another_text_is_refused(studio_cli, tmp_path, checkout):
    gold = json.loads((REPO / "annotations" / "gold" / "st-000.json").read_text())
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export("st-000", "some other text", [annotation(1, 3, [])])))
    done = studio_cli("studio", "import", path, "--root", checkout)
    assert done.code == 2 and "another text" in done.err and gold["doc_id"] in done.err


def test_existing_pass_files_are_not_replaced_without_overwrite(studio_cli, added, tmp_path):
    root, doc_id, text = added
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export(doc_id, text, [annotation(1, 3, browser_result(text))])))
    assert studio_cli("studio", "import", path, "--root", root).code == 0
    result = browser_result(text)
    result[7]["value"]["choices"] = ["negative"]
    path.write_text(json.dumps(export(doc_id, text, [annotation(1, 3, result)])))
    refused = studio_cli("studio", "import", path, "--root", root)
    assert refused.code == 2 and "--overwrite" in refused.err
    assert studio_cli("studio", "import", path, "--root", root, "--overwrite").code == 0
    target = root / "annotations" / "passes" / "studio-user3" / f"{doc_id}.json"
    assert json.loads(target.read_text())["claims"][0]["polarity"] == "negative"


def test_gold_through_tasks_and_an_export_comes_back_with_its_phrases_and_content_types(
    studio_cli, checkout, tmp_path
):
    # gold -> `studio tasks` -> the JSON export an annotator's accepted predictions make ->
    # `studio import`: every gold file comes back equal, source_span and content_type included
    tasks_file = tmp_path / "tasks.json"
    done = studio_cli("studio", "tasks", "--root", checkout, "--output", tasks_file)
    assert done.code == 0, done.err
    tasks = json.loads(tasks_file.read_text("utf-8"))
    rows = [
        {
            "id": number,
            "data": task["data"],
            "annotations": [annotation(number, 3, task["predictions"][0]["result"])],
        }
        for number, task in enumerate(tasks, start=1)
    ]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    done = studio_cli("studio", "import", path, "--pass", "rt", "--root", checkout)
    assert done.code == 0, done.err
    gold_files = sorted((checkout / "annotations" / "gold").glob("*.json"))
    phrases = types = 0
    for gold_file in gold_files:
        gold = json.loads(gold_file.read_text("utf-8"))
        back = json.loads(
            (checkout / "annotations" / "passes" / "rt-user3" / gold_file.name).read_text()
        )
        assert back == gold
        phrases += sum(a.get("source_span") is not None for a in back["attributions"])
        types += sum("content_type" in a for a in back["attributions"])
    assert phrases > 0 and types > 0  # the round trip carried the fields, not their absence
