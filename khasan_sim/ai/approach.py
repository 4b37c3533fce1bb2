"""Choosing an approach to a height: the quickest way, or one to either side of it.

Each candidate is planned by the public API (:meth:`khasan_sim.api.Simulation.plan_route`,
the same planner as a unit's move) and scored in minutes: its time, plus each minute on
soft ground counted again ``soft_weight - 1`` times (bogging, arriving strung out), plus
``exposure_weight_min`` for each part of the way within ``gun_range_m`` of an enemy gun
(artillery, anti-tank or machine-gun unit) the side sees or remembers. Routes that cannot
reach the height, or that would cross ground a rule forbids, are left out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from khasan_sim.ai.view import OwnUnit, SideView

GUN_TYPES = ("artillery", "anti-tank", "machine-gun")


@dataclass(frozen=True)
class Approach:
    """The chosen approach of one unit to one height.

    Attributes:
        via: The waypoint that bends the approach to one side (None: the direct way).
        assembly: Where the unit assembles before the assault (on the approach).
        via_before_assembly: True when the waypoint lies before the assembly point (the
            march to assembly goes through it; the assault then goes straight on).
        score_min: The approach's score in minutes.
    """

    via: tuple[float, float] | None
    assembly: tuple[float, float]
    via_before_assembly: bool
    score_min: float


def _score(route: Any, guns: np.ndarray, rules: Any) -> float:
    pts = np.asarray(route.points_m, dtype=float)
    if len(pts) < 2:
        return 0.0
    seg_min = route.seg_length_m / np.maximum(route.seg_speed_kmh, 1e-3) * 60.0 / 1000.0
    soft_min = float(np.sum(seg_min[np.asarray(route.seg_soft, dtype=bool)]))
    exposure = 0.0
    if len(guns):
        mid = (pts[1:] + pts[:-1]) / 2.0
        d = np.hypot(mid[:, None, 0] - guns[None, :, 0], mid[:, None, 1] - guns[None, :, 1])
        # parts of the way of about 100 m within range of a gun
        exposed_m = float(np.sum(route.seg_length_m[(d <= rules.f("gun_range_m")).any(axis=1)]))
        exposure = exposed_m / 100.0 * rules.f("exposure_weight_min")
    return float(route.time_min) + (rules.f("soft_weight") - 1.0) * soft_min + exposure


def _assembly_on(route: Any, goal: tuple[float, float], distance_m: float, start: tuple[float, float]) -> tuple[float, float]:
    """Return the last point of *route* at least *distance_m* from *goal* (the start if none is)."""
    pts = np.asarray(route.points_m, dtype=float)
    d = np.hypot(pts[:, 0] - goal[0], pts[:, 1] - goal[1])
    far = np.nonzero(d >= distance_m)[0]
    if len(far) == 0:
        return start
    p = pts[far[-1]]
    return (round(float(p[0]), 1), round(float(p[1]), 1))


def best_approach(sim: Any, view: SideView, u: OwnUnit, goal: tuple[float, float], rules: Any) -> Approach:
    """Return *u*'s best approach to *goal*: direct, or bent ``route_offset_m`` to either side."""
    guns = np.array([(c.x, c.y) for c in view.contacts if c.type in GUN_TYPES], dtype=float).reshape(-1, 2)
    dx, dy = goal[0] - u.x, goal[1] - u.y
    length = math.hypot(dx, dy) or 1.0
    off = rules.f("route_offset_m")
    nx, ny = -dy / length * off, dx / length * off
    mx, my = u.x + dx / 2.0, u.y + dy / 2.0
    g = sim.terrain.grid
    cands: list[tuple[float, int, tuple[float, float] | None, Any]] = []
    for k, via in enumerate([None, (mx + nx, my + ny), (mx - nx, my - ny)]):
        if via is not None:
            via = (round(via[0], 1), round(via[1], 1))
            if not g.contains(*via):
                continue
        route = sim.plan_route(u.id, goal, () if via is None else (via,))
        if not route.reachable:
            continue
        cands.append((_score(route, guns, rules), k, via, route))
    if not cands:
        return Approach(None, (u.x, u.y), False, math.inf)
    score, _, via, route = min(cands, key=lambda c: (c[0], c[1]))
    assembly = _assembly_on(route, goal, rules.f("assembly_distance_m"), (u.x, u.y))
    before = via is not None and math.hypot(via[0] - goal[0], via[1] - goal[1]) > math.hypot(assembly[0] - goal[0], assembly[1] - goal[1])
    return Approach(via, assembly, before, score)
