"""Suppression and morale: fast fire-driven suppression apart from slow, event-driven morale.

Suppression accumulates with incoming fire and decays exponentially once fire stops
(model-anchors 2.4). Morale in [0, 1] falls with the recent casualty rate, sustained
suppression, loss of leaders, loss of key terrain and night, and recovers with rest.
States follow thresholds that depend on training (and so on nation), each unit's
thresholds offset by a draw made once per run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

import numpy as np


class MoraleState(str, Enum):  # noqa: UP042 (StrEnum would change how its members format)
    """What a unit's morale and suppression let it do."""

    STEADY = "steady"
    PINNED = "pinned"
    SHAKEN = "shaken"
    RETREATING = "retreating"
    ROUTED = "routed"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """A unit's morale thresholds (below shaken: no advance; below retreat: falls back; below rout: flees)."""

    shaken: float
    retreat: float
    rout: float
    pin_suppression: float
    rally_margin: float


def clamp01(x: float) -> float:
    """Return *x* clipped to [0, 1]."""
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


def decay_suppression(suppression: float, minutes: float, half_life_min: float) -> float:
    """Return suppression after *minutes* without new fire (exponential decay)."""
    if minutes <= 0:
        return clamp01(suppression)
    return clamp01(suppression * math.pow(0.5, minutes / half_life_min))


def add_suppression(suppression: float, added: float) -> float:
    """Combine suppression as independent effects: 1 - (1-a)(1-b), staying in [0, 1]."""
    return clamp01(1.0 - (1.0 - clamp01(suppression)) * (1.0 - clamp01(added)))


def morale_after(
    morale: float,
    *,
    loss_share: float,
    suppression: float,
    minutes: float,
    is_night: bool,
    shocks: float,
    resting: bool,
    baseline: float,
    loss_rate_weight: float,
    suppression_weight_per_hour: float,
    night_drift_per_hour: float,
    recovery_per_hour: float,
    suppression_floor: float = 0.0,
) -> float:
    """Return morale after one pulse.

    Suppression wears morale down only to *suppression_floor* (the engine passes the
    unit's shaken threshold): being shelled pins and shakes men, but what breaks a unit
    is a cause (losses, lost leaders, lost ground, neighbours falling back), not
    suppression alone (model-anchors 2.2-2.4).

    Args:
        morale: Morale before, in [0, 1].
        loss_share: Men lost in this pulse as a share of men present before it.
        suppression: Suppression during the pulse.
        minutes: Pulse length.
        is_night: True at night.
        shocks: Sum of event shocks this pulse (leader lost, zone lost, neighbour withdrew).
        resting: True if the unit has been out of fire long enough to recover.
        baseline: The unit's start morale, toward which rest restores it.
        loss_rate_weight, suppression_weight_per_hour, night_drift_per_hour,
        recovery_per_hour: Parameters (combat.yaml, morale.*).
        suppression_floor: Morale below which suppression wears no further.
    """
    h = minutes / 60.0
    m = morale
    m -= loss_rate_weight * max(loss_share, 0.0)
    wear = suppression_weight_per_hour * clamp01(suppression) * h
    if m > suppression_floor:
        m = max(suppression_floor, m - wear)
    m -= shocks
    if is_night:
        m -= night_drift_per_hour * h
    if resting and m < baseline:
        m = min(baseline, m + recovery_per_hour * h)
    return clamp01(m)


def penetration_shock(
    own_men: np.ndarray, enemy_men: np.ndarray, *, reference_ratio: float, shock_per_hour: float, minutes: float
) -> np.ndarray:
    """Return the morale each unit loses in *minutes* to enemies inside its position.

    McQuie's commonest reason for giving up a position is manoeuvre, first of all the
    enemy penetrating or enveloping it (33 of 52 cases, model-anchors 2.2), not the
    casualty count. Here *enemy_men* are the enemy in good order within close-assault
    range of a unit, *own_men* its own side's men there (itself included). The wear is
    nothing at even numbers or fewer and grows in proportion to the enemy's superiority
    beyond that, reaching *shock_per_hour* at *reference_ratio* to one: a company caught
    by a regiment breaks within the hour, a battalion pressed at two to one holds for
    hours. Works on arrays (one element a unit) and on plain floats.
    """
    own = np.maximum(np.asarray(own_men, dtype=float), 1.0)
    ratio = np.asarray(enemy_men, dtype=float) / own
    weight = np.maximum((ratio - 1.0) / max(reference_ratio - 1.0, 1e-9), 0.0)
    return shock_per_hour * minutes / 60.0 * weight


def morale_state(
    morale: float, suppression: float, previous: MoraleState, th: Thresholds, pressed: bool = True,
) -> MoraleState:
    """Return the state that morale and suppression put a unit in.

    Retreating and routed units rally only when morale is back above the retreat
    threshold by the rally margin (hysteresis), so states do not flicker.

    A unit gives its ground up for a cause: the enemy's action on it (McQuie 1987: every
    one of the 52 positions given up had one, manoeuvre, fire, no reserves left, orders;
    model-anchors 2.2). One whose morale sinks below its breaking levels in a pulse when
    nothing of the enemy's touched it (*pressed* False: no man lost, no shock, not pinned
    by fire), say by the night's small wear alone, holds where it is, shaken, until
    something does; one already falling back goes on falling back.
    """
    falling_back = previous in (MoraleState.RETREATING, MoraleState.ROUTED)
    if morale < th.retreat and not pressed and not falling_back:
        return MoraleState.SHAKEN
    if morale < th.rout:
        return MoraleState.ROUTED
    if morale < th.retreat:
        return MoraleState.RETREATING
    if previous in (MoraleState.RETREATING, MoraleState.ROUTED) and morale < th.retreat + th.rally_margin:
        return MoraleState.RETREATING
    if morale < th.shaken:
        return MoraleState.SHAKEN
    if suppression >= th.pin_suppression:
        return MoraleState.PINNED
    return MoraleState.STEADY


STATES: tuple[MoraleState, ...] = tuple(MoraleState)
"""The states in a fixed order (the world tables store a state as its index here)."""


def can_advance(state: MoraleState) -> bool:
    """Return True if a unit in *state* will move forward on an attack order."""
    return state is MoraleState.STEADY


FIRE_FACTOR: dict[MoraleState, float] = {
    MoraleState.STEADY: 1.0,
    MoraleState.PINNED: 0.6,
    MoraleState.SHAKEN: 0.5,
    MoraleState.RETREATING: 0.2,
    MoraleState.ROUTED: 0.0,
}
"""The share of its fire a unit delivers in each state (a pinned unit fires at 60%, a routed one not at all)."""


def fire_factor(state: MoraleState) -> float:
    """Return the share of its fire a unit in *state* delivers."""
    return FIRE_FACTOR[state]
