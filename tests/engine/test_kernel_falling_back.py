"""The compiled test of falling back further (kernels/morale.py: may_fall_back_further)
never leaves out a unit that the plain test (the scalar mechanics of model.movement, as
MoraleSystem._fall_back_further makes it) sends back, on random hand-made states with
distances put right at the rule's thresholds; and it does leave out the units that
surely stay."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from khasan_sim.engine import world as w
from khasan_sim.engine.kernels import morale as mk
from khasan_sim.model import movement

REACH, LEG, HOME_MIN, RIGHT, TOP = 800.0, 500.0, 300.0, 9999.0, 9999.0


def _figures() -> np.ndarray:
    f = np.zeros(mk.N_FALL_BACK)
    f[mk.F_REACH], f[mk.F_LEG], f[mk.F_HOME_MIN], f[mk.F_RIGHT], f[mk.F_TOP] = REACH, LEG, HOME_MIN, RIGHT, TOP
    return f


def _state(seed: int):
    """A random small world: unit 0 falling back, the others friends and enemies round it,
    some of them at its distance to the nearest enemy, at the thresholds, on it or at home."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 10))
    units = w.Table(w.U_NF, w.U_NI, capacity=4)
    for _ in range(n):
        units.add_row()
    f, i = units.rows_f, units.rows_i
    cx, cy = rng.uniform(0, 10000), rng.uniform(0, 10000)
    f[:, w.U_X] = cx + rng.normal(0, rng.choice([5.0, 300.0, 1000.0]), n)
    f[:, w.U_Y] = cy + rng.normal(0, rng.choice([5.0, 300.0, 1000.0]), n)
    f[:, w.U_HOME_X] = f[:, w.U_X] + rng.normal(0, 600.0, n)
    f[:, w.U_HOME_Y] = f[:, w.U_Y] + rng.normal(0, 600.0, n)
    i[:, w.U_SIDE] = rng.integers(0, 2, n)
    i[:, w.U_MEN] = rng.choice([0, 50, 200], n)
    x, y = f[0, w.U_X], f[0, w.U_Y]
    for k in range(1, n):  # put some enemies at the thresholds' distances, or on the unit
        d = rng.choice([REACH, 1.0, 0.0, 0.5, None, None])
        if d is not None:
            a = rng.uniform(0, 2 * math.pi)
            f[k, w.U_X], f[k, w.U_Y] = x + d * math.cos(a), y + d * math.sin(a)
    if rng.random() < 0.3:  # home at the least distance to go home
        a = rng.uniform(0, 2 * math.pi)
        f[0, w.U_HOME_X], f[0, w.U_HOME_Y] = x + HOME_MIN * math.cos(a), y + HOME_MIN * math.sin(a)
    if rng.random() < 0.2 and n > 2:  # two enemies at the same distance
        f[2, w.U_X], f[2, w.U_Y] = 2 * x - f[1, w.U_X], 2 * y - f[1, w.U_Y]
    for k in range(2, n):  # units standing on another's very point (a group formed from it)
        if rng.random() < 0.3:
            j = int(rng.integers(1, k))
            f[k, w.U_X], f[k, w.U_Y] = f[j, w.U_X], f[j, w.U_Y]
    rows = rng.permutation(n).astype(np.int64)  # the ground units' order by id
    return units, rows


def _reference_goes(units, rows, r: int) -> bool:
    """MoraleSystem._fall_back_further's test, plainly: the nearest enemy within reach, and
    the fall-back point kept on the map farther from every enemy by more than a metre."""
    f, i = units.rows_f, units.rows_i
    side = i[r, w.U_SIDE]
    enemy = [e for e in rows.tolist() if i[e, w.U_SIDE] != side and i[e, w.U_MEN] > 0]
    at = [(float(f[e, w.U_X]), float(f[e, w.U_Y])) for e in enemy]
    came_from = [(float(f[e, w.U_HOME_X]), float(f[e, w.U_HOME_Y])) for e in enemy]
    x, y = float(f[r, w.U_X]), float(f[r, w.U_Y])
    here = movement.nearest_enemy_m((x, y), at)
    if here > REACH:
        return False
    gx, gy = movement.fall_back_point((x, y), (float(f[r, w.U_HOME_X]), float(f[r, w.U_HOME_Y])), at, LEG, HOME_MIN, enemies_from=came_from)
    goal = (min(max(gx, 0.0), RIGHT), min(max(gy, 0.0), TOP))
    return movement.nearest_enemy_m(goal, at) > here + 1.0


@settings(max_examples=400, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_the_kernel_leaves_out_no_unit_the_plain_test_sends_back(seed):
    units, rows = _state(seed)
    if _reference_goes(units, rows, 0):
        assert mk.may_fall_back_further(units.rows_f, units.rows_i, rows, 0, _figures())


def test_the_kernel_leaves_out_the_units_that_surely_stay_and_keeps_those_that_go():
    units = w.Table(w.U_NF, w.U_NI, capacity=4)
    for _ in range(2):
        units.add_row()
    f, i = units.rows_f, units.rows_i
    i[:, w.U_SIDE] = (0, 1)
    i[:, w.U_MEN] = 100
    f[0, w.U_X], f[0, w.U_Y], f[0, w.U_HOME_X], f[0, w.U_HOME_Y] = 5000.0, 5000.0, 5000.0, 5000.0
    f[1, w.U_X], f[1, w.U_Y] = 5600.0, 5000.0
    rows = np.array([0, 1], dtype=np.int64)
    cases = [
        (5600.0, True),  # 600 m east: a bound west takes it farther
        (5000.0 + REACH + 50.0, False),  # out of reach: it stays
        (9999.0 + 300.0, False),  # out of reach beyond the map's edge
    ]
    for ex, goes in cases:
        f[1, w.U_X] = ex
        assert _reference_goes(units, rows, 0) is goes
        assert bool(mk.may_fall_back_further(f, i, rows, 0, _figures())) is goes
    # at the map's west edge with the enemy east: the goal is held on the map, no farther
    f[0, w.U_X] = f[0, w.U_HOME_X] = 0.0
    f[1, w.U_X] = 600.0
    assert not _reference_goes(units, rows, 0)
    assert not mk.may_fall_back_further(f, i, rows, 0, _figures())
    # with no enemy with men, it stays
    f[1, w.U_X] = 600.0
    i[1, w.U_MEN] = 0
    assert not mk.may_fall_back_further(f, i, rows, 0, _figures())


def test_an_enemy_on_the_very_point_of_the_nearest_is_no_tie_left_to_python():
    """A group formed from a battalion stands where the battalion stood: two enemies at one
    point give the same distance and the same way back, so the kernel settles the unit
    that surely stays (it used to leave every such unit to Python)."""
    units = w.Table(w.U_NF, w.U_NI, capacity=4)
    for _ in range(3):
        units.add_row()
    f, i = units.rows_f, units.rows_i
    i[:, w.U_SIDE] = (0, 1, 1)
    i[:, w.U_MEN] = 100
    f[:, w.U_Y] = 5000.0
    f[0, w.U_HOME_Y] = 5000.0
    rows = np.array([0, 1, 2], dtype=np.int64)
    for x, enemy_x, goes in ((5000.0, 5300.0, True), (0.0, 300.0, False)):  # in the open; at the west edge
        f[0, w.U_X] = f[0, w.U_HOME_X] = x
        f[1, w.U_X] = f[2, w.U_X] = enemy_x
        assert _reference_goes(units, rows, 0) is goes
        assert bool(mk.may_fall_back_further(f, i, rows, 0, _figures())) is goes
