"""Movement mechanics: bogging, ruts at crossings, and infantry speed modifiers.

Pure functions over floats and an explicit numpy Generator. Speeds on each cell and
the bog chance per 100 m come from the terrain rasters (scenarios/params/mobility.yaml).
"""

from __future__ import annotations

import math

import numpy as np


def bog_chance(soft_ground_m: float, p_bog_per_100m: float) -> float:
    """Return the chance of bogging while crossing *soft_ground_m* metres of soft ground.

    Args:
        soft_ground_m: Length of soft ground crossed, in metres (>= 0).
        p_bog_per_100m: Chance of bogging per 100 m for the vehicle's mobility class.

    Returns:
        ``1 - (1 - p)^(d / 100)``: independent trials per 100 m, in [0, 1].
    """
    if soft_ground_m <= 0.0 or p_bog_per_100m <= 0.0:
        return 0.0
    if p_bog_per_100m >= 1.0:  # (a chance above 1 is 1: written out, drawn some 700 times a run)
        return 1.0
    return float(1.0 - (1.0 - p_bog_per_100m) ** (soft_ground_m / 100.0))


def rutted_bog_rate(p_bog_per_100m: float, passes: int, rut_factor_per_pass: float, passes_cap: int) -> float:
    """Return the bog rate after *passes* vehicles have churned the same ground.

    Each pass lowers soil strength (NRMM VCI1 vs VCI50, model-anchors 3.6), so the rate
    rises linearly with the number of earlier passes up to a cap, and never above 1.
    """
    # min(max(passes, 0), passes_cap) and min(1.0, rate), written out (some 700 times a run)
    n = 0 if passes < 0 else passes
    if passes_cap < n:
        n = passes_cap
    rate = p_bog_per_100m * (1.0 + rut_factor_per_pass * n)
    return float(rate if rate < 1.0 else 1.0)


def bogs_down(soft_ground_m: float, p_bog_per_100m: float, rng: np.random.Generator) -> bool:
    """Draw whether a vehicle bogs on this stretch (one draw from its own stream)."""
    return bool(rng.random() < bog_chance(soft_ground_m, p_bog_per_100m))


def bog_point_fraction(rng: np.random.Generator) -> float:
    """Draw where along a soft stretch a vehicle bogs, as a fraction of the stretch."""
    return float(rng.random())


def infantry_speed_factor(suppression: float, is_night: bool, night_factor: float, pin_suppression: float) -> float:
    """Return the multiplier on foot speed from suppression and darkness.

    Suppressed men move by rushes: speed falls linearly to zero at the pin threshold.
    """
    # min(max(suppression, 0.0), 1.0) and max(0.0, ...), written out (some 2,000 times a run)
    s = 0.0 if suppression < 0.0 else suppression
    if s > 1.0:
        s = 1.0
    if pin_suppression > 0:
        rushes = 1.0 - s / pin_suppression
        under_fire = rushes if rushes > 0.0 else 0.0
    else:
        under_fire = 1.0
    return under_fire * night_factor if is_night else under_fire


def nearest_enemy_m(at: tuple[float, float], enemies: list[tuple[float, float]]) -> float:
    """Return the distance from *at* to the nearest of *enemies* (infinity if none)."""
    x, y = at
    return min((math.hypot(ex - x, ey - y) for ex, ey in enemies), default=math.inf)


def fall_back_point(
    at: tuple[float, float], home: tuple[float, float], enemies: list[tuple[float, float]],
    leg_m: float, home_min_m: float, enemies_from: list[tuple[float, float]] | None = None,
) -> tuple[float, float]:
    """Return where a unit that breaks falls back to.

    Away from the nearest enemy (the first of *enemies* at the least distance), *leg_m*
    metres straight back; or to the unit's start position (*home*) when it stands at
    least *home_min_m* from it and home lies farther from every enemy than the unit does
    now. An attacker falls back to its start line; a defender already driven from its
    position does not go back towards the men who drove it out, nor towards others. With
    no enemy on the map, home. An enemy standing on the unit itself (an attack aimed at
    the very point it holds) gives no direction: then away from where that enemy came
    from (its entry in *enemies_from*, its start position), else home; with no direction
    at all, the unit stays where it is.
    """
    x, y = at
    hx, hy = home
    if not enemies:
        return hx, hy
    dist = [math.hypot(x - ex, y - ey) for ex, ey in enemies]
    here = min(dist)
    k = dist.index(here)
    if math.hypot(hx - x, hy - y) >= home_min_m and nearest_enemy_m(home, enemies) > here:
        return hx, hy
    ex, ey = enemies[k]
    if here < 1.0:
        if enemies_from is not None:
            fx, fy = x - enemies_from[k][0], y - enemies_from[k][1]
            n = math.hypot(fx, fy)
            if n >= 1.0:
                return x + fx / n * leg_m, y + fy / n * leg_m
        return (hx, hy) if math.hypot(hx - x, hy - y) >= 1.0 else (x, y)
    return x + (x - ex) / here * leg_m, y + (y - ey) / here * leg_m


def split_legs(seg_length_m: np.ndarray, leg_m: float, breaks: np.ndarray | None = None) -> list[tuple[int, int]]:
    """Split a route's segments into legs of at most *leg_m* metres.

    Args:
        seg_length_m: Length of each route segment.
        leg_m: Longest leg.
        breaks: Optional bool per segment: a leg always ends before a segment marked True
            (e.g. the segment that enters a crossing) and that segment is a leg of its own.

    Returns:
        (first segment, end segment exclusive) pairs covering every segment once, in order.
    """
    legs: list[tuple[int, int]] = []
    n = len(seg_length_m)
    i = 0
    while i < n:
        if breaks is not None and breaks[i]:
            legs.append((i, i + 1))
            i += 1
            continue
        j = i
        acc = 0.0
        while j < n and (j == i or acc + seg_length_m[j] <= leg_m):
            if breaks is not None and breaks[j] and j > i:
                break
            acc += float(seg_length_m[j])
            j += 1
        legs.append((i, j))
        i = j
    return legs


def foot_legs(seg_length_m: np.ndarray, seg_speed_kmh: np.ndarray, leg_m: float, leg_min: float) -> list[tuple[int, int]]:
    """Split a route walked on foot into legs of at most *leg_m* metres and at most
    *leg_min* minutes at the ground's pace, whichever comes first.

    A unit's position is brought up to date at the end of each leg. On slow ground (a
    steep slope, a swamp) a 200 m leg is a quarter of an hour's walk or more; legs of a
    few minutes keep the men where they are, about once a combat pulse: a group pulling
    back from an enemy trench is not held in it until the whole leg is walked. A single
    segment longer than either limit is a leg of its own (as in :func:`split_legs`).
    Speeds below 0.05 km/h count as 0.05 km/h, as the movement itself does.
    """
    seg_min = seg_length_m / (np.maximum(seg_speed_kmh, 0.05) * (1000.0 / 60.0))
    # minutes weighed as metres at leg_m per leg_min: a leg ends when either runs out
    # (as a list of floats: split_legs reads it number by number)
    return split_legs(np.maximum(seg_length_m, seg_min * (leg_m / leg_min)).tolist(), leg_m)
