"""End-to-end `evaluate` on synthetic data at scale: all three layers, bootstrap and a comparison.

Prints wall-clock figures (best of 3) for reading+validating, scoring, bootstrap and the paired
test, so regressions show up as numbers, never as timing asserts in tests.

    .venv/bin/python benchmarks/bench_evaluate.py [--documents 500]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import tempfile
import time
from pathlib import Path

import sourcetrace

TYPES = ["PERSON", "ORG", "GPE", "WEAPON", "DATE"]
WORDS = [
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliet",
    "kilo",
    "lima",
    "mike",
]


def synthetic_document(doc_id: str, rng: random.Random) -> tuple[dict, dict, dict]:
    """A gold record (with text) and two noisy predictions for it (two systems)."""
    sentences, entities, claims, attributions = [], [], [], []
    offset = 0
    for index in range(20):
        name = rng.choice(WORDS).capitalize()
        body = " ".join(rng.choice(WORDS) for _ in range(12))
        sentence = f"{name} said {body}."
        start = offset
        entities.append(
            {
                "id": f"e{index}",
                "start": start,
                "end": start + len(name),
                "text": name,
                "type": TYPES[WORDS.index(name.lower()) % len(TYPES)],  # one type per entity
                "mention": "name",
                "entity": name.lower(),
            }
        )
        content_start = start + len(name) + 6
        content = {"start": content_start, "end": content_start + len(body), "text": body}
        claims.append(
            {
                "id": f"c{index}",
                **content,
                "polarity": "positive",
                "certainty": "certain",
                "checkworthy": True,
                "cluster": f"k{rng.randrange(200)}",
            }
        )
        attributions.append(
            {
                "id": f"a{index}",
                "source": {"mention": f"e{index}"},
                "cue": {
                    "start": start + len(name) + 1,
                    "end": start + len(name) + 5,
                    "text": "said",
                },
                "content": {"claims": [f"c{index}"], **content},
                "type": "indirect",
                "nested_in": None,
            }
        )
        sentences.append(sentence)
        offset += len(sentence) + 1
    text = " ".join(sentences)
    gold = {
        "doc_id": doc_id,
        "text": text,
        "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
        "entities": entities,
        "claims": claims,
        "attributions": attributions,
    }
    return (
        gold,
        noisy(doc_id, entities, claims, attributions, rng, 0.8),
        noisy(doc_id, entities, claims, attributions, rng, 0.7),
    )


def noisy(doc_id, entities, claims, attributions, rng, keep_rate: float) -> dict:
    """A system that finds each gold item with probability ``keep_rate``."""
    keep = [i for i in range(len(entities)) if rng.random() < keep_rate]
    return {
        "doc_id": doc_id,
        "entities": [{k: entities[i][k] for k in ("start", "end", "type")} for i in keep],
        "claims": [{"text": claims[i]["text"], "polarity": "positive"} for i in keep],
        "attributions": [
            {
                "source": {"text": entities[i]["text"]},
                "cue": {
                    "start": attributions[i]["cue"]["start"],
                    "end": attributions[i]["cue"]["end"],
                },
                "content": {"text": claims[i]["text"]},
            }
            for i in keep
        ],
    }


def best_of(times: int, function) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(times):
        started = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--bootstrap", type=int, default=1000)
    args = parser.parse_args()
    rng = random.Random(0)
    triples = [synthetic_document(f"d{i:05d}", rng) for i in range(args.documents)]
    with tempfile.TemporaryDirectory() as tmp:
        gold_path = Path(tmp) / "gold.jsonl"
        a_path, b_path = Path(tmp) / "system_a.jsonl", Path(tmp) / "system_b.jsonl"
        for path, column in ((gold_path, 0), (a_path, 1), (b_path, 2)):
            path.write_text("".join(json.dumps(t[column]) + "\n" for t in triples))
        items = sum(
            len(t[0][layer]) for t in triples for layer in ("entities", "claims", "attributions")
        )
        print(f"{args.documents} documents, {items} gold items over three layers (best of 3)")
        plain, report = best_of(3, lambda: sourcetrace.evaluate(a_path, gold=gold_path))
        print(f"evaluate: read, validate, score 3 layers    {plain:7.2f} s")
        boot, _ = best_of(
            3, lambda: sourcetrace.evaluate(a_path, gold=gold_path, bootstrap=args.bootstrap)
        )
        print(
            f"bootstrap, {args.bootstrap} samples x 18 metrics:   +{boot - plain:6.2f} s "
            f"(total {boot:.2f} s)"
        )
        comp, compared = best_of(
            3,
            lambda: sourcetrace.evaluate(
                a_path, gold=gold_path, compare=b_path, compare_samples=args.bootstrap
            ),
        )
        print(
            f"paired AR test vs system B, {args.bootstrap} samples: +{comp - plain:6.2f} s "
            f"(total {comp:.2f} s; it scores system B too)"
        )
        layers = report["layers"]
        delta = compared["statistics"]["comparison"]["metrics"]["entities.strict.f1"]
        print(
            f"system A entities strict F1 {layers['entities']['overall']['strict']['f1']:.4f}, "
            f"A - B {delta['delta']:+.4f}, p = {delta['p_value']:.4f}"
        )


if __name__ == "__main__":
    main()
