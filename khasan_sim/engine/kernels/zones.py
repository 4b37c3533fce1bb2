"""The men holding each zone, compiled: a pulse's count of who is where.

A unit holds ground when it has men, is of a type that holds ground (rifle, border guard,
machine gun, engineer, anti-tank) and is not falling back; its men count in every zone
its cell lies in (a bit a zone in ``zone_bits``). The sums are of whole men, so exact.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from khasan_sim.engine import world as w
from khasan_sim.engine.kernels.cells import floor_div
from khasan_sim.engine.kernels.morale import falling_back_further_into

_RETREATING = w.STATE_CODE[w.STATES[3]]
_ROUTED = w.STATE_CODE[w.STATES[4]]


@njit(cache=True)
def _count(uf, ui, n_units, holding_type, zone_bits, n_zones, cell_m, sov, jap):
    """Add the men holding each zone into *sov* and *jap*."""
    nrows, ncols = zone_bits.shape
    width, height = ncols * cell_m, nrows * cell_m
    for u in range(n_units):
        men = ui[u, w.U_MEN]
        st = ui[u, w.U_STATE]
        if men <= 0 or not holding_type[ui[u, w.U_TYPE]] or st == _RETREATING or st == _ROUTED:
            continue
        x, y = uf[u, w.U_X], uf[u, w.U_Y]
        if not (0.0 <= x < width and 0.0 <= y < height):
            continue
        bits = zone_bits[int(floor_div(y, cell_m)), int(floor_div(x, cell_m))]
        z = 0
        while bits != 0 and z < n_zones:
            if bits & 1:
                if ui[u, w.U_SIDE] == 0:
                    sov[z] += men
                else:
                    jap[z] += men
            bits >>= 1
            z += 1


@njit(cache=True)
def zone_presence(uf, ui, n_units, holding_type, zone_bits, n_zones, cell_m):
    """Return the Soviet and the Japanese men holding each zone (arrays of *n_zones*)."""
    sov = np.zeros(n_zones, dtype=np.float64)
    jap = np.zeros(n_zones, dtype=np.float64)
    _count(uf, ui, n_units, holding_type, zone_bits, n_zones, cell_m, sov, jap)
    return sov, jap


@njit(cache=True)
def zone_holding_changed(uf, ui, n_units, holding_type, zone_bits, n_zones, cell_m, sov, jap, hold_min, held):
    """Write the men holding each zone into *sov* and *jap* (:func:`zone_presence`, in
    place of the last pulse's) and return True if, in some zone, whether a side has at
    least *hold_min* men is not what it was; *held* (int8, 2 x n_zones: the Soviet then
    the Japanese side's, 1 or 0; -1 not known yet) is brought up to date."""
    for z in range(n_zones):
        sov[z] = 0.0
        jap[z] = 0.0
    _count(uf, ui, n_units, holding_type, zone_bits, n_zones, cell_m, sov, jap)
    changed = False
    for z in range(n_zones):
        s = 1 if sov[z] >= hold_min else 0
        j = 1 if jap[z] >= hold_min else 0
        if held[0, z] != s or held[1, z] != j:
            changed = True
        held[0, z] = s
        held[1, z] = j
    return changed


@njit(cache=True)
def halted_then_zone_holding(uf, ui, rows, now, within_min, fall_back, halted, n_units, holding_type, zone_bits, n_zones, cell_m, sov, jap, hold_min, held):
    """The pulse's end in one call: :func:`falling_back_further_into` (into *halted*: the
    units halted under fire that may fall back further) and, if it finds no unit (then
    nothing is done in Python between the two), also :func:`zone_holding_changed`. Return
    the units found and whether a zone's holding changed (1 or 0; -1: not asked)."""
    n = falling_back_further_into(uf, ui, rows, now, within_min, fall_back, halted)
    if n > 0:
        return n, -1
    return 0, 1 if zone_holding_changed(uf, ui, n_units, holding_type, zone_bits, n_zones, cell_m, sov, jap, hold_min, held) else 0


@njit(cache=True)
def holding_units_in(uf, ui, rows, holding_type, mask, cell_m):
    """Return, for each unit row of *rows*, whether it stands in the zone of *mask* (a bool
    raster) and is of a type that holds ground (whatever its men and morale: the caller
    tells who holds it and who no longer does)."""
    nrows, ncols = mask.shape
    width, height = ncols * cell_m, nrows * cell_m
    out = np.zeros(rows.size, dtype=np.bool_)
    for k in range(rows.size):
        u = rows[k]
        if not holding_type[ui[u, w.U_TYPE]]:
            continue
        x, y = uf[u, w.U_X], uf[u, w.U_Y]
        if 0.0 <= x < width and 0.0 <= y < height:
            out[k] = mask[int(floor_div(y, cell_m)), int(floor_div(x, cell_m))]
    return out


@njit(cache=True)
def men_on_other_ground(uf, ui, n_units, side, air_type, cx, cy, within_m, soviet_side, cell_m):
    """Return the men of *side*'s ground units (not of *air_type*, with men) that stand on
    the map within *within_m* of (cx, cy) on the other side's ground (*soviet_side*: the
    raster, True on the Soviet side; *side* 0 is the Soviet side).

    A unit's distance is ``math.hypot``'s in Python; here it is compared squared, so a
    unit whose distance lies within a billionth of *within_m* cannot be told apart: the
    function then returns -1 and the caller counts in Python.
    """
    nrows, ncols = soviet_side.shape
    width, height = ncols * cell_m, nrows * cell_m
    lim2 = within_m * within_m
    lo, hi = lim2 * (1.0 - 1e-9), lim2 * (1.0 + 1e-9)
    men = 0
    for u in range(n_units):
        if ui[u, w.U_SIDE] != side or ui[u, w.U_TYPE] == air_type or ui[u, w.U_MEN] <= 0:
            continue
        x, y = uf[u, w.U_X], uf[u, w.U_Y]
        dx, dy = x - cx, y - cy
        d2 = dx * dx + dy * dy
        if d2 > hi:
            continue
        if d2 >= lo:
            return -1
        if not (0.0 <= x < width and 0.0 <= y < height):
            continue
        r, c = min(int(floor_div(y, cell_m)), nrows - 1), min(int(floor_div(x, cell_m)), ncols - 1)
        on_soviet = soviet_side[r, c]
        if on_soviet == (side == 1):  # on the other side's ground
            men += ui[u, w.U_MEN]
    return men
