"""Direct fire of one combat pulse, compiled: who fires at whom, what it does, the draws.

The mechanics are those of :mod:`khasan_sim.model.fire` (the scalar reference):

- every unit that can fire (on the ground, not artillery, not routed) and every tank that
  can (operational or bogged, its battalion not routed) engages its nearest enemy in
  range that it can see; within close-assault range men find each other without a clear
  sight line. Ties go to the target first in id order;
- a unit fires its weapons that kill men, each by its range, with the share of them that
  faces the target (:func:`fire.frontage_share`) and its morale state's share of fire; a
  tank fires its gun and machine guns; height gives an advantage, the target's ground,
  entrenchment and movement expose it (:func:`fire.expected_casualties`);
- anti-tank weapons pick, each, one of the tanks their unit can see, conspicuous command
  tanks and stationary (bogged) ones weighted, a moving one by its speed (a tank crawling
  through swamp is laid on almost as one standing: :func:`fire.moving_tank_exposure`),
  and may knock it out (:func:`fire.tank_kill_probability`);
- each target's expected casualties, added in the firers' id order, are drawn as men hit
  (:func:`fire.draw_casualties`) and add suppression (:func:`fire.suppression_from_fire`).

The kernel writes men, losses, suppression and the time last under fire into the world
tables and returns what Python turns into events (and the knock-outs, which Python carries
out: crews, command, repairs).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from khasan_sim.engine import world as w
from khasan_sim.engine.kernels.cells import floor_div
from khasan_sim.engine.kernels.random import binomial, uniform
from khasan_sim.engine.kernels.sight import cell_of, line_key, seen_past_recent
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
def draw_casualties(men, expected, killed_fraction, missing_fraction, max_loss_fraction, state):
    """fire.draw_casualties: (killed, wounded, missing) from Binomial(men, 1 - exp(-expected/men))
    (draws from kernels/random.py)."""
    if men <= 0 or expected <= 0.0:
        return 0, 0, 0
    p = 1.0 - math.exp(-expected / men)
    hit = binomial(men, _clip01(p), state)
    cap = math.ceil(max_loss_fraction * men)
    hit = min(hit, cap, men)
    if hit <= 0:
        return 0, 0, 0
    missing = binomial(hit, _clip01(missing_fraction), state)
    rest = hit - missing
    killed = binomial(rest, _clip01(killed_fraction), state)
    return killed, rest - killed, missing


@njit(cache=True)
def aimed_fire(
    uf, ui, n_units, unit_rank, tf, ti, n_tanks, tank_rank,
    kill_counts, kill_per_min, kill_range, veh_range, veh_kills, veh_gun_kills,
    accuracy, entrench_exposure, fire_factor, pulse,
    elev, ground_exposure, cell_m, nrows, ncols,
    s_keys, s_state, width, ground32, surface32, sight_cell_m, observer_h, target_h,
):
    """Return the expected casualties of the pulse's aimed fire on each unit row, which rows
    are targets (ground units with men and no tanks), and each row's cause (``C_*``
    columns: the firer that added most to its expected casualties, and the figures used).

    A tank whose target is an anti-tank position fires its gun at the gun pits too: the
    guns it is expected to hit add up in column ``C_GUN_FIRE``, by the same range, height,
    training, suppression, light and exposure of the target's ground and entrenchment as
    its fire on the men, at the model's rate ``veh_gun_kills`` (guns a minute)."""
    dt = pulse[P_DT]
    max_range = pulse[P_MAX_RANGE]
    vis = pulse[P_VIS]
    close_m = pulse[P_CLOSE_M]
    now = pulse[P_NOW]
    revealed_min = pulse[P_REVEALED_MIN]
    n_kill = kill_per_min.size
    # -- the targets: ground units with men and no tanks
    is_target = np.zeros(n_units, dtype=np.bool_)
    for u in range(n_units):
        is_target[u] = ui[u, _U_MEN] > 0 and ui[u, _U_HAS_TANKS] == 0 and ui[u, _U_TYPE] != _AIR
    # -- the firers: units and tanks, each with its reach; order by id rank
    n_f = 0
    f_unit = np.empty(n_units + n_tanks, dtype=np.int64)  # unit row, or -1 - tank row
    f_rank = np.empty(n_units + n_tanks, dtype=np.int64)
    f_reach = np.empty(n_units + n_tanks, dtype=np.float64)
    for u in range(n_units):
        if is_target[u] and ui[u, _U_TYPE] != _ARTILLERY and fire_factor[ui[u, _U_STATE]] > 0:
            f_unit[n_f] = u
            f_rank[n_f] = unit_rank[u]
            f_reach[n_f] = max_range
            n_f += 1
    for t in range(n_tanks):
        st = ti[t, w.T_STATUS]
        if (st == _OPERATIONAL or st == _BOGGED) and ui[ti[t, w.T_UNIT], _U_STATE] != _ROUTED:
            f_unit[n_f] = -1 - t
            f_rank[n_f] = tank_rank[t]
            f_reach[n_f] = min(max_range, veh_range[ti[t, w.T_MODEL]])
            n_f += 1
    order = by_rank(f_rank, n_f)

    # the targets of each side, as contiguous arrays for the search
    tx = np.empty((2, n_units), dtype=np.float64)
    ty = np.empty((2, n_units), dtype=np.float64)
    t_row = np.empty((2, n_units), dtype=np.int64)
    n_side = np.zeros(2, dtype=np.int64)
    sight_cell = np.empty(n_units, dtype=np.int64)  # each target's 50 m cell, for its sight lines
    for v in range(n_units):
        if is_target[v]:
            sight_cell[v] = cell_of(uf[v, _U_X], uf[v, _U_Y], width)
            sd = ui[v, _U_SIDE]
            j = n_side[sd]
            tx[sd, j], ty[sd, j], t_row[sd, j] = uf[v, _U_X], uf[v, _U_Y], v
            n_side[sd] = j + 1
    cand = np.empty(n_units, dtype=np.int64)
    cand_d = np.empty(n_units, dtype=np.float64)
    passed = np.zeros(n_units, dtype=np.bool_)  # candidates found unseen
    d2 = np.empty(n_units, dtype=np.float64)

    expected = np.zeros(n_units, dtype=np.float64)
    cause = np.zeros((n_units, N_CAUSE), dtype=np.float64)
    for oi in range(n_f):
        k = order[oi]
        fu = f_unit[k]
        if fu >= 0:
            fx, fy, side = uf[fu, _U_X], uf[fu, _U_Y], ui[fu, _U_SIDE]
        else:
            t = -1 - fu
            fx, fy, side = tf[t, w.T_X], tf[t, w.T_Y], ui[ti[t, w.T_UNIT], _U_SIDE]
        reach = f_reach[k]
        r2 = (reach * (1.0 + 1e-9) + 1e-6) ** 2  # squared distances pick the candidates, with a margin
        # the enemy targets in reach (the arrays indexed in place: a view of a row would be
        # one more reference to count, two atomic operations a firer)
        en = 1 - side
        n_en = n_side[en]
        for j in range(n_en):
            dx = tx[en, j] - fx
            dy = ty[en, j] - fy
            d2[j] = dx * dx + dy * dy
        nc = 0
        for j in range(n_en):
            if d2[j] > r2:
                continue
            d = math.hypot(tx[en, j] - fx, ty[en, j] - fy)
            if d <= reach:
                cand[nc] = t_row[en, j]
                cand_d[nc] = d
                nc += 1
        if nc == 0:
            continue  # no enemy in reach
        f_cell = cell_of(fx, fy, width)  # the firer's 50 m cell, for its sight lines
        # the nearest of them seen (or within close-assault range), ties by id rank: take
        # the nearest left, ask its sight line, and go on to the next only if it is unseen
        # (the order of a sort by (distance, rank), without sorting: most firers see the first)
        for q in range(nc):
            passed[q] = False
        best = -1
        best_d = 0.0
        # a tank looks first among the anti-tank guns that gave themselves away by firing at
        # tanks lately (their flash and dust: phase 0), then among all (phase 1); the ones
        # found unseen stay passed over
        phase = 0 if fu < 0 and revealed_min > 0.0 else 1
        while phase < 2:
            m = -1
            for q in range(nc):
                if passed[q] or (phase == 0 and now - uf[cand[q], _U_AT_FIRED] > revealed_min):
                    continue
                if m < 0 or cand_d[q] < cand_d[m] or (cand_d[q] == cand_d[m] and unit_rank[cand[q]] < unit_rank[cand[m]]):
                    m = q
            if m < 0:
                phase += 1
                continue
            v = cand[m]
            d = cand_d[m]
            seen = d <= close_m
            if not seen:  # sight.seen_cells, its table of recent lines read here
                key, h = line_key(f_cell, sight_cell[v], width)
                j = 1 + (h & (s_state.size - 2))
                e = s_state[j]
                seen = (e & 1) == 1 if e >> 1 == key else seen_past_recent(
                    s_keys, s_state, width, ground32, surface32, sight_cell_m, observer_h, target_h, key, h, j,
                )
            if seen:
                best, best_d = v, d
                break
            passed[m] = True
        if best < 0:
            continue
        v = best
        d = best_d
        if fu >= 0:
            share = ui[fu, _U_MEN] / ui[fu, _U_MEN_START] if ui[fu, _U_MEN_START] > 0 else 0.0
            volume = 0.0
            weapon = -1.0
            top = 0.0
            for kw in range(n_kill):
                n = kill_counts[fu, kw] * share
                if n > 0 and kill_per_min[kw] > 0:
                    part = n * kill_per_min[kw] * range_factor(d, kill_range[kw])
                    volume += part
                    if part > top:
                        top, weapon = part, kw
            sm, tm = ui[fu, _U_MEN], ui[v, _U_MEN]
            front = 0.0 if sm <= 0 or tm <= 0 else min(1.0, (tm / sm) ** 0.5)
            volume = volume * fire_factor[ui[fu, _U_STATE]] * front
            shooter = fu
        else:
            t = -1 - fu
            model = ti[t, w.T_MODEL]
            rf = range_factor(d, veh_range[model])
            if ti[t, w.T_MOVING]:
                rf *= pulse[P_TANK_MOVING_FIRE]  # its unstabilised gun fired on the move
            volume = veh_kills[model] * rf
            shooter = ti[t, w.T_UNIT]
            weapon = -1.0 - model
        at_f = _cell(fx, fy, cell_m, nrows, ncols)
        at_t = _cell(uf[v, _U_X], uf[v, _U_Y], cell_m, nrows, ncols)
        adv = max(0.5, 1.0 + pulse[P_ELEV_ADV] * (elev[at_f] - elev[at_t]) / 100.0)
        ent = entrench_exposure[ui[v, _U_ENTRENCH]]
        if d <= close_m:
            ent = max(ent, pulse[P_CLOSE_EXPOSURE])
        exposure = ground_exposure[at_t] * ent
        if ui[v, _U_MOVING]:
            exposure *= pulse[P_MOVING_EXPOSURE]
        s = _clip01(uf[shooter, _U_SUP])
        acc = accuracy[ui[shooter, _U_TRAINING]] * adv
        add = max(0.0, volume * dt * acc * (1.0 - s) * vis * exposure)
        expected[v] += add
        if fu < 0 and ui[v, _U_TYPE] == _ANTI_TANK:
            gun_add = max(0.0, veh_gun_kills[model] * rf * dt * acc * (1.0 - s) * vis * exposure)
            if gun_add > 0.0:
                cause[v, C_GUN_FIRE] += gun_add
                if gun_add > cause[v, C_GUN_MAIN]:
                    cause[v, C_GUN_MAIN] = gun_add
                    cause[v, C_GUN_FIRER] = fu
        if add > 0.0:
            cause[v, C_EXPECTED] += add
            cause[v, C_FIRERS] += 1.0
            if add > cause[v, C_MAIN_EXPECTED]:
                cause[v, C_FIRER] = fu
                cause[v, C_WEAPON] = weapon
                cause[v, C_RANGE] = d
                cause[v, C_EXPOSURE] = exposure
                cause[v, C_SUPPRESSION] = s
                cause[v, C_MAIN_EXPECTED] = add
                cause[v, C_CELL] = at_t
    return expected, is_target, cause


@njit(cache=True)
def anti_tank_fire(
    uf, ui, n_units, unit_rank, tf, ti, n_tanks, tank_rank, is_target,
    at_counts, at_kills, at_range, veh_exposure, accuracy, fire_factor, pulse,
    elev, cell_m, nrows, ncols,
    s_keys, s_state, width, ground32, surface32, sight_cell_m, observer_h, target_h, g_fire,
):
    """Fire the anti-tank weapons at the tanks their units see; return the knock-outs as
    rows of (tank row, shooting unit row, anti-tank weapon), in the order they happened,
    and their figures (``K_*`` columns: range, exposure, kill rate, chance)."""
    dt = pulse[P_DT]
    max_range = pulse[P_MAX_RANGE]
    vis = pulse[P_VIS]
    now = pulse[P_NOW]
    n_at = at_kills.size
    knocked = np.zeros(n_tanks, dtype=np.bool_)
    knock_outs = np.empty((n_tanks, 3), dtype=np.int64)
    figures = np.empty((n_tanks, N_KNOCK), dtype=np.float64)
    n_ko = 0
    s_order = by_rank(unit_rank, n_units)
    t_order = by_rank(tank_rank, n_tanks)
    # the tanks that can be fired at are those that could at the pulse's start: one
    # knocked out by an earlier shooter may still be chosen, and the shot is then lost
    # (in id order, as contiguous arrays for the search)
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
            ex = veh_exposure[ti[t, w.T_MODEL]]
            if knocked[t]:
                pass  # knocked out this pulse: no longer bogged or moving
            elif ti[t, w.T_STATUS] == _BOGGED:
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
        for a in range(n_at):
            n_guns = at_counts[s, a] * share
            if n_guns <= 0:
                continue
            # each weapon picks one of the tanks its unit sees, by weight: a draw among the
            # tanks not yet found unseen, its sight line asked, and drawn again if unseen
            # (the same chances as a draw among the seen ones, asking few sight lines)
            c = -1
            while True:
                total = 0.0
                left = 0
                for q in range(nc):
                    if sighted[q] != 0:
                        total += weight[q]
                        left += 1
                if left == 0:
                    break
                x = uniform(g_fire) * (total if total > 0 else left)
                pick = -1
                for q in range(nc):
                    if sighted[q] != 0:
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
                break  # the unit sees none of them
            t = cand[c]
            if knocked[t]:
                continue
            rf = range_factor(cand_d[c], at_range[a])
            dh = e_s - elev[_cell(tf[t, w.T_X], tf[t, w.T_Y], cell_m, nrows, ncols)]
            adv = max(0.5, 1.0 + pulse[P_ELEV_ADV] * dh / 100.0)
            rate = at_kills[a] * n_guns * rf * (1.0 - uf[s, _U_SUP]) * fire_factor[ui[s, _U_STATE]]
            r2 = max(0.0, rate * exposure_c[c] * vis * (acc0 * adv))
            pk = 1.0 - math.exp(-r2 * dt)
            tf[t, w.T_LAST_FIRE] = now
            uf[s, _U_AT_FIRED] = now  # the shot gives the gun away
            if uniform(g_fire) < pk:
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
    return knock_outs[:n_ko].copy(), figures[:n_ko].copy()


@njit(cache=True)
def draw_hits(uf, ui, n_units, unit_rank, is_target, expected, gun_fire, pulse, g_casualties):
    """Draw the men hit on each target (in id order), write them and the suppression the
    fire adds; return the rows hit (or whose guns were fired on: *gun_fire* > 0), their
    (killed, wounded, missing) and each one's chance of a man being hit
    (``1 - exp(-expected / men)``, the men before the fire)."""
    now = pulse[P_NOW]
    s_order = by_rank(unit_rank, n_units)
    hit_rows = np.empty(n_units, dtype=np.int64)
    losses = np.zeros((n_units, 3), dtype=np.int64)
    p_hit = np.empty(n_units, dtype=np.float64)
    n_hit = 0
    for vi in range(n_units):
        v = s_order[vi]
        e = expected[v]
        if (e <= 0.0 and gun_fire[v] <= 0.0) or not is_target[v]:
            continue
        st = ui[v, _U_STATE]
        miss = pulse[P_MISSING_ROUTED] if st == _ROUTED or st == _RETREATING else pulse[P_MISSING_STEADY]
        kf = pulse[P_KILLED_SOVIET] if ui[v, _U_SIDE] == 0 else pulse[P_KILLED_JAPANESE]
        men = ui[v, _U_MEN]
        k, wd, m = draw_casualties(men, e, kf, miss, pulse[P_MAX_LOSS], g_casualties)
        total = k + wd + m
        if total > 0 or gun_fire[v] > 0.0:
            p_hit[n_hit] = 1.0 - math.exp(-e / men)
            ui[v, _U_MEN] -= total
            ui[v, _U_KILLED] += k
            ui[v, _U_WOUNDED] += wd
            ui[v, _U_MISSING] += m
            ui[v, _U_PULSE_LOSS] += total
            hit_rows[n_hit] = v
            losses[n_hit, 0] = k
            losses[n_hit, 1] = wd
            losses[n_hit, 2] = m
            n_hit += 1
    for v in range(n_units):
        e = expected[v]
        if e <= 0.0 or not is_target[v]:
            continue
        men = max(ui[v, _U_MEN], 1)
        added = 1.0 - math.exp(-8.0 * e / men)
        uf[v, _U_SUP] = _clip01(1.0 - (1.0 - _clip01(uf[v, _U_SUP])) * (1.0 - _clip01(added)))
        uf[v, _U_LAST] = now
    return hit_rows[:n_hit].copy(), losses[:n_hit].copy(), p_hit[:n_hit].copy()


@njit(cache=True)
def direct_fire(
    uf, ui, n_units, unit_rank, tf, ti, n_tanks, tank_rank,
    kill_counts, kill_per_min, kill_range, at_counts, at_kills, at_range,
    veh_range, veh_kills, veh_exposure, veh_gun_kills, accuracy, entrench_exposure, fire_factor, pulse,
    elev, ground_exposure, cell_m, nrows, ncols,
    s_keys, s_state, width, ground32, surface32, sight_cell_m, observer_h, target_h,
    g,
):
    """Resolve one pulse of direct fire (see the module's docstring).

    Returns ``(hit_rows, losses, knock_outs, hit_causes, p_hit, knock_figures)``: the unit
    rows that lost men or whose guns tanks fired on, in id order, with their killed, wounded and missing (an (n, 3)
    array); the tanks knocked out, in the order they were hit, as rows of (tank row,
    shooting unit row, anti-tank weapon); the cause of each row's losses (``C_*`` columns),
    the chance of each of its men being hit, and each knock-out's figures (``K_*``).
    """
    expected, is_target, cause = aimed_fire(
        uf, ui, n_units, unit_rank, tf, ti, n_tanks, tank_rank, kill_counts, kill_per_min, kill_range,
        veh_range, veh_kills, veh_gun_kills, accuracy, entrench_exposure, fire_factor, pulse, elev, ground_exposure,
        cell_m, nrows, ncols, s_keys, s_state, width, ground32, surface32, sight_cell_m, observer_h, target_h,
    )
    knock_outs, knock_figures = anti_tank_fire(
        uf, ui, n_units, unit_rank, tf, ti, n_tanks, tank_rank, is_target, at_counts, at_kills, at_range,
        veh_exposure, accuracy, fire_factor, pulse, elev, cell_m, nrows, ncols,
        s_keys, s_state, width, ground32, surface32, sight_cell_m, observer_h, target_h, g,
    )
    hit_rows, losses, p_hit = draw_hits(uf, ui, n_units, unit_rank, is_target, expected, cause[:, C_GUN_FIRE], pulse, g)
    return hit_rows, losses, knock_outs, cause[hit_rows], p_hit, knock_figures


@njit(cache=True)
def direct_fire_into(
    uf, ui, n_units, unit_rank, tf, ti, n_tanks, tank_rank,
    kill_counts, kill_per_min, kill_range, at_counts, at_kills, at_range,
    veh_range, veh_kills, veh_exposure, veh_gun_kills, accuracy, entrench_exposure, fire_factor, pulse,
    elev, ground_exposure, cell_m, nrows, ncols,
    s_keys, s_state, width, ground32, surface32, sight_cell_m, observer_h, target_h,
    g, hits_i, hits_f, knocks_i, knocks_f,
):
    """:func:`direct_fire`, its results written into the caller's arrays (no arrays to hand
    back to Python, most pulses hit nothing); return ``(n_hit, n_knock_out)``.

    Row k < n_hit of *hits_i* is (unit row, killed, wounded, missing) and of *hits_f* its
    cause (``C_*`` columns) then the chance of each man being hit (column ``N_CAUSE``);
    row k < n_knock_out of *knocks_i* is (tank row, shooting unit row, anti-tank weapon)
    and of *knocks_f* its figures (``K_*``). The arrays have a row for each unit (tank)
    row of the tables.
    """
    hit_rows, losses, knock_outs, causes, p_hit, knock_figures = direct_fire(
        uf, ui, n_units, unit_rank, tf, ti, n_tanks, tank_rank,
        kill_counts, kill_per_min, kill_range, at_counts, at_kills, at_range,
        veh_range, veh_kills, veh_exposure, veh_gun_kills, accuracy, entrench_exposure, fire_factor, pulse,
        elev, ground_exposure, cell_m, nrows, ncols,
        s_keys, s_state, width, ground32, surface32, sight_cell_m, observer_h, target_h, g,
    )
    n_hit = hit_rows.size
    for k in range(n_hit):
        hits_i[k, 0] = hit_rows[k]
        for j in range(3):
            hits_i[k, 1 + j] = losses[k, j]
        for j in range(N_CAUSE):
            hits_f[k, j] = causes[k, j]
        hits_f[k, N_CAUSE] = p_hit[k]
    n_ko = knock_outs.shape[0]
    for k in range(n_ko):
        for j in range(3):
            knocks_i[k, j] = knock_outs[k, j]
        for j in range(N_KNOCK):
            knocks_f[k, j] = knock_figures[k, j]
    return n_hit, n_ko
