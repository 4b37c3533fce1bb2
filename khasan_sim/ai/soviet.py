"""The Soviet commander: attacks on the heights with the forces at hand.

Each attack is an :class:`Operation` on one height, in phases:

* **assemble**: the group's units march to an assembly point on the approach chosen by
  :func:`khasan_sim.ai.approach.best_approach` (time, soft ground, exposure to the
  enemy's observed guns), beyond the defender's small-arms range;
* **prepare**: the artillery fires a preparation on the height and the air units strike
  it; the assault waits until the group's strength against the garrison it knows of
  (its view: the enemies it sees or remembers near the height) reaches the superiority
  its rules ask for;
* **assault**: every unit of the group attacks the height along its approach, the guns
  supporting;
* **pause**: when half the group's men are in units no longer steady, the group holds
  where it stands for some turns, then prepares again;
* **hold**: the height taken, the group's rifle units defend it and the rest are free for
  the next attack (if the height is lost again, the operation prepares again).

The border rule is respected: a height whose centre lies where the side may not go is
not an objective, and an approach that crosses the border is never given (the public
API's check refuses it and the commander uses the direct approach instead).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from khasan_sim.ai.approach import Approach, best_approach
from khasan_sim.ai.base import Commander
from khasan_sim.ai.view import STEADY, Objective, OwnUnit, SideView

ASSAULT_TYPES = ("rifle", "tank", "border-guard")


@dataclass
class Operation:
    """One attack on one height."""

    zone: str
    units: list[str]
    phase: str = "assemble"
    since_min: float = 0.0
    approach: dict[str, Approach] = field(default_factory=dict)
    fired_min: float = -1e9


class SovietCommander(Commander):
    """Plans and carries out attacks on the heights the enemy holds."""

    def __init__(self, rules: Any) -> None:
        super().__init__(rules)
        self.ops: dict[str, Operation] = {}
        self.air_last: dict[str, float] = {}
        self.log: list[tuple[float, str, str]] = []  # (minute, zone, phase): the plan as it went

    # ----------------------------------------------------------------- strength

    def strength(self, units: list[OwnUnit]) -> float:
        """Return the assault strength of *units* (steady men, and tanks that can fire)."""
        worth = self.rules.f("tank_worth_men")
        return float(sum(u.men + worth * u.tanks for u in units if u.state is STEADY))

    def garrison(self, view: SideView, z: Objective) -> float:
        """Return the men the side believes hold *z* (seen or remembered; an assumed minimum if it holds it unseen)."""
        seen = view.enemy_men_near(z.x, z.y, self.rules.f("garrison_radius_m"))
        if z.holder not in (None, self.side):
            return max(float(seen), self.rules.f("assumed_garrison_men"))
        return float(seen)

    def superiority(self) -> float:
        """Return the ratio an assault waits for at this level."""
        return self.rules.f("assault_superiority") * self.rules.lv("superiority_factor")

    # ----------------------------------------------------------------- the turn

    def decide(self, sim: Any, view: SideView) -> None:
        """Carry on the operations under way and start new ones while there is capacity."""
        objs = {o.id: o for o in view.objectives}
        for z in sorted(self.ops):
            self._carry_on(sim, view, self.ops[z], objs[z])
        self._start_new(sim, view, objs)

    def _phase(self, view: SideView, op: Operation, phase: str) -> None:
        op.phase = phase
        op.since_min = view.now_min
        self.log.append((view.now_min, op.zone, phase))

    def _free_units(self, view: SideView) -> list[OwnUnit]:
        busy = {uid for op in self.ops.values() for uid in op.units}
        return [
            u for u in view.own
            if u.type in ASSAULT_TYPES and u.id not in busy and u.men > 0 and u.state is STEADY
        ]

    def _start_new(self, sim: Any, view: SideView, objs: dict[str, Objective]) -> None:
        active = [op for op in self.ops.values() if op.phase != "hold"]
        room = int(self.rules.lv("concurrent_objectives")) - len(active)
        if room <= 0:
            return
        free = self._free_units(view)
        targets = [
            o for o in objs.values()
            if o.kind == "height" and o.holder not in (None, self.side) and not o.forbidden and o.id not in self.ops
        ]
        # the height with the most free strength near it for the garrison it is believed to hold
        def promise(o: Objective) -> tuple[float, str]:
            near = [u for u in free if math.hypot(u.x - o.x, u.y - o.y) <= 5000.0]
            return (-self.strength(near) / max(self.garrison(view, o), 1.0), o.id)

        for o in sorted(targets, key=promise)[:room]:
            group = self._allot(view, o, free)
            if not group:
                continue
            free = [u for u in free if u.id not in {g.id for g in group}]
            op = Operation(o.id, [u.id for u in group])
            self.ops[o.id] = op
            self._phase(view, op, "assemble")
            self._assemble(sim, view, op, o)

    def _allot(self, view: SideView, o: Objective, free: list[OwnUnit]) -> list[OwnUnit]:
        """Return the nearest free units until the group has the superiority (with a quarter more), or all of them."""
        want = self.superiority() * self.garrison(view, o) * 1.25
        group: list[OwnUnit] = []
        for u in sorted(free, key=lambda u: (math.hypot(u.x - o.x, u.y - o.y), u.id)):
            if group and self.strength(group) >= want:
                break
            group.append(u)
        return group

    # ----------------------------------------------------------------- phases

    def _assemble(self, sim: Any, view: SideView, op: Operation, o: Objective) -> None:
        for uid in op.units:
            u = view.unit(uid)
            if u is None:
                continue
            a = best_approach(sim, view, u, (o.x, o.y), self.rules)
            op.approach[uid] = a
            ax, ay = a.assembly
            if math.hypot(u.x - ax, u.y - ay) > self.rules.f("assembled_m"):
                order = {"kind": "move", "unit": uid, "to": [ax, ay], "route": [list(a.via)] if a.via_before_assembly else []}
                if not self.give(sim, order) and order["route"]:
                    self.give(sim, {**order, "route": []})

    def _carry_on(self, sim: Any, view: SideView, op: Operation, o: Objective) -> None:
        op.units = [uid for uid in op.units if (u := view.unit(uid)) is not None and u.men > 0]
        units = [u for uid in op.units if (u := view.unit(uid)) is not None]
        if not units and op.phase != "hold":
            del self.ops[op.zone]
            return
        turns = (view.now_min - op.since_min) / view.turn_min
        if o.holder == self.side and op.phase != "hold":
            self._phase(view, op, "hold")
            self._hold(sim, view, op, o)
            return
        if op.phase == "hold":
            if o.holder not in (None, self.side):
                self._phase(view, op, "prepare")  # lost again: take it back
            return
        men = sum(u.men for u in units)
        shaken = sum(u.men for u in units if u.state is not STEADY)
        if op.phase == "assault" and men > 0 and shaken >= self.rules.f("pause_share") * men:
            self._phase(view, op, "pause")
            for u in units:
                self.give(sim, {"kind": "defend", "unit": u.id})
            return
        if op.phase == "pause":
            if turns >= self.rules.f("pause_turns") and shaken < self.rules.f("pause_share") * men:
                self._phase(view, op, "prepare")
            return
        if op.phase == "assemble":
            self._check_assembled(sim, view, op, o, units, turns)
        if op.phase == "prepare":
            self._prepare(sim, view, op, o, units)
        if op.phase == "assault":
            self._assault(sim, view, op, o, units)

    def _check_assembled(self, sim: Any, view: SideView, op: Operation, o: Objective, units: list[OwnUnit], turns: float) -> None:
        near = self.rules.f("assembled_m")

        def there(u: OwnUnit) -> bool:
            a = op.approach.get(u.id)
            return a is None or not u.moving or math.hypot(u.x - a.assembly[0], u.y - a.assembly[1]) <= near

        if not self.rules.lv("synchronised"):
            # piecemeal: each unit goes in as it arrives
            for u in units:
                if there(u):
                    self._attack(sim, op, o, u)
            if all(there(u) for u in units):
                self._phase(view, op, "assault")
            return
        if all(there(u) for u in units) or turns >= self.rules.f("assembly_wait_turns"):
            self._phase(view, op, "prepare")

    def _prepare(self, sim: Any, view: SideView, op: Operation, o: Objective, units: list[OwnUnit]) -> None:
        prep = self.rules.f("preparation_min") if self.rules.lv("preparation") else 0.0
        if prep > 0 and view.now_min - op.fired_min >= prep:
            self._fire(sim, view, o, "preparation", prep)
            self._air(sim, view, o)
            op.fired_min = view.now_min
        if view.now_min - op.since_min + 1e-9 < prep:
            return
        ratio = self.strength(units) / max(self.garrison(view, o), 1.0)
        if ratio >= self.superiority():
            self._phase(view, op, "assault")
            self._fire(sim, view, o, "support", self.rules.f("support_min"))
            for u in units:
                self._attack(sim, op, o, u)
        else:
            self._reinforce(sim, view, op, o)

    def _reinforce(self, sim: Any, view: SideView, op: Operation, o: Objective) -> None:
        """Add free units to a group short of the superiority it needs (they assemble with it)."""
        free = self._free_units(view)
        if not free:
            return
        group = [u for uid in op.units if (u := view.unit(uid)) is not None]
        want = self.superiority() * self.garrison(view, o) * 1.25
        for u in sorted(free, key=lambda u: (math.hypot(u.x - o.x, u.y - o.y), u.id)):
            if self.strength(group) >= want:
                break
            group.append(u)
            op.units.append(u.id)
            a = best_approach(sim, view, u, (o.x, o.y), self.rules)
            op.approach[u.id] = a
            self.give(sim, {"kind": "move", "unit": u.id, "to": list(a.assembly)})

    def _assault(self, sim: Any, view: SideView, op: Operation, o: Objective, units: list[OwnUnit]) -> None:
        for u in units:
            if not u.moving and u.activity != "attacking" and u.state is STEADY:
                self._attack(sim, op, o, u, again=True)  # stopped short of the height: on again

    def _attack(self, sim: Any, op: Operation, o: Objective, u: OwnUnit, *, again: bool = False) -> None:
        a = op.approach.get(u.id)
        route = [list(a.via)] if a is not None and a.via is not None and not a.via_before_assembly else []
        order = {"kind": "attack", "unit": u.id, "objective": o.id, "route": route}
        if not self.give(sim, order, again=again) and route:
            self.give(sim, {**order, "route": []}, again=again)

    def _hold(self, sim: Any, view: SideView, op: Operation, o: Objective) -> None:
        """Keep the strongest rifle unit on the height; free the rest for the next attack."""
        units = [u for uid in op.units if (u := view.unit(uid)) is not None]
        keep = sorted((u for u in units if u.type != "tank"), key=lambda u: (-u.men, u.id))[:1]
        for u in keep:
            self.give(sim, {"kind": "defend", "unit": u.id, "zone": o.id})
        op.units = [u.id for u in keep]

    # ----------------------------------------------------------------- fires

    def _fire(self, sim: Any, view: SideView, o: Objective, mission: str, minutes: float) -> None:
        for u in view.own:
            if u.type == "artillery" and u.men > 0 and u.state is STEADY:
                self.give(sim, {
                    "kind": "fire_mission", "unit": u.id, "mission": mission, "target": o.id,
                    "radius_m": self.rules.f("preparation_radius_m"), "duration_min": minutes,
                }, again=True)

    def _air(self, sim: Any, view: SideView, o: Objective) -> None:
        every = self.rules.f("air_strike_interval_h") * 60.0
        for u in view.own:
            if not u.is_air or view.now_min - self.air_last.get(u.id, -1e9) < every:
                continue
            if self.give(sim, {"kind": "air_strike", "unit": u.id, "target": o.id, "radius_m": self.rules.f("air_strike_radius_m")}, again=True):
                self.air_last[u.id] = view.now_min
