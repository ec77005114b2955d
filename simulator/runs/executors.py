"""Where independent tasks run: in this process, in a pool of processes, or on a Dask cluster.

Replicates (:mod:`simulator.runs.replicates`) and the blocks of a large synthetic population
(:mod:`simulator.runs.blocks`) both hand a task and its argument tuples to one of
:data:`RUNNERS`; each runner yields the tasks' results as they finish, so callers whose results
must not depend on the order add them up or sort them.

Examples
--------
>>> sorted(RUNNERS["serial"](pow, [(2, 3), (3, 2)], 1, None))
[8, 9]
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import as_completed as futures_completed
from typing import Any

#: Called after each task with the number done and the number asked for.
Progress = Callable[[int, int], None]


def run_serial(task: Callable, args: list[tuple], workers: int, scheduler: Any) -> Iterator:
    """Each task in this process, in order."""
    for a in args:
        yield task(*a)


def run_in_processes(task: Callable, args: list[tuple], workers: int, scheduler: Any) -> Iterator:
    """The tasks in a pool of ``workers`` fresh processes, yielded as they finish."""
    ctx = multiprocessing.get_context("spawn")  # no fork of a process that may hold threads
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futures = [pool.submit(task, *a) for a in args]
        for f in futures_completed(futures):
            yield f.result()


def run_on_dask(task: Callable, args: list[tuple], workers: int, scheduler: Any) -> Iterator:
    """The tasks on a Dask cluster: ``scheduler`` (a Client or an address), else a local one."""
    try:  # dask is an optional extra: imported only when this executor is asked for
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise RuntimeError(
            "the dask executor needs the 'dask' extra: pip install "
            "'sentence-reduction-simulator[dask]' (or uv sync --extra dask)"
        ) from None
    own: list[Any] = []
    if isinstance(scheduler, Client):
        client = scheduler
    elif scheduler is None:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None)
        client = Client(cluster)
        own = [client, cluster]
    else:
        client = Client(scheduler)
        own = [client]
    try:
        futures = [client.submit(task, *a, pure=False) for a in args]
        for f in as_completed(futures):
            yield f.result()
    finally:
        for thing in own:
            thing.close()


RUNNERS = {"serial": run_serial, "process": run_in_processes, "dask": run_on_dask}


def reported(results: Iterator, n: int, progress: Progress | None) -> Iterator:
    """The results, calling ``progress(done, n)`` after each."""
    for done, r in enumerate(results, 1):
        if progress is not None:
            progress(done, n)
        yield r
