"""Whole processes: `sourcetrace convert` against a process that only reads the same files.

    python benchmarks/bench_convert.py [--documents 10000] [--entities 12] [--format hf|conll]
        [--repeats 5] [--src DIR]

The inputs: a gold JSONL with the texts (valid gold records, no annotations) and the system's
output for every document, either the HF token-classification pipeline's aggregated output
(one JSON file {doc_id: [...]}) or a CoNLL file (`-DOCSTART- <doc_id>`, one token a line).
The floor reads the same files and parses them as any tool that reads them must, and exits:
orjson for the JSON (the fastest parser there is), the CoNLL file read as UTF-8 text and split
into columns line by line. `convert` also validates the gold, places every span, maps labels,
checks every output record as `evaluate` does, and writes the predictions. The two commands
run in turns (convert, floor, convert, ...), so that a load that comes and goes on a shared
machine hits both alike. Printed: the median wall time and CPU time (user + system) of each,
the ratios (target <= 3x), and the load average before and after.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import tempfile
from pathlib import Path

from processes import Measurement, compile_sources, run_process

SRC = Path(__file__).resolve().parent.parent / "src"
WORDS = ("the", "army", "said", "rockets", "were", "fired", "near", "town", "on", "Monday")
NAMES = (("Shoigu", "PER"), ("Kyiv", "LOC"), ("Reuters", "ORG"), ("Pyongyang", "LOC"))

ENTRY = "import sys; from sourcetrace.cli.entry import main; sys.exit(main())"
FLOOR = """
import sys
from orjson import loads
for path in sys.argv[1:]:
    if path.endswith(".conll"):
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                line.split()
    else:
        with open(path, "rb") as handle:
            if path.endswith(".jsonl"):
                for line in handle:
                    loads(line)
            else:
                loads(handle.read())
"""


def synthetic(documents: int, entities: int, seed: int) -> list[tuple[str, list[tuple]]]:
    """(text, [(start, end, label)]) per document: words, with `entities` names among them."""
    rng = random.Random(seed)
    out = []
    for _ in range(documents):
        pieces, spans, offset = [], [], 0
        for slot in range(entities * 6):
            if slot % 6 == 3:
                word, label = rng.choice(NAMES)
                spans.append((offset, offset + len(word), label))
            else:
                word = rng.choice(WORDS)
            pieces.append(word)
            offset += len(word) + 1
        out.append((" ".join(pieces) + ".", spans))
    return out


def write_inputs(folder: Path, docs: list, fmt: str) -> tuple[Path, Path]:
    gold_lines, hf, conll = [], {}, []
    for index, (text, spans) in enumerate(docs):
        doc_id = f"d{index:05d}"
        sha = hashlib.sha256(text.encode()).hexdigest()
        gold = {"doc_id": doc_id, "text": text, "text_sha256": sha, "entities": [],
                "claims": [], "attributions": []}  # fmt: skip
        gold_lines.append(json.dumps(gold))
        hf[doc_id] = [
            {"entity_group": label, "score": 0.9, "word": text[s:e], "start": s, "end": e}
            for s, e, label in spans
        ]
        starts = {s: label for s, _, label in spans}
        conll += [f"-DOCSTART- {doc_id}", ""]
        offset = 0
        for word in text[:-1].split(" "):
            conll.append(f"{word} {'B-' + starts[offset] if offset in starts else 'O'}")
            offset += len(word) + 1
        conll += [". O", ""]
    gold_path = folder / "gold.jsonl"
    gold_path.write_text("\n".join(gold_lines) + "\n", encoding="utf-8")
    if fmt == "hf":
        output = folder / "hf.json"
        output.write_text(json.dumps(hf), encoding="utf-8")
    else:
        output = folder / "system.conll"
        output.write_text("\n".join(conll), encoding="utf-8")
    return gold_path, output


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--entities", type=int, default=12)
    parser.add_argument("--format", choices=("hf", "conll"), default="hf")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="write the inputs here and keep them")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each (the median)")
    parser.add_argument(
        "--src", type=Path, default=SRC, help="the package sources to run (another commit's)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        gold, output = write_inputs(
            folder, synthetic(args.documents, args.entities, args.seed), args.format
        )
        compile_sources(args.src)
        env = {"PYTHONPATH": str(args.src), "PATH": "/usr/bin:/bin"}
        convert = [sys.executable, "-c", ENTRY, "convert", args.format, output, "--gold", gold]
        convert += ["--labels", "conll2003", "--output", folder / "pred.jsonl"]
        load_before = os.getloadavg()[0]
        converted, floor = Measurement(), Measurement()
        for _ in range(args.repeats):
            converted.runs.append(run_process(convert, env=env))
            floor.runs.append(run_process([sys.executable, "-c", FLOOR, gold, output], env=env))
            for name, result in (("convert", converted), ("floor", floor)):
                if not result.ok:
                    print(f"{name} failed: {result.runs[-1].problem()}", file=sys.stderr)
                    return 1
        load_after = os.getloadavg()[0]
        rows = sum(1 for _ in (folder / "pred.jsonl").open())
        spans = args.documents * args.entities
        print(
            f"{args.format}: {args.documents} documents, {spans} entities ({rows} records written)"
        )
        print(f"  median of {args.repeats}, in turns; load average {load_before:.1f} before, "
              f"{load_after:.1f} after")  # fmt: skip
        print(f"  convert  {converted.seconds:.2f} s wall, {converted.cpu_seconds:.2f} s CPU")
        print(f"  floor    {floor.seconds:.2f} s wall, {floor.cpu_seconds:.2f} s CPU   "
              "(read and parse the same files)")  # fmt: skip
        print(
            f"  ratio    {converted.seconds / floor.seconds:.2f}x wall, "
            f"{converted.cpu_seconds / floor.cpu_seconds:.2f}x CPU   (target <= 3x)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
