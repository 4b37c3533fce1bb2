"""Cross-checks of a validated scenario: what one field cannot check alone.

Unique ids, orders that name existing units and zones at times inside the scenario,
points on the map and on land, and tank models, weapons and aircraft known to the
parameter files. Each fails with ONE :class:`~khasan_sim.errors.ScenarioError`
naming the file, line and path at fault.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from khasan_sim.boundary.validate import unknown_name
from khasan_sim.boundary.yamlsrc import PathKey, SourceMap
from khasan_sim.errors import ScenarioError
from khasan_sim.model.params import ParamSet
from khasan_sim.scenario.schema import (
    AirStrikeOrder,
    AttackOrder,
    BuildCrossingOrder,
    DefendOrder,
    FireMissionOrder,
    MoveOrder,
    ScenarioDoc,
    UnitType,
    WithdrawOrder,
)
from khasan_sim.terrain.types import Grid, Terrain, TerrainClass

_MAX_LISTED = 12


def _hhmm(t: datetime) -> str:
    return t.isoformat(timespec="minutes")


def _unknown(word: str, name: str, known: Iterable[str]) -> str:
    return unknown_name(word, name, known, _MAX_LISTED)


def _check_unique(items: Sequence[Any], section: str, word: str, smap: SourceMap) -> None:
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        ident = getattr(item, "id", None)
        if ident is None:
            continue
        if ident in seen:
            first = smap.line((section, seen[ident]))
            msg = f"duplicate {word} id '{ident}' (first at line {first})"
            raise smap.error((section, i, "id"), msg)
        seen[ident] = i


def cross_check(doc: ScenarioDoc, smap: SourceMap) -> None:
    """Check references, times and ids (everything that does not need the map or params)."""
    _check_unique(doc.units, "units", "unit", smap)
    _check_unique(doc.zones, "zones", "zone", smap)
    _check_unique(doc.orders, "orders", "order", smap)
    units = {u.id: u for u in doc.units}
    zones = {z.id for z in doc.zones}
    start, end = doc.scenario.start, doc.scenario.end

    for i, u in enumerate(doc.units):
        if u.side not in doc.sides:
            msg = f"side '{u.side}' is not declared under sides: (declared: {', '.join(doc.sides) or 'none'})"
            raise smap.error(("units", i, "side"), msg)
        seen: set[str] = set()
        p: str | None = u.parent
        while p is not None and p in units:
            if p == u.id or p in seen:
                msg = f"parent chain of '{u.id}' loops back on itself (through '{p}')"
                raise smap.error(("units", i, "parent"), msg)
            seen.add(p)
            p = units[p].parent

    tank_ids: dict[str, tuple[int, int]] = {}
    for i, u in enumerate(doc.units):
        for g, group in enumerate(u.tanks):
            for j, tid in enumerate(group.ids or []):
                if tid in tank_ids:
                    msg = f"duplicate tank id '{tid}' (also in units[{tank_ids[tid][0]}])"
                    raise smap.error(("units", i, "tanks", g, "ids", j), msg)
                tank_ids[tid] = (i, g)

    if doc.rules.daylight is not None:
        for name in ("dawn", "dusk"):
            hh, mm = (int(x) for x in getattr(doc.rules.daylight, name).split(":"))
            if hh > 23 or mm > 59:
                msg = f"expected a time of day 00:00-23:59 (got '{hh:02d}:{mm:02d}')"
                raise smap.error(("rules", "daylight", name), msg)
    for i, spell in enumerate(doc.rules.weather):
        if spell.end <= spell.start:
            msg = f"to ({_hhmm(spell.end)}) must be after from ({_hhmm(spell.start)})"
            raise smap.error(("rules", "weather", i, "to"), msg)

    for i, order in enumerate(doc.orders):
        base: PathKey = ("orders", i)
        if order.unit is not None:
            refs: list[tuple[PathKey, str]] = [((*base, "unit"), order.unit)]
        else:
            refs = [((*base, "units", j), uid) for j, uid in enumerate(order.units or [])]
        for path, uid in refs:
            if uid not in units:
                raise smap.error(path, _unknown("unit", uid, units))
        if order.at < start:
            msg = f"order at {_hhmm(order.at)} is before the scenario's start {_hhmm(start)}"
            raise smap.error((*base, "at"), msg)
        if order.at >= end:
            msg = f"order at {_hhmm(order.at)} is not before the scenario's end {_hhmm(end)}"
            raise smap.error((*base, "at"), msg)
        for field, ref in _zone_refs(order):
            if isinstance(ref, str) and ref not in zones:
                raise smap.error((*base, field), _unknown("zone", ref, zones))
        if isinstance(order, AttackOrder) and order.tanks is not None:
            for _path, uid in refs:
                have = sum(g.count for g in units[uid].tanks)
                if have == 0:
                    msg = f"tanks: sends some of a unit's tanks, but '{uid}' has none"
                    raise smap.error((*base, "tanks"), msg)
                if order.tanks > have:
                    msg = f"tanks: {order.tanks} is more than the {have} tanks of '{uid}'"
                    raise smap.error((*base, "tanks"), msg)
        if isinstance(order, FireMissionOrder):
            for path, uid in refs:
                if units[uid].type is not UnitType.ARTILLERY:
                    msg = f"a fire_mission is for artillery units, but '{uid}' is {units[uid].type.value}"
                    raise smap.error(path, msg)
        if isinstance(order, BuildCrossingOrder):
            for path, uid in refs:
                if units[uid].type is not UnitType.ENGINEER:
                    msg = f"a build_crossing is for engineer units, but '{uid}' is {units[uid].type.value}"
                    raise smap.error(path, msg)
        if isinstance(order, AirStrikeOrder):
            for path, uid in refs:
                if units[uid].type is not UnitType.AIR:
                    msg = f"an air_strike is for air units, but '{uid}' is {units[uid].type.value}"
                    raise smap.error(path, msg)
            for ac, n in (order.sorties or {}).items():
                have = sum(units[uid].aircraft.get(ac, 0) for _, uid in refs)
                if have == 0:
                    msg = f"no aircraft of type '{ac}' in {', '.join(uid for _, uid in refs)} (has: {', '.join(sorted({a for _, uid in refs for a in units[uid].aircraft}))})"
                    raise smap.error((*base, "sorties", ac), msg)
                if n < 0:
                    msg = f"expected a number of sorties >= 0 (got {n})"
                    raise smap.error((*base, "sorties", ac), msg)


def _zone_refs(order: Any) -> list[tuple[str, Any]]:
    if isinstance(order, (MoveOrder, WithdrawOrder)):
        return [("to", order.to)]
    if isinstance(order, AttackOrder):
        return [("objective", order.objective)]
    if isinstance(order, DefendOrder):
        return [("zone", order.zone)] if order.zone is not None else []
    if isinstance(order, (FireMissionOrder, AirStrikeOrder)):
        return [("target", order.target)]
    return []


def _fmt_m(v: float) -> str:
    return f"{v:.0f}"


def _off_map(grid: Grid, p: tuple[float, float]) -> str:
    return (
        f"point (x={_fmt_m(p[0])} m, y={_fmt_m(p[1])} m) is off the map "
        f"(expected 0 <= x < {_fmt_m(grid.width_m)}, 0 <= y < {_fmt_m(grid.height_m)})"
    )


def check_bounds(doc: ScenarioDoc, grid: Grid, smap: SourceMap) -> None:
    """Check that unit positions, zone vertices and order points lie on the map."""
    for i, u in enumerate(doc.units):
        if u.position is not None and not grid.contains(*u.position):
            raise smap.error(
                ("units", i, "position"), "unit position: " + _off_map(grid, u.position)
            )
    for i, z in enumerate(doc.zones):
        for j, p in enumerate(z.polygon):
            if not grid.contains(*p):
                raise smap.error(
                    ("zones", i, "polygon", j), f"zone '{z.id}' vertex {j}: " + _off_map(grid, p)
                )
    for i, order in enumerate(doc.orders):
        for field, ref in _zone_refs(order):
            if isinstance(ref, tuple) and not grid.contains(*ref):
                raise smap.error(("orders", i, field), "target " + _off_map(grid, ref))
        for j, p in enumerate(getattr(order, "route", []) or []):
            if not grid.contains(*p):
                raise smap.error(("orders", i, "route", j), "waypoint " + _off_map(grid, p))
        for j, site in enumerate(getattr(order, "sites", []) or []):
            if not grid.contains(*site.at):
                raise smap.error(
                    ("orders", i, "sites", j, "at"), "crossing site " + _off_map(grid, site.at)
                )


def check_on_land(doc: ScenarioDoc, terrain: Terrain, smap: SourceMap) -> None:
    """Check that every ground unit starts on ground men can stand on (not in a lake or river)."""
    for i, u in enumerate(doc.units):
        if u.position is None:
            continue
        r, c = terrain.grid.cell(*u.position)
        cls = TerrainClass(int(terrain.terrain_class[r, c]))
        if cls in (TerrainClass.WATER, TerrainClass.RIVER):
            where = "the lake" if cls is TerrainClass.WATER else "the river"
            x, y = u.position
            msg = f"unit position: point (x={x:g} m, y={y:g} m) is in {where}; units must start on land"
            raise smap.error(("units", i, "position"), msg)


def _families(params: ParamSet) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {"vehicles": set(), "weapons": set(), "aircraft": set()}
    for key in params:
        head, _, rest = key.partition(".")
        if head in out and rest:
            out[head].add(rest.split(".", 1)[0])
    return out


def check_params(doc: ScenarioDoc, params: ParamSet, smap: SourceMap) -> None:
    """Check that tank models, weapons and aircraft types are defined in the parameters.

    A family with no parameters at all (no ``weapons.*`` key, say) is not checked, so a
    scenario can be validated before its parameter tables are written.
    """
    fam = _families(params)
    for i, u in enumerate(doc.units):
        if fam["vehicles"]:
            for g, group in enumerate(u.tanks):
                if group.model not in fam["vehicles"]:
                    raise smap.error(
                        ("units", i, "tanks", g, "model"),
                        _unknown("tank model", group.model, fam["vehicles"]),
                    )
        if fam["weapons"]:
            for w in u.weapons:
                if w not in fam["weapons"]:
                    raise smap.error(
                        ("units", i, "weapons", w), _unknown("weapon type", w, fam["weapons"])
                    )
        if fam["aircraft"]:
            for a in u.aircraft:
                if a not in fam["aircraft"]:
                    raise smap.error(
                        ("units", i, "aircraft", a), _unknown("aircraft type", a, fam["aircraft"])
                    )


def check_dig_limits(params: ParamSet) -> None:
    """Check ``terrain.dig_limit.<class>``: a terrain class, and how far men can dig on it."""
    levels = ("none", "hasty", "trenches")
    for key in params:
        if not key.startswith("terrain.dig_limit."):
            continue
        p = params.param(key)
        cls = key.rsplit(".", 1)[1]
        if cls.upper() not in TerrainClass.__members__:
            names = ", ".join(c.name.lower() for c in TerrainClass)
            raise ScenarioError(
                p.file, p.line, key, f"unknown terrain class '{cls}' (expected one of {names})"
            )
        if p.value not in levels:
            raise ScenarioError(
                p.file, p.line, key, f"value must be one of {', '.join(levels)} (got {p.value!r})"
            )
