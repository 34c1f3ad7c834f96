"""Imported first by the forkserver that forks the Dask workers of `evaluate --workers`
(scale.py), and by nothing else: it makes that process, and so every worker forked from it,
ignore SIGINT.

Ctrl-C in a terminal reaches the whole process group. The parent alone handles it: it closes
the cluster, which ends the workers, and exits 130; a worker that took the KeyboardInterrupt
itself would print a traceback of its own, and its nanny would start it again.
"""

import signal

signal.signal(signal.SIGINT, signal.SIG_IGN)
