"""The console scripts' entry points, kept tiny so that Ctrl-C is handled from the first moment:
a SIGINT that arrives while the command line is still being imported exits 130 with one line,
like one that arrives later (cli.run), instead of a traceback.

Inside an import the exit is immediate (`os._exit`): an exception raised in the middle of a C
extension's initialisation can leave it half made, and the interpreter then crashes at exit
(a segmentation fault was seen); nothing is being written during an import. Elsewhere the
handler raises SystemExit, and remembers the interrupt, so that one swallowed by a finalizer
("Exception ignored in ...") still ends the command with 130 before it writes a report.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

EXIT_INTERRUPTED = 130
_interrupts: list[int] = []


def _interrupted(signum: int, frame: FrameType | None) -> None:
    _interrupts.append(signum)
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
    return bool(_interrupts)


def _fit_blas_in_a_memory_cap() -> None:
    """Under a cap on the address space (ulimit -v), OpenBLAS reserves buffers for a thread per
    core when numpy is imported and, when that fails, ends the process itself (exit 1, before
    Python can say anything). One thread reserves little: a run that does not fit then fails
    with a MemoryError, which the command line reports (exit 2, saying what to lower)."""
    import resource

    if resource.getrlimit(resource.RLIMIT_AS)[0] != resource.RLIM_INFINITY:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def main() -> int:
    signal.signal(signal.SIGINT, _interrupted)
    _fit_blas_in_a_memory_cap()
    from sourcetrace.cli.main import main as cli_main

    return cli_main()


def evaluate_main() -> int:
    signal.signal(signal.SIGINT, _interrupted)
    _fit_blas_in_a_memory_cap()
    from sourcetrace.cli.main import evaluate_main as cli_evaluate_main

    return cli_evaluate_main()
