"""Event log entries in words, and where on the map each happened (no pygame)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

SHOWN = {
    "order", "move_start", "move_end", "casualties", "morale_state", "retreat", "rallied", "bogged",
    "recovered", "tank_knocked_out", "written_off", "zone_holder", "counterattack", "mission_start",
    "mission_end", "strike", "dug_in", "battery_located", "guns_lost", "order_refused", "command_lost",
    "tank_reached", "repaired", "queued", "order_deferred", "order_resumed",
    "counterattack_called_off", "rejoined", "unbogged", "crew_bailed_out", "sent_to_factory", "tanks_sent",
    "crossing_blocked", "crossing_cleared", "held_at_crossing", "ceasefire_agreed", "closed_up",
    "aircraft_hit", "mission_refused", "out_of_ammunition", "battery_silenced",
    "strike_delayed", "strike_cancelled", "strike_in_fog", "crossing_work_start", "crossing_work_stopped",
    "crossing_built", "route_blocked",
}
IMPORTANT = {
    "zone_holder", "tank_knocked_out", "morale_state", "retreat", "strike", "counterattack", "bogged", "order_refused",
    "guns_lost", "command_lost", "mission_start", "order_deferred", "crossing_blocked", "ceasefire_agreed",
}


def clock(start: datetime, t_min: float) -> str:
    """Return '7 Aug 03:15' for a simulated minute."""
    t = start + timedelta(minutes=t_min)
    return f"{t.day} Aug {t:%H:%M}"


def describe(ev: Any, place: Callable[[float, float], str | None] | None = None) -> str:
    """Return an event in a few words.

    Args:
        ev: The event.
        place: Names a map point (e.g. the zone there); without it a point is given in km.
    """
    g = ev.get
    k = ev.kind
    u = g("unit", "")
    if k == "order":
        return f"{u}: {g('order_kind')} ({g('source')})"
    if k == "casualties":
        cause = str(g("cause", "")).replace("artillery:", "shellfire from ").replace("air:", "bombs from ").replace("direct-fire", "fire")
        return f"{u}: {g('killed')} killed, {g('wounded')} wounded, {g('missing')} missing ({cause})"
    if k == "morale_state":
        return f"{u} {g('was')} -> {g('state')} (morale {g('morale', 0):.2f})"
    if k == "retreat":
        return f"{u} falls back"
    if k == "rallied":
        return f"{u} rallies"
    if k == "bogged":
        return f"{g('tank')} bogged ({g('p_bog_per_100m', 0) * 100:.0f}%/100 m)"
    if k == "recovered":
        return f"{g('tank')} towed back by a recovery team"
    if k == "unbogged":
        return f"{g('tank')} freed by its crew"
    if k == "crew_bailed_out":
        return f"{g('tank')}: the crew bails out ({g('hit')} of {g('crew')} hit)"
    if k == "sent_to_factory":
        return f"{g('tank')} sent back for a factory repair"
    if k == "repaired":
        return f"{g('tank')} repaired"
    if k == "tank_knocked_out":
        cause = str(g("cause", "")).replace(":", " of ")
        what = " and burnt out" if g("burnt") else (" (immobilised)" if g("damage") == "immobilised" else "")
        return f"{g('tank')} knocked out{what} ({cause})"
    if k == "written_off":
        return f"{g('tank')} written off" + (f" ({g('reason')})" if g("reason") else "")
    if k == "zone_holder":
        return f"{g('zone')}: {g('was')} -> {g('holder')}"
    if k == "ceasefire_agreed":
        return "Ceasefire agreed: no new attacks"
    if k == "counterattack":
        return f"{u} counter-attacks {g('zone')}" + (" at once (troops in contact)" if g("by") == "troops in contact" else "")
    if k == "counterattack_called_off":
        return f"{u} breaks off its attack"
    if k == "rejoined":
        return f"{u} rejoins {g('parent')}"
    if k == "mission_start":
        return f"{u}: {g('mission')} fire begins"
    if k == "mission_end":
        return f"{u}: fire mission ends ({g('rounds')} rounds)"
    if k == "strike":
        x, y = g("x"), g("y")
        target = ""
        if isinstance(x, (int, float)) and isinstance(y, (int, float)):
            name = place(float(x), float(y)) if place is not None else None
            target = f" on {name}" if name else f" on ({x / 1000:.1f}, {y / 1000:.1f}) km"
        plane = f" ({g('aircraft')})" if g("aircraft") else ""
        return f"{u}{plane}: {g('sorties')} sorties{target}, {g('bombs_t', 0):.1f} t of bombs, {g('lost')} lost"
    if k == "move_start":
        return f"{u} moves off ({g('length_m', 0) / 1000:.1f} km)"
    if k == "move_end":
        return f"{u} arrives"
    if k == "dug_in":
        return f"{u} dug in ({g('level')})"
    if k == "battery_located":
        return f"{u} located by the {g('by')}"
    if k == "guns_lost":
        if g("cause") == "abandoned":
            return f"{u} leaves {g('n')} {g('weapon')} behind (no crews left)"
        return f"{u} loses {g('n')} {g('weapon')} ({g('by')})"
    if k == "order_deferred":
        return f"{u}: order waits until it rallies"
    if k == "order_resumed":
        return f"{u} rallies and carries out its order {g('order')}"
    if k == "order_refused":
        return f"{u} refuses its order ({g('reason')})"
    if k == "command_lost":
        gone = {
            "headquarters": "all its headquarters tanks",
            "company commanders": "most of its company commanders' tanks",
        }.get(g("lost"), "all its command tanks")
        return f"{u} loses control ({gone} out of action: the radio tanks), and its tanks stop where they stand"
    if k == "tank_reached":
        return f"{g('tank')} reaches {g('zone')}"
    if k == "tanks_sent":
        return f"{u} sends {g('n')} of its tanks against {g('zone')}"
    if k == "queued":
        return f"{g('tank')} queues at {g('crossing')}"
    if k == "crossing_blocked":
        return f"{g('tank')} blocks {g('crossing')}, bogged"
    if k == "crossing_cleared":
        return f"{g('crossing')} clear again ({g('tank')} {g('status')})"
    if k == "held_at_crossing":
        return f"{g('tank')} held at {g('crossing')} behind {g('by')}"
    if k == "closed_up":
        return f"{g('tank')} closes up behind {g('behind')} and stops"
    if k == "aircraft_hit":
        return f"{u}: {g('damaged')} of {g('sorties')} aircraft hit by ground fire, {g('lost')} lost"
    if k == "recovery_team_out":
        return f"{u}: a recovery team sets out for {g('tank')}"
    if k == "detached":
        return f"{u} detached from {g('parent')} ({g('men')} men)"
    if k == "left_position":
        return f"{u} leaves its {g('was')} position"
    if k == "volley":
        return f"{u} fires a volley ({g('rounds')} rounds)"
    if k == "mission_refused":
        return f"{u}: fire mission refused ({g('reason')})"
    if k == "out_of_ammunition":
        return f"{u} is out of ammunition"
    if k == "battery_silenced":
        return f"{u} silenced by fire on it (suppression {g('suppression', 0):.2f})"
    if k == "strike_delayed":
        return f"{u}: strike waits ({g('reason')})"
    if k == "strike_cancelled":
        return f"{u}: strike cancelled ({g('reason')})"
    if k == "strike_in_fog":
        return f"{u} strikes through fog ({g('visibility_m', 0):.0f} m visibility)"
    if k == "crossing_work_start":
        return f"{u} starts building {g('crossings')}"
    if k == "crossing_work_stopped":
        return f"{u} stops work ({g('crossings')} left)"
    if k == "crossing_built":
        return f"{u} finishes {g('crossing')}"
    if k == "route_blocked":
        return f"{g('tank') or u}: no way through to where it was sent"
    return f"{k} {u}"


def where(ev: Any, positions: dict[str, tuple[float, float]]) -> tuple[float, float] | None:
    """Return the map point of an event (its x/y, or its unit's or tank's position)."""
    x, y = ev.get("x"), ev.get("y")
    if isinstance(x, (int, float)) and isinstance(y, (int, float)) and x >= 0:
        return float(x), float(y)
    for key in ("tank", "unit"):
        p = positions.get(str(ev.get(key, "")))
        if p is not None and p[0] >= 0:
            return p
    return None
