"""`evaluate` end to end: the command line and `sourcetrace.evaluate` on a three-document gold.

The packaged corpus has no gold yet, so every test scores against a gold JSONL written in
tmp_path: the story gold of gold_factory (st-000, st-001, st-003 with their texts). Expected
numbers are worked out by hand in the comments; invariants (gold against itself is 1.0, an empty
prediction has recall 0, order changes nothing) need no numbers.

Most runs are in-process (`run_cli`); a subprocess is used only where a real stderr matters.
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

import sourcetrace
from sourcetrace.errors import InputError, InputErrors

from gold_factory import (
    STORY_DOC_IDS,
    seed_text,
    span,
    span_in,
    story_gold,
    story_gold_st000,
    story_gold_st001,
    story_gold_st003,
    write_jsonl,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
SCHEMES = ("strict", "exact", "partial", "ent_type")
COUNTS = ("correct", "incorrect", "partial", "missed", "spurious", "possible", "actual")
METRICS = ("precision", "recall", "f1")
PARTS = ("source", "cue", "content", "triple")
LEVELS = ("strict", "lenient")
# The figures that get intervals and paired tests: 4 + 2 + 4 x 2 = 14.
HEADLINE_METRICS = (
    {f"entities.{scheme}.f1" for scheme in SCHEMES}
    | {f"claims.span.{level}.f1" for level in LEVELS}
    | {f"attributions.{part}.{level}.f1" for part in PARTS for level in LEVELS}
)
# Keys whose value is a score in [0, 1] wherever they appear in report["layers"].
SCORE_KEYS = ("precision", "recall", "f1", "accuracy", "conll_f1")

# The story gold, counted by hand from gold_factory (asserted in test_story_gold_is_what_the_
# hand_counts_assume): entities 13 + 9 + 9 = 31, of which 27 names (st-000 has two nominals and
# a pronoun, st-003 one nominal); claims 4 + 5 + 5 = 14; attributions 4 + 4 + 6 = 14.
ENTITIES = {"st-000": 13, "st-001": 9, "st-003": 9}
NAMES = {"st-000": 10, "st-001": 9, "st-003": 8}
CLAIMS = {"st-000": 4, "st-001": 5, "st-003": 5}
ATTRIBUTIONS = {"st-000": 4, "st-001": 4, "st-003": 6}


# ------------------------------------------------------------------ helpers


def without_text(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if key != "text"}


def piece(item: dict[str, Any]) -> dict[str, Any]:
    """Only the offsets and text of a gold item: what a plain system outputs."""
    return {key: item[key] for key in ("start", "end", "text")}


def score_leaves(tree: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """(path, value) of every score key (SCORE_KEYS and kappa) anywhere in a report tree."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            if key in SCORE_KEYS or key == "kappa":
                yield (*path, key), value
            else:
                yield from score_leaves(value, (*path, key))


def evaluate_json(run_cli: Any, *args: Any) -> dict[str, Any]:
    result = run_cli("evaluate", *args, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def shuffled(records: list[dict[str, Any]], seed: int) -> list[dict[str, Any]]:
    """The same documents in another line order, every layer list in another order."""
    rng = random.Random(seed)
    records = copy.deepcopy(records)
    rng.shuffle(records)
    for record in records:
        for layer in ("entities", "claims", "attributions"):
            if layer in record:
                rng.shuffle(record[layer])
    return records


# ------------------------------------------------------------------ the mixed prediction
#
# st-000 and st-001 are worked out by hand below (test_hand_worked_mixed_prediction); st-003
# adds a third, different document for the bootstrap and the comparison.


def mixed_st000() -> dict[str, Any]:
    """Entities: 10 of the 13 gold exact; Bakhmut typed LOC (gold GPE); "Russian defense chief"
    inside the gold "the Russian defense chief"; "Shoigu" (pictures of Shoigu) missed; "Moscow"
    spurious. Claims: c1 text-only, c2 exact, c3 shortened, c4 missed, one spurious claim.
    Attributions: the FT one with the name source "the FT" and a text-only content, the troops
    one with a shorter source span and a shorter content, the own-voice one exact, Blinken's
    missed, one spurious ("Russia said ...")."""
    t = seed_text("st-000")
    gold = story_gold_st000()
    by_id = {e["id"]: e for e in gold["entities"]}
    claims = {c["id"]: c for c in gold["claims"]}
    kept = ("e1", "e2", "e3", "e4", "e5", "e6", "e7", "e9", "e11", "e12")
    entities = [{**piece(by_id[i]), "type": by_id[i]["type"]} for i in kept]
    assert span(t, "Russian defense chief")["start"] == by_id["e8"]["start"] + len("the ")
    entities += [
        {**piece(by_id["e10"]), "type": "LOC"},
        {**span(t, "Russian defense chief"), "type": "PERSON"},
        {**span_in(t, "lost to Moscow", "Moscow"), "type": "GPE"},
    ]
    return {
        "doc_id": "st-000",
        "entities": entities,
        "claims": [
            {"text": claims["c1"]["text"]},
            {**piece(claims["c2"]), "polarity": "positive"},
            span(t, "Sergei Shoigu visited North Korea last week"),
            span(t, "Ukraine has been unleashing offensive campaigns against the Russian forces"),
        ],
        "attributions": [
            {
                "source": {"text": "the FT"},
                "cue": span(t, "According to"),
                "content": {"text": claims["c1"]["text"]},
            },
            {
                "source": span_in(t, "The Ukrainian troops said", "Ukrainian troops"),
                "cue": span_in(t, "troops said", "said"),
                "content": span(t, "the missiles had been seized from a ship"),
            },
            {"source": None, "cue": None, "content": piece(claims["c3"])},
            {
                "source": {"text": "Russia"},
                "cue": span_in(t, "Russia said", "said"),
                "content": span(
                    t, "it intercepted two missiles near the southern port of Taganrog"
                ),
            },
        ],
    }


def mixed_st001() -> dict[str, Any]:
    """Entities: 8 of 9 exact ("Shoigu was photographed" missed), with ids. Claims: c1-c4 exact
    (c1 and c3 say polarity positive; gold c3 is negative), c5 missed. Attributions: a1 (source
    by predicted mention id), a2 and a3 exact, a4 (own voice) missed."""
    gold = story_gold_st001()
    claims = {c["id"]: c for c in gold["claims"]}
    attributions = {a["id"]: a for a in gold["attributions"]}
    return {
        "doc_id": "st-001",
        "entities": [
            {"id": e["id"], **piece(e), "type": e["type"]}
            for e in gold["entities"]
            if e["id"] != "e6"
        ],
        "claims": [
            {**piece(claims["c1"]), "polarity": "positive"},
            piece(claims["c2"]),
            {**piece(claims["c3"]), "polarity": "positive"},
            piece(claims["c4"]),
        ],
        "attributions": [
            {
                "source": {"mention": "e1"},
                "cue": attributions["a1"]["cue"],
                "content": piece(claims["c1"]),
            },
            {
                "source": attributions["a2"]["source"],
                "cue": attributions["a2"]["cue"],
                "content": piece(claims["c2"]),
            },
            {"source": None, "cue": None, "content": piece(claims["c4"])},
        ],
    }


def mixed_st003() -> dict[str, Any]:
    """Half of st-003: Reuters by text only, the nominal "the newspaper" missed, two claims, the
    nested FT attribution by name, the own voice."""
    gold = story_gold_st003()
    by_id = {e["id"]: e for e in gold["entities"]}
    claims = {c["id"]: c for c in gold["claims"]}
    attributions = {a["id"]: a for a in gold["attributions"]}
    entities = [{"text": "Reuters", "type": "ORG"}]
    entities += [{**piece(by_id[i]), "type": by_id[i]["type"]} for i in ("e2", "e4", "e6", "e9")]
    return {
        "doc_id": "st-003",
        "entities": entities,
        "claims": [{"text": claims["c1"]["text"]}, piece(claims["c4"])],
        "attributions": [
            {
                "source": {"text": "Financial Times"},
                "cue": attributions["a2"]["cue"],
                "content": piece(claims["c1"]),
            },
            {"source": None, "cue": None, "content": piece(claims["c5"])},
        ],
    }


def mixed_prediction() -> list[dict[str, Any]]:
    return [mixed_st000(), mixed_st001(), mixed_st003()]


# ------------------------------------------------------------------ fixtures


@pytest.fixture
def gold_path(tmp_path: Path) -> Path:
    """The three-document story gold as a --gold JSONL (records with their texts)."""
    return write_jsonl(tmp_path / "gold.jsonl", story_gold())


@pytest.fixture
def gold_pred_path(tmp_path: Path) -> Path:
    """The gold itself as a prediction (the records without text)."""
    return write_jsonl(tmp_path / "gold_as_prediction.jsonl", story_gold(with_text=False))


@pytest.fixture
def mixed_path(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "mixed.jsonl", mixed_prediction())


# ------------------------------------------------------------------ the gold itself


def test_story_gold_is_what_the_hand_counts_assume():
    gold = {record["doc_id"]: record for record in story_gold()}
    assert tuple(gold) == STORY_DOC_IDS
    for doc_id, record in gold.items():
        assert len(record["entities"]) == ENTITIES[doc_id]
        assert sum(e["mention"] == "name" for e in record["entities"]) == NAMES[doc_id]
        assert len(record["claims"]) == CLAIMS[doc_id]
        assert len(record["attributions"]) == ATTRIBUTIONS[doc_id]
        for item in record["entities"] + record["claims"]:
            assert record["text"][item["start"] : item["end"]] == item["text"]
    # Cross-document coreference and claim clusters exist.
    entity_docs = {
        entity: {d for d, r in gold.items() for e in r["entities"] if e["entity"] == entity}
        for entity in ("financial-times", "north-korea", "sergei-shoigu")
    }
    assert all(docs == set(STORY_DOC_IDS) for docs in entity_docs.values())
    clusters = [c["cluster"] for r in gold.values() for c in r["claims"]]
    assert clusters.count("ukraine-uses-nk-rockets") == 3
    assert clusters.count("shoigu-visited-pyongyang") == 3


# ------------------------------------------------------------------ 1. gold against itself


def test_gold_against_itself_is_one_on_every_metric(run_cli, gold_path, gold_pred_path):
    report = evaluate_json(run_cli, gold_pred_path, "--gold", gold_path, "--per-document")
    layers = report["layers"]
    assert set(layers) == {"entities", "claims", "attributions"}
    leaves = list(score_leaves(layers))
    # Every score is 1.0. Kappa too: every attribute of the gold uses two labels or more
    # (polarity positive/negative, certainty certain/probable, checkworthy true/false), so kappa
    # is defined; the gold has links (FT twice in st-000, North Korea twice or thrice per
    # document, clusters across documents), so MUC and the CoNLL F1 are defined.
    not_one = [(path, value) for path, value in leaves if value != 1.0]
    assert not_one == []
    # The walk saw every part: 4 schemes x 3 metrics overall, per type (3 types), per document
    # (3), macro, clusters of both layers, claim attributes, attribution parts per document.
    paths = {path for path, _ in leaves}
    for scheme in SCHEMES:
        assert ("entities", "overall", scheme, "f1") in paths
        assert ("entities", "macro", scheme, "f1") in paths
        for doc_id in STORY_DOC_IDS:
            assert ("entities", "per_document", doc_id, scheme, "recall") in paths
    for layer in ("entities", "claims"):
        for measure in ("muc", "bcubed", "ceafe"):
            assert (layer, "clusters", measure, "f1") in paths
        assert (layer, "clusters", "conll_f1") in paths
    for attribute in ("polarity", "certainty", "checkworthy"):
        assert ("claims", "attributes", attribute, "kappa") in paths
        assert ("claims", "attributes", attribute, "accuracy") in paths
    for part in PARTS:
        for level in LEVELS:
            assert ("attributions", part, level, "f1") in paths
            assert ("attributions", "per_document", "st-003", part, level, "f1") in paths
    # Count: entities overall 4 x 3 + per type (GPE, ORG, PERSON) 3 x 12 + macro 12 + per document
    # 3 x 12 + clusters 3 x 3 + 1 = 106; claims span 2 x 3 + attributes 3 x 2 (accuracy, kappa)
    # + per document 3 x 6 + clusters 10 = 40; attributions 4 parts x 2 levels x 3 = 24, and
    # per document 3 x 24 = 72: 96. In all 106 + 40 + 96 = 242.
    assert len(leaves) == 242
    strict = layers["entities"]["overall"]["strict"]
    assert (strict["correct"], strict["possible"], strict["actual"]) == (31, 31, 31)
    assert layers["claims"]["span"]["strict"]["true_positives"] == 14
    assert layers["attributions"]["triple"]["strict"]["true_positives"] == 14


def test_the_gold_jsonl_itself_is_a_valid_prediction(run_cli, gold_path, gold_pred_path):
    # Records with their text are predictions too; the texts equal the gold's.
    itself = evaluate_json(run_cli, gold_path, "--gold", gold_path)
    without = evaluate_json(run_cli, gold_pred_path, "--gold", gold_path)
    assert itself["layers"] == without["layers"]
    assert all(value == 1.0 for _, value in score_leaves(itself["layers"]))


# ------------------------------------------------------------------ 2. empty prediction


def test_empty_prediction_has_recall_and_precision_zero_everywhere(run_cli, tmp_path, gold_path):
    empty = [
        {"doc_id": doc_id, "entities": [], "claims": [], "attributions": []}
        for doc_id in STORY_DOC_IDS
    ]
    path = write_jsonl(tmp_path / "empty.jsonl", empty)
    report = evaluate_json(run_cli, path, "--gold", gold_path, "--per-document")
    layers = report["layers"]
    assert set(layers) == {"entities", "claims", "attributions"}
    leaves = list(score_leaves(layers))
    assert len(leaves) > 100
    assert [(p, v) for p, v in leaves if v != 0.0] == []
    # Found nothing: every gold item missed, nothing predicted.
    for scheme in SCHEMES:
        counts = layers["entities"]["overall"][scheme]
        assert (counts["missed"], counts["possible"], counts["actual"]) == (31, 31, 0)
    assert layers["claims"]["span"]["lenient"] == {
        "true_positives": 0, "gold": 14, "predicted": 0,
        "precision": 0.0, "recall": 0.0, "f1": 0.0,
    }  # fmt: skip
    for part in PARTS:
        assert layers["attributions"][part]["lenient"]["gold"] == 14
        assert layers["attributions"][part]["lenient"]["true_positives"] == 0
    # No predicted mention carries a cluster id: the system does no clustering (documented None).
    assert layers["entities"]["clusters"] is None
    assert layers["claims"]["clusters"] is None
    assert layers["claims"]["attributes"] == {}


# ------------------------------------------------------------------ 3. order changes nothing


def _without_prediction_identity(report: dict[str, Any]) -> dict[str, Any]:
    report = copy.deepcopy(report)
    del report["predictions"]["sha256"], report["predictions"]["source"]
    return report


def test_reordering_lines_and_spans_of_the_prediction_changes_nothing(
    run_cli, tmp_path, gold_path, mixed_path
):
    reference = evaluate_json(run_cli, mixed_path, "--gold", gold_path)
    assert reference["layers"]["entities"]["overall"]["strict"]["f1"] < 1.0  # a real test
    for seed in (1, 2, 3):
        records = shuffled(mixed_prediction(), seed)
        path = write_jsonl(tmp_path / f"mixed_{seed}.jsonl", records)
        report = evaluate_json(run_cli, path, "--gold", gold_path)
        assert _without_prediction_identity(report) == _without_prediction_identity(reference)


def test_reordering_the_gold_changes_no_score(run_cli, tmp_path, gold_path, mixed_path):
    reference = evaluate_json(run_cli, mixed_path, "--gold", gold_path)
    other_gold = write_jsonl(tmp_path / "gold_shuffled.jsonl", shuffled(story_gold(), 5))
    report = evaluate_json(run_cli, mixed_path, "--gold", other_gold)
    assert report["layers"] == reference["layers"]
    assert report["documents"] == reference["documents"]
    # Another file is other data: its sha256 is recorded (the numbers are the same).
    assert report["corpus"]["data_sha256"] != reference["corpus"]["data_sha256"]


# ------------------------------------------------------------------ 4. hand-worked mixed case


@pytest.fixture
def two_doc_gold(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "gold2.jsonl", story_gold(("st-000", "st-001")))


@pytest.fixture
def two_doc_mixed(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "mixed2.jsonl", [mixed_st000(), mixed_st001()])


def test_hand_worked_mixed_prediction(run_cli, two_doc_gold, two_doc_mixed):
    report = evaluate_json(run_cli, two_doc_mixed, "--gold", two_doc_gold, "--per-document")
    entities = report["layers"]["entities"]
    overall = entities["overall"]
    # Gold: 13 + 9 = 22 mentions. Predicted: st-000 10 exact + Bakhmut/LOC + the partial
    # "Russian defense chief" + spurious Moscow = 13; st-001 8 exact. actual = 21.
    #   strict:   correct 10 + 8 = 18; incorrect 2 (wrong type, wrong boundaries);
    #             missed 2 (st-000 "Shoigu", st-001 "Shoigu"); spurious 1 (Moscow)
    #   exact:    the wrong type has the right boundaries: correct 19, incorrect 1
    #   partial:  wrong type -> correct, the boundary miss -> partial: correct 19, partial 1
    #   ent_type: wrong type -> incorrect, the boundary miss has the type -> correct 19, inc 1
    expected = {
        "strict": (18, 2, 0, 2, 1),
        "exact": (19, 1, 0, 2, 1),
        "partial": (19, 0, 1, 2, 1),
        "ent_type": (19, 1, 0, 2, 1),
    }
    for scheme, counts in expected.items():
        got = overall[scheme]
        assert tuple(got[c] for c in COUNTS[:5]) == counts, scheme
        assert (got["possible"], got["actual"]) == (22, 21), scheme
    # strict P = 18/21, R = 18/22, F1 = 2*18/(21+22) = 36/43
    assert overall["strict"]["precision"] == pytest.approx(18 / 21)
    assert overall["strict"]["recall"] == pytest.approx(18 / 22)
    assert overall["strict"]["f1"] == pytest.approx(36 / 43)
    # exact and ent_type: 19/21, 19/22, F1 38/43
    for scheme in ("exact", "ent_type"):
        assert overall[scheme]["precision"] == pytest.approx(19 / 21)
        assert overall[scheme]["recall"] == pytest.approx(19 / 22)
        assert overall[scheme]["f1"] == pytest.approx(38 / 43)
    # partial: credit 19 + 0.5 = 19.5; P 19.5/21, R 19.5/22, F1 2*19.5/43 = 39/43
    assert overall["partial"]["precision"] == pytest.approx(19.5 / 21)
    assert overall["partial"]["recall"] == pytest.approx(19.5 / 22)
    assert overall["partial"]["f1"] == pytest.approx(39 / 43)
    # Per type (nervaluate's rule: each type alone). The LOC prediction is spurious for LOC;
    # GPE: gold 4 + 5 = 9, predicted 3 + Moscow + 5 = 9, correct 8 -> P = R = 8/9;
    # PERSON: gold 6 + 3 = 9, predicted 5 + 2 = 7, strict correct 6, the partial one incorrect
    # -> P 6/7, R 6/9, F1 12/16; ORG: 4 of 4.
    per_type = entities["per_type"]
    assert set(per_type) == {"GPE", "LOC", "ORG", "PERSON"}
    loc = per_type["LOC"]["strict"]
    assert (loc["spurious"], loc["possible"], loc["actual"], loc["f1"]) == (1, 0, 1, 0.0)
    gpe = per_type["GPE"]["strict"]
    assert (gpe["correct"], gpe["missed"], gpe["spurious"]) == (8, 1, 1)
    assert gpe["precision"] == pytest.approx(8 / 9) and gpe["recall"] == pytest.approx(8 / 9)
    person = per_type["PERSON"]["strict"]
    assert (person["correct"], person["incorrect"], person["missed"]) == (6, 1, 2)
    assert person["f1"] == pytest.approx(12 / 16)
    assert per_type["PERSON"]["partial"]["precision"] == pytest.approx(6.5 / 7)
    assert per_type["ORG"]["strict"]["f1"] == 1.0
    # macro strict F1 = mean of per-type F1 = (8/9 + 0 + 1 + 3/4) / 4 = 95/144
    assert entities["macro"]["strict"]["f1"] == pytest.approx(95 / 144)
    # st-000 alone: correct 10 of possible 13 and actual 13.
    st000 = entities["per_document"]["st-000"]["strict"]
    assert st000["precision"] == pytest.approx(10 / 13)
    assert st000["recall"] == pytest.approx(10 / 13)
    # No predicted mention carries an entity id: no clustering to score.
    assert entities["clusters"] is None

    claims = report["layers"]["claims"]
    # Gold claims 4 + 5 = 9; predicted 4 + 4 = 8.
    # st-000: c1 text-only = same normalised text (strict), c2 exact (strict), c3 shortened by
    #   "Russian defense minister " (25 of 68 characters): Dice 2*43/(43+68) = 86/111 = 0.77
    #   >= 0.5 (lenient only), the "Ukraine has been unleashing ..." claim overlaps no gold claim.
    #   strict 2, lenient 3. st-001: c1-c4 exact: strict 4, lenient 4.
    # strict: TP 6 -> P 6/8, R 6/9, F1 12/17; lenient: TP 7 -> P 7/8, R 7/9, F1 14/17.
    strict, lenient = claims["span"]["strict"], claims["span"]["lenient"]
    assert (strict["true_positives"], strict["gold"], strict["predicted"]) == (6, 9, 8)
    assert strict["precision"] == pytest.approx(6 / 8)
    assert strict["recall"] == pytest.approx(6 / 9)
    assert strict["f1"] == pytest.approx(12 / 17)
    assert lenient["true_positives"] == 7
    assert lenient["precision"] == pytest.approx(7 / 8)
    assert lenient["recall"] == pytest.approx(7 / 9)
    assert lenient["f1"] == pytest.approx(14 / 17)
    # Only polarity is predicted. Lenient pairs carrying it on both sides: st-000 c2 (pos, pos),
    # st-001 c1 (pos, pos), st-001 c3 (gold neg, pred pos): 3 pairs, accuracy 2/3.
    # kappa: p_o = 2/3; gold pos 2/3 neg 1/3, pred pos 1: p_e = 2/3*1 + 1/3*0 = 2/3 -> 0.
    assert set(claims["attributes"]) == {"polarity"}
    polarity = claims["attributes"]["polarity"]
    assert polarity["pairs"] == 3
    assert polarity["accuracy"] == pytest.approx(2 / 3)
    assert polarity["kappa"] == pytest.approx(0.0, abs=1e-12)
    assert claims["clusters"] is None

    attributions = report["layers"]["attributions"]
    # Gold 4 + 4 = 8, predicted 4 + 3 = 7.
    # st-000: p1 source "the FT" = normalised text of the gold mention "the FT" of the FT entity
    #   (strict), cue same span, content text-only = same normalised text: all strict.
    #   p2 source "Ukrainian troops" inside "The Ukrainian troops" (lenient only), cue exact,
    #   content "the missiles had been seized from a ship" (40 of 63 characters: Dice 80/103)
    #   lenient only. p3 own voice exact. p4 ("Russia said ...") touches nothing. Blinken missed.
    #   source 2 strict / 3 lenient, cue 3 / 3, content 2 / 3, triple 2 / 3.
    # st-001: three exact (the mention source resolves through the predicted e1): 3 everywhere.
    expected_tp = {
        "source": (5, 6),
        "cue": (6, 6),
        "content": (5, 6),
        "triple": (5, 6),
    }
    for part, (strict_tp, lenient_tp) in expected_tp.items():
        for level, tp in zip(LEVELS, (strict_tp, lenient_tp), strict=True):
            got = attributions[part][level]
            assert (got["true_positives"], got["gold"], got["predicted"]) == (tp, 8, 7), (
                part,
                level,
            )
            # TP 5: P 5/7, R 5/8, F1 10/15 = 2/3; TP 6: P 6/7, R 6/8, F1 12/15 = 4/5.
            assert got["precision"] == pytest.approx(tp / 7)
            assert got["recall"] == pytest.approx(tp / 8)
            assert got["f1"] == pytest.approx({5: 2 / 3, 6: 4 / 5}[tp])
    # st-000 alone, source strict: 2 of 4 gold, 2 of 4 predicted.
    st000_source = attributions["per_document"]["st-000"]["source"]["strict"]
    assert (st000_source["precision"], st000_source["recall"]) == (0.5, 0.5)


# ------------------------------------------------------------------ 5. report shape, formats


def test_json_report_validates_and_has_the_stable_paths(run_cli, gold_path, mixed_path, tmp_path):
    other = write_jsonl(tmp_path / "other.jsonl", story_gold(with_text=False))
    report = evaluate_json(
        run_cli, mixed_path, "--gold", gold_path, "--bootstrap", "20", "--seed", "3",
        "--compare", other, "--compare-samples", "20",
    )  # fmt: skip
    schema = json.loads((REPO_ROOT / "schema" / "report.schema.json").read_text("utf-8"))
    Draft202012Validator.check_schema(schema)
    errors = list(Draft202012Validator(schema).iter_errors(report))
    assert errors == []
    assert isinstance(report["signature"], str)
    assert report["corpus"]["version"] == "custom"
    entities = report["layers"]["entities"]
    for scheme in SCHEMES:
        for key in COUNTS:
            assert isinstance(entities["overall"][scheme][key], int)
        for key in METRICS:
            assert 0.0 <= entities["overall"][scheme][key] <= 1.0
    for entity_type in ("ORG", "GPE", "PERSON", "LOC"):
        for scheme in SCHEMES:
            assert "f1" in entities["per_type"][entity_type][scheme]
    for level in LEVELS:
        for key in METRICS:
            assert 0.0 <= report["layers"]["claims"]["span"][level][key] <= 1.0
    for part in PARTS:
        for level in LEVELS:
            assert 0.0 <= report["layers"]["attributions"][part][level]["f1"] <= 1.0


def test_the_report_schema_refuses_a_broken_report(run_cli, gold_path, mixed_path):
    # Control for the test above: the schema is strict enough to notice a missing count.
    report = evaluate_json(run_cli, mixed_path, "--gold", gold_path)
    del report["layers"]["entities"]["overall"]["strict"]["spurious"]
    schema = json.loads((REPO_ROOT / "schema" / "report.schema.json").read_text("utf-8"))
    assert list(Draft202012Validator(schema).iter_errors(report)) != []


def test_signature_records_everything_a_number_depends_on(run_cli, gold_path, mixed_path):
    version = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
    data_sha = hashlib.sha256(gold_path.read_bytes()).hexdigest()
    plain = evaluate_json(run_cli, mixed_path, "--gold", gold_path)
    fields = dict(part.split(":", 1) for part in plain["signature"].split("|"))
    assert fields["sourcetrace"] == version == plain["toolkit"]["version"]
    assert fields["corpus"] == plain["corpus"]["version"] == "custom"
    assert data_sha.startswith(fields["data"]) and len(fields["data"]) >= 8
    assert plain["corpus"]["data_sha256"] == data_sha
    assert fields["layers"] == "entities+claims+attributions"
    assert fields["mentions"] == "all"
    assert float(fields["claim_threshold"]) == 0.5
    assert "bootstrap" not in fields and "seed" not in fields

    other = evaluate_json(
        run_cli, mixed_path, "--gold", gold_path, "--layers", "claims", "--mentions", "name",
        "--claim-threshold", "0.7", "--bootstrap", "10", "--seed", "11",
    )  # fmt: skip
    fields = dict(part.split(":", 1) for part in other["signature"].split("|"))
    assert fields["layers"] == "claims"
    assert fields["mentions"] == "name"
    assert float(fields["claim_threshold"]) == 0.7
    assert (fields["bootstrap"], fields["seed"]) == ("10", "11")


@pytest.mark.parametrize("fmt", ["markdown", "table"])
def test_text_formats_show_the_headline_numbers(
    run_cli, two_doc_gold, two_doc_mixed, fmt, tmp_path
):
    # Hand-worked in test_hand_worked_mixed_prediction, shown as percentages with 2 decimals:
    # entities strict P 18/21 = 85.71, R 18/22 = 81.82, F1 36/43 = 83.72; partial F1 39/43 =
    # 90.70; claims strict F1 12/17 = 70.59, lenient 14/17 = 82.35; attribution triple strict
    # F1 2/3 = 66.67, lenient 4/5 = 80.00.
    result = run_cli("evaluate", two_doc_mixed, "--gold", two_doc_gold, "--format", fmt)
    assert result.code == 0, result.err
    text = result.out
    for number in ("85.71", "81.82", "83.72", "90.70", "70.59", "82.35", "66.67", "80.00"):
        assert number in text, number
    signature = evaluate_json(run_cli, two_doc_mixed, "--gold", two_doc_gold)["signature"]
    if fmt == "markdown":
        assert signature in text
        assert "| entities | strict | 85.71 | 81.82 | 83.72 |" in text
    else:
        assert "83.72" in next(line for line in text.splitlines() if " strict " in line)
    # --output writes the same text to a file.
    out = tmp_path / f"report.{fmt}"
    written = run_cli(
        "evaluate", two_doc_mixed, "--gold", two_doc_gold, "--format", fmt, "--output", out
    )
    assert written.code == 0 and written.out == ""
    assert "83.72" in out.read_text("utf-8")


# ------------------------------------------------------------------ 6. bad predictions


def _gold_prediction_lines() -> list[str]:
    return [json.dumps(record, ensure_ascii=False) for record in story_gold(with_text=False)]


def _with_entity(line: str, index: int, **change: Any) -> str:
    record = json.loads(line)
    record["entities"][index].update(change)
    return json.dumps(record, ensure_ascii=False)


def _bad_malformed(lines: list[str]) -> list[str]:
    return [lines[0], '{"doc_id": "st-001", "entities": [', lines[2]]


def _bad_offsets(lines: list[str]) -> list[str]:
    length = len(seed_text("st-003"))
    return [lines[0], lines[1], _with_entity(lines[2], 0, end=length + 5)]


def _bad_text(lines: list[str]) -> list[str]:
    return [_with_entity(lines[0], 0, text="Financial Tims"), lines[1], lines[2]]


def _bad_label(lines: list[str]) -> list[str]:
    return [lines[0], _with_entity(lines[1], 1, type="COUNTRY"), lines[2]]


def _bad_duplicate(lines: list[str]) -> list[str]:
    return [*lines, lines[0]]


def _bad_unknown(lines: list[str]) -> list[str]:
    return [*lines, json.dumps({"doc_id": "st-999", "entities": []})]


# (make lines, line number, pointer or None, words the message must contain)
BAD_PREDICTIONS = {
    "malformed-json": (_bad_malformed, 2, None, ["malformed JSON"]),
    "offset-out-of-range": (_bad_offsets, 3, "/entities/0/end", ["past the end"]),
    "text-not-at-offsets": (_bad_text, 1, "/entities/0/text", ["Financial Tims"]),
    "unknown-entity-label": (_bad_label, 2, "/entities/1/type", ["COUNTRY"]),
    "duplicate-doc-id": (_bad_duplicate, 4, "/doc_id", ["duplicate", "st-000"]),
    "unknown-doc-id": (_bad_unknown, 4, "/doc_id", ["st-999"]),
}


@pytest.mark.parametrize("preexisting", [False, True], ids=["no-report", "old-report"])
@pytest.mark.parametrize("case", sorted(BAD_PREDICTIONS))
def test_bad_prediction_exits_2_naming_file_line_and_pointer(
    run_cli, tmp_path, gold_path, case, preexisting
):
    make, line, pointer, words = BAD_PREDICTIONS[case]
    pred = tmp_path / "bad.jsonl"
    pred.write_text("\n".join(make(_gold_prediction_lines())) + "\n", encoding="utf-8")
    report = tmp_path / "report.json"
    old = b'{"an": "older report"}\n'
    if preexisting:
        report.write_bytes(old)
    result = run_cli("evaluate", pred, "--gold", gold_path, "--format", "json", "--output", report)
    assert result.code == 2
    assert f"{pred}, line {line}" in result.err
    if pointer:
        assert f"at {pointer}" in result.err
    for word in words:
        assert word in result.err
    assert "Traceback" not in result.err
    assert result.out == ""
    if preexisting:
        assert report.read_bytes() == old
    else:
        assert not report.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report")] == []


@pytest.mark.parametrize("preexisting", [False, True], ids=["no-report", "old-report"])
def test_gold_document_without_prediction_exits_2(run_cli, tmp_path, gold_path, preexisting):
    lines = _gold_prediction_lines()
    pred = tmp_path / "partial.jsonl"
    pred.write_text(lines[0] + "\n" + lines[2] + "\n", encoding="utf-8")
    report = tmp_path / "report.md"
    if preexisting:
        report.write_bytes(b"# old\n")
    result = run_cli(
        "evaluate", pred, "--gold", gold_path, "--format", "markdown", "--output", report
    )
    assert result.code == 2
    assert str(pred) in result.err
    assert "st-001" in result.err
    assert "--missing empty" in result.err
    assert "Traceback" not in result.err
    assert report.read_bytes() == b"# old\n" if preexisting else not report.exists()


def test_bad_predictions_in_a_fresh_interpreter_print_no_traceback(
    run_cli_subprocess, tmp_path, gold_path
):
    pred = tmp_path / "bad.jsonl"
    pred.write_text("\n".join(_bad_offsets(_gold_prediction_lines())) + "\n", encoding="utf-8")
    report = tmp_path / "report.json"
    result = run_cli_subprocess(
        "evaluate", pred, "--gold", gold_path, "--format", "json", "--output", report
    )
    assert result.code == 2
    assert f"{pred}, line 3, at /entities/0/end" in result.err
    assert "Traceback" not in result.err
    assert not report.exists()


def test_missing_empty_scores_the_missing_document_as_found_nothing(run_cli, tmp_path, gold_path):
    lines = _gold_prediction_lines()
    pred = tmp_path / "partial.jsonl"
    pred.write_text(lines[0] + "\n" + lines[2] + "\n", encoding="utf-8")
    report = evaluate_json(
        run_cli, pred, "--gold", gold_path, "--missing", "empty", "--per-document"
    )
    layers = report["layers"]
    # st-001 (9 entities, 5 claims, 4 attributions) is found nothing, the others are perfect:
    # entities recall (13 + 9) / 31 = 22/31 (a drop of 9/31), precision stays 1;
    # claims recall (4 + 5) / 14 = 9/14; attributions recall (4 + 6) / 14 = 10/14.
    for scheme in SCHEMES:
        assert layers["entities"]["overall"][scheme]["recall"] == pytest.approx(22 / 31)
        assert layers["entities"]["overall"][scheme]["precision"] == 1.0
        assert layers["entities"]["overall"][scheme]["missed"] == 9
    assert layers["claims"]["span"]["strict"]["recall"] == pytest.approx(9 / 14)
    assert layers["claims"]["span"]["strict"]["precision"] == 1.0
    for part in PARTS:
        assert layers["attributions"][part]["strict"]["recall"] == pytest.approx(10 / 14)
    assert layers["entities"]["per_document"]["st-001"]["strict"]["recall"] == 0.0
    assert report["documents"]["missing_scored_as_empty"] == ["st-001"]
    assert "missing:empty" in report["signature"]


# ------------------------------------------------------------------ 7. a folder of JSON files


def test_folder_of_per_document_files_scores_like_the_jsonl(
    run_cli, tmp_path, gold_path, mixed_path
):
    folder = tmp_path / "runs"
    folder.mkdir()
    for record in mixed_prediction():
        (folder / f"{record['doc_id']}.json").write_text(
            json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8"
        )
    from_jsonl = evaluate_json(run_cli, mixed_path, "--gold", gold_path)
    from_folder = evaluate_json(run_cli, folder, "--gold", gold_path)
    assert from_folder["layers"] == from_jsonl["layers"]
    assert from_folder["signature"] == from_jsonl["signature"]
    assert from_folder["predictions"]["documents"] == 3
    assert from_folder["predictions"]["source"] == str(folder)


def test_a_bad_file_in_a_prediction_folder_is_named_with_its_line(run_cli, tmp_path, gold_path):
    folder = tmp_path / "runs"
    folder.mkdir()
    for record in mixed_prediction():
        (folder / f"{record['doc_id']}.json").write_text(json.dumps(record), encoding="utf-8")
    bad = folder / "st-001.json"
    record = mixed_st001()
    record["entities"][0]["type"] = "COUNTRY"
    bad.write_text("\n" + json.dumps(record), encoding="utf-8")  # the object starts on line 2
    result = run_cli("evaluate", folder, "--gold", gold_path, "--format", "json")
    assert result.code == 2
    assert f"{bad}, line 2, at /entities/0/type" in result.err


# ------------------------------------------------------------------ 8. the Python API


def test_python_api_returns_what_the_cli_prints(run_cli, gold_path, mixed_path):
    cli_report = evaluate_json(run_cli, mixed_path, "--gold", gold_path)
    api_report = sourcetrace.evaluate(mixed_path, gold=gold_path)
    assert api_report["signature"] == cli_report["signature"]
    assert api_report["layers"] == cli_report["layers"]
    assert api_report == cli_report
    # Plain data: JSON round trip changes nothing (no numpy numbers, no tuples).
    assert json.loads(json.dumps(api_report)) == api_report


def test_python_api_takes_records_and_dicts(run_cli, gold_path, mixed_path):
    cli_report = evaluate_json(run_cli, mixed_path, "--gold", gold_path)
    from_records = sourcetrace.evaluate(mixed_prediction(), gold=story_gold())
    assert from_records["layers"] == cli_report["layers"]
    by_doc = {r["doc_id"]: without_text(r) for r in mixed_prediction()}
    from_dict = sourcetrace.evaluate(by_doc, gold=story_gold())
    assert from_dict["layers"] == cli_report["layers"]


def test_python_api_settings_match_cli_options(run_cli, gold_path, mixed_path):
    cli_report = evaluate_json(
        run_cli, mixed_path, "--gold", gold_path, "--layers", "entities", "claims",
        "--mentions", "name", "--claim-threshold", "0.8",
    )  # fmt: skip
    api_report = sourcetrace.evaluate(
        str(mixed_path), gold=str(gold_path), layers=["entities", "claims"],
        mentions=["name"], claim_threshold=0.8,
    )  # fmt: skip
    assert api_report["layers"] == cli_report["layers"]
    assert api_report["signature"] == cli_report["signature"]


@pytest.mark.parametrize(
    "options",
    [{"bootstrap_samples": 10}, {"layer": ["entities"]}, {"layers": ["events"]},
     {"claim_threshold": 0}, {"missing": "skip"}],
    ids=["unknown-name", "misspelt-name", "unknown-layer", "bad-threshold", "bad-policy"],
)  # fmt: skip
def test_python_api_refuses_unknown_settings(gold_path, mixed_path, options):
    with pytest.raises(InputError) as caught:
        sourcetrace.evaluate(mixed_path, gold=gold_path, **options)
    name = next(iter(options))
    if name not in ("layers", "claim_threshold", "missing"):
        assert name in str(caught.value)


def test_python_api_raises_input_errors_for_bad_records(gold_path):
    records = [without_text(r) for r in story_gold()]
    records[1]["entities"][0]["end"] = 10**6
    with pytest.raises((InputError, InputErrors)) as caught:
        sourcetrace.evaluate(records, gold=gold_path)
    assert "line 2" in str(caught.value) and "/entities/0/end" in str(caught.value)


# ------------------------------------------------------------------ 9. layers


def test_layers_option_restricts_the_report(run_cli, gold_path, gold_pred_path):
    report = evaluate_json(run_cli, gold_pred_path, "--gold", gold_path, "--layers", "entities")
    assert set(report["layers"]) == {"entities"}
    assert report["settings"]["layers"] == ["entities"]
    assert "|layers:entities|" in report["signature"]
    assert set(report["statistics"]) <= {"bootstrap", "comparison"}
    two = evaluate_json(
        run_cli, gold_pred_path, "--gold", gold_path, "--layers", "attributions", "claims"
    )
    assert set(two["layers"]) == {"claims", "attributions"}
    # Listed in the canonical order, whatever the order on the command line.
    assert two["settings"]["layers"] == ["claims", "attributions"]


def test_a_layer_absent_from_the_prediction_is_not_scored(run_cli, tmp_path, gold_path):
    records = [
        {k: v for k, v in r.items() if k != "attributions"} for r in story_gold(with_text=False)
    ]
    path = write_jsonl(tmp_path / "no_attributions.jsonl", records)
    report = evaluate_json(run_cli, path, "--gold", gold_path)
    assert set(report["layers"]) == {"entities", "claims"}
    assert report["settings"]["layers"] == ["entities", "claims"]
    assert "|layers:entities+claims|" in report["signature"]
    assert report["layers"]["claims"]["span"]["strict"]["f1"] == 1.0


def test_a_layer_in_some_records_only_is_refused_naming_the_line(run_cli, tmp_path, gold_path):
    # Scoring the record without "claims" as "found nothing" would be a silent wrong score:
    # the system must say [] on purpose, so the record's line is named and nothing is scored.
    records = story_gold(with_text=False)
    del records[1]["claims"]
    for attribution in records[1]["attributions"]:
        attribution["content"].pop("claims")  # no claim ids to refer to any more
    path = write_jsonl(tmp_path / "partial_layer.jsonl", records)
    output = tmp_path / "report.json"
    result = run_cli("evaluate", path, "--gold", gold_path, "--output", output)
    assert result.code == 2
    assert f"{path}, line 2, at /claims" in result.err
    assert '"claims": [] for "found nothing"' in result.err
    assert not output.exists()
    # --layers without claims scores the rest
    report = evaluate_json(run_cli, path, "--gold", gold_path, "--layers", "entities")
    assert report["layers"]["entities"]["overall"]["strict"]["f1"] == 1.0


# ------------------------------------------------------------------ 10. mention filter


def test_mentions_name_gives_a_name_only_system_full_recall(run_cli, tmp_path, gold_path):
    records = []
    for record in story_gold(with_text=False):
        names = [
            {**piece(e), "type": e["type"]} for e in record["entities"] if e["mention"] == "name"
        ]
        records.append({"doc_id": record["doc_id"], "entities": names})
    path = write_jsonl(tmp_path / "names.jsonl", records)
    unfiltered = evaluate_json(run_cli, path, "--gold", gold_path)
    filtered = evaluate_json(run_cli, path, "--gold", gold_path, "--mentions", "name")
    for scheme in SCHEMES:
        # All mentions: the 27 names of 31 found, nothing spurious: R = 27/31, P = 1.
        assert unfiltered["layers"]["entities"]["overall"][scheme]["recall"] == pytest.approx(
            27 / 31
        )
        assert unfiltered["layers"]["entities"]["overall"][scheme]["precision"] == 1.0
        # Names only: 27 of 27.
        got = filtered["layers"]["entities"]["overall"][scheme]
        assert (got["possible"], got["actual"], got["recall"], got["precision"]) == (
            27, 27, 1.0, 1.0,
        )  # fmt: skip
    assert filtered["settings"]["mentions"] == ["name"]
    assert set(filtered["layers"]) == {"entities"}


def test_mentions_filter_ignores_predictions_of_filtered_mentions(
    run_cli, gold_path, gold_pred_path
):
    # The whole gold as prediction, scored on names only: the 4 nominal/pronoun predictions land
    # on filtered gold mentions and are ignored, not spurious: still 1.0.
    report = evaluate_json(run_cli, gold_pred_path, "--gold", gold_path, "--mentions", "name")
    strict = report["layers"]["entities"]["overall"]["strict"]
    assert (strict["possible"], strict["actual"], strict["f1"]) == (27, 27, 1.0)
    assert report["layers"]["entities"]["ignored_predictions"] == 4


# ------------------------------------------------------------------ 11. bootstrap


def test_bootstrap_is_reproducible_and_brackets_the_point_estimate(run_cli, gold_path, mixed_path):
    args = (mixed_path, "--gold", gold_path, "--bootstrap", "200")
    first = evaluate_json(run_cli, *args, "--seed", "7")
    again = evaluate_json(run_cli, *args, "--seed", "7")
    other_seed = evaluate_json(run_cli, *args, "--seed", "8")
    cis = first["statistics"]["bootstrap"]
    assert cis == again["statistics"]["bootstrap"]
    assert first == again
    # 4 entity schemes + 2 claim levels + 4 parts x 2 levels of attributions.
    assert set(cis) == HEADLINE_METRICS
    bounds = [(ci["low"], ci["high"]) for ci in cis.values()]
    other = [(ci["low"], ci["high"]) for ci in other_seed["statistics"]["bootstrap"].values()]
    assert bounds != other
    layers = first["layers"]
    for name, ci in cis.items():
        layer, *rest = name.split(".")
        value: Any = layers[layer]
        if layer == "entities":
            value = value["overall"]
        for key in rest:
            value = value[key]
        assert ci["low"] - 1e-12 <= value <= ci["high"] + 1e-12, name
        assert (ci["n"], ci["seed"]) == (200, 7)
    assert "|bootstrap:200|" in first["signature"]
    assert first["signature"].endswith("|seed:7")
    assert "|seed:8" in other_seed["signature"]


def test_bootstrap_of_a_perfect_system_is_a_point(run_cli, gold_path, gold_pred_path):
    # Every replicate of gold against itself is 1.0, so is every bound.
    report = evaluate_json(
        run_cli, gold_pred_path, "--gold", gold_path, "--bootstrap", "30", "--seed", "1"
    )
    for ci in report["statistics"]["bootstrap"].values():
        assert (ci["low"], ci["high"]) == (1.0, 1.0)


# ------------------------------------------------------------------ 12. paired comparison


def test_compare_with_a_worse_system(run_cli, gold_path, gold_pred_path, mixed_path):
    report = evaluate_json(
        run_cli, gold_pred_path, "--gold", gold_path, "--compare", mixed_path,
        "--compare-samples", "50", "--seed", "5",
    )  # fmt: skip
    comparison = report["statistics"]["comparison"]
    assert comparison["method"] == "approximate-randomization"
    assert comparison["other"]["source"] == str(mixed_path)
    assert comparison["samples"] == 50
    metrics = comparison["metrics"]
    assert set(metrics) == HEADLINE_METRICS
    for result in metrics.values():
        assert 0.0 <= result["p_value"] <= 1.0
        assert result["delta"] == pytest.approx(result["a"] - result["b"])
        assert result["a"] == 1.0
    # B is the mixed system scored on the 3 documents. Its entity strict F1: st-000 and st-001
    # as in the hand-worked case (correct 18, actual 21, possible 22) plus st-003: Reuters
    # (text-only, anchored on the gold "Reuters") and 4 exact of 9 gold -> correct 5, actual 5,
    # possible 9. Total correct 23, actual 26, possible 31: F1 = 2*23/(26+31) = 46/57.
    strict = metrics["entities.strict.f1"]
    assert strict["b"] == pytest.approx(46 / 57)
    assert strict["delta"] == pytest.approx(1 - 46 / 57)


@pytest.mark.parametrize("method", ["approximate-randomization", "paired-bootstrap"])
def test_compare_a_system_with_itself_gives_delta_0_and_p_1(
    run_cli, tmp_path, gold_path, mixed_path, method
):
    copy_path = write_jsonl(tmp_path / "copy.jsonl", shuffled(mixed_prediction(), 9))
    report = evaluate_json(
        run_cli, mixed_path, "--gold", gold_path, "--compare", copy_path,
        "--compare-method", method, "--compare-samples", "50",
    )  # fmt: skip
    comparison = report["statistics"]["comparison"]
    assert comparison["method"] == method
    assert report["settings"]["compare_method"] == method
    assert set(comparison["metrics"]) == HEADLINE_METRICS
    for result in comparison["metrics"].values():
        assert result["delta"] == 0.0
        assert result["p_value"] == 1.0


def test_markdown_names_the_comparison(run_cli, gold_path, gold_pred_path, mixed_path):
    result = run_cli(
        "evaluate", gold_pred_path, "--gold", gold_path, "--compare", mixed_path,
        "--compare-method", "paired-bootstrap", "--compare-samples", "20", "--format", "markdown",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert f"Paired comparison with `{mixed_path}`" in result.out
    assert "paired-bootstrap" in result.out


def test_compare_with_a_bad_other_file_exits_2(run_cli, tmp_path, gold_path, mixed_path):
    lines = _gold_prediction_lines()
    other = tmp_path / "other.jsonl"
    other.write_text(lines[0] + "\n" + _with_entity(lines[1], 0, end=10**6) + "\n", "utf-8")
    result = run_cli("evaluate", mixed_path, "--gold", gold_path, "--compare", other)
    assert result.code == 2
    assert f"{other}, line 2, at /entities/0/end" in result.err


# ------------------------------------------------------------------ 13. packaged corpus


def test_a_corpus_without_gold_says_so_and_suggests_gold(run_cli, tmp_path):
    from sourcetrace.corpus.build import build
    from test_corpus import make_checkout

    root = make_checkout(tmp_path / "repo")  # the documents at 0.1.0, before any gold
    build(root)
    pred = write_jsonl(tmp_path / "pred.jsonl", [without_text(story_gold_st000())])
    result = run_cli("evaluate", pred, "--gold", root / "corpus")
    assert result.code == 2
    assert "no gold" in result.err
    assert "--gold" in result.err
    assert result.out == ""


def test_evaluate_console_script_is_the_same_command(gold_path, mixed_path, capsys):
    from sourcetrace.cli.main import evaluate_main

    code = evaluate_main([str(mixed_path), "--gold", str(gold_path), "--format", "json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report == sourcetrace.evaluate(mixed_path, gold=gold_path)


# ------------------------------------------------------------------ bugs found by these tests


def _prediction_with_its_own_text(extra: str) -> list[dict[str, Any]]:
    """The gold as prediction, st-000 carrying `text` (allowed by the prediction schema) that is
    the gold text plus `extra`, with a consistent text_sha256 and one entity inside `extra`."""
    records = story_gold()
    first = records[0]
    text = first["text"] + extra
    first["text"] = text
    first["text_sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    start = text.rindex("Moscow")
    first["entities"].append(
        {"id": "e99", "start": start, "end": start + len("Moscow"), "text": "Moscow",
         "type": "GPE", "mention": "name", "entity": "moscow"}
    )  # fmt: skip
    return records


def test_prediction_text_longer_than_the_gold_text_exits_2(run_cli, tmp_path, gold_path):
    pred = write_jsonl(tmp_path / "own_text.jsonl", _prediction_with_its_own_text(" Moscow x."))
    result = run_cli("evaluate", pred, "--gold", gold_path, "--format", "json")
    assert result.code == 2
    assert f"{pred}, line 1" in result.err


def test_prediction_made_on_another_text_exits_2(run_cli, tmp_path, gold_path):
    # The extra words lie past the gold text, but no span of the prediction needs them except
    # the added entity; drop it so that only the text itself differs.
    records = _prediction_with_its_own_text(" Moscow x.")
    records[0]["entities"].pop()
    pred = write_jsonl(tmp_path / "other_text.jsonl", records)
    result = run_cli("evaluate", pred, "--gold", gold_path, "--format", "json")
    assert result.code == 2
    assert f"{pred}, line 1" in result.err
    assert "/text" in result.err


@pytest.mark.parametrize("which", ["predictions", "compare"])
def test_a_missing_predictions_file_exits_2(run_cli, tmp_path, gold_path, mixed_path, which):
    missing = tmp_path / "no_such_run.jsonl"
    args = [missing] if which == "predictions" else [mixed_path, "--compare", missing]
    result = run_cli("evaluate", *args, "--gold", gold_path)
    assert result.code == 2
    assert str(missing) in result.err and "not found" in result.err


def test_confidence_is_in_the_signature(run_cli, gold_path, mixed_path):
    args = (mixed_path, "--gold", gold_path, "--bootstrap", "50", "--seed", "2")
    wide = evaluate_json(run_cli, *args, "--confidence", "0.95")
    narrow = evaluate_json(run_cli, *args, "--confidence", "0.5")
    # Control: the intervals differ (the 25th-75th percentiles lie inside the 2.5th-97.5th).
    assert wide["statistics"]["bootstrap"] != narrow["statistics"]["bootstrap"]
    assert wide["signature"] != narrow["signature"]


@pytest.fixture
def checkout_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the data folders, made the checkout through SOURCETRACE_ROOT."""
    import shutil

    root = tmp_path / "checkout"
    for folder in ("corpus", "schema", "seeds"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    (root / "annotations" / "gold").mkdir(parents=True)
    monkeypatch.setenv("SOURCETRACE_ROOT", str(root))
    return root


@pytest.mark.parametrize("folder", ["corpus", "annotations/gold", "seeds", "schema"])
def test_output_into_the_corpus_or_the_gold_is_refused(
    run_cli, checkout_copy, gold_path, mixed_path, folder
):
    target = checkout_copy / folder / "report.json"
    before = sorted(p.relative_to(checkout_copy) for p in checkout_copy.rglob("*"))
    result = run_cli(
        "evaluate", mixed_path, "--gold", gold_path, "--format", "json", "--output", target
    )
    assert result.code == 2
    assert not target.exists()
    assert sorted(p.relative_to(checkout_copy) for p in checkout_copy.rglob("*")) == before


def test_output_over_a_seed_file_or_a_device_is_refused(
    run_cli, checkout_copy, gold_path, mixed_path
):
    # the hardening review overwrote a seed and replaced /dev/null-like nodes with a file
    seed = next((checkout_copy / "seeds").iterdir())
    before = seed.read_bytes()
    for target in (seed, Path("/dev/null"), checkout_copy):
        result = run_cli("evaluate", mixed_path, "--gold", gold_path, "--output", target)
        assert result.code == 2, target
        assert "refusing to write" in result.err
    assert seed.read_bytes() == before
    assert Path("/dev/null").is_char_device()


@pytest.mark.parametrize("option", ["--bootstrap", "--compare-samples"])
def test_resample_counts_have_a_documented_maximum(run_cli, gold_path, mixed_path, option):
    # `--bootstrap 1e9` once asked numpy for 22 GiB; now it is refused before any work
    from sourcetrace.evaluation.run import MAX_SAMPLES

    extra = ["--compare", str(mixed_path)] if option == "--compare-samples" else []
    result = run_cli(
        "evaluate", mixed_path, "--gold", gold_path, option, str(MAX_SAMPLES + 1), *extra
    )
    assert result.code == 2
    assert f"at most {MAX_SAMPLES:,}" in result.err
    assert result.out == ""


# ------------------------------------------------------------------ hostile input (issue 17)


@pytest.mark.parametrize("doc_id", [["st-000"], {"a": 1}, 7, None, True])
def test_doc_id_of_another_type_is_exit_2_not_a_traceback(tmp_path, run_cli, gold_path, doc_id):
    # a list or dict as doc_id once crashed with "unhashable type"
    record = {**without_text(story_gold(("st-000",))[0]), "doc_id": doc_id}
    path = write_jsonl(tmp_path / "bad.jsonl", [record])
    result = run_cli("evaluate", path, "--gold", gold_path)
    assert result.code == 2
    assert "/doc_id" in result.err and len(result.err.splitlines()) == 1


@pytest.mark.parametrize(
    ("predictions", "gold"),
    [(None, "story"), (5, "story"), (b"{}", "story"), ("story", 5), ("story", {"a": 1})],
)
def test_python_api_with_a_bare_value_is_an_input_error(predictions, gold) -> None:
    # sourcetrace.evaluate(None) once died with "TypeError: 'NoneType' object is not iterable"
    story = story_gold()
    predictions = story if predictions == "story" else predictions
    gold = story if gold == "story" else gold
    with pytest.raises(InputError, match="expected a path"):
        sourcetrace.evaluate(predictions, gold=gold)


def test_cluster_scores_under_a_mention_filter_ignore_what_entity_scores_ignore() -> None:
    # A prediction on a pronoun (excluded by --mentions name) that overlaps it without sharing
    # its span is ignored by the entity scores; the cluster scores once counted it anyway.
    gold = story_gold(("st-000",))
    pronoun = next(e for e in gold[0]["entities"] if e["mention"] == "pronoun")
    names = [e for e in gold[0]["entities"] if e["mention"] == "name"]
    stray = {
        "start": pronoun["start"] + 1,
        "end": pronoun["end"],
        "type": "ORG",
        "entity": "nobody-in-gold",
    }
    clean = [{"doc_id": "st-000", "entities": names}]
    noisy = [{"doc_id": "st-000", "entities": [*names, stray]}]
    reports = [sourcetrace.evaluate(p, gold=gold, mentions=["name"]) for p in (clean, noisy)]
    entities = [r["layers"]["entities"] for r in reports]
    assert entities[1]["ignored_predictions"] == 1  # the entity scores ignore the stray one
    assert entities[0]["overall"] == entities[1]["overall"]
    assert entities[0]["clusters"] == entities[1]["clusters"]  # and so do the cluster scores
    assert entities[1]["clusters"]["conll_f1"] == pytest.approx(1.0)
