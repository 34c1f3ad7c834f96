"""Command line: parses, calls the library, prints. Exit 0 ok, 1 a failed check, 2 bad input."""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import sys
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from sourcetrace._version import __version__
from sourcetrace.errors import InputError, InputErrors, indented_problems, shown
from sourcetrace.schema.conventions import OffsetConventionWarning

EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def _fail(message: str) -> int:
    print(f"error: {shown(message, lines=True)}", file=sys.stderr)
    return EXIT_BAD_INPUT


# ---------------------------------------------------------------- corpus


def cmd_corpus_build(args: argparse.Namespace) -> int:
    from sourcetrace.cli.common import default_root
    from sourcetrace.corpus.build import build

    root = args.root or default_root()
    result = build(root)
    listed = sum(rel != "MANIFEST.json" for rel in result.written + result.unchanged)
    print(
        f"corpus {result.version} built in {root / 'corpus'}: MANIFEST.json and the {listed} "
        f"files it lists: {len(result.written)} written, {len(result.unchanged)} unchanged, "
        f"{len(result.removed)} removed"
    )
    for rel in result.written:
        print(f"  wrote {rel}")
    for rel in result.removed:
        print(f"  removed {rel}")
    return EXIT_OK


def cmd_corpus_verify(args: argparse.Namespace) -> int:
    from sourcetrace.cli.common import default_root
    from sourcetrace.corpus.build import verify_checkout
    from sourcetrace.corpus.release import read_release

    if args.corpus is not None:
        reading = read_release(args.corpus, thorough=True)
        problems = [str(finding) for finding in reading.findings]
    else:
        reading, problems = verify_checkout(args.root or default_root())
    if problems or reading.release is None:
        print(f"corpus verify: {len(problems)} problem(s):", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return EXIT_CHECK_FAILED
    manifest = reading.release.manifest
    print(
        f"corpus {manifest['version']} verified: MANIFEST.json and the "
        f"{len(manifest['files'])} files it lists, data sha256 {manifest['data_sha256']}, and "
        f"{len(manifest.get('documents', {}))} document texts match"
    )
    return EXIT_OK


def cmd_corpus_info(args: argparse.Namespace) -> int:
    from sourcetrace.cli.common import emit
    from sourcetrace.corpus.build import info
    from sourcetrace.paths import corpus_dir
    from sourcetrace.report.corpus import info_to_markdown, render_info_table

    data = info(args.corpus or corpus_dir())
    emit(
        args.format,
        args.output,
        {
            "table": lambda console: render_info_table(data, console),
            "json": lambda: json.dumps(data, indent=2, ensure_ascii=False) + "\n",
            "markdown": lambda: info_to_markdown(data),
        },
    )
    return EXIT_OK


def cmd_corpus_diff(args: argparse.Namespace) -> int:
    from sourcetrace.cli.common import emit
    from sourcetrace.corpus.build import diff
    from sourcetrace.report.corpus import diff_to_markdown, render_diff_table

    result = diff(args.old, args.new)
    emit(
        args.format,
        args.output,
        {
            "table": lambda console: render_diff_table(result, console),
            "json": lambda: json.dumps(result, indent=2, ensure_ascii=False) + "\n",
            "markdown": lambda: diff_to_markdown(result),
        },
    )
    return EXIT_OK


# ---------------------------------------------------------------- validate


def _gold_ids_beside(path: Path) -> tuple[set[str] | None, set[str] | None]:
    """Claim clusters and entity ids of the gold folder beside a links file (annotations/gold
    next to annotations/links.json), so that `validate` checks that every link resolves."""
    gold = Path(path).parent / "gold"
    if Path(path).name != "links.json" or not any(gold.glob("*.json")):
        return None, None
    from sourcetrace.corpus.annotation_files import read_pass
    from sourcetrace.corpus.texts import corpus_texts

    documents = read_pass(gold, _with_registered(corpus_texts())).values()
    return (
        {c["cluster"] for d in documents for c in d["claims"]},
        {e["entity"] for d in documents for e in d["entities"]},
    )


def cmd_validate(args: argparse.Namespace) -> int:
    from sourcetrace.schema.columns import keep_freed_memory
    from sourcetrace.schema.validation import check_file

    keep_freed_memory()  # this process checks files and exits: fewer page faults, same answers
    text_for = _text_lookup()
    failed = 0
    for path in args.files:
        # Each file is reported as soon as it is read, so an unreadable later file never hides
        # the problems of an earlier one.
        try:
            clusters, entities = _gold_ids_beside(path)
            checked = check_file(
                path,
                kind=args.kind,
                text_for=text_for,
                seed_text=_seed_text_lookup(),
                known_clusters=clusters,
                known_entities=entities,
                offsets=args.offsets,
                end=args.end,
            )
        except (InputError, InputErrors) as exc:
            failed += 1
            print(f"{shown(path)}: cannot be read:\n  - {exc}", file=sys.stderr)
            continue
        what = f"{checked.kind} ({checked.format}, {checked.records} record(s))"
        if not checked.problems:
            print(f"{shown(path)}: valid {what}")
            continue
        failed += 1
        print(f"{shown(path)}: read as {what}: {len(checked.problems)} problem(s)", file=sys.stderr)
        print(indented_problems(checked.problems, args.all_problems), file=sys.stderr)
    return EXIT_BAD_INPUT if failed else EXIT_OK


def _seed_text_lookup() -> Any:
    """Completes document metadata with the text of its seed in this checkout, if in one (the
    corpus builder is imported when a document asks: a file of other records never needs it)."""
    from sourcetrace.cli.common import default_root

    try:
        seeds = default_root() / "seeds"
    except InputError:
        return None

    def seed_text(meta: Any) -> Any:
        from sourcetrace.corpus.build import with_seed_text

        return with_seed_text(meta, seeds)

    return seed_text


def _with_registered(released: Mapping[str, str]) -> Mapping[str, str]:
    """The corpus texts, then those of documents registered in this checkout but not built yet
    (outside a checkout, the corpus texts alone)."""
    from sourcetrace.cli.common import default_root
    from sourcetrace.corpus.texts import ReleasedThenRegistered

    try:
        root = default_root()
    except InputError:
        return released
    if not (root / "annotations" / "documents.json").is_file():
        return released
    return ReleasedThenRegistered(released, root)


def _text_lookup() -> Any:
    """doc_id -> text for `validate`: `_with_registered` over the built corpus; before a first
    build, as before, None (offsets are then checked against texts carried in the files)."""
    released = _corpus_text_lookup()
    return None if released is None else _with_registered(released).get


def _corpus_text_lookup() -> Any:
    """doc_id -> text from the packaged corpus, or None if the corpus is not built; a built
    corpus whose data do not match its MANIFEST.json is refused, not skipped. The texts are
    context, not the input: a read limit that stops them is said, and the files are still
    checked without them."""
    from sourcetrace.corpus.release import published_release
    from sourcetrace.errors import LimitError
    from sourcetrace.paths import data_root

    try:
        release = published_release(data_root())
    except FileNotFoundError:  # neither a checkout nor packaged data
        return None
    except LimitError as exc:
        print(f"note: offsets are not checked against the corpus texts: {exc}", file=sys.stderr)
        return None
    if release is None:
        return None
    return {d["doc_id"]: d["text"] for d in release.documents}


# ---------------------------------------------------------------- parser


# The commands each module of this package adds (its `add_commands`), in the order of the help.
# A command line that names one of them builds only that module's parser: `convert` then starts
# without the report pages, the baselines or Label Studio's server (tested to match the parser).
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "main": ("corpus", "validate"),  # this module's own (`add_commands` below)
    "evaluate": ("evaluate", "merge", "agreement", "leaderboard"),
    "baselines": ("baseline",),
    "story": ("story",),
    "convert": ("convert", "export"),
    "studio": ("studio",),
}


def command_module(argv: Sequence[str]) -> str | None:
    """The module of this package whose commands are enough to parse ``argv``: the one that adds
    the command it starts with (None: another command, an option first, or nothing)."""
    if argv:
        for name, commands in COMMAND_MODULES.items():
            if argv[0] in commands:
                return name
    return None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or, with ``only`` (a key of COMMAND_MODULES), of that
    module's commands alone: the same parsers, with fewer imports."""
    parser = argparse.ArgumentParser(
        prog="sourcetrace",
        description="The sourcetrace corpus and its evaluation toolkit.",
        epilog="Exit codes: 0 success, 1 a failed check, 2 bad input or usage, 3 an internal "
        "error (a bug), 130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"sourcetrace {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES if only is None else (only,):
        _add_module_commands(name, commands)
    return parser


def add_commands(commands: Any) -> None:
    """This module's own commands: `corpus` and `validate`."""
    from sourcetrace.cli.common import add_output_options, add_problem_options, add_quiet_option
    from sourcetrace.cli.studio import add_corpus_add_parser

    corpus = commands.add_parser(
        "corpus",
        help="build, verify, describe or compare the corpus",
        description="Build, verify, describe or compare the corpus.",
    )
    corpus_commands = corpus.add_subparsers(dest="corpus_command", required=True, metavar="ACTION")
    build = corpus_commands.add_parser(
        "build",
        help="write corpus/ from seeds/, annotations/ and schema/labels.json",
        description="Write corpus/data/*.jsonl, MANIFEST.json and the dataset card from seeds/, "
        "annotations/ and schema/labels.json. Deterministic; refuses to change data "
        "under an unchanged version.",
    )
    build.add_argument("--root", type=Path, help="checkout to build (default: this checkout)")
    add_quiet_option(build)
    build.set_defaults(handler=cmd_corpus_build)
    verify = corpus_commands.add_parser(
        "verify",
        help="exit 1 naming every drift between corpus/ and its sources",
        description="Check corpus/ against MANIFEST.json and the sources; exit 1 and name every "
        "drift (a data file edited by hand, a seed changed, gold bound to another "
        "text, a build older than its sources).",
    )
    where = verify.add_mutually_exclusive_group()
    where.add_argument("--root", type=Path, help="checkout to verify (default: this checkout)")
    where.add_argument(
        "--corpus",
        type=Path,
        help="check only a corpus folder against its own MANIFEST.json (a copy, or a wheel's)",
    )
    verify.set_defaults(handler=cmd_corpus_verify)
    info = corpus_commands.add_parser(
        "info",
        help="version and counts per layer and document",
        description="Print the version and counts per layer and per document of a built corpus.",
    )
    info.add_argument("--corpus", type=Path, help="corpus folder (default: the packaged corpus)")
    add_output_options(info, ("table", "json", "markdown"))
    info.set_defaults(handler=cmd_corpus_info)
    diff = corpus_commands.add_parser(
        "diff",
        help="documents and annotations added, removed, changed between two corpus folders",
        description="Compare two corpus folders.",
    )
    diff.add_argument("old", type=Path, metavar="OLD")
    diff.add_argument("new", type=Path, metavar="NEW")
    add_output_options(diff, ("table", "json", "markdown"))
    diff.set_defaults(handler=cmd_corpus_diff)
    add_corpus_add_parser(corpus_commands)

    validate = commands.add_parser(
        "validate",
        help="check gold, prediction, document or links files",
        description="Validate JSON or JSON Lines files: JSON Schema first, then semantics "
        "(offsets, span texts, ids, references, text sha256). Says which kind of "
        "file it took each input for.",
    )
    validate.add_argument("files", nargs="+", type=Path, metavar="FILE")
    validate.add_argument(
        "--kind",
        choices=["document", "annotation", "prediction", "links"],
        help="force the kind instead of detecting it",
    )
    add_problem_options(validate)
    validate.set_defaults(handler=cmd_validate)


def _add_module_commands(name: str, commands: Any) -> None:
    importlib.import_module(f"sourcetrace.cli.{name}").add_commands(commands)


def run(handler: Any, args: argparse.Namespace) -> int:
    """Exit codes are a contract: 0 ok, 1 a failed check, 2 bad input or an input/output error,
    3 a bug (a short message; SOURCETRACE_DEBUG=1 shows the traceback), 130 on Ctrl-C."""
    import os

    from sourcetrace.cli.interrupts import was_interrupted
    from sourcetrace.jsonio import check_limit_settings
    from sourcetrace.progress import reporting

    try:
        check_limit_settings()
        with warnings.catch_warnings():
            warnings.simplefilter("always", OffsetConventionWarning)
            warnings.showwarning = partial(_show_note, warnings.showwarning)
            with reporting(quiet=getattr(args, "quiet", False), stream=_progress_stream()):
                code = handler(args)
        return EXIT_INTERRUPTED if was_interrupted() else code  # a swallowed Ctrl-C still counts
    except InputErrors as exc:
        return _fail(exc.render(all_problems=getattr(args, "all_problems", False)))
    except InputError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except MemoryError as exc:
        return _fail(out_of_memory(str(exc)))
    except ImportError as exc:  # a compiled module that could not be mapped for want of memory
        if not any(sign in str(exc) for sign in _NO_MEMORY_TO_LOAD):
            return _internal_error(exc)
        return _fail(out_of_memory(str(exc)))
    except SystemError as exc:  # a C extension whose allocation failed under a memory cap
        if not (_memory_capped() and "without exception set" in str(exc)):
            return _internal_error(exc)
        return _fail(out_of_memory(str(exc)))
    except UnicodeEncodeError as exc:
        if not _stdout_cannot_encode(exc):
            return _internal_error(exc)
        return _fail(
            f"standard output ({exc.encoding}) cannot encode {exc.object[exc.start : exc.end]!r}; "
            "expected a UTF-8 standard output (PYTHONIOENCODING=utf-8 or a UTF-8 locale), or "
            "--output FILE (always UTF-8)"
        )
    except OSError as exc:  # disk full, read-only folder, ...: the user's environment, not a bug
        where = f" ({exc.filename})" if exc.filename else ""
        return _fail(f"cannot read or write: {exc.strerror or exc}{where}")
    except Exception as exc:
        if os.environ.get("SOURCETRACE_DEBUG"):
            raise
        return _internal_error(exc)


def _progress_stream() -> Any:
    """Where progress goes: the terminal itself for rich's live display (its escape sequences
    must pass), else the guarded stderr (plain lines, escaped like every message)."""
    raw = getattr(sys.stderr, "_stream", None)
    try:
        return raw if raw is not None and raw.isatty() else sys.stderr
    except (AttributeError, ValueError):
        return sys.stderr


def _show_note(
    others: Any, message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any
) -> None:
    """An offset convention that seems wrong as one `note:` on stderr; other warnings as ever."""
    if not issubclass(category, OffsetConventionWarning):
        others(message, category, *args, **kwargs)
        return
    print(f"note: {shown(message, lines=True)}", file=sys.stderr)


def _internal_error(exc: BaseException) -> int:
    print(
        f"internal error in sourcetrace {__version__}: {type(exc).__name__}: "
        f"{shown(exc, lines=True)}. This is a bug: please report it with the command you ran "
        "(SOURCETRACE_DEBUG=1 prints the traceback).",
        file=sys.stderr,
    )
    return EXIT_INTERNAL


_NO_MEMORY_TO_LOAD = ("failed to map segment from shared object", "Cannot allocate memory")


def _memory_capped() -> bool:
    return resource.getrlimit(resource.RLIMIT_AS)[0] != resource.RLIM_INFINITY


def out_of_memory(detail: str) -> str:
    """What to do when a run does not fit in the memory it may use."""
    global _memory_reserve
    _memory_reserve = None  # room to word the message and print it
    limit = resource.getrlimit(resource.RLIMIT_AS)[0]
    capped = _memory_capped()
    cap = f" (its address space is capped at {limit / 2**20:,.0f} MiB)" if capped else ""
    said = f": {detail}" if detail else ""
    return (
        f"out of memory{said}; this run needs more memory than the process may use{cap}. "
        "Lower --bootstrap or --compare-samples, score in shards (evaluate --partial OUT "
        "--shard K/N, then merge), or allow more memory"
    )


def _stdout_cannot_encode(exc: UnicodeEncodeError) -> bool:
    import codecs

    encoding = getattr(sys.stdout, "encoding", None)
    if any("\ud800" <= char <= "\udfff" for char in exc.object[exc.start : exc.end]):
        return False  # not the encoding's fault: an undecodable byte left unescaped (a bug)
    try:
        return encoding is not None and (
            codecs.lookup(exc.encoding).name == codecs.lookup(encoding).name
        )
    except LookupError:
        return False


def main(argv: Sequence[str] | None = None, *, evaluate_prog: str | None = None) -> int:
    """Parse and run, with standard streams that cannot turn an exit code into another: a
    closed stdout is an input/output error (exit 2) when the command prints, stderr gets every
    message escaped and is written on a best-effort basis (a full stderr is no crash).
    ``evaluate_prog`` names the `evaluate` command in its usage and errors (the console script
    is called `evaluate`, not `sourcetrace evaluate`)."""
    from sourcetrace.jsonio import gc_paused

    global _memory_reserve
    _memory_reserve = bytearray(_RESERVE_BYTES)
    with guarded_streams():
        try:
            argv = sys.argv[1:] if argv is None else argv
            with gc_paused():  # the command's modules are imported: no garbage to collect
                parser = build_parser(command_module(argv))
                if evaluate_prog is not None:
                    dict(_subparsers("sourcetrace", parser))[
                        "sourcetrace evaluate"
                    ].prog = evaluate_prog
                args = parser.parse_args(argv)
        except MemoryError as exc:
            return _fail(out_of_memory(str(exc)))
        return run(args.handler, args)


# Set aside when a command starts and given back on a MemoryError, so that the message saying
# what to lower can still be made and printed when memory ran out.
_RESERVE_BYTES = 8 << 20
_memory_reserve: bytearray | None = None


class _MessageStream:
    """stderr as the commands see it: control characters escaped as a last line of defence
    (names are escaped where they are put into messages), and a stream that cannot take a
    message (full, closed) drops it instead of raising."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        if self._stream is not None:
            try:
                self._stream.write(shown(text, lines=True))
                self._stream.flush()
            except (OSError, ValueError):
                self._stream = None
        return len(text)

    def flush(self) -> None:
        if self._stream is not None:
            try:
                self._stream.flush()
            except (OSError, ValueError):
                self._stream = None

    def isatty(self) -> bool:
        return self._stream is not None and self._stream.isatty()

    @property
    def encoding(self) -> str:
        return getattr(self._stream, "encoding", None) or "utf-8"

    def __getattr__(self, name: str) -> Any:  # fileno, buffer, errors...: the real stream's
        return getattr(self._stream, name)


class _ClosedStdout:
    """What sys.stdout is when the process was started with it closed: printing to it is bad
    input (exit 2), not a crash."""

    encoding = "utf-8"

    def write(self, text: str) -> int:
        raise InputError(
            "standard output is closed",
            expected="an open standard output, or --output FILE where the command has it",
        )

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


@contextmanager
def guarded_streams() -> Iterator[None]:
    saved = sys.stdout, sys.stderr
    sys.stderr = _MessageStream(sys.stderr)  # type: ignore[assignment]
    if sys.stdout is None:
        sys.stdout = _ClosedStdout()  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stderr.flush()
        sys.stdout, sys.stderr = saved


def evaluate_main(argv: Sequence[str] | None = None) -> int:
    """The `evaluate` console script: same as `sourcetrace evaluate`, and its usage line says
    the name it was run by (argv[0])."""
    argv = list(sys.argv[1:] if argv is None else argv)
    return main(["evaluate", *argv], evaluate_prog=script_name(sys.argv[0] if sys.argv else ""))


def script_name(argv0: str) -> str:
    """The name a console script was run by, as its usage line shows it: the file name of
    argv[0] (`evaluate`, or a renamed copy); `evaluate` when argv[0] is no script (`-c`)."""
    name = Path(argv0).name
    return name if name and not name.startswith("-") else "evaluate"


def reference_text(width: int = 100) -> str:
    """The help of every command, as the README's CLI reference shows it (tested to match)."""
    import os

    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(width)
    try:
        parser = build_parser()
        sections = [("sourcetrace", parser)]
        sections += _subparsers("sourcetrace", parser)
        return "\n".join(
            f"### `{name}`\n\n```text\n{sub.format_help().rstrip()}\n```\n"
            for name, sub in sections
        )
    finally:
        if previous is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = previous


def _subparsers(prefix: str, parser: argparse.ArgumentParser) -> list[tuple[str, Any]]:
    found = []
    for action in parser._actions:  # argparse offers no public walk of subcommands
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append((f"{prefix} {name}", sub))
                found += _subparsers(f"{prefix} {name}", sub)
    return found


README_MARKERS = ("<!-- cli-reference:start -->", "<!-- cli-reference:end -->")


def readme_with_reference(readme: str) -> str:
    """README text with the CLI reference block replaced by the parser's current help."""
    start, end = README_MARKERS
    head, _, rest = readme.partition(start)
    _, _, tail = rest.partition(end)
    return f"{head}{start}\n{reference_text()}{end}{tail}"
