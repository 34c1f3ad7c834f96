"""Ctrl-C, remembered: the SIGINT handler the entry points install before anything heavy is
imported, and `was_interrupted` for the commands (stdlib only, so that importing it is instant).

Inside an import the exit is immediate (`os._exit`); elsewhere the handler raises SystemExit and
remembers the interrupt, so that one swallowed by a finalizer still ends the command with 130.
"""

from __future__ import annotations

import os
import sys
from types import FrameType

EXIT_INTERRUPTED = 130
_INTERRUPTS: list[int] = []


def interrupted(signum: int, frame: FrameType | None) -> None:
    """The SIGINT handler: one line on stderr, exit 130."""
    _INTERRUPTS.append(signum)
    sys.stderr.write("interrupted\n")
    if _in_import(frame):
        sys.stderr.flush()
        os._exit(EXIT_INTERRUPTED)
    raise SystemExit(EXIT_INTERRUPTED)


def _in_import(frame: FrameType | None) -> bool:
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False


def was_interrupted() -> bool:
    """True once a SIGINT reached the handler, even if its exception was swallowed."""
    return bool(_INTERRUPTS)
