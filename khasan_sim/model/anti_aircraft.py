"""Anti-aircraft fire on a formation flying a sortie over a defended target.

A gun or machine gun engages the formation while it is inside the weapon's envelope: its
slant range from the weapon is within the weapon's effective range. How long that lasts
follows from the aircraft's attack altitude and speed (a slow TB-3 at 3 km crosses a
heavy gun's envelope in about four minutes, a strafing fighter crosses a machine gun's in
well under one, once a pass). The weapon fires at its practical rate for that time; a
weapon class needs so many rounds for each aircraft it brings down, so many for each one
it damages (``rounds_per_aircraft_downed`` times the share of damaged aircraft that are
lost), and a larger aircraft is hit more often (in proportion to its span: a shell's
lethal burst and a gunner's aim error are both of the order of a wing span).

A weapon fires at one target at a time, so the damage done to a formation grows with the
number of weapons and the time they fire, not with the number of aircraft: the expected
number of aircraft damaged is spread over the formation and saturates (no aircraft is
damaged twice in one sortie).

Pure functions; the draws come from the caller's named stream.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class AAWeapon:
    """One anti-aircraft weapon class as the engine sees it over one target.

    *weapons* is the number in action (weapons times the share of their crews left);
    *distance_m* is their ground distance from the aim point.
    """

    name: str
    weapons: float
    distance_m: float
    range_m: float
    rate_rpm: float
    rounds_per_aircraft_downed: float
    lost_share_of_damaged: float
    lowest_altitude_m: float = 0.0  # below this the weapon cannot follow the aircraft


@dataclass(frozen=True, slots=True)
class AircraftPass:
    """One aircraft type of a sortie: how high, how fast, how big, how many passes."""

    altitude_m: float
    speed_kmh: float
    span_m: float
    reference_span_m: float
    passes: int


def time_in_envelope_min(distance_m: float, altitude_m: float, range_m: float, speed_kmh: float) -> float:
    """Minutes an aircraft flying straight over the aim point at *altitude_m* spends within
    *range_m* (slant) of a weapon *distance_m* from the aim point (0 if never in reach).

    The aircraft's track passes over the aim point; the weapon sits off it by *distance_m*
    (the worst case for the weapon, which is what a gun line a few hundred metres from
    the target sees). The chord of the envelope at that height and offset is flown at
    *speed_kmh*.
    """
    if speed_kmh <= 0 or range_m <= 0:
        return 0.0
    reach_sq = range_m * range_m - altitude_m * altitude_m - distance_m * distance_m
    if reach_sq <= 0:
        return 0.0
    chord_m = 2.0 * math.sqrt(reach_sq)
    return chord_m / (speed_kmh * 1000.0 / 60.0)


def expected_damaged(weapon: AAWeapon, aircraft: AircraftPass) -> float:
    """Expected number of aircraft of the formation damaged by *weapon* in one sortie
    (before saturation: :func:`draw_sortie_losses` spreads it over the formation)."""
    if weapon.weapons <= 0 or weapon.rounds_per_aircraft_downed <= 0 or aircraft.passes <= 0:
        return 0.0
    if aircraft.altitude_m < weapon.lowest_altitude_m:
        return 0.0
    minutes = time_in_envelope_min(weapon.distance_m, aircraft.altitude_m, weapon.range_m, aircraft.speed_kmh)
    if minutes <= 0:
        return 0.0
    rounds = weapon.weapons * weapon.rate_rpm * minutes * aircraft.passes
    lost_share = min(max(weapon.lost_share_of_damaged, 1e-6), 1.0)
    rounds_per_damaged = weapon.rounds_per_aircraft_downed * lost_share
    size = aircraft.span_m / aircraft.reference_span_m if aircraft.reference_span_m > 0 else 1.0
    return rounds / rounds_per_damaged * size


@dataclass(frozen=True, slots=True)
class SortieLosses:
    """What the anti-aircraft fire did to one aircraft type of one sortie, and why."""

    damaged: int
    lost: int
    chance_damaged: float  # per aircraft
    lost_share: float  # of the damaged, weighted by the weapons that did the damage
    expected_by_weapon: dict[str, float]
    expected_each: tuple[float, ...]  # the expected damaged of each weapon given, in order


def draw_sortie_losses(aircraft: int, flight: AircraftPass, weapons: list[AAWeapon], rng: np.random.Generator) -> SortieLosses:
    """Draw the damaged and downed aircraft of *aircraft* flying *flight* through the fire
    of *weapons*. Each aircraft is damaged with chance ``1 - exp(-E / n)`` (E the expected
    damaged from all weapons, n the aircraft): the formation shares the fire and no
    aircraft counts twice. Of the damaged, each is lost with the share of the weapons
    that did the damage (a heavy shell's burst brings an aircraft down more often than a
    machine-gun bullet). Two draws from *rng*, always in this order.
    """
    each = tuple(expected_damaged(w, flight) for w in weapons)
    by_weapon: dict[str, float] = {}
    for w, e in zip(weapons, each, strict=True):
        if e > 0:
            by_weapon[w.name] = by_weapon.get(w.name, 0.0) + e
    total = sum(by_weapon.values())
    if aircraft <= 0 or total <= 0:
        return SortieLosses(0, 0, 0.0, 0.0, by_weapon, each)
    p = 1.0 - math.exp(-total / aircraft)
    lost_share = sum(e * w.lost_share_of_damaged for w, e in zip(weapons, each, strict=True)) / total
    lost_share = min(max(lost_share, 0.0), 1.0)
    damaged = int(rng.binomial(aircraft, p))
    lost = int(rng.binomial(damaged, lost_share)) if damaged > 0 else 0
    return SortieLosses(damaged, lost, p, lost_share, by_weapon, each)
