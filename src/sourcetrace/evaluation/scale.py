"""Scoring on a Dask cluster (`evaluate --workers N`, `--scheduler ADDRESS`): each worker scores
shards, and the shards are merged into the report of one run (`sourcetrace merge`).

Needs the `scale` extra (dask.distributed). JSON Lines inputs are indexed once here and each shard
reads only the byte ranges of its documents (byte_ranges.py); other inputs are read whole by every
shard. Workers read by absolute path, so they must see the same files (a LocalCluster does; the
workers of a remote cluster need a shared file system).

Every loop is bounded: the workers of a LocalCluster are at most the usable cores and the
documents; Dask's own log lines are silenced unless `SOURCETRACE_DASK_LOGS=1`; and a Ctrl-C at
any moment (while Dask starts, scores or closes) is held until Dask's own code is out of the
way, then ends the run with KeyboardInterrupt after the cluster is closed, never a report.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from sourcetrace.errors import InputError
from sourcetrace.evaluation.partials import evaluate_partial, merge_partials
from sourcetrace.progress import stage

LOGS_ENV = "SOURCETRACE_DASK_LOGS"  # set to 1 to see Dask's own log lines and warnings
CLOSE_TIMEOUT_SECONDS = 20
CONNECT_TIMEOUT_SECONDS = 20
POLL_SECONDS = 0.05
# imported by the forkserver before it forks a worker: the first ignores SIGINT (see it), the
# others are imported once there rather than in every worker
WORKER_PRELOAD = (
    "sourcetrace.evaluation.dask_child",
    "distributed",
    "sourcetrace.evaluation.partials",
    "sourcetrace.evaluation.byte_ranges",
)


@dataclass(frozen=True)
class Plan:
    """How many worker processes and shards a run uses, and why fewer than asked."""

    workers: int
    shards: int
    notes: tuple[str, ...]


def plan_workers(requested: int, shards: int | None, documents: int, cores: int) -> Plan:
    """At most one worker per usable core, per document and per shard; at most one shard per
    document (more shards than documents would only be empty ones)."""
    if isinstance(requested, bool) or not isinstance(requested, int) or requested < 1:
        raise InputError(f"{requested!r} workers", expected="--workers N with N >= 1")
    if shards is not None and (isinstance(shards, bool) or not isinstance(shards, int)):
        raise InputError(f"{shards!r} shards", expected="a whole number of shards >= 1")
    if shards is not None and shards < 1:
        raise InputError(f"{shards} shards", expected="a whole number of shards >= 1")
    notes = []
    documents = max(documents, 1)
    workers = min(requested, max(cores, 1), documents)
    if workers < requested:
        why = []
        if workers == max(cores, 1):
            why.append(f"{cores} usable core(s)")
        if workers == documents:
            why.append(f"{documents} document(s)")
        notes.append(f"--workers {requested} lowered to {workers} ({' and '.join(why)})")
    wanted_shards = workers if shards is None else shards
    used_shards = min(wanted_shards, documents)
    if used_shards < wanted_shards:
        notes.append(f"{wanted_shards} shards lowered to {used_shards} ({documents} document(s))")
    return Plan(min(workers, used_shards), used_shards, tuple(notes))


def usable_cores() -> int:
    """The cores this process may run on (its affinity), else the machine's."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def document_count(gold: str | Path | None) -> int:
    """How many documents the shards are cut from (the corpus texts), counted cheaply as the
    lines of the file that holds them. It only bounds the workers: the shards themselves are
    always cut from the gold as read, so an estimate can never change a number."""
    from sourcetrace.evaluation.inputs import is_corpus_folder
    from sourcetrace.paths import corpus_dir

    if gold is None or is_corpus_folder(Path(gold)) or Path(gold).is_dir():
        # a gold folder is bound to the packaged corpus's texts
        folder = Path(gold) if gold is not None and is_corpus_folder(Path(gold)) else corpus_dir()
        path = folder / "data" / "documents.jsonl"
    else:
        path = Path(gold)
    try:
        with path.open("rb") as handle:
            return sum(1 for line in handle if line.strip())
    except OSError:
        return 1 << 30  # unreadable: the workers say why; no bound from here


def evaluate_on_dask(
    predictions: str | Path,
    gold: str | Path | None = None,
    *,
    client: Any = None,
    scheduler: str | None = None,
    workers: int = 2,
    shards: int | None = None,
    compare: str | Path | None = None,
    per_document: bool = False,
    progress: Callable[[str], None] | None = None,
    **options: Any,
) -> dict[str, Any]:
    """The report of `evaluate`, computed as ``shards`` partials on a Dask cluster.

    ``client``: a `dask.distributed.Client`; ``scheduler``: the address of a running Dask
    scheduler (``tcp://HOST:PORT``) to connect to; without either, a LocalCluster of
    ``workers`` single-threaded worker processes is started and closed, ``workers`` lowered to
    the usable cores and the documents. ``shards`` defaults to chunks of CHUNK_DOCUMENTS gold
    documents (at least one per worker) for inputs read by byte range, else the number of
    workers.
    JSON Lines inputs (and gold from a corpus folder or a gold JSONL) are indexed once here and
    each shard reads only its byte ranges (byte_ranges.py); other inputs are read whole by each
    shard. ``progress`` is told the notes on the plan (workers lowered; the CLI prints them on
    stderr); starting the cluster and scoring the shards are stages of
    ``sourcetrace.progress``. The report equals the one-process report (a test checks it byte
    for byte). Ctrl-C ends the run with KeyboardInterrupt, the cluster closed.
    """
    tell = progress or (lambda message: None)
    if client is not None and scheduler is not None:
        raise InputError(
            "both a Dask client and a scheduler address", expected="one of client or scheduler"
        )
    with _held_interrupts() as interrupted:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise InputError(
                "scoring on Dask needs the `scale` extra",
                expected="pip install 'sourcetrace[scale]' (dask.distributed)",
            ) from None
        run = _Run(predictions, gold, compare, options, per_document, interrupted, shards)
        if client is not None:
            return run.on(client, run.plan_on(client, shards))
        if scheduler is not None:
            with _quiet_dask():
                client = None
                try:
                    with stage(f"connecting to the Dask scheduler at {scheduler}"):
                        client = _connect(Client, scheduler)
                    return run.on(client, run.plan_on(client, shards))
                finally:
                    _close(client, None)
                    del client
                    gc.collect()
        plan = plan_workers(workers, shards, run.documents(), usable_cores())
        for note in plan.notes:
            tell(note)
        with _quiet_dask():
            cluster = client = None
            try:
                with stage(f"starting a local Dask cluster of {plan.workers} worker process(es)"):
                    _stop_if(interrupted)
                    cluster = _start_cluster(LocalCluster, plan.workers)
                    _stop_if(interrupted)
                    client = Client(cluster)
                return run.on(client, plan)
            finally:
                _close(client, cluster)
                del client, cluster
                gc.collect()  # Dask's finalizers run now, while Ctrl-C is still held


class _Run:
    """One run's inputs; indexed once (when the shards can read byte ranges) for the plan and
    the shards alike."""

    def __init__(
        self,
        predictions: Any,
        gold: Any,
        compare: Any,
        options: dict[str, Any],
        per_document: bool,
        interrupted: Callable[[], bool],
        shards: int | None,
    ) -> None:
        from sourcetrace.evaluation.byte_ranges import supports_ranges

        self.predictions, self.gold, self.compare = predictions, gold, compare
        self.shards = shards  # as asked: None, chunks of CHUNK_DOCUMENTS
        self.options, self.per_document, self.interrupted = options, per_document, interrupted
        self.ranged = supports_ranges(predictions, gold, compare)
        self._gold_index: Any = None

    def gold_index(self) -> Any:
        from sourcetrace.evaluation.byte_ranges import index_gold

        if self._gold_index is None:
            with stage("indexing the gold"):
                self._gold_index = index_gold(self.gold)
        return self._gold_index

    def chunks(self) -> int:
        """Shards of at most CHUNK_DOCUMENTS documents: every worker stays busy to the end
        and holds one chunk's documents at a time."""
        from sourcetrace.evaluation.byte_ranges import chunk_count

        return chunk_count(self.documents())

    def documents(self) -> int:
        if self.ranged:
            return len(self.gold_index().doc_ids)
        return document_count(self.gold)

    def plan_on(self, client: Any, shards: int | None) -> Plan:
        """On a cluster of its own: one shard per worker unless told."""
        workers = max(len(client.scheduler_info()["workers"]), 1)
        return plan_workers(workers, shards, self.documents(), cores=1 << 30)

    def on(self, client: Any, plan: Plan) -> dict[str, Any]:
        if not self.ranged:
            partials = _score_shards(
                client,
                plan,
                self.predictions,
                self.gold,
                self.compare,
                self.options,
                self.interrupted,
            )
            return merge_partials(partials, per_document=self.per_document)
        from sourcetrace.evaluation.byte_ranges import run_chunks, shard_specs

        shards = plan.shards if self.shards is not None else max(plan.shards, self.chunks())
        with stage("indexing the predictions"):
            specs = shard_specs(
                self.predictions,
                self.gold,
                shards=shards,
                compare=self.compare,
                gold_index=self.gold_index(),
                **self.options,
            )
        with stage(f"scoring {shards} shard(s) on {plan.workers} worker(s)"):
            return run_chunks(
                specs,
                per_document=self.per_document,
                submit=lambda function, calls: [
                    client.submit(function, *call, pure=False) for call in calls
                ],
                results=lambda futures: _gathered(client, futures, self.interrupted),
            )


def _connect(client_class: Any, address: str) -> Any:
    try:
        return client_class(address, timeout=CONNECT_TIMEOUT_SECONDS)
    except (OSError, TimeoutError, ValueError, TypeError) as error:
        raise InputError(
            f"could not connect to the Dask scheduler at {address}: {error}",
            expected="--scheduler ADDRESS of a running `dask scheduler` (e.g. "
            f"tcp://127.0.0.1:8786), reached within {CONNECT_TIMEOUT_SECONDS} s",
        ) from None


def _score_shards(
    client: Any,
    plan: Plan,
    predictions: str | Path,
    gold: str | Path | None,
    compare: str | Path | None,
    options: dict[str, Any],
    interrupted: Callable[[], bool],
) -> list[dict[str, Any]]:
    """Inputs that are not read by byte range: each shard reads them whole."""
    with stage(f"scoring {plan.shards} shard(s) on {plan.workers} worker(s)"):
        futures = [
            client.submit(
                evaluate_partial,
                str(predictions),
                None if gold is None else str(gold),
                shard=(index, plan.shards),
                compare=None if compare is None else str(compare),
                pure=False,
                **options,
            )
            for index in range(1, plan.shards + 1)
        ]
        return _gathered(client, futures, interrupted)


def _gathered(client: Any, futures: list[Any], interrupted: Callable[[], bool]) -> list[Any]:
    """The futures' results, Ctrl-C heard while they run; a shard's error raised at once. Each
    result is fetched as soon as its task is done, while the others still run, so that moving
    and unpickling the chunks' tallies (3.6 MB each on W3) is not a serial step at the end."""
    fetched: dict[int, Any] = {}
    try:
        while len(fetched) < len(futures):
            _stop_if(interrupted)
            done = [i for i, future in enumerate(futures) if i not in fetched and future.done()]
            if any(futures[i].status != "finished" for i in done):
                break  # an error (or a cancelled task): gather raises it at once, as it comes
            if done:
                values = client.gather([futures[i] for i in done])
                fetched.update(zip(done, values, strict=True))
            else:
                time.sleep(POLL_SECONDS)
        _stop_if(interrupted)
        if len(fetched) < len(futures):
            return list(client.gather(futures))
        return [fetched[i] for i in range(len(futures))]
    except BaseException:
        client.cancel(futures)
        raise


def _start_cluster(local_cluster: Any, workers: int) -> Any:
    """A LocalCluster of single-threaded worker processes on 127.0.0.1, forked from a
    forkserver that ignores SIGINT (see _dask_child.py) where the platform has one."""
    import multiprocessing

    import dask

    settings: dict[str, Any] = {}
    if "forkserver" in multiprocessing.get_all_start_methods():
        settings["distributed.worker.multiprocessing-method"] = "forkserver"
    with dask.config.set(settings):
        if settings:
            from distributed.utils import get_mp_context

            get_mp_context().set_forkserver_preload(list(WORKER_PRELOAD))
        try:
            return local_cluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
                host="127.0.0.1",
                silence_logs=False if os.environ.get(LOGS_ENV) else logging.CRITICAL,
            )
        except (OSError, TimeoutError, RuntimeError) as error:
            raise InputError(
                f"could not start a local Dask cluster of {workers} worker(s): {error}",
                expected=f"fewer --workers, or {LOGS_ENV}=1 to see Dask's own log",
            ) from None


def _close(client: Any, cluster: Any) -> None:
    """Close what was opened, each step bounded in time."""
    if client is not None:
        client.close(timeout=CLOSE_TIMEOUT_SECONDS)
    if cluster is not None:
        cluster.close(timeout=CLOSE_TIMEOUT_SECONDS)


def _stop_if(interrupted: Callable[[], bool]) -> None:
    if interrupted():
        raise KeyboardInterrupt


@contextmanager
def _held_interrupts() -> Iterator[Callable[[], bool]]:
    """While Dask runs, a SIGINT only sets a flag (read through the yielded function), so it
    never lands inside Dask's threads, finalizers or start-up, where it is swallowed ("Exception
    ignored ...") or leaves half-started processes behind; the previous handler is back on
    exit, and a SIGINT that came meanwhile is raised then as KeyboardInterrupt."""
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False  # only the main thread receives signals
        return
    caught = threading.Event()

    def hold(signum: int, frame: FrameType | None) -> None:
        caught.set()

    previous = signal.signal(signal.SIGINT, hold)
    try:
        yield caught.is_set
    except BaseException:
        if caught.is_set():  # e.g. a worker that failed to start because of the same Ctrl-C
            raise KeyboardInterrupt from None
        raise
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught.is_set():
        raise KeyboardInterrupt


@contextmanager
def _quiet_dask() -> Iterator[None]:
    """Dask's warnings (e.g. of a busy event loop) silenced unless SOURCETRACE_DASK_LOGS=1; its
    log lines are silenced by the cluster itself (``silence_logs``)."""
    if os.environ.get(LOGS_ENV):
        yield
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


__all__ = ["LOGS_ENV", "Plan", "evaluate_on_dask", "plan_workers", "usable_cores"]
