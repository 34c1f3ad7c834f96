"""Scoring on a Dask cluster: each worker scores one shard (`evaluate --partial --shard K/N`),
and the shards are merged into the report of one run (`sourcetrace merge`).

Needs the `scale` extra (dask.distributed). Workers read the inputs by path, so they must see the
same files (a LocalCluster does; a remote cluster needs a shared file system).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import InputError
from .partials import evaluate_partial, merge_partials


def evaluate_on_dask(
    predictions: str | Path,
    gold: str | Path | None = None,
    *,
    client: Any = None,
    workers: int = 2,
    shards: int | None = None,
    compare: str | Path | None = None,
    per_document: bool = False,
    **options: Any,
) -> dict[str, Any]:
    """The report of `evaluate`, computed as ``shards`` partials on a Dask cluster.

    ``client``: a `dask.distributed.Client`; without one, a LocalCluster of ``workers``
    single-threaded worker processes is started and closed. ``shards`` defaults to the number
    of workers. The report equals the one-process report (a test checks it byte for byte).
    """
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise InputError(
            "scoring on Dask needs the `scale` extra",
            expected="pip install 'sourcetrace[scale]' (dask.distributed)",
        ) from None
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InputError(f"{workers!r} workers", expected="--workers N with N >= 1")
    own_client = client is None
    if own_client:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            host="127.0.0.1",
        )
        client = Client(cluster)
    try:
        count = shards or len(client.scheduler_info()["workers"]) or 1
        futures = [
            client.submit(
                evaluate_partial,
                str(predictions),
                None if gold is None else str(gold),
                shard=(index, count),
                compare=None if compare is None else str(compare),
                pure=False,
                **options,
            )
            for index in range(1, count + 1)
        ]
        partials = client.gather(futures)
    finally:
        if own_client:
            client.close()
            cluster.close()
    return merge_partials(partials, per_document=per_document)
