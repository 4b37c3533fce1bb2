"""Sight: line of sight between points, for the systems that ask it from Python (observed
fire on bogged tanks, the front end's fog of war). The answers come from the terrain's
:class:`~khasan_sim.engine.kernels.sight.SightLines`, the same per-process cache of 50 m
cell pairs the compiled pulse reads, so Python and the kernels always agree.

Reads: only the terrain.
"""

from __future__ import annotations

import numpy as np

from khasan_sim.engine.kernels.sight import SightLines


class SightSystem:
    """Sight lines for the systems that run in Python."""

    def _sight(self) -> SightLines:
        """Return the sight lines of the ground as it is now (a built crossing makes new ground)."""
        return SightLines.of(self.terrain)

    def _los(self, pairs: list[tuple[float, float, float, float]]) -> list[bool]:
        """Return line of sight for point pairs (x1, y1, x2, y2)."""
        if not pairs:
            return []
        arr = np.asarray(pairs, dtype=np.float64)
        return self._los_arrays(arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3]).tolist()

    def _los_arrays(self, x1: np.ndarray, y1: np.ndarray, x2: np.ndarray, y2: np.ndarray) -> np.ndarray:
        """Return line of sight between point pairs given as arrays."""
        if len(x1) == 0:
            return np.zeros(0, dtype=bool)
        return self._sight().many(x1, y1, x2, y2)
