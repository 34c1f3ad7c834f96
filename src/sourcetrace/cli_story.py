"""`story` subcommand: the retellings of one story side by side, as one self-contained HTML page."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def cmd_story(args: argparse.Namespace) -> int:
    from .cli_evaluate import refuse_protected_output
    from .jsonio import atomic_write
    from .report.story import story_html

    if args.output is not None:
        refuse_protected_output(args.output)
    html = story_html(args.story_id, predictions=args.predictions)
    if args.output is None:
        sys.stdout.write(html)
    else:
        atomic_write(args.output, html)
        print(f"wrote the story page of {args.story_id} to {args.output}", file=sys.stderr)
    return 0


def add_commands(commands: Any) -> None:
    story = commands.add_parser(
        "story",
        help="the retellings of one story side by side, claim drift drawn (HTML)",
        description="Write one self-contained HTML page with the documents of STORY_ID side by "
        "side: a row per claim cluster, the relations of the links (same, paraphrase, "
        "contradicts, distorts) drawn between the rows. With --predictions, each gold claim is "
        "marked found or missed by that system. Prints the page unless --output is given.",
    )
    story.add_argument("story_id", metavar="STORY_ID")
    story.add_argument(
        "--predictions",
        type=Path,
        metavar="PRED",
        help="a system's predictions (as evaluate takes them): mark each gold claim found or "
        "missed",
    )
    story.add_argument("--output", type=Path, help="write the page here (atomically)")
    story.set_defaults(handler=cmd_story)
