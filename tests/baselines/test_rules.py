"""The rule-based extractor on made-up sentences whose expected output is worked out by hand."""

from __future__ import annotations

from baselines.helpers import at, body_document
from sourcetrace.baselines import rules

INVERTED = (
    "Ukraine's defence ministry said North Korean rockets were fired near Kharkiv on Monday, "
    'the Financial Times reported. "We have no proof," Reuters said.'
)


def entities(text: str) -> list[tuple[str, str, str]]:
    record = rules.predict_document(body_document(text))
    return [(e["text"], e["type"], e["mention"]) for e in record["entities"]]


def test_entities_of_the_gazetteer_and_patterns_with_exact_spans() -> None:
    record = rules.predict_document(body_document(INVERTED))
    found = {(e["start"], e["end"], e["type"]) for e in record["entities"]}
    expected = [
        ("Ukraine", "GPE"),
        ("defence ministry", "ORG"),
        ("North Korean", "NORP"),
        ("North Korean rockets", "WEAPON"),
        ("Kharkiv", "GPE"),
        ("Monday", "DATE"),
        ("Financial Times", "ORG"),
        ("Reuters", "ORG"),
    ]
    assert found == {(at(INVERTED, t)["start"], at(INVERTED, t)["end"], k) for t, k in expected}


def test_names_leave_out_determiners_and_possessives_and_nominals_nest_names() -> None:
    assert entities("The Russian forces met Shoigu in the Rostov region.") == [
        ("Russian", "NORP", "name"),
        ("Russian forces", "ORG", "nominal"),
        ("Shoigu", "PERSON", "name"),
        ("Rostov region", "GPE", "name"),
    ]


def test_dates_times_quantities_and_a_title_before_a_name() -> None:
    text = "On 6 August 2024 at 17:48, fewer than 50 drones hit Kyiv, minister Ivan Petrenko said."
    assert entities(text) == [
        ("6 August 2024", "DATE", "name"),
        ("17:48", "TIME", "name"),
        ("fewer than 50", "QUANTITY", "name"),
        ("drones", "WEAPON", "nominal"),
        ("Kyiv", "GPE", "name"),
        ("Ivan Petrenko", "PERSON", "name"),
    ]


def test_weapon_models_and_arms_only_as_a_head() -> None:
    assert entities("KN-23 ballistic missiles and arms, not arms transactions.") == [
        ("KN-23", "WEAPON", "name"),
        ("KN-23 ballistic missiles", "WEAPON", "nominal"),
        ("arms", "WEAPON", "nominal"),
    ]


def test_inverted_cue_is_the_outer_attribution_and_the_subject_cue_is_nested() -> None:
    record = rules.predict_document(body_document(INVERTED))
    outer_content = (
        "Ukraine's defence ministry said North Korean rockets were fired near Kharkiv on Monday"
    )
    assert record["attributions"] == [
        {
            "source": at(INVERTED, "Financial Times"),
            "cue": at(INVERTED, "reported"),
            "content": at(INVERTED, outer_content),
            "type": "indirect",
        },
        {
            "source": at(INVERTED, "defence ministry"),
            "cue": at(INVERTED, "said"),
            "content": at(INVERTED, "North Korean rockets were fired near Kharkiv on Monday"),
            "type": "indirect",
        },
        {
            "source": at(INVERTED, "Reuters"),
            "cue": at(INVERTED, "said", 1),
            "content": at(INVERTED, "We have no proof"),
            "type": "direct",
        },
    ]


def test_contents_are_claims_with_polarity_from_negation() -> None:
    record = rules.predict_document(body_document(INVERTED))
    claims = [(c["text"], c["polarity"], c["certainty"]) for c in record["claims"]]
    assert claims == [
        (
            "Ukraine's defence ministry said North Korean rockets were fired near Kharkiv "
            "on Monday",
            "positive",
            "certain",
        ),
        ("North Korean rockets were fired near Kharkiv on Monday", "positive", "certain"),
        ("We have no proof", "negative", "certain"),
    ]


def test_partly_quoted_content_is_mixed() -> None:
    text = 'Officials said the rockets were "very old".'
    (attribution,) = rules.predict_document(body_document(text))["attributions"]
    assert attribution["source"] == at(text, "Officials")
    assert attribution["content"] == at(text, 'the rockets were "very old"')
    assert attribution["type"] == "mixed"


def test_according_to_before_and_after_the_content() -> None:
    text = (
        "According to a report by the Financial Times, troops fired rockets. "
        "Russia lost two tanks, according to officials."
    )
    attributions = rules.predict_document(body_document(text))["attributions"]
    assert [
        (a["source"]["text"], a["cue"]["text"], a["content"]["text"]) for a in attributions
    ] == [
        ("Financial Times", "According to", "troops fired rockets"),
        ("officials", "according to", "Russia lost two tanks"),
    ]


def test_believe_makes_a_probable_claim_and_deny_a_negative_one() -> None:
    text = (
        "U.S. officials believe Russia fired the missiles. Moscow and Pyongyang deny trading arms."
    )
    record = rules.predict_document(body_document(text))
    sources = [a["source"]["text"] for a in record["attributions"]]
    assert sources == ["U.S. officials", "Moscow and Pyongyang"]
    claims = [(c["text"], c["polarity"], c["certainty"]) for c in record["claims"]]
    assert claims == [
        ("Russia fired the missiles", "positive", "probable"),
        ("trading arms", "negative", "certain"),
    ]


def test_a_content_needs_a_finite_verb_by_the_documented_heuristic() -> None:
    # aux / -ed / name + -s verb: an irregular past ("stood") is not recognised
    assert rules.has_finite_verb("Kyiv was held") and rules.has_finite_verb("Russia uses drones")
    assert not rules.has_finite_verb("Kyiv stood") and not rules.has_finite_verb("Russian Attacks")


def test_own_voice_sentences_without_connective_and_headings_are_not_claims() -> None:
    text = "Russian Attacks\nMeanwhile, Russia used two missiles in 2023, but the attack failed."
    claims = [c["text"] for c in rules.predict_document(body_document(text))["claims"]]
    assert claims == ["Russia used two missiles in 2023", "the attack failed"]


def test_claims_and_attributions_only_in_title_and_body_zones() -> None:
    text = "Reuters said Kyiv was lost.\nAP said Kyiv was held."
    doc = {
        "doc_id": "t-2",
        "text": text,
        "zones": [
            {"start": 0, "end": 23, "kind": "boilerplate"},
            {"start": 24, "end": len(text), "kind": "body"},
        ],
    }
    record = rules.predict_document(doc)
    assert [a["content"]["text"] for a in record["attributions"]] == ["Kyiv was held"]
    assert [c["text"] for c in record["claims"]] == ["Kyiv was held"]
    assert {e["text"] for e in record["entities"]} >= {"Reuters", "AP"}  # entities: every zone


def test_sentences_do_not_end_after_abbreviations_or_inside_quotes() -> None:
    text = 'On Jan. 2 the U.S. Army left. "Go home. Now," he said. Done.'
    pieces = [text[a:b] for a, b in rules.sentence_spans(text, 0, len(text))]
    assert pieces == ["On Jan. 2 the U.S. Army left.", '"Go home. Now," he said.', "Done."]
