"""Air strikes: bombs that land near the target and strafing (the anti-aircraft fire on the
sorties is model/anti_aircraft.py).

Level bombing of the period was inaccurate (model-anchors 4.3): each bomb's miss
distance is a circular normal with a CEP; only the share landing on the defenders'
area can hurt them, and dug-in men are mostly shocked and suppressed. In fog the bomb
aimer cannot see the aim point from the release point and the bombs scatter wider; a
strafing fighter finds its target only when it sees it in time to aim.
"""

from __future__ import annotations

import math


def share_within(radius_m: float, cep_m: float) -> float:
    """Return the share of bombs falling within *radius_m* of the aim point (circular normal)."""
    if cep_m <= 0:
        return 1.0
    sigma = cep_m / math.sqrt(2.0 * math.log(2.0))
    return float(1.0 - math.exp(-radius_m * radius_m / (2.0 * sigma * sigma)))


def bombs_on_unit(bombs: float, distance_m: float, cep_m: float, unit_area_m2: float) -> float:
    """Return the expected number of bombs falling on a unit's area at *distance_m* from the aim."""
    sigma = max(cep_m, 1.0) / math.sqrt(2.0 * math.log(2.0))
    density = math.exp(-distance_m * distance_m / (2.0 * sigma * sigma)) / (2.0 * math.pi * sigma * sigma)
    return bombs * min(1.0, density * unit_area_m2)


def fog_cep_factor(visibility_m: float, clear_visibility_m: float, blind_factor: float) -> float:
    """Return how many times its clear-weather CEP a bomb falls from the aim at *visibility_m*.

    1 when the visibility reaches *clear_visibility_m* (the bomb aimer sees the aim point
    from the release point), *blind_factor* when nothing is seen (the release is timed
    from the last landmark seen), linear in the visibility between. Never below 1.

    Args:
        visibility_m: Visibility at the target.
        clear_visibility_m: Visibility at and above which aiming is as in clear weather.
        blind_factor: The CEP multiplier of a release with the target unseen (>= 1).
    """
    blind = max(float(blind_factor), 1.0)
    if clear_visibility_m <= 0:
        return 1.0
    seen = min(max(float(visibility_m) / float(clear_visibility_m), 0.0), 1.0)
    return 1.0 + (blind - 1.0) * (1.0 - seen)


def strafe_share_seen(visibility_m: float, sight_m: float) -> float:
    """Return the share of strafing passes that find their target at *visibility_m*.

    A pilot diving on a trench line must see it *sight_m* ahead to aim; in poorer
    visibility that share of the passes finds it (0 to 1).
    """
    if sight_m <= 0:
        return 1.0
    return min(max(float(visibility_m) / float(sight_m), 0.0), 1.0)
