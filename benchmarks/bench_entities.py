"""Time the entity scorer against nervaluate 1.2.1 on the same synthetic, unambiguous spans.

Run: PYTHONPATH=src .venv/bin/python benchmarks/bench_entities.py [--documents N] [--spans N]

Unambiguous data (disjoint slots, each with at most one gold and one predicted span) is the
only kind on which nervaluate's greedy matching and our optimal matching must agree, so the
script also checks that every count and metric is equal before it prints the times.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from typing import Any

from nervaluate import Evaluator

from sourcetrace.schema.labels import names
from sourcetrace.scoring.entities import COUNT_NAMES, SCHEMES, score_entities

TYPES = tuple(names("entity_types"))  # schema/labels.json, the one inventory
REPORTED = (*COUNT_NAMES, "possible", "actual", "precision", "recall", "f1")


def synthetic_document(rng: random.Random, slots: int) -> tuple[list[dict], list[dict]]:
    gold, pred = [], []
    position = 0
    for _ in range(slots):
        position += rng.randint(1, 20)
        length = rng.randint(2, 25)
        g_start = position + rng.randrange(0, length)
        g_end = rng.randint(g_start + 1, position + length)
        gold_type = rng.choice(TYPES)
        draw = rng.random()
        if draw < 0.6:  # same span
            p_start, p_end = g_start, g_end
        else:
            p_start = position + rng.randrange(0, length)
            p_end = rng.randint(p_start + 1, position + length)
        pred_type = gold_type if rng.random() < 0.8 else rng.choice(TYPES)
        if draw < 0.93:
            gold.append({"start": g_start, "end": g_end, "type": gold_type})
        if draw < 0.86 or draw >= 0.93:
            pred.append({"start": p_start, "end": p_end, "type": pred_type})
        position += length
    return gold, pred


def best_of(repeats: int, run: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeats):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return best, result


def disagreements(ours: dict, theirs: dict) -> list[str]:
    problems = []
    views = [("overall", ours["overall"], theirs["overall"])]
    views += [(t, ours["per_type"].get(t), r) for t, r in theirs["entities"].items()]
    for label, mine, reference in views:
        if mine is None:
            problems.append(f"{label}: missing from our per_type")
            continue
        for scheme in SCHEMES:
            for name in REPORTED:
                if mine[scheme][name] != getattr(reference[scheme], name):
                    problems.append(
                        f"{label}/{scheme}/{name}: {mine[scheme][name]} != "
                        f"{getattr(reference[scheme], name)}"
                    )
    if set(ours["per_type"]) != set(theirs["entities"]):
        problems.append("per-type keys differ")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--spans", type=int, default=50, help="slots per document")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    documents = [synthetic_document(rng, args.spans) for _ in range(args.documents)]
    gold_docs = {f"d{i:05d}": {"entities": g} for i, (g, _) in enumerate(documents)}
    pred_docs = {f"d{i:05d}": {"entities": p} for i, (_, p) in enumerate(documents)}
    n_gold = sum(len(g) for g, _ in documents)
    n_pred = sum(len(p) for _, p in documents)

    def inclusive(spans: list[dict]) -> list[dict]:
        return [{"label": s["type"], "start": s["start"], "end": s["end"] - 1} for s in spans]

    def run_nervaluate() -> dict:
        true = [inclusive(g) for g, _ in documents]
        pred = [inclusive(p) for _, p in documents]
        return Evaluator(true, pred, tags=list(TYPES), loader="dict").evaluate()

    ours_time, ours = best_of(args.repeats, lambda: score_entities(gold_docs, pred_docs))
    theirs_time, theirs = best_of(args.repeats, run_nervaluate)

    print(
        f"{args.documents} documents, {n_gold} gold and {n_pred} predicted spans, "
        f"best of {args.repeats}"
    )
    print(f"sourcetrace score_entities: {ours_time:8.3f} s")
    print(f"nervaluate 1.2.1 evaluate:  {theirs_time:8.3f} s")
    print(f"ratio nervaluate / sourcetrace: {theirs_time / ours_time:.2f}x")
    problems = disagreements(ours, theirs)
    if problems:
        print(f"DISAGREEMENT in {len(problems)} figures, e.g. {problems[:5]}")
        return 1
    print("numbers agree: every count and metric, overall and per type, all four schemes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
