"""The compiled path search gives exactly the paths of its first version (kept here as
the reference: a heap that swaps, neighbours checked against the raster's edges): the
same cells, tie for tie, and the same cost to the last bit, on random rasters and on the
Khasan ground, windows and views included."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit

from khasan_sim.scenario.builtin import historical_scenario
from khasan_sim.scenario.load import load_scenario
from khasan_sim.terrain.pathfind import cheapest_path
from khasan_sim.terrain.routes import _planner

_DR = np.array([-1, -1, -1, 0, 0, 1, 1, 1], dtype=np.int64)
_DC = np.array([-1, 0, 1, -1, 1, -1, 0, 1], dtype=np.int64)
_SQRT2 = math.sqrt(2.0)
_STEP = np.array([_SQRT2, 1.0, _SQRT2, 1.0, 1.0, _SQRT2, 1.0, _SQRT2])


@njit
def _push(keys, vals, n, key, val):
    i = n
    keys[i] = key
    vals[i] = val
    while i > 0:
        parent = (i - 1) >> 1
        if keys[parent] <= keys[i]:
            break
        keys[parent], keys[i] = keys[i], keys[parent]
        vals[parent], vals[i] = vals[i], vals[parent]
        i = parent
    return n + 1


@njit
def _pop(keys, vals, n):
    val = vals[0]
    n -= 1
    keys[0], vals[0] = keys[n], vals[n]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= n:
            break
        child = left
        if left + 1 < n and keys[left + 1] < keys[left]:
            child = left + 1
        if keys[i] <= keys[child]:
            break
        keys[child], keys[i] = keys[i], keys[child]
        vals[child], vals[i] = vals[i], vals[child]
        i = child
    return val, n


@njit
def _first_version(cost, sr, sc, er, ec, cheapest):
    nr, nc = cost.shape
    best = np.full(nr * nc, np.inf)
    came = np.full(nr * nc, -1, dtype=np.int64)
    done = np.zeros(nr * nc, dtype=np.bool_)
    keys = np.empty(8 * nr * nc + 1, dtype=np.float64)
    vals = np.empty(8 * nr * nc + 1, dtype=np.int64)
    start = sr * nc + sc
    goal = er * nc + ec
    best[start] = 0.0
    n = _push(keys, vals, 0, 0.0, start)
    while n > 0:
        cell, n = _pop(keys, vals, n)
        if done[cell]:
            continue
        done[cell] = True
        if cell == goal:
            break
        r = cell // nc
        c = cell % nc
        here = cost[r, c]
        g = best[cell]
        for k in range(8):
            rr = r + _DR[k]
            cc = c + _DC[k]
            if rr < 0 or rr >= nr or cc < 0 or cc >= nc:
                continue
            there = cost[rr, cc]
            if not math.isfinite(there):
                continue
            nxt = rr * nc + cc
            if done[nxt]:
                continue
            nd = g + 0.5 * (here + there) * _STEP[k]
            if nd < best[nxt]:
                best[nxt] = nd
                came[nxt] = cell
                dr = abs(rr - er)
                dc = abs(cc - ec)
                h = cheapest * (max(dr, dc) + (_SQRT2 - 1.0) * min(dr, dc))
                n = _push(keys, vals, n, nd + h, nxt)
    if not done[goal]:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.inf
    cells = [goal]
    while cells[-1] != start:
        cells.append(came[cells[-1]])
    path = np.array(cells[::-1], dtype=np.int64)
    return path // nc, path % nc, best[goal]


def _same(cost: np.ndarray, s: tuple[int, int], e: tuple[int, int], cheapest: float) -> None:
    rows, cols, total = cheapest_path(cost, *s, *e, cheapest)
    ref_rows, ref_cols, ref_total = _first_version(np.ascontiguousarray(cost), *s, *e, cheapest)
    assert np.array_equal(rows, ref_rows) and np.array_equal(cols, ref_cols)
    assert total == ref_total or (math.isinf(total) and math.isinf(ref_total))


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1), nr=st.integers(1, 30), nc=st.integers(1, 30),
    blocked=st.floats(0.0, 0.5), levels=st.integers(1, 4), f32=st.booleans(),
)
def test_random_rasters_give_the_first_versions_paths(seed, nr, nc, blocked, levels, f32):
    rng = np.random.default_rng(seed)
    # few cost levels: many paths cost exactly the same, so ties are decided often
    cost = rng.integers(1, levels + 1, (nr, nc)).astype(np.float32 if f32 else np.float64)
    cost[rng.random((nr, nc)) < blocked] = np.inf
    s = (int(rng.integers(nr)), int(rng.integers(nc)))
    e = (int(rng.integers(nr)), int(rng.integers(nc)))
    _same(cost, s, e, 1.0)  # an impassable start too: the first version's answer
    cost[s] = cost[s] if np.isfinite(cost[s]) else 1.0
    _same(cost, s, e, 1.0)
    _same(cost, s, s, 1.0)


_TERRAIN = None


def _khasan():
    global _TERRAIN
    if _TERRAIN is None:
        _TERRAIN = load_scenario(str(historical_scenario())).terrain
    return _TERRAIN


@pytest.mark.parametrize("mobility", ["foot", "bt", "t26", "towed"])
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_on_the_khasan_ground_the_paths_are_the_first_versions(mobility, data):
    pl = _planner(_khasan(), mobility, None)
    n_r, n_c = pl.cost.shape
    s = (data.draw(st.integers(0, n_r - 1)), data.draw(st.integers(0, n_c - 1)))
    e = (data.draw(st.integers(max(0, s[0] - 90), min(n_r - 1, s[0] + 90))),
         data.draw(st.integers(max(0, s[1] - 90), min(n_c - 1, s[1] + 90))))
    m = data.draw(st.integers(0, 40))
    r0, r1 = max(0, min(s[0], e[0]) - m), min(n_r, max(s[0], e[0]) + m + 1)
    c0, c1 = max(0, min(s[1], e[1]) - m), min(n_c, max(s[1], e[1]) + m + 1)
    window = pl.cost[r0:r1, c0:c1]  # a view, as the planner passes it
    ws, we = (s[0] - r0, s[1] - c0), (e[0] - r0, e[1] - c0)
    if not np.isfinite(window[ws]):
        window = window.copy()
        window[ws] = 0.06
    _same(window, ws, we, pl.cheapest)
