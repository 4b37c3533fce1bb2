"""Python's float floor division, as the kernels use it to find a point's cell, made cheap.

``x // c`` on floats compiles to Python's algorithm (an ``fmod``, a division, a floor and
two corrections: about 12 ns); :func:`floor_div` gives the same number for about 1.5 ns.
The rounded quotient ``x / c`` has the same floor as the exact one unless it is itself a
whole number (no whole number lies strictly between a quotient and its nearest double:
it would be nearer), so that case alone, a point on a cell's edge, takes ``x // c``.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def floor_div(x, c):
    """Return ``x // c`` for floats (the same float, its sign of zero aside)."""
    q = x / c
    f = np.floor(q)
    if f == q:
        return x // c
    return f
