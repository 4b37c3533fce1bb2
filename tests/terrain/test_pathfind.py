"""The compiled path search finds paths as cheap as scikit-image's MCP_Geometric (the
reference), and its paths are paths: adjacent steps over passable cells, end to end."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from skimage.graph import MCP_Geometric

from khasan_sim.scenario.builtin import historical_scenario
from khasan_sim.scenario.load import load_scenario
from khasan_sim.terrain.pathfind import cheapest_path
from khasan_sim.terrain.routes import _planner


def _reference(cost: np.ndarray, s: tuple[int, int], e: tuple[int, int]) -> float:
    costs, _ = MCP_Geometric(cost).find_costs([s], [e], find_all_ends=True)
    return float(costs[e])


def _path_cost(cost: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> float:
    total = 0.0
    for k in range(1, len(rows)):
        step = math.hypot(rows[k] - rows[k - 1], cols[k] - cols[k - 1])
        assert step in (1.0, math.sqrt(2.0))  # neighbours, one step at a time
        total += 0.5 * (cost[rows[k - 1], cols[k - 1]] + cost[rows[k], cols[k]]) * step
    return total


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1), nr=st.integers(2, 40), nc=st.integers(2, 40), blocked=st.floats(0.0, 0.45),
)
def test_paths_are_as_cheap_as_the_reference_and_are_paths(seed, nr, nc, blocked):
    rng = np.random.default_rng(seed)
    cost = rng.choice([0.5, 1.0, 1.0, 2.0, 7.0], size=(nr, nc)).astype(float)  # many exact ties
    cost[rng.random(cost.shape) < blocked] = np.inf
    s = (int(rng.integers(nr)), int(rng.integers(nc)))
    e = (int(rng.integers(nr)), int(rng.integers(nc)))
    cost[s] = cost[e] = 1.0
    rows, cols, total = cheapest_path(cost, s[0], s[1], e[0], e[1], float(cost[np.isfinite(cost)].min()))
    ref = _reference(cost, s, e)
    if not np.isfinite(ref):
        assert not np.isfinite(total) and rows.size == 0
        return
    assert total == pytest.approx(ref, rel=1e-12)
    assert (rows[0], cols[0]) == s and (rows[-1], cols[-1]) == e
    assert np.isfinite(cost[rows, cols]).all()
    assert _path_cost(cost, rows, cols) == pytest.approx(total, rel=1e-12)


@pytest.mark.parametrize("mobility", ["foot", "bt"])
def test_on_the_khasan_ground_the_cost_is_the_references(mobility):
    terrain = load_scenario(str(historical_scenario())).terrain
    pl = _planner(terrain, mobility, None)
    rng = np.random.default_rng(11)
    checked = 0
    while checked < 15:
        s = tuple(int(v) for v in rng.integers(120, 360, 2))
        e = (s[0] + int(rng.integers(-50, 50)), s[1] + int(rng.integers(-50, 50)))
        r0, r1 = min(s[0], e[0]) - 40, max(s[0], e[0]) + 41
        c0, c1 = min(s[1], e[1]) - 40, max(s[1], e[1]) + 41
        window = np.ascontiguousarray(pl.cost[r0:r1, c0:c1])
        ws, we = (s[0] - r0, s[1] - c0), (e[0] - r0, e[1] - c0)
        if not (np.isfinite(window[ws]) and np.isfinite(window[we])):
            continue
        _, _, total = cheapest_path(window, *ws, *we, pl.cheapest)
        ref = _reference(window, ws, we)
        assert total == pytest.approx(ref, rel=1e-7)  # the reference adds in float32 in places
        checked += 1
