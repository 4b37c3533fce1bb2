"""Tank recovery: knocked-out and bogged tanks brought back by the side that holds the
ground, repaired, or written off.

Knocked out is not lost (model-anchors 4b.1): armies that held the field recovered and
repaired most of their knocked-out tanks; a tank is written off when it burns out (at
the hit, :mod:`.tank_losses`) or when it is left on ground the enemy holds. Every
``recovery.check_min`` each tank battalion's technical officer looks over its tanks out
of action, in id order:

- a knocked-out tank lying on ground the enemy holds (an enemy unit within
  ``recovery.enemy_holds_m`` and none of its own side as near) is written off once the
  enemy has held it for ``recovery.enemy_holds_h`` (blown up or dragged away); if its
  side takes the ground back first, the count starts again;
- a free recovery team (``recovery.teams_per_battalion``) goes out to a knocked-out or
  bogged tank it can reach: by day only to a tank not fired at for ``recovery.quiet_min``
  and no nearer an enemy unit than ``recovery.no_go_day_m``; at night to any tank no
  nearer an enemy unit than ``recovery.no_go_night_m``. The tow takes ``recovery.tow_h``
  (a bogged tank ``recovery.bogged_tow_h``), ``recovery.under_fire_factor`` times as long
  if the tank was fired at within ``recovery.quiet_min``;
- a bogged tank towed out is back in action where it stood; a knocked-out one is taken
  to the collection point (its battalion's start position). The brigade repairs
  ``repair.field_share`` of them, in ``repair.immobilised_h`` or ``repair.damaged_h``;
  the rest go back to a factory, out of the battle but not written off.

At the end of the run, a knocked-out tank still lying on ground the enemy holds counts as
written off (:meth:`TankRecoverySystem.left_to_enemy`, read by the metrics).

Reads: the ``recovery.*`` and ``repair.*`` parameters (scenarios/params/recovery.yaml).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from khasan_sim.engine import world
from khasan_sim.engine.kernels.movement import nearest_ground
from khasan_sim.engine.kernels.recovery import battalion_tank_rows, tanks_out_on_field_by_battalion
from khasan_sim.engine.state import (
    TANK_BOGGED,
    TANK_DAMAGED,
    TANK_DESTROYED,
    TANK_OPERATIONAL,
    TankState,
    UnitState,
)
from khasan_sim.engine.systems.common import ProcessGen

_ON_FIELD = "on_field"
_DAMAGED_CODE = world.TANK_STATUS.index(TANK_DAMAGED)
_BOGGED_CODE = world.TANK_STATUS.index(TANK_BOGGED)


class Battalions(NamedTuple):
    """The tank battalions the technical officers look over, and their tanks."""

    units: list[UnitState]  # the battalions, in id order
    unit_ids: list[str]  # their ids
    side_names: list[str]  # their sides
    tanks: list[TankState]  # their tanks, battalion after battalion, each's in id order
    rows: np.ndarray  # the tanks' rows in the tank table
    rows_list: list[int]  # the same, as a list
    starts: np.ndarray  # where each battalion's tanks start in them (and the last one's end)
    battalion_of: list[int]  # each tank's battalion (its place in units)
    sides: np.ndarray  # each battalion's side code
    with_bogged: np.ndarray  # written each check: the battalion has a team free
    out: np.ndarray  # the kernel's answer (written into)


class TankRecoverySystem:
    """Recovery teams, repair and the write-off of tanks left to the enemy."""

    def _recovery_constants(self) -> None:
        p = self.params
        self._rec = {
            "check": p.f("recovery.check_min"),
            "teams": int(p.f("recovery.teams_per_battalion")),
            "tow": p.f("recovery.tow_h") * 60.0,
            "bogged_tow": p.f("recovery.bogged_tow_h") * 60.0,
            "under_fire": p.f("recovery.under_fire_factor"),
            "quiet": p.f("recovery.quiet_min"),
            "no_go_day": p.f("recovery.no_go_day_m"),
            "no_go_night": p.f("recovery.no_go_night_m"),
            "holds_m": p.f("recovery.enemy_holds_m"),
            "holds_min": p.f("recovery.enemy_holds_h") * 60.0,
            "field_share": p.f("repair.field_share"),
            "immobilised": p.f("repair.immobilised_h") * 60.0,
            "damaged": p.f("repair.damaged_h") * 60.0,
        }
        self._teams_free = {u.id: self._rec["teams"] for u in self.units.values() if u.tanks}
        self._battalions: Battalions | None = None  # _look_over's: made at the first check

    def _recovery_service(self) -> ProcessGen:
        """Look over every tank battalion's tanks out of action, every check_min."""
        while True:
            yield self.env.timeout(self._rec["check"])
            self._tick()
            self._look_over()

    def _tank_battalions(self) -> Battalions:
        """Return the tank battalions, in id order, with their tanks in id order (a
        battalion's tanks never change) and the arrays the look-over's kernel reads."""
        units = [self.units[uid] for uid in sorted(self._teams_free)]
        tanks = [sorted(u.tanks, key=lambda x: x.id) for u in units]
        rows, starts = battalion_tank_rows([np.array([t.row for t in order], dtype=np.int64) for order in tanks])
        return Battalions(
            units, [u.id for u in units], [u.side for u in units], [t for order in tanks for t in order], rows, rows.tolist(), starts,
            [b for b, order in enumerate(tanks) for _ in order],
            np.array([world.SIDES.index(u.side) for u in units], dtype=np.int64), np.zeros(len(units), dtype=np.bool_),
            np.zeros((len(rows), 3)),
        )

    def _look_over(self) -> None:
        """Each tank battalion's technical officer looks over its tanks out of action, the
        battalions in id order, their tanks in id order (see the module's docstring).

        Only the tanks that can need a team or be written off are looked at: the
        knocked-out ones still on the field, and the bogged ones of a battalion with a team
        free, not fired at lately unless at night (:meth:`_can_reach`: the loop reads
        nothing else of the others, and nothing in it frees a team or changes another
        tank); with the nearest enemy and own ground units of each,
        asked of the kernel at once for all the battalions: nothing the loop does moves a
        unit or changes its men, nor moves a tank, and a battalion's look changes only its
        own tanks and teams (a tow goes out as a process, later)."""
        bt = self._battalions
        if bt is None:
            bt = self._battalions = self._tank_battalions()
        teams = self._teams_free
        with_bogged = bt.with_bogged
        for b, uid in enumerate(bt.unit_ids):
            with_bogged[b] = teams[uid] > 0
        ut, tt = self.unit_table, self.tank_table
        r = self._rec
        now = self.now
        night = self.is_night()
        n = tanks_out_on_field_by_battalion(
            ut.f, ut.i, self._roster().ground_rows, tt.f, tt.i, bt.rows, bt.starts, bt.sides, with_bogged, bt.out,
            night, now, r["quiet"],
        )
        if not n:
            return
        ti, tf = tt.i, tt.f
        holds_m, holds_min = r["holds_m"], r["holds_min"]
        for k, enemy, own in bt.out[:n].tolist():
            k = int(k)
            b = bt.battalion_of[k]
            row = bt.rows_list[k]
            if ti.item(row, world.T_STATUS) == _DAMAGED_CODE:  # knocked out, on the field
                status = TANK_DAMAGED
                if enemy <= holds_m and own > enemy:  # _enemy_holds
                    since = tf.item(row, world.T_ENEMY_SINCE)  # t.enemy_since_min
                    if since < 0:
                        tf[row, world.T_ENEMY_SINCE] = now
                    elif now - since >= holds_min:
                        self._write_off(bt.tanks[k], "enemy holds the ground")
                        continue
                    continue  # no team goes into the enemy's lines
                tf[row, world.T_ENEMY_SINCE] = -1.0
            else:
                status = TANK_BOGGED
            uid = bt.unit_ids[b]
            if teams[uid] <= 0:
                continue
            t = bt.tanks[k]
            if self._can_reach(t, bt.side_names[b], enemy, night):
                u = bt.units[b]
                teams[uid] -= 1
                if status == TANK_DAMAGED:
                    t.recovery = "in_tow"
                self._emit("recovery_team_out", tank=t.id, unit=uid, status=status)
                self.env.process(self._tow(t, u, status))

    def _tow(self, t: TankState, u: UnitState, was: str) -> ProcessGen:
        r = self._rec
        dur = r["tow"] if was == TANK_DAMAGED else r["bogged_tow"]
        if self.now - t.last_under_fire_min < r["quiet"]:
            dur *= r["under_fire"]
        try:
            yield self.env.timeout(dur)
            self._tick()
        finally:
            self._teams_free[u.id] += 1
        if was == TANK_BOGGED:
            if t.status != TANK_BOGGED:  # freed by its crew, or hit, while the team worked
                return
            t.status = TANK_OPERATIONAL
            self.tanks_recovered[u.side] += 1
            self._emit("recovered", tank=t.id, unit=u.id, x=t.x, y=t.y, by="team")
            self._update_tank_unit_position(u)
            return
        if t.status != TANK_DAMAGED:
            return
        # to the collection point: where the battalion started
        t.x, t.y = u.home_x, u.home_y
        t.recovery = "in_repair"
        self.tanks_recovered[u.side] += 1
        self._emit("recovered", tank=t.id, unit=u.id, x=t.x, y=t.y, by="team", damage=t.damage)
        if self.rng.get("repair", t.id).random() >= r["field_share"]:
            t.recovery = "to_factory"
            self._emit("sent_to_factory", tank=t.id, unit=u.id)
            return
        yield self.env.timeout(r["immobilised"] if t.damage == "immobilised" else r["damaged"])
        self._tick()
        if t.status != TANK_DAMAGED or t.recovery != "in_repair":
            return
        t.status = TANK_OPERATIONAL
        t.damage = "none"
        t.recovery = _ON_FIELD
        t.enemy_since_min = -1.0
        self.tanks_repaired[u.side] += 1
        self._emit("repaired", tank=t.id, unit=u.id)
        self._update_tank_unit_position(u)

    def _write_off(self, t: TankState, why: str) -> None:
        t.status = TANK_DESTROYED
        t.written_off = True
        self._emit("written_off", tank=t.id, unit=t.unit, reason=why)

    def _enemy_near(self, t: TankState, side: str) -> tuple[float, float]:
        """Return the distance from *t* to the nearest enemy ground unit with men, and to
        the nearest of its own side's (infinity if none)."""
        ut = self.unit_table
        return nearest_ground(ut.f, ut.i, self._roster().ground_rows, t.x, t.y, world.SIDES.index(side))

    def _enemy_holds(self, t: TankState, side: str) -> bool:
        """Return True if the enemy holds the ground *t* lies on."""
        enemy, own = self._enemy_near(t, side)
        return enemy <= self._rec["holds_m"] and own > enemy

    def _can_reach(self, t: TankState, side: str, enemy: float | None = None, night: bool | None = None) -> bool:
        """Return True if a recovery team can go out to *t* now (*enemy*: the distance to
        the nearest enemy ground unit, and *night*: :meth:`is_night`, when the caller has
        them)."""
        if enemy is None:
            enemy, _ = self._enemy_near(t, side)
        if night is None:
            night = self.is_night()
        if night:
            return enemy > self._rec["no_go_night"]
        return (
            enemy > self._rec["no_go_day"]
            and self.now - t.last_under_fire_min >= self._rec["quiet"]
        )

    def left_to_enemy(self, side: str) -> int:
        """Return the knocked-out tanks of *side* still lying on ground the enemy holds
        (at the ceasefire they are lost with the ground)."""
        return sum(
            1
            for u in self.units.values()
            if u.side == side
            for t in u.tanks
            if t.status == TANK_DAMAGED and t.recovery == _ON_FIELD and self._enemy_holds(t, side)
        )
