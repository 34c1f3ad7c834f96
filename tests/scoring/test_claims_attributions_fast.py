"""The broadcast claim and attribution scorers give exactly the pairs of the all-pairs loops.

``reference_*`` below is the implementation before issue 16, written plainly: every (gold,
predicted) pair through the per-pair functions of ``matching``, then ``max_weight_matching``
with canonical keys. The random suites compare the scorers with it pair for pair (not only
counts) on documents built to hit every branch: offsets and text-only pieces mixed, absent
cues, sources and contents, entity sources with several mentions, nested, overlapping and
duplicated spans, texts that only normalisation makes equal, texts without tokens, and
thresholds met exactly (Dice 1/2 and 1/3, token F1 1/2). Counters check that the suites do
hit those cases. ``benchmarks/bench_claims_attributions.py`` times the reference as "before".
"""

from __future__ import annotations

import copy
import itertools
import random
from collections import Counter
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from sourcetrace.evaluation.settings import Settings
from sourcetrace.scoring import attributions, claims, dense
from sourcetrace.scoring.attributions import (
    NAME_TOKEN_F1_THRESHOLD,
    PARTS,
    attribution_matches,
    tally_attributions,
)
from sourcetrace.scoring.claims import (
    LEVELS,
    lenient_claim_pairs,
    strict_claim_pairs,
    tally_claims,
)
from sourcetrace.scoring.common import normalize_text, token_f1
from sourcetrace.scoring.matching import (
    THRESHOLD_TOLERANCE,
    at_least,
    canonical_key,
    max_weight_matching,
    piece_similarity,
    pieces_touch,
    same_piece,
)
from sourcetrace.scoring.piece_matrices import (
    KeyOrders,
    PieceComparison,
    matching_size,
    matching_sizes,
    maximum_matching,
    piece_batch,
)
from sourcetrace.scoring.tallies import TallyTable

THRESHOLDS = (0.5, 1 / 3, 0.25, 2 / 3, 0.8, 1.0, 0.1, 1e-12)

# --- the reference: the all-pairs implementation before issue 16 --------------------------------


def reference_matching(valid, weights, gold_items, pred_items):
    return max_weight_matching(
        valid,
        weights,
        row_keys=[canonical_key(item) for item in gold_items],
        col_keys=[canonical_key(item) for item in pred_items],
    )


def reference_strict_claim_pairs(gold_claims, pred_claims):
    valid = np.zeros((len(gold_claims), len(pred_claims)), dtype=bool)
    for i, gold in enumerate(gold_claims):
        for j, pred in enumerate(pred_claims):
            valid[i, j] = same_piece(gold, pred)
    return reference_matching(valid, None, gold_claims, pred_claims)


def reference_lenient_claim_pairs(gold_claims, pred_claims, claim_threshold=0.5):
    similarity = np.zeros((len(gold_claims), len(pred_claims)), dtype=float)
    for i, gold in enumerate(gold_claims):
        for j, pred in enumerate(pred_claims):
            similarity[i, j] = piece_similarity(gold, pred)
    valid = similarity >= claim_threshold - THRESHOLD_TOLERANCE
    return reference_matching(valid, similarity, gold_claims, pred_claims)


def reference_tally_claims(gold_claims, pred_claims, claim_threshold=0.5):
    strict = reference_strict_claim_pairs(gold_claims, pred_claims)
    lenient = reference_lenient_claim_pairs(gold_claims, pred_claims, claim_threshold)
    totals = {"gold": len(gold_claims), "predicted": len(pred_claims)}
    return {
        "span": {
            "strict": {"true_positives": len(strict), **totals},
            "lenient": {"true_positives": len(lenient), **totals},
        },
        "attributes": reference_paired_attributes(gold_claims, pred_claims, lenient),
    }


def reference_paired_attributes(gold_claims, pred_claims, pairs):
    paired = {}
    for name in ("polarity", "certainty", "checkworthy"):
        if not any(claim.get(name) is not None for claim in pred_claims):
            continue
        gold_labels, pred_labels = [], []
        for gold_index, pred_index in pairs:
            gold_label = gold_claims[gold_index].get(name)
            pred_label = pred_claims[pred_index].get(name)
            if gold_label is not None and pred_label is not None:
                gold_labels.append(gold_label)
                pred_labels.append(pred_label)
        paired[name] = {"gold": gold_labels, "predicted": pred_labels}
    return paired


def reference_mention(doc, mention_id, side):
    for mention in doc.get("entities") or []:
        if mention.get("id") == mention_id:
            return mention
    raise ValueError(
        f"{side} of document {doc.get('doc_id')!r}: attribution source mention {mention_id!r} "
        "is not among the document's entities"
    )


def reference_gold_source(source, gold_doc):
    if source is None:
        return None
    if source.get("mention") is None:
        return [source]
    mention = reference_mention(gold_doc, source["mention"], "gold")
    entity = mention.get("entity")
    if entity is None:
        return [mention]
    return [other for other in gold_doc["entities"] if other.get("entity") == entity]


def reference_pred_source(source, pred_doc):
    if source is None:
        return None
    if source.get("mention") is None:
        return source
    return reference_mention(pred_doc, source["mention"], "prediction")


def reference_source_right(gold, pred, level):
    if gold is None or pred is None:
        return gold is None and pred is None
    if level == "strict":
        return any(same_piece(mention, pred) for mention in gold)
    return any(pieces_touch(mention, pred, NAME_TOKEN_F1_THRESHOLD) for mention in gold)


def reference_cue_right(gold, pred, level):
    if gold is None or pred is None:
        return gold is None and pred is None
    if level == "strict":
        return same_piece(gold, pred)
    return pieces_touch(gold, pred, NAME_TOKEN_F1_THRESHOLD)


def reference_content_right(gold, pred, level, claim_threshold):
    if gold is None or pred is None:
        return gold is None and pred is None
    if level == "strict":
        return same_piece(gold, pred)
    return at_least(piece_similarity(gold, pred), claim_threshold)


def reference_attribution_matches(gold_doc, pred_doc, claim_threshold=0.5):
    gold_attributions = gold_doc["attributions"]
    pred_attributions = pred_doc["attributions"]
    gold_sources = [reference_gold_source(a.get("source"), gold_doc) for a in gold_attributions]
    pred_sources = [reference_pred_source(a.get("source"), pred_doc) for a in pred_attributions]
    shape = (len(gold_attributions), len(pred_attributions))
    right = {(part, level): np.zeros(shape, dtype=bool) for part in PARTS for level in LEVELS}
    for i, gold in enumerate(gold_attributions):
        for j, pred in enumerate(pred_attributions):
            for level in LEVELS:
                source = reference_source_right(gold_sources[i], pred_sources[j], level)
                cue = reference_cue_right(gold.get("cue"), pred.get("cue"), level)
                content = reference_content_right(
                    gold.get("content"), pred.get("content"), level, claim_threshold
                )
                right["source", level][i, j] = source
                right["cue", level][i, j] = cue
                right["content", level][i, j] = content
                right["triple", level][i, j] = source and cue and content
    return {
        key: reference_matching(matrix, None, gold_attributions, pred_attributions)
        for key, matrix in right.items()
    }


def reference_tally_attributions(gold_doc, pred_doc, claim_threshold=0.5):
    matches = reference_attribution_matches(gold_doc, pred_doc, claim_threshold)
    totals = {"gold": len(gold_doc["attributions"]), "predicted": len(pred_doc["attributions"])}
    return {
        part: {level: {"true_positives": len(matches[part, level]), **totals} for level in LEVELS}
        for part in PARTS
    }


# --- random documents ---------------------------------------------------------------------------

# Articles, punctuation, typographic quotes, dashes, NBSP and case: pieces whose texts differ
# and normalise alike, and pieces that normalise to no token at all.
WORDS = [
    "the", "a", "an", "The", "U.S.", "US", "us", "officials", "Officials", "said", "told",
    "reporters", "according", "to", "Kim", "Seoul", "Moscow's", "Moscow\u2019s", "\u2014",
    "...", "\u2026", "North", "Korean", "Korean-made", "rockets", "reported", "that", "Ukraine",
    "Kyiv", "\u201cwar\u201d", "war", "prices", "rose", "\u00a0", "-", "of", "in", "FT",
]  # fmt: skip


class Stats(Counter):
    """What a suite exercised, so that a silent generator change cannot empty a branch."""


def random_text(
    rng: random.Random, n_words: int, vocabulary: list[str] = WORDS
) -> tuple[str, list[tuple[int, int]]]:
    words = [rng.choice(vocabulary) for _ in range(n_words)]
    text, bounds = "", []
    for word in words:
        if text:
            text += " "
        bounds.append((len(text), len(text) + len(word)))
        text += word
    return text, bounds


def random_span(rng: random.Random, text: str, bounds: list[tuple[int, int]]) -> tuple[int, int]:
    """Mostly word ranges (1 to 4 words); sometimes arbitrary character ranges, sometimes
    empty."""
    roll = rng.random()
    if roll < 0.7:
        first = rng.randrange(len(bounds))
        last = min(len(bounds) - 1, first + rng.randint(0, 3))
        return bounds[first][0], bounds[last][1]
    if roll < 0.95:
        start = rng.randint(0, max(0, len(text) - 2))
        return start, min(len(text), start + rng.randint(1, 14))
    start = rng.randint(0, len(text))
    return start, start


def offsets_piece(rng, text, span, with_text=0.8) -> dict:
    piece = {"start": span[0], "end": span[1]}
    if rng.random() < with_text:
        piece["text"] = text[span[0] : span[1]]
    return piece


def text_only_piece(rng, text, span) -> dict:
    """The text of a span, sometimes rewritten the ways a text-only system writes it."""
    words = text[span[0] : span[1]].split(" ")
    roll = rng.random()
    if roll < 0.2 and len(words) > 1:
        words = words[1:] if rng.random() < 0.5 else words[:-1]
    elif roll < 0.35:
        words = [word.upper() if rng.random() < 0.5 else word for word in words]
    elif roll < 0.45:
        words = words + [rng.choice(WORDS)]
    elif roll < 0.5:
        words = [rng.choice(["the", "a", "...", "\u2014"])]  # no token after normalisation
    return {"text": " ".join(words)}


def predicted_piece(rng, text, bounds, gold_span, text_only=0.25) -> dict:
    """A predicted piece near a gold span: the same, shifted, or elsewhere; offsets or text."""
    roll = rng.random()
    if roll < 0.45 or gold_span is None:
        span = gold_span if gold_span is not None else random_span(rng, text, bounds)
    elif roll < 0.8:
        start = max(0, gold_span[0] + rng.randint(-4, 4))
        span = (start, max(start, gold_span[1] + rng.randint(-4, 4)))
    else:
        span = random_span(rng, text, bounds)
    if rng.random() < text_only:
        return text_only_piece(rng, text, span)
    return offsets_piece(rng, text, span, with_text=0.5)


def random_claims(rng, text, bounds, n_gold, n_pred, text_only=0.25):
    gold = []
    for k in range(n_gold):
        span = random_span(rng, text, bounds)
        gold.append(
            {
                "id": f"c{k}",
                "start": span[0],
                "end": span[1],
                "text": text[span[0] : span[1]],
                "polarity": rng.choice(["positive", "negative"]),
                "certainty": rng.choice(["certain", "probable"]),
            }
        )
    if gold and rng.random() < 0.3:  # a gold duplicate: ties for the same prediction
        gold.append(copy.deepcopy(rng.choice(gold)))
    pred = []
    for k in range(n_pred):
        gold_span = None
        if gold and rng.random() < 0.8:
            chosen = rng.choice(gold)
            gold_span = (chosen["start"], chosen["end"])
        piece = predicted_piece(rng, text, bounds, gold_span, text_only)
        if rng.random() < 0.7:
            piece["polarity"] = rng.choice(["positive", "negative"])
        piece["id"] = f"pc{k}"
        pred.append(piece)
    if pred and rng.random() < 0.3:
        pred.append(copy.deepcopy(rng.choice(pred)))
    rng.shuffle(pred)
    return gold, pred


def random_entities(rng, text, bounds, prefix, n_mentions, with_text=1.0, text_only=0.05):
    entities = []
    pool = [f"ent-{k}" for k in range(max(1, n_mentions // 3))]
    for k in range(n_mentions):
        span = random_span(rng, text, bounds)
        mention = {"id": f"{prefix}{k}", **offsets_piece(rng, text, span, with_text), "type": "ORG"}
        if rng.random() < 0.85:
            mention["entity"] = rng.choice(pool)
        if rng.random() < text_only:  # a text-only mention
            mention = {"id": mention["id"], "text": text[span[0] : span[1]], "type": "ORG"}
        entities.append(mention)
    return entities


def random_documents(rng: random.Random, *, max_size: int = 14, text_only: float = 0.25):
    """(gold_doc, pred_doc) with entities, claims and attributions on one random text."""
    text, bounds = random_text(rng, rng.randint(8, 60))
    # Text-only gold pieces make predicted pieces without text an error (no text to compare
    # with); they are kept to a few documents so that most documents score.
    gold_text_only = 0.1 if rng.random() < 0.2 else 0.0
    gold_entities = random_entities(
        rng, text, bounds, "e", rng.randint(0, 12), text_only=gold_text_only
    )
    pred_entities = random_entities(rng, text, bounds, "p", rng.randint(0, 8), with_text=0.3)
    gold_claims, pred_claims = random_claims(
        rng, text, bounds, rng.randint(0, max_size), rng.randint(0, max_size), text_only
    )
    gold_attributions = []
    for k in range(rng.randint(0, max_size)):
        roll = rng.random()
        if roll < 0.55 and gold_entities:
            source = {"mention": rng.choice(gold_entities)["id"]}
        elif roll < 0.8:
            source = offsets_piece(rng, text, random_span(rng, text, bounds), with_text=1.0)
        elif roll < 0.8 + gold_text_only:
            source = text_only_piece(rng, text, random_span(rng, text, bounds))
        else:
            source = None
        cue = (
            None
            if rng.random() < 0.15
            else offsets_piece(rng, text, random_span(rng, text, bounds), with_text=1.0)
        )
        content = (
            None
            if rng.random() < 0.05
            else {
                "claims": [f"c{k}"],
                **offsets_piece(rng, text, random_span(rng, text, bounds), with_text=1.0),
            }
        )
        gold_attributions.append({"id": f"a{k}", "source": source, "cue": cue, "content": content})
    if gold_attributions and rng.random() < 0.3:
        gold_attributions.append(copy.deepcopy(rng.choice(gold_attributions)))
    pred_attributions = []
    for k in range(rng.randint(0, max_size)):
        like = rng.choice(gold_attributions) if gold_attributions else None
        pred_attributions.append(
            {
                "id": f"pa{k}",
                "source": _predicted_source(
                    rng,
                    text,
                    bounds,
                    like,
                    gold_entities,
                    pred_entities,
                    gold_doc_entities=gold_entities,
                    text_only=text_only,
                ),
                "cue": _predicted_part(rng, text, bounds, like, "cue", text_only),
                "content": _predicted_part(rng, text, bounds, like, "content", text_only),
            }
        )
    if pred_attributions and rng.random() < 0.3:
        pred_attributions.append(copy.deepcopy(rng.choice(pred_attributions)))
    rng.shuffle(pred_attributions)
    gold_doc = {
        "doc_id": "rand",
        "text": text,
        "entities": gold_entities,
        "claims": gold_claims,
        "attributions": gold_attributions,
    }
    pred_doc = {
        "doc_id": "rand",
        "entities": pred_entities,
        "claims": pred_claims,
        "attributions": pred_attributions,
    }
    return gold_doc, pred_doc


def _span_of(piece) -> tuple[int, int] | None:
    if piece is None or piece.get("start") is None or piece.get("end") is None:
        return None
    return piece["start"], piece["end"]


def _predicted_source(rng, text, bounds, like, gold_entities, pred_entities, *,
                      gold_doc_entities, text_only):  # fmt: skip
    roll = rng.random()
    if like is not None and like["source"] is None and roll < 0.5:
        return None
    if roll < 0.1:
        return None
    if roll < 0.4 and pred_entities:
        return {"mention": rng.choice(pred_entities)["id"]}
    gold_span = None
    if like is not None and like["source"] is not None:
        if "mention" in like["source"]:
            mention = next(e for e in gold_doc_entities if e["id"] == like["source"]["mention"])
            same_entity = [
                e for e in gold_doc_entities
                if mention.get("entity") is not None and e.get("entity") == mention["entity"]
            ] or [mention]  # fmt: skip
            gold_span = _span_of(rng.choice(same_entity))
            if gold_span is None:
                return {"text": rng.choice(same_entity)["text"]}
        else:
            gold_span = _span_of(like["source"])
    return predicted_piece(rng, text, bounds, gold_span, text_only * 1.5)


def _predicted_part(rng, text, bounds, like, part, text_only):
    if like is not None and like[part] is None and rng.random() < 0.6:
        return None
    if rng.random() < 0.08:
        return None
    gold_span = None if like is None else _span_of(like[part])
    piece = predicted_piece(rng, text, bounds, gold_span, text_only)
    return {"claims": ["pc1"], **piece} if part == "content" else piece


# --- the suites -----------------------------------------------------------------------------


def _exercised(stats: Stats, gold_doc, pred_doc, threshold) -> None:
    """Count the cases the suite is meant to cover (ties at the threshold above all)."""
    for gold in gold_doc["claims"]:
        for pred in pred_doc["claims"]:
            similarity = piece_similarity(gold, pred)
            kind = "offsets" if _span_of(pred) is not None else "text"
            stats[f"claim pair by {kind}"] += 1
            if similarity != 0 and Fraction(similarity).limit_denominator(1000) == Fraction(
                threshold
            ).limit_denominator(1000):
                stats[f"claim similarity at the threshold by {kind}"] += 1
    for attribution in pred_doc["attributions"]:
        for part in ("source", "cue", "content"):
            piece = attribution[part]
            if piece is None:
                stats[f"predicted {part} absent"] += 1
            elif "mention" in piece:
                stats[f"predicted {part} mention"] += 1
            elif _span_of(piece) is None:
                stats[f"predicted {part} text-only"] += 1
                if not normalize_text(piece["text"]).split():
                    stats["text without tokens"] += 1
    for attribution in gold_doc["attributions"]:
        source = attribution["source"]
        if source is not None and "mention" in source:
            mention = next(e for e in gold_doc["entities"] if e["id"] == source["mention"])
            shared = [e for e in gold_doc["entities"] if e.get("entity") == mention.get("entity")]
            if mention.get("entity") is not None and len(shared) > 1:
                stats["gold source entity with several mentions"] += 1


def _count_calls(monkeypatch, module, name: str, stats: Stats) -> None:
    """Count calls of the pair-by-pair fallback: the suites must mostly run the broadcast path."""
    original = getattr(module, name)

    def counted(*args, **kwargs):
        stats["pair-by-pair fallback"] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)


@pytest.mark.parametrize("seed", range(4))
def test_attribution_matches_equal_the_all_pairs_reference(seed, monkeypatch):
    rng = random.Random(1600 + seed)
    stats = Stats()
    _count_calls(monkeypatch, attributions, "_right_matrices_pairwise", stats)
    for _ in range(150):
        gold_doc, pred_doc = random_documents(rng)
        threshold = rng.choice(THRESHOLDS)
        _exercised(stats, gold_doc, pred_doc, threshold)
        expected = _outcome(reference_attribution_matches, gold_doc, pred_doc, threshold)
        got = _outcome(attribution_matches, gold_doc, pred_doc, claim_threshold=threshold)
        assert got == expected
        stats[f"outcome {expected[0]}"] += 1
        if expected[0] == "result":
            assert list(got[1]) == list(expected[1])  # same keys in the same order
            if gold_doc["attributions"] and pred_doc["attributions"]:
                stats["scored documents with both sides"] += 1
        assert _outcome(
            tally_attributions, gold_doc, pred_doc, claim_threshold=threshold
        ) == _outcome(reference_tally_attributions, gold_doc, pred_doc, threshold)
    for case in (
        "predicted source text-only",
        "predicted source mention",
        "predicted source absent",
        "predicted cue text-only",
        "predicted cue absent",
        "predicted content text-only",
        "predicted content absent",
        "gold source entity with several mentions",
        "text without tokens",
    ):
        assert stats[case] > 5, (case, stats)
    assert stats["outcome ValueError"] < stats["outcome result"] / 5, stats
    # a document with an empty side, or a comparison that raises, goes pair by pair (twice:
    # matches and tally); every other one must have been broadcast
    assert stats["pair-by-pair fallback"] == 2 * (150 - stats["scored documents with both sides"])


@pytest.mark.parametrize("seed", range(4))
def test_claim_pairs_equal_the_all_pairs_reference(seed, monkeypatch):
    rng = random.Random(2600 + seed)
    stats = Stats()
    _count_calls(monkeypatch, claims, "_lenient_claim_pairs_pairwise", stats)
    for _ in range(250):
        gold_doc, pred_doc = random_documents(rng, max_size=18)
        gold, pred = gold_doc["claims"], pred_doc["claims"]
        threshold = rng.choice(THRESHOLDS)
        _exercised(stats, gold_doc, pred_doc, threshold)
        expected = _outcome(reference_strict_claim_pairs, gold, pred)
        assert _outcome(strict_claim_pairs, gold, pred) == expected
        stats[f"outcome {expected[0]}"] += 1
        assert _outcome(lenient_claim_pairs, gold, pred, claim_threshold=threshold) == _outcome(
            reference_lenient_claim_pairs, gold, pred, threshold
        )
        assert _outcome(tally_claims, gold, pred, claim_threshold=threshold) == _outcome(
            reference_tally_claims, gold, pred, threshold
        )
    assert stats["outcome result"] > 200, stats
    assert stats["pair-by-pair fallback"] == 0, stats  # gold claims all have texts
    assert stats["claim similarity at the threshold by offsets"] > 20, stats
    assert stats["claim similarity at the threshold by text"] > 5, stats


def test_dense_ties_and_duplicates_equal_the_reference():
    """Few distinct spans, many copies: the solver's tie-breaking decides every pair."""
    rng = random.Random(16)
    text, bounds = random_text(rng, 12)
    for _ in range(300):
        spans = [random_span(rng, text, bounds) for _ in range(3)]
        gold = [offsets_piece(rng, text, rng.choice(spans), 1.0) for _ in range(rng.randint(1, 9))]
        pred = [
            offsets_piece(rng, text, rng.choice(spans), 1.0)
            if rng.random() < 0.8
            else text_only_piece(rng, text, rng.choice(spans))
            for _ in range(rng.randint(1, 9))
        ]
        threshold = rng.choice(THRESHOLDS)
        assert strict_claim_pairs(gold, pred) == reference_strict_claim_pairs(gold, pred)
        assert lenient_claim_pairs(
            gold, pred, claim_threshold=threshold
        ) == reference_lenient_claim_pairs(gold, pred, threshold)


def test_exact_threshold_ties_in_offsets_and_tokens():
    # Dice exactly 1/2 (overlap 5 of 10 + 10) and 1/3 (overlap 2 of 6 + 6)
    half = ({"start": 0, "end": 10}, {"start": 5, "end": 15})
    third = ({"start": 0, "end": 6}, {"start": 4, "end": 10})
    for (gold, pred), threshold in ((half, 0.5), (third, 1 / 3)):
        assert lenient_claim_pairs([gold], [pred], claim_threshold=threshold) == [(0, 0)]
        assert reference_lenient_claim_pairs([gold], [pred], threshold) == [(0, 0)]
    # token F1 exactly 1/2 that floating point computes as 0.4999999999999999 (7 of 8 and 20)
    words = [f"w{k}" for k in range(21)]
    gold = {"start": 0, "end": 5, "text": " ".join(words[:8])}
    pred = {"text": " ".join(words[1:21])}
    assert token_f1(pred["text"], gold["text"]) < 0.5
    assert lenient_claim_pairs([gold], [pred]) == reference_lenient_claim_pairs([gold], [pred])
    assert lenient_claim_pairs([gold], [pred]) == [(0, 0)]


def test_odd_pieces_and_errors_behave_as_before():
    """Pieces the matrices do not handle take the pair-by-pair path: same pairs, same errors."""
    odd_claims = [
        [{"start": 0.0, "end": 5.0, "text": "a b"}],  # float offsets
        [{"start": True, "end": 3, "text": "a b"}],  # a bool is an int to Python
        [{"start": 2**60, "end": 2**60 + 4, "text": "huge"}],
        [{"start": 0, "end": 4}, {"start": None, "end": 3, "text": "x y"}],
        [{"start": 3, "end": 1, "text": "backwards"}],
        [{"start": 1, "end": 1, "text": ""}],
    ]
    partners = [
        [{"start": 0, "end": 5, "text": "a b"}],
        [{"text": "A b"}],
        [{"start": 1, "end": 4}],
        [],
    ]
    for gold, pred in itertools.product(odd_claims, partners):
        for left, right in ((gold, pred), (pred, gold)):
            assert _outcome(strict_claim_pairs, left, right) == _outcome(
                reference_strict_claim_pairs, left, right
            )
            assert _outcome(lenient_claim_pairs, left, right) == _outcome(
                reference_lenient_claim_pairs, left, right
            )
    # a text comparison without a text raises, naming the same piece as before
    gold = [{"start": 0, "end": 4}]
    pred = [{"text": "abcd"}]
    assert _outcome(tally_claims, gold, pred)[0] == "ValueError"
    assert _outcome(tally_claims, gold, pred) == _outcome(reference_tally_claims, gold, pred)
    assert _outcome(lenient_claim_pairs, pred, gold) == _outcome(
        reference_lenient_claim_pairs, pred, gold
    )
    # None among claims: the same AttributeError as before
    assert _outcome(tally_claims, [None], pred) == _outcome(reference_tally_claims, [None], pred)


def test_attribution_errors_and_short_circuits_behave_as_before():
    text = "Officials said the FT reported rockets"
    entities = [
        {"id": "e1", "start": 0, "end": 9, "text": "Officials", "entity": "x"},
        {"id": "e2", "start": 19, "end": 21, "entity": "x"},  # no text: only an error if read
        {"id": "e3", "start": 31, "end": 38, "text": "rockets"},
    ]

    def docs(gold_source, pred_source, pred_entities=()):
        gold_doc = {
            "doc_id": "d",
            "text": text,
            "entities": entities,
            "attributions": [{"source": gold_source, "cue": None, "content": None}],
        }
        pred_doc = {
            "doc_id": "d",
            "entities": list(pred_entities),
            "attributions": [{"source": pred_source, "cue": None, "content": None}],
        }
        return gold_doc, pred_doc

    cases = [
        docs({"mention": "e1"}, {"text": "officials"}),  # e1 matches before e2 is read
        docs({"mention": "e1"}, {"text": "the FT"}),  # e1 fails, e2 has no text: ValueError
        docs({"mention": "e9"}, None),  # unknown gold mention
        docs({"mention": "e3"}, {"mention": "p1"}),  # unknown predicted mention
        docs({"mention": "e3"}, {"mention": "p1"}, [{"id": "p1", "start": 31, "end": 38}]),
        docs({"mention": 3}, None),  # an id that is not a string
        docs(None, {"start": 0, "end": 9}),
        docs({"start": 0, "end": 9, "text": "Officials"}, {"start": 0.0, "end": 9}),
    ]
    for gold_doc, pred_doc in cases:
        for threshold in (0.5, 1e-12):
            assert _outcome(
                attribution_matches, gold_doc, pred_doc, claim_threshold=threshold
            ) == _outcome(reference_attribution_matches, gold_doc, pred_doc, threshold)
    assert _outcome(attribution_matches, *cases[0])[0] == "result"
    assert _outcome(attribution_matches, *cases[1])[0] == "ValueError"


def _outcome(function, *args, **kwargs) -> tuple[str, Any]:
    try:
        return "result", function(*args, **kwargs)
    except Exception as error:  # the comparison is the point: type and message
        return type(error).__name__, str(error)


# --- the building blocks against the functions they stand for -----------------------------------


def test_text_cells_equal_the_per_pair_functions():
    rng = random.Random(4)
    stats = Stats()
    for _ in range(300):
        # few distinct words half of the time: texts repeat tokens ("U.S. us" is "us us")
        few = ["U.S.", "us", "war", "Kim", "the", "Seoul"]
        text, bounds = random_text(rng, 20, few if rng.random() < 0.5 else WORDS)
        gold = [
            text_only_piece(rng, text, random_span(rng, text, bounds))
            if rng.random() < 0.3
            else offsets_piece(rng, text, random_span(rng, text, bounds), 1.0)
            for _ in range(rng.randint(1, 8))
        ]
        pred = [
            text_only_piece(rng, text, random_span(rng, text, bounds))
            if rng.random() < 0.5
            else offsets_piece(rng, text, random_span(rng, text, bounds), 1.0)
            for _ in range(rng.randint(1, 8))
        ]
        comparison = PieceComparison(piece_batch(gold), piece_batch(pred))
        for min_f1 in (0.5, 1 / 3, 1.0):
            touch = comparison.touch(min_f1)
            for i, j in itertools.product(range(len(gold)), range(len(pred))):
                assert touch[i, j] == pieces_touch(gold[i], pred[j], min_f1)
        same, similarity = comparison.same(), comparison.similarity()
        for i, j in itertools.product(range(len(gold)), range(len(pred))):
            assert same[i, j] == same_piece(gold[i], pred[j])
            # the same double, not a close one
            assert similarity[i, j].item() == piece_similarity(gold[i], pred[j])
            if "start" not in pred[j] or "start" not in gold[i]:
                gold_tokens = normalize_text(gold[i]["text"]).split()
                pred_tokens = normalize_text(pred[j]["text"]).split()
                repeats = (len(set(gold_tokens)) < len(gold_tokens)) + (
                    len(set(pred_tokens)) < len(pred_tokens)
                )
                stats[f"text cell, {repeats} side(s) repeating a token"] += 1
                stats["text cell, same text"] += bool(same[i, j])
    assert stats["text cell, 2 side(s) repeating a token"] > 20, stats
    assert stats["text cell, same text"] > 20, stats


def test_maximum_matching_equals_max_weight_matching_with_ties():
    rng = np.random.default_rng(16)
    for _ in range(3000):
        n_rows, n_cols = rng.integers(0, 7, size=2)
        valid = rng.random((n_rows, n_cols)) < rng.choice([0.1, 0.3, 0.7])
        # few distinct weights, so many exact ties; sometimes no weights at all
        weights = None if rng.random() < 0.5 else rng.choice([0.0, 0.5, 1.0, 1 / 3], valid.shape)
        gold = [{"k": int(k)} for k in rng.integers(0, 3, n_rows)]  # duplicate keys too
        pred = [{"k": int(k)} for k in rng.integers(0, 3, n_cols)]
        expected = reference_matching(valid, weights, gold, pred)
        assert maximum_matching(valid, weights, KeyOrders(gold, pred)) == expected
        assert matching_sizes(valid[None]) == [len(expected)]
        assert matching_size(valid) == len(expected)


def test_odd_weights_behave_as_before():
    """Weights outside [0, 1] (or nan) on a valid cell: whatever max_weight_matching does."""
    valid = np.array([[True, False], [False, True]])
    for odd in (1.5, -0.5, float("nan")):
        for matrix in (valid, np.ones((2, 2), dtype=bool)):
            weights = np.array([[odd, 0.5], [0.5, 0.5]])
            items = [{"k": 1}, {"k": 2}]
            assert _outcome(maximum_matching, matrix, weights, KeyOrders(items, items)) == (
                _outcome(reference_matching, matrix, weights, items, items)
            )
    # odd weights on invalid cells are never looked at
    weights = np.array([[0.5, float("nan")], [2.0, 0.5]])
    assert maximum_matching(valid, weights, KeyOrders([{}, {}], [{}, {}])) == [(0, 0), (1, 1)]


# --- the layer tables laid out directly (issue 24): equal to the tables of per-document tallies --


def reference_table(scorer, doc_ids, batch, settings):
    """The table as it was built before: each document's own tally, then from_tallies."""
    tallies = {
        doc_id: scorer.tally(gold, pred, settings, text)
        for doc_id, (gold, pred, text) in zip(doc_ids, batch, strict=True)
    }
    return TallyTable.from_tallies(tallies).under((scorer.name,))


def assert_same_table(got: TallyTable, expected: TallyTable) -> None:
    assert got.doc_ids == expected.doc_ids
    assert got.fields == expected.fields
    assert got.counts.dtype == expected.counts.dtype
    assert got.counts.shape == expected.counts.shape
    assert (got.counts == expected.counts).all()
    assert (got.present == expected.present).all() and got.present.shape == expected.present.shape
    assert got.list_fields == expected.list_fields
    assert got.lists == expected.lists
    assert got.list_present.shape == expected.list_present.shape
    assert (got.list_present == expected.list_present).all()
    assert list(got.pooled) == list(expected.pooled)
    for path, counts in expected.pooled.items():
        assert list(got.pooled[path].items()) == list(counts.items())  # same pairs, same order


def with_extras(rng: random.Random, doc: dict) -> dict:
    """The document with, sometimes, the optional attribution fields (source span, content
    type), claim clusters, or without its claims or attributions layer (a prediction)."""
    doc = copy.deepcopy(doc)
    for attribution in doc["attributions"]:
        if rng.random() < 0.3:
            attribution["source_span"] = rng.choice([None, attribution.get("cue")])
        if rng.random() < 0.3:
            attribution["content_type"] = rng.choice(["claim", "statement"])
    for claim in doc["claims"]:
        if rng.random() < 0.6:
            claim["cluster"] = rng.choice(["k1", "k2", "k3"])
        if rng.random() < 0.2:
            claim["checkworthy"] = rng.random() < 0.5
    return doc


def random_batch(rng: random.Random, size: int, extras: float) -> tuple[list[str], list]:
    doc_ids, batch = [], []
    while len(batch) < size:
        gold, pred = random_documents(rng, max_size=6)
        if rng.random() < extras:
            gold, pred = with_extras(rng, gold), with_extras(rng, pred)
        if rng.random() < 0.1:
            pred = {key: value for key, value in pred.items() if key != rng.choice(LAYERS)}
        try:  # only documents that score (a piece that cannot be compared raises)
            for scorer in TABLE_SCORERS:
                scorer.tally(gold, pred, Settings(), gold["text"])
        except ValueError:
            continue
        doc_ids.append(f"d{len(batch):03d}")
        batch.append((gold, pred, gold["text"]))
    return doc_ids, batch


LAYERS = ("claims", "attributions")
TABLE_SCORERS = (claims.SCORER, claims.CLUSTERS_SCORER, attributions.SCORER)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("scorer", TABLE_SCORERS, ids=lambda scorer: scorer.name)
def test_layer_tables_equal_the_tables_of_per_document_tallies(scorer, seed):
    rng = random.Random(2400 + seed)
    # batches without any extras (the table laid out directly) and with some (from_tallies)
    for size, extras in ((1, 0.0), (12, 0.0), (12, 0.2), (25, 0.05)):
        doc_ids, batch = random_batch(rng, size, extras)
        settings = Settings(claim_threshold=rng.choice(THRESHOLDS))
        got = scorer.tally_documents(doc_ids, batch, settings)
        assert_same_table(got, reference_table(scorer, doc_ids, batch, settings))


def test_a_layer_table_of_no_documents_is_empty():
    for scorer in TABLE_SCORERS:
        table = scorer.tally_documents([], [], Settings())
        assert table.doc_ids == [] and table.counts.shape[0] == 0


@pytest.mark.parametrize("scorer", TABLE_SCORERS, ids=lambda scorer: scorer.name)
def test_a_matching_too_large_names_its_document_in_a_layer_table(scorer, monkeypatch):
    monkeypatch.setenv(dense.SOLVER_CELLS_VARIABLE, "3")
    claim = {"start": 0, "end": 3, "text": "Kim", "cluster": "k1"}
    attribution = {"source": None, "cue": None, "content": {"start": 0, "end": 3, "text": "Kim"}}
    small = {"doc_id": "a", "text": "Kim", "entities": [], "claims": [claim], "attributions": []}
    large = {**small, "doc_id": "b", "claims": [claim] * 2, "attributions": [attribution] * 2}
    batch = [(small, small, "Kim"), (large, large, "Kim")]
    with pytest.raises(dense.MatchingTooLarge, match=r"^document 'b': 2 gold and 2 predicted"):
        scorer.tally_documents(["a", "b"], batch, Settings())
