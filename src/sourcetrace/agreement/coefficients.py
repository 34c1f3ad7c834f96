"""Chance-corrected agreement on categorical attributes: Cohen's kappa and Krippendorff's alpha.

Both coefficients are 0/0 when the data show no variation (everyone used one label): agreement
is then perfect but says nothing about reliability. Such cases return None, never nan, so a JSON
report holds ``null`` and no caller compares nan by mistake. See docs/statistics.md.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Hashable, Sequence
from numbers import Real

import krippendorff
import numpy as np
from sklearn.metrics import cohen_kappa_score

LEVELS = ("nominal", "ordinal", "interval", "ratio")


def cohen_kappa(
    labels_a: Sequence[Hashable],
    labels_b: Sequence[Hashable],
    labels: Sequence[Hashable] | None = None,
) -> float | None:
    """Cohen's kappa of two annotators over the same items (sklearn's ``cohen_kappa_score``).

    Every item needs a label on both sides: pairs with a missing value are refused rather than
    dropped, because dropping them silently changes n; use ``krippendorff_alpha`` for data with
    gaps. ``labels`` (the full inventory) changes nothing to the value, but a label outside it
    is refused: sklearn would otherwise ignore those items.
    """
    if len(labels_a) != len(labels_b):
        raise ValueError(f"kappa needs paired labels: {len(labels_a)} against {len(labels_b)}")
    if any(value is None for value in (*labels_a, *labels_b)):
        raise ValueError("kappa needs a label on both sides of every pair; found None")
    if labels is not None:
        unknown = {*labels_a, *labels_b} - set(labels)
        if unknown:
            raise ValueError(f"labels outside the given inventory: {sorted(map(repr, unknown))}")
    if not labels_a:
        return None
    # Integer codes: sklearn refuses some mixes (bool with str) that are valid categories here.
    codes = _codes([*(labels or ()), *labels_a, *labels_b])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the undefined case is reported as None below
        kappa = cohen_kappa_score(
            [codes[v] for v in labels_a],
            [codes[v] for v in labels_b],
            labels=sorted(set(codes.values())),
            replace_undefined_by=np.nan,
        )
    return None if math.isnan(kappa) else float(kappa)


def krippendorff_alpha(
    units: Sequence[Sequence[Hashable | None]], level: str = "nominal"
) -> float | None:
    """Krippendorff's alpha; ``units`` has one row per item and one value per annotator.

    None marks a missing value. Nominal data may be any hashable labels; the other levels need
    numbers, since their distances use the values themselves. Computed by the ``krippendorff``
    package; None when no item has two values or the paired values show no variation.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")
    widths = {len(row) for row in units}
    if len(widths) > 1:
        raise ValueError(f"every unit needs one value per annotator; row widths {sorted(widths)}")
    pairable = [v for row in units for v in _present(row) if len(_present(row)) >= 2]
    if len(set(pairable)) < 2:
        return None
    if level == "nominal":
        codes = _codes(pairable)
        domain = sorted(codes.values())
        matrix = [
            [np.nan if v is None or v not in codes else codes[v] for v in row] for row in units
        ]
    else:
        if not all(isinstance(v, Real) and not isinstance(v, bool) for v in pairable):
            raise ValueError(f"{level} alpha needs numeric values")
        domain = None
        matrix = [[np.nan if v is None else float(v) for v in row] for row in units]
    # The package wants annotators as rows, units as columns.
    reliability = np.array(matrix, dtype=float).T
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alpha = krippendorff.alpha(
            reliability_data=reliability, value_domain=domain, level_of_measurement=level
        )
    return None if math.isnan(alpha) else float(alpha)


def _present(row: Sequence[Hashable | None]) -> list[Hashable]:
    return [v for v in row if v is not None]


def _codes(values: Sequence[Hashable]) -> dict[Hashable, int]:
    """Category -> integer code in a fixed order of the categories (by type name, then repr),
    never in order of appearance: the confusion matrix, and so the last bit of kappa, must not
    depend on the order of the items."""
    categories = sorted(set(values), key=lambda value: (type(value).__name__, repr(value)))
    return {value: code for code, value in enumerate(categories)}
