"""The Japanese commander: hold the heights, counter-attack, shift the reserve, pull back the broken.

The rules of the doctrine controller (:mod:`khasan_sim.engine.systems.doctrine`) carried
out through orders, as a player would give them, on what the side sees:

* **withdraw a broken unit**: a unit down to ``broken_share`` of its men, or falling
  back, is ordered back to the rear zone to re-form (once);
* **counter-attack**: a height lost within ``counterattack_window_h`` is attacked by the
  nearest steady rifle unit in reach that does not stand on another held height, one
  attack at a time on each height and the next no sooner than
  ``counterattack_interval_h``;
* **shift the reserve**: a held height with ``threat_men`` or more seen enemies within
  ``threat_radius_m`` gets the nearest free rifle unit (not on a held height) sent to
  defend it;
* **support fire** (normal and hard levels): the guns fire on the biggest seen enemy
  concentration near a held height.

Units not ordered hold where they stand, in their trenches.
"""

from __future__ import annotations

import math
from typing import Any

from khasan_sim.ai.base import Commander
from khasan_sim.ai.view import FALLING_BACK, STEADY, Objective, OwnUnit, SideView

STAY_TYPES = ("artillery", "anti-aircraft", "headquarters")  # guns and staffs keep their positions: they are not sent to the rear zone
ON_HEIGHT_M = 500.0  # a unit this close to a height's centre stands on it (the heights are ~1 km across)


class JapaneseCommander(Commander):
    """Defends the heights the side holds."""

    def __init__(self, rules: Any) -> None:
        super().__init__(rules)
        self.holders: dict[str, str | None] = {}
        self.lost_at: dict[str, float] = {}
        self.attack_on: dict[str, tuple[str, float]] = {}  # zone -> (unit, minute)
        self.reserve_to: dict[str, str] = {}  # zone -> unit sent
        self.withdrawn: set[str] = set()
        self.log: list[tuple[float, str, str, str]] = []  # (minute, what, unit, zone)

    def decide(self, sim: Any, view: SideView) -> None:
        """Withdraw the broken, counter-attack lost heights, reinforce threatened ones, fire."""
        heights = [o for o in view.objectives if o.kind == "height"]
        for o in heights:
            if self.holders.get(o.id) == self.side and o.holder != self.side:
                self.lost_at[o.id] = view.now_min
            self.holders[o.id] = o.holder
        busy = self._withdraw_broken(sim, view)
        busy |= {uid for uid, _ in self.attack_on.values()} | set(self.reserve_to.values())
        held = [o for o in heights if o.holder == self.side]
        for o in sorted(heights, key=lambda o: o.id):
            if o.holder != self.side:
                busy |= self._counterattack(sim, view, o, held, busy)
        for o in sorted(held, key=lambda o: -view.enemy_men_near(o.x, o.y, self.rules.f("threat_radius_m"))):
            busy |= self._reinforce(sim, view, o, held, busy)
        if self.rules.lv("synchronised"):
            self._support_fire(sim, view, held)

    def _on_held(self, u: OwnUnit, held: list[Objective]) -> bool:
        return any(math.hypot(u.x - o.x, u.y - o.y) <= ON_HEIGHT_M for o in held)

    def _withdraw_broken(self, sim: Any, view: SideView) -> set[str]:
        rear = {o.id: o for o in view.objectives}.get(self.rules.word("rear_zone"))
        out: set[str] = set()
        for u in view.own:
            if u.is_air or u.men <= 0 or u.id in self.withdrawn or u.type in STAY_TYPES:
                continue
            if u.state in FALLING_BACK or u.men < self.rules.f("broken_share") * u.men_start:
                self.withdrawn.add(u.id)
                out.add(u.id)
                if rear is not None and math.hypot(u.x - rear.x, u.y - rear.y) > ON_HEIGHT_M:
                    self.give(sim, {"kind": "withdraw", "unit": u.id, "to": rear.id})
                    self.log.append((view.now_min, "withdraw", u.id, rear.id))
        return out | self.withdrawn

    def _ready(self, u: OwnUnit) -> bool:
        return (
            u.type == "rifle" and u.state is STEADY and u.men >= self.rules.f("counterattack_min_men")
            and u.morale >= self.rules.f("counterattack_min_morale") and u.id not in self.withdrawn
        )

    def _counterattack(self, sim: Any, view: SideView, o: Objective, held: list[Objective], busy: set[str]) -> set[str]:
        lost = self.lost_at.get(o.id)
        if lost is None or view.now_min - lost > self.rules.f("counterattack_window_h") * 60.0:
            return set()
        going = self.attack_on.get(o.id)
        if going is not None:
            u = view.unit(going[0])
            if u is not None and u.activity == "attacking":
                return set()
            if view.now_min - going[1] < self.rules.f("counterattack_interval_h") * 60.0:
                return set()
            del self.attack_on[o.id]
            busy = busy - {going[0]}
        reach = self.rules.f("counterattack_reach_m")
        cands = [
            (math.hypot(u.x - o.x, u.y - o.y), u.id) for u in view.own
            if self._ready(u) and u.id not in busy and not self._on_held(u, held)
            and math.hypot(u.x - o.x, u.y - o.y) <= reach
        ]
        if not cands:
            return set()
        _, uid = min(cands)
        if self.give(sim, {"kind": "attack", "unit": uid, "objective": o.id}, again=True):
            self.attack_on[o.id] = (uid, view.now_min)
            self.log.append((view.now_min, "counterattack", uid, o.id))
            return {uid}
        return set()

    def _reinforce(self, sim: Any, view: SideView, o: Objective, held: list[Objective], busy: set[str]) -> set[str]:
        if o.id in self.reserve_to:
            return set()
        if view.enemy_men_near(o.x, o.y, self.rules.f("threat_radius_m")) < self.rules.f("threat_men"):
            return set()
        cands = [
            (math.hypot(u.x - o.x, u.y - o.y), u.id) for u in view.own
            if self._ready(u) and u.men >= self.rules.f("reserve_min_men") and u.id not in busy and not self._on_held(u, held)
        ]
        if not cands:
            return set()
        _, uid = min(cands)
        if self.give(sim, {"kind": "defend", "unit": uid, "zone": o.id}):
            self.reserve_to[o.id] = uid
            self.log.append((view.now_min, "reserve", uid, o.id))
            return {uid}
        return set()

    def _support_fire(self, sim: Any, view: SideView, held: list[Objective]) -> None:
        reach = self.rules.f("support_reach_m")
        near = [c for c in view.contacts if any(math.hypot(c.x - o.x, c.y - o.y) <= reach for o in held)]
        if not near:
            return
        target = max(near, key=lambda c: (c.men, c.id))
        for u in view.own:
            if u.type == "artillery" and u.men > 0 and u.state is STEADY:
                self.give(sim, {
                    "kind": "fire_mission", "unit": u.id, "mission": "support", "target": [target.x, target.y],
                    "radius_m": self.rules.f("support_radius_m"), "duration_min": self.rules.f("support_min"),
                }, again=True)
