"""Morale of one combat pulse, compiled: each unit's new morale, state and suppression.

The mechanics are :func:`khasan_sim.model.morale.morale_after`, :func:`morale_state` and
:func:`decay_suppression` (the scalar reference), unit by unit in id order. A unit whose
state changes is handed back to Python, which settles it (the event, a retreat that shakes
its neighbours, a rally that resumes a deferred order); the kernel is then called again
from the next unit, so those after a retreat are worked out from their new shocks.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from khasan_sim.engine import world as w
from khasan_sim.engine.kernels.by_x import sort_by_x, strip_m
from khasan_sim.engine.kernels.movement import halted_under_fire_into

# the figures of the pulse, in this order in the ``pulse`` vector
(M_DT, M_NIGHT, M_NOW, M_REST_AFTER, M_HALF_LIFE, M_LOSS_WEIGHT, M_SUPPRESSION_WEIGHT, M_NIGHT_DRIFT,
 M_RECOVERY) = range(9)
N_MORALE = 9

# the ``out`` vector of settle_morale: the changed unit's new morale, decayed suppression and
# state, then what made its morale (the morale it had, each term's change to it: losses,
# suppression, the pulse's shocks, night and rest; the loss share, the suppression and
# the men lost)
(O_MORALE, O_DECAYED, O_STATE, O_BEFORE, O_LOSSES, O_SUPPRESSION, O_SHOCKS, O_NIGHT, O_REST,
 O_LOSS_SHARE, O_SUPPRESSION_LEVEL, O_MEN_LOST) = range(12)
N_OUT = 12

# the figures of falling back further, in this order in the ``fall_back`` vector: the
# enemy's direct-fire reach, a bound back, the least distance from home to go home, and
# the map's last metre east and north (a goal is kept on the map)
(F_REACH, F_LEG, F_HOME_MIN, F_RIGHT, F_TOP) = range(5)
N_FALL_BACK = 5
# how far apart (metres) a distance and a threshold must be for the kernel's test to
# settle it: the kernel's distances may differ from Python's in the last bits
_MARGIN_M = 1e-6

_PINNED = w.STATE_CODE[w.STATES[1]]
_SHAKEN = w.STATE_CODE[w.STATES[2]]
_RETREATING = w.STATE_CODE[w.STATES[3]]
_ROUTED = w.STATE_CODE[w.STATES[4]]
_STEADY = w.STATE_CODE[w.STATES[0]]
_AIR = w.UNIT_TYPES.index("air")


@njit(cache=True)
def _clip01(x):
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


# the least subnormal double: a suppression decayed this far stays there for good (its
# product with the pulse's decay rounds back to it), and arithmetic on subnormals is some
# fifty times slower than on other numbers, so settle_morale works its terms out once a call
_LEAST = 5e-324
_NORMAL_MIN = 2.2250738585072014e-308  # the least normal double
_FAR_ABOVE = 2.0 ** -900  # a morale this high or higher is left as it is by a subnormal wear


@njit(cache=True)
def morale_after(m, loss_share, wear, h, night, shocks, resting, baseline, floor,
                 loss_weight, night_drift, recovery):
    """model.morale.morale_after for one unit (*wear*: the suppression's wear of the pulse,
    ``suppression_weight * clip01(suppression) * h``, worked out by the caller; h: the
    pulse in hours; the rates of the pulse vector's ``M_LOSS_WEIGHT``, ``M_NIGHT_DRIFT``,
    ``M_RECOVERY``). Return the new morale and each term's change to it: losses,
    suppression, shocks, night and rest (numbers only: an array handed to a function
    called for every unit is one more reference to count)."""
    loss = loss_weight * max(loss_share, 0.0)
    m -= loss
    worn = m
    if m > floor:
        # a subnormal wear is less than half a unit in the last place of a morale of at
        # least 2**-900: the difference is the morale itself (not worked out slowly)
        m = max(floor, m if (abs(wear) < _NORMAL_MIN and m >= _FAR_ABOVE) else m - wear)
    worn -= m
    m -= shocks
    drift = 0.0
    if night:
        drift = night_drift * h
        m -= drift
    rested = m
    if resting and m < baseline:
        m = min(baseline, m + recovery * h)
    return _clip01(m), -loss, -worn, -shocks, -drift, m - rested


@njit(cache=True)
def morale_state(m, suppression, previous, shaken, retreat, rout, pin, rally, pressed):
    """model.morale.morale_state for one unit, as a state code."""
    if m < retreat and not pressed and previous != _RETREATING and previous != _ROUTED:
        return _SHAKEN
    if m < rout:
        return _ROUTED
    if m < retreat:
        return _RETREATING
    if (previous == _RETREATING or previous == _ROUTED) and m < retreat + rally:
        return _RETREATING
    if m < shaken:
        return _SHAKEN
    if suppression >= pin:
        return _PINNED
    return _STEADY


@njit(cache=True)
def settle_morale(uf, ui, order, start, loss_sensitivity, pulse, out):
    """Settle the morale of the units in *order* from position *start* on.

    Each unit's morale, state and suppression are written back, and its pulse losses and
    shocks cleared, until one whose state changes: its position in *order* is returned,
    with its new morale and decayed suppression in ``out[O_MORALE]``, ``out[O_DECAYED]``,
    its new state in ``out[O_STATE]`` and the terms of its morale in the rest of *out*
    (``N_OUT`` long; nothing of the unit written); -1 when none changes.
    """
    h = pulse[M_DT] / 60.0
    decay = 0.5 ** (pulse[M_DT] / pulse[M_HALF_LIFE]) if pulse[M_DT] > 0 else 1.0
    night = pulse[M_NIGHT] > 0
    loss_weight, suppression_weight = pulse[M_LOSS_WEIGHT], pulse[M_SUPPRESSION_WEIGHT]
    night_drift, recovery = pulse[M_NIGHT_DRIFT], pulse[M_RECOVERY]
    # the wear and the decayed suppression of a unit whose suppression is the least
    # subnormal, worked out once (the same products as for any other unit)
    least_wear = suppression_weight * _clip01(_LEAST) * h
    least_decayed = _clip01(_LEAST * decay) if pulse[M_DT] > 0 else _clip01(_LEAST)
    for p in range(start, order.size):
        u = order[p]
        men = ui[u, w.U_MEN]
        if ui[u, w.U_TYPE] == _AIR or (men <= 0 and ui[u, w.U_HAS_TANKS] == 0):
            continue
        lost = ui[u, w.U_PULSE_LOSS]
        before = men + lost
        share = (lost / before if before > 0 else 0.0) * loss_sensitivity[ui[u, w.U_TRAINING]]
        s = uf[u, w.U_SUPPRESSION]
        least = s == _LEAST
        wear = least_wear if least else suppression_weight * _clip01(s) * h
        resting = pulse[M_NOW] - uf[u, w.U_LAST_FIRE] >= pulse[M_REST_AFTER]
        m, d_losses, d_suppression, d_shocks, d_night, d_rest = morale_after(
            uf[u, w.U_MORALE], share, wear, h, night, uf[u, w.U_SHOCKS], resting, uf[u, w.U_MORALE_START], uf[u, w.U_SHAKEN],
            loss_weight, night_drift, recovery,
        )
        # pressed: the enemy's action touched it this pulse (men lost, a shock, pinned by fire)
        pressed = lost > 0 or uf[u, w.U_SHOCKS] > 0.0 or s >= uf[u, w.U_PIN]
        new = morale_state(m, s, ui[u, w.U_STATE], uf[u, w.U_SHAKEN], uf[u, w.U_RETREAT], uf[u, w.U_ROUT],
                           uf[u, w.U_PIN], uf[u, w.U_RALLY], pressed)
        decayed = least_decayed if least else _clip01(s * decay) if pulse[M_DT] > 0 else _clip01(s)
        if new != ui[u, w.U_STATE]:
            # its terms written (for the event's causes)
            out[O_BEFORE] = uf[u, w.U_MORALE]
            out[O_LOSSES] = d_losses
            out[O_SUPPRESSION] = d_suppression
            out[O_SHOCKS] = d_shocks
            out[O_NIGHT] = d_night
            out[O_REST] = d_rest
            out[O_MORALE] = m
            out[O_DECAYED] = decayed
            out[O_STATE] = new
            out[O_LOSS_SHARE] = share
            out[O_SUPPRESSION_LEVEL] = s
            out[O_MEN_LOST] = lost
            return p
        uf[u, w.U_MORALE] = m
        ui[u, w.U_PULSE_LOSS] = 0
        uf[u, w.U_SHOCKS] = 0.0
        if s != 0.0:
            uf[u, w.U_SUPPRESSION] = decayed
    return -1


@njit(cache=True)
def close_quarters(uf, ui, n_units, holding_type, reach_m, shock_per_hour=0.0, reference_ratio=2.0, minutes=0.0):
    """Return, for each unit row with men on the ground, its own side's men within
    close-assault range (itself included) and the enemy's men in good order there (units
    of a type that holds ground, not falling back); and whether any enemies stand that
    close to each other at all. Rows without men get 0 and 0.

    With *shock_per_hour* > 0 it also wears the morale of each unit whose position the
    enemy has broken into in strength, as :func:`khasan_sim.model.morale.penetration_shock`
    (added to the unit's shocks of the pulse)."""
    own = np.zeros(n_units, dtype=np.float64)
    enemy = np.zeros(n_units, dtype=np.float64)
    by_x = np.arange(n_units)
    anywhere = close_quarters_into(uf, ui, n_units, holding_type, reach_m, shock_per_hour, reference_ratio, minutes, own, enemy, by_x)
    return own, enemy, anywhere


@njit(cache=True)
def close_quarters_into(uf, ui, n_units, holding_type, reach_m, shock_per_hour, reference_ratio, minutes, own, enemy, by_x):
    """:func:`close_quarters`, its sums written into the caller's *own* and *enemy* (rows
    0 .. *n_units* - 1, set to 0 first; no arrays to hand back to Python); return whether
    any enemies stand that close to each other.

    *by_x* holds the unit rows 0 .. *n_units* - 1 in some order (the engine keeps it from
    pulse to pulse: kernels/by_x.py); they are sorted by x here, so that each unit is set
    only against the units in the strip of x within reach of it."""
    for a in range(n_units):
        own[a] = 0.0
        enemy[a] = 0.0
    sort_by_x(uf, by_x, n_units)
    r2 = reach_m * reach_m
    strip = strip_m(reach_m)  # beyond it in x, surely beyond reach
    anywhere = False
    # the units with men on the ground, by x, as contiguous arrays; each pair is looked at
    # once (the distance is the same both ways, and the sums are of whole men: exact in
    # any order)
    rows = np.empty(n_units, dtype=np.int64)
    xs = np.empty(n_units, dtype=np.float64)
    ys = np.empty(n_units, dtype=np.float64)
    sides = np.empty(n_units, dtype=np.int64)
    men = np.empty(n_units, dtype=np.float64)
    holds = np.empty(n_units, dtype=np.bool_)  # in good order to hold ground: counted as the enemy's
    m = 0
    for k in range(n_units):
        a = by_x[k]
        if ui[a, w.U_MEN] <= 0 or ui[a, w.U_TYPE] == _AIR:
            continue
        st = ui[a, w.U_STATE]
        rows[m], xs[m], ys[m], sides[m], men[m] = a, uf[a, w.U_X], uf[a, w.U_Y], ui[a, w.U_SIDE], ui[a, w.U_MEN]
        holds[m] = holding_type[ui[a, w.U_TYPE]] and st != _RETREATING and st != _ROUTED
        if xs[m] != xs[m]:
            strip = math.inf  # an x that is not a number sorts nowhere: every pair is looked at
        m += 1
    for p in range(m):
        own[rows[p]] += men[p]  # itself
        ax, ay, side = xs[p], ys[p], sides[p]
        for q in range(p + 1, m):
            dx = ax - xs[q]
            if -dx > strip:
                break  # this one and the rest lie farther east than reach
            dy = ay - ys[q]
            if dx * dx + dy * dy > r2:
                continue
            if sides[q] == side:
                own[rows[p]] += men[q]
                own[rows[q]] += men[p]
            else:
                anywhere = True
                if holds[q]:
                    enemy[rows[p]] += men[q]
                if holds[p]:
                    enemy[rows[q]] += men[p]
    if shock_per_hour > 0.0 and anywhere:
        span = max(reference_ratio - 1.0, 1e-9)
        for a in range(n_units):
            if ui[a, w.U_MEN] <= 0 or ui[a, w.U_TYPE] == _AIR:
                continue
            ratio = enemy[a] / max(own[a], 1.0)
            shock = shock_per_hour * minutes / 60.0 * max((ratio - 1.0) / span, 0.0)
            if shock > 0.0:
                uf[a, w.U_SHOCKS] += shock
    return anywhere


@njit(cache=True)
def close_quarters_and_morale(
    uf, ui, n_units, holding_type, reach_m, shock_per_hour, reference_ratio, minutes, own, enemy, by_x,
    order, loss_sensitivity, pulse, out,
):
    """:func:`close_quarters_into` (the penetration of *minutes* worn when *shock_per_hour*
    > 0), then :func:`settle_morale` from the first unit of *order*: one call for the two
    kernels of the pulse's morale. Return whether any enemies stand within *reach_m* of
    each other, and settle_morale's answer."""
    anywhere = close_quarters_into(
        uf, ui, n_units, holding_type, reach_m, shock_per_hour if minutes > 0 else 0.0, reference_ratio, minutes, own, enemy, by_x,
    )
    return anywhere, settle_morale(uf, ui, order, 0, loss_sensitivity, pulse, out)


@njit(cache=True)
def _nearest(uf, ui, rows, side, x, y):
    """Return the distance from (x, y) to the nearest enemy of *side* with men among
    *rows* (infinity if none), and the first of them at it (-1 if none)."""
    near = math.inf
    first = -1
    for k in range(rows.size):
        e = rows[k]
        if ui[e, w.U_SIDE] == side or ui[e, w.U_MEN] <= 0:
            continue
        d = math.hypot(uf[e, w.U_X] - x, uf[e, w.U_Y] - y)
        if first < 0 or d < near:
            near, first = d, e
    return near, first


@njit(cache=True)
def may_fall_back_further(uf, ui, rows, r, fall_back):
    """Return False if unit row *r* (falling back, halted under fire) surely stays where it
    is: the test of ``MoraleSystem._fall_back_further`` (the nearest enemy of *rows*, the
    ground units in id order, within reach; the goal of :func:`movement.fall_back_point`
    kept on the map, farther from every enemy by more than a metre), worked out here with
    a margin. True when the unit goes, or when a distance lies too near a threshold (or
    two enemies too near the same distance) to tell: Python then decides, exactly."""
    side = ui[r, w.U_SIDE]
    x, y = uf[r, w.U_X], uf[r, w.U_Y]
    here, first = _nearest(uf, ui, rows, side, x, y)
    if first < 0 or here > fall_back[F_REACH] + _MARGIN_M:
        return False
    if here < 1.0 + _MARGIN_M:
        return True  # an enemy on the unit itself: the goal's other rules
    ex, ey = uf[first, w.U_X], uf[first, w.U_Y]
    for k in range(rows.size):  # another enemy at the same distance could be the first
        e = rows[k]
        # (one standing on the very point of the first, as a group formed from its unit,
        # gives the same distance and the same way back: it changes nothing)
        if e != first and ui[e, w.U_SIDE] != side and ui[e, w.U_MEN] > 0 \
                and (uf[e, w.U_X] != ex or uf[e, w.U_Y] != ey) \
                and math.hypot(uf[e, w.U_X] - x, uf[e, w.U_Y] - y) <= here + _MARGIN_M:
            return True
    hx, hy = uf[r, w.U_HOME_X], uf[r, w.U_HOME_Y]
    from_home = math.hypot(hx - x, hy - y)
    if abs(from_home - fall_back[F_HOME_MIN]) <= _MARGIN_M:
        return True
    home = False
    if from_home >= fall_back[F_HOME_MIN]:
        at_home, _ = _nearest(uf, ui, rows, side, hx, hy)
        if abs(at_home - here) <= _MARGIN_M:
            return True
        home = at_home > here
    if home:
        gx, gy = hx, hy
    else:
        gx = x + (x - ex) / here * fall_back[F_LEG]
        gy = y + (y - ey) / here * fall_back[F_LEG]
    gx = min(max(gx, 0.0), fall_back[F_RIGHT])
    gy = min(max(gy, 0.0), fall_back[F_TOP])
    there, _ = _nearest(uf, ui, rows, side, gx, gy)
    return there > here + 1.0 - _MARGIN_M


@njit(cache=True)
def falling_back_further_into(uf, ui, rows, now, within_min, fall_back, out):
    """:func:`halted_under_fire_into` (the units of *rows* falling back, halted with men,
    fired at less than *within_min* ago), keeping only those that
    :func:`may_fall_back_further`; return how many (written into *out*, in id order)."""
    n = halted_under_fire_into(uf, ui, rows, now, within_min, out)
    m = 0
    for k in range(n):
        r = out[k]
        if may_fall_back_further(uf, ui, rows, r, fall_back):
            out[m] = r
            m += 1
    return m
