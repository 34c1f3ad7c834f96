"""Gold <-> Label Studio result items: lossless on all five gold files, offline."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from conftest import REPO
from sourcetrace.schema.labels import load_labels
from sourcetrace.studio.convert import from_result, to_result

GOLD_FILES = sorted((REPO / "annotations" / "gold").glob("*.json"))
TEXTS = {
    json.loads(line)["doc_id"]: json.loads(line)["text"]
    for line in (REPO / "corpus" / "data" / "documents.jsonl").read_text("utf-8").splitlines()
}


def back(result, gold):
    return from_result(
        json.loads(json.dumps(result)),  # as a server stores it
        TEXTS[gold["doc_id"]],
        doc_id=gold["doc_id"],
        text_sha256=gold["text_sha256"],
        labels=load_labels(),
    )


def test_there_are_five_gold_files():
    assert len(GOLD_FILES) == 5


@pytest.mark.parametrize("path", GOLD_FILES, ids=lambda p: p.stem)
def test_gold_survives_the_round_trip_exactly(path):
    gold = json.loads(path.read_text(encoding="utf-8"))
    converted = back(to_result(gold), gold)
    assert converted.problems == [] and converted.repairs == []
    assert converted.annotation == gold
    # key order too: the pulled file is byte for byte the gold file
    assert json.dumps(converted.annotation) == json.dumps(gold)


@pytest.mark.parametrize("path", GOLD_FILES, ids=lambda p: p.stem)
def test_regions_have_unique_string_ids_and_relations_resolve(path):
    gold = json.loads(path.read_text(encoding="utf-8"))
    result = to_result(gold)
    spans = [r for r in result if r["type"] == "labels"]
    ids = [r["id"] for r in spans]
    assert all(isinstance(i, str) for i in ids) and len(set(ids)) == len(ids)
    cues = sum(a["cue"] is not None for a in gold["attributions"])
    span_sources = sum(
        a["source"] is not None and "mention" not in a["source"] for a in gold["attributions"]
    )
    phrases = sum(a.get("source_span") is not None for a in gold["attributions"])
    layers = len(gold["entities"]) + len(gold["claims"]) + len(gold["attributions"])
    assert len(spans) == layers + cues + span_sources + phrases
    relations = [r for r in result if r["type"] == "relation"]
    assert {r["from_id"] for r in relations} | {r["to_id"] for r in relations} <= set(ids)
    kinds = Counter(r["labels"][0] for r in relations)
    assert kinds["claim"] == sum(len(a["content"]["claims"]) for a in gold["attributions"])
    assert kinds["nested_in"] == sum(a["nested_in"] is not None for a in gold["attributions"])
    assert kinds["source"] == sum(a["source"] is not None for a in gold["attributions"])
    assert kinds["source_span"] == phrases


def test_every_span_value_holds_its_text():
    gold = json.loads(GOLD_FILES[0].read_text(encoding="utf-8"))
    text = TEXTS[gold["doc_id"]]
    for item in to_result(gold):
        value = item.get("value", {})
        if isinstance(value.get("text"), str):
            assert text[value["start"] : value["end"]] == value["text"]


@pytest.fixture
def small():
    gold = json.loads(GOLD_FILES[0].read_text(encoding="utf-8"))
    nested = next(a for a in gold["attributions"] if a["nested_in"])
    outer = next(a for a in gold["attributions"] if a["id"] == nested["nested_in"])
    keep = {nested["id"], outer["id"]}
    attributions = [a for a in gold["attributions"] if a["id"] in keep]
    claims = {k for a in attributions for k in a["content"]["claims"]}
    mentions = {
        a["source"]["mention"] for a in attributions if a["source"] and "mention" in a["source"]
    }
    return {
        **gold,
        "entities": [e for e in gold["entities"] if e["id"] in mentions],
        "claims": [c for c in gold["claims"] if c["id"] in claims],
        "attributions": attributions,
    }


def test_relations_drawn_the_other_way_read_the_same(small):
    result = to_result(small)
    for item in result:
        if item["type"] == "relation" and item["labels"] != ["nested_in"]:
            item["from_id"], item["to_id"], item["direction"] = (
                item["to_id"],
                item["from_id"],
                "left",
            )
            del item["labels"]
    assert back(result, small).annotation == small


def test_a_missing_attribute_is_refused_naming_the_region(small):
    result = to_result(small)
    claim_id = small["claims"][0]["id"]
    result = [
        r for r in result if not (r.get("id") == claim_id and r.get("from_name") == "cluster")
    ]
    converted = back(result, small)
    assert len(converted.problems) == 1
    assert repr(claim_id) in converted.problems[0] and "cluster" in converted.problems[0]


def test_two_cues_for_one_content_are_refused(small):
    result = to_result(small)
    attribution = small["attributions"][0]
    cue = next(r for r in result if r.get("value", {}).get("labels") == ["CUE"])
    extra = json.loads(json.dumps(cue)) | {"id": "extra_cue"}
    result += [extra, {"from_id": "extra_cue", "to_id": attribution["id"], "type": "relation"}]
    problems = back(result, small).problems
    assert any("2 cues" in p and repr(attribution["id"]) in p for p in problems)


def test_an_unknown_label_and_a_dangling_relation_are_refused(small):
    result = to_result(small)
    result[0]["value"]["labels"] = ["NOT_A_LABEL"]
    result.append(
        {"from_id": "nowhere", "to_id": small["attributions"][0]["id"], "type": "relation"}
    )
    problems = back(result, small).problems
    assert any("NOT_A_LABEL" in p and repr(result[0]["id"]) in p for p in problems)
    assert any("'nowhere'" in p for p in problems)


def test_a_rubric_answered_in_part_is_refused_naming_the_missing_question(small):
    result = to_result(small)
    claim_id = small["claims"][0]["id"]
    dropped = "checkworthiness_harmful_if_false"
    result = [r for r in result if not (r.get("id") == claim_id and r.get("from_name") == dropped)]
    converted = back(result, small)
    assert len(converted.problems) == 1
    assert repr(claim_id) in converted.problems[0] and dropped in converted.problems[0]


def test_the_rubric_score_comes_back_from_the_answers_not_from_the_server(small):
    # the score is not sent: answering "verifiable" no gives 0 whatever the other answers
    result = to_result(small)
    claim = small["claims"][0]
    for item in result:
        if item.get("id") == claim["id"] and item.get("from_name") == "checkworthiness_verifiable":
            item["value"]["choices"] = ["no"]
    (converted,) = back(result, small).annotation["claims"][:1]
    assert converted["checkworthiness"]["answers"]["verifiable"] is False
    assert converted["checkworthiness"]["score"] == 0
    assert {k: v for k, v in converted.items() if k != "checkworthiness"} == {
        k: v for k, v in claim.items() if k != "checkworthiness"
    }


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[{'id': 'v1'}", "the text area is not JSON"),
        ('{"id": "v1"}', "the text area holds no JSON list of edges"),
        (None, "the text area holds no JSON list of edges"),
    ],
    ids=["not-json", "not-a-list", "not-text"],
)
def test_a_provenance_text_area_that_is_no_json_list_is_a_problem_not_a_guess(text, problem):
    gold = json.loads(GOLD_FILES[0].read_text(encoding="utf-8"))
    result = to_result(gold)
    (area,) = [item for item in result if item.get("from_name") == "provenance"]
    area["value"]["text"] = [text]
    converted = back(result, gold)
    assert len(converted.problems) == 1
    assert converted.problems[0].startswith(f"provenance: {problem}")
    assert "provenance" not in converted.annotation


def test_the_provenance_text_area_carries_the_edges_as_written():
    gold = json.loads(GOLD_FILES[3].read_text(encoding="utf-8"))
    (area,) = [item for item in to_result(gold) if item.get("from_name") == "provenance"]
    assert json.loads(area["value"]["text"][0]) == gold["provenance"] != []


# ---------------------------------------------------------------- source phrase and content type


def _phrased(small):
    """``small`` with a source phrase and a content type on every attribution."""
    attributions = []
    for attribution in small["attributions"]:
        source = attribution["source"]
        named = (
            next(e for e in small["entities"] if e["id"] == source["mention"])
            if source and "mention" in source
            else source
        )
        phrase = None if named is None else {k: named[k] for k in ("start", "end", "text")}
        attributions.append(
            {
                "id": attribution["id"],
                "source": source,
                "source_span": phrase,
                "cue": attribution["cue"],
                "content": attribution["content"],
                "type": attribution["type"],
                "content_type": "belief",
                "nested_in": attribution["nested_in"],
            }
        )
    return {**small, "attributions": attributions}


def test_attributions_without_the_parc_fields_come_back_without_them(small):
    plain = {
        **small,
        "attributions": [
            {k: v for k, v in a.items() if k not in ("source_span", "content_type")}
            for a in small["attributions"]
        ],
    }
    converted = back(to_result(plain), plain)
    assert converted.problems == [] and converted.annotation == plain


def test_a_phrase_related_to_the_content_reads_as_one_related_to_the_cue(small):
    phrased = _phrased(small)
    result = to_result(phrased)
    cue_of = {r["to_id"]: r["from_id"] for r in result if r.get("labels") == ["cue"]}
    for item in result:
        if item.get("labels") == ["source_span"]:
            content = next(c for c, cue in cue_of.items() if cue == item["to_id"])
            item["to_id"] = content
    converted = back(result, phrased)
    assert converted.problems == [] and converted.annotation == phrased


def test_a_content_type_without_a_phrase_comes_back_with_a_null_phrase(small):
    phrased = _phrased(small)
    result = [r for r in to_result(phrased) if r.get("labels") != ["source_span"]]
    phrase_regions = [r for r in result if r.get("value", {}).get("labels") == ["SOURCE_SPAN"]]
    result = [r for r in result if r not in phrase_regions]
    converted = back(result, phrased)
    assert converted.problems == []
    assert [a["source_span"] for a in converted.annotation["attributions"]] == [None] * len(
        phrased["attributions"]
    )


def test_two_phrases_an_unrelated_phrase_and_an_unknown_content_type_are_refused(small):
    phrased = _phrased(small)
    first = phrased["attributions"][0]
    result = to_result(phrased)
    phrase = next(r for r in result if r.get("value", {}).get("labels") == ["SOURCE_SPAN"])
    relation = next(r for r in result if r.get("from_id") == phrase["id"])
    extra = {**phrase, "id": "second_phrase"}
    stray = {**phrase, "id": "stray_phrase"}
    wrong_type = next(
        r for r in result if r.get("from_name") == "content_type" and r["id"] == first["id"]
    )
    wrong_type["value"]["choices"] = ["opinion"]
    result += [extra, stray, {**relation, "from_id": "second_phrase"}]
    problems = back(result, phrased).problems
    assert any("2 source phrases" in p for p in problems), problems
    assert any("'stray_phrase'" in p and "belongs to no attribution" in p for p in problems)
    assert any("content_type 'opinion' is not one of" in p for p in problems), problems


def _first(result, kind):
    return next(i for i, item in enumerate(result) if item.get("type") == kind)


@pytest.mark.parametrize(
    ("kind", "path", "value"),
    [
        ("labels", ("value", "labels"), [[]]),  # found by test_hostile_export's fuzzing
        ("labels", ("value", "labels"), {"a": 1}),
        ("labels", ("value",), [[]]),
        ("labels", ("from_name",), [[]]),
        ("choices", ("id",), [[]]),
        ("choices", ("from_name",), [[]]),
        ("choices", ("value",), [[]]),
        ("relation", ("from_id",), [[]]),
    ],
    ids=lambda v: ".".join(v) if isinstance(v, tuple) else None,
)
def test_malformed_result_items_are_problems_never_a_crash(small, kind, path, value):
    # an export is input: a list or an object where a string or an object belongs is a
    # problem naming the item (`studio import` exits 2), never an internal error
    result = to_result(small)
    node = result[_first(result, kind)]
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    problems = back(result, small).problems
    assert problems and all("result item" in p or "region" in p for p in problems), problems
