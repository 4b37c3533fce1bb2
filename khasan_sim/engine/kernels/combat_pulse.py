"""The combat pulse after direct fire in one compiled call, as far as nothing needs Python
between its parts: observed fire on stuck tanks (kernels/artillery.py), then the pulse's
end (kernels/pulse_end.py), the same kernels in the same order on the same tables as when
the engine calls them one by one.

The call stops where the engine has work to do in Python before the next part can be
worked out, and says where: a stuck tank without an observed-fire draw left (drawn ahead
from its numpy stream in Python), or a stuck tank hit by observed fire (its knock-out,
crew and command). Nine calls in ten go through to the end.

Why one call, and why not with direct fire in it: the two parts' kernels take some fifty
arrays between them, which numba unboxes one by one at each call from Python (about 3 µs
a pulse), where this call takes one structure made once (:class:`CombatPulseArgs`). Direct
fire stays a call of its own (kernels/direct_fire.py, also one structure) because numba
compiles a kernel together with the kernels it calls: with direct fire inside, this one
took some 5 s more to compile on a first run, all in one process, where the warm-up
(runner/warmup.py) compiles direct fire and the rest on two cores.
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
from khasan_sim.engine.kernels.direct_fire import P_DT, P_NOW
from khasan_sim.engine.kernels.morale import M_DT, M_NOW
from khasan_sim.engine.kernels.pulse_end import morale_then_holding

# where the call stopped (its answer)
STOPPED_FOR_DRAWS = 1  # a stuck tank needs observed-fire draws: observed fire and the end in Python
STOPPED_AFTER_OBSERVED_FIRE = 2  # observed fire hit a stuck tank: its knock-outs, then the end in Python
THROUGH_TO_THE_END = 3  # every part worked out: the end's answers are in ``answers``

# the places of the pulse's switches (an int64 array the engine writes)
S_OBSERVED = 0  # 1: observed fire is on now (in the run and by day)
S_ATTACKS = 1  # 1: counter-attacks are under way (the held zones kept before the end's holding part)
S_DRAWS_AHEAD = 2  # the observed-fire draws drawn ahead for each tank (a row of *draws*)
N_SWITCHES = 3

# the places of the call's answers (an int64 array it writes)
A_OBSERVED_HITS, A_HALF_FULL, A_ANYWHERE, A_AT, A_HALTED, A_CHANGED = range(6)
N_ANSWERS = 6


@structref.register
class CombatPulseArgsType(types.StructRef):
    """The numba type of :class:`CombatPulseArgs` (its fields' types are those of what it
    was made of)."""

    def preprocess_fields(self, fields):
        return tuple((name, types.unliteral(typ)) for name, typ in fields)


class CombatPulseArgs(structref.StructRefProxy):
    """The arguments of :func:`after_direct_fire`, held in one structure made once and kept
    (one argument for numba to unbox instead of some fifty arrays): made by
    :func:`combat_pulse_args`."""


structref.define_proxy(CombatPulseArgs, CombatPulseArgsType, ["fire_pulse", "switches", "observed", "pulse_end", "held_before", "answers"])


@njit(cache=True)
def combat_pulse_args(fire_pulse, switches, observed, pulse_end, held_before, answers):
    """Return :func:`after_direct_fire`'s arguments as one :class:`CombatPulseArgs` (held, not copied)."""
    return CombatPulseArgs(fire_pulse, switches, observed, pulse_end, held_before, answers)


@njit(cache=True)
def after_direct_fire(args):
    """Work out the pulse's observed fire (``args.observed``: :func:`observed_fire_pulse_into`'s
    arguments; asked when ``args.switches[S_OBSERVED]``), then, if it hit no tank, the
    pulse's end (``args.pulse_end``: :func:`morale_then_holding`'s arguments; the zones
    held, its last, copied into ``args.held_before`` first when counter-attacks are under
    way and the holding part is asked). Both take this pulse's length and time from direct
    fire's pulse vector (``args.fire_pulse``).

    Writes into ``args.answers`` (``A_*`` places): observed fire's hits, whether the sight
    lines' cache is half full after it (then :meth:`SightLines.keep_room` has work to do),
    and the end's four answers. Returns where it stopped (:data:`THROUGH_TO_THE_END` and
    the others).
    """
    switches, observed, pulse_end, answers = args.switches, args.observed, args.pulse_end, args.answers
    p = args.fire_pulse
    answers[A_OBSERVED_HITS] = 0
    answers[A_HALF_FULL] = 0
    if switches[S_OBSERVED]:
        # observed[4], [5], [17], [24]: the tank table's ints, the tank rows in id order,
        # the stuck tanks' scratch and the draws spent; [16]: observed fire's figures;
        # [8], [9]: the sight lines' table and its state
        n_stuck = bogged_count_needing_draws(observed[4], observed[5], observed[17], observed[24], switches[S_DRAWS_AHEAD])
        if n_stuck < 0:
            return STOPPED_FOR_DRAWS
        if n_stuck > 0:
            fire = observed[16]
            fire[OF_NOW] = p[P_NOW]
            fire[OF_DT] = p[P_DT]
            _, _, n_hit = observed_fire_pulse_into(*observed)
            answers[A_OBSERVED_HITS] = n_hit
            answers[A_HALF_FULL] = 1 if 2 * observed[9][0] >= observed[8].size else 0
            if n_hit > 0:
                return STOPPED_AFTER_OBSERVED_FIRE
    # pulse_end[12]: the morale's pulse vector; [14]: whether the holding part is asked;
    # [23]: whether each side had the men to hold each zone at the last look
    pulse = pulse_end[12]
    pulse[M_DT] = p[P_DT]
    pulse[M_NOW] = p[P_NOW]
    if switches[S_ATTACKS] and pulse_end[14]:
        args.held_before[:] = pulse_end[23]
    anywhere, at, n, changed = morale_then_holding(*pulse_end)
    answers[A_ANYWHERE] = 1 if anywhere else 0
    answers[A_AT] = at
    answers[A_HALTED] = n
    answers[A_CHANGED] = changed
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
