"""The claim matchings of a whole batch (scoring.claim_batch) are those of the per-document code.

Random documents (hypothesis) with duplicate claims, text-only and offset-only claims, empty
layers, texts that only normalisation makes equal (case, punctuation, articles, NBSP, non-ASCII,
Greek final sigma), repeated tokens, and thresholds met exactly; now and then an odd claim (not a
dict, offsets that are floats or bools or huge, no text where one is needed) that the batch must
leave to the per-document code. Compared: the strict counts and lenient pairs, the token F1 and
text equality of pairs of texts, and the claim and claim-cluster tables of a batch, exception
for exception.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz_profiles import EXACTNESS_EXAMPLES, profile_name
from sourcetrace.evaluation.settings import Settings
from sourcetrace.scoring import claims, dense
from sourcetrace.scoring.claim_batch import claim_matches, text_comparisons
from sourcetrace.scoring.common import normalize_text, token_f1
from sourcetrace.scoring.tallies import TallyTable

# batch against per document: exactness, on the examples of the other exactness checks
EXAMPLES = EXACTNESS_EXAMPLES[profile_name()]

WORDS = [
    "the",
    "The",
    "a",
    "an",
    "Kim",
    "kim",
    "Kim's",
    "Kim’s",
    "U.S.",
    "us",
    "Σίσυφος",
    "ΣΊΣΥΦΟΣ",
    "naïve",
    "İstanbul",
    "—",
    "...",
    "said",
    "said",
    "missiles",
    "",
    "🚀",
]
SEPARATORS = [" ", "  ", "\u00a0", "\t", "\n", "-", "\u2014"]
THRESHOLDS = [0.5, 1 / 3, 2 / 3, 0.25, 1.0, 0.1, 1e-12]


@st.composite
def texts(draw: Any) -> str:
    words = draw(st.lists(st.sampled_from(WORDS), max_size=6))
    text = ""
    for word in words:
        text += word + draw(st.sampled_from(SEPARATORS))
    return text


@st.composite
def claim_dicts(draw: Any, odd: bool) -> Any:
    # offsets without a text make a document with a text-only claim on the other side raise:
    # drawn only with the odd claims
    kinds = ["offsets", "offsets", "text_only", "start_only"] + (["no_text"] if odd else [])
    kind = draw(st.sampled_from(kinds))
    claim: dict[str, Any] = {}
    if kind in ("offsets", "no_text"):
        start = draw(st.integers(0, 12))
        claim["start"] = start
        claim["end"] = start + draw(st.integers(-1, 8))
    elif kind == "start_only":
        claim["start"] = draw(st.integers(0, 12))
        claim["end"] = None
    if kind != "no_text":
        claim["text"] = draw(texts())
    for name, labels in (
        ("polarity", ["positive", "negative", "mixed"]),
        ("certainty", ["certain", "probable"]),
        ("checkworthy", [True, False]),
        ("cluster", ["k1", "k2", "k3"]),
    ):
        if draw(st.booleans()):
            claim[name] = draw(st.sampled_from([None, *labels]))
    if odd and draw(st.integers(0, 9)) == 0:
        change = draw(st.sampled_from(["float", "bool", "huge", "not_dict", "text", "cluster"]))
        if change == "not_dict":
            return draw(st.sampled_from([None, "claim", 3]))
        if change == "float":
            claim["start"] = 1.0
        elif change == "bool":
            claim["end"] = True
        elif change == "huge":
            claim["start"], claim["end"] = 2**60, 2**60 + 3
        elif change == "text":
            claim["text"] = 5
        else:
            claim["cluster"] = ["k1"]
    return claim


@st.composite
def claim_layers(draw: Any, odd: bool = False) -> list:
    distinct = draw(st.lists(claim_dicts(odd), max_size=5))
    if not distinct:
        return []
    # duplicates: the same claim (equal, and sometimes the same object) several times
    picks = draw(st.lists(st.integers(0, len(distinct) - 1), max_size=7))
    layer = list(distinct)
    for pick in picks:
        layer.append(distinct[pick] if draw(st.booleans()) else copy.deepcopy(distinct[pick]))
    return draw(st.permutations(layer))


def per_document(gold: list, pred: list, threshold: float) -> tuple[int, list] | type:
    """The per-document answer, or the type of what it raises."""
    try:
        tally = claims.tally_claims(gold, pred, claim_threshold=threshold)
        pairs = claims.lenient_claim_pairs(gold, pred, claim_threshold=threshold)
    except (ValueError, TypeError, AttributeError, KeyError) as error:
        return type(error)
    assert tally["span"]["lenient"]["true_positives"] == len(pairs)
    return tally["span"]["strict"]["true_positives"], pairs


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(claim_layers(odd=True), claim_layers(odd=True)), max_size=6),
    st.sampled_from(THRESHOLDS),
)
def test_batch_matches_are_the_per_document_matches(documents, threshold):
    golds = [gold for gold, _ in documents]
    preds = [pred for _, pred in documents]
    found = claim_matches(golds, preds, threshold)
    for index, (gold, pred) in enumerate(documents):
        strict_count, pairs = found.strict_counts[index], found.lenient_pairs[index]
        assert (strict_count is None) == (pairs is None)
        expected = per_document(gold, pred, threshold)
        if pairs is None:
            # left to the per-document code: only documents with an odd claim
            assert not _ordinary(gold) or not _ordinary(pred)
            continue
        assert expected == (strict_count, pairs)
    lenient_only = claim_matches(golds, preds, threshold, strict=False)
    assert lenient_only.lenient_pairs == found.lenient_pairs
    assert all(count is None for count in lenient_only.strict_counts)


def _ordinary(layer: list) -> bool:
    """Claims the batch always takes (when the other side's are ordinary too)."""
    return all(
        type(claim) is dict
        and type(claim.get("text")) is str
        and (
            (type(claim.get("start")) is int and type(claim.get("end")) is int)
            and abs(claim["start"]) < 2**50
            and abs(claim["end"]) < 2**50
            or claim.get("start") is None
            or claim.get("end") is None
        )
        for claim in layer
    )


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.tuples(texts(), texts(), st.integers(0, 3)), max_size=30))
def test_text_comparisons_are_normalised_equality_and_token_f1(pairs):
    gold = [gold for gold, _, _ in pairs]
    pred = [pred for _, pred, _ in pairs]
    index = np.arange(len(pairs), dtype=np.int64)
    groups = np.array([group for _, _, group in pairs], dtype=np.int64)
    same, f1 = text_comparisons(gold, pred, index, index, groups)
    assert same.tolist() == [
        normalize_text(g) == normalize_text(p) for g, p in zip(gold, pred, strict=True)
    ]
    # the same doubles, bit for bit
    assert f1.tolist() == [token_f1(p, g) for g, p in zip(gold, pred, strict=True)]


def test_text_comparisons_count_repeated_tokens_and_never_across_groups():
    gold = ["kim kim kim said", "kim said", "Σ ς", "", "the a an"]
    pred = ["Kim, kim!", "kim kim", "σ ς", "", ""]
    index = np.arange(5)
    same, f1 = text_comparisons(gold, pred, index, index, np.arange(5))
    assert f1.tolist() == [token_f1(p, g) for g, p in zip(gold, pred, strict=True)]
    assert same.tolist() == [False, False, normalize_text("Σ ς") == "σ ς", True, True]
    # one gold text against two predicted texts in two groups: each counted within its group
    same, f1 = text_comparisons(
        ["kim said"], ["kim said", "kim"], np.array([0, 0]), np.array([0, 1]), np.array([0, 1])
    )
    assert f1.tolist() == [1.0, token_f1("kim", "kim said")]


# ---------------------------------------------------------------- the layer tables


@st.composite
def batches(draw: Any) -> tuple[list[str], list]:
    size = draw(st.integers(1, 6))
    doc_ids, batch = [], []
    odd = draw(st.integers(0, 3)) == 0  # mostly batches that score, now and then one that may not
    for index in range(size):
        gold_claims = draw(claim_layers(odd=odd))
        pred_claims = draw(claim_layers(odd=odd))
        gold = {"doc_id": f"d{index}", "text": "", "claims": gold_claims}
        pred: dict[str, Any] = {"claims": pred_claims}
        if draw(st.integers(0, 9)) == 0:
            pred = draw(st.sampled_from([{}, {"claims": None}]))
        doc_ids.append(f"d{index}")
        batch.append((gold, pred, ""))
    return doc_ids, batch


def outcome(scorer: Any, doc_ids: list[str], batch: list, options: Settings) -> Any:
    """The scorer's table of the batch, or the type and message of what it raises."""
    try:
        return table_data(scorer.tally_documents(doc_ids, batch, options))
    except Exception as error:  # noqa: BLE001 - compared with the per-document outcome
        return type(error), str(error)


def reference(scorer: Any, doc_ids: list[str], batch: list, options: Settings) -> Any:
    try:
        tallies = {}
        for doc_id, (gold, pred, text) in zip(doc_ids, batch, strict=True):
            try:
                tallies[doc_id] = scorer.tally(gold, pred, options, text)
            except dense.MatchingTooLarge as error:
                raise error.in_document(doc_id) from None
        return table_data(TallyTable.from_tallies(tallies).under((scorer.name,)))
    except Exception as error:  # noqa: BLE001
        return type(error), str(error)


def table_data(table: TallyTable) -> tuple:
    return (
        table.doc_ids,
        table.fields,
        table.counts.dtype.str,
        table.counts.tolist(),
        table.present.tolist(),
        table.list_fields,
        table.lists,
        table.list_present.tolist(),
        # the pooled pairs in their order, as a partial file writes them
        [(path, list(counts.items())) for path, counts in table.pooled.items()],
    )


SCORERS = (claims.SCORER, claims.CLUSTERS_SCORER)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches(), st.sampled_from(THRESHOLDS), st.booleans())
def test_layer_tables_of_a_batch_are_those_of_its_documents(drawn, threshold, mutate):
    doc_ids, batch = drawn
    options = Settings(claim_threshold=threshold)
    for scorer in SCORERS:  # in the registry's order: the cluster scorer reuses the columns
        assert outcome(scorer, doc_ids, batch, options) == reference(
            scorer, doc_ids, batch, options
        )
    if mutate:
        # a claim changed in place between the two scorers: nothing of the last batch reused
        for gold, _, _ in batch:
            for claim in gold["claims"]:
                if type(claim) is dict and type(claim.get("text")) is str:
                    claim["text"] += " kim"
                    claim["start"] = claim.get("start")
                    break
        for scorer in reversed(SCORERS):
            assert outcome(scorer, doc_ids, batch, options) == reference(
                scorer, doc_ids, batch, options
            )


def test_matched_clusters_and_attributes_of_a_batch_are_those_of_its_documents():
    kim = {"start": 0, "end": 3, "text": "Kim", "cluster": "k1", "polarity": "positive"}
    said = {"start": 4, "end": 8, "text": "said", "cluster": "k2", "certainty": "certain"}
    text_only = {"text": "Kim said", "cluster": "k1", "polarity": "negative"}
    gold = {"doc_id": "a", "text": "Kim said", "claims": [kim, said, {**kim, "start": 9}]}
    pred = {"claims": [kim, text_only, {**said, "cluster": None}, {"start": 20, "end": 22}]}
    empty = {"doc_id": "b", "text": "", "claims": []}
    batch = [(gold, pred, "Kim said"), (empty, {"claims": []}, ""), (gold, gold, "Kim said")]
    options = Settings()
    for scorer in SCORERS:
        got = outcome(scorer, ["a", "b", "c"], batch, options)
        assert isinstance(got, tuple) and len(got) == 9  # a table, not a refusal
        assert got == reference(scorer, ["a", "b", "c"], batch, options)


def test_a_threshold_out_of_range_is_refused_as_one_by_one():
    claim = {"start": 0, "end": 3, "text": "Kim", "cluster": "k1"}
    doc = {"doc_id": "a", "text": "Kim", "claims": [claim]}
    for scorer in SCORERS:
        got = outcome(scorer, ["a"], [(doc, doc, "Kim")], Settings(claim_threshold=1.5))
        assert got == reference(scorer, ["a"], [(doc, doc, "Kim")], Settings(claim_threshold=1.5))
        assert got[0] is ValueError


@pytest.mark.parametrize("scorer", SCORERS, ids=lambda scorer: scorer.name)
def test_large_and_refused_documents_keep_their_per_document_answer(scorer, monkeypatch):
    """A document beyond the dense bound is grouped one by one; beyond the solver bound it is
    refused, naming the document, as before."""
    claim = {"start": 0, "end": 3, "text": "Kim", "cluster": "k1"}
    other = {"text": "Kim said", "cluster": "k2", "polarity": "positive"}
    small = {"doc_id": "a", "text": "Kim", "claims": [claim, other]}
    large = {"doc_id": "b", "text": "Kim", "claims": [claim] * 40 + [other] * 30}
    batch = [(small, small, "Kim"), (large, large, "Kim")]
    options = Settings()
    assert outcome(scorer, ["a", "b"], batch, options) == reference(
        scorer, ["a", "b"], batch, options
    )
    monkeypatch.setenv(dense.SOLVER_CELLS_VARIABLE, "3")
    got = outcome(scorer, ["a", "b"], batch, options)
    assert got == reference(scorer, ["a", "b"], batch, options)
    assert got[0] is dense.MatchingTooLarge


@pytest.mark.parametrize("scorer", SCORERS, ids=lambda scorer: scorer.name)
def test_a_bad_solver_bound_in_the_environment_is_refused_as_one_by_one(scorer, monkeypatch):
    """Only a document that asks for a matching reads the bound (a cluster scorer without
    predicted clusters never does)."""
    monkeypatch.setenv(dense.SOLVER_CELLS_VARIABLE, "many")
    claim = {"start": 0, "end": 3, "text": "Kim"}
    doc = {"doc_id": "a", "text": "Kim", "claims": [claim, {**claim, "start": 1}]}
    options = Settings()
    assert outcome(scorer, ["a"], [(doc, doc, "Kim")], options) == reference(
        scorer, ["a"], [(doc, doc, "Kim")], options
    )
