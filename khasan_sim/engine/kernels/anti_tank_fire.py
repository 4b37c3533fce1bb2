"""Anti-tank fire of one combat pulse, compiled (the direct-fire kernel's second part:
kernels/direct_fire.py): each anti-tank weapon picks one of the tanks its unit sees, by
the model's weights, and fires at it until it is knocked out
(:func:`fire.tank_kill_probability`) or the pulse ends, then at the next for the time left.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from khasan_sim.engine import world as w
from khasan_sim.engine.kernels.fire_figures import (
    _ARTILLERY,
    _BOGGED,
    _OPERATIONAL,
    _U_AT_FIRED,
    _U_MEN,
    _U_MEN_START,
    _U_SIDE,
    _U_STATE,
    _U_SUP,
    _U_TRAINING,
    _U_TYPE,
    _U_X,
    _U_Y,
    K_CHANCE,
    K_EXPOSURE,
    K_RANGE,
    K_RATE,
    N_KNOCK,
    P_BOGGED_EXPOSURE,
    P_COMMAND_WEIGHT,
    P_DT,
    P_ELEV_ADV,
    P_MAX_RANGE,
    P_NOW,
    P_TANK_EVASIVE_SPEED,
    P_TANK_MOVING_EXPOSURE,
    P_VIS,
    _cell,
    moving_tank_exposure,
    range_factor,
)
from khasan_sim.engine.kernels.random import uniform
from khasan_sim.engine.kernels.sight import cell_of, line_key, seen_past_recent


@njit(cache=True)
def anti_tank_fire(
    uf, ui, n_units, s_order, tf, ti, n_tanks, t_order, is_target,
    at_counts, at_kills, at_range, veh_exposure, accuracy, fire_factor, pulse,
    elev, cell_m, nrows, ncols,
    s_keys, s_state, width, ground32, surface32, sight_cell_m, observer_h, target_h, g_fire,
):
    """Fire the anti-tank weapons at the tanks their units see; return the knock-outs as
    rows of (tank row, shooting unit row, anti-tank weapon), in the order they happened,
    and their figures (``K_*`` columns: range, exposure, kill rate, chance). *s_order* and
    *t_order* are the unit and the tank rows in id order (:func:`rows_in_order`)."""
    dt = pulse[P_DT]
    max_range = pulse[P_MAX_RANGE]
    vis = pulse[P_VIS]
    now = pulse[P_NOW]
    n_at = at_kills.size
    knocked = np.zeros(n_tanks, dtype=np.bool_)
    knock_outs = np.empty((n_tanks, 3), dtype=np.int64)
    figures = np.empty((n_tanks, N_KNOCK), dtype=np.float64)
    n_ko = 0
    # the tanks that can be fired at are those that could at the pulse's start, but those
    # knocked out in it (in id order, as contiguous arrays for the search)
    f_tank = np.empty(n_tanks, dtype=np.int64)
    f_x = np.empty(n_tanks, dtype=np.float64)
    f_y = np.empty(n_tanks, dtype=np.float64)
    f_side = np.empty(n_tanks, dtype=np.int64)
    n_firing = 0
    for ti_ in range(n_tanks):
        t = t_order[ti_]
        st = ti[t, w.T_STATUS]
        if st == _OPERATIONAL or st == _BOGGED:
            f_tank[n_firing], f_x[n_firing], f_y[n_firing] = t, tf[t, w.T_X], tf[t, w.T_Y]
            f_side[n_firing] = ui[ti[t, w.T_UNIT], _U_SIDE]
            n_firing += 1
    cand = np.empty(n_tanks, dtype=np.int64)
    cand_d = np.empty(n_tanks, dtype=np.float64)
    weight = np.empty(n_tanks, dtype=np.float64)
    exposure_c = np.empty(n_tanks, dtype=np.float64)
    sighted = np.empty(n_tanks, dtype=np.int64)  # -1 not asked yet, 0 unseen, 1 seen
    for si in range(n_units):
        s = s_order[si]
        if not is_target[s] or ui[s, _U_TYPE] == _ARTILLERY or fire_factor[ui[s, _U_STATE]] <= 0:
            continue
        reach = 0.0
        for a in range(n_at):
            if at_counts[s, a] > 0 and at_range[a] > reach:
                reach = at_range[a]
        if reach <= 0.0:
            continue
        reach = min(max_range, reach)
        sx, sy, side = uf[s, _U_X], uf[s, _U_Y], ui[s, _U_SIDE]
        s_cell = cell_of(sx, sy, width)
        # the enemy tanks in reach, with their exposure and their weight as a target (whether
        # the unit sees each is asked only of those drawn: see below)
        nc = 0
        r2 = (reach * (1.0 + 1e-9) + 1e-6) ** 2
        for j in range(n_firing):
            if f_side[j] == side:
                continue
            dx = f_x[j] - sx
            dy = f_y[j] - sy
            if dx * dx + dy * dy > r2:
                continue
            d = math.hypot(dx, dy)
            if d > reach:
                continue
            t = f_tank[j]
            if knocked[t]:
                continue  # knocked out in this pulse by an earlier shooter
            ex = veh_exposure[ti[t, w.T_MODEL]]
            if ti[t, w.T_STATUS] == _BOGGED:
                ex *= pulse[P_BOGGED_EXPOSURE]
            elif ti[t, w.T_MOVING]:
                ex *= moving_tank_exposure(tf[t, w.T_SPEED], pulse[P_TANK_MOVING_EXPOSURE], pulse[P_TANK_EVASIVE_SPEED])
            cand[nc] = t
            cand_d[nc] = d
            exposure_c[nc] = ex
            weight[nc] = ex * (pulse[P_COMMAND_WEIGHT] if ti[t, w.T_COMMAND] else 1.0)
            sighted[nc] = -1  # not asked yet
            nc += 1
        if nc == 0:
            continue
        share = ui[s, _U_MEN] / ui[s, _U_MEN_START] if ui[s, _U_MEN_START] > 0 else 0.0
        e_s = elev[_cell(sx, sy, cell_m, nrows, ncols)]
        acc0 = accuracy[ui[s, _U_TRAINING]]
        sees_none = False
        for a in range(n_at):
            n_guns = at_counts[s, a] * share
            if n_guns <= 0:
                continue
            # the weapons fire through the pulse: they pick one of the tanks their unit
            # sees and fire at it until it is knocked out or the pulse ends, then pick the
            # next for the time left (so a pulse's knock-outs do not depend on its length:
            # a gun is not held to one a pulse). Each pick is a draw among the tanks not
            # yet found unseen and not knocked out, its sight line asked, drawn again if
            # unseen (the same chances as a draw among the seen ones, asking few lines)
            left = dt
            while left > 0.0:
                c = -1
                while True:
                    total = 0.0
                    n_left = 0
                    for q in range(nc):
                        if sighted[q] != 0 and not knocked[cand[q]]:
                            total += weight[q]
                            n_left += 1
                    if n_left == 0:
                        break
                    x = uniform(g_fire) * (total if total > 0 else n_left)
                    pick = -1
                    for q in range(nc):
                        if sighted[q] != 0 and not knocked[cand[q]]:
                            pick = q
                            x -= weight[q] if total > 0 else 1.0
                            if x < 0.0:
                                break
                    if sighted[pick] == -1:  # sight.seen_cells, its table of recent lines read here
                        t = cand[pick]
                        key, h = line_key(s_cell, cell_of(tf[t, w.T_X], tf[t, w.T_Y], width), width)
                        j = 1 + (h & (s_state.size - 2))
                        e = s_state[j]
                        seen = (e & 1) == 1 if e >> 1 == key else seen_past_recent(
                            s_keys, s_state, width, ground32, surface32, sight_cell_m, observer_h, target_h, key, h, j,
                        )
                        sighted[pick] = 1 if seen else 0
                    if sighted[pick] == 1:
                        c = pick
                        break
                if c < 0:
                    sees_none = True  # the unit sees none of them (left standing)
                    break
                t = cand[c]
                rf = range_factor(cand_d[c], at_range[a])
                dh = e_s - elev[_cell(tf[t, w.T_X], tf[t, w.T_Y], cell_m, nrows, ncols)]
                adv = max(0.5, 1.0 + pulse[P_ELEV_ADV] * dh / 100.0)
                rate = at_kills[a] * n_guns * rf * (1.0 - uf[s, _U_SUP]) * fire_factor[ui[s, _U_STATE]]
                r2 = max(0.0, rate * exposure_c[c] * vis * (acc0 * adv))
                pk = 1.0 - math.exp(-r2 * left)
                tf[t, w.T_LAST_FIRE] = now
                uf[s, _U_AT_FIRED] = now  # the shot gives the gun away
                u = uniform(g_fire)
                if u >= pk:
                    break  # not knocked out in the time left
                # knocked out after the exponential's time to a kill, given it fell in the
                # time left (from the same draw: 1 - exp(-r2 * took) = u)
                took = -math.log(1.0 - u) / r2
                left -= took
                knocked[t] = True
                ti[t, w.T_MOVING] = 0
                knock_outs[n_ko, 0] = t
                knock_outs[n_ko, 1] = s
                knock_outs[n_ko, 2] = a
                figures[n_ko, K_RANGE] = cand_d[c]
                figures[n_ko, K_EXPOSURE] = exposure_c[c]
                figures[n_ko, K_RATE] = r2
                figures[n_ko, K_CHANCE] = pk
                n_ko += 1
            if sees_none:
                break
    return knock_outs[:n_ko].copy(), figures[:n_ko].copy()
