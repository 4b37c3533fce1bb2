"""The story of one run read from its events: phases by day and the key moments.

Works on the event kinds and fields the engine writes (:mod:`khasan_sim.engine.eventlog`):
``casualties`` (unit, killed, wounded, missing, cause), ``bogged`` (tank, unit, x, y and
the ground), ``tank_knocked_out`` (tank, unit, cause, damage), ``zone_holder`` (zone,
holder, was), ``morale_state`` (unit, state, was, morale), ``counterattack`` and
``counterattack_called_off``. Every field of an event beyond who, where and when is
shown as one of its causes, so events that carry more causes give a richer report
without a change here.

The key moments: the first tank bogged, the first tank knocked out, each height first
held by the Soviet side and each height taken back from it, the first rout of each
side, the first counter-attack, and the hours of the heaviest losses with their causes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from khasan_sim.analysis.aar_source import ReplayedRun

SIDES = ("soviet", "japanese")
SIDE_NAMES = {"soviet": "Soviet", "japanese": "Japanese"}
LOSS_KINDS = ("killed", "wounded", "missing")
#: Fields that say who, where and when (the rest of an event's fields are its causes).
WHO_WHERE = frozenset({"seq", "t_s", "kind", "unit", "tank", "x", "y", "zone", "side"})
#: How many of the heaviest hours of losses the report tells.
HEAVIEST_HOURS = 3
#: At most this many key moments get a map.
MAPPED_MOMENTS = 6


@dataclass
class Moment:
    """A key moment of the run.

    Attributes:
        t_s: Seconds after the start.
        kind: What sort of moment (``bogged``, ``crossing``, ``height``, ``rout``, ``losses`` ...).
        title: One line.
        text: What happened, in a sentence or two.
        causes: ``(name, value)`` of the causes the events carry.
        where: ``(x, y)`` on the local grid, metres, or None.
        mapped: Whether the report draws the situation at this moment.
        unit: The unit the moment is about (its place marks the map when *where* is None).
        size: Men lost (the heaviest hours), else 0.
    """

    t_s: int
    kind: str
    title: str
    text: str
    causes: list[tuple[str, Any]] = field(default_factory=list)
    where: tuple[float, float] | None = None
    mapped: bool = False
    unit: str | None = None
    size: int = 0


@dataclass
class DayPhase:
    """One day of the battle (the first and last are partial: from the start, to the end).

    Attributes:
        label: ``6 August`` ...
        start_s, end_s: Its span, seconds after the start.
        losses: Men lost by side and kind (killed, wounded, missing).
        bogged, knocked_out: Tanks bogged and knocked out, by side.
        routs: Units routed, by side.
        counterattacks: Counter-attacks launched, by side.
        called_off: Counter-attacks called off, by reason.
        firsts: The zones first held by the Soviet side that day (zone id, seconds).
        changes: Changes of a zone's holder that day, by zone.
        holders_at_end: The holder of each zone that changed hands at some time, at the day's end.
        moments: The key moments of the day.
        ceasefire_s: When the scenario's ceasefire was agreed, if that day (seconds).
    """

    label: str
    start_s: int
    end_s: int
    losses: dict[str, Counter[str]] = field(default_factory=lambda: {s: Counter() for s in SIDES})
    bogged: Counter[str] = field(default_factory=Counter)
    knocked_out: Counter[str] = field(default_factory=Counter)
    routs: Counter[str] = field(default_factory=Counter)
    counterattacks: Counter[str] = field(default_factory=Counter)
    called_off: Counter[str] = field(default_factory=Counter)
    firsts: list[tuple[str, int]] = field(default_factory=list)
    changes: Counter[str] = field(default_factory=Counter)
    holders_at_end: dict[str, str] = field(default_factory=dict)
    moments: list[Moment] = field(default_factory=list)
    ceasefire_s: int | None = None


def clock(run: ReplayedRun, t_s: float) -> str:
    """Return a battle time as ``6 Aug 17:05``."""
    t = run.at(t_s)
    return f"{t.day} {t.strftime('%b')} {t:%H:%M}"


def causes_of(event: Any) -> list[tuple[str, Any]]:
    """Return the fields of *event* beyond who, where and when: its causes, as given."""
    return [(k, v) for k, v in event.fields if k not in WHO_WHERE and v not in ("", None)]


def _men(event: Any) -> int:
    return sum(int(event.get(k, 0) or 0) for k in LOSS_KINDS)


def _cause_words(run: ReplayedRun, cause: str) -> str:
    """Return a casualty cause (``artillery:j-mar-3bn``) in words."""
    kind, _, who = str(cause).partition(":")
    kind = kind.replace("-", " ")
    return f"{kind} ({run.unit_name(who)})" if who else kind


def _tank_side(run: ReplayedRun, event: Any) -> str | None:
    return run.side_of(event.get("unit"))


# ------------------------------------------------------------------ key moments


def _first(events: Iterable[Any], kind: str, **match: Any) -> Any | None:
    for ev in events:
        if ev.kind == kind and all(ev.get(k) == v for k, v in match.items()):
            return ev
    return None


def _zone_centre(run: ReplayedRun, zone_id: str) -> tuple[float, float] | None:
    z = run.scenario.zones_by_id.get(zone_id)
    if z is None:
        return None
    xs = [p[0] for p in z.polygon]
    ys = [p[1] for p in z.polygon]
    return (sum(xs) / len(xs), sum(ys) / len(ys))


def _heights(run: ReplayedRun) -> list[str]:
    """Return the ids of the zones that are heights, in the scenario's order."""
    return [z.id for z in run.scenario.doc.zones if z.kind == "height"]


def bog_moment(run: ReplayedRun) -> Moment | None:
    """Return the first tank bogged."""
    ev = _first(run.events, "bogged")
    if ev is None:
        return None
    x, y = ev.get("x"), ev.get("y")
    return Moment(
        ev.t_s,
        "bogged",
        f"{clock(run, ev.t_s)}: the first tank bogs down",
        f"Tank {ev.get('tank')} of {run.unit_name(ev.get('unit'))} sticks in soft ground.",
        causes_of(ev),
        (float(x), float(y)) if x is not None and y is not None else None,
    )


def crossing_moment(run: ReplayedRun) -> Moment | None:
    """Return the first crossing blocked by a tank bogged on its lane, with the tanks held
    up behind it before it cleared (the digest: crossings were bottlenecks under fire)."""
    ev = _first(run.events, "crossing_blocked")
    if ev is None:
        return None
    xing, tank = ev.get("crossing"), ev.get("tank")
    held = set()
    for e in run.events:
        if e.t_s < ev.t_s:
            continue
        if e.kind == "crossing_cleared" and e.get("crossing") == xing and e.get("tank") == tank:
            break
        if e.kind == "held_at_crossing" and e.get("crossing") == xing and e.get("by") == tank:
            held.add(e.get("tank"))
    x, y = ev.get("x"), ev.get("y")
    return Moment(
        ev.t_s,
        "crossing",
        f"{clock(run, ev.t_s)}: a crossing blocked",
        f"Tank {tank} of {run.unit_name(ev.get('unit'))} bogs on crossing {xing}; "
        f"{len(held)} tank{'' if len(held) == 1 else 's'} behind it wait{'s' if len(held) == 1 else ''} there.",
        [*causes_of(ev), ("held_up", len(held))],
        (float(x), float(y)) if x is not None and y is not None else None,
    )


def knocked_out_moment(run: ReplayedRun) -> Moment | None:
    """Return the first tank knocked out."""
    ev = _first(run.events, "tank_knocked_out")
    if ev is None:
        return None
    cause = ev.get("cause")
    by = f" by {_cause_words(run, cause)}" if cause else ""
    return Moment(
        ev.t_s,
        "tank",
        f"{clock(run, ev.t_s)}: the first tank knocked out",
        f"Tank {ev.get('tank')} of {run.unit_name(ev.get('unit'))} is knocked out{by}.",
        causes_of(ev), unit=ev.get("unit"),
    )


def height_moments(run: ReplayedRun) -> list[Moment]:
    """Return each height first held by the Soviet side, and each height first lost again."""
    out = []
    heights = set(_heights(run))
    changes = Counter(ev.get("zone") for ev in run.events if ev.kind == "zone_holder")
    held_once: set[str] = set()
    lost_once: set[str] = set()
    for ev in run.events:
        if ev.kind != "zone_holder" or ev.get("zone") not in heights:
            continue
        zone = ev.get("zone")
        name = run.zone_name(zone)
        if ev.get("holder") == "soviet" and zone not in held_once:
            held_once.add(zone)
            out.append(Moment(
                ev.t_s, "height", f"{clock(run, ev.t_s)}: Soviet troops hold {name}",
                f"For the first time in the run the Soviet side holds {name} (it changes holder "
                f"{changes[zone]} times in the whole run).",
                causes_of(ev), _zone_centre(run, zone),
            ))
        elif ev.get("was") == "soviet" and zone in held_once and zone not in lost_once:
            lost_once.add(zone)
            holder = ev.get("holder")
            now = "no one holds it" if holder in ("none", None) else f"the {SIDE_NAMES.get(holder, holder)} side holds it"
            out.append(Moment(
                ev.t_s, "height_lost", f"{clock(run, ev.t_s)}: {name} slips from Soviet hands",
                f"The Soviet hold on {name} is lost for the first time: {now}.",
                causes_of(ev), _zone_centre(run, zone),
            ))
    return out


def rout_moments(run: ReplayedRun) -> list[Moment]:
    """Return the first rout of each side."""
    out = []
    total = Counter(run.side_of(ev.get("unit")) for ev in run.events if ev.kind == "morale_state" and ev.get("state") == "routed")
    for side in SIDES:
        for ev in run.events:
            if ev.kind == "morale_state" and ev.get("state") == "routed" and run.side_of(ev.get("unit")) == side:
                out.append(Moment(
                    ev.t_s, "rout", f"{clock(run, ev.t_s)}: the first {SIDE_NAMES[side]} unit routs",
                    f"{run.unit_name(ev.get('unit'))} breaks and runs ({total[side]} {SIDE_NAMES[side]} routs in the whole run).",
                    causes_of(ev), unit=ev.get("unit"),
                ))
                break
    return out


def counterattack_moment(run: ReplayedRun) -> Moment | None:
    """Return the first counter-attack."""
    ev = _first(run.events, "counterattack")
    if ev is None:
        return None
    side = SIDE_NAMES.get(ev.get("side"), str(ev.get("side")))
    return Moment(
        ev.t_s, "counterattack", f"{clock(run, ev.t_s)}: the first {side} counter-attack",
        f"{run.unit_name(ev.get('unit'))} counter-attacks towards {run.zone_name(ev.get('zone'))}.",
        causes_of(ev), _zone_centre(run, ev.get("zone")),
    )


def heaviest_hours(run: ReplayedRun, n: int = HEAVIEST_HOURS) -> list[Moment]:
    """Return the *n* clock hours with the most men lost (both sides), with their causes."""
    by_hour: dict[int, list[Any]] = defaultdict(list)
    for ev in run.events:
        if ev.kind == "casualties":
            by_hour[ev.t_s // 3600].append(ev)
    ranked = sorted(by_hour.items(), key=lambda kv: (-sum(_men(e) for e in kv[1]), kv[0]))[:n]
    out = []
    for hour, evs in sorted(ranked):
        lost = {s: sum(_men(e) for e in evs if run.side_of(e.get("unit")) == s) for s in SIDES}
        causes = Counter()
        for e in evs:
            causes[(run.side_of(e.get("unit")), _cause_words(run, e.get("cause", "unknown")))] += _men(e)
        hit = Counter()
        for e in evs:
            hit[e.get("unit")] += _men(e)
        worst_unit, worst = hit.most_common(1)[0]
        start = hour * 3600
        lines = [
            f"{SIDE_NAMES[side]} losses to {what}: {men}" for (side, what), men in causes.most_common(4) if side in SIDE_NAMES
        ]
        out.append(Moment(
            start, "losses",
            f"{clock(run, start)}–{clock(run, start + 3600)[-5:]}: one of the heaviest hours",
            f"{lost['soviet']} Soviet and {lost['japanese']} Japanese men killed, wounded or missing in the hour; "
            f"hit hardest: {run.unit_name(worst_unit)} ({worst} men).",
            [("cause", line) for line in lines], unit=worst_unit, size=sum(lost.values()),
        ))
    return out


def key_moments(run: ReplayedRun) -> list[Moment]:
    """Return the run's key moments in time order, the ones to map marked."""
    found: list[Moment | None] = [bog_moment(run), crossing_moment(run), knocked_out_moment(run), counterattack_moment(run)]
    moments = [m for m in found if m is not None] + height_moments(run) + rout_moments(run) + heaviest_hours(run)
    moments.sort(key=lambda m: (m.t_s, m.kind))
    # each height first held, then the first of each other kind in order of priority, then the next ...
    heights = [m for m in moments if m.kind == "height"][: MAPPED_MOMENTS // 2]
    priority = ("bogged", "crossing", "losses", "rout", "counterattack", "height_lost", "tank")
    by_kind = {k: [m for m in moments if m.kind == k] for k in priority}
    chosen: list[Moment] = list(heights)
    rank = 0
    while len(chosen) < MAPPED_MOMENTS and any(len(v) > rank for v in by_kind.values()):
        chosen += [v[rank] for v in by_kind.values() if len(v) > rank][: MAPPED_MOMENTS - len(chosen)]
        rank += 1
    for m in chosen:
        m.mapped = True
    return moments


# ------------------------------------------------------------------ phases by day


def day_bounds(run: ReplayedRun) -> list[tuple[str, int, int]]:
    """Return ``(label, start s, end s)`` of each calendar day of the run."""
    out = []
    end_s = round(run.end_min * 60)
    t = 0
    while t < end_s:
        now = run.at(t)
        midnight = datetime(now.year, now.month, now.day) + timedelta(days=1)
        nxt = min(end_s, round((midnight - run.start).total_seconds()))
        out.append((f"{now.day} {now.strftime('%B')}", t, nxt))
        t = nxt
    return out


def day_phases(run: ReplayedRun, moments: Sequence[Moment]) -> list[DayPhase]:
    """Return the run day by day: losses, tanks, routs, counter-attacks, heights, moments."""
    days = [DayPhase(label, a, b) for label, a, b in day_bounds(run)]
    if not days:
        return []

    def day_of(t_s: int) -> DayPhase:
        for d in days:
            if t_s < d.end_s:
                return d
        return days[-1]

    first_soviet: set[str] = set()
    for ev in run.events:
        d = day_of(ev.t_s)
        side = run.side_of(ev.get("unit"))
        if ev.kind == "casualties" and side in SIDES:
            for k in LOSS_KINDS:
                d.losses[side][k] += int(ev.get(k, 0) or 0)
        elif ev.kind == "bogged" and side:
            d.bogged[side] += 1
        elif ev.kind == "tank_knocked_out" and side:
            d.knocked_out[side] += 1
        elif ev.kind == "morale_state" and ev.get("state") == "routed" and side:
            d.routs[side] += 1
        elif ev.kind == "counterattack":
            d.counterattacks[ev.get("side") or side or "?"] += 1
        elif ev.kind == "counterattack_called_off":
            d.called_off[str(ev.get("reason", "?"))] += 1
        elif ev.kind == "ceasefire_agreed":
            d.ceasefire_s = ev.t_s
        elif ev.kind == "zone_holder":
            zone = ev.get("zone")
            d.changes[zone] += 1
            if ev.get("holder") == "soviet" and zone not in first_soviet:
                first_soviet.add(zone)
                d.firsts.append((zone, ev.t_s))
    _holders_at_day_ends(run, days)
    for m in moments:
        day_of(m.t_s).moments.append(m)
    return days


def _holders_at_day_ends(run: ReplayedRun, days: list[DayPhase]) -> None:
    """Set each day's holders at its end, for the zones that changed hands in the run."""
    holder: dict[str, str] = {}
    for ev in run.events:
        if ev.kind == "zone_holder":
            holder.setdefault(ev.get("zone"), ev.get("was"))
    evs = [ev for ev in run.events if ev.kind == "zone_holder"]
    i = 0
    for d in days:
        while i < len(evs) and evs[i].t_s < d.end_s:
            holder[evs[i].get("zone")] = evs[i].get("holder")
            i += 1
        d.holders_at_end = dict(holder)


def losses_series(run: ReplayedRun) -> dict[str, dict[str, tuple[list[float], list[int]]]]:
    """Return the cumulative men lost over time: side -> what -> (hours after the start, total).

    ``lost``: every man killed, wounded or missing, tank crews hit included (the same
    total as the run's metrics); ``killed``: the men killed in ``casualties`` events (the
    crews hit when a tank is knocked out are counted in ``lost`` only: their event does
    not say how many of them were killed).
    """
    out: dict[str, dict[str, tuple[list[float], list[int]]]] = {s: {k: ([0.0], [0]) for k in ("lost", "killed")} for s in SIDES}
    for ev in run.events:
        if ev.kind == "casualties":
            counts = {"lost": _men(ev), "killed": int(ev.get("killed", 0) or 0)}
        elif ev.kind == "crew_bailed_out":
            counts = {"lost": int(ev.get("hit", 0) or 0)}
        else:
            continue
        side = run.side_of(ev.get("unit"))
        if side not in out:
            continue
        for k, n in counts.items():
            if n:
                hours, totals = out[side][k]
                hours.append(ev.t_s / 3600.0)
                totals.append(totals[-1] + n)
    end_h = run.end_min / 60.0
    for side in out.values():
        for hours, totals in side.values():
            hours.append(end_h)
            totals.append(totals[-1])
    return out
