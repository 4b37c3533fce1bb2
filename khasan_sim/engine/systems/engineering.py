"""Engineering: digging in (scrapes, then trenches, as far as the ground allows) and sappers
building crossings over the stream, which are laid into the terrain when finished.

Reads: ``command.dig_in_hours.<level>``, ``command.dig_in_on_halt``, ``terrain.dig_limit`` (read
at setup, applied over a unit's frontage),
``engineering.crossing_radius_m``, ``engineering.crossing_effort_man_h``,
``engineering.effort_spread``, ``engineering.party_max_men``, ``engineering.night_factor``,
``engine.unit_frontage_m``, ``engine.pulse_min``, and the ``mobility`` and ``terrain``
subtrees for the new crossing's ground.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import simpy

from khasan_sim.engine.state import UnitState
from khasan_sim.engine.systems.common import _FALLING_BACK, ProcessGen
from khasan_sim.model import engineering
from khasan_sim.terrain import Crossing
from khasan_sim.terrain.load import nest

_LEVELS = ("none", "hasty", "trenches")  # what men dig, in order (works are built, not dug)


class EngineeringSystem:
    """Engineering: digging in and building crossings."""

    def _dig_in_where_halted(self, u: UnitState) -> None:
        """Men who halt (having taken ground, fallen back to it, or been told to stop and
        defend) dig in where they stand, unless ``command.dig_in_on_halt`` is off."""
        if self.params.f("command.dig_in_on_halt") > 0:
            self.env.process(self._dig_in(u, u.token))

    def _dig_in(self, u: UnitState, token: int) -> ProcessGen:
        """Scrape in, then dig trenches, as far as the ground where the unit stands allows
        (``terrain.dig_limit``), unless it moves off first."""
        if u.entrenchment not in _LEVELS:
            return  # in works already (fortified): nothing better to dig
        for lvl in ("hasty", "trenches"):
            if _LEVELS.index(u.entrenchment) >= _LEVELS.index(lvl):
                continue
            limit = self._dig_limit_in_frontage(u.x, u.y)
            if limit is not None and _LEVELS.index(lvl) > _LEVELS.index(limit):
                return  # the ground allows no more (on rock: sangars, no trenches)
            yield self.env.timeout(self.params.f(f"command.dig_in_hours.{lvl}") * 60.0)
            self._tick()
            if u.token != token or u.moving:
                return
            u.entrenchment = lvl
            self._emit("dug_in", unit=u.id, level=lvl)

    def _dig_limit_in_frontage(self, x: float, y: float) -> str | None:
        """Return the best entrenchment the ground lets a unit at (*x*, *y*) dig, or None for
        no limit: its men spread over its frontage (``engine.unit_frontage_m``), so they dig
        as far as most of the ground within half a frontage of it allows (``terrain.dig_limit``),
        not the one cell its centre stands on (a regiment on Zaozernaya's stony summit
        digs its trenches on the open slopes round it, where the Japanese had theirs)."""
        cell = self.cell(x, y)
        hit = self._dig_limits_at.get(cell)
        if hit is None:
            shared = self._dig_limits_shared()
            hit = shared.get(cell)
            if hit is None:
                hit = shared[cell] = self._dig_limit_worked_out(cell)
            self._dig_limits_at[cell] = hit
        return hit or None

    def _dig_limits_shared(self) -> dict[tuple[int, int], str]:
        """Return the limits worked out so far on this terrain with this run's frontage and
        ``terrain.dig_limit`` (cell -> the limit, "" for none): a pure function of them, so
        the runs of a process on one terrain share them, kept in its extras with the terrain
        they were read from (a terrain changed by a new crossing does not carry them); the
        run keeps the last it was given, with its terrain."""
        t = self.terrain
        mine = self._dig_limits_of
        if mine is not None and mine[0] is t:
            return mine[1]
        key = (self.params.f("engine.unit_frontage_m"), tuple(sorted(self._dig_limit.items())))
        shared = t.extras.get("_dig_limits")
        if not (isinstance(shared, tuple) and shared[0] is t):
            shared = t.extras["_dig_limits"] = (t, {})
        memo = shared[1].get(key)
        if memo is None:
            memo = shared[1][key] = {}
        self._dig_limits_of = (t, memo)
        return memo

    def _dig_limit_worked_out(self, cell: tuple[int, int]) -> str:
        """Return :meth:`_dig_limit_in_frontage` of a unit in *cell*, worked out from the
        ground ("" for no limit): the median of the levels the cells within half a frontage
        allow (the lower of the middle two, halved, for an even count, as ``int(np.median)``)."""
        g = self.terrain.grid
        r0, c0 = cell
        k = int(self.params.f("engine.unit_frontage_m") / 2.0 / g.cell_m)
        r1, c1 = max(r0 - k, 0), max(c0 - k, 0)
        window = self.terrain.terrain_class[r1 : r0 + k + 1, c1 : c0 + k + 1]
        rr, cc = np.ogrid[r1 - r0 : r1 - r0 + window.shape[0], c1 - c0 : c1 - c0 + window.shape[1]]
        classes = window[rr * rr + cc * cc <= k * k]  # the cells within half a frontage, on the map
        n = classes.size
        if not n:
            return ""
        levels = np.sort(self._dig_level_of_class()[classes])
        mid = int(levels[n // 2]) if n % 2 else (int(levels[n // 2 - 1]) + int(levels[n // 2])) // 2
        best = _LEVELS[mid]
        return best if best != "trenches" else ""

    def _dig_level_of_class(self) -> np.ndarray:
        """Return the level (a place in ``_LEVELS``) men can dig to on each terrain class
        (by its number; trenches where ``terrain.dig_limit`` names no limit)."""
        table = self._dig_levels
        if table is None:
            table = np.full(256, _LEVELS.index("trenches"), dtype=np.int64)
            for c, limit in self._dig_limit.items():
                table[c] = _LEVELS.index(limit)
            self._dig_levels = table
        return table

    def _build_crossing(self, u: UnitState, o: Any) -> ProcessGen:
        """Sappers go to the sites and make crossings over the stream, all sites at once."""
        p = self.params
        radius = p.f("engineering.crossing_radius_m")
        if u.type != "engineer":
            self._emit("order_refused", unit=u.id, order=o.id or o.kind, reason="only engineers build crossings")
            return
        sites = []
        for s in o.sites:
            if s.id in self.crossings:
                self._emit("order_refused", unit=u.id, order=o.id or o.kind, reason=f"crossing {s.id} exists")
            elif not engineering.stream_cells_at(self.terrain, s.at[0], s.at[1], radius).any():
                self._emit("order_refused", unit=u.id, order=o.id or o.kind, reason=f"no stream within {radius:.0f} m of {s.id}")
            else:
                sites.append(s)
        if not sites:
            return
        if u.state in _FALLING_BACK:
            self._emit("order_refused", unit=u.id, order=o.id or o.kind, reason=u.state.value)
            return
        u.activity = "moving"
        cx, cy = float(np.mean([s.at[0] for s in sites])), float(np.mean([s.at[1] for s in sites]))
        self.start_move(u, (cx, cy), [])
        token = u.token
        while u.moving:
            yield self.env.timeout(self.cp.pulse_min)
            self._tick()
            if u.token != token:
                return
        if math.hypot(u.x - cx, u.y - cy) > p.f("engine.unit_frontage_m") / 2.0:  # the sites are not within its frontage
            self._emit("order_refused", unit=u.id, order=o.id or o.kind, reason="could not reach the sites")
            u.activity = "holding"
            return
        u.activity = "building"
        g = self.rng.get("engineering", u.id)
        base, spread = p.f("engineering.crossing_effort_man_h"), p.f("engineering.effort_spread")
        left = {s.id: engineering.crossing_effort_man_h(base, spread, float(g.standard_normal())) for s in sites}
        self._emit("crossing_work_start", unit=u.id, crossings=",".join(left), effort_man_h=sum(left.values()))
        party, night = p.f("engineering.party_max_men"), p.f("engineering.night_factor")
        while left:
            yield self.env.timeout(self.cp.pulse_min)
            self._tick()
            if u.token != token or u.men <= 0:
                self._emit("crossing_work_stopped", unit=u.id, crossings=",".join(left))
                return
            rate = engineering.work_rate_man_h_per_h(u.men, len(left), party, u.suppression, self.is_night(), night)
            for s in sites:
                if s.id in left:
                    left[s.id] -= rate * self.cp.pulse_min / 60.0
                    if left[s.id] <= 0:
                        del left[s.id]
                        self._open_crossing(Crossing(s.id, float(s.at[0]), float(s.at[1]), s.capacity, f"built by {u.id}"), u)
        u.activity = "holding"

    def _open_crossing(self, c: Crossing, u: UnitState) -> None:
        """Lay a finished crossing into the ground: routes planned from now on may use it."""
        self.terrain = engineering.terrain_with_crossings(
            self.terrain, (c,), self.params.f("engineering.crossing_radius_m"),
            nest(self.params.subtree("mobility")), nest(self.params.subtree("terrain")),
        )
        self.crossings[c.id] = simpy.PriorityResource(self.env, capacity=c.capacity)
        self.crossing_passes[c.id] = 0
        self._route_cache.clear()
        # sight lines are cached per terrain (kernels/sight.py): the new ground has its own
        self._emit("crossing_built", unit=u.id, crossing=c.id, x=c.x_m, y=c.y_m, capacity=c.capacity)
