"""How much one `studio push` or `pull` may spend on a server: the one home of these bounds
(the client applies them, the command line and README state them)."""

from __future__ import annotations

DEFAULT_TIMEOUT_SECONDS = 30.0  # connect and read timeout of every call (--timeout)
MAX_TIMEOUT_SECONDS = 3600.0
RESPONSE_TIMEOUTS = 10  # one whole response within this many timeouts (a server that trickles)
RETRY_WAITS = (1.0, 2.0)  # waits before the retries of a read refused or answered 429/502-504
RETRY_STATUSES = frozenset({429, 502, 503, 504})
PAGE_SIZE = 100
MAX_PAGES = 100  # of a listing: more is refused (a server that keeps announcing pages)
MAX_REQUESTS = MAX_PAGES * (len(RETRY_WAITS) + 1) + 20  # calls to the server in one command
