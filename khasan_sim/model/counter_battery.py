"""Adjusted counter-battery fire: rounds walked onto a located battery's gun line.

Area fire spreads its rounds over the whole beaten zone (model/artillery.py): a gun pit
in a unit's 400 m square is then hit by one round in a few thousand. Once the enemy has
located a battery (flash spotting, sound ranging, observation: model-anchors 4.4, 4b.6),
counter-battery fire is observed and corrected onto the guns themselves: the sheaf is
opened to the battery's front and the remaining spread is the firing gun's own range
dispersion. Of the rounds that reach the battery's area, the share that bursts within
its gun line is the share of a normal range error (probable error a fixed fraction of the
range) that falls within the gun line's depth; each gun in that line is then hit with
chance its pit's area over the line's area (a battery "silenced on its third salvo",
model-anchors 4b.6, is this fire).

Pure functions of numbers.
"""

from __future__ import annotations

import math

# a normal error's probable error is 0.6745 sigma: P(|X| < h) = erf(h * 0.4769 / PE)
_PE_TO_ERF = 0.476936


def share_in_gun_line(range_m: float, probable_error_share: float, depth_m: float) -> float:
    """Share of adjusted rounds bursting within a gun line *depth_m* deep, fired from
    *range_m* by a gun whose range probable error is *probable_error_share* of its range."""
    if depth_m <= 0:
        return 0.0
    pe = max(range_m, 0.0) * max(probable_error_share, 0.0)
    if pe <= 0:
        return 1.0
    return math.erf(_PE_TO_ERF * (depth_m / 2.0) / pe)


def gun_line_area_m2(guns: int, interval_m: float, depth_m: float) -> float:
    """Ground a battery of *guns* occupies: its front (guns times their interval) by its
    depth."""
    return max(guns, 1) * max(interval_m, 0.0) * max(depth_m, 0.0)


def adjusted_gun_hit_chance(
    rounds_on_battery: float, range_m: float, gun_area_m2: float, kill_given_hit: float,
    guns: int, interval_m: float, depth_m: float, probable_error_share: float,
) -> float:
    """Chance one gun of a located battery is put out of action by *rounds_on_battery*
    rounds of adjusted fire from *range_m* away."""
    area = gun_line_area_m2(guns, interval_m, depth_m)
    if area <= 0 or rounds_on_battery <= 0:
        return 0.0
    in_line = rounds_on_battery * share_in_gun_line(range_m, probable_error_share, depth_m)
    p_round = min(1.0, gun_area_m2 / area) * min(max(kill_given_hit, 0.0), 1.0)
    return float(1.0 - (1.0 - p_round) ** in_line)
