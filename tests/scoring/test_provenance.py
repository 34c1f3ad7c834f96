"""The provenance scorer: endpoints resolve to referents, edges are counted once per document,
worked out by hand; the gold scored against itself is 1.0."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sourcetrace
from fuzz_profiles import FUZZ_EXAMPLES, profile_name
from sourcetrace.schema.layers import LAYERS
from sourcetrace.scoring.provenance import (
    document_edges,
    gold_entity_by_span,
    summarize_provenance,
    tally_provenance,
)

from gold_factory import ROOT, seed_text

GOLD_FILES = {
    path.stem: json.loads(path.read_text(encoding="utf-8"))
    for path in sorted((ROOT / "annotations" / "gold").glob("*.json"))
}


def _mention(mention_id: str, start: int, end: int, text: str, entity: str | None) -> dict:
    return {"id": mention_id, "start": start, "end": end, "text": text, "entity": entity}


GOLD = {
    "entities": [
        _mention("e1", 0, 2, "FT", "ft"),
        _mention("e2", 10, 25, "Financial Times", "ft"),
        _mention("e3", 30, 33, "Kim", "kim"),
        _mention("e4", 40, 42, "he", "kim"),
    ],
    "provenance": [
        {"id": "v1", "reporter": "byline", "reported": {"mention": "e1"}, "evidence": []},
        {"id": "v2", "reporter": {"mention": "e1"}, "reported": {"mention": "e3"}, "evidence": []},
        # the same referents by other mentions: the same edge, counted once
        {"id": "v3", "reporter": {"mention": "e2"}, "reported": {"mention": "e4"}, "evidence": []},
        {
            "id": "v4",
            "reporter": {"mention": "e3"},
            "reported": {"start": 50, "end": 57, "text": "reports"},
            "evidence": [],
        },
    ],
}
PREDICTED = {
    "entities": [
        {"id": "p1", "start": 10, "end": 25, "text": "Financial Times"},  # on e2: ft
        {"id": "p2", "start": 40, "end": 42},  # on e4: kim (offsets only)
        {"id": "p3", "start": 60, "end": 65, "text": "Putin"},  # on no gold mention
        {"id": "p4", "start": 50, "end": 57, "text": "Reports"},  # a mention where gold has a span
    ],
    "provenance": [
        {"reporter": "byline", "reported": {"mention": "p1"}},  # (byline, ft): right
        {"reporter": {"mention": "p1"}, "reported": {"mention": "p2"}},  # (ft, kim): right
        {"reporter": {"mention": "p2"}, "reported": {"start": 50, "end": 57}},  # right
        {"reporter": {"mention": "p3"}, "reported": {"mention": "p2"}},  # (putin, kim): wrong
        # a span on a gold mention is its entity: (byline, ft) again, not a new edge
        {"reporter": "byline", "reported": {"start": 10, "end": 25, "text": "Financial Times"}},
        # a predicted mention on no gold mention keys to its text, even on a gold span node
        {"reporter": {"mention": "p2"}, "reported": {"mention": "p4"}},
    ],
}


def test_endpoints_resolve_to_referents_and_edges_count_once_by_hand():
    gold_keys = gold_entity_by_span(GOLD)
    assert document_edges(GOLD, gold_keys) == {
        (("byline",), ("entity", "ft")),
        (("entity", "ft"), ("entity", "kim")),
        (("entity", "kim"), ("span", 50, 57)),
    }
    text = " " * 40 + "he" + " " * 30
    assert document_edges(PREDICTED, gold_keys, text) == {
        (("byline",), ("entity", "ft")),
        (("entity", "ft"), ("entity", "kim")),
        (("entity", "kim"), ("span", 50, 57)),
        (("text", "putin"), ("entity", "kim")),
        (("entity", "kim"), ("text", "reports")),
    }
    tally = tally_provenance(GOLD, PREDICTED, text)
    assert tally == {"edges": {"gold": 3, "predicted": 5, "true_positives": 3}}
    edges = summarize_provenance(tally)["edges"]
    assert edges["precision"] == pytest.approx(3 / 5)
    assert edges["recall"] == pytest.approx(1.0)
    assert edges["f1"] == pytest.approx(2 * 0.6 / 1.6)


def test_a_mention_given_by_offsets_only_keys_to_the_words_of_the_text():
    gold = {"entities": [], "provenance": []}
    pred = {
        "entities": [{"id": "p1", "start": 4, "end": 9}],
        "provenance": [{"reporter": "byline", "reported": {"mention": "p1"}}],
    }
    assert document_edges(pred, gold_entity_by_span(gold), "the Times said") == {
        (("byline",), ("text", "times"))
    }


def test_a_document_without_edges_counts_nothing():
    assert tally_provenance({"entities": []}, {}) == {
        "edges": {"gold": 0, "predicted": 0, "true_positives": 0}
    }
    assert summarize_provenance({})["edges"]["f1"] == 0.0


# ---------------------------------------------------------------- properties


@st.composite
def documents_with_edges(draw) -> tuple[dict, dict]:
    """A gold document (mentions of a few entities, some without an entity id, and edges
    between byline, mentions and spans), and the same edges predicted with renamed mention ids,
    each mention node replaced by another mention of the same entity."""
    entity_count = draw(st.integers(1, 4))
    mentions = []
    for index in range(draw(st.integers(1, 8))):
        entity = draw(st.one_of(st.none(), st.integers(0, entity_count - 1)))
        start = 10 * index
        mentions.append(
            _mention(f"e{index}", start, start + 3, "abc", None if entity is None else f"x{entity}")
        )
    node = st.one_of(
        st.just("byline"),
        st.sampled_from([{"mention": m["id"]} for m in mentions]),
        st.builds(
            lambda n: {"start": 500 + 10 * n, "end": 503 + 10 * n, "text": "xyz"}, st.integers(0, 3)
        ),
    )
    edges = [
        {"id": f"v{index}", "reporter": reporter, "reported": reported, "evidence": []}
        for index, (reporter, reported) in enumerate(
            draw(st.lists(st.tuples(node, node), min_size=1, max_size=10))
        )
    ]
    gold = {"entities": mentions, "provenance": edges}
    twin = {  # the first mention of each entity id; a mention without one is its own
        m["id"]: next(o for o in mentions if m["entity"] is not None and o["entity"] == m["entity"])
        if m["entity"] is not None
        else m
        for m in mentions
    }
    renamed = {m["id"]: f"p-{m['id']}" for m in mentions}

    def predicted_node(node_value):
        if isinstance(node_value, dict) and "mention" in node_value:
            return {"mention": renamed[twin[node_value["mention"]]["id"]]}
        return node_value

    pred = {
        "entities": [{**m, "id": renamed[m["id"]], "entity": None} for m in mentions],
        "provenance": [
            {"reporter": predicted_node(e["reporter"]), "reported": predicted_node(e["reported"])}
            for e in reversed(edges)
        ],
    }
    return gold, pred


@settings(max_examples=FUZZ_EXAMPLES[profile_name()])
@given(documents_with_edges())
def test_gold_scores_one_against_itself_and_against_any_mentions_of_its_referents(pair):
    gold, pred = pair
    for other in (gold, pred):
        edges = tally_provenance(gold, other)["edges"]
        assert edges["gold"] == edges["predicted"] == edges["true_positives"] > 0
        assert summarize_provenance({"edges": edges})["edges"]["f1"] == 1.0


def test_the_gold_scores_one_against_itself_through_evaluate_and_its_layer_option():
    predictions = [
        {"doc_id": doc_id, **{layer: record[layer] for layer in LAYERS}}
        for doc_id, record in GOLD_FILES.items()
    ]
    gold = [{**record, "text": seed_text(doc_id)} for doc_id, record in GOLD_FILES.items()]
    report = sourcetrace.evaluate(predictions, gold=gold, layers=["provenance"])
    edges = report["layers"]["provenance"]["edges"]
    distinct = sum(
        len(document_edges(record, gold_entity_by_span(record))) for record in GOLD_FILES.values()
    )
    assert edges["true_positives"] == edges["gold"] == edges["predicted"] == distinct
    assert edges["f1"] == 1.0 and list(report["layers"]) == ["provenance"]


def _perturbed_predictions() -> list[dict]:
    """The gold with every third edge dropped and one edge reversed per document: something to
    find, so shards have counts to add up."""
    predictions = []
    for doc_id, record in GOLD_FILES.items():
        edges = [edge for index, edge in enumerate(record["provenance"]) if index % 3 != 1]
        edges[0] = {**edges[0], "reporter": edges[0]["reported"], "reported": edges[0]["reporter"]}
        predictions.append({"doc_id": doc_id, **{layer: record[layer] for layer in LAYERS}})
        predictions[-1]["provenance"] = edges
    return predictions


def test_cli_scores_provenance_alone_and_shards_merge_to_the_one_run(run_cli, tmp_path):
    from sourcetrace.evaluation.partials import evaluate_partial, merge_partials
    from sourcetrace.report import to_json

    path = tmp_path / "pred.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in _perturbed_predictions()))
    done = run_cli("evaluate", path, "--layers", "provenance", "--format", "json")
    assert done.code == 0, done.err
    report = json.loads(done.out)
    assert list(report["layers"]) == ["provenance"]
    edges = report["layers"]["provenance"]["edges"]
    assert edges["gold"] == sum(
        len(document_edges(r, gold_entity_by_span(r))) for r in GOLD_FILES.values()
    )
    assert 0 < edges["true_positives"] < edges["predicted"]
    one_run = sourcetrace.evaluate(path, per_document=True, bootstrap=50, seed=3)
    partials = [
        json.loads(to_json(evaluate_partial(path, shard=(k, 3), bootstrap=50, seed=3)))
        for k in (1, 2, 3)
    ]
    assert to_json(merge_partials(partials, per_document=True)) == to_json(one_run)
    assert "provenance.edges.f1" in one_run["statistics"]["bootstrap"]


@pytest.mark.parametrize(
    ("count", "side", "message"),
    [
        ("true_positives", None, "true positives among"),
        ("gold", "gold", "distinct gold edges, but"),
        ("predicted", "predicted", "distinct predicted edges, but"),
    ],
)
def test_merge_refuses_a_forged_provenance_count_naming_the_document(
    tmp_path, count, side, message
):
    """A partial whose provenance counts break the scorer's bounds, its hash recomputed as a
    forger would, is refused by merge with the file and pointer of the count."""
    from sourcetrace.errors import InputError
    from sourcetrace.evaluation.partials import evaluate_partial, merge_partials, statistics_sha256
    from sourcetrace.report import to_json

    path = tmp_path / "pred.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in _perturbed_predictions()))
    partial = json.loads(to_json(evaluate_partial(path, layers=["provenance"])))
    column = partial["tallies"]["fields"].index(["provenance", "edges", count])
    recorded = partial["items"][side or "gold"][0][0]
    partial["tallies"]["counts"][0][column] = recorded + 1
    partial["statistics_sha256"] = statistics_sha256(partial)
    with pytest.raises(InputError, match=message) as refused:
        merge_partials([partial])
    assert refused.value.pointer == "/tallies/counts/0"
    assert "document 'st-000'" in str(refused.value)
