"""The cheapest path over a cost raster, compiled: A* on the 8-neighbour grid.

Costs are those of scikit-image's ``MCP_Geometric`` (the reference; a test holds the two
to the same path cost): moving between two neighbouring cells costs the mean of their
costs times the distance between their centres in cells (1 across a side, sqrt 2 across a
corner); the start costs nothing; impassable cells have an infinite cost. The search is
guided by the octile distance to the goal times the cheapest cell's cost, which never
overestimates, so the path found is a cheapest one; where two paths cost exactly the
same, the one found first is taken (a pure function of the raster and the two cells).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

_DR = np.array([-1, -1, -1, 0, 0, 1, 1, 1], dtype=np.int64)
_DC = np.array([-1, 0, 1, -1, 1, -1, 0, 1], dtype=np.int64)
_SQRT2 = math.sqrt(2.0)
_STEP = np.array([_SQRT2, 1.0, _SQRT2, 1.0, 1.0, _SQRT2, 1.0, _SQRT2])


@njit(cache=True, inline="always")
def _push(keys, vals, n, key, val):
    """Push (key, val) on the binary heap of *n* entries; return the new count. The
    parents above the new entry move down into its hole (the same heap as swapping)."""
    i = n
    while i > 0:
        parent = (i - 1) >> 1
        if keys[parent] <= key:
            break
        keys[i] = keys[parent]
        vals[i] = vals[parent]
        i = parent
    keys[i] = key
    vals[i] = val
    return n + 1


@njit(cache=True, inline="always")
def _pop(keys, vals, n):
    """Pop the entry of the least key (of two equal, the one a swapping heap would give)
    from the binary heap of *n* entries; return its value and the new count."""
    val = vals[0]
    n -= 1
    key, last = keys[n], vals[n]
    keys[n] = np.inf  # past the last entry: never the lesser child
    i = 0
    while True:
        left = 2 * i + 1
        if left >= n:
            break
        child = left + (keys[left + 1] < keys[left])
        if key <= keys[child]:
            break
        keys[i] = keys[child]
        vals[i] = vals[child]
        i = child
    keys[i] = key
    vals[i] = last
    return val, n


@njit(cache=True)
def cheapest_path(cost, sr, sc, er, ec, cheapest):
    """Return the cells (rows, cols) of a cheapest path from (sr, sc) to (er, ec), both
    included, and its cost (*cheapest*: a cost no cell is below, for the guide); empty
    arrays and infinity when the goal cannot be reached.

    The search runs on a copy of the raster framed by a row and a column of impassable
    cells (no neighbour is then off the map), its cells numbered row by row; a cell done
    (its cheapest way in found) is made impassable in the copy, which no longer needs it.
    """
    nr, nc = cost.shape
    w = nc + 2
    size = (nr + 2) * w
    framed = np.empty(size, dtype=cost.dtype)  # a float32 raster's sums stay float32
    framed[:] = np.inf
    for r in range(nr):
        base = (r + 1) * w + 1
        for c in range(nc):
            framed[base + c] = cost[r, c]
    best = np.full(size, np.inf)
    came = np.empty(size, dtype=np.int64)  # read only back along the path found
    # each cell is pushed at most once a neighbour (8) that finds it a cheaper way in
    keys = np.empty(8 * nr * nc + 1, dtype=np.float64)
    vals = np.empty(8 * nr * nc + 1, dtype=np.int64)
    step = np.array([-w - 1, -w, -w + 1, -1, 1, w - 1, w, w + 1], dtype=np.int64)
    start = (sr + 1) * w + sc + 1
    goal = (er + 1) * w + ec + 1
    gr, gc = er + 1, ec + 1
    best[start] = 0.0
    reached = start == goal  # (even from an impassable cell)
    n = 0 if reached else _push(keys, vals, 0, 0.0, start)
    while n > 0:
        cell, n = _pop(keys, vals, n)
        here = framed[cell]
        if not math.isfinite(here):
            continue  # done already (a cell is pushed only while passable)
        framed[cell] = np.inf
        if cell == goal:
            reached = True
            break
        r = cell // w
        c = cell - r * w
        g = best[cell]
        for k in range(8):
            nxt = cell + step[k]
            there = framed[nxt]
            if not math.isfinite(there):
                continue  # impassable, or done
            nd = g + 0.5 * (here + there) * _STEP[k]
            if nd < best[nxt]:
                best[nxt] = nd
                came[nxt] = cell
                dr = abs(r + _DR[k] - gr)
                dc = abs(c + _DC[k] - gc)
                h = cheapest * (max(dr, dc) + (_SQRT2 - 1.0) * min(dr, dc))
                n = _push(keys, vals, n, nd + h, nxt)
    if not reached:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.inf
    length = 1
    cell = goal
    while cell != start:
        cell = came[cell]
        length += 1
    rows = np.empty(length, dtype=np.int64)
    cols = np.empty(length, dtype=np.int64)
    cell = goal
    for i in range(length - 1, -1, -1):
        rows[i] = cell // w - 1
        cols[i] = cell % w - 1
        if i > 0:
            cell = came[cell]
    return rows, cols, best[goal]
