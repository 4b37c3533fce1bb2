"""Orders: the dispatcher that plays the scenario's timed orders, and carrying out an order
(move, attack, withdraw, defend, dig in, fire mission, air strike, build a crossing) for
each of its units; an order given to men falling back waits until they rally. An attack
with ``tanks: N`` sends N of a tank unit's tanks apart, the rest keeping the unit's order.

Reads: ``command.counterattack_window_h`` (an attack on ground just lost counts as a
counter-attack).
"""

from __future__ import annotations

import math
from typing import Any

from khasan_sim.engine.state import TANK_OPERATIONAL, UnitState
from khasan_sim.engine.systems.common import _FALLING_BACK, ProcessGen
from khasan_sim.model.morale import MoraleState


class OrdersSystem:
    """Orders: the timed-order dispatcher and apply_order."""

    def _order_dispatcher(self) -> ProcessGen:
        played = self.scenario_order_sides | self.follow_sides
        sided = ((o, self._order_side(o)) for o in self.doc.orders)
        orders = sorted(((o, side) for o, side in sided if side in played), key=lambda p: (p[0].at, p[0].id or ""))
        for o, side in orders:
            t = self._min(o.at)
            if t > self.now:
                yield self.env.timeout(t - self.now)
                self._tick()
            if side in self.follow_sides and self.taken_over:
                left = [u for u in o.unit_ids if u not in self.taken_over]
                if not left:
                    continue
                if len(left) < len(o.unit_ids):
                    o = o.model_copy(update={"unit": left[0], "units": None} if len(left) == 1 else {"unit": None, "units": left})
            self.apply_order(o, source="scenario")

    def _order_side(self, o: Any) -> str:
        return self.units[o.unit_ids[0]].side

    def apply_order(self, o: Any, source: str = "player") -> None:
        """Start carrying out an order now (all its units)."""
        for uid in sorted(o.unit_ids):
            u = self.units[uid]
            if u.state in (MoraleState.ROUTED,) and o.kind in ("attack", "move"):
                self._emit("order_refused", unit=uid, order=o.id or o.kind, reason="routed")
                continue
            # (only an attack order has tanks: asking another order for it costs pydantic a miss)
            if o.kind == "attack" and getattr(o, "tanks", None) is not None:  # some of a tank unit's tanks, sent apart
                if u.state in _FALLING_BACK:
                    self._emit("order_refused", unit=uid, order=o.id or o.kind, reason=u.state.value)
                    continue
                self._emit("order", unit=uid, order_kind=o.kind, order=o.id or "", source=source)
                self._send_tanks(u, o)
                continue
            self._emit("order", unit=uid, order_kind=o.kind, order=o.id or "", source=source)
            u.order = o
            u.deferred_order = None  # a new order replaces one still waiting
            if o.kind == "attack" and self._just_lost(o.objective, u.side):
                self.counterattacks[u.side] += 1
                self._emit("counterattack", unit=uid, zone=o.objective, side=u.side, rule="order: attack ground its side just lost", order=o.id or o.kind, source=source)
            if o.kind in ("move", "attack") and u.state is MoraleState.RETREATING:
                # men falling back cannot be sent forward yet: the order waits for them to
                # rally (before, it stopped the retreat and was lost when they rallied)
                u.deferred_order = o
                self._emit("order_deferred", unit=uid, order=o.id or o.kind, reason="retreating")
            elif o.kind in ("move", "attack", "withdraw"):
                self._carry_out_move(u, o)
            elif o.kind == "defend":
                was = u.activity
                standing = not u.moving and was in ("holding", "defending", "digging")
                u.activity = "defending"
                # a unit already in the zone defends where it stands (in its trenches)
                if o.zone is not None and not self.in_zone(o.zone, u.x, u.y):
                    self.start_move(u, self.zone_centre[o.zone], [])
                elif not standing:
                    # the order ends what it was doing (a move, an attack, building a
                    # crossing); men halted by it dig in where they stand, as men who halt do
                    self.stop(u)
                    if was in ("moving", "attacking", "withdrawing"):
                        self._dig_in_where_halted(u)
                # (a unit standing on its ground goes on digging in there: the digging it
                # began when it halted is not thrown away by the order to defend)
            elif o.kind == "dig_in":
                self.stop(u)
                u.activity = "digging"
                self.env.process(self._dig_in(u, u.token))
            elif o.kind == "fire_mission":
                self._fire_mission(u, o)
            elif o.kind == "air_strike":
                self.env.process(self._air_strike(u, o))
            elif o.kind == "build_crossing":
                self.env.process(self._build_crossing(u, o))

    def _carry_out_move(self, u: UnitState, o: Any) -> None:
        """Set a unit going on a move, attack or withdraw order."""
        goal = self.target_point(o.objective if o.kind == "attack" else o.to)
        u.objective = o.objective if o.kind == "attack" else None
        u.activity = {"move": "moving", "attack": "attacking", "withdraw": "withdrawing"}[o.kind]
        # an order's own route is an axis to keep to, not a suggestion
        self.start_move(u, goal, [tuple(p) for p in o.route], axis=bool(o.route), deployed=o.kind == "attack" and getattr(o, "formation", "column") == "deployed")

    def _send_tanks(self, u: UnitState, o: Any) -> None:
        """Send ``o.tanks`` of *u*'s tanks that can move, the nearest to the objective first
        (ties by id), against ``o.objective``, each by its own route; the rest of the unit
        keeps its order, and its next order takes the tanks sent back under it (a
        commander sending some of his tanks against another target)."""
        goal = self.target_point(o.objective)
        live = sorted(
            (t for t in u.tanks if t.status == TANK_OPERATIONAL),
            key=lambda t: (math.hypot(t.x - goal[0], t.y - goal[1]), t.id),
        )
        sent = sorted(live[: o.tanks], key=lambda t: t.id)
        self._emit(
            "tanks_sent", unit=u.id, zone=o.objective, order=o.id or "", asked=o.tanks, n=len(sent),
            tanks=",".join(t.id for t in sent),
        )
        via = [tuple(p) for p in o.route]
        for t in sent:
            t.token += 1  # its part in the unit's move ends at its next step
            self._start_tank(t, u.side, goal, via, bool(via), 0.0)
        if sent:
            u.moving = True

    def _resume_mission(self, u: UnitState) -> None:
        """A unit that fell back and rallied takes up its order again, if it was to take or
        hold a zone its side does not hold now: an order stands until another replaces it,
        and a unit thrown off the ground it was sent to take or hold goes back for it once
        it has rallied (no figure: an order is not given up because the unit was thrown
        back, and ground lost is retaken, the Sento Koryo's active defence, model-anchors
        4b.5; the digest: the Soviets held Zaozernaya through the Japanese counter-attacks
        to the ceasefire). From where it stands, by the quickest way (the order's route
        led from where it started). Going back for ground its side just lost is a
        counter-attack, counted as one (``<side>.counterattacks``). Not on a side that
        the Japanese doctrine commands (``japanese-doctrine``): its counter-attacks by
        detached companies (systems/doctrine.py) are how that side goes back for lost
        ground, and the battalions that detach them stay where they rallied."""
        o = u.order
        if o is None or u.is_air or self.controllers.get(u.side) == "japanese-doctrine":
            return
        if o.kind == "attack":
            zone = o.objective
        elif o.kind == "defend" and o.zone is not None:
            zone = o.zone
        else:
            return
        if self.holder.get(zone) == u.side and self.in_zone(zone, u.x, u.y):
            return
        self._emit("order_resumed", unit=u.id, order=o.id or o.kind)
        if self._just_lost(zone, u.side):
            self.counterattacks[u.side] += 1
            self._emit("counterattack", unit=u.id, zone=zone, side=u.side, rule="rallied: back for ground its side just lost", order=o.id or o.kind)
        if o.kind == "attack":
            u.objective = zone
            u.activity = "attacking"
        else:
            u.activity = "defending"
        self.start_move(u, self.zone_centre[zone], [])

    def _just_lost(self, zone: str, side: str) -> bool:
        """Return True if *side* lost *zone* within the counter-attack window and does not hold it."""
        lost = self.lost_at.get((zone, side))
        window = self.params.f("command.counterattack_window_h") * 60.0
        return lost is not None and self.now - lost <= window and self.holder.get(zone) != side

    def stop(self, u: UnitState) -> None:
        """Stop a unit's movement (its move processes end at their next step)."""
        u.token += 1
        u.moving = False
        for t in u.tanks:
            t.token += 1
            t.moving = False
