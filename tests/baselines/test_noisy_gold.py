"""Noisy gold: the documented actions by hand, rate 0 is the gold, rate 0.3 for seed 0."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

import sourcetrace
from sourcetrace.baselines import noisy_gold

from gold_factory import ROOT, headline_f1s


@pytest.mark.parametrize(
    ("draw", "expected"),
    [
        (0.0, "drop"),
        (0.099, "drop"),
        (0.1, "shift"),
        (0.199, "shift"),
        (0.2, "swap"),
        (0.299, "swap"),
        (0.3, "keep"),
        (0.9, "keep"),
    ],
)
def test_action_thresholds_at_rate_0_3(draw: float, expected: str) -> None:
    assert noisy_gold.action_for(draw, 0.3) == expected


def test_rate_zero_never_changes_anything() -> None:
    assert {noisy_gold.action_for(d / 100, 0.0) for d in range(100)} == {"keep"}


def test_boundary_shift_by_one_token() -> None:
    text = "North Korean rockets, fired."
    # extend: "North Korean" + "rockets"; shrink: "North Korean rockets" -> "North Korean"
    assert noisy_gold.shift_end(text, 0, 12, extend=True) == 20
    assert noisy_gold.shift_end(text, 0, 20, extend=False) == 12
    # a one-token span cannot shrink: it extends, here by the comma
    assert noisy_gold.shift_end(text, 13, 20, extend=False) == 21
    # at the end of the text it cannot extend: it shrinks ("fired." -> "fired")
    assert noisy_gold.shift_end(text, 22, 28, extend=True) == 27


def test_type_swap_picks_among_the_other_types_alphabetically() -> None:
    types = ["PERSON", "ORG", "GPE"]
    assert noisy_gold.swapped_type("ORG", types, 0.0) == "GPE"
    assert noisy_gold.swapped_type("ORG", types, 0.99) == "PERSON"
    swapped = noisy_gold.retyped({"type": "GPE", "entity": "ukraine"}, "ORG")
    assert swapped == {"type": "ORG", "entity": "ukraine.as-org"}


def _gold() -> list[dict[str, Any]]:
    from sourcetrace.corpus.release import check_folder
    from sourcetrace.paths import corpus_dir

    return check_folder(corpus_dir()).documents


def test_rate_zero_reproduces_the_gold_and_scores_one_everywhere() -> None:
    documents = _gold()
    predictions = noisy_gold.predict(documents, rate=0.0, seed=7)
    for doc, record in zip(documents, predictions, strict=True):
        for layer in ("entities", "claims", "attributions"):
            assert record[layer] == doc[layer]
    layers = sourcetrace.evaluate(predictions)["layers"]
    f1s = headline_f1s(layers)
    assert len(f1s) == 14 and set(f1s.values()) == {1.0}, f1s


def _items_in_gold_files() -> int:
    """Entities, claims and attributions of the checkout's gold files, read as plain JSON."""
    files = sorted((ROOT / "annotations" / "gold").glob("*.json"))
    return sum(
        len(json.loads(path.read_text(encoding="utf-8"))[layer])
        for path in files
        for layer in ("entities", "claims", "attributions")
    )


def _expected_actions(documents: list[dict[str, Any]], rate: float, seed: int) -> dict[str, int]:
    """Replays the documented draws: one per item, a second one for shifts and swaps."""
    counts = {"drop": 0, "shift": 0, "swap": 0, "keep": 0}
    for doc in documents:
        rng = random.Random(f"{seed}:{doc['doc_id']}")
        for layer in ("entities", "claims", "attributions"):
            for _ in doc[layer]:
                action = noisy_gold.action_for(rng.random(), rate)
                counts[action] += 1
                if action == "shift" or (action == "swap" and layer == "entities"):
                    rng.random()
    return counts


def test_rate_0_3_seed_0_changes_the_expected_numbers_of_items() -> None:
    documents = _gold()
    predictions = noisy_gold.predict(documents, rate=0.3, seed=0)
    gold_items = sum(
        len(d[layer]) for d in documents for layer in ("entities", "claims", "attributions")
    )
    kept_items = sum(
        len(p[layer]) for p in predictions for layer in ("entities", "claims", "attributions")
    )
    counts = _expected_actions(documents, 0.3, 0)
    assert gold_items == _items_in_gold_files()  # the corpus built from them, every item
    assert gold_items - kept_items == counts["drop"]
    # about r/3 of the items dropped, and as many shifted and swapped
    for action in ("drop", "shift", "swap"):
        assert 0.05 * gold_items < counts[action] < 0.15 * gold_items
    changed = sum(
        1
        for doc, record in zip(documents, predictions, strict=True)
        for item in record["entities"]
        if item not in doc["entities"]
    )
    assert changed > 0
    again = noisy_gold.predict(documents, rate=0.3, seed=0)
    assert again == predictions
    assert noisy_gold.predict(documents, rate=0.3, seed=1) != predictions


def test_f1_falls_as_the_rate_rises() -> None:
    documents = _gold()
    scores = []
    for rate in (0.0, 0.1, 0.3):
        layers = sourcetrace.evaluate(noisy_gold.predict(documents, rate=rate, seed=0))["layers"]
        scores.append(layers["entities"]["overall"]["strict"]["f1"])
    assert scores[0] == 1.0 > scores[1] > scores[2]


def test_rate_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        noisy_gold.predict([], rate=1.5)
