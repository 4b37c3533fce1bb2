"""Small compiled questions the movement systems ask at every leg."""

from __future__ import annotations

import math

from numba import njit

from khasan_sim.engine import world as w

_AIR = w.UNIT_TYPES.index("air")


@njit(cache=True)
def near_wire(uf, ui, n_units, side, x, y, within_m):
    """Return True if an enemy ground unit of *side*'s enemy with men and wire stands less
    than *within_m* from (x, y)."""
    for v in range(n_units):
        if ui[v, w.U_WIRE] == 0 or ui[v, w.U_MEN] <= 0 or ui[v, w.U_SIDE] == side or ui[v, w.U_TYPE] == _AIR:
            continue
        if math.hypot(uf[v, w.U_X] - x, uf[v, w.U_Y] - y) < within_m:
            return True
    return False
