"""Candidate scenarios and the evaluator, on the tiny scenario (few, fast runs)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from khasan_sim.api import Simulation
from khasan_sim.calibrate.runs import (
    SIGHT_CACHE,
    CalibrationRunError,
    CandidateReplications,
    Evaluator,
    candidate_digest,
    candidate_scenario,
)
from khasan_sim.calibrate.space import Dim
from khasan_sim.calibrate.writeback import plan_in_place, write_in_place
from khasan_sim.record import load_record
from khasan_sim.rng import replication_seed
from khasan_sim.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "tiny" / "tiny.yaml"
DATA = ROOT / "tests" / "data" / "calibrate"

BOG = "mobility.p_bog_per_100m.bt.swamp"


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(TINY)


@pytest.fixture(scope="module")
def record():
    return load_record(DATA / "tiny-record.yaml")


def test_unchanged_values_give_the_base_scenario(tiny):
    assert candidate_scenario(tiny, {}) is tiny
    assert candidate_scenario(tiny, {"fire.killed_fraction": tiny.params.value("fire.killed_fraction")}) is tiny


def test_a_changed_value_gives_its_own_digest_and_keeps_the_terrain(tiny):
    base_value = tiny.params.value("fire.killed_fraction")
    value = 0.2 if base_value != 0.2 else 0.3
    c = candidate_scenario(tiny, {"fire.killed_fraction": value})
    assert c.params.value("fire.killed_fraction") == value
    assert tiny.params.value("fire.killed_fraction") == base_value
    assert c.digest != tiny.digest
    assert c.digest == candidate_digest(tiny.digest, (("fire.killed_fraction", value),))
    assert c.terrain is tiny.terrain
    assert candidate_scenario(tiny, {"fire.killed_fraction": value + 0.01}).digest != c.digest


def test_a_mobility_value_rebuilds_the_terrain_and_leaves_the_base_alone(tiny):
    before = tiny.terrain.p_bog_per_100m["bt"].copy()
    c = candidate_scenario(tiny, {BOG: 0.25})
    swamp = np.isclose(before, tiny.params.value(BOG))
    assert swamp.any()
    after = c.terrain.p_bog_per_100m["bt"]
    assert np.allclose(after[swamp], 0.25)
    assert np.array_equal(after[~swamp], before[~swamp])
    assert np.array_equal(tiny.terrain.p_bog_per_100m["bt"], before)
    assert c.terrain.source_digest != tiny.terrain.source_digest
    assert c.terrain.elevation_m is tiny.terrain.elevation_m
    assert not any(k.startswith("_") for k in c.terrain.extras)  # no cache of the base terrain carried over
    t = candidate_scenario(tiny, {"terrain.cover.scrub": 0.5})
    assert not np.array_equal(t.terrain.cover, tiny.terrain.cover)


def poisoned_sight(terrain):
    """Sight lines over ground raised by 10 km: no pair can see each other."""
    from khasan_sim.engine.kernels.sight import SightLines

    s = SightLines(terrain)
    keys, state, width, ground, surface, *rest = s.args
    s.args = (keys, state, width, ground, surface + np.float32(10_000.0), *rest)
    return s


def test_a_replication_does_not_depend_on_what_its_worker_ran_before(tiny):
    """Each replication starts with an empty sight cache: as in a fresh process."""
    src = CandidateReplications(str(tiny.path), None, (), tiny.digest, {0: ((), 5)})
    fresh = src.run(0)
    poison = poisoned_sight(tiny.terrain)
    tiny.terrain.extras[SIGHT_CACHE] = poison
    try:
        assert src.run(0) == fresh
        assert tiny.terrain.extras.get(SIGHT_CACHE) is not poison
    finally:
        tiny.terrain.extras.pop(SIGHT_CACHE, None)
    # without emptying it, the poisoned cache would change what the run sees (so the test
    # can fail): here the fog of war at the start (the tiny run's fire is all at close
    # quarters or by the guns, which need no sight line)
    tiny.terrain.extras[SIGHT_CACHE] = poisoned_sight(tiny.terrain)
    try:
        poisoned = [u.id for u in Simulation(tiny, 5).observe("soviet")]
    finally:
        tiny.terrain.extras.pop(SIGHT_CACHE, None)
    assert poisoned != [u.id for u in Simulation(tiny, 5).observe("soviet")]


@pytest.mark.parametrize("values", [{"fire.killed_fraction": 0.3}, {BOG: 0.25}])
def test_a_candidate_runs_as_the_scenario_with_those_values_in_its_files(tiny_copy, values):
    """The candidate is the scenario one gets by writing the values into the parameter files."""
    base = load_scenario(tiny_copy)
    cand = candidate_scenario(base, values)
    write_in_place(plan_in_place(base.params, values, {}))
    written = load_scenario(tiny_copy)
    assert {k: written.params.value(k) for k in values} == values
    for seed in (1, 2):
        a = Simulation(cand, seed).run_to_end()
        b = Simulation(written, seed).run_to_end()
        assert a.snapshots == b.snapshots
        assert a.events_digest == b.events_digest


def test_evaluator_uses_the_same_seeds_for_every_candidate(tiny, record):
    dims = (Dim(BOG, 0.02, 0.3, "log"),)
    ev = Evaluator(tiny, record, dims, runs=3, seed=7)
    assert ev.seeds == [replication_seed(7, r) for r in range(3)]
    src = ev.source([(0.05,), (0.2,)])
    assert [src.plan[k][1] for k in sorted(src.plan)] == ev.seeds * 2
    assert src.plan[0][0] == ((BOG, 0.05),) and src.plan[3][0] == ((BOG, 0.2),)
    scores = ev([(0.05,), (0.3,)], "coarse")
    assert len(scores) == 2 and all(s.runs == 3 and s.entries == 4 for s in scores)
    assert ev.runs_done == 6
    # the same candidate on the same seeds scores the same
    assert ev([(0.3,)], "refine")[0] == scores[1]


def test_results_do_not_depend_on_the_worker_count(tiny, record):
    dims = (Dim(BOG, 0.02, 0.3, "log"),)
    one = Evaluator(tiny, record, dims, runs=2, seed=3, workers=1)([(0.05,), (0.3,)], "coarse")
    two = Evaluator(tiny, record, dims, runs=2, seed=3, workers=2)([(0.05,), (0.3,)], "coarse")
    assert one == two


def test_a_run_that_raises_stops_the_calibration_with_its_candidate_and_seed(tiny, record):
    ev = Evaluator(tiny, record, (Dim("no.such.parameter", 0.0, 1.0),), runs=1, seed=1)
    with pytest.raises(CalibrationRunError, match=r"replication 0 \(seed \d+\) of the candidate no\.such\.parameter=0\.5 raised"):
        ev([(0.5,)], "coarse")


def test_evaluator_refuses_zero_runs(tiny, record):
    with pytest.raises(ValueError, match="at least 1 replication"):
        Evaluator(tiny, record, (Dim(BOG, 0.02, 0.3),), runs=0, seed=1)
