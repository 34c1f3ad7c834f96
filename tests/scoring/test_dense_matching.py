"""Dense overlap clusters (issue 27): the closed forms give exactly the counts of the solver.

The reference is the matching of before, kept here: every touching pair listed by brute force,
split in connected components, each solved by `linear_sum_assignment` on the packed weight
``(2*credit*K + correct)*K + 1``. Random nested, crossing, duplicated and dense spans (gold spans
over 100 code points included, where nervaluate's 1 % rule bites) are scored both ways, through
`tally_entities`, the batch scorer and the cluster functions of `scoring.dense`; the big shapes
of the issue get hand-worked counts; a cluster that no closed form covers and that is larger
than the solver bound is refused with an `InputError` naming it.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

from sourcetrace.errors import InputError
from sourcetrace.scoring import dense
from sourcetrace.scoring.common import pair_components
from sourcetrace.scoring.dense import (
    MatchingTooLarge,
    NoClosedForm,
    cluster_matched_counts,
    touched_predictions,
    touching_matching_size,
)
from sourcetrace.scoring.entities import (
    COUNT_NAMES,
    SCHEMES,
    align_entities,
    ignored_prediction_indices,
    tally_entities,
)
from sourcetrace.scoring.entity_batch import (
    PATH_DENSE_CLUSTER,
    cluster_mention_pairs,
    tally_entities_batch,
)

TYPES = ("PERSON", "ORG", "GPE")

# --- the reference: the matching of before ----------------------------------------------------

_OUTCOME = {
    "strict": lambda b, t: "correct" if b and t else "incorrect",
    "exact": lambda b, t: "correct" if b else "incorrect",
    "partial": lambda b, t: "correct" if b else "partial",
    "ent_type": lambda b, t: "correct" if t else "incorrect",
}
_CREDIT = {"correct": 2, "partial": 1, "incorrect": 0}


def touches(gold: tuple, pred: tuple) -> bool:
    shared = min(gold[1], pred[1]) - max(gold[0], pred[0])
    return shared > 0 and 100 * shared >= gold[1] - gold[0]


def reference_matched(gold: list, pred: list, pairs: list, scheme: str) -> dict[str, int]:
    """Matched outcomes of the optimal matching of every component, as the solver finds them."""
    counts = dict.fromkeys(("correct", "incorrect", "partial"), 0)
    for group in pair_components(pairs):
        component = [pairs[i] for i in group]
        rows = sorted({g for g, _ in component})
        cols = sorted({p for _, p in component})
        scale = min(len(rows), len(cols)) + 1
        weights = np.zeros((len(rows), len(cols)), dtype=np.int64)
        outcome_at = {}
        for g, p in component:
            same_bounds = gold[g][:2] == pred[p][:2]
            outcome = _OUTCOME[scheme](same_bounds, gold[g][2] == pred[p][2])
            r, c = rows.index(g), cols.index(p)
            weights[r, c] = (_CREDIT[outcome] * scale + (outcome == "correct")) * scale + 1
            outcome_at[r, c] = outcome
        for r, c in zip(*linear_sum_assignment(weights, maximize=True), strict=True):
            if weights[r, c] > 0:
                counts[outcome_at[r, c]] += 1
    return counts


def reference_tally(gold: list, pred: list) -> dict:
    """The tally of before for spans given as (start, end, type)."""
    pairs = [
        (g, p) for g in range(len(gold)) for p in range(len(pred)) if touches(gold[g], pred[p])
    ]

    def counts(pairs: list, n_gold: int, n_pred: int) -> dict:
        section = {}
        for scheme in SCHEMES:
            matched = reference_matched(gold, pred, pairs, scheme)
            total = sum(matched.values())
            section[scheme] = {**matched, "missed": n_gold - total, "spurious": n_pred - total}
            section[scheme] = {name: section[scheme][name] for name in COUNT_NAMES}
        return section

    per_type = {}
    for entity_type in sorted({s[2] for s in gold} | {s[2] for s in pred}):
        typed = [(g, p) for g, p in pairs if gold[g][2] == pred[p][2] == entity_type]
        n_gold = sum(s[2] == entity_type for s in gold)
        n_pred = sum(s[2] == entity_type for s in pred)
        per_type[entity_type] = counts(typed, n_gold, n_pred)
    return {
        "overall": counts(pairs, len(gold), len(pred)),
        "per_type": per_type,
        "ignored_predictions": 0,
        "unanchored_predictions": 0,
    }


def as_dicts(spans: list) -> list[dict]:
    return [{"start": s, "end": e, "type": t} for s, e, t in spans]


# --- random dense spans -----------------------------------------------------------------------


@st.composite
def spans(draw, min_size: int = 0, max_size: int = 14) -> list:
    """Spans of one side: anywhere, nested around a centre, long (the 1 % rule), whole-text,
    crossing neighbours, and copies of each other."""
    length = draw(st.sampled_from([12, 60, 400, 1500]))
    types = TYPES[: draw(st.integers(1, 3))]
    result = []
    for _ in range(draw(st.integers(min_size, max_size))):
        kind = draw(st.sampled_from(["any", "short", "nested", "whole", "copy"]))
        if kind == "copy" and result:
            result.append(draw(st.sampled_from(result)))
            continue
        if kind == "nested":
            centre = length // 2
            start = centre - draw(st.integers(1, centre))
            end = centre + draw(st.integers(1, length - centre))
        elif kind == "whole":
            start, end = 0, length - draw(st.integers(0, 1))
        elif kind == "short":
            start = draw(st.integers(0, length - 2))
            end = start + draw(st.integers(1, 2))
        else:
            start = draw(st.integers(0, length - 1))
            end = draw(st.integers(start + 1, length))
        result.append((start, end, draw(st.sampled_from(types))))
    return result


@st.composite
def chains(draw) -> tuple[list, list]:
    """Gold and predictions nested in one chain around a centre, long enough for the 1 % rule
    (short predictions inside long gold spans do not touch them): the chain closed form."""
    widths = sorted(draw(st.lists(st.integers(1, 900), min_size=2, max_size=24)))
    gold, pred = [], []
    for width in widths:
        span = (1000 - width, 1000 + width + draw(st.integers(0, 1)), "ORG")
        (gold if draw(st.booleans()) else pred).append(span)
    return gold, pred


@given(chains())
def test_dense_cluster_counts_equal_the_solver_on_nested_chains(chain):
    gold, pred = chain
    expected = reference_tally(gold, pred)
    overall, _ = cluster_matched_counts(gold, pred)  # one chain of one type: never NoClosedForm
    for scheme in SCHEMES:
        for name in ("correct", "incorrect", "partial"):
            assert overall[scheme][name] == expected["overall"][scheme][name]


@given(spans(max_size=20), spans(max_size=20))
def test_touching_matching_size_is_a_maximum_matching(gold, pred):
    """Against Hopcroft-Karp on the listed pairs."""
    bounds_gold = [s[:2] for s in gold]
    bounds_pred = [s[:2] for s in pred]
    try:
        size = touching_matching_size(bounds_gold, bounds_pred)
    except NoClosedForm:
        return
    assert size == brute_matching_size(bounds_gold, bounds_pred)


@given(spans(max_size=20), spans(max_size=20))
def test_touched_predictions_are_those_in_a_touching_pair(gold, pred):
    got = touched_predictions([s[:2] for s in gold], [s[:2] for s in pred])
    assert got == [any(touches(g, p) for g in gold) for p in pred]


def brute_matching_size(gold: list, pred: list) -> int:
    if not gold or not pred:
        return 0
    cells = np.array([[touches(g, p) for p in pred] for g in gold], dtype=np.int8)
    matched = maximum_bipartite_matching(csr_matrix(cells), perm_type="column")
    return int((matched >= 0).sum())


@given(spans(min_size=33, max_size=60), spans(min_size=33, max_size=60))
def test_tally_entities_on_dense_documents_equals_the_solver(gold, pred):
    """Large enough for the dense path (more than DENSE_CELLS gold x predicted spans); the
    batch scorer gives the same rows."""
    expected = reference_tally(gold, pred)
    try:
        got = tally_entities(as_dicts(gold), as_dicts(pred))
    except MatchingTooLarge:  # no closed form and over the (default) solver bound: not here
        pytest.fail("a cluster of at most 60 x 60 spans is within the solver bound")
    assert got == expected
    columns = tally_entities_batch([(as_dicts(gold), as_dicts(pred), None)])
    assert columns.row_dict(0) == expected


# --- the shapes of the issue, by hand ---------------------------------------------------------


def test_tiny_gold_against_whole_text_predictions_counts_by_hand():
    """N two-character gold spans of two types against N whole-text predictions of one type:
    every pair touches, none has the same boundaries. strict/exact: N incorrect; partial: N
    partial; ent_type: the N/2 PERSON gold spans correct, the other N/2 incorrect; per type
    PERSON: N/2 matched (partial there), ORG: no prediction, all missed."""
    n = 3000
    text_length = 3 * n
    gold = [(3 * i, 3 * i + 2, TYPES[i % 2]) for i in range(n)]
    pred = [(0, text_length, "PERSON")] * n
    columns = tally_entities_batch([(as_dicts(gold), as_dicts(pred), "ab " * n)])
    tally = columns.row_dict(0)
    assert columns.paths[0] & PATH_DENSE_CLUSTER
    assert tally == tally_entities(as_dicts(gold), as_dicts(pred), text="ab " * n)
    overall = tally["overall"]
    assert overall["strict"] == {**_zero(), "incorrect": n}
    assert overall["exact"] == {**_zero(), "incorrect": n}
    assert overall["partial"] == {**_zero(), "partial": n}
    assert overall["ent_type"] == {**_zero(), "correct": n // 2, "incorrect": n // 2}
    person = tally["per_type"]["PERSON"]
    assert person["ent_type"] == {**_zero(), "correct": n // 2, "spurious": n // 2}
    assert person["strict"] == {**_zero(), "incorrect": n // 2, "spurious": n // 2}
    assert tally["per_type"]["ORG"]["strict"] == {**_zero(), "missed": n // 2}


def test_nested_chain_counts_by_hand():
    """Gold spans [c-w, c+w) and predictions [c-w, c+w+1) for w = 1..N: no boundaries agree;
    a prediction of length 2w+1 touches a gold span of length 2v when it contains it (w >= v)
    or when 2w+1 >= ceil(2v/100). Every gold span can take the prediction of its own width,
    so the maximum matching is N: strict N incorrect, partial N partial."""
    n, centre = 2000, 5000
    gold = [(centre - w, centre + w, "ORG") for w in range(1, n + 1)]
    pred = [(centre - w, centre + w + 1, "ORG") for w in range(1, n + 1)]
    tally = tally_entities(as_dicts(gold), as_dicts(pred))
    assert tally["overall"]["strict"] == {**_zero(), "incorrect": n}
    assert tally["overall"]["partial"] == {**_zero(), "partial": n}
    assert tally["overall"]["ent_type"] == {**_zero(), "correct": n}
    assert tally_entities_batch([(as_dicts(gold), as_dicts(pred), None)]).row_dict(0) == tally


def test_identical_dense_copies_are_all_correct():
    """N copies of one span on both sides, half of them retyped on the prediction side:
    strict N/2 correct + N/2 incorrect; exact all correct."""
    n = 2000
    gold = [(10, 50, "GPE")] * n
    pred = [(10, 50, "GPE")] * (n // 2) + [(10, 50, "ORG")] * (n // 2)
    tally = tally_entities(as_dicts(gold), as_dicts(pred))
    assert tally["overall"]["strict"] == {**_zero(), "correct": n // 2, "incorrect": n // 2}
    assert tally["overall"]["exact"] == {**_zero(), "correct": n}
    assert tally["overall"]["ent_type"] == {**_zero(), "correct": n // 2, "incorrect": n // 2}


def _zero() -> dict[str, int]:
    return dict.fromkeys(COUNT_NAMES, 0)


# --- the bound --------------------------------------------------------------------------------


def dense_mixed_cluster(n: int) -> tuple[list, list]:
    """Gold spans of 50 and of 300 code points (the 1 % rule asks 3 shared code points of
    these) of two types, against two-code-point predictions inside them: each prediction
    touches the short gold spans around it and none of the long ones. Too many pairs to list,
    and no closed form: predictions shorter than some gold span needs, not one chain."""
    gold = [(i, i + (50 if i % 2 else 300), TYPES[i % 2]) for i in range(n)]
    pred = [(i + 20, i + 22, TYPES[(i + 1) % 2]) for i in range(n)]
    return gold, pred


def test_matching_refuses_a_dense_cluster_without_closed_form_over_the_bound(monkeypatch):
    gold, pred = dense_mixed_cluster(80)
    with pytest.raises(NoClosedForm):
        cluster_matched_counts(gold, pred)
    expected = reference_tally(gold, pred)
    assert tally_entities(as_dicts(gold), as_dicts(pred)) == expected  # within the bound
    monkeypatch.setenv(dense.SOLVER_CELLS_VARIABLE, "1000")
    with pytest.raises(MatchingTooLarge) as refused:
        tally_entities(as_dicts(gold), as_dicts(pred))
    message = str(refused.value)
    assert "80 gold and 80 predicted entities" in message
    assert f"code points [0, {max(s[1] for s in gold + pred)})" in message
    assert dense.SOLVER_CELLS_VARIABLE in message
    assert isinstance(refused.value, InputError)
    with pytest.raises(MatchingTooLarge) as in_batch:
        tally_entities_batch([([], [], None), (as_dicts(gold), as_dicts(pred), None)])
    assert in_batch.value.document_index == 1


@pytest.mark.parametrize("value", ["0", "-3", "many"])
def test_matching_bound_setting_refuses_a_bad_value(monkeypatch, value):
    monkeypatch.setenv(dense.SOLVER_CELLS_VARIABLE, value)
    with pytest.raises(InputError, match=dense.SOLVER_CELLS_VARIABLE):
        dense.max_solver_cells()


def test_entity_cluster_pairing_refuses_dense_copies_over_the_bound(monkeypatch):
    """Copies of one span on both sides leave the mention pairing to the solver (its choice
    among copies decides the identities the cluster scores see): within the bound it pairs
    them one-to-one; over it, it refuses rather than build the all-pairs matrix."""
    gold = [{"start": 0, "end": 3, "entity": f"g{i}"} for i in range(60)]
    pred = [{"start": 0, "end": 3, "entity": f"p{i}"} for i in range(50)]
    pairs = cluster_mention_pairs(gold, pred)
    assert len(pairs) == 50
    assert len({g for g, _ in pairs}) == len({p for _, p in pairs}) == 50
    monkeypatch.setenv(dense.SOLVER_CELLS_VARIABLE, "2999")
    with pytest.raises(MatchingTooLarge, match="60 gold and 50 predicted entity mentions"):
        cluster_mention_pairs(gold, pred)


# --- through the command line -----------------------------------------------------------------


def write_dense_run(folder, n: int, types: tuple[str, ...]) -> tuple:
    """One document: n two-character gold entities on every other word "ab", n predictions
    nested around the middle; written as gold and prediction JSON Lines files."""
    text = "ab " * (2 * n)
    gold = [
        {
            "id": f"e{i}",
            "start": 6 * i,
            "end": 6 * i + 2,
            "text": "ab",
            "type": types[i % 2],
            "mention": "name",
            "entity": f"x{i}",
        }
        for i in range(n)
    ]
    pred = [
        {
            "id": f"p{w}",
            "start": 3 * (n - 1 - w),
            "end": 3 * (n + w) + 2,
            "type": types[(w + 1) % 2],
        }
        for w in range(n)
    ]
    gold_doc = {
        "doc_id": "dense-0",
        "text": text,
        "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
        "entities": gold,
        "claims": [],
        "attributions": [],
    }
    gold_path, pred_path = folder / "gold.jsonl", folder / "pred.jsonl"
    gold_path.write_text(json.dumps(gold_doc) + "\n")
    pred_path.write_text(json.dumps({"doc_id": "dense-0", "entities": pred}) + "\n")
    return gold_path, pred_path


def evaluate_entities(run_cli, gold_path, pred_path, out):
    return run_cli(
        "evaluate", pred_path, "--gold", gold_path, "--layers", "entities", "--format", "json",
        "--output", out,
    )  # fmt: skip


def test_evaluate_refuses_a_dense_cluster_over_the_bound_naming_document(
    tmp_path, monkeypatch, run_cli
):
    """Exit 2, one paragraph naming the document, the cluster and the setting; no report."""
    gold_path, pred_path = write_dense_run(tmp_path, 60, ("ORG", "GPE"))
    monkeypatch.setenv(dense.SOLVER_CELLS_VARIABLE, "1000")
    out = tmp_path / "report.json"
    result = evaluate_entities(run_cli, gold_path, pred_path, out)
    assert result.code == 2
    assert "document 'dense-0'" in result.err
    assert "60 gold and 60 predicted entities" in result.err
    assert dense.SOLVER_CELLS_VARIABLE in result.err
    assert "Traceback" not in result.err
    assert not out.exists()


def test_evaluate_scores_nested_predictions_over_tiny_gold_by_hand(tmp_path, run_cli):
    """One type, n = 1,500. Gold span i sits on word 2i, prediction w covers words
    n-1-w .. n+w. The gold span on word 0 needs w >= n-1, the one on word 2n-2 needs w >= n-2,
    word 2 needs w >= n-3, and so on: the k-th most demanding gold span has k predictions to
    choose from, so all n are matched (Hall), none with the same boundaries: strict n
    incorrect, partial n partial, ent_type n correct."""
    n = 1500
    gold_path, pred_path = write_dense_run(tmp_path, n, ("ORG", "ORG"))
    out = tmp_path / "report.json"
    result = evaluate_entities(run_cli, gold_path, pred_path, out)
    assert result.code == 0, result.err
    overall = json.loads(out.read_text())["layers"]["entities"]["overall"]
    assert (overall["strict"]["incorrect"], overall["strict"]["correct"]) == (n, 0)
    assert overall["partial"]["partial"] == n
    assert overall["ent_type"]["correct"] == n


def test_align_entities_refuses_a_cluster_over_the_bound(monkeypatch):
    """The item-by-item view needs the solver's pairs: over the bound it refuses; within it,
    its outcomes count what the tally counts."""
    gold, pred = dense_mixed_cluster(80)
    aligned = align_entities(as_dicts(gold), as_dicts(pred), scheme="strict")
    strict = reference_tally(gold, pred)["overall"]["strict"]
    assert sum(row["outcome"] == "incorrect" for row in aligned["gold"]) == strict["incorrect"]
    monkeypatch.setenv(dense.SOLVER_CELLS_VARIABLE, "1000")
    with pytest.raises(MatchingTooLarge, match="80 gold and 80 predicted entities"):
        align_entities(as_dicts(gold), as_dicts(pred), scheme="strict")


@given(spans(min_size=60, max_size=80), spans(min_size=40, max_size=50), st.data())
def test_dense_documents_under_a_mention_filter_equal_the_solver(gold, pred, data):
    """Gold mentions of three kinds, names kept: the predictions the filter ignores are found
    without the pairs (touched_predictions); the counts are the solver's on the kept gold and
    the scored predictions, and the batch gives the same rows."""
    kinds = data.draw(
        st.lists(
            st.sampled_from(["name", "name", "nominal", "pronoun"]),
            min_size=len(gold),
            max_size=len(gold),
        )
    )
    gold_dicts = [d | {"mention": k} for d, k in zip(as_dicts(gold), kinds, strict=True)]
    names = frozenset({"name"})
    ignored = ignored_prediction_indices(gold_dicts, as_dicts(pred), mentions=names)
    kept = [s for s, k in zip(gold, kinds, strict=True) if k == "name"]
    scored = [s for j, s in enumerate(pred) if j not in ignored]
    expected = reference_tally(kept, scored) | {"ignored_predictions": len(ignored)}
    assert tally_entities(gold_dicts, as_dicts(pred), mentions=names) == expected
    columns = tally_entities_batch([(gold_dicts, as_dicts(pred), None)], mentions=names)
    assert columns.row_dict(0) == expected
