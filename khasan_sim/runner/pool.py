"""Where the replications run: a local pool of worker processes, or a Dask cluster.

Both backends take a :class:`~khasan_sim.runner.replication.ReplicationSource` and a
list of ``(index, seed)`` tasks and yield each finished run as a
:class:`~khasan_sim.runner.study.RunRecord`, in the order they finish. Only a bounded
window of tasks is in flight at a time, so an interrupted study loses at most a few
runs, which ``--resume`` runs again.

* :func:`local_runs` - :class:`concurrent.futures.ProcessPoolExecutor` with *spawn*
  workers (safe with threads in the parent, identical on every OS); each worker loads
  the scenario once in its initializer. A worker process that dies (killed, crashed)
  breaks the pool: the finished runs are yielded, then :class:`WorkersLostError` is raised.
* :func:`dask_runs` - a ``dask.distributed`` cluster at a scheduler address; each
  Dask worker loads the scenario once (per thread). Dask reschedules the runs of a
  worker that dies; a run that kills several workers is recorded as an error.

On Ctrl-C (KeyboardInterrupt) both stop at once: the workers are stopped, the runs
not yet finished are dropped, and the interrupt goes on to the caller.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from khasan_sim.errors import KhasanSimError
from khasan_sim.runner.replication import ReplicationSource, init_local_worker, run_replication
from khasan_sim.runner.study import RunRecord

Task = tuple[int, int]
"""A replication to run: ``(index, seed)``."""


class WorkersLostError(KhasanSimError):
    """A worker process died (killed or crashed) and the local pool cannot go on.

    Attributes:
        unfinished: The indices of the runs that were in flight or not yet started.
    """

    def __init__(self, message: str, unfinished: Sequence[int]) -> None:
        super().__init__(message)
        self.unfinished = list(unfinished)


class SchedulerError(KhasanSimError):
    """The Dask scheduler cannot be reached, or dask.distributed is not installed."""


def default_workers() -> int:
    """Return the number of worker processes to use by default: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def _in_flight_limit(workers: int) -> int:
    """Return how many tasks to keep submitted: enough to keep every worker busy."""
    return 2 * workers + 2


def _stop_local_workers(executor: ProcessPoolExecutor) -> None:
    """Stop the pool's worker processes now, without waiting for their runs."""
    terminate = getattr(executor, "terminate_workers", None)  # Python 3.14+
    if callable(terminate):
        terminate()
        return
    for process in list(getattr(executor, "_processes", {}).values()):
        if process.is_alive():
            process.terminate()


def _warm_kernels_for(source: ReplicationSource) -> None:
    """The first study after an install: compile the kernels here, on two cores
    (runner/warmup.py), before the workers start, instead of in every worker at once.
    A scenario that does not load is left to the workers to report, as before."""
    from khasan_sim.runner.warmup import warm_kernels_before

    def load() -> Any:
        source.prepare()
        return source.scenario

    warm_kernels_before(load)


def local_runs(source: ReplicationSource, tasks: Sequence[Task], workers: int) -> Iterator[RunRecord]:
    """Run *tasks* in *workers* local processes; yield each finished run.

    Args:
        source: What a replication is (picklable; prepared once per worker).
        tasks: ``(index, seed)`` pairs.
        workers: Worker processes (at least 1).

    Yields:
        Each finished run (ok or error), in the order they finish.

    Raises:
        WorkersLostError: A worker process died; the runs finished before are yielded first.
        KeyboardInterrupt: Ctrl-C; the workers are stopped.
    """
    if not tasks:
        return
    workers = max(1, min(workers, len(tasks)))
    _warm_kernels_for(source)
    executor = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=init_local_worker,
        initargs=(source,),
    )
    todo = iter(tasks)
    pending: dict[Future[dict[str, Any]], int] = {}
    clean = False

    def top_up() -> None:
        while len(pending) < _in_flight_limit(workers):
            task = next(todo, None)
            if task is None:
                return
            index, seed = task
            pending[executor.submit(run_replication, source, index, seed)] = index

    try:
        top_up()
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            lost: list[int] = []
            for future in sorted(done, key=pending.__getitem__):
                index = pending.pop(future)
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    lost.append(index)
                    continue
                yield RunRecord.from_dict(outcome)
            if lost:
                unfinished = sorted([*lost, *pending.values(), *(i for i, _ in todo)])
                msg = (
                    f"a worker process died (killed or crashed) while running; {len(unfinished)} "
                    "run(s) not done"
                )
                raise WorkersLostError(msg, unfinished)
            top_up()
        clean = True
    finally:
        if not clean:
            _stop_local_workers(executor)
        executor.shutdown(wait=clean, cancel_futures=True)


def dask_client(scheduler: Any, timeout: float = 15.0) -> tuple[Any, bool]:
    """Return (client, owned): a Client connected to an address, or the client given.

    Args:
        scheduler: ``tcp://host:port`` of a Dask scheduler, or a ``distributed.Client``.
        timeout: Seconds to wait for the scheduler.

    Raises:
        SchedulerError: dask.distributed is not installed, or no scheduler answered in time.
    """
    try:
        from distributed import Client
    except ImportError:
        msg = "--scheduler needs dask.distributed: pip install 'khasan-sim[cluster]' (or 'dask[distributed]')"
        raise SchedulerError(msg) from None
    if isinstance(scheduler, Client):
        return scheduler, False
    try:
        client = Client(scheduler, timeout=f"{timeout}s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        msg = f"cannot reach the Dask scheduler at {scheduler} within {timeout:g} s ({exc})"
        raise SchedulerError(msg) from None
    return client, True


def dask_capacity(client: Any) -> int:
    """Return the number of worker threads of the cluster (at least 1)."""
    info = client.scheduler_info()
    return max(1, sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values()))


def dask_runs(source: ReplicationSource, tasks: Sequence[Task], scheduler: Any, *, study_key: str = "study") -> Iterator[RunRecord]:
    """Run *tasks* on a Dask cluster; yield each finished run.

    Args:
        source: What a replication is (picklable; prepared once per worker thread).
        tasks: ``(index, seed)`` pairs.
        scheduler: The scheduler address (``tcp://host:8786``) or a ``distributed.Client``.
        study_key: Prefix of the Dask task keys (the study digest keeps two studies apart).

    Yields:
        Each finished run (ok or error), in the order they finish.

    Raises:
        SchedulerError: dask.distributed is missing or the scheduler cannot be reached.
        KeyboardInterrupt: Ctrl-C; the runs not finished are cancelled.
    """
    if not tasks:
        return
    client, owned = dask_client(scheduler)
    from distributed import as_completed

    todo = iter(tasks)
    pending: dict[str, tuple[Task, Any]] = {}
    finished = False

    def submit(task: Task) -> Any:
        index, seed = task
        key = f"khasan-run-{study_key}-{index}-{seed}"
        future = client.submit(run_replication, source, index, seed, key=key, pure=False, retries=0)
        pending[key] = (task, future)
        return future

    try:
        limit = 4 * dask_capacity(client) + 4
        first = [submit(t) for _, t in zip(range(limit), todo, strict=False)]
        stream = as_completed(first, loop=client.loop)
        for future in stream:
            (index, seed), _ = pending.pop(future.key)
            try:
                outcome = future.result()
            except Exception as exc:
                yield RunRecord(index, seed, "error", None, f"the Dask task failed: {type(exc).__name__}: {exc}", 0.0, "")
            else:
                yield RunRecord.from_dict(outcome)
            future.release()
            nxt = next(todo, None)
            if nxt is not None:
                stream.add(submit(nxt))
        finished = True
    finally:
        if not finished and pending:
            client.cancel([f for _, f in pending.values()])
        if owned:
            client.close()
