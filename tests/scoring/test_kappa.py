"""Cohen's kappa without sklearn (scoring.kappa) is sklearn's ``cohen_kappa_score`` to the bit.

The reports printed kappa from sklearn until the start-up work of issue 25; the small exact
implementation replaces it on the path of every `evaluate`, so it must give the same floats, not
merely close ones: a report's JSON would otherwise change in its last digits.
"""

from __future__ import annotations

import math
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from fuzz_profiles import EXACTNESS_EXAMPLES, profile_name
from sourcetrace.agreement.coefficients import cohen_kappa
from sourcetrace.scoring.claims import attribute_agreement
from sourcetrace.scoring.kappa import kappa_of_codes


def sklearn_kappa(codes_a: list[int], codes_b: list[int], n_labels: int) -> float | None:
    """The reference: sklearn's value, nan (undefined) as None."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = cohen_kappa_score(codes_a, codes_b, labels=list(range(n_labels)))
    return None if math.isnan(value) else float(value)


@st.composite
def paired_codes(draw: st.DrawFn) -> tuple[list[int], list[int], int]:
    n_labels = draw(st.integers(min_value=1, max_value=6))
    pairs = draw(
        st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=n_labels - 1),
                st.integers(min_value=0, max_value=n_labels - 1),
            ),
            min_size=1,
            max_size=300,
        )
    )
    return [a for a, _ in pairs], [b for _, b in pairs], n_labels


@settings(max_examples=EXACTNESS_EXAMPLES[profile_name()])
@given(paired_codes())
def test_kappa_of_codes_equals_sklearn_bit_for_bit(data):
    codes_a, codes_b, n_labels = data
    assert kappa_of_codes(codes_a, codes_b, n_labels) == sklearn_kappa(codes_a, codes_b, n_labels)


def test_kappa_of_a_hand_table_and_of_sklearn_agree():
    # (a, b): (0,0) 3, (0,1) 1, (1,1) 2, (2,0) 1; n = 7. p_o = 5/7.
    # a: 0 -> 4, 1 -> 2, 2 -> 1; b: 0 -> 4, 1 -> 3, 2 -> 0.
    # p_e = (4*4 + 2*3 + 1*0) / 49 = 22/49; kappa = (5/7 - 22/49) / (1 - 22/49) = 13/27.
    codes_a = [0, 0, 0, 0, 1, 1, 2]
    codes_b = [0, 0, 0, 1, 1, 1, 0]
    assert kappa_of_codes(codes_a, codes_b, 3) == pytest.approx(13 / 27, abs=1e-15)
    assert kappa_of_codes(codes_a, codes_b, 3) == sklearn_kappa(codes_a, codes_b, 3)


@pytest.mark.parametrize(
    "codes_a, codes_b, n_labels",
    [([], [], 2), ([1, 1, 1], [1, 1, 1], 3)],
    ids=["no-pairs", "one-label-on-both-sides"],
)
def test_kappa_of_codes_undefined_is_none(codes_a, codes_b, n_labels):
    assert kappa_of_codes(codes_a, codes_b, n_labels) is None


def test_kappa_of_codes_refuses_unpaired_codes():
    with pytest.raises(ValueError, match="paired"):
        kappa_of_codes([0, 1], [0], 2)


LABELS = ["certain", "possible", "probable", "underspecified", True, False, "invented"]


@settings(max_examples=EXACTNESS_EXAMPLES[profile_name()])
@given(st.lists(st.tuples(st.sampled_from(LABELS), st.sampled_from(LABELS)), max_size=80))
def test_both_public_kappas_equal_sklearn_on_mixed_labels(pairs):
    """The agreement coefficient and the claims scorer's attribute kappa, on labels of mixed
    types (a system's "yes" next to True), against sklearn on the same integer codes."""
    gold = [g for g, _ in pairs]
    pred = [p for _, p in pairs]
    order = sorted(set(LABELS), key=lambda value: (type(value).__name__, repr(value)))
    code = {label: index for index, label in enumerate(order)}
    expected = (
        sklearn_kappa([code[g] for g in gold], [code[p] for p in pred], len(order))
        if pairs
        else None
    )
    assert cohen_kappa(gold, pred, labels=LABELS) == expected
    if len(set(gold) | set(pred)) > 1:
        assert attribute_agreement(gold, pred, "certainty")["kappa"] == pytest.approx(
            expected, abs=1e-15
        )
