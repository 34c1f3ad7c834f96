"""Attribution scorer: hand-worked parts and levels, the name-source rule, invariants.

Offsets are taken from the text with ``str.index`` so they cannot be mistyped; every expected
count is worked out in the comment next to it.
"""

from __future__ import annotations

import copy
import itertools
import random

import pytest

from sourcetrace.scoring.attributions import (
    PARTS,
    score_attributions,
    source_right,
    summarize_attributions,
    tally_attributions,
)
from sourcetrace.scoring.common import add_tallies

TEXT = (
    "The Financial Times reported that Ukraine used North Korean rockets. "
    "Kyiv denied that it used them, the FT said. "
    "Prices rose, according to officials. "
    "The war goes on."
)


def span(phrase: str, *, with_text: bool = True) -> dict:
    start = TEXT.index(phrase)
    assert TEXT.count(phrase) == 1, phrase
    piece = {"start": start, "end": start + len(phrase)}
    return {**piece, "text": phrase} if with_text else piece


def mention(mention_id: str, phrase: str, entity: str | None) -> dict:
    item = {"id": mention_id, **span(phrase), "type": "ORG", "mention": "name"}
    return item if entity is None else {**item, "entity": entity}


ENTITIES = [
    mention("e1", "Financial Times", "financial-times"),
    mention("e2", "the FT", "financial-times"),
    mention("e3", "Kyiv", "ukraine"),
    mention("e4", "Ukraine", "ukraine"),
]


def attribution(source, cue, content, **extra) -> dict:
    return {"source": source, "cue": cue, "content": content, **extra}


# a1..a5: a named source, a second mention of the same entity, a nested attribution, a span
# source that is no entity, and the article's own voice.
A1 = attribution(
    {"mention": "e1"},
    span("reported"),
    {"claims": ["c1"], **span("Ukraine used North Korean rockets")},
    id="a1",
    type="indirect",
    nested_in=None,
)
A2 = attribution(
    {"mention": "e2"},
    span("said"),
    {"claims": ["c2"], **span("Kyiv denied that it used them")},
    id="a2",
    type="indirect",
    nested_in=None,
)
A3 = attribution(
    {"mention": "e3"},
    span("denied"),
    {"claims": ["c3"], **span("it used them")},
    id="a3",
    type="indirect",
    nested_in="a2",
)
A4 = attribution(
    span("officials"),
    span("according to"),
    {"claims": ["c4"], **span("Prices rose")},
    id="a4",
    type="indirect",
    nested_in=None,
)
A5 = attribution(None, None, {"claims": ["c5"], **span("The war goes on")}, id="a5", nested_in=None)


def gold_doc(*attributions, entities=ENTITIES) -> dict:
    return {"doc_id": "st-t", "entities": entities, "attributions": list(attributions)}


def pred_doc(*attributions, entities=None) -> dict:
    doc = {"doc_id": "st-t", "attributions": list(attributions)}
    return doc if entities is None else {**doc, "entities": entities}


def section(gold, pred, **settings) -> dict:
    return summarize_attributions(tally_attributions(gold, pred, **settings), **settings)


def true_positives(gold, pred, **settings) -> dict[tuple[str, str], int]:
    result = section(gold, pred, **settings)
    return {
        (part, level): result[part][level]["true_positives"]
        for part in PARTS
        for level in ("strict", "lenient")
    }


def right(gold, pred, part: str, **settings) -> tuple[bool, bool]:
    """(strict, lenient) for one gold and one predicted attribution."""
    counts = true_positives(gold_doc(gold), pred_doc(pred), **settings)
    return counts[part, "strict"] == 1, counts[part, "lenient"] == 1


# --- invariants -------------------------------------------------------------------------------


def test_gold_against_itself_is_perfect_everywhere():
    gold = gold_doc(A1, A2, A3, A4, A5)
    result = section(gold, copy.deepcopy(gold))
    for part in PARTS:
        for level in ("strict", "lenient"):
            assert result[part][level] == {
                "true_positives": 5,
                "gold": 5,
                "predicted": 5,
                "precision": 1.0,
                "recall": 1.0,
                "f1": 1.0,
            }


def test_empty_prediction_has_zero_recall():
    result = section(gold_doc(A1, A2, A3, A4, A5), pred_doc())
    for part in PARTS:
        for level in ("strict", "lenient"):
            assert result[part][level]["recall"] == 0.0
            assert result[part][level]["precision"] == 0.0
            assert (result[part][level]["gold"], result[part][level]["predicted"]) == (5, 0)


def test_reordering_changes_nothing():
    gold = [A1, A2, A3, A4, A5]
    pred = [
        attribution({"text": "FT"}, span("said"), {"text": "it used them"}),
        attribution({"text": "Kyiv"}, span("denied that"), span("Kyiv denied that it used them")),
        attribution(None, None, {"text": "The war goes on"}),
        attribution({"text": "officials"}, span("reported"), span("Prices rose")),
    ]
    reference = section(gold_doc(*gold), pred_doc(*pred))
    rng = random.Random(3)
    for _ in range(15):
        shuffled = section(
            gold_doc(*rng.sample(gold, len(gold))), pred_doc(*rng.sample(pred, len(pred)))
        )
        assert shuffled == reference


# --- source -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "strict", "lenient"),
    [
        # Gold A1's source is mention e1 "Financial Times", of the entity whose mentions are
        # "Financial Times" and "the FT": any mention of the entity counts.
        ({"text": "the FT"}, True, True),  # normalised "ft" == "ft" (mention e2)
        ({"text": "FT"}, True, True),  # articles are dropped: "ft" again
        ({"text": "Financial Times"}, True, True),  # mention e1 itself
        # tokens [financial times newspaper] vs [financial times]: P 2/3, R 1, F1 0.8 >= 0.5
        ({"text": "The Financial Times newspaper"}, False, True),
        # [times] vs [financial times]: P 1, R 1/2, F1 2/3 >= 0.5
        ({"text": "Times"}, False, True),
        ({"text": "Reuters"}, False, False),  # no token in common with any mention
        (span("the FT"), True, True),  # the span of mention e2, elsewhere in the text
        (span("Times"), False, True),  # inside "Financial Times": overlap > 0
        (span("Kyiv"), False, False),  # a mention of another entity
        (None, False, False),  # the article's own voice is not the FT
    ],
)
def test_a_source_counts_when_it_names_the_gold_source_entity(source, strict, lenient):
    pred = attribution(source, span("reported"), span("Ukraine used North Korean rockets"))
    assert right(A1, pred, "source") == (strict, lenient)
    # cue and content are exact, so the triple follows the source
    assert right(A1, pred, "triple") == (strict, lenient)


def test_a_predicted_mention_resolves_through_the_predictions_own_entities():
    # Prediction mention "p7" is the span of "the FT" in the prediction's entity list: a mention
    # of the gold source entity -> right. Its "p8" is "Kyiv": wrong.
    entities = [{"id": "p7", **span("the FT")}, {"id": "p8", **span("Kyiv")}]
    cue, content = span("reported"), span("Ukraine used North Korean rockets")
    pred = pred_doc(
        attribution({"mention": "p7"}, cue, content),
        attribution({"mention": "p8"}, cue, content),
        entities=entities,
    )
    counts = true_positives(gold_doc(A1), pred)
    # one gold attribution: at most one TP; p7's attribution gives it
    assert counts["source", "strict"] == 1
    assert section(gold_doc(A1), pred)["source"]["strict"]["precision"] == 0.5


def test_an_unresolvable_predicted_mention_is_an_error():
    pred = pred_doc(attribution({"mention": "zz"}, None, {"text": "x"}), entities=[])
    with pytest.raises(ValueError, match="'zz'"):
        tally_attributions(gold_doc(A1), pred)


def test_a_gold_mention_without_entity_id_stands_for_itself_only():
    entities = [mention("e1", "Financial Times", "financial-times"), mention("e2", "the FT", None)]
    gold = gold_doc(A2, entities=entities)
    cue, content = span("said"), span("Kyiv denied that it used them")
    # "FT" is e2's own text -> right; "Financial Times" is not linked to e2 -> wrong, and its
    # tokens [financial times] share nothing with [ft] -> wrong even when lenient.
    ft = true_positives(gold, pred_doc(attribution({"text": "FT"}, cue, content)))
    assert (ft["source", "strict"], ft["source", "lenient"]) == (1, 1)
    name = true_positives(gold, pred_doc(attribution({"text": "Financial Times"}, cue, content)))
    assert (name["source", "strict"], name["source", "lenient"]) == (0, 0)


@pytest.mark.parametrize(
    ("source", "strict", "lenient"),
    [
        ({"text": "officials"}, True, True),
        ({"text": "the officials"}, True, True),  # article dropped
        (span("officials"), True, True),
        # [western officials] vs [officials]: P 1/2, R 1, F1 2/3 >= 0.5
        ({"text": "Western officials"}, False, True),
        ({"text": "the FT"}, False, False),
    ],
)
def test_a_gold_span_source_is_compared_with_that_span(source, strict, lenient):
    pred = attribution(source, span("according to"), span("Prices rose"))
    assert right(A4, pred, "source") == (strict, lenient)


def test_own_voice_matches_only_own_voice():
    content = span("The war goes on")
    # null source and null cue against gold A5 (null, null): every part right at both levels
    assert right(A5, attribution(None, None, content), "triple") == (True, True)
    # a named source where the article speaks: source wrong, and so the triple
    assert right(A5, attribution({"text": "The war"}, None, content), "source") == (False, False)
    # a cue where gold has none: cue wrong
    assert right(A5, attribution(None, span("said"), content), "cue") == (False, False)
    # and the other way round: the article's voice predicted for a named source
    pred = attribution(None, span("reported"), span("Ukraine used North Korean rockets"))
    assert right(A1, pred, "source") == (False, False)


# --- cue and content --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cue", "strict", "lenient"),
    [
        (span("reported"), True, True),
        (span("reported", with_text=False), True, True),  # offsets alone suffice
        ({"text": "Reported"}, True, True),  # normalised text
        (span("reported that"), False, True),  # overlap 8 characters > 0
        # tokens [reported that] vs [reported]: P 1/2, R 1, F1 2/3 >= 0.5
        ({"text": "reported that"}, False, True),
        (span("said"), False, False),  # no overlap
        (None, False, False),  # gold has a cue
    ],
)
def test_cue(cue, strict, lenient):
    pred = attribution({"mention": "e1"}, cue, span("Ukraine used North Korean rockets"))
    pred_with_entities = pred_doc(pred, entities=ENTITIES)
    counts = true_positives(gold_doc(A1), pred_with_entities)
    assert (counts["cue", "strict"] == 1, counts["cue", "lenient"] == 1) == (strict, lenient)


@pytest.mark.parametrize(
    ("content", "threshold", "strict", "lenient"),
    [
        (span("Ukraine used North Korean rockets"), 0.5, True, True),
        ({"text": "ukraine used north korean rockets."}, 0.5, True, True),
        # gold is 33 characters; "Ukraine used North Korean" 25, inside it:
        # Dice 2*25/(33+25) = 50/58 = 0.862
        (span("Ukraine used North Korean"), 0.5, False, True),
        (span("Ukraine used North Korean"), 0.9, False, False),
        # "rockets" (7, inside): Dice 14/40 = 0.35 < 0.5 (overlap alone is not enough here)
        (span("rockets"), 0.5, False, False),
        # [ukraine used north korean missiles] vs [... rockets]: overlap 4 of 5 and 5,
        # F1 0.8: >= 0.5, < 0.9
        ({"text": "Ukraine used North Korean missiles"}, 0.5, False, True),
        ({"text": "Ukraine used North Korean missiles"}, 0.9, False, False),
        # claim ids inside the content are not compared (they are the prediction's own ids)
        ({"claims": ["zz"], "text": "Ukraine used North Korean rockets"}, 0.5, True, True),
    ],
)
def test_content(content, threshold, strict, lenient):
    pred = attribution({"text": "FT"}, span("reported"), content)
    assert right(A1, pred, "content", claim_threshold=threshold) == (strict, lenient)


# --- counting ---------------------------------------------------------------------------------


def test_each_part_is_credited_independently():
    # gold: A1 (FT, "reported", C1), A3 (Kyiv, "denied", C3)
    # x1: source "Financial Times" (A1's), cue "denied" (A3's), content C1 (A1's)
    # x2: source "Kyiv" (A3's), cue "reported" (A1's), content "The war goes on" (neither)
    x1 = attribution(
        {"text": "Financial Times"}, span("denied"), span("Ukraine used North Korean rockets")
    )
    x2 = attribution({"text": "Kyiv"}, span("reported"), span("The war goes on"))
    counts = true_positives(gold_doc(A1, A3), pred_doc(x1, x2))
    for level in ("strict", "lenient"):
        assert counts["source", level] == 2  # A1-x1, A3-x2
        assert counts["cue", level] == 2  # A1-x2, A3-x1 (crossed: counted all the same)
        assert counts["content", level] == 1  # A1-x1
        assert counts["triple", level] == 0  # no pair has all three right
    result = section(gold_doc(A1, A3), pred_doc(x1, x2))
    # content: TP 1 of 2 and 2 -> P = R = F1 = 1/2; triple 0
    assert result["content"]["strict"]["f1"] == 0.5
    assert result["triple"]["lenient"]["f1"] == 0.0


def test_counts_are_a_maximum_matching_not_a_greedy_one():
    # Lenient content, gold A2 "Kyiv denied that it used them" (29 chars) and nested A3
    # "it used them" (12 chars, inside A2's content).
    # p1 "denied that it used them" (24): Dice with A2 48/53 = 0.91, with A3 24/36 = 0.67.
    # p2 "Kyiv denied that" (16): Dice with A2 32/45 = 0.71, with A3 0 (no overlap).
    # Greedy by best Dice gives p1-A2 and leaves p2 alone (TP 1); the maximum is p1-A3, p2-A2.
    p1 = attribution(None, None, span("denied that it used them"))
    p2 = attribution(None, None, span("Kyiv denied that"))
    counts = true_positives(gold_doc(A2, A3), pred_doc(p1, p2))
    assert counts["content", "lenient"] == 2
    assert counts["content", "strict"] == 0


# --- nested attributions ----------------------------------------------------------------------


def test_nested_attributions_are_their_own_triples():
    outer, inner = copy.deepcopy(A2), copy.deepcopy(A3)
    # flat predictions without ids or nested_in: both triples right -> 1.0
    flat = [{k: v for k, v in a.items() if k not in ("id", "nested_in")} for a in (outer, inner)]
    result = section(gold_doc(A2, A3), pred_doc(*flat, entities=ENTITIES))
    assert all(
        result[part][level]["f1"] == 1.0 for part in PARTS for level in ("strict", "lenient")
    )
    # a wrong nested_in changes nothing: it is not scored
    wrong_nesting = [outer, {**inner, "nested_in": "a-other"}]
    result = section(gold_doc(A2, A3), pred_doc(*wrong_nesting, entities=ENTITIES))
    assert result["triple"]["strict"]["f1"] == 1.0
    # only the outer one: TP 1 of 1 predicted, 2 gold -> P 1, R 1/2
    result = section(gold_doc(A2, A3), pred_doc(outer, entities=ENTITIES))
    assert (result["triple"]["strict"]["precision"], result["triple"]["strict"]["recall"]) == (
        1.0,
        0.5,
    )


def test_outer_source_with_inner_content_is_half_right():
    # "the FT said" + content "it used them": source and cue are A2's, content is A3's. Each
    # part finds its own gold partner, but no gold attribution has all three: triple 0.
    pred = attribution({"text": "the FT"}, span("said"), span("it used them"))
    counts = true_positives(gold_doc(A2, A3), pred_doc(pred))
    assert (counts["source", "strict"], counts["cue", "strict"]) == (1, 1)
    assert (counts["content", "strict"], counts["triple", "strict"]) == (1, 0)


# --- corpus level -----------------------------------------------------------------------------


def test_score_attributions_sums_documents_and_reports_each():
    gold_docs = {"d1": gold_doc(A1, A2), "d2": gold_doc(A4, A5)}
    pred_docs = {"d1": pred_doc(A1, A2, entities=ENTITIES), "d2": pred_doc()}
    result = score_attributions(gold_docs, pred_docs)
    # TP 2 (all of d1) + 0; gold 4; predicted 2 -> P 1, R 1/2, F1 = 1/(3/2) = 2/3
    for part in PARTS:
        level = result[part]["strict"]
        assert (level["true_positives"], level["gold"], level["predicted"]) == (2, 4, 2)
        assert level["f1"] == pytest.approx(2 / 3)
    assert result["per_document"]["d1"]["triple"]["lenient"]["f1"] == 1.0
    assert result["per_document"]["d2"]["source"]["strict"]["recall"] == 0.0
    # the corpus section is the summary of the summed per-document tallies
    tallies = [tally_attributions(gold_docs[d], pred_docs[d]) for d in ("d1", "d2")]
    summed = summarize_attributions(add_tallies(tallies))
    assert {part: result[part] for part in PARTS} == summed


def test_score_attributions_refuses_a_missing_layer():
    with pytest.raises(ValueError, match="'attributions' layer"):
        score_attributions({"d1": gold_doc(A1)}, {"d1": {"claims": []}})


def test_every_pair_of_parts_and_levels_is_reported():
    result = section(gold_doc(A1), pred_doc())
    assert set(result) == set(PARTS)
    for part, level in itertools.product(PARTS, ("strict", "lenient")):
        assert set(result[part][level]) == {
            "true_positives",
            "gold",
            "predicted",
            "precision",
            "recall",
            "f1",
        }


def test_ok_predicted_mention_source_without_offsets_is_compared_by_text():
    # Gold a1 source = mention e1 "Financial Times" of entity ft = {e1 [0,15), e2 "the FT"}.
    # The prediction names the source as {"mention": "p1"}, p1 a TEXT-ONLY entity "FT":
    # resolved in the prediction's entities, compared by normalised text: "ft" == "ft" (the
    # article dropped) -> source right strictly. p2 "Reuters": wrong at both levels.
    text = "Financial Times said it; the FT said so."
    gold_doc = {
        "entities": [
            {"id": "e1", "start": 0, "end": 15, "text": "Financial Times", "type": "ORG",
             "entity": "ft"},
            {"id": "e2", "start": 25, "end": 31, "text": "the FT", "type": "ORG", "entity": "ft"},
        ],
        "attributions": [
            {"source": {"mention": "e1"}, "cue": None, "content": {"start": 21, "end": 23,
                                                                    "text": "it"}}
        ],
    }  # fmt: skip
    assert text[25:31] == "the FT"

    def source_tp(mention_text, level):
        pred_doc = {
            "entities": [{"id": "p1", "text": mention_text, "type": "ORG"}],
            "attributions": [{"source": {"mention": "p1"}, "cue": None, "content": {"text": "it"}}],
        }
        return tally_attributions(gold_doc, pred_doc)["source"][level]["true_positives"]

    assert source_tp("FT", "strict") == 1
    assert source_tp("Reuters", "strict") == 0
    assert source_tp("Reuters", "lenient") == 0


def test_ok_own_voice_matches_only_own_voice():
    # null/null is right at both levels; null against a named source is wrong both ways.
    assert source_right(None, None, "strict") and source_right(None, None, "lenient")
    assert not source_right(None, {"text": "Reuters"}, "lenient")
    assert not source_right([{"start": 0, "end": 7, "text": "Reuters"}], None, "lenient")


# --- the PARC extras: source phrase and content type on matched attributions ------------------


def with_extras(item: dict, source_span, content_type) -> dict:
    return {**item, "source_span": source_span, "content_type": content_type}


G_EXTRAS = [
    with_extras(A1, span("Financial Times"), "assertion"),
    with_extras(A2, span("the FT"), "assertion"),
    with_extras(A3, span("Kyiv"), "assertion"),
    with_extras(A4, span("officials"), "belief"),
    with_extras(A5, None, "assertion"),
]


def test_gold_extras_against_themselves_are_perfect():
    result = section(gold_doc(*G_EXTRAS), pred_doc(*G_EXTRAS, entities=ENTITIES))
    # 5 matched pairs; 4 of them have a phrase on both sides (a5 is the article's own voice)
    for level in ("strict", "lenient"):
        assert result["source_span"][level] == {
            "true_positives": 4,
            "gold": 4,
            "predicted": 4,
            "precision": 1.0,
            "recall": 1.0,
            "f1": 1.0,
        }
    assert result["source_span"]["pairs"] == 5
    assert result["content_type"] == {"pairs": 5, "accuracy": 1.0, "kappa": 1.0}


def test_source_span_and_content_type_hand_worked():
    predicted = [
        # overlaps "Financial Times" without being it: lenient only; same type
        with_extras(A1, span("Financial Times reported"), "assertion"),
        # no phrase where the gold has one: a gold phrase missed; belief for assertion
        with_extras(A2, None, "belief"),
        with_extras(A3, span("Kyiv"), "assertion"),  # right at both levels
        with_extras(A4, span("Prices"), "belief"),  # shares nothing with "officials"
        with_extras(A5, None, "assertion"),  # own voice: no phrase on either side, not counted
    ]
    result = section(gold_doc(*G_EXTRAS), pred_doc(*predicted, entities=ENTITIES))
    spans = result["source_span"]
    assert spans["pairs"] == 5  # every triple matches leniently (the parts are the gold's)
    # strict: gold phrases 4 (a1-a4), predicted 3 (a1, a3, a4), the same phrase once (a3)
    strict = spans["strict"]
    assert (strict["true_positives"], strict["gold"], strict["predicted"]) == (1, 4, 3)
    assert strict["precision"] == pytest.approx(1 / 3)
    assert strict["recall"] == pytest.approx(1 / 4)
    assert strict["f1"] == pytest.approx(2 / 7)  # 2PR/(P+R) = (1/6)/(7/12)
    # lenient: a1 overlaps too -> 2 of 3 predicted, 2 of 4 gold
    lenient = spans["lenient"]
    assert (lenient["true_positives"], lenient["gold"], lenient["predicted"]) == (2, 4, 3)
    assert lenient["f1"] == pytest.approx(4 / 7)  # (2/3)/(7/6)
    # content type: gold A A A B A, predicted A B A B A -> 4 of 5 agree;
    # p_o = 0.8, p_e = 4/5 * 3/5 + 1/5 * 2/5 = 0.56, kappa = 0.24 / 0.44 = 6/11
    types = result["content_type"]
    assert types["pairs"] == 5
    assert types["accuracy"] == pytest.approx(0.8)
    assert types["kappa"] == pytest.approx(6 / 11)


def test_a_prediction_without_extras_is_not_scored_on_them_never_wrong():
    plain = [A1, A2, A3, A4, A5]
    result = section(gold_doc(*G_EXTRAS), pred_doc(*plain, entities=ENTITIES))
    assert result["source_span"] == {"pairs": 0, "strict": None, "lenient": None}
    assert result["content_type"] == {"pairs": 0, "accuracy": None, "kappa": None}
    # the parts are what they are without the extras on either side
    without = section(gold_doc(*plain), pred_doc(*plain, entities=ENTITIES))
    assert {part: result[part] for part in PARTS} == without
    assert "source_span" not in without and "content_type" not in without


def test_extras_of_a_prediction_whose_triple_matches_nothing_are_not_scored():
    wrong_content = with_extras(
        {**A1, "content": {"claims": ["c9"], **span("The war goes on")}},
        span("Financial Times"),
        "assertion",
    )
    result = section(gold_doc(G_EXTRAS[0]), pred_doc(wrong_content, entities=ENTITIES))
    assert result["triple"]["lenient"]["true_positives"] == 0
    assert result["source_span"]["pairs"] == 0 and result["content_type"]["pairs"] == 0


def test_a_text_only_source_span_is_compared_by_its_text():
    # strict: the same normalised text ("the" is dropped); lenient: token F1 >= 0.5
    for phrase, strict, lenient in (
        ("the Financial Times", True, True),
        ("Times", False, True),  # token F1 2*(1*1/2)/(1+1/2) = 2/3
        ("Reuters", False, False),
    ):
        predicted = with_extras(A1, {"text": phrase}, "assertion")
        result = section(gold_doc(G_EXTRAS[0]), pred_doc(predicted, entities=ENTITIES))
        spans = result["source_span"]
        assert spans["strict"]["true_positives"] == int(strict), phrase
        assert spans["lenient"]["true_positives"] == int(lenient), phrase


def test_extras_tallies_add_up_over_documents():
    # the statistics are sufficient: two documents summed give the one-section figures
    predicted = [with_extras(A1, span("Financial Times"), "belief"), A5]
    first = tally_attributions(gold_doc(*G_EXTRAS[:2]), pred_doc(*predicted, entities=ENTITIES))
    second = tally_attributions(gold_doc(*G_EXTRAS), pred_doc(*G_EXTRAS, entities=ENTITIES))
    total = summarize_attributions(add_tallies([first, second]))
    # document 1: one pair (a1) carries both; a5 has no extras, a2 is missed
    assert total["source_span"]["pairs"] == 1 + 5
    assert total["source_span"]["strict"]["true_positives"] == 1 + 4
    assert total["content_type"]["pairs"] == 1 + 5
    assert total["content_type"]["accuracy"] == pytest.approx(5 / 6)
