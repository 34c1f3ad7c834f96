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

import gc
import os
import signal
from types import ModuleType

from sourcetrace.cli.interrupts import interrupted


def _fit_blas_in_a_memory_cap() -> None:
    """Under a cap on the address space (ulimit -v), OpenBLAS reserves buffers for a thread per
    core when numpy is imported and, when that fails, ends the process itself (exit 1, before
    Python can say anything). One thread reserves little: a run that does not fit then fails
    with a MemoryError, which the command line reports (exit 2, saying what to lower)."""
    import resource

    if resource.getrlimit(resource.RLIMIT_AS)[0] != resource.RLIM_INFINITY:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _command_line() -> ModuleType:
    """`cli.main`, imported with the cyclic collector paused: an import makes modules, not
    garbage, and the collections it would set off cost a few milliseconds of every start-up
    (`convert` of 10k documents has tens of them to spare, issue 22)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        from sourcetrace.cli import main as command_line
    finally:
        if enabled:
            gc.enable()
    return command_line


def main() -> int:
    signal.signal(signal.SIGINT, interrupted)
    _fit_blas_in_a_memory_cap()
    return _command_line().main()


def evaluate_main() -> int:
    signal.signal(signal.SIGINT, interrupted)
    _fit_blas_in_a_memory_cap()
    return _command_line().evaluate_main()
