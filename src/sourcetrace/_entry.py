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


def main() -> int:
    signal.signal(signal.SIGINT, _interrupted)
    from .cli import main as cli_main

    return cli_main()


def evaluate_main() -> int:
    signal.signal(signal.SIGINT, _interrupted)
    from .cli import evaluate_main as cli_evaluate_main

    return cli_evaluate_main()
