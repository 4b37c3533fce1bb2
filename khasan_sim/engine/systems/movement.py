"""Movement of men and towed guns: routes (planned once per start, goal and waypoints; an
order's own route is an axis the units keep to, across soft ground, see
:func:`khasan_sim.terrain.routes.plan_route`), the tank columns' waypoints over the
crossings, starting a unit's move (its tanks' moves are in :mod:`.tank_movement`), and the foot and towed moves leg by leg: pinned men go to
ground, men at the enemy's wire are slowed, and men who halt dig in.

Reads: ``engine.pulse_min``, ``engine.leg_m``, ``engine.foot_leg_min``, ``engine.tank_spacing_min``,
``engine.deployed_spacing_min``,
``engine.crossing_group_m``, ``mobility.night_factor.foot``, ``morale.pin_suppression``,
``fire.wire_delay_factor``, ``fire.close_assault_range_m``, ``morale.falling_back_least_speed``; ``command.dig_in_on_halt`` (engineering.py).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from khasan_sim.engine import world
from khasan_sim.engine.kernels.movement import near_wire
from khasan_sim.engine.state import TANK_OPERATIONAL, TankState, UnitState
from khasan_sim.engine.systems.common import _FALLING_BACK, ARRAY_SUM, ProcessGen
from khasan_sim.model import morale, movement
from khasan_sim.terrain import plan_route

_AIR = world.UNIT_TYPES.index("air")
_STATES = morale.STATES  # by the unit table's state code
_NO_ENTRENCHMENT = world.ENTRENCHMENT.index("none")
_U_X, _U_Y, _U_SUPPRESSION, _U_STATE, _U_MOVING, _U_ENTRENCH = (
    world.U_X, world.U_Y, world.U_SUPPRESSION, world.U_STATE, world.U_MOVING, world.U_ENTRENCH,
)
_FOOT_LEGS: dict[tuple[int, float, float], tuple[Any, list[tuple[float, float, float]]]] = {}  # per process
_LEGS_LIMIT = 20_000


class MovementSystem:
    """Movement: routes, start_move and the foot and towed moves."""

    def _route(
        self, mobility: str, side: str, start: tuple[float, float], goal: tuple[float, float], via: list[tuple[float, float]],
        axis: bool = False,
    ) -> Any:
        """Return the route from *start* (a tuple) through *via* (tuples) to *goal* (a tuple).

        Routes are kept for the run by the cells of the start, waypoints and goal: the
        first route asked between cells answers every later question between the same
        cells. The same question again (the same points: a unit's tanks standing
        together, some 375 of the ~530 questions a run) is answered under its points,
        without working out the cells; both keys live in ``_route_cache``, which a
        crossing built empties (systems/engineering.py)."""
        at = (None, mobility, side, start, goal, tuple(via), axis)  # (a cells' key starts with the class)
        r = self._route_cache.get(at)
        if r is not None:
            return r
        cell = self.cell
        key = (mobility, side, cell(*start), cell(*goal), tuple([cell(*v) for v in via]), axis)
        r = self._route_cache.get(key)
        if r is None:
            forbidden = self.forbidden.get(side)
            r = plan_route(self.terrain, mobility, start, goal, waypoints=tuple(via), forbidden=forbidden, follow_axis=axis)
            self._route_cache[key] = r
        self._route_cache[at] = r
        return r

    def start_move(
        self, u: UnitState, goal: tuple[float, float], via: list[tuple[float, float]], axis: bool = False, deployed: bool = False,
    ) -> None:
        """Plan routes and start the movement processes of a unit (and of each of its tanks).

        With *axis* (an order that gives its route) the tanks' legs keep to the ordered
        axis across soft ground; otherwise, and for men on foot, the quickest way is taken.
        A tank unit's tanks set off one after another, at the march column's interval or,
        *deployed* (an attack order's ``formation: deployed``), at the deployed one.
        """
        self.stop(u)
        if u.is_air:
            return
        if u.tanks:
            live = [t for t in u.tanks if t.status == TANK_OPERATIONAL]
            columns = self._columns(u, live, goal, via, axis)
            spacing = self.params.f("engine.deployed_spacing_min" if deployed else "engine.tank_spacing_min")
            for t in live:
                delay = (t.column // len(columns)) * spacing
                self._start_tank(t, u.side, goal, columns[t.column % len(columns)], axis, delay)
            u.moving = bool(live)
            return
        mob = "towed" if u.type in ("artillery",) else "foot"
        # men on foot and towed guns take the quickest way through the waypoints: an
        # extended line walks round the wettest patches within its frontage, and the
        # swamp's cost to them is their speed (kept to the axis too, the infantry took
        # Zaozernaya in its window in 40% of 200 runs: not adopted without a source)
        route = self._route(mob, u.side, (u.x, u.y), goal, via)
        u.moving = True
        self.env.process(self._unit_move(u, route, u.token))

    def _start_tank(
        self, t: TankState, side: str, goal: tuple[float, float], via: list[tuple[float, float]], axis: bool, delay_min: float,
    ) -> None:
        """Plan a tank's route to *goal* through *via* and set it going after *delay_min*."""
        route = self._route(t.mobility, side, (t.x, t.y), goal, via, axis)
        t.moving = True
        self.env.process(self._tank_move(t, route, t.token, delay_min))

    def _columns(
        self, u: UnitState, live: list[TankState], goal: tuple[float, float], via: list[tuple[float, float]], axis: bool = False,
    ) -> list[list[tuple[float, float]]]:
        """Return the waypoint lists of the tank columns: one per crossing near the one the
        route uses, each column taking the route with its own crossing in the route's place.

        The waypoints the route passes before its first crossing stay ahead of the
        column's crossing and those after it stay behind; a waypoint at the route's
        crossing itself (within 60 m) is the crossing, and is replaced by the column's.
        (Before, the column's crossing was put ahead of every waypoint, so a column whose
        route crossed the stream after its first waypoints crossed it at its own crossing,
        came back over the stream to the first waypoint and crossed again.)
        """
        if not live or not self.terrain.crossings:
            return [via]
        lead = live[0]
        base = self._route(lead.mobility, u.side, (lead.x, lead.y), goal, via, axis)
        at = [i for i, c in enumerate(base.seg_crossing) if c]
        if not at:
            return [via]
        first_seg = at[0]
        xing = {c.id: c for c in self.terrain.crossings}
        c0 = xing[base.seg_crossing[first_seg]]
        near_m = self.params.f("engine.crossing_group_m")
        group = sorted(
            (c for c in self.terrain.crossings if math.hypot(c.x_m - c0.x_m, c.y_m - c0.y_m) <= near_m),
            key=lambda c: c.id,
        )
        before, after = _split_at_crossing(base.points_m, via, first_seg, (c0.x_m, c0.y_m))
        return [[*before, (c.x_m, c.y_m), *after] for c in group]

    def _unit_move(self, u: UnitState, route: Any, token: int) -> ProcessGen:
        if not route.reachable or len(route.points_m) < 2:
            self._emit("route_blocked", unit=u.id, x=u.x, y=u.y)
            u.moving = False
            return
        cp = self.cp
        legs = self._foot_legs(route)
        p = self.params
        night_factor = p.f("mobility.night_factor.foot")
        pin = p.f("morale.pin_suppression")
        falling_back_least = p.f("morale.falling_back_least_speed")
        self._emit("move_start", unit=u.id, length_m=float(route.length_m))
        row = u.row
        # a move resumes some 2,000 times a run: what each leg reads is held in locals and
        # _tick is written out (n_events += 1)
        timeout, is_night, speed_factor = self.env.timeout, self.is_night, movement.infantry_speed_factor
        for minutes, x, y in legs:
            while True:
                if u.token != token:
                    return
                # the unit's row, read directly (the table's arrays are new when it grows: looked up each time)
                ut = self.unit_table
                ui = ut.i
                state = _STATES[ui.item(row, _U_STATE)]
                falling_back = u.activity in ("retreating", "withdrawing")
                if state in _FALLING_BACK and not falling_back:
                    u.moving = False
                    return
                advancing = u.activity == "attacking"
                f = speed_factor(ut.f.item(row, _U_SUPPRESSION), is_night(), night_factor, pin)
                if advancing and not morale.can_advance(state):
                    f = 0.0
                if falling_back:
                    f = max(f, falling_back_least)
                if f > 0:
                    ui[row, _U_MOVING] = 1  # u.moving = True
                    if ui.item(row, _U_ENTRENCH) != _NO_ENTRENCHMENT:
                        # men who leave their scrapes, trenches or works are in the open
                        self._emit("left_position", unit=u.id, was=u.entrenchment)
                        u.entrenchment = "none"
                    break
                # pinned or not allowed to advance: the men go to ground until they can move
                ui[row, _U_MOVING] = 0  # u.moving = False
                yield timeout(cp.pulse_min)
                self.n_events += 1
            dur = minutes / f
            if advancing and self._at_wire(u):
                dur /= cp.wire_delay
            yield timeout(dur)
            self.n_events += 1
            if u.token != token:
                return
            uf = self.unit_table.f
            uf[row, _U_X] = x
            uf[row, _U_Y] = y
        u.moving = False
        self._emit("move_end", unit=u.id, x=u.x, y=u.y)
        if u.activity in ("attacking", "moving"):
            u.activity = "holding"
        # men who halt dig in where they stand (scrapes in an hour, then trenches),
        # whether they took ground or fell back to it
        self._dig_in_where_halted(u)

    def _foot_legs(self, route: Any) -> list[tuple[float, float, float]]:
        """Return a route walked on foot as legs (minutes at the ground's pace, and the
        point each ends at), worked out once per route and kept per process like the
        routes themselves (:func:`movement.foot_legs`)."""
        key = (id(route), self.cp.leg_m, self.cp.foot_leg_min)
        hit = _FOOT_LEGS.get(key)
        if hit is not None and hit[0] is route:
            return hit[1]
        pts = route.points_m.tolist()
        # each segment's minutes, worked out for the whole route; a leg's are numpy's sum over its slice (ARRAY_SUM)
        seg_min = route.seg_length_m / (np.maximum(route.seg_speed_kmh, 0.05) * 1000.0 / 60.0)
        legs = []
        for a, b in movement.foot_legs(route.seg_length_m, route.seg_speed_kmh, self.cp.leg_m, self.cp.foot_leg_min):
            legs.append((float(ARRAY_SUM(seg_min[a:b], None)), pts[b][0], pts[b][1]))
        if len(_FOOT_LEGS) >= _LEGS_LIMIT:
            _FOOT_LEGS.clear()
        _FOOT_LEGS[key] = (route, legs)
        return legs

    def _at_wire(self, u: UnitState) -> bool:
        """Return True if *u* is within twice close-assault range of an enemy unit behind wire."""
        ut = self.unit_table
        uf, ui, row = ut.f, ut.i, u.row
        return near_wire(uf, ui, ut.n, ui.item(row, world.U_SIDE), uf.item(row, _U_X), uf.item(row, _U_Y), self.cp.close_assault_m * 2)


def _split_at_crossing(
    points: np.ndarray, via: list[tuple[float, float]], crossing_seg: int, crossing_xy: tuple[float, float],
) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """Return the waypoints a route passes before its crossing and those after it.

    Each waypoint is placed on the route at the nearest of its points from the previous
    waypoint's place on (the route passes them in order); the crossing is entered by
    segment *crossing_seg* (points ``crossing_seg`` to ``crossing_seg + 1``). A waypoint
    within 60 m of the crossing is the crossing itself and is left out of both.
    """
    before: list[tuple[float, float]] = []
    after: list[tuple[float, float]] = []
    j = 0
    for w in via:
        if math.hypot(w[0] - crossing_xy[0], w[1] - crossing_xy[1]) <= 60.0:
            j = max(j, crossing_seg + 1)
            continue
        rest = points[j:]
        j += int(np.argmin(np.hypot(rest[:, 0] - w[0], rest[:, 1] - w[1])))
        (before if j <= crossing_seg else after).append(w)
    return before, after
