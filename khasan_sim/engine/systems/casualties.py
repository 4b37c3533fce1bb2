"""Casualties: drawing a unit's killed, wounded and missing from the expected casualties
of any fire (direct, artillery, air) and taking them off its men.

Reads: ``fire.killed_fraction``, ``fire.killed_fraction_by_side``,
``fire.missing_fraction_steady``, ``fire.missing_fraction_routed``,
``fire.max_loss_fraction_per_pulse``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from khasan_sim.engine.state import UnitState
from khasan_sim.engine.systems.common import _FALLING_BACK
from khasan_sim.model import fire


class CasualtiesSystem:
    """Casualties: the draw of a unit's losses."""

    def _inflict(self, v: UnitState, expected: float, g: np.random.Generator, cause: str, **why: Any) -> None:
        """Draw *v*'s losses from *expected* casualties; the event carries *cause*, the
        expected casualties, the chance of each man being hit and *why* (the fire's own
        figures, docs/events.md)."""
        if expected <= 0 or v.men <= 0:
            return
        men = v.men
        routed = v.state in _FALLING_BACK
        miss = self.cp.missing_routed if routed else self.cp.missing_steady
        kf = self.cp.killed_fraction_by_side.get(v.side, self.cp.killed_fraction)
        cas = fire.draw_casualties(v.men, expected, kf, miss, self.cp.max_loss_fraction, g)
        if cas.total == 0:
            return
        v.men -= cas.total
        v.killed += cas.killed
        v.wounded += cas.wounded
        v.missing += cas.missing
        v.pulse_loss += cas.total
        self._emit("casualties", unit=v.id, killed=cas.killed, wounded=cas.wounded, missing=cas.missing, cause=cause,
                   expected=expected, p_hit=-math.expm1(-expected / men), **why)
