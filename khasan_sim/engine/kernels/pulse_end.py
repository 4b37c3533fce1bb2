"""The combat pulse after the fire, compiled in one call when nothing needs Python between
its parts: close quarters and morale (kernels/morale.py), then the units halted under fire
that may fall back further and the men holding each zone (kernels/zones.py).

The second part is worked out only when the morale kernel found no unit whose state
changes (then nothing is settled in Python): the same calls, in the same order, on the same
tables as when they are made one by one. The engine uses its answer unless the look at the
counter-attacks under way, made in Python in between, calls one off (its moves come first:
the engine then puts back what the second part wrote of the zones and asks it again).
"""

from __future__ import annotations

from numba import njit

from khasan_sim.engine.kernels.morale import M_DT, M_NOW, close_quarters_and_morale, settle_morale
from khasan_sim.engine.kernels.zones import halted_then_zone_holding


@njit(cache=True)
def morale_then_holding(
    uf, ui, n_units, holding_type, reach_m, shock_per_hour, reference_ratio, own, enemy, by_x, order,
    loss_sensitivity, pulse, out, with_holding, fall_back, halted, zone_bits, n_zones, cell_m, sov, jap, hold_min, held,
):
    """:func:`close_quarters_and_morale` of the pulse (its length and time read from
    *pulse*: ``pulse[M_DT]``, ``pulse[M_NOW]``; *order*: the ground unit rows in id order),
    then, if *with_holding* and no unit changed state, :func:`halted_then_zone_holding`.

    Return whether any enemies stand within *reach_m* of each other, the morale kernel's
    answer (the first unit to change state, -1 none), the units halted under fire written
    into *halted* (0 when not asked) and whether a zone's holding changed (1 or 0; -1: not
    asked, or the halted units come first)."""
    dt = pulse[M_DT]
    anywhere, at = close_quarters_and_morale(
        uf, ui, n_units, holding_type, reach_m, shock_per_hour, reference_ratio, dt, own, enemy, by_x,
        order, loss_sensitivity, pulse, out,
    )
    if at >= 0 or not with_holding:
        return anywhere, at, 0, -1
    n, changed = halted_then_zone_holding(
        uf, ui, order, pulse[M_NOW], dt, fall_back, halted, n_units, holding_type, zone_bits, n_zones, cell_m,
        sov, jap, hold_min, held,
    )
    return anywhere, at, n, changed


@njit(cache=True)
def settle_then_holding(
    uf, ui, order, start, loss_sensitivity, pulse, out, fall_back, halted, n_units, holding_type, zone_bits, n_zones,
    cell_m, sov, jap, hold_min, held,
):
    """:func:`settle_morale` from position *start* of *order* on, then, if no unit changes
    state, :func:`halted_then_zone_holding` (the pulse's length and time read from
    *pulse*): the morale kernel's calls after the first unit that changed state, the last
    of them with the pulse's end. Return settle_morale's answer, the units halted under
    fire and whether a zone's holding changed (0 and -1 when not asked)."""
    at = settle_morale(uf, ui, order, start, loss_sensitivity, pulse, out)
    if at >= 0:
        return at, 0, -1
    n, changed = halted_then_zone_holding(
        uf, ui, order, pulse[M_NOW], pulse[M_DT], fall_back, halted, n_units, holding_type, zone_bits, n_zones, cell_m,
        sov, jap, hold_min, held,
    )
    return at, n, changed
