"""Futures from here: branches of a run share its history up to the moment and differ after it."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khasan_sim.api import Simulation, run_branches
from khasan_sim.branching import point_of_run, run_branch, start_branch
from khasan_sim.rng import RngStreams, branch_seed

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny" / "tiny.yaml"
MOMENT = "1938-08-06T18:00"  # two hours into the tiny scenario's six
MOMENT_MIN = 120.0
CHANGED = {"kind": "withdraw", "unit": "2mb-3tb", "to": "start-line"}


@pytest.fixture(scope="module")
def scenario():
    from khasan_sim.scenario.load import load_scenario

    return load_scenario(TINY)


def log_of(sim) -> list[tuple]:
    """The event log as comparable rows (time, kind and fields of every event)."""
    return [(e.seq, e.t_min, e.kind, e.fields) for e in sim.events()]


def branch_logs(scenario, seed: int, moment_min: float, branches: range, changed=None) -> tuple[list[tuple], list[list[tuple]]]:
    """Return (the run's own log to the moment, each branch's whole log)."""
    own = Simulation(scenario, seed)
    if moment_min > 0:
        own.advance_minutes(moment_min)
    point = point_of_run(str(scenario.path), seed, moment_min)
    logs = []
    for b in branches:
        sim = start_branch(point, branch_seed(seed, moment_min, b), scenario=scenario, changed_order=changed)
        sim.run_to_end()
        logs.append(log_of(sim))
    return log_of(own), logs


# ------------------------------------------------------------------ the streams


def test_a_reseeded_stream_draws_as_a_fresh_stream_of_the_new_seed():
    streams = RngStreams(11)
    old = streams.get("bog", "t1")
    old.random(17)  # part of the history
    streams.reseed(99)
    fresh = RngStreams(99)
    assert streams.get("bog", "t1") is old  # the same object: the engine's processes keep it
    np.testing.assert_array_equal(old.random(50), fresh.get("bog", "t1").random(50))
    np.testing.assert_array_equal(streams.get("new", "x").integers(0, 1 << 30, 20), fresh.get("new", "x").integers(0, 1 << 30, 20))


def test_branch_seeds_are_pure_and_distinct():
    seeds = {branch_seed(5, MOMENT_MIN, b) for b in range(200)}
    assert len(seeds) == 200
    assert branch_seed(5, MOMENT_MIN, 3) == branch_seed(5, MOMENT_MIN + 1e-9, 3)  # to the second
    assert branch_seed(5, MOMENT_MIN, 3) != branch_seed(5, MOMENT_MIN + 30, 3)
    assert branch_seed(5, MOMENT_MIN, 3) != branch_seed(6, MOMENT_MIN, 3)
    code = "from khasan_sim.rng import branch_seed; print(branch_seed(5, 120.0, 3))"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(other.stdout) == branch_seed(5, MOMENT_MIN, 3)  # the same in another process


def test_reseeding_needs_a_seed():
    with pytest.raises(ValueError, match="seed"):
        RngStreams(1).reseed(-1)
    with pytest.raises(ValueError, match="start"):
        branch_seed(1, -5.0, 0)


# ------------------------------------------------------------------ branches


def test_branches_share_the_log_up_to_the_moment_and_differ_after(scenario):
    own, logs = branch_logs(scenario, 7, MOMENT_MIN, range(3))
    assert len(own) > 20, "the history should hold events"
    for log in logs:
        assert log[: len(own)] == own  # the run's history, event for event
        assert all(t >= MOMENT_MIN for _, t, _, _ in log[len(own):])
    tails = [tuple(log[len(own):]) for log in logs]
    assert len(set(tails)) == 3, "every branch has its own future"


def test_a_branch_is_the_same_every_time(scenario):
    _, first = branch_logs(scenario, 7, MOMENT_MIN, range(1, 2))
    _, again = branch_logs(scenario, 7, MOMENT_MIN, range(1, 2))
    assert first == again


def test_a_branch_differs_from_the_run_itself_only_after_the_moment(scenario):
    whole = Simulation(scenario, 7)
    whole.run_to_end()
    own, logs = branch_logs(scenario, 7, MOMENT_MIN, range(1))
    assert log_of(whole)[: len(own)] == own
    assert log_of(whole) != logs[0]


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**40), moment=st.sampled_from([0.0, 30.0, 95.0, 200.0, 330.0]), branch=st.integers(0, 10**6))
def test_any_branch_keeps_the_history_of_any_moment(scenario, seed, moment, branch):
    own, logs = branch_logs(scenario, seed, moment, range(branch, branch + 1))
    assert logs[0][: len(own)] == own


def test_run_branches_returns_each_branch_with_its_seed(scenario):
    branches = run_branches(scenario, 7, MOMENT, 3)
    assert [b.index for b in branches] == [0, 1, 2]
    assert [b.seed for b in branches] == [branch_seed(7, MOMENT_MIN, b) for b in range(3)]
    for b in branches:
        assert b.result.seed == 7
        assert b.result.meta["branch"] == {"moment": MOMENT, "moment_min": MOMENT_MIN, "seed": b.seed, "index": b.index}
    assert len({b.result.events_digest for b in branches}) == 3


def test_run_branches_refuses_a_moment_outside_the_scenario(scenario):
    from khasan_sim.errors import KhasanSimError

    for moment in ("1938-08-06T15:00", "1938-08-06T22:00", "1938-08-07T12:00"):
        with pytest.raises(KhasanSimError, match="outside the scenario"):
            run_branches(scenario, 7, moment, 1)


def test_orders_given_before_the_moment_are_part_of_the_history(scenario):
    order = {"kind": "withdraw", "unit": "2mb-3tb", "to": "start-line"}
    game = Simulation(scenario, 3, player_sides=["soviet"], follow_record=True)
    game.advance_minutes(60)
    game.give(order)
    game.advance_minutes(60)
    history = log_of(game)
    branches = run_branches(scenario, 3, MOMENT, 2, orders=[(60.0, order)], player_sides=["soviet"])
    point = point_of_run(str(scenario.path), 3, MOMENT_MIN)
    point.player_sides, point.orders = ["soviet"], [{"at_min": 60.0, "order": order}]
    sim = start_branch(point, branches[1].seed, scenario=scenario)
    assert log_of(sim) == history
    assert sim.run_to_end().events_digest == branches[1].result.events_digest


# ------------------------------------------------------------------ paired forecasts


def test_changed_order_branches_are_paired_with_the_unchanged_ones(scenario):
    plain = run_branches(scenario, 7, MOMENT, 3)
    changed = run_branches(scenario, 7, MOMENT, 3, changed_order=CHANGED)
    assert [b.seed for b in changed] == [b.seed for b in plain]  # the same branch seeds
    assert [b.result.meta["branch"]["seed"] for b in changed] == [b.seed for b in plain]
    assert all(b.result.meta["branch"]["changed_order"] == CHANGED for b in changed)
    # the order changes the future...
    assert [b.result.events_digest for b in changed] != [b.result.events_digest for b in plain]
    # ... and branch b with it is branch b of the same seed, the order given at the moment
    point = point_of_run(str(scenario.path), 7, MOMENT_MIN)
    again = run_branch(point, plain[2].seed, scenario=scenario, changed_order=CHANGED)
    assert again.events_digest == changed[2].result.events_digest


def test_paired_replications_run_both_branches_of_a_seed(scenario):
    from khasan_sim.runner.branches import PairedBranchReplications

    point = point_of_run(str(scenario.path), 7, MOMENT_MIN)
    source = PairedBranchReplications(point.to_json(), str(scenario.path), None, (), scenario.digest, CHANGED)
    seed = branch_seed(7, MOMENT_MIN, 1)
    pair = json.loads(source.run(seed))
    assert pair[0]["events_digest"] == run_branch(point, seed, scenario=scenario).events_digest
    assert pair[1]["events_digest"] == run_branch(point, seed, scenario=scenario, changed_order=CHANGED).events_digest


def test_the_forecast_runs_in_the_pool_as_here(scenario):
    from khasan_sim.runner.branches import forecast

    point = point_of_run(str(scenario.path), 7, MOMENT_MIN)
    seen = []
    f = forecast(point, scenario, 3, changed_order=CHANGED, changed_text="withdraw", workers=2, on_progress=lambda d, n: seen.append((d, n)))
    assert seen[-1] == (3, 3) and f.runs == 3 and f.failed == 0
    here = run_branches(scenario, 7, MOMENT, 3)
    killed = sorted(b.result.snapshots[max(b.result.snapshots)]["soviet.killed"] for b in here)
    soviet_killed = next(s for s in f.losses if s.key == "soviet.killed")
    assert soviet_killed.median == killed[1]
    assert [h.zone for h in f.heights] == ["zaozernaya"]
    assert f.changed == "withdraw" and len(f.differences) == len(f.losses)


def test_a_forked_branch_is_the_replayed_branch(scenario, monkeypatch):
    """Branches forked from the history played once per worker are the branches a replay gives."""
    from khasan_sim.runner import branches

    point = point_of_run(str(scenario.path), 7, MOMENT_MIN)
    source = branches.BranchReplications(point.to_json(), str(scenario.path), None, ("1938-08-06T17:00",), scenario.digest)
    source.prepare()
    seeds = [branch_seed(7, MOMENT_MIN, b) for b in range(3)]
    forked = [source.run(s) for s in seeds] + [source.run(seeds[0])]  # the history is left as it was
    monkeypatch.setattr(branches, "FORK_BRANCHES", False)
    replayed = [source.run(s) for s in seeds]
    assert forked == [*replayed, replayed[0]]
    monkeypatch.setattr(branches, "FORK_BRANCHES", True)
    in_thread: list[str] = []
    worker = threading.Thread(target=lambda: in_thread.append(source.run(seeds[1])))  # as a Dask worker's thread
    worker.start()
    worker.join()
    assert in_thread == [replayed[1]]
    assert "1938-08-06T17:00" in json.loads(forked[0])["snapshots"]  # a snapshot of the shared history


def test_a_forked_branch_that_raises_says_so(scenario):
    from khasan_sim.errors import KhasanSimError
    from khasan_sim.runner import branches

    if not branches.FORK_BRANCHES:
        pytest.skip("no fork here")

    def fail() -> str:
        raise RuntimeError("boom in the copy")

    with pytest.raises(KhasanSimError, match="boom in the copy"):
        branches.in_forked_copy(fail)
    assert branches.in_forked_copy(lambda: "answer") == "answer"
