"""What each kind of story observation reads: from the event log or from the watch's samples.

One function per observation kind (:data:`KINDS`), each given the run's
:class:`~khasan_sim.story.watch.StoryWatch`, the check, the run's events grouped by kind
(:class:`EventIndex`) and the time now (simulated minutes); each returns
``{"value": ..., "detail": {...}}`` (and ``"settled": False`` when the value can still
change before its time), or raises :class:`CannotShowError` when the run cannot show the
statement (the unit is not in the scenario, it has no command tanks, no tank was sent
against the hill).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable
from typing import Any

from khasan_sim.engine.eventlog import LogEvent

#: Kinds read at a moment by the watch's turn hook.
SAMPLED = frozenset({"tanks_stopped_in_zone", "metric", "losses_ratio"})
#: Event kinds the observations read.
EVENT_KINDS = (
    "casualties",
    "bogged",
    "tank_reached",
    "tanks_sent",
    "tank_knocked_out",
    "command_lost",
    "volley",
    "counterattack",
    "zone_holder",
    "guns_lost",
    "held_at_crossing",
)


class CannotShowError(Exception):
    """The run cannot show this statement; the message says why."""


class EventIndex:
    """A run's events of the kinds the observations read, by kind, in log order."""

    def __init__(self, events: Iterable[LogEvent]) -> None:
        self.by_kind: dict[str, list[LogEvent]] = {k: [] for k in EVENT_KINDS}
        self._raw: dict[str, list[tuple[int, float, dict[str, Any]]]] | None = None  # see of_log
        self._times: dict[str, list[int]] = {}  # each raw kind's times in whole seconds
        by_kind = self.by_kind
        for ev in events:
            got = by_kind.get(ev.kind)
            if got is not None:
                got.append(ev)

    @classmethod
    def of_log(cls, log: Any) -> EventIndex:
        """Return the index of an engine's event log, reading its raw events: an event is
        made into a view (:class:`~khasan_sim.engine.eventlog.EventView`) only when a window
        asks for it."""
        index = cls(())
        index._raw = log.raw_by_kind(EVENT_KINDS)
        return index

    def window(self, kind: str, t0_min: float, t1_min: float) -> list[LogEvent]:
        """Return the events of *kind* at or after *t0_min* and before *t1_min*."""
        a, b = round(t0_min * 60.0), round(t1_min * 60.0)
        raw = self._raw
        if raw is not None:
            from khasan_sim.engine.eventlog import EventView

            # the log's times never fall: the window is a slice, found by bisection
            times = self._times.get(kind)
            if times is None:
                times = self._times[kind] = [round(t * 60.0) for _, t, _ in raw[kind]]
            lo, hi = bisect.bisect_left(times, a), bisect.bisect_left(times, b)
            return [EventView(seq, t, kind, f) for seq, t, f in raw[kind][lo:hi]]
        return [e for e in self.by_kind[kind] if a <= e.t_s < b]


def _window(w: Any, c: Any) -> tuple[float, float]:
    return w.minutes(c.observe.from_), w.minutes(c.observe.to)


def _unit(w: Any, unit: str) -> dict[str, Any]:
    got = w.units_at_start.get(unit)
    if got is None:
        msg = f"unit {unit} is not in this scenario"
        raise CannotShowError(msg)
    return got


def _tank_unit(w: Any, unit: str) -> dict[str, Any]:
    got = _unit(w, unit)
    if not got["tanks"]:
        msg = f"unit {unit} has no tanks in this scenario"
        raise CannotShowError(msg)
    return got


def _near(w: Any, x: float, y: float, zones: list[str], near_m: float) -> bool:
    from khasan_sim.story.watch import distance_to

    return any(z in w.polygons and distance_to(x, y, w.polygons[z]) <= near_m for z in zones)


def _share(n: int, of: int) -> float | None:
    return None if of <= 0 else round(n / of, 4)


def _pending(w: Any, c: Any, now: float) -> dict[str, Any]:
    return {
        "value": None,
        "settled": False,
        "detail": {"note": f"not yet looked at (at {w.label(now)})"},
    }


# ----------------------------------------------------------------- tanks


def tanks_stopped_in_zone(w: Any, c: Any, log: EventIndex, now: float) -> dict[str, Any]:
    o = c.observe
    _tank_unit(w, o.unit)
    if o.zone not in w.polygons:
        msg = f"zone {o.zone} is not in this scenario"
        raise CannotShowError(msg)
    s = w.samples.get(c.id)
    if s is None or "tanks" not in s:
        return _pending(w, c, now)
    counts = {"bogged": 0, "halted": 0, "knocked_out": 0}
    for status, moving, near in s["tanks"]:
        if not near or (status == "operational" and moving):
            continue
        counts[
            "bogged"
            if status == "bogged"
            else "halted"
            if status == "operational"
            else "knocked_out"
        ] += 1
    stopped = sum(counts.values())
    return {
        "value": _share(stopped, len(s["tanks"])),
        "detail": {"at": s["at"], "stopped": stopped, "of": len(s["tanks"]), **counts},
    }


def tanks_bogged(w: Any, c: Any, log: EventIndex, now: float) -> dict[str, Any]:
    o = c.observe
    n = _tank_unit(w, o.unit)["tanks"]
    t0, t1 = _window(w, c)
    tanks = {
        e.get("tank")
        for e in log.window("bogged", t0, t1)
        if e.get("unit") == o.unit
        and (not o.near_zones or _near(w, e.get("x"), e.get("y"), o.near_zones, o.near_m))
    }
    return {"value": _share(len(tanks), n), "detail": {"bogged": len(tanks), "of": n}}


def tanks_reached(w: Any, c: Any, log: EventIndex, now: float) -> dict[str, Any]:
    o = c.observe
    n = _tank_unit(w, o.unit)["tanks"]
    t0, t1 = _window(w, c)
    tanks = {
        e.get("tank")
        for e in log.window("tank_reached", t0, t1)
        if e.get("unit") == o.unit and e.get("zone") == o.zone
    }
    return {"value": _share(len(tanks), n), "detail": {"reached": len(tanks), "of": n}}


def _cause_kind(cause: str) -> str:
    head = str(cause).split(":", 1)[0]
    return "artillery" if head in ("artillery", "observed-artillery") else head


def tanks_knocked_out(w: Any, c: Any, log: EventIndex, now: float) -> dict[str, Any]:
    o = c.observe
    n = _tank_unit(w, o.unit)["tanks"]
    t0, t1 = _window(w, c)
    by_cause: dict[str, set[str]] = {}
    for e in log.window("tank_knocked_out", t0, t1):
        if e.get("unit") == o.unit:
            by_cause.setdefault(_cause_kind(e.get("cause")), set()).add(e.get("tank"))
    every = set().union(*by_cause.values()) if by_cause else set()
    chosen = every if o.cause is None else by_cause.get(o.cause, set())
    of = n if o.share_of == "tanks" else len(every)
    detail = {
        "knocked_out": len(chosen),
        "of": of,
        "all_causes": len(every),
        "by_cause": {k: len(v) for k, v in sorted(by_cause.items())},
    }
    return {"value": _share(len(chosen), of), "detail": detail}


def stuck_or_hit(w: Any, c: Any, log: EventIndex, now: float) -> dict[str, Any]:
    o = c.observe
    _tank_unit(w, o.unit)
    t0, t1 = _window(w, c)
    tanks = [t.id for t in w.engine.units[o.unit].tanks]
    reached = {
        e.get("tank")
        for e in log.window("tank_reached", t0, t1)
        if e.get("unit") == o.unit and e.get("zone") == o.zone
    }
    kinds = ("bogged", "held_at_crossing") if o.held_up else ("bogged",)  # held up behind one bogged
    stuck = {
        e.get("tank")
        for kind in kinds
        for e in log.window(kind, t0, t1)
        if e.get("unit") == o.unit and _near(w, e.get("x"), e.get("y"), o.near_zones, o.near_m)
    }
    hit = {e.get("tank") for e in log.window("tank_knocked_out", t0, t1) if e.get("unit") == o.unit}
    rest = [t for t in tanks if t not in reached]
    n_stuck = sum(1 for t in rest if t in stuck and t not in hit)
    n_hit = sum(1 for t in rest if t in hit)
    detail = {"did_not_reach": len(rest), "stuck": n_stuck, "hit": n_hit, "of": len(tanks)}
    return {"value": 1.0 if not rest else _share(n_stuck + n_hit, len(rest)), "detail": detail}


def command_tanks_first_hit(w: Any, c: Any, log: EventIndex, now: float) -> dict[str, Any]:
    o = c.observe
    n_cmd = _tank_unit(w, o.unit)["command_tanks"]
    if n_cmd == 0:
        msg = f"the model cannot show this yet: {o.unit} has no command tanks in this scenario"
        raise CannotShowError(msg)
    t0, t1 = _window(w, c)
    first = math.ceil(o.per_command * n_cmd)
    order: dict[str, int] = {}
    for e in log.window("tank_knocked_out", t0, t1):
        if e.get("unit") == o.unit and e.get("tank") not in order:
            order[e.get("tank")] = int(e.get("command") or 0)
    among = sum(list(order.values())[:first])
    detail = {
        "command_tanks": n_cmd,
        "first": first,
        "command_among_first": among,
        "knocked_out": len(order),
    }
    return {"value": _share(among, n_cmd), "detail": detail}


def command_lost(w: Any, c: Any, log: EventIndex, now: float) -> dict[str, Any]:
    o = c.observe
    if _tank_unit(w, o.unit)["command_tanks"] == 0:
        msg = f"the model cannot show this yet: {o.unit} has no command tanks in this scenario"
        raise CannotShowError(msg)
    t0, t1 = _window(w, c)
    lost = [e for e in log.window("command_lost", t0, t1) if e.get("unit") == o.unit]
    detail = {"at": w.label(lost[0].t_s / 60.0)} if lost else {}
    return {"value": 1 if lost else 0, "detail": detail}


def tanks_climbed(w: Any, c: Any, log: EventIndex, now: float) -> dict[str, Any]:
    o = c.observe
    t0, t1 = _window(w, c)
    sent = w.sent.get(c.id, {})  # units given the zone as objective: first seen so (minutes)
    apart: dict[str, float] = {}  # tanks sent apart against it (attack orders with tanks)
    apart_of: dict[str, str] = {}  # and their units
    for e in log.window("tanks_sent", t0, t1):
        if e.get("zone") == o.zone:
            for tid in str(e.get("tanks") or "").split(","):
                if tid:
                    apart.setdefault(tid, e.t_s / 60.0)
                    apart_of.setdefault(tid, str(e.get("unit")))
    if not sent and not apart:
        if now >= t1 - 1e-9:
            msg = f"no tank was sent against {o.zone} in this run (no order gives tanks that objective)"
            raise CannotShowError(msg)
        return _pending(w, c, now)

    def was_sent(tank: str, unit: str, t_min: float) -> bool:
        return (unit in sent and t_min >= sent[unit] - 1e-9) or (tank in apart and t_min >= apart[tank] - 1e-9)

    if o.ground is None:  # entered the zone
        climbed = {
            e.get("tank")
            for e in log.window("tank_reached", t0, t1)
            if e.get("zone") == o.zone and was_sent(e.get("tank"), e.get("unit"), e.t_s / 60.0)
        }
    else:  # stood on its ground within it, at a turn
        climbed = {
            tank for t_min, tank, unit in w.on_ground.get(c.id, []) if t0 <= t_min <= t1 and was_sent(tank, unit, t_min)
        }
    tanks = sum(w.units_at_start[u]["tanks"] for u in sent if u in w.units_at_start)
    tanks += sum(1 for t in apart if apart_of[t] not in sent)
    return {
        "value": len(climbed),
        "detail": {"units_sent": sorted(sent), "tanks_sent_apart": len(apart), "tanks_sent": tanks, "climbed": len(climbed)},
    }


# ----------------------------------------------------------------- artillery


def _batteries(w: Any, side: str, zone: str | None = None) -> list[str]:
    from khasan_sim.story.watch import inside

    out = []
    for uid, u in sorted(w.units_at_start.items()):
        if u["side"] != side or u["type"] != "artillery" or u["guns"] <= 0:
            continue
        if zone is not None and not inside(u["x"], u["y"], w.polygons.get(zone, ())):
            continue
        out.append(uid)
    return out


def batteries_firing(w: Any, c: Any, log: EventIndex, now: float) -> dict[str, Any]:
    o = c.observe
    batteries = _batteries(w, o.side)
    if not batteries:
        msg = f"the {o.side} side has no batteries in this scenario"
        raise CannotShowError(msg)
    t0, t1 = _window(w, c)
    fired = {e.get("unit") for e in log.window("volley", t0, t1)} & set(batteries)
    return {
        "value": _share(len(fired), len(batteries)),
        "detail": {
            "fired": len(fired),
            "of": len(batteries),
            "silent": sorted(set(batteries) - fired),
        },
    }


def batteries_silenced(w: Any, c: Any, log: EventIndex, now: float) -> dict[str, Any]:
    o = c.observe
    if o.zone not in w.polygons:
        msg = f"zone {o.zone} is not in this scenario"
        raise CannotShowError(msg)
    batteries = _batteries(w, o.side, o.zone)
    if not batteries:
        msg = f"no {o.side} battery stands in {o.zone} in this scenario"
        raise CannotShowError(msg)
    by, quiet = w.minutes(o.by), w.minutes(o.quiet_until)
    lost: dict[str, int] = dict.fromkeys(batteries, 0)
    for e in log.window("guns_lost", 0.0, by):
        if e.get("unit") in lost:
            lost[e.get("unit")] += int(e.get("n") or 0)
    fired_after = {e.get("unit") for e in log.window("volley", by, quiet)}
    silenced = []
    per: dict[str, str] = {}
    for b in batteries:
        guns = w.units_at_start[b]["guns"]
        if lost[b] >= o.guns_lost_share * guns:
            silenced.append(b)
            per[b] = f"lost {lost[b]} of {guns} guns"
        elif b not in fired_after and now >= quiet - 1e-9:
            silenced.append(b)
            per[b] = "fell silent"
        else:
            per[b] = f"lost {lost[b]} of {guns} guns, fired after"
    return {
        "value": _share(len(silenced), len(batteries)),
        "detail": {"silenced": len(silenced), "of": len(batteries), "batteries": per},
    }


def guns_lost(w: Any, c: Any, log: EventIndex, now: float) -> dict[str, Any]:
    o = c.observe
    units = {
        uid
        for uid, u in w.units_at_start.items()
        if u["side"] == o.side and u["type"] == o.unit_type
    }
    if not units:
        msg = f"the {o.side} side has no {o.unit_type} units in this scenario"
        raise CannotShowError(msg)
    guns = sum(w.units_at_start[u]["guns"] for u in units)
    if guns == 0:
        msg = f"the model cannot show this yet: the {o.side} {o.unit_type} units have no guns it counts (their weapons are never lost)"
        raise CannotShowError(msg)
    t0, t1 = _window(w, c)
    lost = [e for e in log.window("guns_lost", t0, t1) if e.get("unit") in units]
    if o.by_unit is None:
        n = sum(int(e.get("n") or 0) for e in lost)
        return {"value": n, "detail": {"guns_at_start": guns}}
    # by one unit's fire: the guns its tanks wrecked, and the guns left behind by a crew
    # its fire had shot down before (a position destroyed either way)
    firers = {o.by_unit} | {t.id for t in getattr(w.engine.units.get(o.by_unit), "tanks", ())}
    hit_at: dict[str, float] = {}  # each unit's first loss to that unit's fire in the window
    for e in log.window("casualties", t0, t1):
        if e.get("unit") in units and e.get("firer") in firers:
            hit_at.setdefault(e.get("unit"), e.t_s)
    wrecked = sum(int(e.get("n") or 0) for e in lost if e.get("by_unit") == o.by_unit)
    left = sum(
        int(e.get("n") or 0)
        for e in lost
        if e.get("cause") == "abandoned" and e.get("unit") in hit_at and hit_at[e.get("unit")] <= e.t_s
    )
    return {"value": wrecked + left, "detail": {"guns_at_start": guns, "wrecked": wrecked, "left_behind": left}}


# ----------------------------------------------------------------- men and ground


def men_lost(w: Any, c: Any, log: EventIndex, now: float) -> dict[str, Any]:
    """From the casualties events (men hit by fire and bombs; a tank crew's losses are
    not among them), so the share is exact at any minute, not only at a turn."""
    from khasan_sim.story.watch import DUG_IN

    o = c.observe
    units = {
        uid: u["men"]
        for uid, u in w.units_at_start.items()
        if u["side"] == o.side
        and not u["air"]
        and (not o.dug_in_only or u["entrenchment"] in DUG_IN)
    }
    lost = sum(
        int(e.get("killed") or 0) + int(e.get("wounded") or 0) + int(e.get("missing") or 0)
        for e in log.window("casualties", 0.0, w.minutes(o.at))
        if e.get("unit") in units
    )
    men = sum(units.values())
    return {"value": _share(lost, men), "detail": {"lost": lost, "of": men, "units": len(units)}}


def losses_ratio(w: Any, c: Any, log: EventIndex, now: float) -> dict[str, Any]:
    s = w.samples.get(c.id)
    if s is None:
        return _pending(w, c, now)
    side = c.observe.side
    other = "japanese" if side == "soviet" else "soviet"
    mine, theirs = s["lost"][side], s["lost"][other]
    value = None if theirs == 0 else round(mine / theirs, 4)
    return {"value": value, "detail": {"at": s["at"], side: mine, other: theirs}}


def metric(w: Any, c: Any, log: EventIndex, now: float) -> dict[str, Any]:
    s = w.samples.get(c.id)
    if s is None:
        return _pending(w, c, now)
    if s["value"] == "absent":
        msg = f"metric {c.observe.metric} is not in this run"
        raise CannotShowError(msg)
    return {"value": s["value"], "detail": {"at": s["at"]}}


def counterattacks(w: Any, c: Any, log: EventIndex, now: float) -> dict[str, Any]:
    t0, t1 = _window(w, c)
    got = [e for e in log.window("counterattack", t0, t1) if e.get("side") == c.observe.side]
    zones: dict[str, int] = {}
    for e in got:
        zones[e.get("zone")] = zones.get(e.get("zone"), 0) + 1
    return {"value": len(got), "detail": {"by_zone": dict(sorted(zones.items()))}}


def zones_passed_to(w: Any, c: Any, log: EventIndex, now: float) -> dict[str, Any]:
    o = c.observe
    t0, t1 = _window(w, c)
    got = [
        e
        for e in log.window("zone_holder", t0, t1)
        if e.get("holder") == o.side and e.get("zone") in o.zones
    ]
    return {
        "value": len(got),
        "detail": {"times": [f"{e.get('zone')} {w.label(e.t_s / 60.0)}" for e in got[:6]]},
    }


def ground_kept(w: Any, c: Any, log: EventIndex, now: float) -> dict[str, Any]:
    t0, t1 = _window(w, c)
    st = w.kept.get(c.id)
    if st is None or st["last"] is None:
        return _pending(w, c, now)
    men = st["men"]
    if st["broken_at"] is not None:
        hours = (st["broken_at"] - t0) / 60.0
        return {
            "value": round(hours, 2),
            "settled": True,
            "detail": {"until": w.label(st["broken_at"]), "men_at_first": men[0] if men else 0},
        }
    hours = (min(st["last"], t1) - t0) / 60.0
    return {
        "value": round(hours, 2),
        "detail": {
            "until": None,
            "men_at_first": men[0] if men else 0,
            "men_last": men[-1] if men else 0,
        },
    }


def holders_kept(w: Any, c: Any, log: EventIndex, now: float) -> dict[str, Any]:
    a, b = w.samples.get(f"{c.id}@from"), w.samples.get(f"{c.id}@to")
    if a is None or b is None:
        return _pending(w, c, now)
    changed = [z for z in c.observe.zones if a["holders"].get(z) != b["holders"].get(z)]
    return {"value": len(changed), "detail": {"from": a["holders"], "to": b["holders"]}}


KINDS: dict[str, Callable[[Any, Any, EventIndex, float], dict[str, Any]]] = {
    "tanks_stopped_in_zone": tanks_stopped_in_zone,
    "tanks_bogged": tanks_bogged,
    "tanks_reached": tanks_reached,
    "tanks_knocked_out": tanks_knocked_out,
    "stuck_or_hit": stuck_or_hit,
    "command_tanks_first_hit": command_tanks_first_hit,
    "command_lost": command_lost,
    "tanks_climbed": tanks_climbed,
    "batteries_firing": batteries_firing,
    "batteries_silenced": batteries_silenced,
    "men_lost": men_lost,
    "counterattacks": counterattacks,
    "zones_passed_to": zones_passed_to,
    "ground_kept": ground_kept,
    "holders_kept": holders_kept,
    "metric": metric,
    "losses_ratio": losses_ratio,
    "guns_lost": guns_lost,
}


def observe(w: Any, c: Any, log: EventIndex, now: float) -> dict[str, Any]:
    """Return the observation of check *c* in the run watched by *w*.

    Raises:
        CannotShowError: The run cannot show the check's statement.
    """
    return KINDS[c.observe.kind](w, c, log, now)
