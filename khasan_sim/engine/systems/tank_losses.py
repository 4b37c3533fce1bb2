"""Tank losses: a tank knocked out (burnt out, or damaged and sent for repair), its crew's
casualties, the battalion's loss of command when its command tanks are all out, and the
repair attempt that puts a damaged tank back or writes it off (always, with the enemy near).

Reads: ``fire.tank_burn_fraction``, ``fire.tank_crew_casualties``, ``fire.killed_fraction``,
``morale.leader_loss``, ``repair.attempt_h``, ``repair.success_chance``,
``repair.enemy_near_m``.
"""

from __future__ import annotations

import math

import numpy as np

from khasan_sim.engine.state import (
    TANK_DAMAGED,
    TANK_DESTROYED,
    TANK_FIRING,
    TANK_OPERATIONAL,
    TankState,
)
from khasan_sim.engine.systems.common import ProcessGen


class TankLossesSystem:
    """Tank losses: knocked out, repaired or written off."""

    def _repair(self, t: TankState) -> ProcessGen:
        p = self.params
        every = p.f("repair.attempt_h") * 60.0
        chance = p.f("repair.success_chance")
        near = p.f("repair.enemy_near_m")
        rng = self.rng.get("repair", t.id)
        yield self.env.timeout(every)
        self._tick()
        if t.status != TANK_DAMAGED:
            return
        side = self.units[t.unit].side
        enemy_near = any(
            self.units[v].side != side and self.units[v].men > 0 and math.hypot(self.units[v].x - t.x, self.units[v].y - t.y) < near
            for v in self.ground_ids
        )
        if not enemy_near and rng.random() < chance:
            t.status = TANK_OPERATIONAL
            side = self.units[t.unit].side
            self.tanks_repaired[side] += 1
            self.tanks_recovered[side] += 1  # a repaired tank is one its side brought back
            self._emit("repaired", tank=t.id, unit=t.unit)
        else:
            t.status = TANK_DESTROYED
            t.written_off = True
            self._emit("written_off", tank=t.id, unit=t.unit, enemy_near=int(enemy_near))

    def _knock_out(self, t: TankState, g: np.random.Generator, cause: str) -> None:
        u = self.units[t.unit]
        was = t.status
        t.knocked_out += 1
        t.moving = False
        t.token += 1
        burn = g.random() < self.cp.tank_burn_fraction
        t.status = TANK_DESTROYED if burn else TANK_DAMAGED
        crew = min(u.men, int(g.binomial(3, min(1.0, self.cp.tank_crew_casualties / 3.0))))
        if crew:
            k = int(g.binomial(crew, self.cp.killed_fraction * (2.0 if burn else 1.0)))
            u.men -= crew
            u.killed += k
            u.wounded += crew - k
            u.pulse_loss += crew
        self._emit("tank_knocked_out", tank=t.id, unit=t.unit, burnt=int(burn), was=was, command=int(t.command), cause=cause)
        if not burn:
            self.env.process(self._repair(t))
        if t.command and u.command_intact and all(x.status not in TANK_FIRING for x in u.tanks if x.command):
            u.command_intact = False
            u.shocks += self.params.f("morale.leader_loss")
            self._emit("command_lost", unit=u.id, cause=cause)
            # Without its commanders the battalion stops and fires from where it stands.
            for x in u.tanks:
                x.token += 1
                x.moving = False
            u.moving = False
        self._update_tank_unit_position(u)
