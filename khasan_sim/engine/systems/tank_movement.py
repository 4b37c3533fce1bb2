"""Tank movement: each tank's move leg by leg, the queue at the crossings, the ruts that
earlier passes leave on soft ground, the zones a tank reaches, and where a tank battalion
stands (its middle tank). Bogging down on a leg and the crew freeing the tank are
:mod:`.bogging`'s; the recovery teams' tows :mod:`.tank_recovery`'s.

Reads: ``engine.leg_m``, ``bogging.rut_factor_per_pass``, ``bogging.rut_passes_cap``,
``mobility.night_factor.<mobility>``; the bog rates themselves come with the route
(``plan_route``).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from khasan_sim.engine import world
from khasan_sim.engine.kernels.movement import middle_tank
from khasan_sim.engine.state import (
    TankState,
    UnitState,
)
from khasan_sim.engine.systems.common import ARRAY_SUM, ProcessGen
from khasan_sim.model import movement

_DESTROYED = world.TANK_STATUS.index("destroyed")
_OPERATIONAL = world.TANK_STATUS.index("operational")
_T_X, _T_Y, _T_SPEED, _T_STATUS = world.T_X, world.T_Y, world.T_SPEED, world.T_STATUS
_U_X, _U_Y, _U_MOVING = world.U_X, world.U_Y, world.U_MOVING
_LEGS: dict[tuple[int, float, int], tuple[Any, list[TankLeg]]] = {}  # the legs of routes, per process
_LEGS_LIMIT = 20_000

class TankLeg(NamedTuple):
    """One leg of a tank's route: segments a..b, its time and ground, worked out once per route."""

    a: int
    b: int
    minutes: float  # at the segments' speeds, by day
    length_m: float
    crossing: str  # the crossing the leg enters, else ""
    soft_m: float
    p_bog_per_100m: float
    bog_seg: int  # its segment with that chance (the first of equals): the ground a bogging is put down to
    rut_cell: tuple[int, int]  # the cell whose passes rut soft ground on this leg
    zones: tuple[str, ...]  # zones the leg's points lie in, in the order entered
    x: float  # where the leg ends
    y: float


class TankMovementSystem:
    """Tank movement: legs, crossings, ruts (bogging: :class:`.bogging.BoggingSystem`)."""

    def _tank_move(self, t: TankState, route: Any, token: int, delay_min: float) -> ProcessGen:
        # a move resumes some 4,000 times a run: what each leg reads is held in locals, the
        # leg's fields are unpacked at once, and _tick is written out (n_events += 1)
        self._give_up_crossing_wait(t)  # a new move: the old one's place in a queue goes
        # the tank's row of numbers, read and written directly on every leg through views
        # of its row (the tank table never grows after setup, so its arrays stay the same
        # objects; a view's item is written a third of the time of the table's [row, col])
        numbers = self.tank_table.f[t.row]
        status = self.tank_table.i[t.row].item
        env = self.env
        numbers[_T_SPEED] = 0.0  # it stands until its first leg begins
        if delay_min > 0:
            yield env.timeout(delay_min)
            self.n_events += 1
        if t.token != token:
            return
        if not route.reachable or len(route.points_m) < 2:
            self._emit("route_blocked", tank=t.id, x=t.x, y=t.y)
            t.moving = False
            return
        p = self.params
        rut = p.f("bogging.rut_factor_per_pass")
        cap = int(p.f("bogging.rut_passes_cap"))
        night_factor = p.f(f"mobility.night_factor.{t.mobility}")
        rng = self.rng.get("bog", t.id)
        timeout, is_night, rutted_bog_rate = env.timeout, self.is_night, movement.rutted_bog_rate
        soft_passes, closing_up, reached = self.soft_passes, self._closing_up, t.reached
        if status(_T_STATUS) != _OPERATIONAL:  # knocked out or bogged while it waited to set off
            t.moving = False
            return
        # its token and status are looked at after each wait (a leg, a crossing's queue):
        # nothing between one leg's end and the next's start changes them
        for leg in self._tank_legs(route):
            _a, _b, dur, length_m, xing, soft_m, p100, _worst, rut_cell, zones, x, y = leg
            if is_night():
                dur /= night_factor
            # its speed on the leg, which its exposure to aimed fire reads (direct_fire.py)
            speed = length_m * 0.06 / dur if dur > 0 else 0.0  # metres a minute to km/h
            numbers[_T_SPEED] = speed
            if xing:
                crossing = self.crossings[xing]
                req = crossing.request(priority=0)
                t0 = self.now
                if not req.triggered:
                    # a new move or a knock-out cancels the request (the process then
                    # waits for good: nothing is left for it to do)
                    self._crossing_waits[t.id] = req
                    numbers[_T_SPEED] = 0.0  # it stands in the queue
                    blocker = self.crossing_blocked.get(xing)
                    if blocker is not None:
                        self._emit("held_at_crossing", tank=t.id, unit=t.unit, crossing=xing, by=blocker,
                                   x=numbers.item(_T_X), y=numbers.item(_T_Y))
                yield req
                self.n_events += 1
                self._crossing_waits.pop(t.id, None)
                if t.token != token or status(_T_STATUS) != _OPERATIONAL:
                    # stopped while it waited (its command lost, say): it does not cross
                    crossing.release(req)
                    t.moving = False
                    return
                waited = self.now - t0
                numbers[_T_SPEED] = speed
                if waited > 0:
                    self._emit("queued", tank=t.id, crossing=xing, wait_min=waited)
                passes = self.crossing_passes[xing]
                self.crossing_passes[xing] = passes + 1
                # the rutted rate is read only on soft ground (a pure function: not worked out else)
                p_eff = rutted_bog_rate(p100, passes, rut, cap) if soft_m > 0 else 0.0
                try:
                    yield timeout(dur)
                    self.n_events += 1
                finally:
                    crossing.release(req)
            else:
                if soft_m > 0:
                    passes = soft_passes.get(rut_cell, 0)
                    soft_passes[rut_cell] = passes + 1
                    p_eff = rutted_bog_rate(p100, passes, rut, cap)
                yield timeout(dur)
                self.n_events += 1
            if t.token != token or status(_T_STATUS) != _OPERATIONAL:
                t.moving = False
                return
            # zones entered on this leg
            for z in zones:
                if z not in reached:
                    reached.add(z)
                    self._emit("tank_reached", tank=t.id, unit=t.unit, zone=z)
            if soft_m > 0 and self._bogs_down(t, route, leg, p_eff, passes, rng):
                return
            numbers[_T_X] = x
            numbers[_T_Y] = y
            if closing_up and closing_up.get(t.id) == token and self._closed_up(t, x, y):
                return
        t.moving = False
        self._update_tank_unit_position(self.units[t.unit])

    def _closed_up(self, t: TankState, x: float, y: float) -> bool:
        """Stop tank *t*, closing up on the move it was on when its unit lost its command (at
        *x*, *y* now), if it is within ``command.close_up_m`` of a tank of its unit stopped
        ahead; say so and return True. A later move (a new order, a retreat) is not closing up."""
        u = self.units[t.unit]
        d2 = self.params.f("command.close_up_m") ** 2
        ahead = next((h for h in u.tanks if h is not t and not h.moving and (x - h.x) ** 2 + (y - h.y) ** 2 <= d2), None)
        if ahead is None:
            return False
        t.moving = False
        del self._closing_up[t.id]
        self._emit("closed_up", tank=t.id, unit=t.unit, behind=ahead.id, x=x, y=y)
        self._update_tank_unit_position(u)
        return True

    def _give_up_crossing_wait(self, t: TankState) -> None:
        """Cancel tank *t*'s place in a crossing's queue, if it is waiting for one."""
        req = self._crossing_waits.pop(t.id, None)
        if req is not None and not req.triggered:
            req.cancel()

    def _tank_legs(self, route: Any) -> list[TankLeg]:
        """Return a tank route's legs with what each needs, worked out once per route.

        The legs are a pure function of the route, the leg length and the zones (the
        routes are memoised per process, terrain/routes.py), so they are kept per process
        too, for the runs of a batch worker (a bounded table, emptied when full). The
        segments' minutes and the points' cells and zones are worked out for the whole
        route at once; each leg's sums are numpy's over the leg's slice, as before
        (:data:`.common.ARRAY_SUM`).
        """
        key = (id(route), self.cp.leg_m, self._zones_key)
        hit = _LEGS.get(key)
        if hit is not None and hit[0] is route:
            return hit[1]
        seg_crossing = route.seg_crossing
        crossing_seg = [bool(c) for c in seg_crossing]
        pts = route.points_m.tolist()
        seg_len = route.seg_length_m
        seg_min = seg_len / (np.maximum(route.seg_speed_kmh, 0.05) * 1000.0 / 60.0)
        seg_soft = route.seg_soft
        soft_before = np.concatenate(([0], np.cumsum(seg_soft, dtype=np.int64))).tolist()  # soft segments before each
        p_bog = route.seg_p_bog_per_100m
        bits = self._point_zone_bits(route.points_m)
        legs: list[TankLeg] = []
        for a, b in movement.split_legs(seg_len.tolist(), self.cp.leg_m, breaks=crossing_seg):
            if soft_before[b] > soft_before[a]:
                soft_m = float(ARRAY_SUM(seg_len[a:b][seg_soft[a:b]], None))
            else:
                soft_m = 0.0
            worst = a + int(p_bog[a:b].argmax()) if soft_m > 0 else a
            xa, ya = pts[a]
            legs.append(TankLeg(
                a=a,
                b=b,
                minutes=float(ARRAY_SUM(seg_min[a:b], None)),
                length_m=float(ARRAY_SUM(seg_len[a:b], None)),
                crossing=seg_crossing[a] if crossing_seg[a] else "",
                soft_m=soft_m,
                p_bog_per_100m=float(p_bog[worst]) if soft_m > 0 else 0.0,
                bog_seg=worst,
                rut_cell=self.cell(xa // 100.0 * 100.0, ya // 100.0 * 100.0),
                zones=self._zones_of_bits(bits[a : b + 1]),
                x=pts[b][0],
                y=pts[b][1],
            ))
        if len(_LEGS) >= _LEGS_LIMIT:
            _LEGS.clear()
        _LEGS[key] = (route, legs)
        return legs

    def _zones_along(self, points: np.ndarray) -> tuple[str, ...]:
        """Return the zones the points lie in, in the order they are first entered."""
        return self._zones_of_bits(self._point_zone_bits(points))

    def _point_zone_bits(self, points: np.ndarray) -> list[int]:
        """Return the zone bits of each of the (n, 2) points' cells, 0 for points off the map."""
        g = self.terrain.grid
        xs, ys = points[:, 0], points[:, 1]
        on_map = (xs >= 0.0) & (xs < g.width_m) & (ys >= 0.0) & (ys < g.height_m)
        # the cells of the points on the map, as self.cell finds them (floor division)
        r = np.where(on_map, ys // g.cell_m, 0.0).astype(np.int64)
        c = np.where(on_map, xs // g.cell_m, 0.0).astype(np.int64)
        bits = self.zone_bits[np.minimum(r, g.nrows - 1), np.minimum(c, g.ncols - 1)]
        return np.where(on_map, bits, 0).tolist()

    def _zones_of_bits(self, bits: list[int]) -> tuple[str, ...]:
        """Return the zones of the points with zone *bits*, in the order they are first entered."""
        seen: dict[str, None] = {}
        for b in bits:
            b = int(b)
            while b:  # the zones of the set bits, lowest first (the zone_ids order)
                low = b & -b
                seen.setdefault(self.zone_ids[low.bit_length() - 1])
                b ^= low
        return tuple(seen)

    def _update_tank_unit_position(self, u: UnitState) -> None:
        # the battalion stands where its middle tank is (a mean could fall in the lake when
        # columns pass on both sides of it); ties go to the first tank by id
        tt, ut, row = self.tank_table, self.unit_table, u.row
        x, y, moving = middle_tank(tt.f, tt.i, self._tank_rows(u))
        # written to the unit's row as u.x, u.y and u.moving write it (some 500 times a run)
        if x == x:  # some tank is not destroyed
            ut.f[row, _U_X] = x
            ut.f[row, _U_Y] = y
        ut.i[row, _U_MOVING] = 1 if moving else 0

    def _tank_rows(self, u: UnitState) -> np.ndarray:
        """Return the rows of *u*'s tanks in the tank table, in id order (kept per unit)."""
        rows = self._tank_rows_of.get(u.id)
        if rows is None:
            rows = np.array([t.row for t in sorted(u.tanks, key=lambda t: t.id)], dtype=np.int64)
            self._tank_rows_of[u.id] = rows
        return rows
