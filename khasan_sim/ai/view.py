"""What a side's commander knows: its own units, the enemies its side sees, the objectives.

The view is built only from :meth:`khasan_sim.api.Simulation.observe` (the fog of war the
game shows a player), the holders of the zones (who holds a height is plain to both
sides), the zones' shapes and the clock. An enemy unit the side does not see never enters
it. A commander with a memory keeps the last place and strength of the enemies it has
seen for some turns (:class:`Memory`); a careless one uses only the enemies seen near its
own units (``sight_share`` of the distance the side can see).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from khasan_sim.model.morale import MoraleState

STEADY = MoraleState.STEADY
FALLING_BACK = (MoraleState.RETREATING, MoraleState.ROUTED)


@dataclass(frozen=True)
class OwnUnit:
    """One of the side's units as its commander sees it."""

    id: str
    type: str
    x: float
    y: float
    men: int
    men_start: int
    morale: float
    state: MoraleState
    activity: str
    moving: bool
    is_air: bool
    tanks: int
    objective: str | None


@dataclass(frozen=True)
class Contact:
    """An enemy unit seen now or remembered: where and how strong it was when last seen."""

    id: str
    type: str
    x: float
    y: float
    men: int
    seen_min: float


@dataclass(frozen=True)
class Objective:
    """A zone: its id, kind, centre and who holds it."""

    id: str
    kind: str
    x: float
    y: float
    holder: str | None
    forbidden: bool  # no part of it (centre or corner) lies where the side may go under the rules in force


@dataclass
class Memory:
    """The enemies a commander remembers (by id), with when it last saw each."""

    contacts: dict[str, Contact] = field(default_factory=dict)


@dataclass(frozen=True)
class SideView:
    """Everything a commander decides on."""

    side: str
    now_min: float
    night: bool
    own: tuple[OwnUnit, ...]
    contacts: tuple[Contact, ...]
    objectives: tuple[Objective, ...]
    turn_min: float

    def unit(self, uid: str) -> OwnUnit | None:
        """Return an own unit by id (None if gone)."""
        for u in self.own:
            if u.id == uid:
                return u
        return None

    def enemy_men_near(self, x: float, y: float, radius_m: float) -> int:
        """Return the men of the contacts within *radius_m* of (x, y)."""
        return sum(c.men for c in self.contacts if math.hypot(c.x - x, c.y - y) <= radius_m)


def _own(u: Any) -> OwnUnit:
    return OwnUnit(
        id=u.id, type=u.type, x=float(u.x), y=float(u.y), men=int(u.men), men_start=int(u.men_start),
        morale=float(u.morale), state=u.state, activity=str(u.activity), moving=bool(u.moving), is_air=bool(u.is_air),
        tanks=sum(1 for t in u.tanks if t.can_fire), objective=u.objective,
    )


def build_view(sim: Any, side: str, memory: Memory, *, sight_share: float, memory_turns: float) -> SideView:
    """Return *side*'s view of *sim* now, updating *memory* with what it sees.

    Args:
        sim: A :class:`khasan_sim.api.Simulation`.
        side: The commander's side.
        memory: The commander's memory of contacts (updated in place).
        sight_share: Enemies are used only when within this share of the side's seeing
            distance of one of its ground units.
        memory_turns: How many turns an enemy out of sight is remembered.
    """
    e = sim.engine
    seen = sim.observe(side)
    own = [_own(u) for u in seen if u.side == side and (u.men > 0 or u.is_air)]
    reach = e.cp.engagement_range_m * 2.0 * sight_share
    eyes = [u for u in own if not u.is_air and u.men > 0]
    now = sim.now_min
    for v in seen:
        if v.side == side or v.men <= 0:
            continue
        if not any(math.hypot(u.x - v.x, u.y - v.y) <= reach for u in eyes):
            continue
        memory.contacts[v.id] = Contact(v.id, v.type, float(v.x), float(v.y), int(v.men), now)
    horizon = memory_turns * e.turn_min
    for cid in [c for c, k in memory.contacts.items() if now - k.seen_min > horizon + 1e-9]:
        del memory.contacts[cid]
    holders = sim.holders()
    forbidden = e.forbidden.get(side) if side in e.no_crossing else None
    objectives = []
    for z in e.zone_ids:
        cx, cy = e.zone_centre[z]
        bad = False
        if forbidden is not None:  # a height astride the border can be attacked from the side's own part of it
            corners = [(cx, cy), *(tuple(p) for p in e.zones[z].polygon)]
            bad = all(bool(forbidden[e.terrain.grid.cell(x, y)]) for x, y in corners)
        objectives.append(Objective(z, e.zones[z].kind, float(cx), float(cy), holders.get(z), bad))
    return SideView(
        side=side, now_min=now, night=sim.is_night(), own=tuple(own),
        contacts=tuple(memory.contacts[k] for k in sorted(memory.contacts)), objectives=tuple(objectives), turn_min=e.turn_min,
    )
