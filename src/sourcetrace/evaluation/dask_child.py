"""Imported first by the forkserver that forks the Dask workers of `evaluate --workers`
(scale.py), and by nothing else: it makes that process, and so every worker forked from it,
ignore SIGINT, and keep the memory malloc frees, as the one-process `evaluate` does.

Ctrl-C in a terminal reaches the whole process group. The parent alone handles it: it closes
the cluster, which ends the workers, and exits 130; a worker that took the KeyboardInterrupt
itself would print a traceback of its own, and its nanny would start it again.

A worker reads, checks and scores chunks as the one process does, and malloc's settings (and
the flag that picks pyarrow's pool) are copied into every process forked from this one: without
them each chunk's blocks are mapped again and fault their pages in anew (W3 at 10k: 3.7 s of
system time in the two workers against 0.6 s in one process).
"""

import signal

from sourcetrace.schema.columns import keep_freed_memory

signal.signal(signal.SIGINT, signal.SIG_IGN)
keep_freed_memory()
