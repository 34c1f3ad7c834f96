"""A nervaluate 1.2.1 run as a user writes it: read two JSON Lines files, score, write the result.

    python benchmarks/nervaluate_entities.py GOLD.jsonl PRED.jsonl OUT.json

Standard-library json, nervaluate's `Evaluator(loader="dict")` over every document's entity
spans (end made inclusive, as nervaluate counts), and the overall counts and metrics of the four
schemes written as JSON. The reference process of the whole-process benchmarks.
"""

import json
import sys

from nervaluate import Evaluator

COUNTS = ("correct", "incorrect", "partial", "missed", "spurious", "precision", "recall", "f1")


def spans(path: str) -> list[list[dict]]:
    with open(path, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    return [
        [{"label": e["type"], "start": e["start"], "end": e["end"] - 1} for e in row["entities"]]
        for row in rows
    ]


def main(gold: str, pred: str, out: str) -> None:
    true, predicted = spans(gold), spans(pred)
    tags = sorted({s["label"] for doc in true + predicted for s in doc})
    results = Evaluator(true, predicted, tags=tags, loader="dict").evaluate()
    overall = {
        scheme: {name: getattr(metrics, name) for name in COUNTS}
        for scheme, metrics in results["overall"].items()
    }
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(overall, handle)


if __name__ == "__main__":
    main(*sys.argv[1:4])
