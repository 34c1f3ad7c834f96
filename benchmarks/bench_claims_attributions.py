"""Time `tally_attributions` and `tally_claims` before and after issue 16, in one process.

Run: PYTHONPATH=src .venv/bin/python benchmarks/bench_claims_attributions.py
     [--data build/bench/data/n3000-seed0-v1] [--documents N] [--repeat 3]

"Before" is the all-pairs implementation kept as the reference of
tests/scoring/test_claims_attributions_fast.py (every pair through the per-pair functions, then
`max_weight_matching` with canonical keys); "after" is the package. Documents come from
w3-gold.jsonl and w3-pred.jsonl, paired by doc_id. Every document's tally is checked equal
before the times are printed. Times are process CPU seconds, chunk by chunk the best of
``--repeat`` alternating passes (see `compare`), from cold text caches (normalised texts and
token bags are lru-cached) as in one `evaluate` run, then from warm ones: then the figure is
the comparing and matching alone.
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson

from sourcetrace.scoring import common, piece_matrices
from sourcetrace.scoring.attributions import tally_attributions
from sourcetrace.scoring.claims import tally_claims

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "tests" / "scoring" / "test_claims_attributions_fast.py"

Document = dict[str, Any]
CHUNK = 100  # documents timed together


def load_reference() -> ModuleType:
    """The test module, for its plain all-pairs implementation (the "before")."""
    spec = importlib.util.spec_from_file_location("claims_attributions_reference", REFERENCE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_pairs(data: Path, limit: int | None) -> list[tuple[Document, Document]]:
    with (data / "w3-gold.jsonl").open("rb") as lines:
        gold = {doc["doc_id"]: doc for doc in map(orjson.loads, lines)}
    with (data / "w3-pred.jsonl").open("rb") as lines:
        pred = {doc["doc_id"]: doc for doc in map(orjson.loads, lines)}
    doc_ids = sorted(gold)[:limit]
    missing = [doc_id for doc_id in doc_ids if doc_id not in pred]
    if missing:
        raise SystemExit(f"{len(missing)} gold documents have no prediction, e.g. {missing[0]}")
    return [(gold[doc_id], pred[doc_id]) for doc_id in doc_ids]


def clear_text_caches() -> None:
    """Forget every normalised text and token bag, as at the start of an `evaluate` run."""
    common.normalize_text.cache_clear()
    common._token_counts.cache_clear()
    piece_matrices._token_bag.cache_clear()


Scorer = Callable[[Document, Document], Any]


def compare(
    before: Scorer, after: Scorer, pairs: list[tuple[Document, Document]], repeat: int, cold: bool
) -> tuple[float, float]:
    """Process-CPU seconds of before and after over all documents.

    The documents are timed in chunks, before and after alternating chunk by chunk, and each
    chunk's best of ``repeat`` is kept: on a shared machine, load comes and goes within a run,
    and this way both sides see the same load and a passing spike is dropped. Each chunk starts
    from cold text caches if ``cold``; otherwise the chunk is scored once untimed to fill them.
    """
    total = {"before": 0.0, "after": 0.0}
    for first in range(0, len(pairs), CHUNK):
        chunk = pairs[first : first + CHUNK]
        best = {"before": float("inf"), "after": float("inf")}
        results: dict[str, list[Any]] = {}
        for _ in range(repeat):
            for name, scorer in (("before", before), ("after", after)):
                if cold:
                    clear_text_caches()
                else:
                    [scorer(gold, pred) for gold, pred in chunk]
                started = time.process_time()
                results[name] = [scorer(gold, pred) for gold, pred in chunk]
                best[name] = min(best[name], time.process_time() - started)
        if results["before"] != results["after"]:
            raise SystemExit(f"the tallies differ from the reference in documents {first}+")
        total["before"] += best["before"]
        total["after"] += best["after"]
    return total["before"], total["after"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO / "build/bench/data/n3000-seed0-v1")
    parser.add_argument("--documents", type=int, default=None, help="first N documents only")
    parser.add_argument("--repeat", type=int, default=3, help="passes per chunk (best is kept)")
    args = parser.parse_args()
    reference = load_reference()
    pairs = load_pairs(args.data, args.documents)
    # the first scipy import and numpy warm-up are no part of either figure
    tally_attributions(*pairs[0])
    reference.reference_tally_attributions(*pairs[0])
    n_attributions = sum(len(gold["attributions"]) for gold, _ in pairs)
    n_claims = sum(len(gold["claims"]) for gold, _ in pairs)
    print(
        f"{len(pairs)} documents, {n_attributions} gold attributions, {n_claims} gold claims "
        f"({args.data})"
    )

    def after_claims(gold: Document, pred: Document) -> Any:
        return tally_claims(gold["claims"], pred["claims"])

    def before_claims(gold: Document, pred: Document) -> Any:
        return reference.reference_tally_claims(gold["claims"], pred["claims"])

    rows: tuple[tuple[str, Scorer, Scorer], ...] = (
        ("tally_attributions", reference.reference_tally_attributions, tally_attributions),
        ("tally_claims", before_claims, after_claims),
    )
    for caches in ("cold", "warm"):
        for name, before, after in rows:
            before_seconds, after_seconds = compare(
                before, after, pairs, args.repeat, caches == "cold"
            )
            print(
                f"{name:<19} {caches} text caches: before {before_seconds:6.2f} s, "
                f"after {after_seconds:5.2f} s, x{before_seconds / after_seconds:.1f}"
            )


if __name__ == "__main__":
    main()
