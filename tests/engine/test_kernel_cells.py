"""kernels/cells.py: floor_div gives Python's float floor division, on cell edges (a whole
number of cells, and a last bit either side of one) and anywhere."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from khasan_sim.engine.kernels.cells import floor_div

CELLS = [50.0, 25.0, 10.0, 1.0, 3.0, 0.1, 0.5, 7.5, 1e-3, -50.0]


@settings(max_examples=2000, deadline=None)
@given(cell=st.sampled_from(CELLS), n=st.integers(-(10**7), 10**7), nudge=st.sampled_from([0, 1, -1]))
def test_floor_div_is_pythons_on_and_beside_cell_edges(cell, n, nudge):
    x = n * cell
    x = math.nextafter(x, math.inf) if nudge > 0 else math.nextafter(x, -math.inf) if nudge < 0 else x
    assert floor_div(x, cell) == x // cell


@settings(max_examples=1000, deadline=None)
@given(x=st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12), cell=st.sampled_from(CELLS))
def test_floor_div_is_pythons_anywhere(x, cell):
    assert floor_div(x, cell) == x // cell


def test_floor_div_of_a_whole_number_of_cells_far_out_is_pythons():
    for x, cell in [(2.0**60, 50.0), (-(2.0**60), 50.0), (1.0, 0.1), (0.0, 50.0), (-0.0, 50.0), (6050.0, 50.0)]:
        assert floor_div(x, cell) == x // cell
