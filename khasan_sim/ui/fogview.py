"""What one pair of eyes may read in the event log under fog of war (no pygame).

With fog on, the map shows an enemy unit only where the viewer's units see it; the log
must not tell more. A :class:`FogView` decides, for each event, whether the viewer may
read it at all and in which words:

* events of the viewer's own units are told in full, except that an enemy unit the
  viewer does not see is named "an unseen enemy" (the battery that shelled them, the
  gun that knocked out their tank);
* of an enemy unit the viewer sees, only what can be seen from outside: it is hit, it
  falls back, its tanks burn or bog, it moves off. Never its morale figure, its orders
  or its exact losses;
* nothing of an enemy unit out of sight.

In hot seat with fog, while a turn runs both players look at the screen: the view is
what *both* sides see (each side's own units only where the enemy sees them too).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from khasan_sim.ui.eventtext import describe

#: Kinds of event an enemy unit in sight shows from outside.
SEEN_FROM_OUTSIDE = {"casualties", "retreat", "morale_state", "tank_knocked_out", "bogged", "strike", "move_start", "crew_bailed_out", "zone_holder"}

UNSEEN = "an unseen enemy"


@dataclass
class FogView:
    """The log as one viewer may read it.

    Args:
        viewer: The side whose eyes these are, or None for what every player side sees.
        visible: The units in sight (own units included), or None for no fog.
        side_of: Each unit's side.
        tank_unit: Each tank's unit.
        place: Names a map point (the zone there), for air strikes' targets.
    """

    viewer: str | None
    visible: set[str] | None
    side_of: Mapping[str, str]
    tank_unit: Mapping[str, str] = field(default_factory=dict)
    place: Callable[[float, float], str | None] | None = None
    _hidden_re: Any = field(default=None, init=False, repr=False)

    @property
    def fogged(self) -> bool:
        """Return True when fog of war applies."""
        return self.visible is not None

    def is_own(self, uid: str) -> bool:
        """Return True if *uid* is the viewer's (never under the common view of hot seat)."""
        return self.viewer is not None and self.side_of.get(uid) == self.viewer

    def sees(self, uid: str) -> bool:
        """Return True if the viewer may see unit *uid*."""
        return self.visible is None or self.is_own(uid) or uid in self.visible

    def subject(self, ev: Any) -> str | None:
        """Return the unit an event is about (its unit, or its tank's unit)."""
        uid = ev.get("unit")
        if isinstance(uid, str):
            return uid
        tank = ev.get("tank")
        return self.tank_unit.get(tank) if isinstance(tank, str) else None

    def hidden_units(self) -> list[str]:
        """Return the units the viewer does not see."""
        if self.visible is None:
            return []
        return [u for u in self.side_of if not self.sees(u)]

    def redact(self, text: str) -> str:
        """Return *text* with every unit out of sight named :data:`UNSEEN`."""
        if self.visible is None:
            return text
        if self._hidden_re is None:
            hidden = sorted(self.hidden_units(), key=len, reverse=True)
            self._hidden_re = re.compile("|".join(rf"(?<![\w-]){re.escape(u)}(?![\w-])" for u in hidden)) if hidden else False
        return self._hidden_re.sub(UNSEEN, text) if self._hidden_re else text

    def readable(self, ev: Any) -> bool:
        """Return True if the viewer may read the event at all."""
        if self.visible is None:
            return True
        uid = self.subject(ev)
        if uid is None or self.is_own(uid) or ev.kind == "strike":  # bombs are seen where they fall
            return True
        return uid in self.visible and ev.kind in SEEN_FROM_OUTSIDE

    def line(self, ev: Any) -> str | None:
        """Return the event in words as the viewer may read it, or None if it is hidden."""
        if not self.readable(ev):
            return None
        uid = self.subject(ev)
        if self.visible is None or uid is None or self.is_own(uid):
            return self.redact(describe(ev, self.place))
        if ev.kind == "strike":
            line = describe(ev, self.place)
            return "Enemy aircraft" + line[line.index(":"):]
        return self.redact(outside_view(ev))

    def fields(self, ev: Any) -> list[tuple[str, str]]:
        """Return the event's data fields as the viewer may read them (for its tooltip).

        All of them without fog or for the viewer's own units; of an enemy unit in sight
        only where it was; unit names out of sight are redacted either way.
        """
        if not self.readable(ev):
            return []
        uid = self.subject(ev)
        items = list(event_fields(ev))
        if self.visible is not None and uid is not None and not self.is_own(uid):
            items = [(k, v) for k, v in items if k in ("unit", "tank", "zone", "x", "y")]
        return [(k, self.redact(v)) for k, v in items]


def outside_view(ev: Any) -> str:
    """Return an enemy unit's event as it looks from outside (no morale figure, no exact losses)."""
    g = ev.get
    u = g("unit", "")
    k = ev.kind
    if k == "casualties":
        return f"{u} is hit"
    if k == "morale_state":
        state = str(g("state", ""))
        return f"{u} " + {"shaken": "wavers", "routed": "breaks and runs", "steady": "steadies"}.get(state, f"looks {state}")
    if k == "move_start":
        return f"{u} moves off"
    return describe(ev)


def event_fields(ev: Any) -> Iterable[tuple[str, str]]:
    """Return the event's data as (name, text) pairs, whatever fields it carries (causes included)."""
    data = getattr(ev, "fields", None)
    if data is None:
        data = getattr(ev, "data", {})
    for k, v in dict(data).items():
        if isinstance(v, float):
            text = f"{v:,.3g}" if abs(v) < 1 else f"{v:,.1f}"
        elif isinstance(v, (list, tuple)):
            text = ", ".join(str(x) for x in v)
        elif isinstance(v, dict):
            text = "; ".join(f"{a}: {b}" for a, b in v.items())
        else:
            text = str(v)
        yield str(k), text
