"""The names the engine's systems share: the process type, the unit types that hold ground,
the morale states of men falling back, numpy's sum for the leg memos, and two small
helpers. Reads no parameters.
"""

from __future__ import annotations

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
# what np.sum runs on an array (``np.add.reduce(a, None)``: the same sum, bit for bit)
# without np.sum's Python wrapper, a third of its time on a leg's few segments
ARRAY_SUM = np.add.reduce


def _other(side: str) -> str:
    return "japanese" if side == "soviet" else "soviet"
