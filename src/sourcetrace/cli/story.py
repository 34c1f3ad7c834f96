"""`story` subcommand: the retellings of one story side by side, as one self-contained HTML page."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sourcetrace.cli.common import add_output_options, emit
from sourcetrace.schema.labels import names


def cmd_story(args: argparse.Namespace) -> int:
    from sourcetrace.report.story import story_page

    emit(
        args.format,
        args.output,
        {"html": lambda: story_page(args.story_id, predictions=args.predictions)},
        default="html",
    )
    return 0


def add_commands(commands: Any) -> None:
    story = commands.add_parser(
        "story",
        help="the retellings of one story side by side, claim drift drawn (HTML)",
        description="Write one self-contained HTML page with the documents of STORY_ID side by "
        "side: a row per claim cluster, the relations of the links "
        f"({', '.join(names('link_relations'))}) drawn between the rows. With --predictions, each "
        "gold claim is marked found or missed by that system. Prints the page unless --output is "
        "given.",
    )
    story.add_argument("story_id", metavar="STORY_ID")
    story.add_argument(
        "--predictions",
        type=Path,
        metavar="PRED",
        help="a system's predictions (as evaluate takes them): mark each gold claim found or "
        "missed",
    )
    add_output_options(story, ("html",), default="html")
    story.set_defaults(handler=cmd_story)
