"""kernels/by_x.py: the unit rows sorted by x from any order (those whose x is not a number
last), the search of a strip of x, and the id order the direct-fire kernel is given
(kernels/direct_fire.py: id_order, rows_in_order) agree with plain Python."""

from __future__ import annotations

import bisect
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from khasan_sim.engine import world as w
from khasan_sim.engine.kernels import by_x
from khasan_sim.engine.kernels import direct_fire as df


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 10**6), n=st.integers(0, 40))
def test_rows_sorted_by_x_and_the_strip_searched_are_plain_pythons(seed, n):
    rng = np.random.default_rng(seed)
    uf = np.zeros((max(n, 1), w.U_NF))
    uf[:n, w.U_X] = rng.choice([rng.uniform(0, 1e4), 5000.0, np.nan, -np.inf, np.inf], size=n, p=[0.6, 0.2, 0.1, 0.05, 0.05])
    rows = rng.permutation(n).astype(np.int64)  # the order kept from an earlier look
    by_x.sort_by_x(uf, rows, n)
    assert sorted(rows.tolist()) == list(range(n))
    key = [math.inf if math.isnan(x) else x for x in uf[rows, w.U_X].tolist()]
    assert key == sorted(key)
    xs = uf[rows, w.U_X][None, :].copy()
    finite = [x for x in xs[0].tolist() if not math.isnan(x)]
    for lo in [-1.0, 0.0, 5000.0, 2500.5, 1e5, -np.inf, np.inf]:
        assert by_x.first_at_least(xs, 0, n, lo) == bisect.bisect_left(finite, lo)
    assert by_x.strip_m(1500.0) > 1500.0


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 10**6), n_units=st.integers(0, 20), n_tanks=st.integers(0, 20))
def test_id_order_and_the_rows_in_it_are_the_sort_by_rank(seed, n_units, n_tanks):
    ranks = np.random.default_rng(seed).permutation(n_units + n_tanks).astype(np.int64)
    unit_rank, tank_rank = ranks[:n_units].copy(), ranks[n_units:].copy()
    order = df.id_order(unit_rank, n_units, tank_rank, n_tanks)
    codes = [(int(r), u) for u, r in enumerate(unit_rank)] + [(int(r), -1 - t) for t, r in enumerate(tank_rank)]
    assert order.tolist() == [c for _, c in sorted(codes)]
    units, tanks = df.rows_in_order(order, n_units, n_tanks)
    assert units.tolist() == sorted(range(n_units), key=lambda u: unit_rank[u])
    assert tanks.tolist() == sorted(range(n_tanks), key=lambda t: tank_rank[t])
