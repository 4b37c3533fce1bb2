"""The names the engine's systems share: the process type, the unit types that hold ground,
the morale states of men falling back, and two small helpers. Reads no parameters.
"""

from __future__ import annotations

import itertools
from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from khasan_sim.model.morale import MoraleState

ProcessGen = Generator[simpy.Event, Any, None]
INFANTRY_TYPES = ("rifle", "border-guard", "machine-gun", "anti-tank", "engineer", "headquarters", "anti-aircraft")
HOLDING_TYPES = ("rifle", "border-guard", "machine-gun", "engineer", "anti-tank")
_HOLDING = frozenset(HOLDING_TYPES)
_FALLING_BACK = frozenset((MoraleState.ROUTED, MoraleState.RETREATING))


def _xy(things: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Return the x and y of things that have them, as two arrays (read in one pass)."""
    xy = np.fromiter(itertools.chain.from_iterable([(t.x, t.y) for t in things]), dtype=np.float64, count=2 * len(things))
    return xy[0::2].copy(), xy[1::2].copy()


def _other(side: str) -> str:
    return "japanese" if side == "soviet" else "soviet"
