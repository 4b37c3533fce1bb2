"""Run a study: the missing replications of a study file, in parallel, stored as they finish.

:func:`run_study` takes an open :class:`~khasan_sim.runner.study.StudyFile` and a
:class:`~khasan_sim.runner.replication.ReplicationSource`, runs every index the file
does not hold yet (locally or on a Dask cluster), and stores the finished runs in
batches: one transaction per batch of at most ``commit_every`` runs or ``commit_seconds``
of waiting, whichever comes first. Replication ``i`` always has the seed
``replication_seed(study_seed, i)`` (in a branch study, the branch seed of ``i``:
:mod:`khasan_sim.runner.branches`), so the results depend neither on the number of
workers nor on how often the study was interrupted and resumed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from khasan_sim.rng import replication_seed
from khasan_sim.runner.pool import Task, WorkersLostError, dask_runs, default_workers, local_runs
from khasan_sim.runner.progress import SilentProgress, StudyProgress
from khasan_sim.runner.replication import ReplicationSource
from khasan_sim.runner.study import RunRecord, StudyCounts, StudyFile, StudySpec


def params_digest(params: Any) -> str:
    """Return the sha256 of a parameter set (its sorted ``(key, repr(value))`` pairs)."""
    items = params.digest_items() if hasattr(params, "digest_items") else sorted((str(k), repr(v)) for k, v in dict(params).items())
    text = json.dumps(items, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def study_spec(
    scenario: Any,
    *,
    study_seed: int,
    runs: int,
    snapshot_at: Sequence[str] = (),
    code_version: str | None = None,
    branch: str | None = None,
) -> StudySpec:
    """Return the spec of a study of a loaded scenario.

    Args:
        scenario: A loaded scenario (:func:`khasan_sim.scenario.load.load_scenario`).
        study_seed: The study seed.
        runs: Replications asked for.
        snapshot_at: Extra snapshot labels (sorted and deduplicated here).
        code_version: The code version; default the installed khasan-sim's.
        branch: For a branch study, where its runs branch from
            (:meth:`khasan_sim.runner.branches.BranchOrigin.to_text`).
    """
    if code_version is None:
        from khasan_sim import __version__ as code_version
    return StudySpec(
        scenario=scenario.id,
        scenario_digest=scenario.digest,
        variant=scenario.variant_id,
        study_seed=int(study_seed),
        runs=int(runs),
        code_version=str(code_version),
        params_digest=params_digest(scenario.params),
        snapshot_at=tuple(sorted(set(snapshot_at))),
        scenario_path=str(Path(scenario.path).resolve()),
        variant_path=None if scenario.variant_path is None else str(Path(scenario.variant_path).resolve()),
        branch=branch,
    )


def study_tasks(study_seed: int, indices: Sequence[int], branch: str | None = None) -> list[Task]:
    """Return the ``(index, seed)`` tasks of *indices* (of a branch study, with its *branch* origin)."""
    if branch is not None:
        from khasan_sim.rng import branch_seed
        from khasan_sim.runner.branches import BranchOrigin

        moment_min = BranchOrigin.from_text(branch).moment_min
        return [(i, branch_seed(study_seed, moment_min, i)) for i in indices]
    return [(i, replication_seed(study_seed, i)) for i in indices]


@dataclass
class StudySession:
    """What one call of :func:`run_study` did.

    Attributes:
        backend: ``local`` or ``dask``.
        workers: Worker processes (local) or worker threads of the cluster (dask).
        asked: Runs this session set out to do (the missing ones).
        ok: Runs of this session stored with a result.
        errors: Runs of this session that raised (stored with their error).
        counts: The study's counts afterwards.
        wall_seconds: Wall time of the session.
        run_seconds: Sum of the runs' own times in their workers.
        interrupted: Ctrl-C stopped the session.
        lost: Set when a worker process died and the pool stopped.
        new_errors: The runs of this session that raised.
    """

    backend: str
    workers: int
    asked: int
    ok: int = 0
    errors: int = 0
    counts: StudyCounts | None = None
    wall_seconds: float = 0.0
    run_seconds: float = 0.0
    interrupted: bool = False
    lost: WorkersLostError | None = None
    new_errors: list[RunRecord] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True if every run of the study is stored."""
        return self.counts is not None and self.counts.missing == 0

    @property
    def rate(self) -> float:
        """Runs finished per second of wall time in this session."""
        return (self.ok + self.errors) / self.wall_seconds if self.wall_seconds > 0 else 0.0


def run_study(
    study: StudyFile,
    source: ReplicationSource,
    *,
    workers: int | None = None,
    scheduler: Any = None,
    progress: StudyProgress | None = None,
    commit_every: int = 50,
    commit_seconds: float = 2.0,
) -> StudySession:
    """Run the replications *study* is missing and store them.

    Args:
        study: The open study file.
        source: What a replication is.
        workers: Local worker processes (default: the machine's cores). Ignored with a
            scheduler.
        scheduler: A Dask scheduler address or ``distributed.Client``; None runs locally.
        progress: Receives the progress (default: nothing shown).
        commit_every: The most runs stored in one transaction.
        commit_seconds: The longest a finished run waits to be stored.

    Returns:
        What the session did. Ctrl-C and a lost worker do not raise: the finished runs
        are stored and the session says it stopped early.

    Raises:
        SchedulerError: The Dask scheduler cannot be reached.
    """
    progress = progress or SilentProgress()
    indices = study.missing_indices()
    tasks = study_tasks(study.spec.study_seed, indices, study.spec.branch)
    runs: Iterator[RunRecord]
    if scheduler is not None:
        from khasan_sim.runner.pool import dask_capacity, dask_client

        client, owned = dask_client(scheduler)
        n_workers = dask_capacity(client)
        runs = _closing_client(dask_runs(source, tasks, client, study_key=study.spec.scenario_digest[:12]), client if owned else None)
        backend = "dask"
    else:
        n_workers = max(1, min(workers or default_workers(), len(tasks)))  # the processes that start
        runs = local_runs(source, tasks, n_workers)
        backend = "local"
    session = StudySession(backend=backend, workers=n_workers, asked=len(tasks))

    buffer: list[RunRecord] = []
    last_commit = time.perf_counter()

    def commit() -> None:
        nonlocal last_commit
        if buffer:
            study.record_runs(buffer)
            buffer.clear()
        last_commit = time.perf_counter()

    t0 = time.perf_counter()
    already = study.counts().done
    progress.start(study.spec.runs, already)
    try:
        with contextlib.closing(runs):
            for record in runs:
                buffer.append(record)
                session.run_seconds += record.elapsed
                if record.status == "ok":
                    session.ok += 1
                    progress.advance(1, 0)
                else:
                    session.errors += 1
                    session.new_errors.append(record)
                    progress.advance(0, 1)
                if len(buffer) >= commit_every or time.perf_counter() - last_commit >= commit_seconds:
                    commit()
    except KeyboardInterrupt:
        session.interrupted = True
    except WorkersLostError as exc:
        session.lost = exc
    finally:
        commit()
        progress.stop()
        session.wall_seconds = time.perf_counter() - t0
        session.counts = study.counts()
    return session


def _closing_client(runs: Iterator[RunRecord], client: Any) -> Iterator[RunRecord]:
    """Yield from *runs*, then close *client* (if any), however the iteration ends."""
    try:
        yield from runs
    finally:
        if hasattr(runs, "close"):
            runs.close()
        if client is not None:
            client.close()
