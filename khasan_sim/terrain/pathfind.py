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


@njit(cache=True)
def _push(keys, vals, n, key, val):
    """Push (key, val) on the binary heap of *n* entries; return the new count."""
    i = n
    keys[i] = key
    vals[i] = val
    while i > 0:
        parent = (i - 1) >> 1
        if keys[parent] <= keys[i]:
            break
        keys[parent], keys[i] = keys[i], keys[parent]
        vals[parent], vals[i] = vals[i], vals[parent]
        i = parent
    return n + 1


@njit(cache=True)
def _pop(keys, vals, n):
    val = vals[0]
    n -= 1
    keys[0], vals[0] = keys[n], vals[n]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= n:
            break
        child = left
        if left + 1 < n and keys[left + 1] < keys[left]:
            child = left + 1
        if keys[i] <= keys[child]:
            break
        keys[child], keys[i] = keys[i], keys[child]
        vals[child], vals[i] = vals[i], vals[child]
        i = child
    return val, n


@njit(cache=True)
def cheapest_path(cost, sr, sc, er, ec, cheapest):
    """Return the cells (rows, cols) of a cheapest path from (sr, sc) to (er, ec), both
    included, and its cost (*cheapest*: a cost no cell is below, for the guide); empty
    arrays and infinity when the goal cannot be reached."""
    nr, nc = cost.shape
    best = np.full(nr * nc, np.inf)
    came = np.full(nr * nc, -1, dtype=np.int64)
    done = np.zeros(nr * nc, dtype=np.bool_)
    # each cell is pushed at most once a neighbour (8) that finds it a cheaper way in
    keys = np.empty(8 * nr * nc + 1, dtype=np.float64)
    vals = np.empty(8 * nr * nc + 1, dtype=np.int64)
    start = sr * nc + sc
    goal = er * nc + ec
    best[start] = 0.0
    n = _push(keys, vals, 0, 0.0, start)
    while n > 0:
        cell, n = _pop(keys, vals, n)
        if done[cell]:
            continue
        done[cell] = True
        if cell == goal:
            break
        r = cell // nc
        c = cell % nc
        here = cost[r, c]
        g = best[cell]
        for k in range(8):
            rr = r + _DR[k]
            cc = c + _DC[k]
            if rr < 0 or rr >= nr or cc < 0 or cc >= nc:
                continue
            there = cost[rr, cc]
            if not math.isfinite(there):
                continue
            nxt = rr * nc + cc
            if done[nxt]:
                continue
            nd = g + 0.5 * (here + there) * _STEP[k]
            if nd < best[nxt]:
                best[nxt] = nd
                came[nxt] = cell
                dr = abs(rr - er)
                dc = abs(cc - ec)
                h = cheapest * (max(dr, dc) + (_SQRT2 - 1.0) * min(dr, dc))
                n = _push(keys, vals, n, nd + h, nxt)
    if not done[goal]:
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
        rows[i] = cell // nc
        cols[i] = cell % nc
        if i > 0:
            cell = came[cell]
    return rows, cols, best[goal]
