"""The console scripts' entry points, kept tiny so that Ctrl-C is handled from the first moment:
a SIGINT that arrives while the command line is still being imported exits 130 with one line,
like one that arrives later (cli.run), instead of a traceback."""

from __future__ import annotations

import signal
import sys
from typing import Any

EXIT_INTERRUPTED = 130


def _interrupted(signum: int, frame: Any) -> None:
    sys.stderr.write("interrupted\n")
    raise SystemExit(EXIT_INTERRUPTED)


def _fit_blas_in_a_memory_cap() -> None:
    """Under a cap on the address space (ulimit -v), OpenBLAS reserves buffers for a thread per
    core when numpy is imported and, when that fails, ends the process itself (exit 1, before
    Python can say anything). One thread reserves little: a run that does not fit then fails
    with a MemoryError, which the command line reports (exit 2, saying what to lower)."""
    import os
    import resource

    if resource.getrlimit(resource.RLIMIT_AS)[0] != resource.RLIM_INFINITY:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def main() -> int:
    signal.signal(signal.SIGINT, _interrupted)
    _fit_blas_in_a_memory_cap()
    from .cli import main as cli_main

    return cli_main()


def evaluate_main() -> int:
    signal.signal(signal.SIGINT, _interrupted)
    _fit_blas_in_a_memory_cap()
    from .cli import evaluate_main as cli_evaluate_main

    return cli_evaluate_main()
