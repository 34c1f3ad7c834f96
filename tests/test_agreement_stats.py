"""Agreement coefficients against hand-computed tables."""

from __future__ import annotations

import pytest

from sourcetrace.agreement.coefficients import cohen_kappa, krippendorff_alpha

# A 2x2 table over 50 items (A = rows, B = columns):
#              B yes   B no
#   A yes       20       5
#   A no        10      15
# p_o = (20 + 15) / 50 = 0.7
# A says yes 25/50 = 0.5, B says yes 30/50 = 0.6
# p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5
# kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4
TABLE_A = ["yes"] * 20 + ["yes"] * 5 + ["no"] * 10 + ["no"] * 15
TABLE_B = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15


def test_kappa_of_a_hand_computed_two_by_two_table():
    assert cohen_kappa(TABLE_A, TABLE_B) == pytest.approx(0.4, abs=1e-12)


def test_kappa_is_symmetric_and_order_free():
    assert cohen_kappa(TABLE_B, TABLE_A) == pytest.approx(0.4, abs=1e-12)
    assert cohen_kappa(TABLE_A[::-1], TABLE_B[::-1]) == pytest.approx(0.4, abs=1e-12)


def test_unused_labels_of_the_inventory_change_nothing():
    kappa = cohen_kappa(TABLE_A, TABLE_B, labels=["yes", "no", "maybe"])
    assert kappa == pytest.approx(0.4, abs=1e-12)


def test_kappa_on_booleans():
    # checkworthy flags: A = T T F F, B = T F F F.  p_o = 3/4;
    # A true 1/2, B true 1/4: p_e = 1/2 * 1/4 + 1/2 * 3/4 = 1/2; kappa = (3/4 - 1/2) / (1/2) = 1/2
    kappa = cohen_kappa([True, True, False, False], [True, False, False, False])
    assert kappa == pytest.approx(0.5, abs=1e-12)


def test_perfect_agreement_with_two_labels_is_one():
    labels = ["certain", "possible", "certain"]
    assert cohen_kappa(labels, list(labels)) == 1.0


@pytest.mark.parametrize(
    "a, b", [([], []), (["x", "x"], ["x", "x"])], ids=["no-items", "one-label-only"]
)
def test_kappa_undefined_is_none(a, b):
    # One label only: p_o = p_e = 1 and kappa = 0/0.
    assert cohen_kappa(a, b) is None
    assert cohen_kappa(a, b, labels=["x", "y"]) is None


@pytest.mark.parametrize(
    "a, b, labels",
    [
        (["x"], ["x", "y"], None),
        (["x", None], ["x", "y"], None),
        (["x", "z"], ["x", "y"], ["x", "y"]),
    ],
    ids=["unpaired", "missing-value", "outside-inventory"],
)
def test_kappa_refuses_bad_input(a, b, labels):
    with pytest.raises(ValueError):
        cohen_kappa(a, b, labels)


# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", example C: 4 observers,
# 12 units, values 1-5, "." = missing.
#   unit:   1  2  3  4  5  6  7  8  9 10 11 12
#   A:      1  2  3  3  2  1  4  1  2  .  .  .
#   B:      1  2  3  3  2  2  4  1  2  5  .  3
#   C:      .  3  3  3  2  3  4  2  2  5  1  .
#   D:      1  2  3  3  2  4  4  1  2  5  1  .
OBSERVERS = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]
UNITS = [list(unit) for unit in zip(*OBSERVERS, strict=True)]
# Coincidence matrix, each unit with m_u values adding 1/(m_u - 1) per ordered pair of values:
#   u1 {1,1,1}: o11 += 3        u2 {2,2,3,2}: o22 += 2, o23 = o32 += 1
#   u3, u4 {3,3,3,3}: o33 += 4 each          u5, u9 {2,2,2,2}: o22 += 4 each
#   u6 {1,2,3,4}: every o_ck (c != k) among 1-4 += 1/3        u7 {4,4,4,4}: o44 += 4
#   u8 {1,1,2,1}: o11 += 2, o12 = o21 += 1   u10 {5,5,5}: o55 += 3   u11 {1,1}: o11 += 2
#   u12 has one value: not pairable.
# Diagonal: o11 = 7, o22 = 10, o33 = 8, o44 = 4, o55 = 3 (sum 32); n = 40 pairable values.
# Off-diagonal: o12 = o21 = 4/3, o23 = o32 = 4/3, o13 = o14 = o24 = o34 = 1/3 (and mirrors).
# Marginals: n1 = 9, n2 = 13, n3 = 10, n4 = 5, n5 = 3.
KRIPPENDORFF_NOMINAL = 1 - 39 * (40 - 32) / (40**2 - (9**2 + 13**2 + 10**2 + 5**2 + 3**2))
# = 1 - 39 * 8 / 1216 = 113/152 = 0.74342 (the paper: 0.743)
# Interval, delta^2 = (c - k)^2:
#   observed sum over ordered c != k of o_ck delta^2
#     = 2 * (4/3*1 + 1/3*4 + 1/3*9 + 4/3*1 + 1/3*4 + 1/3*1) = 52/3
#   expected sum over ordered c != k of n_c n_k delta^2 = 2 * (9*13*1 + 9*10*4 + 9*5*9 + 9*3*16
#     + 13*10*1 + 13*5*4 + 13*3*9 + 10*5*1 + 10*3*4 + 5*3*1) = 2 * 2240 = 4480
KRIPPENDORFF_INTERVAL = 1 - 39 * (52 / 3) / 4480
# = 951/1120 = 0.84911 (the paper: 0.849)


def test_alpha_nominal_of_krippendorff_2011_example():
    assert pytest.approx(113 / 152) == KRIPPENDORFF_NOMINAL
    assert krippendorff_alpha(UNITS) == pytest.approx(113 / 152, abs=1e-12)


def test_alpha_nominal_on_string_labels():
    names = {1: "certain", 2: "probable", 3: "possible", 4: "underspecified", 5: "other"}
    units = [[None if v is None else names[v] for v in unit] for unit in UNITS]
    assert krippendorff_alpha(units, level="nominal") == pytest.approx(113 / 152, abs=1e-12)


def test_alpha_interval_of_krippendorff_2011_example():
    assert pytest.approx(951 / 1120) == KRIPPENDORFF_INTERVAL
    assert krippendorff_alpha(UNITS, level="interval") == pytest.approx(951 / 1120, abs=1e-12)


def test_alpha_nominal_ignores_annotator_order_and_label_names():
    shuffled = [unit[::-1] for unit in UNITS]
    renamed = [[None if v is None else f"L{6 - v}" for v in unit] for unit in shuffled]
    assert krippendorff_alpha(renamed) == pytest.approx(113 / 152, abs=1e-12)


def test_alpha_of_perfect_agreement_with_variation_is_one():
    assert krippendorff_alpha([["a", "a", None], ["b", "b", "b"], ["c", None, "c"]]) == 1.0


@pytest.mark.parametrize(
    "units",
    [
        [],
        [["a", None], [None, "b"]],
        [
            ["a", "a"],
            [
                "a",
                "a",
            ],
            ["b", None],
        ],
    ],
    ids=["no-units", "nothing-pairable", "no-variation-among-pairable-values"],
)
def test_alpha_undefined_is_none(units):
    assert krippendorff_alpha(units) is None


def test_alpha_refuses_bad_input():
    with pytest.raises(ValueError):
        krippendorff_alpha([["a", "b"], ["a"]])  # ragged rows
    with pytest.raises(ValueError):
        krippendorff_alpha([["a", "b"], ["a", "a"]], level="interval")  # labels are not numbers
    with pytest.raises(ValueError):
        krippendorff_alpha([[1, 2]], level="cardinal")
