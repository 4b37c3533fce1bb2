"""What the direct-fire kernels share (kernels/direct_fire.py, kernels/anti_tank_fire.py):
the places of the figures in the pulse vector and of the columns of their results, the
unit table's columns and codes they read, the id order of the units and tanks, and the
small mechanics of :mod:`khasan_sim.model.fire` compiled.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from khasan_sim.engine import world as w
from khasan_sim.engine.kernels.cells import floor_div
from khasan_sim.model import fire

# the figures of the pulse, in this order in the ``pulse`` vector (the five from
# P_MISSING_STEADY on are CombatParams.casualty_figures(), in its order)
(P_DT, P_MAX_RANGE, P_VIS, P_CLOSE_M, P_CLOSE_EXPOSURE, P_MOVING_EXPOSURE, P_ELEV_ADV, P_COMMAND_WEIGHT,
 P_BOGGED_EXPOSURE, P_TANK_MOVING_EXPOSURE, P_NOW, P_MISSING_STEADY, P_MISSING_ROUTED, P_MAX_LOSS,
 P_KILLED_SOVIET, P_KILLED_JAPANESE, P_REVEALED_MIN, P_TANK_MOVING_FIRE, P_TANK_EVASIVE_SPEED) = range(19)
N_PULSE = 19

# the columns of each target's cause of the pulse's aimed fire (``aimed_fire``): its main
# firer (unit row, or -1 - tank row), that firer's main weapon (a kill weapon's index, or
# -1 - vehicle model), the range, the target's exposure and the firer's suppression as
# used, the firer's expected casualties, the expected casualties of all firers, how many
# firers fired at it, and its cell (row * ncols + col, of the terrain's grid); then, on
# an anti-tank position, the guns the tanks' fire is expected to hit (tank guns firing on
# the gun pits they see), the tank (-1 - tank row) that gave the most of it, and its part
(C_FIRER, C_WEAPON, C_RANGE, C_EXPOSURE, C_SUPPRESSION, C_MAIN_EXPECTED, C_EXPECTED, C_FIRERS, C_CELL,
 C_GUN_FIRE, C_GUN_FIRER, C_GUN_MAIN) = range(12)
N_CAUSE = 12
# the columns of each knock-out's figures (``anti_tank_fire``): range, the tank's exposure,
# the kill rate used (tanks/min) and the chance of the knock-out in the pulse
(K_RANGE, K_EXPOSURE, K_RATE, K_CHANCE) = range(4)
N_KNOCK = 4

_U_X, _U_Y, _U_SUP, _U_LAST, _U_AT_FIRED = w.U_X, w.U_Y, w.U_SUPPRESSION, w.U_LAST_FIRE, w.U_AT_FIRED
_U_MEN, _U_MEN_START, _U_SIDE, _U_TYPE = w.U_MEN, w.U_MEN_START, w.U_SIDE, w.U_TYPE
_U_TRAINING, _U_STATE, _U_ENTRENCH, _U_MOVING, _U_HAS_TANKS = w.U_TRAINING, w.U_STATE, w.U_ENTRENCH, w.U_MOVING, w.U_HAS_TANKS
_U_KILLED, _U_WOUNDED, _U_MISSING, _U_PULSE_LOSS = w.U_KILLED, w.U_WOUNDED, w.U_MISSING, w.U_PULSE_LOSS
_ARTILLERY = w.UNIT_TYPES.index("artillery")
_ANTI_TANK = w.UNIT_TYPES.index("anti-tank")
_AIR = w.UNIT_TYPES.index("air")
_BOGGED = w.TANK_STATUS.index("bogged")
_OPERATIONAL = w.TANK_STATUS.index("operational")
_ROUTED = w.STATE_CODE[w.STATES[-1]]
_RETREATING = w.STATE_CODE[w.STATES[-2]]


# the model's own function, compiled (a plain function of numbers)
range_factor = njit(cache=True)(fire.range_factor)
moving_tank_exposure = njit(cache=True)(fire.moving_tank_exposure)


@njit(cache=True)
def _clip01(x):
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


@njit(cache=True)
def _cell(x, y, cell_m, nrows, ncols):
    r = int(floor_div(y, cell_m))
    c = int(floor_div(x, cell_m))
    r = 0 if r < 0 else nrows - 1 if r > nrows - 1 else r
    c = 0 if c < 0 else ncols - 1 if c > ncols - 1 else c
    return r * ncols + c


@njit(cache=True)
def by_rank(rank, n):
    """Return the indices 0..n-1 in the order of their ranks (distinct whole numbers >= 0)."""
    top = 0
    for k in range(n):
        top = max(top, rank[k])
    slot = np.empty(top + 1, dtype=np.int64)
    for r in range(top + 1):
        slot[r] = -1
    for k in range(n):
        slot[rank[k]] = k
    out = np.empty(n, dtype=np.int64)
    m = 0
    for r in range(top + 1):
        if slot[r] >= 0:
            out[m] = slot[r]
            m += 1
    return out


@njit(cache=True)
def id_order(unit_rank, n_units, tank_rank, n_tanks):
    """Return the units and tanks in id order (by their ranks): a unit row, or -1 - a tank row."""
    ranks = np.empty(n_units + n_tanks, dtype=np.int64)
    codes = np.empty(n_units + n_tanks, dtype=np.int64)
    for u in range(n_units):
        ranks[u], codes[u] = unit_rank[u], u
    for t in range(n_tanks):
        ranks[n_units + t], codes[n_units + t] = tank_rank[t], -1 - t
    return codes[by_rank(ranks, n_units + n_tanks)]


@njit(cache=True)
def rows_in_order(order, n_units, n_tanks):
    """Return the unit rows and the tank rows in id order, from :func:`id_order`."""
    units = np.empty(n_units, dtype=np.int64)
    tanks = np.empty(n_tanks, dtype=np.int64)
    nu = nt = 0
    for k in range(n_units + n_tanks):
        c = order[k]
        if c >= 0:
            units[nu] = c
            nu += 1
        else:
            tanks[nt] = -1 - c
            nt += 1
    return units, tanks
