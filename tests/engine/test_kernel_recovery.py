"""The tanks the officers of all the battalions look over, found in one compiled call
(kernels/recovery.py), are those each battalion's own call finds (kernels/movement.py
``tanks_out_on_field``), battalion after battalion."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from khasan_sim.engine import world as w
from khasan_sim.engine.kernels.movement import nearest_ground, tanks_out_on_field
from khasan_sim.engine.kernels.recovery import (
    battalion_tank_rows,
    nearest_ground_by_squares,
    tanks_out_on_field_by_battalion,
)


def _units_and_tanks(rng: np.random.Generator, n: int, n_tanks: int) -> tuple[w.Table, w.Table]:
    """Return a unit table of *n* units and a tank table of *n_tanks* tanks, placed, sided,
    manned and in states at random."""
    units = w.Table(w.U_NF, w.U_NI, capacity=2)
    for _ in range(n):
        u = units.add_row()
        units.f[u, w.U_X], units.f[u, w.U_Y] = rng.uniform(-50, 2000, 2)
        units.i[u, w.U_SIDE] = rng.integers(0, 2)
        units.i[u, w.U_MEN] = rng.integers(0, 900)
    tanks = w.Table(w.T_NF, w.T_NI, capacity=1)
    for _ in range(n_tanks):
        t = tanks.add_row()
        tanks.f[t, w.T_X], tanks.f[t, w.T_Y] = rng.uniform(0, 2000, 2)
        tanks.i[t, w.T_STATUS] = rng.integers(0, len(w.TANK_STATUS))
        tanks.i[t, w.T_RECOVERY] = rng.integers(0, len(w.TANK_RECOVERY))
    return units, tanks


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 10**6), n=st.integers(0, 25), sizes=st.lists(st.integers(0, 8), max_size=5))
def test_all_battalions_at_once_are_each_battalion_in_turn(seed, n, sizes):
    rng = np.random.default_rng(seed)
    units, tanks = _units_and_tanks(rng, n, sum(sizes))
    order = rng.permutation(tanks.n).astype(np.int64)
    each = np.split(order, np.cumsum(sizes)[:-1]) if sizes else []
    sides = rng.integers(0, 2, len(sizes)).astype(np.int64)
    with_bogged = rng.integers(0, 2, len(sizes)).astype(np.bool_)
    ground = rng.permutation(units.n).astype(np.int64)

    rows, starts = battalion_tank_rows(each)
    out = np.full((len(rows), 3), np.nan)
    m = tanks_out_on_field_by_battalion(units.f, units.i, ground, tanks.f, tanks.i, rows, starts, sides, with_bogged, out, True, 0.0, 0.0)
    want = [
        (k + starts[b], enemy, own)
        for b, battalion in enumerate(each)
        for k, enemy, own in tanks_out_on_field(
            units.f, units.i, ground, tanks.f, tanks.i, battalion, int(sides[b]), bool(with_bogged[b]),
        ).tolist()
    ]
    assert rows.tolist() == order.tolist()
    assert out[:m].tolist() == [list(x) for x in want]


@settings(max_examples=300, deadline=None)
@given(
    seed=st.integers(0, 10**6), n=st.integers(0, 40), ring=st.booleans(), side=st.integers(0, 1),
    x=st.floats(-100, 2100), y=st.floats(-100, 2100),
)
def test_nearest_by_squares_is_nearest_by_hypot(seed, n, ring, side, x, y):
    """Near ties too: on a ring round the point, the units all but equally far."""
    rng = np.random.default_rng(seed)
    units = w.Table(w.U_NF, w.U_NI, capacity=2)
    radius = rng.uniform(0, 1500)
    for _ in range(n):
        u = units.add_row()
        if ring:
            a = rng.uniform(0, 2 * np.pi)
            units.f[u, w.U_X], units.f[u, w.U_Y] = x + radius * np.cos(a), y + radius * np.sin(a)
        else:
            units.f[u, w.U_X], units.f[u, w.U_Y] = rng.uniform(-50, 2000, 2)
        units.i[u, w.U_SIDE] = rng.integers(0, 2)
        units.i[u, w.U_MEN] = rng.integers(0, 3)
    rows = rng.permutation(units.n).astype(np.int64)
    assert nearest_ground_by_squares(units.f, units.i, rows, x, y, side) == nearest_ground(units.f, units.i, rows, x, y, side)


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 10**6), n=st.integers(0, 25), size=st.integers(0, 12), night=st.booleans())
def test_by_day_the_bogged_tanks_fired_at_lately_are_left_out(seed, n, size, night):
    """By day, a bogged tank fired at within the quiet minutes is not looked over (no team
    goes to it, whatever the distances); at night every bogged one is, and the
    knocked-out ones always are."""
    rng = np.random.default_rng(seed)
    units, tanks = _units_and_tanks(rng, n, size)
    tanks.f[:size, w.T_LAST_FIRE] = rng.choice([-1e9, 90.0, 95.0, 99.5], size)
    rows, starts = battalion_tank_rows([np.arange(size, dtype=np.int64)])
    ground = np.arange(units.n, dtype=np.int64)
    sides, with_bogged = np.zeros(1, dtype=np.int64), np.ones(1, dtype=np.bool_)
    out = np.full((len(rows), 3), np.nan)
    m = tanks_out_on_field_by_battalion(units.f, units.i, ground, tanks.f, tanks.i, rows, starts, sides, with_bogged, out, night, 100.0, 5.0)
    want = [
        (k, enemy, own)
        for k, enemy, own in tanks_out_on_field(units.f, units.i, ground, tanks.f, tanks.i, rows, 0, True).tolist()
        if night or tanks.i[int(k), w.T_STATUS] != w.TANK_STATUS.index("bogged") or 100.0 - tanks.f[int(k), w.T_LAST_FIRE] >= 5.0
    ]
    assert out[:m].tolist() == [list(x) for x in want]
