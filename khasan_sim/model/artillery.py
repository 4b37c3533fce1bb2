"""Artillery fire missions: rounds, dispersion, casualties by posture, suppression, guns lost.

Area fire as a spatial process (model-anchors 4.5): the rounds of a volley fall around
the aim point over a beaten zone (the mission's radius widened by dispersion); a unit
inside it receives rounds in proportion to the overlap; each round kills men in its
lethal area in proportion to the target's density (linear-law behaviour), cut steeply
by posture: men in trenches and dugouts are suppressed far more than they are killed.
"""

from __future__ import annotations

import math

import numpy as np


def volley_rounds(guns: int, rate_rpm: float, interval_min: float, ammunition_left: int) -> int:
    """Return the rounds a battery fires in one interval, limited by what it has left."""
    wanted = math.floor(max(guns, 0) * max(rate_rpm, 0.0) * max(interval_min, 0.0) + 0.5)
    return max(0, min(wanted, max(ammunition_left, 0)))


def beaten_zone_area_m2(radius_m: float, dispersion_m: float) -> float:
    """Return the area the rounds of a mission spread over (aimed area widened by dispersion)."""
    r = math.hypot(radius_m, dispersion_m)
    return math.pi * r * r


def share_of_rounds(distance_m: float, radius_m: float, dispersion_m: float, unit_area_m2: float) -> float:
    """Return the share of a mission's rounds that fall on a unit's area.

    The rounds spread as a circular normal of sd sqrt(radius^2/2 + dispersion^2) around the
    aim point; the share is the density at the unit times its area, at most 1.
    """
    sd2 = radius_m * radius_m / 2.0 + dispersion_m * dispersion_m
    density = math.exp(-distance_m * distance_m / (2.0 * sd2)) / (2.0 * math.pi * sd2)
    return min(1.0, density * unit_area_m2)


def expected_area_casualties(rounds_on_unit: float, lethal_area_m2: float, posture_factor: float, men: int, unit_area_m2: float) -> float:
    """Return expected men hit by rounds falling at random over a unit's area.

    Each man is outside every round's (posture-reduced) lethal area with chance
    ``exp(-rounds * lethal_area * posture / unit_area)`` (Poisson coverage), so the
    expected loss is that complement times the men, and never more than the men: a man
    is not hit twice. For few rounds it equals rounds x lethal area x posture x density.
    """
    if men <= 0 or unit_area_m2 <= 0:
        return 0.0
    coverage = max(0.0, rounds_on_unit) * lethal_area_m2 * posture_factor / unit_area_m2
    return men * -math.expm1(-coverage)


def taken_cover_factor(posture_factor: float, moving: bool, minutes_since_fire: float, within_min: float, cover_share: float) -> float:
    """Return the lethality factor of men under area fire, after taking cover.

    Men caught by the first rounds of a bombardment are hit at their posture's lethality;
    men already under fire within the last *within_min* minutes have gone to ground, to
    the bottom of their trench or into their dugouts, and only *cover_share* of that
    lethality is left ("some troops might be killed in the initial bombardment, but the
    rest took cover": model-anchors 4.2, the rafale). Men on the move (an attack going
    forward) cannot take cover and are hit as men in the open.
    """
    if moving:
        return max(posture_factor, 1.0)
    if minutes_since_fire <= within_min:
        return posture_factor * cover_share
    return posture_factor


def area_suppression(rounds_on_unit: float, per_round: float, cover_factor: float) -> float:
    """Return suppression added by rounds falling on a unit (saturating at 1)."""
    return float(1.0 - math.exp(-max(rounds_on_unit, 0.0) * per_round * cover_factor))


def point_target_hit_chance(rounds_on_unit: float, target_area_m2: float, unit_area_m2: float, kill_given_hit: float) -> float:
    """Return the chance one small target (a tank, a gun) in a unit's area is put out of action."""
    if unit_area_m2 <= 0:
        return 0.0
    p_round = min(1.0, target_area_m2 / unit_area_m2) * kill_given_hit
    return float(1.0 - (1.0 - p_round) ** max(rounds_on_unit, 0.0))


def is_located(volleys_fired: int, chance_per_volley: float, rng: np.random.Generator) -> bool:
    """Draw whether the enemy locates a battery after it fired *volleys_fired* more volleys."""
    if volleys_fired <= 0:
        return False
    p = 1.0 - (1.0 - chance_per_volley) ** volleys_fired
    return bool(rng.random() < p)
