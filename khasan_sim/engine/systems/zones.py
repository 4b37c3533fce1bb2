"""Zones: the men of each side in good enough order to hold ground in each zone, who holds
each zone, and the change of holder (its time, the first Soviet hold, the shock to the
side that lost it).

Reads: ``command.hold_men_min``, ``morale.zone_lost``, ``morale.zone_lost_radius_m``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from khasan_sim.engine import world
from khasan_sim.engine.kernels import zones as zone_kernel
from khasan_sim.engine.systems.common import _other
from khasan_sim.model import rules
from khasan_sim.model.morale import MoraleState

_RETREATING = world.STATE_CODE[MoraleState.RETREATING]
_ROUTED = world.STATE_CODE[MoraleState.ROUTED]


class ZonesSystem:
    """Zones: presence and holders."""

    def in_zone(self, zone: str, x: float, y: float) -> bool:
        """Return True if the point lies in the zone."""
        if not self.terrain.grid.contains(x, y):
            return False
        r, c = self.cell(x, y)
        return bool(self.zone_mask[zone][r, c])

    def _holding_men(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Return rows, cols, men and is-Soviet of the units in good enough order to hold
        ground (men present, a type that holds ground, not falling back, on the map), read
        from the unit table in row order."""
        ut = self.unit_table
        f, i = ut.rows_f, ut.rows_i
        g = self.terrain.grid
        x, y = f[:, world.U_X], f[:, world.U_Y]
        st = i[:, world.U_STATE]
        ok = (
            (i[:, world.U_MEN] > 0) & self._roster().holding_type[i[:, world.U_TYPE]]
            & (st != _RETREATING) & (st != _ROUTED)
            & (x >= 0.0) & (x < g.width_m) & (y >= 0.0) & (y < g.height_m)
        )
        return (
            (y[ok] // g.cell_m).astype(np.int64), (x[ok] // g.cell_m).astype(np.int64),
            i[ok, world.U_MEN].astype(np.float64), i[ok, world.U_SIDE] == 0,
        )

    def _presence_all(self, holding: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Return the Soviet and Japanese men holding each zone (in ``zone_ids`` order)."""
        rows, cols, men, sov = holding
        nz = len(self.zone_ids)
        if not len(rows):
            return np.zeros(nz), np.zeros(nz)
        if self.zone_bits.dtype == object:
            inside = np.array([self.zone_mask[z][rows, cols] for z in self.zone_ids], dtype=bool)
        else:
            bits = self.zone_bits[rows, cols]
            inside = ((bits[None, :] >> np.arange(nz, dtype=np.int64)[:, None]) & 1).astype(bool)
        # men are whole numbers, so these sums are exact whatever their order
        return inside @ np.where(sov, men, 0.0), inside @ np.where(sov, 0.0, men)

    def presence(self, zone: str, holding: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None) -> dict[str, float]:
        """Return men of each side in a zone (units in good enough order to hold ground)."""
        rows, cols, men, sov = self._holding_men() if holding is None else holding
        inside = self.zone_mask[zone][rows, cols] if len(rows) else np.zeros(0, dtype=bool)
        return {"soviet": float(men[inside & sov].sum()), "japanese": float(men[inside & ~sov].sum())}

    def _compute_holder(self, zone: str, holding: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None) -> str | None:
        pr = self.presence(zone, holding)
        return rules.zone_holder(pr["soviet"], pr["japanese"], self.params.f("command.hold_men_min"))

    def _men_in_zones(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the Soviet and Japanese men holding each zone (in ``zone_ids`` order)."""
        if self.zone_bits.dtype == object:  # more zones than bits in an int64: the plain way
            return self._presence_all(self._holding_men())
        ut = self.unit_table
        return zone_kernel.zone_presence(
            ut.f, ut.i, ut.n, self._roster().holding_type, self.zone_bits, len(self.zone_ids), self.terrain.grid.cell_m,
        )

    def _zone_change_causes(self, z: str, holder: str | None, was: str | None, men: tuple[float, float], hold_min: float) -> dict[str, str]:
        """Return why zone *z* changed hands from *was* to *holder* (*men*: the Soviet and
        Japanese men holding ground in it now): the units of the new holder holding ground
        in it (``entered``); the units of the side that gave way (the one that held it,
        or that contested it) still in it but no longer holding ground, with why
        (``left``: ``id:retreating``, ``id:routed``, ``id:no men``); and the reason."""
        loser = was if was is not None else _other(holder) if holder is not None else None
        # read from the unit table, the ground units in id order
        ro = self._roster()
        rows = ro.ground_rows
        f, i = self.unit_table.f, self.unit_table.i
        here = zone_kernel.holding_units_in(f, i, rows, ro.holding_type, self.zone_mask[z], self.terrain.grid.cell_m)
        units = ro.units_by_row
        holder_code = -1 if holder is None else world.SIDES.index(holder)
        loser_code = -1 if loser is None else world.SIDES.index(loser)
        entered: list[str] = []
        left: list[str] = []
        falling_back = no_men = False
        for row in rows[here].tolist():  # the few units in the zone, in id order
            side, m, st = i.item(row, world.U_SIDE), i.item(row, world.U_MEN), i.item(row, world.U_STATE)
            back = st in (_RETREATING, _ROUTED)
            if side == holder_code and m > 0 and not back:
                entered.append(units[row].id)
            elif side == loser_code and (m <= 0 or back):
                left.append(f"{units[row].id}:{'no men' if m <= 0 else world.STATES[st].value}")
                falling_back |= m > 0
                no_men |= m <= 0
        loser_men = men[0] if loser == "soviet" else men[1]
        if loser is None:
            reason = "nobody held it"
        elif loser_men >= hold_min:  # it still has its men there: the other side came in strength
            reason = f"{_other(loser)} came in strength: contested"
        elif falling_back:
            reason = f"{loser} fell back"
        elif no_men:
            reason = f"{loser} lost its men"
        else:
            reason = f"{loser} moved out or its men there fell below {hold_min:.0f}"
        return {"entered": ",".join(entered), "left": ",".join(left), "gave_way": loser or "none", "reason": reason}

    def _zone_kernel_args(self) -> tuple[Any, ...] | None:
        """Return the arguments of :func:`zone_kernel.zone_holding_changed` after the unit
        table's (the zones, the last pulse's counts, the rule), kept while the terrain is
        the same; None when there are more zones than bits in an int64."""
        kept = self._zone_args
        if kept is None or kept[0] is not self.terrain:
            args = None
            if self.zone_bits.dtype != object:
                args = (
                    self._roster().holding_type, self.zone_bits, len(self.zone_ids), self.terrain.grid.cell_m,
                    *self._zone_men, self.params.f("command.hold_men_min"), self._zone_held,
                )
            kept = self._zone_args = (self.terrain, args)
        return kept[1]

    def _update_zones(self) -> None:
        args = self._zone_kernel_args()
        if args is None:  # more zones than bits in an int64: the plain way
            sov_men, jap_men = self._men_in_zones()
            key = sov_men.tobytes() + jap_men.tobytes()
            if key == self._last_holding:
                return
            self._last_holding = key
        else:
            # the holders depend on nothing else than whether each side has the men to hold
            # each zone: if that is as at the last pulse, no zone changed hands
            ut = self.unit_table
            if not zone_kernel.zone_holding_changed(ut.f, ut.i, ut.n, *args):
                return
            sov_men, jap_men = self._zone_men
        self._change_holders(sov_men, jap_men)

    def _fall_back_and_hold(self, dt: float) -> None:
        """The pulse's end: :meth:`_keep_falling_back`, then :meth:`_update_zones`. When no
        unit falling back that has halted under fire may fall back further (most pulses)
        nothing is done in Python between the two, and the tables are asked both
        questions in one kernel call."""
        args = self._zone_kernel_args()
        if args is None:
            self._keep_falling_back(dt)
            self._update_zones()
            return
        ut = self.unit_table
        picked = self._halted_scratch()
        n, changed = zone_kernel.halted_then_zone_holding(
            ut.f, ut.i, self._roster().ground_rows, self.now, dt, self._fall_back_figures(), picked, ut.n, *args,
        )
        if n:
            self._fall_back_further(picked[:n])
            self._update_zones()
        elif changed:
            self._change_holders(*self._zone_men)

    def _change_holders(self, sov_men: np.ndarray, jap_men: np.ndarray) -> None:
        """Give each zone to the side that holds it with these men (Soviet, Japanese, by
        zone), and say so where the holder changed (the shock to the side that lost it)."""
        hold_min = self.params.f("command.hold_men_min")
        holders = rules.zone_holders((sov_men >= hold_min).tolist(), (jap_men >= hold_min).tolist())
        for z, h, ps, pj in zip(self.zone_ids, holders, sov_men.tolist(), jap_men.tolist(), strict=True):
            old = self.holder[z]
            if h == old:
                continue
            self.holder[z] = h
            self._emit(
                "zone_holder", zone=z, holder=h or "none", was=old or "none", soviet_men=ps, japanese_men=pj,
                hold_men_min=hold_min,
                **self._zone_change_causes(z, h, old, (ps, pj), hold_min),
            )
            if h == "soviet" and self.first_soviet_hold[z] is None:
                self.first_soviet_hold[z] = self.now / 60.0
            if old is not None and h != old:
                self.lost_at[(z, old)] = self.now
            loser = self.last_holder.get(z)
            if h is not None:
                self.last_holder[z] = h
            if loser is not None and h is not None and h != loser:
                # the enemy occupies key ground (McQuie): the side that held it last is
                # shaken then; a zone merely contested, as when a few attackers set foot
                # in it, shakes nobody yet
                shock = self.params.f("morale.zone_lost")
                near = self.params.f("morale.zone_lost_radius_m")
                cx, cy = self.zone_centre[z]
                for uid in self.ground_ids:
                    u = self.units[uid]
                    if u.side == loser and math.hypot(u.x - cx, u.y - cy) < near:
                        self._shake(u, shock, "zone_lost")
