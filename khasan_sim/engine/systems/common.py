"""The names the engine's systems share: the process type, the unit types that hold ground,
the morale states of men falling back, and two small helpers. Reads no parameters.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from khasan_sim.model.morale import MoraleState

ProcessGen = Generator[simpy.Event, Any, None]
INFANTRY_TYPES = ("rifle", "border-guard", "machine-gun", "anti-tank", "engineer", "headquarters", "anti-aircraft")
HOLDING_TYPES = ("rifle", "border-guard", "machine-gun", "engineer", "anti-tank")
_HOLDING = frozenset(HOLDING_TYPES)
_FALLING_BACK = frozenset((MoraleState.ROUTED, MoraleState.RETREATING))


def _other(side: str) -> str:
    return "japanese" if side == "soviet" else "soviet"
