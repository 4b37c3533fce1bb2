"""Direct fire: expected casualties, their draw and split, and hits on tanks.

Aimed fire grows with the shooters (square-law behaviour) and is cut by the target's
cover, entrenchment and posture, the shooters' training and suppression, and
visibility (model-anchors 1.6: Lanchester laws emerge, they are not imposed).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Casualties:
    """Men hit in one engagement, by kind."""

    killed: int
    wounded: int
    missing: int

    @property
    def total(self) -> int:
        """Return all men lost."""
        return self.killed + self.wounded + self.missing


NO_CASUALTIES = Casualties(0, 0, 0)
"""No man hit (one shared value: a Casualties is never changed)."""


def range_factor(distance_m: float, range_m: float) -> float:
    """Return the share of a weapon's effect at *distance_m*: full to half range, then linear to 0."""
    if distance_m >= range_m or range_m <= 0:
        return 0.0
    half = 0.5 * range_m
    if distance_m <= half:
        return 1.0
    return float(1.0 - (distance_m - half) / half)


def fire_volume(weapon_counts: dict[str, float], kills_per_min: dict[str, float], ranges_m: dict[str, float], distance_m: float) -> float:
    """Return expected casualties per minute against men in the open, before modifiers."""
    total = 0.0
    for w in sorted(weapon_counts):
        n = weapon_counts[w]
        k = kills_per_min.get(w, 0.0)
        if n <= 0 or k <= 0:
            continue
        total += n * k * range_factor(distance_m, ranges_m.get(w, 0.0))
    return total


def frontage_share(shooter_men: float, target_men: float) -> float:
    """Return the share of a unit's weapons that can bear on one enemy unit.

    A unit's frontage grows with the square root of its men (its depth grows too), and
    only the part of the shooter's front that faces the target's front can engage it:
    a regiment cannot bring all its rifles to bear on one company (model-anchors 1.6:
    aimed fire is square-law-like only among the men in contact).
    """
    if shooter_men <= 0 or target_men <= 0:
        return 0.0
    return min(1.0, (target_men / shooter_men) ** 0.5)


def expected_casualties(
    volume_per_min: float,
    duration_min: float,
    accuracy: float,
    shooter_suppression: float,
    visibility: float,
    target_exposure: float,
) -> float:
    """Return expected casualties of one fire exchange.

    Args:
        volume_per_min: :func:`fire_volume` of the shooters at this range.
        duration_min: Length of the exchange.
        accuracy: Training factor of the shooters (fire.training_accuracy).
        shooter_suppression: Shooters' suppression in [0, 1]; suppressed men fire less.
        visibility: 0 to 1 (night, fog, concealment of the target).
        target_exposure: Product of cover, entrenchment and posture factors of the target.
    """
    s = min(max(shooter_suppression, 0.0), 1.0)
    return max(0.0, volume_per_min * duration_min * accuracy * (1.0 - s) * visibility * target_exposure)


def draw_casualties(
    men: int,
    expected: float,
    killed_fraction: float,
    missing_fraction: float,
    max_loss_fraction: float,
    rng: np.random.Generator,
) -> Casualties:
    """Draw men hit from Binomial(men, p) with p = 1 - exp(-expected/men), split by kind.

    The loss is capped at *max_loss_fraction* of *men*, so no one draw removes more men
    than are present (men are conserved by construction).
    """
    if men <= 0 or expected <= 0.0:
        return NO_CASUALTIES
    p = 1.0 - float(np.exp(-expected / men))
    hit = int(rng.binomial(men, min(max(p, 0.0), 1.0)))
    hit = min(hit, math.ceil(max_loss_fraction * men), men)  # math.ceil: the same whole number as np.ceil
    if hit == 0:
        return NO_CASUALTIES
    missing = int(rng.binomial(hit, min(max(missing_fraction, 0.0), 1.0)))
    rest = hit - missing
    killed = int(rng.binomial(rest, min(max(killed_fraction, 0.0), 1.0)))
    return Casualties(killed, rest - killed, missing)


def suppression_from_fire(expected: float, men: int, scale: float = 8.0) -> float:
    """Return suppression added by fire expected to cause *expected* casualties among *men*.

    Suppression saturates: fire that would hit an eighth of a unit in an exchange pins it.
    """
    if men <= 0 or expected <= 0:
        return 0.0
    return float(1.0 - np.exp(-scale * expected / max(men, 1)))


def moving_tank_exposure(speed_kmh: float, moving_exposure: float, evasive_speed_kmh: float) -> float:
    """Return how exposed a tank on the move is to an aimed gun, against one standing still.

    A gunner misses a moving tank by the lead he misjudges, which grows with its speed
    across his sight: a tank at *evasive_speed_kmh* or faster gets the whole
    *moving_exposure*, a slower one a share of it in proportion to its speed, and a tank
    crawling through a swamp at 3 km/h is laid on almost as one standing still.
    """
    if evasive_speed_kmh <= 0.0:
        return moving_exposure
    share = min(1.0, max(0.0, speed_kmh) / evasive_speed_kmh)
    return 1.0 - (1.0 - moving_exposure) * share


def tank_kill_probability(kills_per_min: float, duration_min: float, exposure: float, visibility: float, accuracy: float) -> float:
    """Return the chance that anti-tank fire knocks out one targeted tank in the exchange."""
    rate = max(0.0, kills_per_min * exposure * visibility * accuracy)
    return float(1.0 - np.exp(-rate * duration_min))


def target_weights(is_command: np.ndarray, exposure: np.ndarray, command_weight: float) -> np.ndarray:
    """Return normalised chances that each candidate tank is the one fired at.

    Conspicuous command tanks (handrail antennas) draw fire *command_weight* times as often.
    """
    w = exposure * np.where(is_command, command_weight, 1.0)
    total = float(w.sum())
    if total <= 0:
        return np.full(len(w), 1.0 / max(len(w), 1))
    return w / total
