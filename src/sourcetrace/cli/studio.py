"""`sourcetrace studio ...` (the Label Studio bridge) and `sourcetrace corpus add`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

CONFIG_FILE = "annotations/label-studio/config.xml"  # where the generated config may be kept


def _root(args: argparse.Namespace) -> Path:
    from sourcetrace.cli.common import default_root

    return args.root or default_root()


def _write_or_print(text: str, output: Path | None, what: str) -> None:
    from sourcetrace.errors import shown
    from sourcetrace.paths import write_output

    if output is None:
        sys.stdout.write(text)
        return
    write_output(output, text, allowed=(CONFIG_FILE,))
    print(f"wrote {what} to {shown(output)}", file=sys.stderr)


def cmd_config(args: argparse.Namespace) -> int:
    from sourcetrace.studio.config import config_xml

    _write_or_print(config_xml(), args.output, "the labeling config")
    return 0


def cmd_tasks(args: argparse.Namespace) -> int:
    from sourcetrace.studio.tasks import make_tasks

    tasks, notes = make_tasks(_root(args), args.documents, args.predictions, args.model_version)
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    text = json.dumps(tasks, ensure_ascii=False, indent=2) + "\n"
    _write_or_print(text, args.output, f"{len(tasks)} task(s)")
    return 0


def _report(imported: Any, written: list[Path]) -> None:
    from sourcetrace.errors import shown
    from sourcetrace.schema.validation import LAYERS

    for line in imported.repairs:
        print(f"repaired: {line}", file=sys.stderr)
    for line in imported.skipped:
        print(f"skipped: {line}", file=sys.stderr)
    for line in imported.notes:
        print(f"note: {line}", file=sys.stderr)
    for path in written:
        value = imported.files[path]
        counts = ", ".join(f"{len(value[k])} {k}" for k in LAYERS if k in value)
        print(f"wrote {shown(path)} ({counts})")
    passes = sorted({shown(p.parent.name) for p in written})
    print(
        f"{len(written)} file(s) in {len(passes)} pass(es): {', '.join(passes) or 'none'}; "
        f"{len(imported.repairs)} span(s) repaired"
    )


def cmd_import(args: argparse.Namespace) -> int:
    from sourcetrace.studio.importer import import_export

    imported, written = import_export(
        args.export, root=_root(args), pass_name=args.pass_name, overwrite=args.overwrite
    )
    _report(imported, written)
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    from sourcetrace.studio.client import push

    done = push(
        _root(args),
        doc_ids=args.documents,
        predictions=args.predictions,
        model_version=args.model_version,
        project=args.project,
        title=args.title,
        timeout=args.timeout,
    )
    for note in done["notes"]:
        print(f"note: {note}", file=sys.stderr)
    print(
        f"pushed {done['tasks']} task(s) ({', '.join(done['documents'])}) with "
        f"{done['predictions']} prediction(s), model version {done['model_version']}, "
        f"to project {done['project']}"
    )
    return 0


def cmd_pull(args: argparse.Namespace) -> int:
    from sourcetrace.studio.client import nothing_pulled, pull

    project, imported, written = pull(
        _root(args),
        pass_name=args.pass_name,
        project=args.project,
        doc_ids=args.documents,
        overwrite=args.overwrite,
        timeout=args.timeout,
    )
    print(f"project {project}:")
    _report(imported, written)
    if not written:
        print(f"note: {nothing_pulled(project, args.documents)}", file=sys.stderr)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from sourcetrace.studio.serve import serve

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    return serve(args.data_dir, port=args.port, username=args.username, progress=progress)


def cmd_corpus_add(args: argparse.Namespace) -> int:
    from sourcetrace.corpus.add import add_document

    metadata = {"title": args.title, "outlet": args.outlet, "author": args.author, "url": args.url}
    added = add_document(
        _root(args), args.article, story_id=args.story, doc_id=args.doc_id, metadata=metadata
    )
    zones = ", ".join(f"{z['kind']} [{z['start']}, {z['end']})" for z in added.record["zones"])
    print(
        f"added {added.doc_id} (story {added.record['story_id']}): seeds/{added.seed.name}, "
        f"zones {zones}; annotate it, then add a CHANGELOG entry and run `sourcetrace corpus "
        "build`"
    )
    return 0


def _root_option(parser: Any) -> None:
    parser.add_argument("--root", type=Path, help="checkout to use (default: this checkout)")


def _documents_option(parser: Any) -> None:
    parser.add_argument(
        "--documents", nargs="+", metavar="DOC_ID", help="only these documents (default: all)"
    )


def _prediction_options(parser: Any) -> None:
    parser.add_argument(
        "--predictions",
        type=Path,
        metavar="PRED",
        help="a system's predictions (JSONL/JSON, as evaluate takes them) instead of the gold",
    )
    parser.add_argument(
        "--model-version",
        help="the predictions' model version (default: sourcetrace-gold-<corpus version>, or the "
        "run folder's name)",
    )


def _pass_options(parser: Any, default: str) -> None:
    parser.add_argument(
        "--pass",
        dest="pass_name",
        default=default,
        metavar="NAME",
        help=f"write annotations/passes/<NAME>-<annotator>/ (default: {default})",
    )
    parser.add_argument(
        "--overwrite", action="store_true", help="replace pass files that hold other content"
    )


def _server_options(parser: Any) -> None:
    from sourcetrace.studio import limits

    parser.add_argument(
        "--timeout",
        type=float,
        default=limits.DEFAULT_TIMEOUT_SECONDS,
        metavar="SECONDS",
        help=f"connect and read timeout of every call to the server (default: "
        f"{limits.DEFAULT_TIMEOUT_SECONDS:g}); a whole answer within {limits.RESPONSE_TIMEOUTS} "
        f"times that; a refused or busy read is retried {len(limits.RETRY_WAITS)} times; "
        f"listings stop after {limits.MAX_PAGES} pages (exit 2)",
    )


def add_commands(commands: Any) -> None:
    """Add the `studio` group to the `sourcetrace` subcommands."""
    studio = commands.add_parser(
        "studio",
        help="the Label Studio bridge: config, tasks, import, push, pull, serve",
        description="Annotate in Label Studio: the labeling config generated from "
        "schema/labels.json, tasks with the gold or a system's output as predictions, exports "
        "turned into validated annotation passes (offsets repaired from UTF-16 and said so), and "
        "push / pull against a running server (LABEL_STUDIO_URL, LABEL_STUDIO_API_KEY).",
    )
    actions = studio.add_subparsers(dest="studio_command", required=True, metavar="ACTION")
    config = actions.add_parser(
        "config",
        help="print the labeling config (XML)",
        description="Print the Label Studio labeling config generated from schema/labels.json.",
    )
    config.add_argument("--output", type=Path, help="write here (atomically) instead of stdout")
    config.set_defaults(handler=cmd_config)

    tasks = actions.add_parser(
        "tasks",
        help="print Label Studio tasks (JSON) with gold or a system's predictions",
        description="Print one Label Studio task per document (text, doc_id, title, outlet, "
        "published, story_id, text_sha256) with the gold, or a system's predictions, as its "
        "predictions. Text-only predicted spans are placed at their first occurrence (said on "
        "stderr).",
    )
    _documents_option(tasks)
    _prediction_options(tasks)
    tasks.add_argument("--output", type=Path, help="write here (atomically) instead of stdout")
    _root_option(tasks)
    tasks.set_defaults(handler=cmd_tasks)

    importer = actions.add_parser(
        "import",
        help="a Label Studio JSON export -> annotations/passes/<NAME>-<annotator>/",
        description="Turn a Label Studio JSON export into annotation passes, one per annotator, "
        "validated against the checkout's texts. Spans whose offsets do not hold their text "
        "are read as UTF-16 units, else found nearby, and every repair is reported; what cannot "
        "be placed is refused (exit 2) and nothing is written.",
    )
    importer.add_argument("export", type=Path, metavar="EXPORT.json")
    _pass_options(importer, "studio")
    _root_option(importer)
    importer.set_defaults(handler=cmd_import)

    push = actions.add_parser(
        "push",
        help="create a project and push one task per document, with the gold as predictions",
        description="Create a Label Studio project with the generated config (or use "
        "--project) and import one task per document, with the gold (or --predictions) as its "
        "predictions. Needs LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY (stripped, checked, never "
        "printed; errors name the URL without credentials).",
    )
    push.add_argument("--project", type=int, help="push into this existing project")
    push.add_argument("--title", help="title of the new project")
    _documents_option(push)
    _prediction_options(push)
    _server_options(push)
    _root_option(push)
    push.set_defaults(handler=cmd_push)

    pull = actions.add_parser(
        "pull",
        help="write the finished annotations of a project as passes, one per annotator",
        description="Export the finished annotations of the newest project made by push (or "
        "--project) and write them as annotations/passes/<NAME>-<annotator>/<doc_id>.json, "
        "validated, as `studio import` does.",
    )
    pull.add_argument("--project", type=int, help="pull this project")
    _documents_option(pull)
    _pass_options(pull, "studio")
    _server_options(pull)
    _root_option(pull)
    pull.set_defaults(handler=cmd_pull)

    from sourcetrace.studio import serve

    server = actions.add_parser(
        "serve",
        help="run a local Label Studio server (installed on first use) and say how to reach it",
        description="Start Label Studio on 127.0.0.1 in an environment of its own (installed "
        "on first use under $SOURCETRACE_CACHE or ~/.cache/sourcetrace, with a line saying "
        "so), print its URL and the two variables `push` and `pull` need, and run until Ctrl-C "
        "(exit 130) or SIGTERM (exit 0), which stop the server. The first start on a data "
        "folder creates the user and an API token, kept there readable by you only; no web "
        "page is needed to get the token.",
    )
    server.add_argument(
        "--port",
        type=int,
        default=serve.DEFAULT_PORT,
        help=f"port to ask for (default: {serve.DEFAULT_PORT}; Label Studio takes the next free "
        "one if it is taken, and the printed URL says which)",
    )
    server.add_argument(
        "--data-dir",
        type=Path,
        default=serve.default_data_dir(),
        metavar="DIR",
        help="the server's database, uploads, login and token (default: "
        "$XDG_DATA_HOME/sourcetrace/label-studio, else ~/.local/share/sourcetrace/label-studio)",
    )
    server.add_argument(
        "--username",
        default=serve.DEFAULT_USERNAME,
        help=f"the e-mail to log in with, on a first start (default: {serve.DEFAULT_USERNAME})",
    )
    server.set_defaults(handler=cmd_serve)


def add_corpus_add_parser(corpus_subparsers: Any) -> None:
    """Add `corpus add` to the `corpus` actions."""
    add = corpus_subparsers.add_parser(
        "add",
        help="register a new article: seed, metadata record, zones",
        description="Copy ARTICLE.txt byte for byte into seeds/ (NNN_<sha256 prefix>.txt) and "
        "append its record to annotations/documents.json: metadata null unless given, "
        "date_source unknown, zones by rule (the first non-empty line is the title when it is "
        "short and does not end in punctuation; the rest is body). corpus/ is not touched.",
    )
    add.add_argument("article", type=Path, metavar="ARTICLE.txt")
    add.add_argument("--story", help="story id shared with its retellings (default: the doc_id)")
    add.add_argument("--doc-id", help="the document id (default: the next st-NNN)")
    add.add_argument("--title")
    add.add_argument("--outlet")
    add.add_argument("--author")
    add.add_argument("--url")
    _root_option(add)
    add.set_defaults(handler=cmd_corpus_add)
