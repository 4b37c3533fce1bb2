"""The warm-up of the first run after an install (runner/warmup.py): with numba's cache
cold, it compiles the kernels (direct fire in a forked child, the rest here), leaves
them in the cache, and changes nothing of the run that follows."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys

import pytest

from khasan_sim.api import Simulation
from khasan_sim.runner.warmup import warm_kernels
from khasan_sim.scenario.builtin import historical_scenario
from khasan_sim.scenario.load import load_scenario

_IN_A_COLD_CACHE = r"""
import json
from khasan_sim.api import Simulation
from khasan_sim.engine.kernels import direct_fire
from khasan_sim.runner.warmup import kernels_cached, warm_kernels
from khasan_sim.scenario.builtin import historical_scenario
from khasan_sim.scenario.load import load_scenario

scenario = load_scenario(str(historical_scenario()))
before = kernels_cached()
warmed = warm_kernels(scenario)
after = kernels_cached()
again = warm_kernels(scenario)
result = Simulation(scenario, seed=3).run_to_end()
stats = direct_fire.direct_fire_pulse.stats
print(json.dumps({
    "before": before, "warmed": warmed, "after": after, "again": again,
    "digest": result.events_digest,
    "loaded": sum(stats.cache_hits.values()), "compiled": sum(stats.cache_misses.values()),
}))
"""


@pytest.fixture(scope="module")
def historical():
    return load_scenario(str(historical_scenario()))


@pytest.mark.skipif(
    (os.cpu_count() or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods(),
    reason="the warm-up needs two cores and fork",
)
def test_a_cold_cache_is_warmed_and_the_run_is_the_same(tmp_path, historical) -> None:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba")}
    done = subprocess.run(
        [sys.executable, "-c", _IN_A_COLD_CACHE], env=env, capture_output=True, text=True, timeout=600, check=True
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["before"] is False  # a new cache directory: nothing compiled yet
    assert seen["warmed"] is True
    assert seen["after"] is True  # the child wrote direct fire to the cache
    assert seen["again"] is False  # warm now: a second call does nothing
    assert seen["loaded"] == 1 and seen["compiled"] == 0  # the run loaded it, did not compile it
    assert seen["digest"] == Simulation(historical, seed=3).run_to_end().events_digest


def test_a_warm_cache_is_left_alone(historical) -> None:
    Simulation(historical, seed=1).engine._direct_fire(1.0)  # this process has the kernel
    assert warm_kernels(historical) is False
