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

from sourcetrace.scoring.common import category_codes, cohen_kappa

# Cohen's kappa lives in scoring.common (the claim attributes use it too); it is part of this
# module's public API
__all__ = ["LEVELS", "cohen_kappa", "krippendorff_alpha"]

LEVELS = ("nominal", "ordinal", "interval", "ratio")


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
        codes = category_codes(pairable)
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
