"""Watching a run for the story checks: what each check observes, recorded while it plays.

A :class:`StoryWatch` is attached to a run's engine before it starts
(:func:`attach`, called by :class:`khasan_sim.api.Simulation`). It only reads: the units'
and tanks' views, the zones' holders, the terrain and the event log; it draws no random
number and writes nothing, so a run is the same event for event with and without it.

Two kinds of reading:

* **at times**: a check that looks at the world at a moment (the tanks standing in the
  valley at 20:00, who holds the heights at the end of 10 August)
  is sampled by a turn hook (``engine.turn_hooks``, every turn, 30 simulated minutes) at
  the first turn at or after its time, or when the observations are asked for if the
  run is already there (the end of the run has no turn of its own);
* **from the event log**: what happened in a window (men hit, tanks bogged, knocked out,
  command lost, volleys, counter-attacks, zones changing hands) is counted from the log when
  the observations are asked for (:mod:`khasan_sim.story.observe`).

:meth:`StoryWatch.observations` gives the ``story`` section of the run's result:
``{"file", "observe_digest", "start", "now", "observations": {check id: {...}}}``; each
observation holds ``value`` (a number, a side, or null), ``settled`` (False while its
time or window is still to come), ``detail`` (what it was worked out from),
``observe_key`` (a short digest of the check's ``observe`` block) and, when the run
cannot show it, ``cannot_show`` (why).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np

from khasan_sim.engine import metrics, world
from khasan_sim.engine.kernels.zones import men_on_other_ground
from khasan_sim.story import observe
from khasan_sim.story.spec import Check, StoryFile, load_story, story_path
from khasan_sim.terrain.types import TerrainClass

_AIR = world.UNIT_TYPES.index("air")
_DESTROYED = world.TANK_STATUS.index("destroyed")


@functools.lru_cache(maxsize=256)
def _minutes_after(start: datetime, t: datetime) -> float:
    return (t - start).total_seconds() / 60.0

DUG_IN = ("trenches", "fortified")

# the kinds of check, besides the sampled ones (observe.SAMPLED), that the turn hook reads
_READ_AT_TURNS = frozenset({"ground_kept", "tanks_climbed", "holders_kept"})


def inside(x: float, y: float, polygon: Sequence[Sequence[float]]) -> bool:
    """Return True if (x, y) lies inside the polygon (even-odd rule)."""
    hit = False
    n = len(polygon)
    for i in range(n):
        x1, y1 = polygon[i]
        x2, y2 = polygon[(i + 1) % n]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


def distance_to(x: float, y: float, polygon: Sequence[Sequence[float]]) -> float:
    """Return the distance in metres from (x, y) to the polygon (0 inside it)."""
    if inside(x, y, polygon):
        return 0.0
    best = math.inf
    n = len(polygon)
    for i in range(n):
        x1, y1 = polygon[i]
        x2, y2 = polygon[(i + 1) % n]
        dx, dy = x2 - x1, y2 - y1
        seg = dx * dx + dy * dy
        u = 0.0 if seg == 0 else max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / seg))
        best = min(best, math.hypot(x - (x1 + u * dx), y - (y1 + u * dy)))
    return best


class StoryWatch:
    """The story checks' observer of one run (read-only).

    Args:
        story: The story checks.
        engine: The run's engine, before it starts.
    """

    def __init__(self, story: StoryFile, engine: Any) -> None:
        self.story = story
        self.engine = engine
        self.start: datetime = engine.start
        self.polygons = {
            z.id: [tuple(p) for p in z.polygon]
            for z in engine.doc.zones
            if getattr(z, "polygon", None)
        }
        self.samples: dict[str, dict[str, Any]] = {}
        self.kept: dict[str, dict[str, Any]] = {}
        self.sent: dict[str, dict[str, float]] = {}
        self.on_ground: dict[str, list[tuple[float, str, str]]] = {}
        self.units_at_start = {u.id: _unit_at_start(u) for u in engine.units.values()}
        self._checks = [c for c in story.checks if c.observe is not None]
        # the checks the turn hook reads the world for (the others count from the log)
        self._turn_checks = [c for c in self._checks if c.observe.kind in _READ_AT_TURNS or c.observe.kind in observe.SAMPLED]
        # each of them with its times in minutes after the start, worked out once: from and
        # to of a window, or the moment of a sampled check (twice)
        self._turn_plan = [
            (c, c.observe.kind, *(
                (self.minutes(c.observe.from_), self.minutes(c.observe.to)) if c.observe.kind in _READ_AT_TURNS
                else (self.minutes(c.observe.at),) * 2
            ))
            for c in self._turn_checks
        ]
        self._snapshot: dict[str, Any] | None = None  # the metrics at this turn (see _turn)
        engine.turn_hooks.append(self._turn)

    # ----------------------------------------------------------------- time

    def minutes(self, t: datetime) -> float:
        """Return minutes after the run's start of battle time *t* (kept: the checks ask
        for the same few moments every turn)."""
        return _minutes_after(self.start, t)

    def label(self, t_min: float) -> str:
        """Return the ISO minute label of *t_min* minutes after the start."""
        from datetime import timedelta

        return (self.start + timedelta(seconds=round(t_min * 60.0))).strftime("%Y-%m-%dT%H:%M")

    # ----------------------------------------------------------------- sampling

    def _turn(self, engine: Any) -> None:
        now = engine.now
        self._snapshot = None  # the metrics now, worked out once for the checks that read them
        for c, kind, t0, t1 in self._turn_plan:
            o = c.observe
            if kind == "ground_kept":
                self._ground_kept(c, now, t0, t1)
            elif kind == "tanks_climbed":
                if t0 <= now < t1 + 1e-9:
                    for u in engine.units.values():
                        if u.tanks and u.objective == o.zone:
                            self.sent.setdefault(c.id, {}).setdefault(u.id, now)
                    if o.ground is not None:
                        self._tanks_on_ground(c, now)
            elif kind == "holders_kept":
                for name, t in (("from", t0), ("to", t1)):
                    key = f"{c.id}@{name}"
                    if key not in self.samples and now >= t - 1e-9:
                        self.samples[key] = {
                            "at": self.label(now),
                            "holders": {z: engine.holder.get(z) for z in o.zones},
                        }
            elif (
                kind in observe.SAMPLED
                and c.id not in self.samples
                and now >= t0 - 1e-9
            ):
                self.samples[c.id] = self._sample(c, now)

    def _tanks_on_ground(self, c: Check, now: float) -> None:
        """Note the tanks standing now in the check's zone on its ground (by the terrain's
        class of the cell), as ``(minute, tank, unit)``."""
        o = c.observe
        poly = self.polygons.get(o.zone)
        if poly is None:
            return
        e = self.engine
        g = e.terrain.grid
        wanted = o.ground.upper()
        on = self.on_ground.setdefault(c.id, [])
        # the tanks not destroyed on the map within a metre of the zone's bounding box, read
        # from the tank table in id order: only they can stand inside it
        tt = e.tank_table
        ro = e._roster()
        order = ro.tank_order
        x, y = tt.f[order, world.T_X], tt.f[order, world.T_Y]
        xs, ys = [p[0] for p in poly], [p[1] for p in poly]
        near = (
            (tt.i[order, world.T_STATUS] != _DESTROYED)
            & (x >= min(xs) - 1.0) & (x <= max(xs) + 1.0) & (y >= min(ys) - 1.0) & (y <= max(ys) + 1.0)
        )
        for row in order[near].tolist():
            t = ro.tanks_by_row[row]
            tx, ty = t.x, t.y
            if not g.contains(tx, ty) or not inside(tx, ty, poly):
                continue
            if TerrainClass(int(e.terrain.terrain_class[e.cell(tx, ty)])).name == wanted:
                on.append((now, t.id, t.unit))

    def _sample(self, c: Check, now: float) -> dict[str, Any]:
        """Read the world now for a check observed at a moment."""
        o = c.observe
        e = self.engine
        out: dict[str, Any] = {"at": self.label(now)}
        if o.kind == "tanks_stopped_in_zone":
            u = e.units.get(o.unit)
            poly = self.polygons.get(o.zone)
            if u is None or poly is None:
                return out
            tanks = [
                (t.status, bool(t.moving), distance_to(t.x, t.y, poly) <= o.near_m) for t in u.tanks
            ]
            out["tanks"] = [[s, m, near] for s, m, near in tanks]
        elif o.kind == "metric":
            if self._snapshot is None:
                self._snapshot = metrics.snapshot(e)
            out["value"] = self._snapshot.get(o.metric, "absent")
        elif o.kind == "losses_ratio":
            out["lost"] = {
                side: sum(
                    u.killed + u.wounded + u.missing
                    for u in e.units.values()
                    if u.side == side and not u.is_air
                )
                for side in ("soviet", "japanese")
            }
        return out

    def _ground_kept(self, c: Check, now: float, t0: float, t1: float) -> None:
        """Note the men of the check's side on the other side's ground near its zone now,
        within its window (*t0*, *t1*: its from and to, minutes after the start)."""
        o = c.observe
        st = self.kept.setdefault(c.id, {"broken_at": None, "last": None, "men": []})
        if st["broken_at"] is not None or st["last"] == now or now < t0 - 1e-9 or now > t1 + 1e-9:
            return
        e = self.engine
        cx, cy = e.zone_centre[o.zone]
        # the side's ground units with men, from the unit table (read, never written)
        ut = e.unit_table
        men = men_on_other_ground(
            ut.f, ut.i, ut.n, world.SIDES.index(o.side), _AIR, cx, cy, o.within_m,
            e.terrain.soviet_side, e.terrain.grid.cell_m,
        )
        if men < 0:  # a unit at the edge of the reach: counted as math.hypot measures it
            men = self._men_on_other_ground(o, cx, cy)
        st["last"] = now
        if len(st["men"]) < 400:
            st["men"].append(men)
        if men < o.min_men:
            st["broken_at"] = now

    def _men_on_other_ground(self, o: Any, cx: float, cy: float) -> int:
        """Return the men of the check's side within its reach of the zone's centre on the
        other side's ground (as kernels/zones.py ``men_on_other_ground``, in Python)."""
        e = self.engine
        soviet_side = e.terrain.soviet_side
        g = e.terrain.grid
        men = 0
        ut = e.unit_table
        f, i = ut.f[: ut.n], ut.i[: ut.n]
        rows = np.nonzero(
            (i[:, world.U_SIDE] == world.SIDES.index(o.side)) & (i[:, world.U_TYPE] != _AIR) & (i[:, world.U_MEN] > 0)
        )[0]
        for r in rows.tolist():
            x, y = f.item(r, world.U_X), f.item(r, world.U_Y)
            if math.hypot(x - cx, y - cy) > o.within_m or not g.contains(x, y):
                continue
            on_soviet = bool(soviet_side[e.cell(x, y)])
            if on_soviet == (o.side == "japanese"):  # on the other side's ground
                men += i.item(r, world.U_MEN)
        return men

    # ----------------------------------------------------------------- results

    def observations(self) -> dict[str, Any]:
        """Return the ``story`` section of the run's result (see the module docstring)."""
        e = self.engine
        now = e.now
        if now >= e.end_min - 1e-9:  # the end of the run has no turn of its own
            self._turn(e)
        log = observe.EventIndex.of_log(e.log)
        out: dict[str, Any] = {}
        for c in self.story.checks:
            if c.observe is None:
                out[c.id] = {"value": None, "settled": True, "cannot_show": c.model_lacks}
                continue
            settled = now >= self.minutes(c.observe.settled_at) - 1e-9
            try:
                got = observe.observe(self, c, log, now)
            except observe.CannotShowError as exc:
                out[c.id] = {"value": None, "settled": True, "cannot_show": str(exc)}
                continue
            got.setdefault("settled", settled)
            got["observe_key"] = c.observe_key
            out[c.id] = got
        return {
            "file": story_file_name(self.story),
            "observe_digest": self.story.observe_digest,
            "start": self.label(0.0),
            "now": self.label(now),
            "observations": out,
        }


def _unit_at_start(u: Any) -> dict[str, Any]:
    return {
        "side": u.side,
        "type": u.type,
        "air": u.is_air,
        "men": u.men,
        "x": u.x,
        "y": u.y,
        "entrenchment": u.entrenchment,
        "guns": sum(u.guns.values()),
        "tanks": len(u.tanks),
        "command_tanks": sum(1 for t in u.tanks if t.command),
    }


def story_file_name(story: StoryFile) -> str:
    """Return the story file's name for the result (its path below the data root if it is the built-in one)."""
    from pathlib import Path

    builtin = story_path()
    if builtin is not None and story.file and Path(story.file).resolve() == builtin.resolve():
        return "scenarios/record/story.yaml"
    return story.file


def attach(engine: Any, story: StoryFile | None = None) -> StoryWatch | None:
    """Attach the story checks' watch to a run that has not started.

    Args:
        engine: The run's engine.
        story: The story checks; default the built-in file when it is about this
            scenario (its ``scenario`` is the scenario's id).

    Returns:
        The watch, or None when no story checks apply to the scenario.
    """
    if story is None:
        if story_path() is None:
            return None
        story = load_story()
    if story.scenario != engine.doc.scenario.id:
        return None
    return StoryWatch(story, engine)
