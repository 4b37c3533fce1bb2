"""Rounds of one volley on the beaten zone, compiled: men hit, suppression, tanks hit.

The mechanics are :mod:`khasan_sim.model.artillery`'s (the scalar reference): the rounds
spread as a circular normal around the aim point (:func:`share_of_rounds`); a unit whose
centre lies within three spreads of it receives its share; each round kills men in its
lethal area cut by their posture, and by the cover they have taken if they were already
under fire (:func:`taken_cover_factor`; :func:`expected_area_casualties`), suppresses them
(:func:`area_suppression`, less in trenches), and may put a tank in the unit's area out
of action (:func:`point_target_hit_chance`); and which bogged tanks an enemy post sees within reach
of an enemy battery, and the chance of each being hit in the pulse (observed fire: the
draws are the engine's, in Python). Guns hit in a battery are drawn in Python
(their counts are kept by gun type there); the kernel gives the rounds on each battery.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from khasan_sim.engine import world as w
from khasan_sim.engine.kernels.direct_fire import draw_casualties
from khasan_sim.engine.kernels.random import uniform
from khasan_sim.engine.kernels.sight import cell_of, line_key, seen_past_recent
from khasan_sim.model import artillery

# the figures of a volley, in this order in the ``volley`` vector (the five from
# V_MISSING_STEADY on are CombatParams.casualty_figures(), in its order)
(V_ROUNDS, V_X, V_Y, V_RADIUS, V_DISPERSION, V_AREA, V_LETHAL, V_PER_ROUND, V_UNLOCATED, V_COUNTER_BATTERY,
 V_TANK_AREA, V_TANK_KILL, V_NOW, V_MISSING_STEADY, V_MISSING_ROUTED, V_MAX_LOSS, V_KILLED_SOVIET,
 V_KILLED_JAPANESE, V_SIDE, V_COVER_WITHIN, V_COVER_SHARE) = range(21)
N_VOLLEY = 21

_AIR = w.UNIT_TYPES.index("air")
_ARTILLERY = w.UNIT_TYPES.index("artillery")
_ANTI_AIRCRAFT = w.UNIT_TYPES.index("anti-aircraft")
_OPERATIONAL = w.TANK_STATUS.index("operational")
_BOGGED = w.TANK_STATUS.index("bogged")
_RETREATING = w.STATE_CODE[w.STATES[3]]
_ROUTED = w.STATE_CODE[w.STATES[4]]


# the columns of a volley's figures for each unit that lost men, and each tank put out of
# action (returned by ``beaten_zone`` for the events' causes)
(H_DISTANCE, H_ROUNDS, H_POSTURE, H_EXPECTED, H_CHANCE) = range(5)
N_HIT = 5
(KT_DISTANCE, KT_ROUNDS, KT_CHANCE) = range(3)
N_KNOCK = 3

# the model's own functions, compiled (plain functions of numbers)
share_of_rounds = njit(cache=True)(artillery.share_of_rounds)
point_target_hit_chance = njit(cache=True)(artillery.point_target_hit_chance)
taken_cover_factor = njit(cache=True)(artillery.taken_cover_factor)


@njit(cache=True)
def beaten_zone(uf, ui, order, tf, ti, n_tanks, tank_order, posture, cover, volley, g):
    """Apply one volley to the units of the other side in the beaten zone, in id order
    (*order*: the ground units' rows in id order; *tank_order*: the tank rows in id order;
    *posture*, *cover*: the lethality and suppression factors by entrenchment).

    Returns ``(hit_rows, losses, battery_rows, battery_rounds, knocked_tanks, hit_figures,
    knock_figures)``: the rows that lost men with their (killed, wounded, missing); the
    batteries (artillery and anti-aircraft) the rounds fell on, with the rounds on each;
    the tanks put out of action, in that order; each hit row's figures (``H_*`` columns: distance from the aiming point,
    rounds on the unit, posture factor, expected casualties, chance of a man being hit);
    and each knock-out's (``KT_*``: distance, rounds on the tank, chance of the kill).
    (:func:`beaten_zone_into` on arrays of its own, cut to what it wrote.)
    """
    n, n_t = order.size, max(n_tanks, 1)
    hits_i = np.zeros((n, 4), dtype=np.int64)
    hits_f = np.zeros((n, N_HIT), dtype=np.float64)
    bats_i = np.zeros(n, dtype=np.int64)
    bats_f = np.zeros(n, dtype=np.float64)
    knocks_i = np.zeros(n_t, dtype=np.int64)
    knocks_f = np.zeros((n_t, N_KNOCK), dtype=np.float64)
    n_hit, n_bat, n_ko = beaten_zone_into(
        uf, ui, order, tf, ti, n_tanks, tank_order, posture, cover, volley, g, hits_i, hits_f, bats_i, bats_f, knocks_i, knocks_f,
    )
    return (hits_i[:n_hit, 0].copy(), hits_i[:n_hit, 1:].copy(), bats_i[:n_bat].copy(), bats_f[:n_bat].copy(),
            knocks_i[:n_ko].copy(), hits_f[:n_hit].copy(), knocks_f[:n_ko].copy())


@njit(cache=True)
def beaten_zone_into(uf, ui, order, tf, ti, n_tanks, tank_order, posture, cover, volley, g, hits_i, hits_f, bats_i, bats_f, knocks_i, knocks_f):
    """Apply one volley to the units of the other side in the beaten zone, in id order
    (*order*: the ground units' rows in id order; *tank_order*: the tank rows in id order;
    *posture*, *cover*: the lethality and suppression factors by entrenchment), writing
    what it did into the caller's arrays; return ``(n_hit, n_battery, n_knock_out)``.

    Row k < n_hit of *hits_i* is (unit row, killed, wounded, missing) of a unit that lost
    men and of *hits_f* its figures (``H_*`` columns: distance from the aiming point,
    rounds on the unit, posture factor, expected casualties, chance of a man being hit);
    *bats_i* and *bats_f* the batteries (artillery and anti-aircraft) the rounds fell on
    and the rounds on each; *knocks_i* and *knocks_f* the tanks put out of action and
    their figures (``KT_*``: distance, rounds on the tank, chance of the kill); each in
    id order. The unit arrays have a row for each of *order*, the tank arrays one for
    each tank. It allocates nothing (no arrays to hand back to Python, no reference
    counting): a volley is called about a thousand times a run.
    """
    rounds = volley[V_ROUNDS]
    x0, y0 = volley[V_X], volley[V_Y]
    radius, dispersion, area = volley[V_RADIUS], volley[V_DISPERSION], volley[V_AREA]
    reach = math.hypot(radius, dispersion) * 3.0
    side = int(volley[V_SIDE])
    now = volley[V_NOW]
    n = order.size
    n_hit = 0
    n_bat = 0
    n_ko = 0
    for k in range(n):
        v = order[k]
        if ui[v, w.U_SIDE] == side or ui[v, w.U_TYPE] == _AIR:
            continue
        men = ui[v, w.U_MEN]
        has_tanks = ui[v, w.U_HAS_TANKS] != 0
        if men <= 0 and not has_tanks:
            continue
        d = math.hypot(uf[v, w.U_X] - x0, uf[v, w.U_Y] - y0)
        if d > reach:
            continue
        share = share_of_rounds(d, radius, dispersion, area)
        if volley[V_COUNTER_BATTERY] > 0 and ui[v, w.U_TYPE] == _ARTILLERY and ui[v, w.U_LOCATED] == 0:
            share *= volley[V_UNLOCATED]
        on_unit = rounds * share
        if on_unit <= 0:
            continue
        if men > 0 and not has_tanks:
            pf = taken_cover_factor(posture[ui[v, w.U_ENTRENCH]], ui[v, w.U_MOVING] != 0, now - uf[v, w.U_LAST_FIRE],
                                    volley[V_COVER_WITHIN], volley[V_COVER_SHARE])
            coverage = max(0.0, on_unit) * volley[V_LETHAL] * pf / area if area > 0 else 0.0
            expected = men * -math.expm1(-coverage) if area > 0 else 0.0
            if expected > 0:
                st = ui[v, w.U_STATE]
                miss = volley[V_MISSING_ROUTED] if st == _ROUTED or st == _RETREATING else volley[V_MISSING_STEADY]
                kf = volley[V_KILLED_SOVIET] if ui[v, w.U_SIDE] == 0 else volley[V_KILLED_JAPANESE]
                kk, wd, m = draw_casualties(men, expected, kf, miss, volley[V_MAX_LOSS], g)
                total = kk + wd + m
                if total > 0:
                    ui[v, w.U_MEN] -= total
                    ui[v, w.U_KILLED] += kk
                    ui[v, w.U_WOUNDED] += wd
                    ui[v, w.U_MISSING] += m
                    ui[v, w.U_PULSE_LOSS] += total
                    hits_i[n_hit, 0], hits_i[n_hit, 1], hits_i[n_hit, 2], hits_i[n_hit, 3] = v, kk, wd, m
                    hits_f[n_hit, H_DISTANCE], hits_f[n_hit, H_ROUNDS], hits_f[n_hit, H_POSTURE] = d, on_unit, pf
                    hits_f[n_hit, H_EXPECTED], hits_f[n_hit, H_CHANCE] = expected, 1.0 - math.exp(-expected / men)
                    n_hit += 1
            added = 1.0 - math.exp(-max(on_unit, 0.0) * volley[V_PER_ROUND] * cover[ui[v, w.U_ENTRENCH]])
            s = uf[v, w.U_SUPPRESSION]
            s = 0.0 if s < 0.0 else 1.0 if s > 1.0 else s
            a = 0.0 if added < 0.0 else 1.0 if added > 1.0 else added
            s2 = 1.0 - (1.0 - s) * (1.0 - a)
            uf[v, w.U_SUPPRESSION] = 0.0 if s2 < 0.0 else 1.0 if s2 > 1.0 else s2
            uf[v, w.U_LAST_FIRE] = now
        if ui[v, w.U_TYPE] == _ARTILLERY or ui[v, w.U_TYPE] == _ANTI_AIRCRAFT:  # units with guns to hit
            bats_i[n_bat] = v
            bats_f[n_bat] = on_unit
            n_bat += 1
        if has_tanks:
            for j in range(n_tanks):
                t = tank_order[j]
                st = ti[t, w.T_STATUS]
                if ti[t, w.T_UNIT] != v or not (st == _OPERATIONAL or st == _BOGGED):
                    continue
                dt_ = math.hypot(tf[t, w.T_X] - x0, tf[t, w.T_Y] - y0)
                if dt_ > reach:
                    continue
                on_t = rounds * share_of_rounds(dt_, radius, dispersion, area)
                p_kill = point_target_hit_chance(on_t, volley[V_TANK_AREA], area, volley[V_TANK_KILL])
                tf[t, w.T_LAST_FIRE] = now
                if uniform(g) < p_kill:
                    knocks_i[n_ko] = t
                    knocks_f[n_ko, KT_DISTANCE], knocks_f[n_ko, KT_ROUNDS], knocks_f[n_ko, KT_CHANCE] = dt_, on_t, p_kill
                    n_ko += 1
    return n_hit, n_bat, n_ko


@njit(cache=True)
def bogged_tanks(ti, tank_order):
    """Return the rows of the bogged tanks, in the order of *tank_order* (their id order)."""
    out = np.empty(tank_order.size, dtype=np.int64)
    return out[: bogged_tanks_into(ti, tank_order, out)]


@njit(cache=True)
def bogged_tanks_into(ti, tank_order, out):
    """Write :func:`bogged_tanks` into *out* (at least ``tank_order.size`` long); return how many."""
    m = 0
    for k in range(tank_order.size):
        t = tank_order[k]
        if ti[t, w.T_STATUS] == _BOGGED:
            out[m] = t
            m += 1
    return m


@njit(cache=True)
def observed_fire_into(
    uf, ui, order, tf, ti, tank_order, reach, see_m,
    s_keys, s_state, width, ground32, surface32, sight_cell_m, observer_h, target_h,
    stuck, seen_by, battery, seen_d,
):
    """:func:`bogged_tanks` then :func:`spotted_tanks` for them, in one call and written
    into the caller's arrays (each at least ``tank_order.size`` long); return how many
    tanks are stuck."""
    n_s = bogged_tanks_into(ti, tank_order, stuck)
    if n_s > 0:
        spotted_tanks_into(
            uf, ui, order, tf, ti, stuck, n_s, reach, see_m,
            s_keys, s_state, width, ground32, surface32, sight_cell_m, observer_h, target_h, seen_by, battery, seen_d,
            np.empty((4, order.size), dtype=np.int64),
        )
    return n_s


# the figures of observed fire, in this order in the ``fire`` vector: now, the kill rate
# close up (an hour), the observer's distance that halves it, the command tank's weight,
# the pulse (minutes) and the power of the distance (2.0, given: the rate's square is
# libm's pow, as the engine's Python worked it out)
(OF_NOW, OF_RATE_H, OF_HALF_M, OF_COMMAND_WEIGHT, OF_DT, OF_POWER) = range(6)
N_OF = 6


@njit(cache=True)
def observed_fire_chances_into(
    uf, ui, order, tf, ti, tank_order, reach, see_m,
    s_keys, s_state, width, ground32, surface32, sight_cell_m, observer_h, target_h,
    fire, stuck, seen_by, battery, seen_d, chance,
):
    """:func:`observed_fire_pulse_into` with a work array of its own and no draws (draws of
    1.0, which hit nothing); return ``(n_stuck, n_seen)``."""
    n_s, m, _ = observed_fire_pulse_into(
        uf, ui, order, tf, ti, tank_order, reach, see_m,
        s_keys, s_state, width, ground32, surface32, sight_cell_m, observer_h, target_h,
        fire, stuck, seen_by, battery, seen_d, chance, np.empty((4, order.size), dtype=np.int64),
        np.ones((ti.shape[0], 1)), np.zeros(ti.shape[0], dtype=np.int64), np.empty(stuck.size, dtype=np.int64),
    )
    return n_s, m


@njit(cache=True)
def observed_fire_pulse_into(
    uf, ui, order, tf, ti, tank_order, reach, see_m,
    s_keys, s_state, width, ground32, surface32, sight_cell_m, observer_h, target_h,
    fire, stuck, seen_by, battery, seen_d, chance, sides, draws, used, hit_at,
):
    """:func:`observed_fire_into`, then for each stuck tank that an enemy post sees within
    reach of an enemy battery (in id order): its time under fire set to now, its chance
    of being put out of action in the pulse, and the draw that says whether it is; return
    ``(n_stuck, n_seen, n_hit)``.

    The chance is ``1 - exp(-rate * dt / 60)``: the rate close up (``OF_RATE_H`` an hour)
    times ``1 / (1 + (d / OF_HALF_M) ** 2)``, d the distance from the nearest post that
    sees the tank, and times ``OF_COMMAND_WEIGHT`` for a command tank (*fire*: the
    ``OF_*`` figures). The first *n_seen* places of *stuck*, *battery*, *seen_d* and
    *chance* hold the tanks seen, their battery, the distance and the chance (*seen_by*
    is left as :func:`observed_fire_into` wrote it, for all the stuck tanks). *sides* is
    :func:`spotted_tanks_into`'s work array, the caller's (kept from pulse to pulse: the
    kernel allocates nothing).

    Each seen tank's draw is the next of its row of *draws*, uniforms the caller drew
    ahead from the tank's own numpy stream (``used[t]`` of row t are spent; the caller
    sees that each stuck tank has one left): a tank is hit when its draw is below its
    chance, and the places (among the first *n_seen*) of the tanks hit are written into
    *hit_at*, in id order.
    """
    n_s = bogged_tanks_into(ti, tank_order, stuck)
    if n_s == 0:
        return 0, 0, 0
    spotted_tanks_into(
        uf, ui, order, tf, ti, stuck, n_s, reach, see_m,
        s_keys, s_state, width, ground32, surface32, sight_cell_m, observer_h, target_h, seen_by, battery, seen_d, sides,
    )
    now, rate_h, half_m, power = fire[OF_NOW], fire[OF_RATE_H], fire[OF_HALF_M], fire[OF_POWER]
    m = 0
    n_hit = 0
    for k in range(n_s):
        if not seen_by[k]:
            continue
        t = stuck[k]
        d = seen_d[k]
        tf[t, w.T_LAST_FIRE] = now
        rate = rate_h / (1.0 + (d / half_m) ** power)
        if ti[t, w.T_COMMAND]:
            rate *= fire[OF_COMMAND_WEIGHT]
        stuck[m], battery[m], seen_d[m] = t, battery[k], d
        p = -math.expm1(-rate * fire[OF_DT] / 60.0)
        chance[m] = p
        u = draws[t, used[t]]
        used[t] += 1
        if u < p:
            hit_at[n_hit] = m
            n_hit += 1
        m += 1
    return n_s, m, n_hit


@njit(cache=True)
def spotted_tanks(uf, ui, order, tf, ti, stuck, reach, see_m, s_keys, s_state, width, ground32, surface32, sight_cell_m, observer_h, target_h):
    """For each stuck tank (rows, in id order), whether one of the three nearest enemy
    observation posts within *see_m* sees it, and the first enemy battery (by id) whose
    guns reach it (-1 if none): the two conditions of observed fire; and the distance
    from the nearest post that sees it to the tank (0 where none sees it).

    *order*: the ground units' rows in id order; posts are those with men that are not
    falling back; batteries those with men, rounds left and guns that reach (*reach*: the
    reach of each row's guns, 0 for none). Ties among equally near posts go to the first
    by id.
    """
    n_s = stuck.size
    seen_by = np.zeros(n_s, dtype=np.bool_)
    seen_d = np.zeros(n_s, dtype=np.float64)
    battery = np.full(n_s, -1, dtype=np.int64)
    spotted_tanks_into(
        uf, ui, order, tf, ti, stuck, n_s, reach, see_m,
        s_keys, s_state, width, ground32, surface32, sight_cell_m, observer_h, target_h, seen_by, battery, seen_d,
        np.empty((4, order.size), dtype=np.int64),
    )
    return seen_by, battery, seen_d


@njit(cache=True)
def spotted_tanks_into(
    uf, ui, order, tf, ti, stuck, n_s, reach, see_m,
    s_keys, s_state, width, ground32, surface32, sight_cell_m, observer_h, target_h, seen_by, battery, seen_d, sides,
):
    """:func:`spotted_tanks` for the first *n_s* rows of *stuck*, written into the first
    *n_s* places of *seen_by*, *battery* and *seen_d*; *sides* (int64, 4 rows of at
    least ``order.size``) is its work array: each side's batteries (rows 0 and 1) and
    posts (rows 2 and 3).

    It allocates nothing and calls out only when a sight line is not in the table of
    recent lines (:func:`~khasan_sim.engine.kernels.sight.seen_cells` written out, as
    the direct-fire kernel does: each array handed to an inlined function costs two
    atomic operations on its reference count); the three nearest posts are kept in
    scalars.
    """
    for k in range(n_s):
        seen_by[k] = False
        seen_d[k] = 0.0
        battery[k] = -1
    # each side's batteries and posts, in id order, found once for all the stuck tanks (a
    # tank's are the other side's: there are two sides)
    n_batteries_0 = n_batteries_1 = n_posts_0 = n_posts_1 = 0
    for j in range(order.size):
        v = order[j]
        if ui[v, w.U_MEN] <= 0:
            continue
        s = ui[v, w.U_SIDE]
        ammo = ui[v, w.U_AMMO]
        if reach[v] > 0.0 and (ammo == w.NO_AMMUNITION_LIMIT or ammo > 0):
            if s == 0:
                sides[0, n_batteries_0] = v
                n_batteries_0 += 1
            else:
                sides[1, n_batteries_1] = v
                n_batteries_1 += 1
        st = ui[v, w.U_STATE]
        if ui[v, w.U_TYPE] != _AIR and st != _RETREATING and st != _ROUTED:
            if s == 0:
                sides[2, n_posts_0] = v
                n_posts_0 += 1
            else:
                sides[3, n_posts_1] = v
                n_posts_1 += 1
    # squared distances pass over what lies beyond reach or sight, with a margin: the
    # distance itself is math.hypot's, as the reference's
    see2 = (see_m * (1.0 + 1e-9) + 1e-6) ** 2
    recent = s_state.size - 2  # the mask of the table of recent lines (seen_cells)
    for k in range(n_s):
        t = stuck[k]
        enemy = 1 - ui[ti[t, w.T_UNIT], w.U_SIDE]
        x, y = tf[t, w.T_X], tf[t, w.T_Y]
        for j in range(n_batteries_0 if enemy == 0 else n_batteries_1):
            b = sides[enemy, j]
            dx, dy = uf[b, w.U_X] - x, uf[b, w.U_Y] - y
            if dx * dx + dy * dy > (reach[b] * (1.0 + 1e-9) + 1e-6) ** 2:
                continue
            if math.hypot(dx, dy) <= reach[b]:
                battery[k] = b
                break
        if battery[k] < 0:
            continue
        t_cell = cell_of(x, y, width)
        # the three nearest posts, nearest first, the first by id among equals (posts come
        # in id order): (d0, u0), (d1, u1), (d2, u2), the first n_near of them
        n_near = 0
        d0 = d1 = d2 = 0.0
        u0 = u1 = u2 = -1
        for j in range(n_posts_0 if enemy == 0 else n_posts_1):
            v = sides[2 + enemy, j]
            dx, dy = uf[v, w.U_X] - x, uf[v, w.U_Y] - y
            if dx * dx + dy * dy > see2:
                continue
            d = math.hypot(dx, dy)
            if d > see_m:
                continue
            # its place: after those no farther than it
            if n_near >= 1 and d0 <= d:
                if n_near >= 2 and d1 <= d:
                    if n_near >= 3 and d2 <= d:
                        continue  # not among the three nearest
                    d2, u2 = d, v
                else:
                    d2, u2 = d1, u1
                    d1, u1 = d, v
            else:
                d2, u2 = d1, u1
                d1, u1 = d0, u0
                d0, u0 = d, v
            n_near = min(n_near + 1, 3)
        for q in range(n_near):
            v = u0 if q == 0 else u1 if q == 1 else u2
            key, h = line_key(cell_of(uf[v, w.U_X], uf[v, w.U_Y], width), t_cell, width)
            slot = 1 + (h & recent)
            e = s_state[slot]
            if (e & 1) == 1 if e >> 1 == key else seen_past_recent(
                s_keys, s_state, width, ground32, surface32, sight_cell_m, observer_h, target_h, key, h, slot,
            ):
                seen_by[k] = True
                seen_d[k] = d0 if q == 0 else d1 if q == 1 else d2
                break
