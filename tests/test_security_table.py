"""SECURITY.md's table of hostile inputs is generated from the suite's own counts."""

from __future__ import annotations

from security_table import CLASSES, ROOT, cases_of, current


def test_security_md_is_current() -> None:
    # regenerate with: .venv/bin/python tests/security_table.py --write
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    assert current(text) == text


def test_every_listed_test_exists_and_runs_cases() -> None:
    for _, tests, _ in CLASSES:
        for test in tests:
            assert cases_of(*test) >= 1, test
