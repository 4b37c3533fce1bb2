"""The combat pulse's fire and its end in one compiled call, as far as nothing needs Python
between them: direct fire (kernels/direct_fire.py), observed fire on stuck tanks
(kernels/artillery.py) and the pulse's end (kernels/pulse_end.py), the same kernels in the
same order on the same tables as when the engine calls them one by one.

The call stops where the engine has work to do in Python before the next part can be
worked out, and says where (:data:`STOPPED_AFTER_DIRECT_FIRE` and the others): a tank
knocked out in direct fire (its crew, its battalion's command: they change what the later
parts read), a stuck tank without an observed-fire draw left (drawn ahead from its numpy
stream in Python), a stuck tank hit by observed fire. The direct-fire casualty events,
and the guns the tanks' fire on gun pits puts out of action, are the engine's after the
call whatever it returns: they change nothing the later parts read (an anti-tank unit's
guns: the direct fire of the pulse is over, and no later part reads them before the
pulse's end in Python). Nine pulses in ten go through to the end.

A pulse through to the end costs one call from Python instead of four (about 40 arrays
unboxed, and the Python between them), the glue that was most of a quiet pulse's Python.
"""

from __future__ import annotations

from numba import njit, types
from numba.experimental import structref

from khasan_sim.engine.kernels.artillery import (
    OF_DT,
    OF_NOW,
    bogged_tanks_into,
    observed_fire_pulse_into,
)
from khasan_sim.engine.kernels.direct_fire import P_DT, P_NOW, direct_fire_pulse
from khasan_sim.engine.kernels.morale import M_DT, M_NOW
from khasan_sim.engine.kernels.pulse_end import morale_then_holding

# where the call stopped (its first answer)
STOPPED_AFTER_DIRECT_FIRE = 0  # tanks knocked out: the rest in Python
STOPPED_FOR_DRAWS = 1  # a stuck tank needs observed-fire draws: observed fire and the end in Python
STOPPED_AFTER_OBSERVED_FIRE = 2  # observed fire hit a stuck tank: its knock-outs, then the end in Python
THROUGH_TO_THE_END = 3  # every part worked out: the end's answers are the call's

# the places of the pulse's switches (an int64 array the engine writes)
S_OBSERVED = 0  # 1: observed fire is on now (in the run and by day)
S_ATTACKS = 1  # 1: counter-attacks are under way (the held zones kept before the end's holding part)
S_WITH_HOLDING = 2  # 1: the end's holding part is asked
S_DRAWS_AHEAD = 3  # the observed-fire draws drawn ahead for each tank (a row of *draws*)
N_SWITCHES = 4


@structref.register
class CombatPulseArgsType(types.StructRef):
    """The numba type of :class:`CombatPulseArgs` (its fields' types are those of what it
    was made of)."""

    def preprocess_fields(self, fields):
        return tuple((name, types.unliteral(typ)) for name, typ in fields)


class CombatPulseArgs(structref.StructRefProxy):
    """The arguments of :func:`combat_pulse`, held in one structure made once and kept (one
    argument for numba to unbox a call instead of some fifty arrays): made by
    :func:`combat_pulse_args`."""


structref.define_proxy(CombatPulseArgs, CombatPulseArgsType, ["fire", "switches", "observed", "pulse_end", "held_before", "answers"])


@njit(cache=True)
def combat_pulse_args(fire, switches, observed, pulse_end, held_before, answers):
    """Return :func:`combat_pulse`'s arguments as one :class:`CombatPulseArgs` (held, not copied)."""
    return CombatPulseArgs(fire, switches, observed, pulse_end, held_before, answers)


@njit(cache=True)
def combat_pulse(args):
    """Work out the pulse's direct fire (``args.fire``: :func:`direct_fire_pulse`'s arguments), then,
    if it knocked out no tank, the observed fire (``args.observed``:
    :func:`observed_fire_pulse_into`'s arguments, asked when ``switches[S_OBSERVED]``),
    then, if it hit no tank, the pulse's end (``args.pulse_end``: :func:`morale_then_holding`'s
    arguments; the zones held, its last, copied into ``args.held_before`` first when
    ``args.switches[S_ATTACKS]`` and the holding part is asked).

    Observed fire's figures and the end's pulse vector take this pulse's length and time
    from the direct-fire one.
    Writes into ``args.answers`` (int64): direct fire's hits and knock-outs, whether the sight
    lines' cache is half full after the fire (then :meth:`SightLines.keep_room` has work to
    do), observed fire's hits, and the end's four answers. Returns where
    it stopped (:data:`THROUGH_TO_THE_END` and the others).
    """
    a, switches, observed, pulse_end, held_before, answers = args.fire, args.switches, args.observed, args.pulse_end, args.held_before, args.answers
    n_hit, n_ko, _ = direct_fire_pulse(a)
    answers[0] = n_hit
    answers[1] = n_ko
    answers[3] = 0
    answers[2] = 1 if 2 * a.s_state[0] >= a.s_keys.size else 0
    if n_ko > 0:
        return STOPPED_AFTER_DIRECT_FIRE
    p = a.pulse
    if switches[S_OBSERVED]:
        # observed[4], [5], [17], [24]: the tank table's ints, the tank rows in id order,
        # the stuck tanks' scratch and the draws spent; [16]: observed fire's figures
        n_stuck = bogged_count_needing_draws(observed[4], observed[5], observed[17], observed[24], switches[S_DRAWS_AHEAD])
        if n_stuck < 0:
            return STOPPED_FOR_DRAWS
        if n_stuck > 0:
            fire = observed[16]
            fire[OF_NOW] = p[P_NOW]
            fire[OF_DT] = p[P_DT]
            _, _, n_obs = observed_fire_pulse_into(*observed)
            answers[3] = n_obs
            answers[2] = 1 if 2 * a.s_state[0] >= a.s_keys.size else 0
            if n_obs > 0:
                return STOPPED_AFTER_OBSERVED_FIRE
    # pulse_end[12]: the morale's pulse vector; [14]: whether the holding part is asked;
    # [23]: whether each side had the men to hold each zone at the last look
    pulse = pulse_end[12]
    pulse[M_DT] = p[P_DT]
    pulse[M_NOW] = p[P_NOW]
    if switches[S_ATTACKS] and pulse_end[14]:
        held_before[:] = pulse_end[23]
    anywhere, at, n, changed = morale_then_holding(*pulse_end)
    answers[4] = 1 if anywhere else 0
    answers[5] = at
    answers[6] = n
    answers[7] = changed
    return THROUGH_TO_THE_END


@njit(cache=True)
def bogged_count_needing_draws(ti, tank_order, stuck, used, draws_ahead):
    """Write the stuck tanks into *stuck* (as :func:`bogged_tanks_into`) and return how
    many, or -1 if one of them has no observed-fire draw left (``used[t] >= draws_ahead``)."""
    n = bogged_tanks_into(ti, tank_order, stuck)
    for k in range(n):
        if used[stuck[k]] >= draws_ahead:
            return -1
    return n
