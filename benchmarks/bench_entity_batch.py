"""Time `tally_entities_batch` against a loop of `tally_entities` on the same synthetic corpus.

Run: PYTHONPATH=src .venv/bin/python benchmarks/bench_entity_batch.py [--documents N] [--spans N]
     [--text-only SHARE] [--mentions name]

Documents hold about ``--spans`` gold spans (some nested in others) and predictions perturbed
the ways systems err: exact, shifted boundaries, wrong type, missed, spurious, and spans that
overlap two gold spans. The script checks that every document's tally is equal before it
prints the times (best of ``--repeat``, in-process, `time.perf_counter`).
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from typing import Any

from sourcetrace.scoring.entities import tally_entities
from sourcetrace.scoring.entity_batch import (
    PATH_ANCHORED,
    PATH_ENUMERATED,
    PATH_LARGE_CLUSTER,
    PATH_WHOLE_DOCUMENT,
    tally_entities_batch,
)

TYPES = ("PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "WEAPON", "EVENT", "DATE", "TIME")
KINDS = ("name",) * 12 + ("nominal",) * 5 + ("pronoun",) * 3
VOCABULARY = [
    f"{stem}{suffix}"
    for stem in ("Kim", "Seo", "Pak", "Ri", "kyi", "mos", "the")
    for suffix in ("", "a", "on", "ung", "ski", "v")
]


def synthetic_document(
    rng: random.Random, n_spans: int, text_only: float = 0.0
) -> tuple[list[dict], list[dict], str]:
    """One document: a text of words, gold spans on word ranges (1 in 10 with a nested gold
    span inside), and the predictions a noisy system would give for them; ``text_only`` of
    them carry the text instead of offsets."""
    n_words = n_spans * 8 + 20
    words = [rng.choice(VOCABULARY) for _ in range(n_words)]
    text = " ".join(words)
    starts, position = [], 0
    for word in words:
        starts.append(position)
        position += len(word) + 1
    ends = [start + len(word) for start, word in zip(starts, words, strict=True)]

    gold: list[dict] = []
    pred: list[dict] = []
    word = 0
    while len(gold) < n_spans and word < n_words - 12:
        word += rng.randint(1, 3)
        last = word + rng.randint(0, 3)
        start, end = starts[word], ends[last]
        entity_type = rng.choice(TYPES)
        gold.append({"start": start, "end": end, "type": entity_type, "mention": rng.choice(KINDS)})
        if last > word and rng.random() < 0.1:  # nested gold ("North Korean" in "... missiles")
            inner = rng.randint(word, last - 1)
            gold.append(
                {"start": start, "end": ends[inner], "type": rng.choice(TYPES), "mention": "name"}
            )
        draw = rng.random()
        if draw < 0.55:  # exact
            guess = {"start": start, "end": end, "type": entity_type}
        elif draw < 0.70:  # shifted boundaries: a word more or less, or a few characters
            if rng.random() < 0.5:
                guess = {
                    "start": starts[word + 1] if last > word else start,
                    "end": ends[last + 1],
                    "type": entity_type,
                }
            else:
                new_start = max(0, start + rng.randint(-3, 3))
                guess = {
                    "start": new_start,
                    "end": max(new_start + 1, end + rng.randint(-3, 3)),
                    "type": entity_type,
                }
        elif draw < 0.82:  # wrong type
            guess = {"start": start, "end": end, "type": rng.choice(TYPES)}
        elif draw < 0.87:  # runs on into the next words (merged entities)
            guess = {"start": start, "end": ends[last + rng.randint(1, 6)], "type": entity_type}
        else:  # missed
            guess = None
        if guess is not None:
            pred.append(guess)
        if rng.random() < 0.08:  # spurious, a word or two after the span
            after = last + rng.randint(1, 4)
            pred.append(
                {
                    "start": starts[after],
                    "end": ends[after + rng.randint(0, 1)],
                    "type": rng.choice(TYPES),
                }
            )
        word = last + 1
    for index, guess in enumerate(pred):
        if rng.random() < text_only:
            pred[index] = {"text": text[guess["start"] : guess["end"]], "type": guess["type"]}
    rng.shuffle(pred)
    return gold, pred, text


def best_of(repeat: int, function: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=30_000)
    parser.add_argument("--spans", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument(
        "--text-only", type=float, default=0.0, help="share of predictions without offsets"
    )
    parser.add_argument(
        "--mentions", default=None, help="mention filter, e.g. 'name' or 'nominal,pronoun'"
    )
    args = parser.parse_args()
    mentions = frozenset(args.mentions.split(",")) if args.mentions else None
    rng = random.Random(args.seed)
    documents = [
        synthetic_document(rng, rng.randint(args.spans - 8, args.spans + 8), args.text_only)
        for _ in range(args.documents)
    ]
    n_gold = sum(len(gold) for gold, _, _ in documents)
    n_pred = sum(len(pred) for _, pred, _ in documents)

    loop_seconds, tallies = best_of(
        args.repeat,
        lambda: [tally_entities(g, p, text=t, mentions=mentions) for g, p, t in documents],
    )
    batch_seconds, columns = best_of(
        args.repeat, lambda: tally_entities_batch(documents, mentions=mentions)
    )
    for index, tally in enumerate(tallies):
        if columns.row_dict(index) != tally:
            raise SystemExit(f"document {index}: batch tally differs from tally_entities")

    print(f"documents {len(documents):,}, gold spans {n_gold:,}, predicted spans {n_pred:,}")
    print(f"text-only share {args.text_only}, mention filter {args.mentions}")
    shares = {
        "one-pair components only (all numpy)": columns.paths == 0,
        "ambiguous clusters enumerated (numpy)": (columns.paths & PATH_ENUMERATED) > 0,
        "a cluster through tally_entities": (columns.paths & PATH_LARGE_CLUSTER) > 0,
        "text-only predictions anchored (per document)": (columns.paths & PATH_ANCHORED) > 0,
        "whole document through tally_entities": (columns.paths & PATH_WHOLE_DOCUMENT) > 0,
    }
    for label, mask in shares.items():
        print(f"  documents with {label:46s} {int(mask.sum()):7,} ({100 * mask.mean():5.1f} %)")
    print(f"loop of tally_entities   {loop_seconds:8.3f} s")
    print(f"tally_entities_batch     {batch_seconds:8.3f} s")
    print(f"speed-up                 {loop_seconds / batch_seconds:8.1f} x")


if __name__ == "__main__":
    main()
