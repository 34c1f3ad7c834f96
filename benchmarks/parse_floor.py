"""The parse floor: a process that reads JSON Lines files with orjson, line by line, and exits.

    python benchmarks/parse_floor.py GOLD.jsonl PRED.jsonl ...

No tool that reads these files can start, read and parse them faster than this; `evaluate`'s
time over this floor is what it spends on validation, scoring and writing. Each record is parsed
and dropped (no tool needs to keep the raw records), so the floor's memory stays small.
Falls back to the standard library's json (and says so on stderr) if orjson is missing.
"""

from __future__ import annotations

import sys

try:
    from orjson import loads
except ImportError:
    from json import loads

    print("parse floor: orjson is missing, using the standard library's json", file=sys.stderr)


def main(paths: list[str]) -> int:
    records = 0
    for path in paths:
        with open(path, "rb") as handle:
            for line in handle:
                if line.strip():
                    loads(line)
                    records += 1
    return 0 if records else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
