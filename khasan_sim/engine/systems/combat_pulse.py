"""The combat pulse's fire and end in one compiled call: direct fire, observed fire on stuck
tanks and the pulse's end (close quarters, morale, falling back, the zones' holders), as
kernels/combat_pulse.py works them out, then what Python carries out of them.

The call goes as far as nothing needs Python between the parts and says where it stopped;
the rest of the pulse is then done part by part, as the engine did it before (the same
kernels, the same order, the same draws: the event logs are the same):

- after direct fire, when it knocked out a tank or fired on gun pits: the knock-outs and
  the casualties (:meth:`~.direct_fire.DirectFireSystem._direct_fire_results`), then
  observed fire and the end;
- before observed fire, when a stuck tank has no draw left: observed fire (which draws
  ahead) and the end;
- after observed fire, when it hit a stuck tank: its knock-outs, then the end;
- at the end, for two pulses in three: the casualties, then the end's Python (the
  counter-attacks under way, the units whose state changes, the zones' holders).

Its arguments are made once and kept until the roster, the terrain, the sight lines'
tables, the weapons or the guns' reach are new objects, or the pulse's light changes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from khasan_sim.engine.kernels import combat_pulse as kernel
from khasan_sim.engine.kernels.direct_fire import P_DT, P_NOW
from khasan_sim.engine.kernels.morale import M_NIGHT
from khasan_sim.engine.kernels.sight import SightLines
from khasan_sim.engine.systems.artillery import _DRAWS_AHEAD

_THROUGH, _FOR_DRAWS, _AFTER_OBSERVED = kernel.THROUGH_TO_THE_END, kernel.STOPPED_FOR_DRAWS, kernel.STOPPED_AFTER_OBSERVED_FIRE
_S_ATTACKS = kernel.S_ATTACKS


class CombatPulseSystem:
    """The combat pulse's fire and end in one compiled call (see the module's docstring)."""

    def _combat_pulse_constants(self) -> None:
        """Set up the pulse's switches and answers (once a run)."""
        self._combat_args: tuple[Any, ...] | None = None  # _combat_args_now: (what they were made for..., args, kept)
        switches = np.zeros(kernel.N_SWITCHES, dtype=np.int64)
        switches[kernel.S_DRAWS_AHEAD] = _DRAWS_AHEAD
        self._pulse_switches = switches
        self._pulse_answers = np.zeros(8, dtype=np.int64)

    def _pulse_light_changed(self, night: bool) -> None:
        """Say that the pulse's light changed (:meth:`~.direct_fire.DirectFireSystem._fire_light`):
        observed fire on or off by day and night, the morale's night, and the observers'
        range (its arguments made again)."""
        self._pulse_switches[kernel.S_OBSERVED] = 0 if self._observed_fire_off or night else 1
        self._morale_pulse[M_NIGHT] = 1.0 if night else 0.0
        self._combat_args = None

    def _combat_args_now(self) -> tuple[Any, ...]:
        """Return the kept arguments of :func:`kernel.combat_pulse` with what they were made
        for (see below), the sight lines, the pulse's end's arguments
        (:meth:`~.pulse_end.PulseEndSystem._pulse_end_args`) and direct fire's random
        state; made again when the roster, the terrain, the sight lines' tables, the weapon
        tables or the guns' reach are not the objects they were made for."""
        kept = self._combat_args
        ro = self._roster_memo
        if (kept is not None and kept[0] is ro and kept[1] is self.terrain and kept[2] is kept[5].args
                and kept[3] is self._arms and kept[4] is self._gun_reach):
            return kept
        ro = self._roster()
        sight = SightLines.of(self.terrain)
        fire, _, stream = self._fire_args(ro, sight)
        tt, ut = self.tank_table, self.unit_table
        out = self._observed_arrays(ro)
        draws, used = self._observed_draws_now()
        see_m = min(self._observation_m, self.visibility_m())
        observed = (
            ut.f, ut.i, ro.ground_rows, tt.f, tt.i, ro.tank_order, self._gun_reach_now(), see_m, *sight.args,
            self._observed_figures, *out[:5], self._observed_sides_now(ro), draws, used, out[5],
        )
        end = self._pulse_end_args()
        args = kernel.combat_pulse_args(
            fire, self._pulse_switches, observed, end.with_holding if end.with_holding is not None else end.without,
            end.held_before, self._pulse_answers,
        )
        seed = stream.state, stream.generator.bit_generator.random_raw
        kept = self._combat_args = (ro, self.terrain, sight.args, self._arms, self._gun_reach, sight, args, end, seed)
        return kept

    def _fire_and_end(self, dt: float) -> None:
        """The combat pulse after the fire missions: its fire and its end (see the module's
        docstring)."""
        now = self.env.now
        p = self._pulse_figures
        p[P_DT] = dt
        p[P_NOW] = now
        if not self._fire_light_from <= now < self._fire_light_until:
            self._fire_light(now)
        ro, _, _, _, _, sight, args, end, (state, raw) = self._combat_args_now()
        state[0] = raw()  # direct fire's seed (as its KernelStream.next() writes it)
        attacks = self.counterattack_men
        self._pulse_switches[_S_ATTACKS] = 1 if attacks else 0
        stopped = kernel.combat_pulse(args)
        n_hit, n_ko, half_full, n_observed, anywhere, at, n, changed = self._pulse_answers.tolist()
        if half_full:  # the lines the pulse added filled the sight lines' cache to half
            sight.keep_room()
        if n_hit or n_ko:
            self._direct_fire_results(ro, n_hit, n_ko)
        if stopped == _THROUGH:
            if not attacks and at < 0 and not n and not changed and end.with_holding is not None:
                # the most common end: no attack under way, no unit changing state, no zone
                # changing hands (as _after_the_morale finds it)
                if self._shock_causes:
                    self._forget_settled_shocks()
                return
            self._after_the_morale(end, bool(attacks), bool(anywhere), at, n, changed, dt)
            return
        if stopped == _AFTER_OBSERVED:
            self._observed_hits(ro, n_observed)
        else:  # stopped after direct fire's knock-outs, or for a stuck tank's draws
            self._observed_fire(dt)
        self._after_the_fire(dt)
