"""Small compiled questions the movement systems ask at every leg or pulse."""

from __future__ import annotations

import math

import numpy as np
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


_RETREATING = w.STATE_CODE[w.STATES[3]]
_ROUTED = w.STATE_CODE[w.STATES[4]]


@njit(cache=True)
def halted_under_fire(uf, ui, rows, now, within_min):
    """Return the rows (of *rows*, in their order) of the units falling back (retreating
    or routed) that have halted with men left and were fired at less than *within_min* ago."""
    out = np.empty(rows.size, dtype=np.int64)
    n = 0
    for k in range(rows.size):
        r = rows[k]
        st = ui[r, w.U_STATE]
        if (st == _RETREATING or st == _ROUTED) and ui[r, w.U_MOVING] == 0 and ui[r, w.U_MEN] > 0 \
                and now - uf[r, w.U_LAST_FIRE] < within_min:
            out[n] = r
            n += 1
    return out[:n]
