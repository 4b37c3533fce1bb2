"""The combat pulse after the fire missions: direct fire in its compiled call, then observed
fire on stuck tanks and the pulse's end (close quarters, morale, falling back, the zones'
holders) in one more (kernels/combat_pulse.py), and what Python carries out of them.

The second call goes as far as nothing needs Python between its parts and says where it
stopped; the rest of the pulse is then done part by part, as the engine did it before
(the same kernels, the same order, the same draws: the event logs are the same):

- after direct fire, when it knocked out a tank: the knock-outs and the casualties
  (:meth:`~.direct_fire.DirectFireSystem._direct_fire_results`), then observed fire and
  the end, each in its own call;
- before observed fire, when a stuck tank has no draw left: observed fire (which draws
  ahead) and the end;
- after observed fire, when it hit a stuck tank: its knock-outs, then the end;
- at the end, for most pulses: the end's Python (the counter-attacks under way, the units
  whose state changes, the zones' holders), little or nothing on a quiet pulse.

The arguments of both calls are made once and kept until the roster, the terrain, the
sight lines' tables, the weapon tables or the guns' reach are new objects, or the pulse's
light changes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from khasan_sim.engine.kernels import combat_pulse as kernel
from khasan_sim.engine.kernels.direct_fire import P_DT, P_NOW, direct_fire_pulse
from khasan_sim.engine.kernels.morale import M_NIGHT
from khasan_sim.engine.kernels.sight import SightLines
from khasan_sim.engine.systems.artillery import DRAWS_AHEAD

_THROUGH, _AFTER_OBSERVED, _S_ATTACKS = kernel.THROUGH_TO_THE_END, kernel.STOPPED_AFTER_OBSERVED_FIRE, kernel.S_ATTACKS


class CombatPulseSystem:
    """The combat pulse after the fire missions (see the module's docstring)."""

    def _combat_pulse_constants(self) -> None:
        """Set up the pulse's switches and answers (once a run)."""
        self._combat_args: tuple[Any, ...] | None = None  # _combat_args_now: (what they were made for..., args)
        switches = np.zeros(kernel.N_SWITCHES, dtype=np.int64)
        switches[kernel.S_DRAWS_AHEAD] = DRAWS_AHEAD
        self._pulse_switches = switches
        self._pulse_answers = np.zeros(kernel.N_ANSWERS, dtype=np.int64)

    def _pulse_light_changed(self, night: bool) -> None:
        """Say that the pulse's light changed (:meth:`~.direct_fire.DirectFireSystem._fire_light`):
        observed fire on or off by day and night, the morale's night, and the observers'
        range (the arguments made again)."""
        self._pulse_switches[kernel.S_OBSERVED] = 0 if self._observed_fire_off or night else 1
        self._morale_pulse[M_NIGHT] = 1.0 if night else 0.0
        self._combat_args = None

    def _combat_args_now(self) -> tuple[Any, ...]:
        """Return, kept: the roster, the terrain, the sight lines' tables, the weapon tables
        and the guns' reach they were made for; the sight lines; direct fire's arguments;
        :func:`kernel.after_direct_fire`'s; the pulse's end's
        (:meth:`~.pulse_end.PulseEndSystem._pulse_end_args`); direct fire's random state
        and the raw draw that seeds it. Made again when one of the first five is not the
        object it was."""
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
            self._fire_pulse, self._pulse_switches, observed, end.with_holding if end.with_holding is not None else end.without,
            end.held_before, self._pulse_answers,
        )
        seed = stream.state, stream.generator.bit_generator.random_raw
        kept = self._combat_args = (ro, self.terrain, sight.args, self._arms, self._gun_reach, sight, fire, args, end, seed)
        return kept

    def _fire_and_end(self, dt: float) -> None:
        """The combat pulse after the fire missions: its fire and its end (see the module's
        docstring)."""
        fire = self._pulse_start(dt)
        n_hit, n_ko, half_full = direct_fire_pulse(fire)
        self._after_direct_fire(dt, n_hit, n_ko, half_full)

    def _pulse_start(self, dt: float) -> Any:
        """Write the pulse's length, time and light, seed direct fire's draws, and return
        direct fire's arguments (kept: :meth:`_combat_args_now`)."""
        now = self.env.now
        p = self._pulse_figures
        p[P_DT] = dt
        p[P_NOW] = now
        if not self._fire_light_from <= now < self._fire_light_until:
            self._fire_light(now)
        kept = self._combat_args_now()
        state, raw = kept[9]
        state[0] = raw()  # direct fire's seed (as its KernelStream.next() writes it)
        return kept[6]

    def _after_direct_fire(self, dt: float, n_hit: int, n_ko: int, half_full: bool) -> None:
        """The pulse after direct fire's kernel answered *n_hit*, *n_ko* and *half_full*
        (see the module's docstring)."""
        ro, sight = self._roster_memo, self._combat_args[5]
        if n_hit or n_ko:
            self._direct_fire_results(ro, n_hit, n_ko)
        if half_full:  # the lines the pulse added filled the sight lines' cache to half
            sight.keep_room()
        if n_ko:  # tanks knocked out: the rest part by part
            self._observed_fire(dt)
            self._after_the_fire(dt)
            return
        # kept, or made again if what direct fire's results changed is new (the guns'
        # reach, the sight lines' tables)
        _, _, _, _, _, sight, _, args, end, _ = self._combat_args_now()
        attacks = self.counterattack_men
        self._pulse_switches[_S_ATTACKS] = 1 if attacks else 0
        stopped = kernel.after_direct_fire(args)
        n_observed, half_full, anywhere, at, n, changed = self._pulse_answers.tolist()
        if half_full:
            sight.keep_room()
        if stopped == _THROUGH:
            if not attacks and at < 0 and not n and not changed and end.with_holding is not None:
                # the commonest end: no attack under way, no unit changing state, no zone
                # changing hands (as _after_the_morale finds it)
                if self._shock_causes:
                    self._forget_settled_shocks()
                return
            self._after_the_morale(end, bool(attacks), bool(anywhere), at, n, changed, dt)
            return
        if stopped == _AFTER_OBSERVED:
            self._observed_hits(ro, n_observed)
        else:  # a stuck tank without a draw: observed fire draws ahead
            self._observed_fire(dt)
        self._after_the_fire(dt)
