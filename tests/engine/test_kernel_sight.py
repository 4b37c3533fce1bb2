"""The compiled sight lines agree with the numpy reference (terrain.los.visible_many)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khasan_sim.engine.kernels.sight import SIGHT_CELL_M, SightLines, sight_key, sight_line
from khasan_sim.scenario.builtin import historical_scenario
from khasan_sim.scenario.load import load_scenario
from khasan_sim.terrain.los import visible_many


@pytest.fixture(scope="module")
def terrain():
    return load_scenario(str(historical_scenario())).terrain


def test_sight_line_is_visible_many_float_for_float(terrain):
    rng = np.random.default_rng(5)
    g = terrain.grid
    a = rng.uniform(0, g.width_m, size=(3000, 2))
    # mostly short lines (the fight is within 1.5 km), some across the map
    b = a + rng.normal(0, 900, size=a.shape)
    b[:300] = rng.uniform(0, g.width_m, size=(300, 2))
    b = np.clip(b, 0, g.width_m - 1)
    ref = visible_many(terrain, a, b)
    s = SightLines(terrain)
    _, _, _, ground, surface, cell_m, oh, th = s.args
    got = np.array([sight_line(ground, surface, cell_m, *a[k], *b[k], oh, th, 512) for k in range(len(a))])
    assert ref.any() and (~ref).any()
    assert np.array_equal(got, ref)


def test_cached_answer_is_the_line_between_cell_centres(terrain):
    rng = np.random.default_rng(9)
    g = terrain.grid
    a = rng.uniform(0, g.width_m, size=(500, 2))
    b = np.clip(a + rng.normal(0, 700, size=a.shape), 0, g.width_m - 1)
    s = SightLines(terrain)
    got = s.many(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    ca = (a // SIGHT_CELL_M + 0.5) * SIGHT_CELL_M
    cb = (b // SIGHT_CELL_M + 0.5) * SIGHT_CELL_M
    # the line is looked from the cell with the lower key (west, then south) to the other
    w = s.args[2]
    a_first = ((a[:, 0] // 50) * w + a[:, 1] // 50) <= ((b[:, 0] // 50) * w + b[:, 1] // 50)
    lo = np.where(a_first[:, None], ca, cb)
    hi = np.where(a_first[:, None], cb, ca)
    assert np.array_equal(got, visible_many(terrain, lo, hi))
    # asked again (now from the cache), and the other way round: the same answers
    assert np.array_equal(s.many(b[:, 0], b[:, 1], a[:, 0], a[:, 1]), got)
    assert 0 < len(s) <= len(a)


def test_answers_are_the_same_from_the_recent_lines_the_table_and_a_grown_table(terrain):
    """Many more lines than the table of recent ones holds, in a table that must grow:
    asked in another order, the answers are the first ones."""
    rng = np.random.default_rng(11)
    g = terrain.grid
    a = rng.uniform(0, g.width_m, size=(6000, 2))
    b = np.clip(a + rng.normal(0, 500, size=a.shape), 0, g.width_m - 1)
    s = SightLines(terrain, capacity=1 << 10)
    first = s.many(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    assert s.keys.size > 1 << 10  # grown
    again = SightLines(terrain)  # a fresh cache gives the same
    assert np.array_equal(again.many(a[:, 0], a[:, 1], b[:, 0], b[:, 1]), first)
    order = rng.permutation(len(a))
    got = s.many(a[order, 0], a[order, 1], b[order, 0], b[order, 1])
    assert np.array_equal(got, first[order])


@settings(max_examples=200, deadline=None)
@given(
    x1=st.floats(0, 11_999), y1=st.floats(0, 11_999), x2=st.floats(0, 11_999), y2=st.floats(0, 11_999),
)
def test_sight_key_is_symmetric_and_of_the_cells(x1, y1, x2, y2):
    w = 241
    k = sight_key(x1, y1, x2, y2, w)
    assert k == sight_key(x2, y2, x1, y1, w)
    assert k == sight_key((x1 // 50) * 50 + 1, (y1 // 50) * 50 + 1, x2, y2, w)


def _plane(nrows, ncols, cell_m, gx, gy, z0):
    """A raster of a tilted plane, its heights at the cells' centres (float32, as the terrain's)."""
    r, c = np.mgrid[0:nrows, 0:ncols]
    return (z0 + gx * (c + 0.5) * cell_m + gy * (r + 0.5) * cell_m).astype(np.float32)


@settings(max_examples=150, deadline=None)
@given(
    gx=st.floats(-0.7, 0.7), gy=st.floats(-0.7, 0.7),
    x1=st.floats(30, 1970), y1=st.floats(30, 1970), x2=st.floats(30, 1970), y2=st.floats(30, 1970),
)
def test_on_a_plane_slope_everyone_sees_everyone(gx, gy, x1, y1, x2, y2):
    """On a plane, however steep (up to 35 degrees), the straight line between two men
    standing on it runs above it: nobody is hidden. Read cell by cell, a slope was a
    staircase whose step above a man hid him from anyone looking down on him."""
    ground = _plane(80, 80, 25.0, gx, gy, 500.0)
    assert sight_line(ground, ground, 25.0, x1, y1, x2, y2, 2.0, 1.5, 512)
    assert sight_line(ground, ground, 25.0, x2, y2, x1, y1, 2.0, 1.5, 512)


def test_a_ridge_between_hides_what_lies_behind_it():
    ground = _plane(80, 80, 25.0, 0.0, 0.0, 100.0)
    ground[:, 38:42] += 30.0  # a ridge 100 m wide, 30 m high, running north-south
    assert not sight_line(ground, ground, 25.0, 500.0, 1000.0, 1500.0, 1000.0, 2.0, 1.5, 512)
    assert sight_line(ground, ground, 25.0, 500.0, 1000.0, 800.0, 1200.0, 2.0, 1.5, 512)
