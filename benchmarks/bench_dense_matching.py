"""Dense overlaps (issue 27): whole `evaluate` processes on one document of N mutually
overlapping items, N = 1k, 2k, 4k, 8k, with the growth factor per doubling.

    .venv/bin/python benchmarks/bench_dense_matching.py                  # all shapes, all sizes
    .venv/bin/python benchmarks/bench_dense_matching.py --sizes 1000,2000 --shapes whole-text
    .venv/bin/python benchmarks/bench_dense_matching.py --write          # + RESULTS.md section

Shapes (gold and predictions generated here, cached in build/bench/dense):

- ``whole-text``: N two-character gold entities (PERSON and ORG alternating) against N predicted
  entities that each cover the whole text (PERSON);
- ``nested``: N two-character gold entities on every other word against N predictions nested
  in one another around the middle of the text (widths 2, 4, ... 2N words), one type;
- ``nested-mixed``: the same with two types, where ent_type has no closed form: refused (exit 2)
  once gold x predicted exceeds SOURCETRACE_MAX_MATCHING_CELLS;
- ``claims-text``: N one-word gold claims against N text-only predicted claims that each give
  the first 50 words of the text (compared by token F1, every pair shares a token);
- ``claims-same-text``: N gold claims on the same word against N text-only predictions of it
  (every pair is a strict match).
- ``attributions``: N gold attributions against N predictions with the same cue and content
  and tiny sources (every pair right in cue and content).

Each figure is the median of 3 processes when one takes under 20 s, else 1 process; the growth
is seconds(N) / seconds(N/2). Expected: close to 2 (linear), never the 4 of a quadratic cost.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from processes import gib, measure

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BUILD = ROOT / "build" / "bench" / "dense"
SECTION_START = "<!-- bench_dense_matching: start -->"
SECTION_END = "<!-- bench_dense_matching: end -->"
LAYER_OF = {
    "whole-text": "entities",
    "nested": "entities",
    "nested-mixed": "entities",
    "claims-text": "claims",
    "claims-same-text": "claims",
    "attributions": "attributions",
}
GENERATOR_VERSION = 4


def gold_document(text: str, **layers: list) -> dict:
    return {
        "doc_id": "dense-0",
        "text": text,
        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "entities": layers.get("entities", []),
        "claims": layers.get("claims", []),
        "attributions": layers.get("attributions", []),
    }


def words_text(n: int) -> str:
    """n distinct two- to five-character words, one space apart."""
    return " ".join(f"w{i:x}" for i in range(n))


def word_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for word in text.split(" "):
        spans.append((start, start + len(word)))
        start += len(word) + 1
    return spans


def entity(index: int, start: int, end: int, text: str, entity_type: str, prefix: str) -> dict:
    """A gold entity (with its text) or, prefix "p", a prediction (offsets only, so that the
    input grows linearly with N)."""
    item = {"id": f"{prefix}{index + 1}", "start": start, "end": end}
    if prefix != "p":
        item["text"] = text[start:end]
    return item | {"type": entity_type, "mention": "name", "entity": f"x{index}"}


def whole_text(n: int) -> tuple[dict, dict]:
    text = "ab " * n
    gold = [entity(i, 3 * i, 3 * i + 2, text, ("PERSON", "ORG")[i % 2], "e") for i in range(n)]
    pred = [entity(i, 0, len(text) - 1, text, "PERSON", "p") for i in range(n)]
    return gold_document(text, entities=gold), {"doc_id": "dense-0", "entities": pred}


def nested(n: int, types: tuple[str, ...] = ("ORG",)) -> tuple[dict, dict]:
    """2N words "ab"; gold on every other word; prediction w covers the 2w + 2 words around
    the middle, w = 0..N-1 (a chain of N nested predictions over N gold spans)."""
    text = "ab " * (2 * n)
    gold = [entity(i, 6 * i, 6 * i + 2, text, types[i % len(types)], "e") for i in range(n)]
    pred = [
        entity(w, 3 * (n - 1 - w), 3 * (n + w) + 2, text, types[(w + 1) % len(types)], "p")
        for w in range(n)
    ]
    return gold_document(text, entities=gold), {"doc_id": "dense-0", "entities": pred}


def claim(index: int, prefix: str, **piece: object) -> dict:
    return {
        "id": f"{prefix}{index + 1}",
        **piece,
        "polarity": "positive",
        "certainty": "certain",
        "checkworthy": bool(index % 2),
        "cluster": f"k{index}",
    }


def claims_text(n: int) -> tuple[dict, dict]:
    text = words_text(n)
    gold = [
        claim(i, "c", start=s, end=e, text=text[s:e]) for i, (s, e) in enumerate(word_spans(text))
    ]
    sentence = " ".join(text.split(" ")[:50])
    pred = [claim(i, "pc", text=sentence) for i in range(n)]
    return gold_document(text, claims=gold), {"doc_id": "dense-0", "claims": pred}


def claims_same_text(n: int) -> tuple[dict, dict]:
    text = "said " * n
    gold = [claim(i, "c", start=5 * i, end=5 * i + 4, text="said") for i in range(n)]
    pred = [claim(i, "pc", text="said") for i in range(n)]
    return gold_document(text, claims=gold), {"doc_id": "dense-0", "claims": pred}


def attributions(n: int) -> tuple[dict, dict]:
    text = "ab " * n + "said that it rained"
    cue = {"start": 3 * n, "end": 3 * n + 4, "text": "said"}
    content = {"start": 3 * n + 5, "end": len(text), "text": "that it rained", "claims": []}
    gold = [
        {
            "id": f"a{i + 1}",
            "source": {"start": 3 * i, "end": 3 * i + 2, "text": "ab"},
            "cue": cue,
            "content": content,
            "type": "indirect",
            "nested_in": None,
        }
        for i in range(n)
    ]
    pred = [
        {
            "id": f"pa{i + 1}",
            "source": {"start": 0, "end": 3 * n - 1},
            "cue": cue,
            "content": content,
            "type": "indirect",
        }
        for i in range(n)
    ]
    return gold_document(text, attributions=gold), {"doc_id": "dense-0", "attributions": pred}


SHAPES: dict[str, Callable[[int], tuple[dict, dict]]] = {
    "whole-text": whole_text,
    "nested": nested,
    "nested-mixed": lambda n: nested(n, ("ORG", "GPE")),
    "claims-text": claims_text,
    "claims-same-text": claims_same_text,
    "attributions": attributions,
}


def ensure_files(shape: str, n: int) -> tuple[Path, Path]:
    folder = BUILD / f"v{GENERATOR_VERSION}" / f"{shape}-{n}"
    gold_path, pred_path = folder / "gold.jsonl", folder / "pred.jsonl"
    if not pred_path.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        gold, pred = SHAPES[shape](n)
        gold_path.write_text(json.dumps(gold) + "\n")
        pred_path.write_text(json.dumps(pred) + "\n")
    return gold_path, pred_path


def run(shapes: list[str], sizes: list[int], timeout: float) -> list[dict]:
    evaluate = Path(sys.executable).parent / "evaluate"
    env = dict(os.environ)
    rows = []
    for shape in shapes:
        previous = None
        for n in sizes:
            gold, pred = ensure_files(shape, n)
            report = gold.parent / "report.json"
            command = [evaluate, pred, "--gold", gold, "--layers", LAYER_OF[shape]]
            command += ["--format", "json", "--output", report]
            result = measure(command, env=env, timeout=timeout, repeat_under=20.0)
            last = result.runs[-1]
            megabytes = (gold.stat().st_size + pred.stat().st_size) / 1e6
            row = {
                "shape": shape,
                "n": n,
                "megabytes": megabytes,
                "seconds": result.seconds,
                "exit": last.returncode,
                "timed_out": last.timed_out,
                "peak": result.peak_rss,
                "growth": None if previous is None else result.seconds / previous,
                "message": "" if last.returncode == 0 else last.problem(),
            }
            previous = result.seconds
            rows.append(row)
            growth = "" if row["growth"] is None else f", x{row['growth']:.2f}"
            print(
                f"{shape:17} N={n:>6}: {result.seconds:7.2f} s{growth}, exit {last.returncode}, "
                f"{gib(result.peak_rss)} {row['message']}",
                flush=True,
            )
    return rows


def table(rows: list[dict]) -> str:
    lines = [
        "| shape | N | input | seconds | growth per doubling | exit | peak RSS |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        growth = "" if row["growth"] is None else f"x{row['growth']:.2f}"
        lines.append(
            f"| {row['shape']} | {row['n']:,} | {row['megabytes']:.2f} MB | {row['seconds']:.2f} "
            f"| {growth} | {row['exit']} | {gib(row['peak'])} |"
        )
    return "\n".join(lines)


def write_section(results: Path, body: str) -> None:
    """Replace this benchmark's section of RESULTS.md (appended the first time); the other
    sections are left as they are."""
    text = results.read_text() if results.is_file() else ""
    section = f"{SECTION_START}\n{body.rstrip()}\n{SECTION_END}\n"
    if SECTION_START in text and SECTION_END in text:
        head, rest = text.split(SECTION_START, 1)
        tail = rest.split(SECTION_END, 1)[1].lstrip("\n")
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section
    results.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,2000,4000,8000")
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    shapes = args.shapes.split(",")
    unknown = sorted(set(shapes) - set(SHAPES))
    if unknown:
        parser.error(f"unknown shapes {unknown}; known: {', '.join(SHAPES)}")
    rows = run(shapes, sizes, args.timeout)
    print(table(rows))
    if args.write:
        write_section(args.results, table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
