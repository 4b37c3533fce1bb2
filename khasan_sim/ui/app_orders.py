"""The game window's orders: who may be ordered, the order a right click gives, giving and undoing orders, the route preview.

A mixin of :class:`~khasan_sim.ui.app.App`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import pygame

from khasan_sim.ui.mapview import in_poly


@dataclass(frozen=True)
class RefusedOrder:
    """The route preview of an order a rule forbids: the rule in words and the point it was asked for."""

    reason: str
    at: tuple[float, float]
    reachable: bool = False


ORDER_MODES = (("auto", "Auto"), ("move", "Move"), ("attack", "Attack"), ("withdraw", "Withdr."), ("fire", "Fire"), ("air", "Air"))


class OrdersMixin:
    """Orders for :class:`~khasan_sim.ui.app.App`."""

    # ------------------------------------------------------------------ orders

    def own(self, uid: str | None) -> bool:
        """Return True if the ordering side may command *uid*."""
        side = self.ordering_side
        if uid is None or side is None:
            return False
        u = self.current_frame().unit(uid)
        return u is not None and u.side == side

    def zone_at(self, x: float, y: float) -> Any | None:
        """Return the zone under a map point (smallest first)."""
        hits = [z for z in self.session.zones() if in_poly(x, y, z.polygon)]
        if not hits:
            return None

        def area(z: Any) -> float:
            p = z.polygon
            return abs(sum(p[i][0] * p[(i + 1) % len(p)][1] - p[(i + 1) % len(p)][0] * p[i][1] for i in range(len(p)))) / 2

        return min(hits, key=area)

    def order_for(self, uid: str, x: float, y: float) -> dict[str, Any]:
        """Return the order a right click at (x, y) gives *uid* in the current mode."""
        u = self.current_frame().unit(uid)
        assert u is not None
        mode = self.mode
        route = [[round(a, 1), round(b, 1)] for a, b in self.waypoints]
        if mode == "auto":
            if u.is_air:
                mode = "air"
            elif u.type == "artillery":
                mode = "fire"
            else:
                z = self.zone_at(x, y)
                holders = self.current_frame().holders
                mode = "attack" if z is not None and z.kind in ("height", "line") and holders.get(z.id) != u.side else "move"
        pt = [round(x, 1), round(y, 1)]
        if mode == "attack":
            z = self.zone_at(x, y)
            if z is None:
                return {"kind": "move", "unit": uid, "to": pt, "route": route}
            order = {"kind": "attack", "unit": uid, "objective": z.id, "route": route}
            if self.deployed and u.tanks_start:
                order["formation"] = "deployed"  # the tanks set off in battle line (L)
            return order
        if mode == "withdraw":
            return {"kind": "withdraw", "unit": uid, "to": pt, "route": route}
        if mode == "fire":
            return {"kind": "fire_mission", "unit": uid, "mission": "support", "target": pt, "duration_min": 30, "radius_m": 250}
        if mode == "air":
            return {"kind": "air_strike", "unit": uid, "target": pt, "radius_m": 400}
        return {"kind": "move", "unit": uid, "to": pt, "route": route}

    def give(self, order: dict[str, Any]) -> bool:
        """Give an order; say why not if it is refused."""
        from khasan_sim.errors import KhasanSimError

        try:
            o = self.session.give(order)
        except (KhasanSimError, RuntimeError) as exc:
            self.say(f"Order refused: {exc}", 6)
            return False
        uid = order["unit"]
        u = self.current_frame().unit(uid)
        self.planned[uid] = []
        if u is not None and not u.is_air and order["kind"] in ("move", "attack", "withdraw"):
            goal = order.get("to")
            if goal is None:
                z = next(z for z in self.session.zones() if z.id == order["objective"])
                goal = (sum(p[0] for p in z.polygon) / len(z.polygon), sum(p[1] for p in z.polygon) / len(z.polygon))
            self.say(f"{uid}: {o.kind} ordered", 4)

            def planned(r: Any, err: BaseException | None, uid: str = uid, kind: str = o.kind) -> None:
                if err is not None or r is None or uid not in self.planned:
                    return
                self.planned[uid] = [(float(a), float(b)) for a, b in r.points_m]
                self.say(f"{uid}: {kind} ordered, about {r.time_min:.0f} min over {r.length_m / 1000:.1f} km", 4)

            # planned where the core plans (the worker process), so the frame does not wait for it
            self.session.plan_route(uid, tuple(goal), [tuple(p) for p in order.get("route", [])], planned)
        else:
            self.say(f"{uid}: {o.kind.replace('_', ' ')} ordered", 4)
            if order["kind"] in ("fire_mission", "air_strike") and isinstance(order.get("target"), list):
                self.planned[uid] = [(u.x, u.y) if u is not None and not u.is_air else tuple(order["target"]), tuple(order["target"])]
        self.waypoints.clear()
        self.preview = None
        return True

    def undo(self) -> None:
        """Take back the last order of this turn."""
        o = self.session.undo()
        if o is None:
            self.say("Nothing to undo this turn")
            return
        for uid in o.unit_ids:
            self.planned.pop(uid, None)
            for p in self.session.pending():
                if uid in p.unit_ids:
                    self.planned.setdefault(uid, [])
        self.say(f"Undone: {o.kind} for {', '.join(o.unit_ids)}")

    def _update_preview(self) -> None:
        if self.phase != "orders" or not self.own(self.selected) or self.overlay:
            self.preview = None
            return
        u = self.current_frame().unit(self.selected or "")
        if u is None or u.is_air or u.type == "artillery" or self.mode in ("fire", "air"):
            self.preview = None
            return
        mx, my = pygame.mouse.get_pos()
        if not self.mouse_seen or not self.cam.rect.collidepoint(mx, my):
            return
        now = time.perf_counter()
        x, y = self.cam.to_map(mx, my)
        if self.preview_target is not None and math.hypot(x - self.preview_target[0], y - self.preview_target[1]) * self.cam.scale < 6:
            return
        if now - self._preview_at < 0.12:
            return
        if self._preview_asked:
            return  # one request at a time: the next goes when this one is answered
        self._preview_at = now
        self.preview_target = (x, y)
        self._preview_asked = True
        uid = u.id
        via = list(self.waypoints)

        def planned(r: Any, err: BaseException | None) -> None:
            self._preview_asked = False
            if self.selected == uid and self.phase == "orders":
                self.preview = None if err is not None else r

        def checked(why: str | None, err: BaseException | None) -> None:
            if why is None or err is not None:  # allowed (or not an order at all: the route tells)
                self.session.plan_route(uid, (x, y), via, planned)
                return
            self._preview_asked = False
            if self.selected == uid and self.phase == "orders":
                self.preview = RefusedOrder(why, (x, y))  # the rule, where the route would have been

        self.session.check_order(self.order_for(uid, x, y), checked)
