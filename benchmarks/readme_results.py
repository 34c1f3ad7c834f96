"""Copy benchmarks/RESULTS.md into benchmarks/README.md, between `<!-- bench:start -->` and
`<!-- bench:end -->` (made at the end of its "## Performance" section if missing).

    .venv/bin/python benchmarks/readme_results.py           # rewrite benchmarks/README.md
    .venv/bin/python benchmarks/readme_results.py --check   # exit 1 if it is stale

Only the text between the two markers changes. The title line of RESULTS.md is left out and its
other headings move one level down, so that they nest under the README's section.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
SECTION = "## Performance"


def results_block(results: str) -> str:
    """RESULTS.md as README text: no title line, headings one level down."""
    lines = results.strip().splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    lines = ["#" + line if line.startswith("#") else line for line in lines]
    return "\n".join(lines).strip()


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


def readme_with_results(readme: str, results: str) -> str:
    """``readme`` with the text between the markers replaced by ``results``."""
    readme = with_markers(readme)
    before, rest = readme.split(START, 1)
    _, after = rest.split(END, 1)
    return f"{before}{START}\n{results_block(results)}\n{END}{after}"


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
