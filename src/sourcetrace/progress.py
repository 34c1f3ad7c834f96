"""Progress of long work on stderr: the library names its stages, a front end shows them.

The library wraps each stage of work that can take seconds in ``with stage(message, size=N):``.
Nothing is shown unless a front end installs a reporter with ``reporting()``, as the command line
does: rich's live spinner with elapsed time when stderr is a terminal, else one plain line per
stage (never one per document), nothing with ``quiet``. Small work says nothing: a stage whose
size (documents) is below ``LARGE_WORK`` is silent, so a 5-document run prints its report and
nothing else; a run of thousands of documents, which takes seconds to half a minute, shows its
stages. The choice is by size, not by a timer, so that what a run prints does not depend on
how busy the machine is. Work that is slow whatever its size (starting a Dask cluster, installing
or starting a server) passes ``size=None`` and is always shown.

A foundation module, like errors.py: every floor (evaluation, corpus, studio) may call ``stage``,
and it imports nothing of the package (rich only once a stage is shown on a terminal).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol, TextIO

# Documents from which a stage is worth announcing: a whole all-layer run of 1,000 documents
# takes about two seconds on this project's 2-core machine (five and more on slower ones).
LARGE_WORK = 1000


class Reporter(Protocol):
    """What shows the stages: told when each begins and ends, and closed at the end."""

    def begin(self, message: str) -> None: ...

    def end(self, message: str, seconds: float) -> None: ...

    def close(self) -> None: ...


_reporter: ContextVar[Reporter | None] = ContextVar("sourcetrace_progress", default=None)


def is_shown(size: int | None) -> bool:
    """Whether a stage of this size is announced (None: slow whatever its size)."""
    return size is None or size >= LARGE_WORK


@contextmanager
def stage(message: str, *, size: int | None = None) -> Iterator[None]:
    """A stage of work, announced to the installed reporter when ``is_shown(size)``."""
    reporter = _reporter.get()
    if reporter is None or not is_shown(size):
        yield
        return
    reporter.begin(message)
    started = time.monotonic()
    yield
    reporter.end(message, time.monotonic() - started)


class PlainLines:
    """One line per stage, when it begins: for logs, pipes and CI."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def begin(self, message: str) -> None:
        self.stream.write(f"{message}\n")
        self.stream.flush()

    def end(self, message: str, seconds: float) -> None:
        pass

    def close(self) -> None:
        pass


class RichSpinner:
    """rich's live display on a terminal: a spinner and the elapsed time of the running stage,
    then a line per finished stage with its time."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.live: Any = None
        self.task: Any = None

    def begin(self, message: str) -> None:
        if self.live is None:
            from rich.console import Console
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            console = Console(file=self.stream, highlight=False)
            self.live = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=console,
                transient=True,
                # stdout is the report's: rich would otherwise route it to the terminal
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self.live.start()
        self.task = self.live.add_task(message, total=None)

    def end(self, message: str, seconds: float) -> None:
        if self.live is None or self.task is None:
            return
        self.live.remove_task(self.task)
        self.task = None
        self.live.console.print(f"[green]done[/green] {_escaped(message)} ({seconds:.1f} s)")

    def close(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None


def _escaped(text: str) -> str:
    from rich.markup import escape

    return escape(text)


@contextmanager
def reporting(*, quiet: bool = False, stream: TextIO | None = None) -> Iterator[None]:
    """Show the stages of the work done inside: rich on a terminal, plain lines otherwise,
    nothing when ``quiet``. ``stream`` defaults to stderr (read when entering)."""
    if quiet:
        token = _reporter.set(None)
        try:
            yield
        finally:
            _reporter.reset(token)
        return
    stream = sys.stderr if stream is None else stream
    reporter: Reporter = RichSpinner(stream) if _is_terminal(stream) else PlainLines(stream)
    token = _reporter.set(reporter)
    try:
        yield
    finally:
        _reporter.reset(token)
        reporter.close()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or odd stream: no live display
        return False


__all__ = ["LARGE_WORK", "PlainLines", "Reporter", "RichSpinner", "is_shown", "reporting", "stage"]
