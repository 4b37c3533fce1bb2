"""Tank recovery, compiled: the tanks every battalion's technical officer looks over at a
check, found in one call for all the battalions (systems/tank_recovery.py)."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from khasan_sim.engine import world as w

_DAMAGED = w.TANK_STATUS.index("damaged")
_BOGGED = w.TANK_STATUS.index("bogged")
_ON_FIELD = w.TANK_RECOVERY.index("on_field")
# a squared distance within this share of the least one may belong to the nearest unit as
# math.hypot measures it (the squares and hypot differ by a few units in the last place)
_SQUARES_MARGIN = 1e-9


@njit(cache=True)
def nearest_ground_by_squares(uf, ui, rows, x, y, side):
    """``kernels.movement.nearest_ground``, the same two distances, with ``math.hypot``
    asked only of the units whose squared distance comes within a billionth of the least
    of their side's: the nearest as hypot measures it is among them (a few units in the
    last place apart at most), and the rest are farther by far."""
    least_enemy = math.inf
    least_own = math.inf
    for k in range(rows.size):
        r = rows[k]
        if ui[r, w.U_MEN] <= 0:
            continue
        dx, dy = uf[r, w.U_X] - x, uf[r, w.U_Y] - y
        d2 = dx * dx + dy * dy
        if ui[r, w.U_SIDE] == side:
            if d2 < least_own:
                least_own = d2
        elif d2 < least_enemy:
            least_enemy = d2
    enemy_within = least_enemy * (1.0 + _SQUARES_MARGIN) + 1e-300
    own_within = least_own * (1.0 + _SQUARES_MARGIN) + 1e-300
    enemy = math.inf
    own = math.inf
    for k in range(rows.size):
        r = rows[k]
        if ui[r, w.U_MEN] <= 0:
            continue
        dx, dy = uf[r, w.U_X] - x, uf[r, w.U_Y] - y
        d2 = dx * dx + dy * dy
        if ui[r, w.U_SIDE] == side:
            if d2 <= own_within:
                d = math.hypot(dx, dy)
                if d < own:
                    own = d
        elif d2 <= enemy_within:
            d = math.hypot(dx, dy)
            if d < enemy:
                enemy = d
    return enemy, own


@njit(cache=True)
def tanks_out_on_field_by_battalion(uf, ui, ground_rows, tf, ti, rows, starts, sides, with_bogged, out, night, now, quiet):
    """Write into *out* (at least ``rows.size`` x 3) the tanks the battalions' officers look
    over, battalion after battalion, and return how many: battalion *b*'s tanks are
    ``rows[starts[b]:starts[b + 1]]`` (in id order), of side ``sides[b]``; its knocked-out
    tanks still on the field, and its bogged ones if ``with_bogged[b]`` (by day, unless
    *night*, only those not fired at since *quiet* minutes before *now*: a team goes to
    no other by day, whatever the distances). Each is written
    as its place in *rows* and the distances from it to the nearest ground unit with men
    of the enemy and of its own side (:func:`nearest_ground_by_squares`, over
    *ground_rows*): for one
    battalion, what ``kernels.movement.tanks_out_on_field`` answers (at night)."""
    m = 0
    for b in range(starts.size - 1):
        side, bogged_too = sides[b], with_bogged[b]
        for k in range(starts[b], starts[b + 1]):
            t = rows[k]
            st = ti[t, w.T_STATUS]
            if (st == _DAMAGED and ti[t, w.T_RECOVERY] == _ON_FIELD) or (
                bogged_too and st == _BOGGED and (night or now - tf[t, w.T_LAST_FIRE] >= quiet)
            ):
                out[m, 0] = k
                out[m, 1], out[m, 2] = nearest_ground_by_squares(uf, ui, ground_rows, tf[t, w.T_X], tf[t, w.T_Y], side)
                m += 1
    return m


def battalion_tank_rows(tank_rows: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Return the tank rows of the battalions one after another and where each battalion's
    start (and the last one's end), for :func:`tanks_out_on_field_by_battalion`."""
    starts = np.zeros(len(tank_rows) + 1, dtype=np.int64)
    starts[1:] = np.cumsum([len(r) for r in tank_rows])
    rows = np.concatenate(tank_rows).astype(np.int64) if tank_rows else np.zeros(0, dtype=np.int64)
    return rows, starts
