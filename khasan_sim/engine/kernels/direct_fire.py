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
  and fire at it until it is knocked out (:func:`fire.tank_kill_probability`) or the
  pulse ends, then at the next for the time left (a pulse's knock-outs do not depend on
  its length);
- each target's expected casualties, added in the firers' id order, are drawn as men hit
  (:func:`fire.draw_casualties`) and add suppression (:func:`fire.suppression_from_fire`).

The kernel writes men, losses, suppression and the time last under fire into the world
tables and returns what Python turns into events (and the knock-outs, which Python carries
out: crews, command, repairs). The anti-tank fire is in kernels/anti_tank_fire.py, the
figures both read in kernels/fire_figures.py; the engine hands the pulse its arguments
in one structure made once (kernels/direct_fire_args.py: :func:`direct_fire_pulse`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from khasan_sim.engine import world as w
from khasan_sim.engine.kernels.anti_tank_fire import anti_tank_fire
from khasan_sim.engine.kernels.by_x import first_at_least, sort_by_x, strip_m
from khasan_sim.engine.kernels.direct_fire_args import direct_fire_args
from khasan_sim.engine.kernels.fire_figures import (
    _AIR,
    _ANTI_TANK,
    _ARTILLERY,
    _BOGGED,
    _OPERATIONAL,
    _RETREATING,
    _ROUTED,
    _U_AT_FIRED,
    _U_ENTRENCH,
    _U_HAS_TANKS,
    _U_KILLED,
    _U_LAST,
    _U_MEN,
    _U_MEN_START,
    _U_MISSING,
    _U_MOVING,
    _U_PULSE_LOSS,
    _U_SIDE,
    _U_STATE,
    _U_SUP,
    _U_TRAINING,
    _U_TYPE,
    _U_WOUNDED,
    _U_X,
    _U_Y,
    C_CELL,
    C_EXPECTED,
    C_EXPOSURE,
    C_FIRER,
    C_FIRERS,
    C_GUN_FIRE,
    C_GUN_FIRER,
    C_GUN_MAIN,
    C_MAIN_EXPECTED,
    C_RANGE,
    C_SUPPRESSION,
    C_WEAPON,
    K_CHANCE,
    K_EXPOSURE,
    K_RANGE,
    K_RATE,
    N_CAUSE,
    N_KNOCK,
    N_PULSE,
    P_BOGGED_EXPOSURE,
    P_CLOSE_EXPOSURE,
    P_CLOSE_M,
    P_COMMAND_WEIGHT,
    P_DT,
    P_ELEV_ADV,
    P_KILLED_JAPANESE,
    P_KILLED_SOVIET,
    P_MAX_LOSS,
    P_MAX_RANGE,
    P_MISSING_ROUTED,
    P_MISSING_STEADY,
    P_MOVING_EXPOSURE,
    P_NOW,
    P_REVEALED_MIN,
    P_TANK_EVASIVE_SPEED,
    P_TANK_MOVING_EXPOSURE,
    P_TANK_MOVING_FIRE,
    P_VIS,
    _cell,
    _clip01,
    by_rank,
    id_order,
    moving_tank_exposure,
    range_factor,
    rows_in_order,
)
from khasan_sim.engine.kernels.random import binomial
from khasan_sim.engine.kernels.sight import cell_of, line_key, seen_past_recent

# what other modules read from here: the figures' places and the id order (defined in
# kernels/fire_figures.py, shared with kernels/anti_tank_fire.py) and the kernels
__all__ = [
    "C_CELL",
    "C_EXPECTED",
    "C_EXPOSURE",
    "C_FIRER",
    "C_FIRERS",
    "C_GUN_FIRE",
    "C_GUN_FIRER",
    "C_GUN_MAIN",
    "C_MAIN_EXPECTED",
    "C_RANGE",
    "C_SUPPRESSION",
    "C_WEAPON",
    "K_CHANCE",
    "K_EXPOSURE",
    "K_RANGE",
    "K_RATE",
    "N_CAUSE",
    "N_KNOCK",
    "N_PULSE",
    "P_BOGGED_EXPOSURE",
    "P_CLOSE_EXPOSURE",
    "P_CLOSE_M",
    "P_COMMAND_WEIGHT",
    "P_DT",
    "P_ELEV_ADV",
    "P_KILLED_JAPANESE",
    "P_KILLED_SOVIET",
    "P_MAX_LOSS",
    "P_MAX_RANGE",
    "P_MISSING_ROUTED",
    "P_MISSING_STEADY",
    "P_MOVING_EXPOSURE",
    "P_NOW",
    "P_REVEALED_MIN",
    "P_TANK_EVASIVE_SPEED",
    "P_TANK_MOVING_EXPOSURE",
    "P_TANK_MOVING_FIRE",
    "P_VIS",
    "aimed_fire",
    "anti_tank_fire",
    "by_rank",
    "direct_fire",
    "direct_fire_pulse",
    "draw_casualties",
    "draw_hits",
    "id_order",
    "moving_tank_exposure",
    "range_factor",
    "rows_in_order",
]


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
    s_keys, s_state, width, ground32, surface32, sight_cell_m, observer_h, target_h, order, by_x,
):
    """Return the expected casualties of the pulse's aimed fire on each unit row, which rows
    are targets (ground units with men and no tanks), and each row's cause (``C_*``
    columns: the firer that added most to its expected casualties, and the figures used).
    *order* is :func:`id_order`; *by_x* the unit rows in some order (kernels/by_x.py:
    sorted by x here, each firer looks at the enemies in its strip of x).

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
    # -- the firers: units and tanks, each with its reach, in id order
    n_f = 0
    f_unit = np.empty(n_units + n_tanks, dtype=np.int64)  # unit row, or -1 - tank row
    f_reach = np.empty(n_units + n_tanks, dtype=np.float64)
    for k in range(n_units + n_tanks):
        fu = order[k]
        if fu >= 0:
            if is_target[fu] and ui[fu, _U_TYPE] != _ARTILLERY and fire_factor[ui[fu, _U_STATE]] > 0:
                f_unit[n_f] = fu
                f_reach[n_f] = max_range
                n_f += 1
        else:
            t = -1 - fu
            st = ti[t, w.T_STATUS]
            if (st == _OPERATIONAL or st == _BOGGED) and ui[ti[t, w.T_UNIT], _U_STATE] != _ROUTED:
                f_unit[n_f] = fu
                f_reach[n_f] = min(max_range, veh_range[ti[t, w.T_MODEL]])
                n_f += 1

    # the targets of each side by x, as contiguous arrays for the search
    sort_by_x(uf, by_x, n_units)
    tx = np.empty((2, n_units), dtype=np.float64)
    ty = np.empty((2, n_units), dtype=np.float64)
    t_row = np.empty((2, n_units), dtype=np.int64)
    n_side = np.zeros(2, dtype=np.int64)
    sight_cell = np.empty(n_units, dtype=np.int64)  # each target's 50 m cell, for its sight lines
    for k in range(n_units):
        v = by_x[k]
        if is_target[v]:
            sight_cell[v] = cell_of(uf[v, _U_X], uf[v, _U_Y], width)
            sd = ui[v, _U_SIDE]
            j = n_side[sd]
            tx[sd, j], ty[sd, j], t_row[sd, j] = uf[v, _U_X], uf[v, _U_Y], v
            n_side[sd] = j + 1
    cand = np.empty(n_units, dtype=np.int64)
    cand_d = np.empty(n_units, dtype=np.float64)
    passed = np.zeros(n_units, dtype=np.bool_)  # candidates found unseen

    expected = np.zeros(n_units, dtype=np.float64)
    cause = np.zeros((n_units, N_CAUSE), dtype=np.float64)
    for k in range(n_f):
        fu = f_unit[k]
        if fu >= 0:
            fx, fy, side = uf[fu, _U_X], uf[fu, _U_Y], ui[fu, _U_SIDE]
        else:
            t = -1 - fu
            fx, fy, side = tf[t, w.T_X], tf[t, w.T_Y], ui[ti[t, w.T_UNIT], _U_SIDE]
        reach = f_reach[k]
        r2 = (reach * (1.0 + 1e-9) + 1e-6) ** 2  # squared distances pick the candidates, with a margin
        # the enemy targets in reach, among those in the firer's strip of x (in the order
        # of x: the choice below does not depend on the candidates' order)
        # (the arrays indexed in place: a view of a row is one more reference to count)
        en = 1 - side
        n_en = n_side[en]
        strip = strip_m(reach)
        hi = fx + strip
        nc = 0
        for j in range(first_at_least(tx, en, n_en, fx - strip), n_en):
            if not tx[en, j] <= hi:
                break  # the rest lie farther east (or have no x)
            dx = tx[en, j] - fx
            dy = ty[en, j] - fy
            if dx * dx + dy * dy > r2:
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
def draw_hits(uf, ui, n_units, s_order, is_target, expected, cause, pulse, g_casualties, hits_i, hits_f):
    """Draw the men hit on each target (in id order: *s_order*, the unit rows so), write
    them and the suppression the fire adds; write the rows hit (or whose guns were fired
    on: ``cause[v, C_GUN_FIRE]`` > 0) into *hits_i* and *hits_f* (:func:`direct_fire_pulse`:
    the row, its killed, wounded and missing; its *cause* row, then its chance of a man
    being hit, ``1 - exp(-expected / men)``, the men before the fire) and return how many."""
    now = pulse[P_NOW]
    n_hit = 0
    for vi in range(n_units):
        v = s_order[vi]
        e = expected[v]
        gun_fire = cause[v, C_GUN_FIRE]
        if (e <= 0.0 and gun_fire <= 0.0) or not is_target[v]:
            continue
        st = ui[v, _U_STATE]
        miss = pulse[P_MISSING_ROUTED] if st == _ROUTED or st == _RETREATING else pulse[P_MISSING_STEADY]
        kf = pulse[P_KILLED_SOVIET] if ui[v, _U_SIDE] == 0 else pulse[P_KILLED_JAPANESE]
        men = ui[v, _U_MEN]
        k, wd, m = draw_casualties(men, e, kf, miss, pulse[P_MAX_LOSS], g_casualties)
        total = k + wd + m
        if total > 0 or gun_fire > 0.0:
            hits_f[n_hit, N_CAUSE] = 1.0 - math.exp(-e / men)
            ui[v, _U_MEN] -= total
            ui[v, _U_KILLED] += k
            ui[v, _U_WOUNDED] += wd
            ui[v, _U_MISSING] += m
            ui[v, _U_PULSE_LOSS] += total
            hits_i[n_hit, 0] = v
            hits_i[n_hit, 1] = k
            hits_i[n_hit, 2] = wd
            hits_i[n_hit, 3] = m
            for j in range(N_CAUSE):
                hits_f[n_hit, j] = cause[v, j]
            n_hit += 1
    for v in range(n_units):
        e = expected[v]
        if e <= 0.0 or not is_target[v]:
            continue
        men = max(ui[v, _U_MEN], 1)
        added = 1.0 - math.exp(-8.0 * e / men)
        uf[v, _U_SUP] = _clip01(1.0 - (1.0 - _clip01(uf[v, _U_SUP])) * (1.0 - _clip01(added)))
        uf[v, _U_LAST] = now
    return n_hit


@njit(cache=True)
def direct_fire(
    uf, ui, n_units, unit_rank, tf, ti, n_tanks, tank_rank,
    kill_counts, kill_per_min, kill_range, at_counts, at_kills, at_range,
    veh_range, veh_kills, veh_exposure, veh_gun_kills, accuracy, entrench_exposure, fire_factor, pulse,
    elev, ground_exposure, cell_m, nrows, ncols,
    s_keys, s_state, width, ground32, surface32, sight_cell_m, observer_h, target_h, order, by_x,
    g,
):
    """Resolve one pulse of direct fire (see the module's docstring). *order* is
    :func:`id_order` of the units and tanks; *by_x* the unit rows in some order, kept by
    the caller (kernels/by_x.py).

    Returns ``(hit_rows, losses, knock_outs, hit_causes, p_hit, knock_figures)``: the unit
    rows that lost men or whose guns tanks fired on, in id order, with their killed, wounded and missing (an (n, 3)
    array); the tanks knocked out, in the order they were hit, as rows of (tank row,
    shooting unit row, anti-tank weapon); the cause of each row's losses (``C_*`` columns),
    the chance of each of its men being hit, and each knock-out's figures (``K_*``).
    (:func:`direct_fire_pulse`, which the engine calls, its results handed back as arrays.)
    """
    hits_i = np.empty((n_units, 4), dtype=np.int64)
    hits_f = np.empty((n_units, N_CAUSE + 1), dtype=np.float64)
    knocks_i = np.empty((n_tanks, 3), dtype=np.int64)
    knocks_f = np.empty((n_tanks, N_KNOCK), dtype=np.float64)
    n_hit, n_ko, _ = direct_fire_pulse(direct_fire_args(
        uf, ui, n_units, unit_rank, tf, ti, n_tanks, tank_rank,
        kill_counts, kill_per_min, kill_range, at_counts, at_kills, at_range,
        veh_range, veh_kills, veh_exposure, veh_gun_kills, accuracy, entrench_exposure, fire_factor, pulse,
        elev, ground_exposure, cell_m, nrows, ncols,
        s_keys, s_state, width, ground32, surface32, sight_cell_m, observer_h, target_h, order, by_x,
        g, hits_i, hits_f, knocks_i, knocks_f,
    ))
    return (hits_i[:n_hit, 0].copy(), hits_i[:n_hit, 1:].copy(), knocks_i[:n_ko].copy(),
            hits_f[:n_hit, :N_CAUSE].copy(), hits_f[:n_hit, N_CAUSE].copy(), knocks_f[:n_ko].copy())


@njit(cache=True)
def direct_fire_pulse(a):
    """:func:`direct_fire` on the arguments *a* holds (a
    :class:`~khasan_sim.engine.kernels.direct_fire_args.DirectFireArgs`, made once and
    kept: one argument to unbox a call from Python instead of 42), its results written
    into the arrays *a* holds (no arrays to hand back to Python, most pulses hit nothing);
    return ``(n_hit, n_knock_out, half_full)``, *half_full* True when the sight lines'
    cache is half full or more (then :meth:`SightLines.keep_room` has work to do; it has
    none otherwise).

    Row k < n_hit of ``a.hits_i`` is (unit row, killed, wounded, missing) and of
    ``a.hits_f`` its cause (``C_*`` columns) then the chance of each man being hit (column
    ``N_CAUSE``); row k < n_knock_out of ``a.knocks_i`` is (tank row, shooting unit row,
    anti-tank weapon) and of ``a.knocks_f`` its figures (``K_*``). The arrays have a row
    for each unit (tank) row of the tables.

    (The arrays are taken out of *a* once, here: numba counts a reference to an array each
    time a function is handed it, two atomic operations, so the mechanics are called from
    this one level.)
    """
    uf, ui, n_units, unit_rank, tf, ti, n_tanks = a.uf, a.ui, a.n_units, a.unit_rank, a.tf, a.ti, a.n_tanks
    pulse, elev, cell_m, nrows, ncols = a.pulse, a.elev, a.cell_m, a.nrows, a.ncols
    accuracy, fire_factor, order, g = a.accuracy, a.fire_factor, a.order, a.g
    s_keys, s_state, width, ground32, surface32 = a.s_keys, a.s_state, a.width, a.ground32, a.surface32
    sight_cell_m, observer_h, target_h = a.sight_cell_m, a.observer_h, a.target_h
    expected, is_target, cause = aimed_fire(
        uf, ui, n_units, unit_rank, tf, ti, n_tanks, a.tank_rank, a.kill_counts, a.kill_per_min, a.kill_range,
        a.veh_range, a.veh_kills, a.veh_gun_kills, accuracy, a.entrench_exposure, fire_factor, pulse, elev, a.ground_exposure,
        cell_m, nrows, ncols, s_keys, s_state, width, ground32, surface32, sight_cell_m, observer_h, target_h, order, a.by_x,
    )
    s_order, t_order = rows_in_order(order, n_units, n_tanks)
    knock_outs, knock_figures = anti_tank_fire(
        uf, ui, n_units, s_order, tf, ti, n_tanks, t_order, is_target, a.at_counts, a.at_kills, a.at_range,
        a.veh_exposure, accuracy, fire_factor, pulse, elev, cell_m, nrows, ncols,
        s_keys, s_state, width, ground32, surface32, sight_cell_m, observer_h, target_h, g,
    )
    n_hit = draw_hits(uf, ui, n_units, s_order, is_target, expected, cause, pulse, g, a.hits_i, a.hits_f)
    knocks_i, knocks_f = a.knocks_i, a.knocks_f
    n_ko = knock_outs.shape[0]
    for k in range(n_ko):
        for j in range(3):
            knocks_i[k, j] = knock_outs[k, j]
        for j in range(N_KNOCK):
            knocks_f[k, j] = knock_figures[k, j]
    return n_hit, n_ko, 2 * s_state[0] >= s_keys.size
