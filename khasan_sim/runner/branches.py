"""Branch studies: the runs of a study are branches of one run from one moment.

A branch study is a study (:mod:`khasan_sim.runner.study`) whose header says where it
branches from (:class:`BranchOrigin`, the ``branch`` column): the run (a saved game, or the
scenario with a seed), the moment, and a digest of the orders the runs are given. Its
study seed is the run's seed, and run ``i`` has the seed :func:`khasan_sim.rng.branch_seed`
``(seed, moment, i)`` instead of a replication seed: any number of workers, resumed or
not, store the same branches. :class:`BranchReplications` is the worker side: it plays
the run's history to the moment, reseeds and plays on (:func:`khasan_sim.branching.run_branch`).
"""

from __future__ import annotations

import json
import os
import threading
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from khasan_sim.errors import KhasanSimError


@dataclass(frozen=True)
class BranchOrigin:
    """Where the runs of a branch study branch from.

    Attributes:
        source: ``save`` (a saved game) or ``seed`` (the scenario's run with the study seed).
        moment: The battle time the branches start from (``1938-08-07T12:00``).
        moment_min: The same in minutes from the scenario's start.
        orders_digest: sha256 of the orders the runs are given (:func:`khasan_sim.branching.orders_digest`).
        prefix_digest: sha256 of the shared event log up to the moment.
        save: The save file's path (for ``save``), else None.
        changed_order: The order given at the moment in every branch, or None.
    """

    source: str
    moment: str
    moment_min: float
    orders_digest: str
    prefix_digest: str
    save: str | None = None
    changed_order: dict[str, Any] | None = None

    def to_text(self) -> str:
        """Return the JSON text kept in the study file."""
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_text(cls, text: str) -> BranchOrigin:
        """Read the JSON text kept in the study file.

        Raises:
            ValueError: The text is not a branch origin.
        """
        doc = json.loads(text)
        if not isinstance(doc, dict):
            raise ValueError("the branch origin is not a JSON object")
        try:
            origin = cls(**doc)
        except TypeError as exc:
            raise ValueError(f"the branch origin's fields are wrong ({exc})") from None
        if origin.source not in ("save", "seed") or not isinstance(origin.moment_min, (int, float)):
            raise ValueError("the branch origin's source or moment is wrong")
        return origin

    def describe(self) -> str:
        """Return the origin in words."""
        where = f"the saved game {self.save}" if self.source == "save" else "the run with the study seed"
        changed = "; one order changed at the moment" if self.changed_order else ""
        return f"branches of {where} from {self.moment}{changed}"

    def same_study(self) -> tuple[str, float, str, str, str]:
        """Return what two origins of one study share (the save's path may move)."""
        return (self.source, round(self.moment_min * 60.0), self.orders_digest, self.prefix_digest, json.dumps(self.changed_order, sort_keys=True))


class BranchReplications:
    """The runs of a branch study in a worker: branches of one run from one moment.

    Args:
        point: The branch point as a save document (:meth:`khasan_sim.saves.SaveGame.to_json`).
        scenario_path: The scenario file, as the workers can open it (absolute).
        variant_path: A variant file, or None.
        snapshot_at: Extra snapshot labels each run takes.
        scenario_digest: The study's scenario digest (a worker loading another fails its runs).
        changed_order: An order given at the moment in every branch, or None.
    """

    def __init__(
        self,
        point: dict[str, Any],
        scenario_path: str,
        variant_path: str | None = None,
        snapshot_at: Sequence[str] = (),
        scenario_digest: str | None = None,
        changed_order: dict[str, Any] | None = None,
    ) -> None:
        from khasan_sim.runner.replication import Replications

        self.point = dict(point)
        self.changed_order = changed_order
        self._scenario_runs = Replications(scenario_path, variant_path, snapshot_at, scenario_digest)
        self.snapshot_at = tuple(snapshot_at)
        key = json.dumps([self.point, changed_order], sort_keys=True, default=str)
        self.cache_key = json.dumps(["branches", self._scenario_runs.cache_key, key])

    def __repr__(self) -> str:
        return f"BranchReplications({self._scenario_runs.scenario_path!r}, from minute {self.point.get('now_min')})"

    def prepare(self) -> None:
        """Load the scenario (once per worker).

        Raises:
            KhasanSimError: The scenario cannot be loaded, or its digest is not the study's.
        """
        self._scenario_runs.prepare()

    def __getstate__(self) -> dict[str, Any]:
        # the history played in a worker stays in its process
        state = dict(self.__dict__)
        state["_history"] = None
        return state

    def run(self, seed: int) -> str:
        """Run the branch with *seed* to the end; return its JSON text."""
        return _result_text(self.branch(seed, self.changed_order))

    def branch(self, seed: int, changed_order: dict[str, Any] | None) -> dict[str, Any]:
        """Return the result (JSON form) of the branch with *seed* and *changed_order*.

        Where processes can fork (Linux, macOS) and the run is asked for in the main
        thread (a local pool worker; a Dask worker runs tasks in threads, and forking a
        process whose other threads may hold locks is unsafe), the shared history is
        played once in this worker and each branch is a forked copy of it that plays its
        future: the copy is the history byte for byte, so the branch is the one a replay
        would give (the tests check it), for about a fifth less CPU a branch from
        7 August 12:00. Otherwise each branch plays the history again.
        """
        from khasan_sim.branching import play_branch, run_branch

        if self._scenario_runs.scenario is None:
            self.prepare()
        point = save_game(self.point)
        if not FORK_BRANCHES or threading.current_thread() is not threading.main_thread():
            return run_branch(point, seed, scenario=self._scenario_runs.scenario, changed_order=changed_order, snapshot_at=self.snapshot_at).to_json()
        history = self._played_history(point)
        return json.loads(in_forked_copy(lambda: _result_text(play_branch(history, point, seed, changed_order).to_json())))

    _history: Any = None

    def _played_history(self, point: Any) -> Any:
        """Return the run played to the moment in this worker (played once, never advanced here)."""
        from khasan_sim.saves import replay

        if self._history is None:
            self._history = replay(point, scenario=self._scenario_runs.scenario, where="branch point", snapshot_at=self.snapshot_at)
        return self._history


FORK_BRANCHES = hasattr(os, "fork")
"""Branches are forked copies of the history played once per worker (see :meth:`BranchReplications.branch`)."""


def _result_text(doc: Any) -> str:
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def in_forked_copy(work: Callable[[], str]) -> str:
    """Return what *work()* returns, computed in a forked copy of this process (which then
    ends, leaving this one as it was).

    Raises:
        KhasanSimError: *work* raised in the copy (its traceback is in the message), or
            the copy died without an answer.
    """
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the copy: do the work, send the answer, end without any clean-up
        status = 0
        try:
            os.close(read_fd)
            data = b"k" + work().encode("utf-8")
        except BaseException:
            data, status = b"e" + traceback.format_exc().encode("utf-8", "replace"), 1
        try:
            with os.fdopen(write_fd, "wb") as fh:
                fh.write(data)
        finally:
            os._exit(status)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as fh:
        data = fh.read()
    os.waitpid(pid, 0)
    if data[:1] == b"k":
        return data[1:].decode("utf-8")
    if data[:1] == b"e":
        raise KhasanSimError("the branch raised in its forked process:\n" + data[1:].decode("utf-8", "replace"))
    raise KhasanSimError("the branch's forked process ended without an answer (killed?)")


def save_game(doc: dict[str, Any]) -> Any:
    """Return the :class:`~khasan_sim.saves.SaveGame` of a save document (already checked)."""
    from khasan_sim.saves import SaveGame

    keys = ("scenario", "seed", "variant", "player_sides", "now_min", "orders", "pending", "events_digest", "label", "settings", "followers")
    return SaveGame(**{k: doc[k] for k in keys if k in doc})


class PairedBranchReplications(BranchReplications):
    """Branches of one run run in pairs: with the orders as given, then with one order
    changed at the moment, both with the same branch seed. A run's JSON text is the list
    of the two results (for a forecast, not for a study file)."""

    def run(self, seed: int) -> str:
        """Run the pair of branches with *seed*; return ``[as given, changed]`` as JSON text."""
        return _result_text([self.branch(seed, None), self.branch(seed, self.changed_order)])


def forecast(
    point: Any,
    scenario: Any,
    runs: int,
    *,
    changed_order: dict[str, Any] | None = None,
    changed_text: str | None = None,
    workers: int | None = None,
    on_progress: Any = None,
) -> Any:
    """Run *runs* branches of a branch point in the worker pool and sum them up.

    Args:
        point: The branch point (a :class:`~khasan_sim.saves.SaveGame`).
        scenario: Its loaded scenario (the workers load the same files).
        runs: Branches (pairs of branches with *changed_order*).
        changed_order: An order given at the moment in the paired branches, or None.
        changed_text: That order in words.
        workers: Worker processes (default: the machine's cores).
        on_progress: Called with (done, runs) as branches finish.

    Returns:
        The :class:`~khasan_sim.analysis.forecast.Forecast`.

    Raises:
        ValueError: No branch finished.
        WorkersLostError: A worker process died.
    """
    from khasan_sim.analysis.forecast import summarize
    from khasan_sim.clock import Clock
    from khasan_sim.rng import branch_seed
    from khasan_sim.runner.pool import default_workers, local_runs

    cls = BranchReplications if changed_order is None else PairedBranchReplications
    source = cls(
        point.to_json(),
        str(Path(scenario.path).resolve()),
        None if scenario.variant_path is None else str(Path(scenario.variant_path).resolve()),
        (),
        scenario.digest,
        changed_order,
    )
    tasks = [(i, branch_seed(point.seed, point.now_min, i)) for i in range(runs)]
    base: list[Any] = [None] * runs
    changed: list[Any] | None = None if changed_order is None else [None] * runs
    for done, record in enumerate(local_runs(source, tasks, max(1, min(workers or default_workers(), runs))), start=1):
        doc = None if record.result_json is None else json.loads(record.result_json)
        if doc is not None:
            if changed is None:
                base[record.index] = doc
            else:
                base[record.index], changed[record.index] = doc
        if on_progress is not None:
            on_progress(done, runs)
        if done == runs:
            break  # every branch is in: the pool's workers are ended now, not waited for
    heights = [(z.id, z.name) for z in scenario.doc.zones if z.kind == "height"]
    moment = Clock(scenario.start, scenario.end).label(point.now_min)
    return summarize(moment, base, heights, changed, changed_text)
