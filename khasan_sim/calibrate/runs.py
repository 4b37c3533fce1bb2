"""Running the replications of calibration candidates, on the batch runner's worker pool.

A candidate is the loaded scenario with some parameter values changed
(:func:`candidate_scenario`): ``dataclasses.replace`` of the :class:`Scenario` with
``params.with_values(...)``. Parameters under ``mobility.`` and ``terrain.`` are baked
into the terrain's rasters when a scenario is loaded, so for those the terrain is
rebuilt from the base terrain's layers (:func:`khasan_sim.terrain.load.build_terrain`).
The candidate gets its own digest (the
base digest hashed with the changed values), so its run results never pass for the
base scenario's.

:class:`CandidateReplications` is a :class:`~khasan_sim.runner.replication.ReplicationSource`
for a batch of candidates: the worker pool of :func:`khasan_sim.runner.pool.local_runs`
sends it to each worker once, the worker loads the base scenario once, and each task is
one replication of one candidate. The runner's tasks are ``(index, seed)`` pairs and
``run`` receives the second member: here both are the task number, which
:attr:`CandidateReplications.plan` maps to the candidate's values and the replication's
real seed. Every candidate uses the same replication seeds, ``replication_seed(S, r)``
for ``r < N`` (common random numbers), so two candidates differ by their parameters,
not by their luck. Each replication starts with an empty line-of-sight cache
(:func:`fresh_sight_cache`), so its result does not depend on what its worker ran before.

:class:`Evaluator` is the evaluator :func:`khasan_sim.calibrate.search.search` calls:
it runs a batch (locally in this process with one worker, else in a pool of worker
processes) and scores each candidate with :func:`khasan_sim.calibrate.score.score_runs`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from khasan_sim.calibrate.score import Score, score_runs
from khasan_sim.calibrate.space import Dim, Point, as_mapping
from khasan_sim.errors import KhasanSimError
from khasan_sim.record import Record
from khasan_sim.results import RunResult
from khasan_sim.rng import replication_seed
from khasan_sim.runner.study import RunRecord, first_line

Overrides = tuple[tuple[str, Any], ...]
"""Changed parameter values, sorted by key."""

TERRAIN_PREFIXES = ("mobility.", "terrain.")


class CalibrationRunError(KhasanSimError):
    """A replication of a candidate raised: the candidate cannot be scored."""


# ------------------------------------------------------------------ candidate scenarios


def overrides_of(values: Mapping[str, Any]) -> Overrides:
    """Return *values* as sorted ``(key, value)`` pairs."""
    return tuple(sorted(values.items()))


def candidate_digest(base_digest: str, overrides: Overrides) -> str:
    """Return the digest of the base scenario with *overrides* (the base digest if none)."""
    if not overrides:
        return base_digest
    text = json.dumps([base_digest, [[k, repr(v)] for k, v in overrides]], separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_DESCRIPTIONS: dict[str, Any] = {}


def _map_path(scenario: Any) -> Path:
    from khasan_sim.scenario.builtin import resolve

    return resolve(scenario.doc.scenario.map, Path(scenario.path).resolve().parent)


def _rebuilt_terrain(base: Any, params: Any, overrides: Overrides) -> Any:
    """Return the base scenario's terrain rebuilt with *params* (mobility and terrain values)."""
    from khasan_sim.terrain.describe import read_description
    from khasan_sim.terrain.load import base_layers, build_terrain

    terrain = base.terrain
    path = str(_map_path(base))
    doc = _DESCRIPTIONS.get(path)
    if doc is None:
        doc = read_description(Path(path))[0]
        _DESCRIPTIONS[path] = doc
    layers = base_layers(terrain)
    touched = tuple((k, v) for k, v in overrides if k.startswith(TERRAIN_PREFIXES))
    digest = candidate_digest(terrain.source_digest, touched)
    return build_terrain(doc, params, digest, layers)


def candidate_scenario(base: Any, values: Mapping[str, Any]) -> Any:
    """Return *base* (a loaded Scenario) with the parameter *values* in force.

    Values equal to the base's are dropped; with none left the base itself is returned.

    Raises:
        KeyError: A key is not a parameter of the scenario.
    """
    changed = {k: v for k, v in values.items() if base.params.value(k) != v}
    overrides = overrides_of(changed)
    if not overrides:
        return base
    params = base.params.with_values(changed)
    terrain = base.terrain
    if terrain is not None and any(k.startswith(TERRAIN_PREFIXES) for k, _ in overrides):
        terrain = _rebuilt_terrain(base, params, overrides)
    return dataclasses.replace(base, params=params, terrain=terrain, digest=candidate_digest(base.digest, overrides))


# ------------------------------------------------------------------ in the worker

#: The engine's per-process line-of-sight cache in ``terrain.extras`` (kernels/sight.py).
SIGHT_CACHE = "_sight_lines"


def fresh_sight_cache(scenario: Any) -> None:
    """Empty the terrain's line-of-sight cache, so that a run cannot depend on earlier runs.

    Common random numbers need each replication to be a pure function of the scenario
    and the seed, as in a fresh process (``khasan-sim run``), whatever its worker ran
    before. The engine's sight cache once broke that (a batch of cache misses was sampled
    with a step set by its longest line, so a cached answer depended on its batch; fixed
    in ``terrain/los.py`` since); emptying it before each replication keeps calibration
    runs independent of any such cache at no measurable cost (a run re-fills it).
    """
    terrain = getattr(scenario, "terrain", None)
    if terrain is not None:
        terrain.extras.pop(SIGHT_CACHE, None)


_BASES: dict[tuple[str, str | None], Any] = {}
_CANDIDATES: dict[tuple[str, str | None, Overrides], Any] = {}
_KEEP_CANDIDATES = 4


def _base_scenario(path: str, variant: str | None, digest: str | None) -> Any:
    key = (path, variant)
    sc = _BASES.get(key)
    if sc is None:
        from khasan_sim.scenario.load import load_scenario

        sc = load_scenario(path, variant)
        _BASES[key] = sc
    if digest is not None and sc.digest != digest:
        msg = (
            f"{path}: this worker loaded a scenario with digest {sc.digest[:12]}… (expected {digest[:12]}…): "
            "its scenario, parameter or terrain files changed during the calibration"
        )
        raise CalibrationRunError(msg)
    return sc


def _candidate(path: str, variant: str | None, digest: str | None, overrides: Overrides) -> Any:
    key = (path, variant, overrides)
    sc = _CANDIDATES.get(key)
    if sc is None:
        sc = candidate_scenario(_base_scenario(path, variant, digest), dict(overrides))
        while len(_CANDIDATES) >= _KEEP_CANDIDATES:
            _CANDIDATES.pop(next(iter(_CANDIDATES)))
        _CANDIDATES[key] = sc
    return sc


class CandidateReplications:
    """The replications of a batch of candidates (a ReplicationSource; see the module doc).

    Args:
        scenario_path: The scenario file, as the workers can open it.
        variant_path: A variant file, or None.
        snapshot_at: Extra snapshot labels every run takes.
        scenario_digest: The digest of the base scenario the calibration loaded; a worker
            that loads another (files changed meanwhile) fails its runs.
        plan: ``{task number: (overrides, replication seed)}``.
    """

    def __init__(
        self,
        scenario_path: str,
        variant_path: str | None,
        snapshot_at: Sequence[str],
        scenario_digest: str | None,
        plan: Mapping[int, tuple[Overrides, int]],
    ) -> None:
        self.scenario_path = str(scenario_path)
        self.variant_path = None if variant_path is None else str(variant_path)
        self.snapshot_at = tuple(snapshot_at)
        self.scenario_digest = scenario_digest
        self.plan = dict(plan)
        plan_text = json.dumps(sorted((k, [[a, repr(b)] for a, b in o], s) for k, (o, s) in self.plan.items()))
        self.cache_key = json.dumps(
            ["calibrate", self.scenario_path, self.variant_path, self.snapshot_at, scenario_digest, hashlib.sha256(plan_text.encode()).hexdigest()]
        )

    def __repr__(self) -> str:
        return f"CandidateReplications({self.scenario_path!r}, {len(self.plan)} task(s))"

    def prepare(self) -> None:
        """Load the base scenario (once per worker process)."""
        _base_scenario(self.scenario_path, self.variant_path, self.scenario_digest)

    def run(self, task: int) -> str:
        """Run task *task* (a candidate's replication); return the result's JSON text."""
        from khasan_sim.api import Simulation

        overrides, seed = self.plan[int(task)]
        sc = _candidate(self.scenario_path, self.variant_path, self.scenario_digest, overrides)
        fresh_sight_cache(sc)
        result = Simulation(sc, seed).run_to_end(snapshot_at=self.snapshot_at)
        return json.dumps(result.to_json(), separators=(",", ":"), ensure_ascii=False, allow_nan=False)


# ------------------------------------------------------------------ the evaluator


class CalibrationProgress(Protocol):
    """Receives the progress of a calibration."""

    def batch_start(self, phase: str, candidates: int, runs: int) -> None:
        """A batch of *candidates* (*runs* replications in all) starts."""

    def run_done(self) -> None:
        """One replication finished."""

    def batch_done(self, phase: str, scores: Sequence[Score]) -> None:
        """The batch is scored."""


class SilentCalibrationProgress:
    """Shows nothing."""

    def batch_start(self, phase: str, candidates: int, runs: int) -> None:
        """Ignore."""

    def run_done(self) -> None:
        """Ignore."""

    def batch_done(self, phase: str, scores: Sequence[Score]) -> None:
        """Ignore."""


class Evaluator:
    """Scores candidates by running N replications of each (common random numbers).

    Args:
        scenario: The loaded base scenario.
        record: The record to score against.
        dims: The fitted parameters (a candidate is one value per Dim).
        runs: Replications per candidate.
        seed: The calibration seed: replication ``r`` of every candidate has the seed
            ``replication_seed(seed, r)``.
        workers: Worker processes; 1 runs in this process.
        snapshot_at: Extra snapshot labels every run takes (the record's times).
        progress: Receives the progress.

    Attributes:
        runs_done: Replications run so far.
        seconds: Sum of the replications' own times.
    """

    def __init__(
        self,
        scenario: Any,
        record: Record,
        dims: Sequence[Dim],
        *,
        runs: int,
        seed: int,
        workers: int = 1,
        snapshot_at: Sequence[str] = (),
        progress: CalibrationProgress | None = None,
    ) -> None:
        if runs < 1:
            msg = f"a candidate needs at least 1 replication (got {runs})"
            raise ValueError(msg)
        self.scenario = scenario
        self.record = record
        self.dims = tuple(dims)
        self.runs = int(runs)
        self.seed = int(seed)
        self.workers = max(1, int(workers))
        self.snapshot_at = tuple(snapshot_at)
        self.progress: CalibrationProgress = progress or SilentCalibrationProgress()
        self.runs_done = 0
        self.seconds = 0.0
        self.seeds = [replication_seed(self.seed, r) for r in range(self.runs)]
        # runs in this process reuse the scenario already loaded
        _BASES[(str(scenario.path), None if scenario.variant_path is None else str(scenario.variant_path))] = scenario

    def source(self, points: Sequence[Point]) -> CandidateReplications:
        """Return the replication source of a batch of candidates."""
        plan: dict[int, tuple[Overrides, int]] = {}
        for c, point in enumerate(points):
            overrides = overrides_of(as_mapping(self.dims, point))
            for r, s in enumerate(self.seeds):
                plan[c * self.runs + r] = (overrides, s)
        sc = self.scenario
        return CandidateReplications(
            str(sc.path),
            None if sc.variant_path is None else str(sc.variant_path),
            self.snapshot_at,
            sc.digest,
            plan,
        )

    def _records(self, source: CandidateReplications) -> Iterator[RunRecord]:
        tasks = [(k, k) for k in sorted(source.plan)]
        if self.workers == 1:
            from khasan_sim.runner.replication import run_replication

            for k, s in tasks:
                yield RunRecord.from_dict(run_replication(source, k, s))
            return
        from khasan_sim.runner.pool import local_runs

        yield from local_runs(source, tasks, self.workers)

    def __call__(self, points: Sequence[Point], phase: str) -> list[Score]:
        """Run and score a batch of candidates.

        Raises:
            CalibrationRunError: A replication raised (its candidate, seed and error are named).
            WorkersLostError: A worker process died.
        """
        source = self.source(points)
        self.progress.batch_start(phase, len(points), len(source.plan))
        results: list[list[tuple[int, RunResult]]] = [[] for _ in points]
        records = self._records(source)
        try:
            for rec in records:
                self.runs_done += 1
                self.seconds += rec.elapsed
                self.progress.run_done()
                c, r = divmod(rec.index, self.runs)
                if rec.status != "ok":
                    values = ", ".join(f"{k}={v}" for k, v in as_mapping(self.dims, points[c]).items())
                    msg = f"replication {r} (seed {self.seeds[r]}) of the candidate {values} raised: {first_line(rec.error)}"
                    raise CalibrationRunError(msg)
                results[c].append((r, rec.run_result("calibration")))
        finally:
            close = getattr(records, "close", None)
            if close is not None:
                close()
        scores = [score_runs(self.record, sorted(res, key=lambda x: x[0])) for res in results]
        self.progress.batch_done(phase, scores)
        return scores
