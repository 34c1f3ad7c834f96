"""Whole processes side by side: `evaluate` against a nervaluate 1.2.1 script, on the same files.

Each side is a fresh process that starts, reads the gold and the predictions from JSON Lines,
scores entities and writes its result to a file, as a user runs it. `evaluate` also validates
every record (JSON Schema, then offsets against the text), which nervaluate does not do. The
synthetic spans are those of bench_entities.py (unambiguous, so both must agree).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_entities import synthetic_document

NERVALUATE_SCRIPT = Path(__file__).with_name("nervaluate_entities.py")


def write_inputs(folder: Path, documents: int, slots: int, seed: int) -> tuple[Path, Path, int]:
    """Gold JSONL with texts (valid gold records) and predictions JSONL, one line a document."""
    rng = random.Random(seed)
    gold_lines, pred_lines, spans = [], [], 0
    for index in range(documents):
        gold, pred = synthetic_document(rng, slots)
        length = max([s["end"] for s in gold + pred] + [1])
        text = "a" * length  # no white space: every synthetic span is a valid span
        doc_id = f"d{index:05d}"
        entities = [
            {
                "id": f"e{i}",
                **s,
                "text": text[s["start"] : s["end"]],
                "mention": "name",
                "entity": f"{doc_id}-e{i}",
            }
            for i, s in enumerate(gold)
        ]
        spans += len(entities)
        record = {
            "doc_id": doc_id,
            "text": text,
            "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
            "entities": entities,
            "claims": [],
            "attributions": [],
        }
        gold_lines.append(json.dumps(record))
        pred_lines.append(json.dumps({"doc_id": doc_id, "entities": pred}))
    gold_path, pred_path = folder / "gold.jsonl", folder / "pred.jsonl"
    gold_path.write_text("\n".join(gold_lines) + "\n")
    pred_path.write_text("\n".join(pred_lines) + "\n")
    return gold_path, pred_path, spans


def best_of(repeats: int, command: list[str]) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--spans", type=int, default=50, help="slots per document")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        gold, pred, spans = write_inputs(folder, args.documents, args.spans, args.seed)
        evaluate = Path(sys.executable).with_name("evaluate")
        ours_out, theirs_out = folder / "ours.json", folder / "theirs.json"
        ours = best_of(
            args.repeats,
            [
                str(evaluate),
                str(pred),
                "--gold",
                str(gold),
                "--layers",
                "entities",
                "--output",
                str(ours_out),
            ],
        )
        theirs = best_of(
            args.repeats,
            [sys.executable, str(NERVALUATE_SCRIPT), str(gold), str(pred), str(theirs_out)],
        )
        strict_ours = json.loads(ours_out.read_text())["layers"]["entities"]["overall"]["strict"]
        strict_theirs = json.loads(theirs_out.read_text())["strict"]
        size = (gold.stat().st_size + pred.stat().st_size) / 1e6
    print(
        f"{args.documents} documents, {spans} gold spans, {size:.1f} MB of JSON Lines, "
        f"best of {args.repeats}, whole processes"
    )
    print(f"evaluate (read, validate, score, write): {ours:8.3f} s")
    print(f"nervaluate 1.2.1 script (read, score, write): {theirs:8.3f} s")
    print(f"ratio evaluate / nervaluate: {ours / theirs:.2f}x")
    same = all(
        strict_ours[k] == strict_theirs[k] for k in ("correct", "incorrect", "missed", "spurious")
    )
    print("strict counts agree" if same else f"DISAGREEMENT {strict_ours} {strict_theirs}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
