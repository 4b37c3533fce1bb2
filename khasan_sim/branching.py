"""Futures from here: seeded branches of a run that share its history up to a moment.

A *branch point* is a run up to a moment, written as a :class:`~khasan_sim.saves.SaveGame`:
the scenario, the run's seed, the player's sides, the orders given with their times and
the orders still pending at the moment (``now_min``). A run of the scenario alone with
seed S is the branch point ``point_of_run(path, S, moment)``; a saved game is its own.

Branch ``b`` plays the run again to the moment with the run's own seed (the engine is
deterministic, so this is the run's history event for event: no state is copied), then
reseeds every named random stream with :func:`khasan_sim.rng.branch_seed` ``(S, moment,
b)`` and plays on to the end. Branches from one moment therefore share the event log up
to the moment exactly and differ after it; a forecast with one order changed at the
moment draws, branch by branch, the same numbers as the one without (paired branches).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from khasan_sim.clock import Clock
from khasan_sim.errors import KhasanSimError
from khasan_sim.rng import branch_seed
from khasan_sim.saves import SaveGame, replay


@dataclass(frozen=True)
class Branch:
    """One branch of a run from a moment.

    Attributes:
        index: The branch number (0-based).
        seed: The seed its streams were reseeded with at the moment.
        result: The run's result to the end (``meta['branch']`` says where it branched).
    """

    index: int
    seed: int
    result: Any


def point_of_run(scenario_path: str, seed: int, moment_min: float, variant: str | None = None) -> SaveGame:
    """Return the branch point of the run of a scenario with *seed* (no orders of a player)
    at *moment_min* minutes from its start."""
    return SaveGame(scenario=str(scenario_path), seed=int(seed), variant=variant, player_sides=[], now_min=float(moment_min))


def check_moment(moment_min: float, end_min: float, label: str) -> None:
    """Raise :class:`KhasanSimError` unless a branch may start at *moment_min* (*label* names it).

    A branch starts at or after the scenario's start and before its end.
    """
    if not 0.0 <= moment_min < end_min - 1e-9:
        msg = f"{label}: outside the scenario (a branch starts from its start up to, not at, its end)"
        raise KhasanSimError(msg)


def orders_digest(point: SaveGame, changed_order: dict[str, Any] | None = None) -> str:
    """Return the sha256 of what a branch point's runs are given: the orders with their
    times, the pending orders, the units still following the record and the changed order."""
    doc = {"orders": point.orders, "pending": point.pending, "followers": point.followers, "changed": changed_order}
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def start_branch(
    point: SaveGame,
    seed: int,
    *,
    scenario: Any = None,
    changed_order: dict[str, Any] | None = None,
    snapshot_at: Iterable[str] = (),
    where: str = "branch point",
) -> Any:
    """Return a :class:`~khasan_sim.api.Simulation` at the branch point's moment, its
    history played with the run's own seed, the changed order (if any) given, and every
    random stream reseeded with *seed* (a :func:`~khasan_sim.rng.branch_seed`).

    Raises:
        SaveFileError: The orders do not replay on the scenario (or, for a save, the
            replayed run differs from the saved one).
        KhasanSimError: The changed order is not allowed at the moment.
    """
    sim = replay(point, scenario=scenario, where=where, snapshot_at=snapshot_at)
    branch_off(sim, seed, changed_order)
    return sim


def branch_off(sim: Any, seed: int, changed_order: dict[str, Any] | None = None) -> None:
    """Turn a run at its moment into a branch: give the changed order, reseed every stream.

    Raises:
        KhasanSimError: The changed order is not allowed at the moment.
    """
    if changed_order is not None:
        sim.give(changed_order)
    sim.reseed(seed)


def play_branch(sim: Any, point: SaveGame, seed: int, changed_order: dict[str, Any] | None = None, index: int | None = None) -> Any:
    """Play a run that stands at the branch point's moment (its history played with the
    run's own seed) as branch *seed* to the end; return its :class:`~khasan_sim.results.RunResult`."""
    branch_off(sim, seed, changed_order)
    result = sim.run_to_end()
    about: dict[str, Any] = {"moment": Clock(sim.start, sim.end).label(point.now_min), "moment_min": point.now_min, "seed": int(seed)}
    if index is not None:
        about["index"] = int(index)
    if changed_order is not None:
        about["changed_order"] = changed_order
    result.meta["branch"] = about
    return result


def run_branch(
    point: SaveGame,
    seed: int,
    *,
    scenario: Any = None,
    changed_order: dict[str, Any] | None = None,
    snapshot_at: Sequence[str] = (),
    index: int | None = None,
) -> Any:
    """Play one branch (its history, then its future) and return its :class:`~khasan_sim.results.RunResult`."""
    sim = replay(point, scenario=scenario, where="branch point", snapshot_at=snapshot_at)
    return play_branch(sim, point, seed, changed_order, index)


def run_branches(
    point: SaveGame,
    runs: int,
    *,
    scenario: Any = None,
    changed_order: dict[str, Any] | None = None,
    snapshot_at: Sequence[str] = (),
) -> list[Branch]:
    """Run branches 0 .. *runs* - 1 of a branch point here, one after the other.

    The worker pool runs them in parallel with :class:`khasan_sim.runner.branches.BranchReplications`
    (the same branches, the same results).
    """
    if scenario is None:
        from khasan_sim.scenario.load import load_scenario

        scenario = load_scenario(point.scenario, point.variant)
    out = []
    for b in range(int(runs)):
        seed = branch_seed(point.seed, point.now_min, b)
        result = run_branch(point, seed, scenario=scenario, changed_order=changed_order, snapshot_at=snapshot_at, index=b)
        out.append(Branch(b, seed, result))
    return out
