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
def halted_under_fire_into(uf, ui, rows, now, within_min, out):
    """Write into *out* (at least ``rows.size`` long) the rows (of *rows*, in their order)
    of the units falling back (retreating or routed) that have halted with men left and
    were fired at less than *within_min* ago; return how many (no array to hand back to
    Python: most pulses find none)."""
    n = 0
    for k in range(rows.size):
        r = rows[k]
        st = ui[r, w.U_STATE]
        if (st == _RETREATING or st == _ROUTED) and ui[r, w.U_MOVING] == 0 and ui[r, w.U_MEN] > 0 \
                and now - uf[r, w.U_LAST_FIRE] < within_min:
            out[n] = r
            n += 1
    return n


_DESTROYED = w.TANK_STATUS.index("destroyed")


@njit(cache=True)
def _sum_as_numpy(a, n):
    """Return the sum of a[:n] as numpy adds a float64 array (pairwise, 8 partial sums)."""
    if n < 8:
        res = 0.0
        for i in range(n):
            res += a[i]
        return res
    if n <= 128:
        r0, r1, r2, r3, r4, r5, r6, r7 = a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]
        i = 8
        while i < n - (n % 8):
            r0 += a[i]
            r1 += a[i + 1]
            r2 += a[i + 2]
            r3 += a[i + 3]
            r4 += a[i + 4]
            r5 += a[i + 5]
            r6 += a[i + 6]
            r7 += a[i + 7]
            i += 8
        res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while i < n:
            res += a[i]
            i += 1
        return res
    n2 = n // 2
    n2 -= n2 % 8
    return _sum_as_numpy(a, n2) + _sum_as_numpy(a[n2:], n - n2)


@njit(cache=True)
def middle_tank(tf, ti, rows):
    """Return the position of a tank battalion (its middle tank: the one nearest the mean
    of its tanks not destroyed, the first in *rows* among equals) and whether any of its
    tanks moves; (nan, nan) for the position when all are destroyed."""
    n = rows.size
    xs = np.empty(n, dtype=np.float64)
    ys = np.empty(n, dtype=np.float64)
    m = 0
    moving = False
    for k in range(n):
        t = rows[k]
        if ti[t, w.T_MOVING] != 0:
            moving = True
        if ti[t, w.T_STATUS] != _DESTROYED:
            xs[m] = tf[t, w.T_X]
            ys[m] = tf[t, w.T_Y]
            m += 1
    if m == 0:
        return np.nan, np.nan, moving
    mx = _sum_as_numpy(xs, m) / m
    my = _sum_as_numpy(ys, m) / m
    best = 0
    best_d = (xs[0] - mx) ** 2 + (ys[0] - my) ** 2
    for k in range(1, m):
        d = (xs[k] - mx) ** 2 + (ys[k] - my) ** 2
        if d < best_d:
            best, best_d = k, d
    return xs[best], ys[best], moving


@njit(cache=True)
def nearest_ground(uf, ui, rows, x, y, side):
    """Return the distances from (x, y) to the nearest ground unit with men of the other
    side and of side *side* (infinity where there is none), over the unit rows *rows*."""
    enemy = math.inf
    own = math.inf
    for k in range(rows.size):
        r = rows[k]
        if ui[r, w.U_MEN] <= 0:
            continue
        d = math.hypot(uf[r, w.U_X] - x, uf[r, w.U_Y] - y)
        if ui[r, w.U_SIDE] == side:
            if d < own:
                own = d
        elif d < enemy:
            enemy = d
    return enemy, own


_DAMAGED = w.TANK_STATUS.index("damaged")
_BOGGED = w.TANK_STATUS.index("bogged")
_ON_FIELD = w.TANK_RECOVERY.index("on_field")


@njit(cache=True)
def tanks_out_on_field(uf, ui, ground_rows, tf, ti, rows, side, with_bogged):
    """Return the tanks of *rows* (a battalion's, in id order) that a recovery officer looks
    over: the knocked-out ones still on the field, and the bogged ones if *with_bogged*; an
    (m, 3) array of their place in *rows* and the distances from each to the nearest ground
    unit with men of the enemy and of side *side* (:func:`nearest_ground`)."""
    out = np.empty((rows.size, 3), dtype=np.float64)
    m = 0
    for k in range(rows.size):
        t = rows[k]
        st = ti[t, w.T_STATUS]
        if (st == _DAMAGED and ti[t, w.T_RECOVERY] == _ON_FIELD) or (with_bogged and st == _BOGGED):
            out[m, 0] = k
            out[m, 1], out[m, 2] = nearest_ground(uf, ui, ground_rows, tf[t, w.T_X], tf[t, w.T_Y], side)
            m += 1
    return out[:m]
