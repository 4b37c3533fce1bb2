"""Bogging: a tank sticking in soft ground on a leg of its move, and its crew freeing it.

A tank's move (:mod:`.tank_movement`) goes leg by leg; on a leg over soft ground (swamp,
wet meadow, the stream's banks) it may bog down, at the leg's chance per 100 m of soft
ground, raised by the ruts of the tanks that passed there before
(:func:`khasan_sim.model.movement.rutted_bog_rate`: model-anchors 4b.3, the Vehicle Cone
Index's passes). A bogged tank stops where on the leg it stuck, stays a stationary target
(observed artillery fire on it: :mod:`.artillery`), and its crew tries to free it every
``bogging.recovery_attempt_h`` once no fire has fallen on it for
``bogging.recovery_needs_no_fire_min``; the battalion's recovery teams may tow it out
first (:mod:`.tank_recovery`).

Reads: ``bogging.recovery_chance_per_attempt``, ``bogging.recovery_attempt_h``,
``bogging.recovery_needs_no_fire_min``; the bog rates of the route's segments come with
the route (terrain/routes.py ``plan_route``, from ``scenarios/params/mobility.yaml``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from khasan_sim.engine import world
from khasan_sim.engine.state import TANK_BOGGED, TANK_OPERATIONAL, TankState
from khasan_sim.engine.systems.common import ProcessGen
from khasan_sim.model import movement
from khasan_sim.terrain.types import TerrainClass

_BOGGED = world.TANK_STATUS.index(TANK_BOGGED)
_T_STATUS, _T_LAST_FIRE = world.T_STATUS, world.T_LAST_FIRE
_GROUND = {c.value: c.name.lower() for c in TerrainClass}  # a terrain class's name, by its value


class BoggingSystem:
    """Bogging down on a leg, and the crew's attempts to free the tank."""

    def _bogs_down(self, t: TankState, route: Any, leg: Any, p_eff: float, passes: int, rng: np.random.Generator) -> bool:
        """Draw whether *t* bogs down on *leg* (soft ground on it, at *p_eff* per 100 m after
        *passes* earlier passes); if it does, stop it where it stuck, say so, set its crew
        to work, and return True."""
        soft_m = leg.soft_m
        if not movement.bogs_down(soft_m, p_eff, rng):
            return False
        a, b = leg.a, leg.b
        pts = route.points_m
        frac = movement.bog_point_fraction(rng)
        i = a + min(int(frac * (b - a)), b - a - 1)
        x, y = pts.item(i + 1, 0), pts.item(i + 1, 1)  # where it stuck (read below as these locals)
        t.x, t.y = x, y
        t.status = TANK_BOGGED
        t.times_bogged += 1
        t.moving = False
        self._emit(
            "bogged", tank=t.id, unit=t.unit, x=x, y=y, soft_m=soft_m, p_bog_per_100m=p_eff, crossing=leg.crossing,
            ground=self._segment_ground(route, leg.bog_seg),
            p_bog_unrutted_per_100m=leg.p_bog_per_100m, earlier_passes=passes, p_bog_leg=movement.bog_chance(soft_m, p_eff),
        )
        self.env.process(self._recover(t))
        if self.crossings:
            lane = self.params.f("bogging.crossing_lane_m")
            for c in self.terrain.crossings:
                if c.id in self.crossings and c.id not in self.crossing_blocked and (x - c.x_m) ** 2 + (y - c.y_m) ** 2 <= lane * lane:
                    self.crossing_blocked[c.id] = t.id
                    self.env.process(self._block_crossing(t, c.id))
                    break
        self._update_tank_unit_position(self.units[t.unit])
        return True

    def _block_crossing(self, t: TankState, cid: str) -> ProcessGen:
        """A tank bogged on a crossing's lane (the bridge and the corduroy over its banks)
        holds the crossing until it is out of the bog (freed by its crew or a team, or
        knocked out and pushed aside): the tanks behind it wait (the digest: crossings were
        bottlenecks under fire). It takes the crossing before any tank queued for it."""
        res = self.crossings[cid]
        req = res.request(priority=-1)
        self._emit("crossing_blocked", tank=t.id, unit=t.unit, crossing=cid, x=t.x, y=t.y)
        yield req
        self._tick()
        every, timeout = self.cp.pulse_min, self.env.timeout
        status = self.tank_table.i[t.row].item  # its status, read through a view of its row
        while status(_T_STATUS) == _BOGGED:
            yield timeout(every)
            self.n_events += 1
        del self.crossing_blocked[cid]
        self._emit("crossing_cleared", tank=t.id, unit=t.unit, crossing=cid, status=t.status)
        res.release(req)

    def _segment_ground(self, route: Any, seg: int) -> str:
        """Return the terrain class of the ground segment *seg* of *route* enters: for a
        bogging event's cause, the leg's worst soft ground for bogging (its segment with the
        highest chance per 100 m, :attr:`.tank_movement.TankLeg.bog_seg`)."""
        pts = route.points_m
        return _GROUND[int(self.terrain.terrain_class[self.cell(pts.item(seg + 1, 0), pts.item(seg + 1, 1))])]

    def _recover(self, t: TankState) -> ProcessGen:
        """The crew's attempts to free its bogged tank, one every attempt interval when no
        fire fell on it lately."""
        p = self.params
        chance = p.f("bogging.recovery_chance_per_attempt")
        every = p.f("bogging.recovery_attempt_h") * 60.0
        quiet = p.f("bogging.recovery_needs_no_fire_min")
        rng = None  # its stream, fetched at its first attempt (a tank is often towed out before)
        # the tank's row, read through views (the tank table never grows after setup)
        status, numbers = self.tank_table.i[t.row].item, self.tank_table.f[t.row]
        timeout = self.env.timeout
        while status(_T_STATUS) == _BOGGED:
            yield timeout(every)
            self.n_events += 1
            if status(_T_STATUS) != _BOGGED:
                return
            if self.now - numbers.item(_T_LAST_FIRE) < quiet:
                continue
            if rng is None:
                rng = self.rng.get("recover", t.id)
            if rng.random() < chance:
                # the crew frees its own tank: not a recovery (that is a team's tow,
                # tank_recovery.py), so not counted in <side>.tanks.recovered
                t.status = TANK_OPERATIONAL
                self._emit("unbogged", tank=t.id, unit=t.unit, x=t.x, y=t.y)
                return
