"""The combat pulse after the fire: close quarters and morale, the counter-attacks under way,
the morale settled, falling back further, and who holds each zone.

In this order (each part is described where it lives):

1. :meth:`~.morale.MoraleSystem._close_quarters_and_morale`: who stands within
   close-assault range of whom, the penetration worn, and the morale kernel's first answer;
2. :meth:`~.doctrine.DoctrineSystem._check_counterattacks`: the attacks under way called
   off when they lose their share or find the ground held in strength;
3. :meth:`~.morale.MoraleSystem._update_morale`: the units whose state changes settled;
4. :meth:`~.zones.ZonesSystem._fall_back_and_hold`: the units halted under fire sent
   further back, then the zones' holders.

Most pulses no unit changes state and no counter-attack is called off: nothing is done in
Python between the parts that changes the tables, and they are asked of the tables in one
compiled call (kernels/pulse_end.py), with arguments made once and kept until a unit is
formed. When units change state, the morale kernel's last call after them (the one that
finds no more) works out the pulse's end as well.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from khasan_sim.engine.kernels import morale as morale_kernel
from khasan_sim.engine.kernels.pulse_end import morale_then_holding, settle_then_holding
from khasan_sim.model import morale


class PulseEndArgs(NamedTuple):
    """The arguments of :func:`morale_then_holding`, made once and kept (see
    :meth:`PulseEndSystem._pulse_end_args`), and the scratch arrays they write into."""

    made_for: tuple[Any, ...]  # the roster, unit table, unit count, terrain and x order they were made for
    with_holding: tuple[Any, ...] | None  # the holding part asked (None: more zones than bits in an int64)
    without: tuple[Any, ...]  # the morale part only
    own: np.ndarray  # each unit row's own side's men within close-assault range
    enemy: np.ndarray  # and the enemy's men in good order there
    halted: np.ndarray  # the units halted under fire that may fall back further
    held: np.ndarray  # whether each side had the men to hold each zone at the last look (ZonesSystem._zone_held)
    held_before: np.ndarray  # its copy, kept while the holding asked ahead may be undone
    holding_tail: tuple[Any, ...] | None  # settle_then_holding's arguments after the morale's


class PulseEndSystem:
    """The combat pulse after the fire (see the module's docstring)."""

    def _pulse_end_args(self) -> PulseEndArgs:
        """Return the arguments of :func:`morale_then_holding`, made again only when a unit
        is formed (a new roster, perhaps larger tables) or the terrain changes; the pulse
        vector they hold is written in place each pulse (:meth:`_morale_figures`)."""
        ut = self.unit_table
        ro = self._roster()
        kept = self._pulse_end_kept
        if kept is not None:
            made_for = kept.made_for
            if made_for[0] is ro and made_for[1] is ut.f and made_for[2] == ut.n and made_for[3] is self.terrain \
                    and made_for[4] is self._by_x:
                return kept
        cp = self.cp
        n = ut.n
        own, enemy = self._close_sums
        if len(own) < n:
            own, enemy = self._close_sums = (np.zeros(len(ut.f)), np.zeros(len(ut.f)))
        by_x = self._units_by_x()
        common = (
            ut.f, ut.i, n, ro.holding_type, cp.close_assault_m, cp.penetration_shock_per_hour, cp.penetration_reference_ratio,
            own, enemy, by_x, ro.ground_rows, self._loss_sensitivity, self._morale_pulse, self._morale_out,
        )
        figures, halted = self._fall_back_figures(), self._halted_scratch()
        zone_args = self._zone_kernel_args()
        # the zones' arguments are not read without the holding part: of the right types
        zones = zone_args[1:] if zone_args is not None else (
            np.zeros((1, 1), dtype=np.int64), 0, 1.0, np.zeros(0), np.zeros(0), 0.0, np.zeros((2, 0), dtype=np.int8),
        )
        kept = self._pulse_end_kept = PulseEndArgs(
            (ro, ut.f, n, self.terrain, by_x),
            None if zone_args is None else (*common, True, figures, halted, *zones),
            (*common, False, figures, halted, *zones),
            own, enemy, halted, zones[-1], np.empty_like(zones[-1]),
            None if zone_args is None else (figures, halted, n, ro.holding_type, *zones),
        )
        return kept

    def _after_the_fire(self, dt: float) -> None:
        """The pulse's parts after the fire, in the order of the module's docstring.

        With counter-attacks under way the holding part is asked with the morale all the
        same, ahead of the look at them: it writes only the counts of the men holding the
        zones and whether each side had the men to hold each (kept before, put back if
        the look calls an attack off: its moves come first, and the holding is asked
        again after them, as when the parts go one by one)."""
        self._morale_figures(dt)  # the pulse vector the arguments hold, for this pulse
        kept = self._pulse_end_args()
        ask_holding = kept.with_holding is not None
        attacks = bool(self.counterattack_men)
        if ask_holding and attacks:
            np.copyto(kept.held_before, kept.held)
        anywhere, at, n, changed = morale_then_holding(*(kept.with_holding if ask_holding else kept.without))
        if attacks:
            k = self.unit_table.n
            if self._check_counterattacks((kept.own[:k], kept.enemy[:k]) if anywhere else None) and ask_holding and at < 0:
                np.copyto(kept.held, kept.held_before)  # asked again below, after the moves
                ask_holding = False
        if ask_holding:
            if at >= 0:  # units whose state changes, settled here: the holding asked after them
                n, changed = self._settle_changes_then_hold(at, kept)
            # the morale's end, then the zones'
            self._forget_settled_shocks()
            if n:
                self._fall_back_further(kept.halted[:n])
                self._update_zones()
            elif changed:
                self._change_holders(*self._zone_men)
            return
        self._update_morale(dt, at=at)
        self._fall_back_and_hold(dt)

    def _settle_changes_then_hold(self, at: int, kept: PulseEndArgs) -> tuple[int, int]:
        """:meth:`~.morale.MoraleSystem._update_morale` from *at*, the first unit whose state
        changes: each is settled here and the kernel goes on from the next, asked for the
        pulse's end too (it works it out after the last unit). Return the units halted
        under fire (written into ``kept.halted``) and whether a zone's holding changed."""
        ro = self._roster()
        rows = ro.ground_rows
        out, pulse = self._morale_out, self._morale_pulse
        while True:
            u = ro.units_by_row[rows[at]]
            self._settle_morale(u, float(out[morale_kernel.O_MORALE]), morale.STATES[int(out[morale_kernel.O_STATE])], float(out[morale_kernel.O_DECAYED]), out)
            ut = self.unit_table
            at, n, changed = settle_then_holding(ut.f, ut.i, rows, at + 1, self._loss_sensitivity, pulse, out, *kept.holding_tail)
            if at < 0:
                return n, changed
