"""The hypothesis profiles of the property tests (tests/evaluation/test_properties.py),
registered by tests/conftest.py: `ci`, the default, with a fixed seed and a budget that keeps the
suite within its time; `fuzz` (HYPOTHESIS_PROFILE=fuzz, `make fuzz`) with many more examples and
a fresh seed each run. SECURITY.md counts its cases from here."""

from __future__ import annotations

import os

FUZZ_EXAMPLES = {"ci": 40, "fuzz": 2000}
# the fast input path against the reference path (tests/schema/test_fast_validation.py):
# exactness is checked on more examples in CI than the other properties
EXACTNESS_EXAMPLES = {"ci": 200, "fuzz": 2000}


def profile_name() -> str:
    """The hypothesis profile in force: HYPOTHESIS_PROFILE, `ci` by default."""
    return os.environ.get("HYPOTHESIS_PROFILE", "ci")


def load_profile() -> None:
    """Register both profiles and load the one HYPOTHESIS_PROFILE names (default `ci`)."""
    from hypothesis import HealthCheck, settings

    slow_is_fine = [HealthCheck.too_slow, HealthCheck.data_too_large]
    settings.register_profile(
        "ci",
        max_examples=FUZZ_EXAMPLES["ci"],
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=slow_is_fine,
    )
    settings.register_profile(
        "fuzz",
        max_examples=FUZZ_EXAMPLES["fuzz"],
        deadline=None,
        suppress_health_check=slow_is_fine,
    )
    settings.load_profile(profile_name())
