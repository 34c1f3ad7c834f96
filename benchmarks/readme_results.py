"""Copy the blocks of benchmarks/RESULTS.md into benchmarks/README.md, group by group.

    .venv/bin/python benchmarks/readme_results.py           # update benchmarks/README.md
    .venv/bin/python benchmarks/readme_results.py --check   # exit 1 if it is stale

`bench_scale.py` writes one block per measurement group it ran, between
`<!-- bench:GROUP:start -->` and `<!-- bench:GROUP:end -->`, and the issue-24 block (every
figure of the issue, measured or "not run"). Only those blocks change in the README:

- a group block replaces the README's block of the same group, or is added before
  `<!-- bench:end -->` (made at the end of its "## Performance" section if missing); the
  groups this run did not measure, and all text outside the blocks (sections written by hand),
  stay as they are;
- the issue-24 block is merged row by row (a row is known by its figure): a measured row
  replaces the README's, a "not run" row replaces only a row that was not run either, so that
  a run of some groups keeps the figures of earlier runs of the others.

The block headings move one level down when they are copied (RESULTS.md is a page of its own).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
SECTION = "## Performance"
ISSUE_BLOCK = "issue-24"
BLOCK = re.compile(
    r"<!-- bench:(?P<name>[a-z0-9-]+):start -->\n(?P<body>.*?)\n?<!-- bench:(?P=name):end -->",
    re.DOTALL,
)
NOT_RUN = "not run"


def blocks(text: str) -> dict[str, str]:
    """The bodies of the named blocks of ``text``, in their order."""
    return {match["name"]: match["body"] for match in BLOCK.finditer(text)}


def nested(body: str) -> str:
    """A block of RESULTS.md as README text: headings one level down."""
    lines = ["#" + line if line.startswith("#") else line for line in body.strip().splitlines()]
    return "\n".join(lines)


def with_markers(readme: str) -> str:
    """The README with empty markers at the end of its performance section, if it has none."""
    if START in readme and END in readme:
        return readme
    if START in readme or END in readme:
        raise ValueError(f"README.md has one of {START} and {END} but not the other")
    at = readme.find(f"\n{SECTION}\n")
    if at < 0:
        raise ValueError(f"README.md has no '{SECTION}' section to put the benchmark block in")
    following = readme.find("\n## ", at + len(SECTION) + 2)
    end = len(readme) if following < 0 else following + 1
    section = readme[:end].rstrip("\n")
    return f"{section}\n\n{START}\n{END}\n\n{readme[end:]}".rstrip("\n") + "\n"


def _table_rows(body: str) -> tuple[list[str], list[str], list[str]]:
    """(lines before the table, its header lines, its row lines) of a block with one table."""
    lines = body.splitlines()
    first = next((i for i, line in enumerate(lines) if line.startswith("|")), len(lines))
    header = lines[first : first + 2]
    rows = [line for line in lines[first + 2 :] if line.startswith("|")]
    return lines[:first], header, rows


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", row.strip())[1:-1]]


def merged_issue_block(old: str | None, new: str) -> str:
    """The issue block of ``new`` with, for every figure it did not run, the README's row of
    that figure if one was measured; rows of the README that ``new`` lacks are kept at the end."""
    if old is None:
        return new
    before, header, new_rows = _table_rows(new)
    _, _, old_rows = _table_rows(old)
    old_by_figure = {_cells(row)[0]: row for row in old_rows}
    rows = []
    for row in new_rows:
        figure, measured = _cells(row)[:3:2]
        kept = old_by_figure.pop(figure, None)
        if measured.startswith(NOT_RUN) and kept and not _cells(kept)[2].startswith(NOT_RUN):
            row = kept
        rows.append(row)
    rows += old_by_figure.values()
    return "\n".join([*before, *header, *rows])


def readme_with_results(readme: str, results: str) -> str:
    """``readme`` with the blocks of ``results`` put in (see the module docstring)."""
    readme = with_markers(readme)
    current = blocks(readme)
    for name, body in blocks(results).items():
        body = nested(body)
        if name == ISSUE_BLOCK:
            old = current.get(name)
            body = merged_issue_block(None if old is None else old.strip(), body)
        text = f"<!-- bench:{name}:start -->\n{body}\n<!-- bench:{name}:end -->"
        if name in current:
            match = next(m for m in BLOCK.finditer(readme) if m["name"] == name)
            readme = readme[: match.start()] + text + readme[match.end() :]
        elif name == ISSUE_BLOCK:  # the summary comes first
            readme = readme.replace(START, f"{START}\n{text}\n", 1)
        else:
            before, after = readme.rsplit(END, 1)
            readme = f"{before.rstrip()}\n\n{text}\n{END}{after}"
    return readme


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    parser.add_argument("--readme", type=Path, default=ROOT / "benchmarks" / "README.md")
    parser.add_argument("--check", action="store_true", help="only say whether it is current")
    args = parser.parse_args()
    current = args.readme.read_text(encoding="utf-8")
    wanted = readme_with_results(current, args.results.read_text(encoding="utf-8"))
    if args.check:
        print(f"{args.readme}: " + ("current" if wanted == current else "stale"))
        return 0 if wanted == current else 1
    if wanted != current:
        args.readme.write_text(wanted, encoding="utf-8")
    print(f"{args.readme}: {'rewritten' if wanted != current else 'already current'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
