"""What a worker process runs: one replication of a scenario by seed.

A :class:`Replications` object says how to run a replication (the scenario and variant
files, the extra snapshot times). It is small and picklable: the worker pool sends it to
each worker process (or Dask worker), which calls :meth:`Replications.prepare` once (to
load the scenario) and then :meth:`Replications.run` for each seed.

:func:`run_replication` is the task a worker runs. It never raises for a failed run: it
returns a plain dict (``index``, ``seed``, ``status``, ``result_json`` or ``error``,
``elapsed``, ``worker``) so that the study records the error of that seed and goes on.

Anything with the same three members (``cache_key``, ``prepare()``, ``run(seed)``) can
stand in for :class:`Replications`, which is how the tests inject fast synthetic runs.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
import traceback
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from khasan_sim.errors import KhasanSimError


@runtime_checkable
class ReplicationSource(Protocol):
    """Runs replications of one study in a worker process.

    Attributes:
        cache_key: Identifies what :meth:`prepare` loads; equal keys share one prepared
            object per worker process (or thread).
    """

    cache_key: str

    def prepare(self) -> None:
        """Load what every replication needs (once per worker process)."""

    def run(self, seed: int) -> str:
        """Run the replication with *seed*; return its result as JSON text (METRICS.md form)."""
        ...


class Replications:
    """Replications of a scenario (or variant) with the real simulation.

    Args:
        scenario_path: The scenario file, as the workers can open it (an absolute path:
            Dask workers may run in another folder, or on another machine with the same
            files at the same place).
        variant_path: A variant file, or None.
        snapshot_at: Extra snapshot labels each run takes.
        scenario_digest: The digest the study was created with; a worker that loads a
            scenario with another digest (its files differ) fails every run with a clear
            error instead of mixing two scenarios in one study. None skips the check.
        commanders: The sides the computer commander plays, with its level (the study's
            pairing, :mod:`khasan_sim.ai`); empty for the scenario's own controllers.
    """

    def __init__(
        self,
        scenario_path: str,
        variant_path: str | None = None,
        snapshot_at: Sequence[str] = (),
        scenario_digest: str | None = None,
        commanders: dict[str, str] | None = None,
    ) -> None:
        self.scenario_path = str(scenario_path)
        self.variant_path = None if variant_path is None else str(variant_path)
        self.snapshot_at = tuple(snapshot_at)
        self.scenario_digest = scenario_digest
        self.commanders = dict(sorted((commanders or {}).items()))
        key = ["scenario", self.scenario_path, self.variant_path, self.snapshot_at, scenario_digest]
        self.cache_key = json.dumps([*key, self.commanders] if self.commanders else key)
        self._scenario: Any = None

    def __repr__(self) -> str:
        return f"Replications({self.scenario_path!r}, variant={self.variant_path!r})"

    def __getstate__(self) -> dict[str, Any]:
        # The loaded scenario stays in its process: each worker loads its own.
        state = dict(self.__dict__)
        state["_scenario"] = None
        return state

    @property
    def scenario(self) -> Any:
        """The loaded scenario (None before :meth:`prepare`)."""
        return self._scenario

    def prepare(self) -> None:
        """Load the scenario (once per worker).

        Raises:
            KhasanSimError: The scenario cannot be loaded, or its digest is not the study's.
        """
        from khasan_sim.ai.driver import with_pairing
        from khasan_sim.scenario.load import load_scenario

        scenario = with_pairing(load_scenario(self.scenario_path, self.variant_path), self.commanders)
        if self.scenario_digest is not None and scenario.digest != self.scenario_digest:
            msg = (
                f"{self.scenario_path}: this worker loaded a scenario with digest {scenario.digest[:12]}… "
                f"(expected {self.scenario_digest[:12]}… as in the study file): its scenario, parameter "
                "or terrain files differ from the ones the study was started with"
            )
            raise KhasanSimError(msg)
        self._scenario = scenario

    def simulate(self, seed: int) -> Any:
        """Run the replication with *seed* to the end; return the finished
        :class:`~khasan_sim.api.Simulation` (its events, its result)."""
        from khasan_sim.api import Simulation

        if self._scenario is None:
            self.prepare()
        sim = Simulation(self._scenario, seed)
        sim.run_to_end(snapshot_at=self.snapshot_at)
        return sim

    def run(self, seed: int) -> str:
        """Run the replication with *seed* to the end; return its JSON text."""
        result = self.simulate(seed).result()
        return json.dumps(result.to_json(), separators=(",", ":"), ensure_ascii=False, allow_nan=False)


# ------------------------------------------------------------- in the worker

_local = threading.local()
_KEEP_PREPARED = 2


def prepared(source: ReplicationSource) -> ReplicationSource:
    """Return the prepared source for *source*'s cache key in this worker (preparing it once).

    The cache is per thread (a Dask worker may run several threads) and keeps the last
    two studies, so a long-lived worker serving many studies does not grow.
    """
    cache: dict[str, ReplicationSource] | None = getattr(_local, "cache", None)
    if cache is None:
        cache = {}
        _local.cache = cache
    got = cache.get(source.cache_key)
    if got is None:
        source.prepare()
        while len(cache) >= _KEEP_PREPARED:
            cache.pop(next(iter(cache)))
        cache[source.cache_key] = source
        got = source
    return got


def _save_paths() -> None:
    """Keep this worker's new path searches for later processes (terrain/path_store.py):
    a pool worker ends without running exit handlers, so it saves as it goes, at most
    every 20 s and when it has 32 new ones at least."""
    from khasan_sim.terrain import path_store

    with contextlib.suppress(Exception):  # the store only saves searches: never a reason to fail a run
        path_store.save_new_paths(min_new=32, min_interval_s=20.0)


def worker_name() -> str:
    """Return ``host:pid`` of this process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def run_replication(source: ReplicationSource, index: int, seed: int) -> dict[str, Any]:
    """Run replication *index* with *seed* in this worker; never raise for a failed run.

    Returns:
        ``{"index", "seed", "status": "ok", "result_json", "elapsed", "worker"}``, or with
        ``"status": "error"`` and ``"error"`` (the exception and its traceback) instead of
        ``result_json``.
    """
    t0 = time.perf_counter()
    try:
        text = prepared(source).run(seed)
        _save_paths()
    except Exception as exc:
        tb = traceback.format_exception(type(exc), exc, exc.__traceback__, limit=-8)
        return {
            "index": index,
            "seed": seed,
            "status": "error",
            "error": "".join(tb).rstrip(),
            "elapsed": time.perf_counter() - t0,
            "worker": worker_name(),
        }
    return {
        "index": index,
        "seed": seed,
        "status": "ok",
        "result_json": text,
        "elapsed": time.perf_counter() - t0,
        "worker": worker_name(),
    }


def _exit_with_parent(parent: int, every_seconds: float = 1.0) -> None:
    """Watch the parent process; end this worker at once when it is gone (killed)."""
    while True:
        time.sleep(every_seconds)
        if os.getppid() != parent:
            os._exit(1)


def init_local_worker(source: ReplicationSource) -> None:
    """Initialise a local pool worker: leave Ctrl-C to the parent and load the scenario once.

    The worker also ends itself if the parent process dies (killed with SIGKILL, say),
    instead of waiting for tasks forever. A failure to prepare is not raised here (it
    would break the whole pool): each run then tries again and records the error
    against its seed.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), name="exit-with-parent", daemon=True).start()
    with contextlib.suppress(Exception):  # recorded per run by run_replication
        prepared(source)
