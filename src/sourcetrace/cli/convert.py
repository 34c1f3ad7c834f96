"""`convert` and `export` subcommands: systems' and tools' formats in, the gold out."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sourcetrace.errors import shown
from sourcetrace.schema.conventions import (
    DEFAULT_END,
    DEFAULT_OFFSETS,
    END_CONVENTIONS,
    OFFSET_UNITS,
)


def cmd_convert(args: argparse.Namespace) -> int:
    from sourcetrace.convert import convert_jsonl
    from sourcetrace.jsonio import gc_paused
    from sourcetrace.paths import checked_output, write_output

    checked_output(args.output)
    # paused until the records are written, not only while they are read (as in `convert`):
    # the first collection after the pause would walk all of them once (0.01 s for 10k docs)
    with gc_paused():
        lines = convert_jsonl(
            args.format,
            args.inputs,
            gold=args.gold,
            labels=args.labels,
            scheme=args.scheme,
            offsets=args.offsets,
            end=args.end,
            doc_ids=tuple(args.doc_id or ()),
        )
        write_output(args.output, lines.parts())  # type: ignore[arg-type]
        spans, documents = lines.items, lines.documents
        del lines  # freed while the collector still sleeps
    print(
        f"wrote {documents} document(s), {spans} item(s) to {shown(args.output)}",
        file=sys.stderr,
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from sourcetrace.convert import export

    written = export(args.format, args.output, gold=args.gold)
    print(f"wrote {len(written)} file(s) to {shown(args.output)}", file=sys.stderr)
    return 0


def add_commands(commands: Any) -> None:
    from sourcetrace.convert import EXPORT_FORMATS, FORMATS, SCHEMES, shipped_maps

    gold_help = (
        "where the document texts come from: a corpus folder, a folder of <doc_id>.json gold "
        "files, or a gold JSONL with texts (default: the packaged corpus)"
    )
    convert = commands.add_parser(
        "convert",
        help="read a system's output (CoNLL/BIO, HF pipeline, nervaluate, brat) as predictions",
        description="Convert the output of a system or a tool into prediction records that "
        "`evaluate` takes: code-point offsets into the corpus text, end exclusive, `text` on "
        "every span, our entity types. Every label must be mapped (--labels); a token or span "
        "that cannot be placed in the text is refused with its file and line.",
    )
    convert.add_argument(
        "format", choices=tuple(FORMATS), metavar="FORMAT", help=", ".join(FORMATS)
    )
    convert.add_argument("inputs", nargs="+", type=Path, metavar="INPUT")
    convert.add_argument("--output", type=Path, required=True, help="predictions JSONL to write")
    convert.add_argument(
        "--labels",
        metavar="MAP",
        help='a JSON label map {"their label": "OUR_TYPE" or null to drop it}, or a shipped '
        f"map: {', '.join(shipped_maps())} (default: our own type names only)",
    )
    convert.add_argument(
        "--scheme",
        choices=SCHEMES,
        default=SCHEMES[0],
        help=f"tagging scheme of conll and per-token hf input (default: {SCHEMES[0]})",
    )
    convert.add_argument(
        "--offsets",
        choices=OFFSET_UNITS,
        default=DEFAULT_OFFSETS,
        help=f"what start/end count in nervaluate and hf input (default: {DEFAULT_OFFSETS})",
    )
    convert.add_argument(
        "--end",
        choices=END_CONVENTIONS,
        default=DEFAULT_END,
        help=f"whether an end offset is past the span or on its last unit (default: {DEFAULT_END})",
    )
    convert.add_argument(
        "--doc-id",
        action="append",
        metavar="DOC_ID",
        help="id of the next document that does not name itself (repeat, in order)",
    )
    convert.add_argument("--gold", type=Path, help=gold_help)
    convert.set_defaults(handler=cmd_convert)

    export = commands.add_parser(
        "export",
        help="write the gold for other tools (brat standoff, CoNLL BIO)",
        description="Write the gold (the packaged corpus, or --gold) in a format other tools "
        "read: brat (<doc_id>.txt and .ann, entities and attributions) or conll (gold.conll, "
        "one token per line, BIO tags, the outermost layer of nested entities).",
    )
    export.add_argument(
        "format", choices=EXPORT_FORMATS, metavar="FORMAT", help=", ".join(EXPORT_FORMATS)
    )
    export.add_argument("--output", type=Path, required=True, metavar="DIR", help="folder to write")
    export.add_argument("--gold", type=Path, help=gold_help)
    export.set_defaults(handler=cmd_export)
