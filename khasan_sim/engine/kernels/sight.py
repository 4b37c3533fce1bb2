"""Sight lines between 50 m cells, compiled, with a per-process cache the kernels read.

A sight line is asked of a pair of points; it is answered for the pair of 50 m cells
they stand in (between the cells' centres), so the answer is a pure function of the
terrain and the two cells, whoever asked first. The answers are kept in a hash table
shared by the runs of a process on one terrain (``SightLines``), which the pulse
kernels read and fill without returning to Python. In front of it, a small table of the
lines asked lately (``RECENT`` slots, a few tens of kilobytes) answers most of a pulse's
questions from the processor's cache: a pulse asks mostly what the last one asked.

The line itself is :func:`khasan_sim.terrain.los.visible_many`'s, float for float: the
ground plus the growth on it (read bilinearly between the cell centres) must stay below
the straight line from the observer's eye to the target at every half cell between
them, the end cells not blocking.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from khasan_sim.engine.kernels.cells import floor_div

SIGHT_CELL_M = 50.0
RECENT = 4096  # slots of the table of the lines asked lately (a power of 2)
CACHE_LIMIT = 4_000_000  # sight lines kept in one process (a hash table of int64, ~135 MB at most)


@njit(cache=True)
def _cell_of(v: float, cell_m: float, n: int) -> int:
    k = int(floor_div(v, cell_m))
    if k < 0:
        return 0
    if k > n - 1:
        return n - 1
    return k


@njit(cache=True)
def sight_line(ground, surface, cell_m, ax, ay, bx, by, observer_h, target_h, max_samples):
    """Return True if (bx, by) can be seen from (ax, ay) (visible_many for one pair)."""
    nrows, ncols = ground.shape
    ra = _cell_of(ay, cell_m, nrows)
    ca = _cell_of(ax, cell_m, ncols)
    rb = _cell_of(by, cell_m, nrows)
    cb = _cell_of(bx, cell_m, ncols)
    za64 = surface_at(ground, cell_m, ax, ay) + observer_h
    dz = surface_at(ground, cell_m, bx, by) + target_h - za64
    step = 0.5 * cell_m
    dist = math.hypot(bx - ax, by - ay)
    n_in = int(math.ceil(dist / step)) - 1  # noqa: RUF046 (numba types math.ceil by its argument)
    if n_in < 0:
        n_in = 0
    if n_in > max_samples:
        n_in = max_samples
    for j in range(1, n_in + 1):
        t = j / (n_in + 1.0)
        py = ay + (by - ay) * t
        px = ax + (bx - ax) * t
        r = _cell_of(py, cell_m, nrows)
        c = _cell_of(px, cell_m, ncols)
        if (r == ra and c == ca) or (r == rb and c == cb):
            continue
        if surface_at(surface, cell_m, px, py) > za64 + dz * t:
            return False
    return True


@njit(cache=True)
def surface_at(surface, cell_m, x, y):
    """Return the surface's height at (x, y), bilinear between the four cell centres round
    it, edges held flat (terrain.los._surface_at, float for float)."""
    nrows, ncols = surface.shape
    fy = y / cell_m - 0.5
    fx = x / cell_m - 0.5
    r0f = math.floor(fy)
    c0f = math.floor(fx)
    wy = fy - r0f
    wx = fx - c0f
    r0 = int(r0f)
    c0 = int(c0f)
    ra = min(max(r0, 0), nrows - 1)
    rb = min(max(r0 + 1, 0), nrows - 1)
    ca = min(max(c0, 0), ncols - 1)
    cb = min(max(c0 + 1, 0), ncols - 1)
    top = np.float64(surface[ra, ca]) * (1.0 - wx) + np.float64(surface[ra, cb]) * wx
    bottom = np.float64(surface[rb, ca]) * (1.0 - wx) + np.float64(surface[rb, cb]) * wx
    return top * (1.0 - wy) + bottom * wy


@njit(cache=True)
def sight_key(x1, y1, x2, y2, width):
    """Return the cache key of a sight line: one integer per unordered pair of 50 m cells."""
    a = int(floor_div(x1, SIGHT_CELL_M)) * width + int(floor_div(y1, SIGHT_CELL_M))
    b = int(floor_div(x2, SIGHT_CELL_M)) * width + int(floor_div(y2, SIGHT_CELL_M))
    lo = min(a, b)
    hi = max(a, b)
    return lo * (width * width + width) + hi


# a free slot of the cache's table; a line is kept as ``2 * key + seen`` (1 or 0): its answer
# in the same word as its key, one memory read a lookup (the table is megabytes, read at
# random: a second array of answers cost the direct-fire pulse about 10% more)
_EMPTY = np.iinfo(np.int64).min
_MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: spreads neighbouring cell keys


@njit(cache=True)
def _slot(key, mask):
    return int((np.uint64(key) * _MIX) >> np.uint64(20)) & mask


@njit(cache=True)
def cell_of(x, y, width):
    """Return the number of the 50 m cell of a point (as sight keys number them)."""
    return int(floor_div(x, SIGHT_CELL_M)) * width + int(floor_div(y, SIGHT_CELL_M))


@njit(cache=True)
def line_key(a, b, width):
    """Return the cache key of the sight line between 50 m cells *a* and *b* and its hash
    (the place in the tables: :func:`seen_cells`)."""
    lo = min(a, b)
    hi = max(a, b)
    key = lo * (width * width + width) + hi
    return key, int((np.uint64(key) * _MIX) >> np.uint64(20))


@njit(cache=True, inline="always")
def seen_cells(keys, state, width, ground, surface, cell_m, observer_h, target_h, a, b):
    """Return the sight line between 50 m cells *a* and *b* (:func:`cell_of`), from the
    cache or worked out.

    The cache is an open-addressing hash table (*keys*: each line's key and answer in one
    word, ``2 * key + seen``; linear probing), kept at most half full by
    :meth:`SightLines.keep_room`; *state* [0] counts the lines in it, and *state* [1:] is
    a direct-mapped table of the lines asked lately (the same words), looked at first.

    A kernel that asks many lines in a loop looks in the table of recent lines itself and
    calls :func:`seen_past_recent` only when it misses (as the direct-fire pulse does):
    an array handed to an inlined function is counted as one more reference to it, two
    atomic operations on its count a line asked.
    """
    key, h = line_key(a, b, width)
    j = 1 + (h & (state.size - 2))
    e = state[j]
    if e >> 1 == key:
        return (e & 1) == 1
    return seen_past_recent(keys, state, width, ground, surface, cell_m, observer_h, target_h, key, h, j)


@njit(cache=True)
def seen_past_recent(keys, state, width, ground, surface, cell_m, observer_h, target_h, key, h, j):
    """Return the sight line of *key* (hash *h*: :func:`line_key`) when the table of recent
    lines has not got it in its slot *j*, from the hash table or worked out; it is put in
    slot *j* (:func:`seen_cells`)."""
    e = keys[h & (keys.size - 1)]
    if e >> 1 != key:  # not in its own slot of the table: searched, or worked out (a large function)
        e = 2 * key + (1 if _seen_key(keys, state, width, ground, surface, cell_m, observer_h, target_h, key) else 0)
    state[j] = e
    return (e & 1) == 1


@njit(cache=True)
def seen(keys, state, width, ground, surface, cell_m, observer_h, target_h, x1, y1, x2, y2):
    """Return the sight line between the 50 m cells of two points (:func:`seen_cells`)."""
    return seen_cells(keys, state, width, ground, surface, cell_m, observer_h, target_h, cell_of(x1, y1, width), cell_of(x2, y2, width))


@njit(cache=True)
def _seen_key(keys, state, width, ground, surface, cell_m, observer_h, target_h, key):
    mask = keys.size - 1
    i = _slot(key, mask)
    while keys[i] != _EMPTY:
        if keys[i] >> 1 == key:
            return (keys[i] & 1) == 1
        i = (i + 1) & mask
    n = width * width + width
    lo = key // n
    hi = key % n
    ax = (lo // width + 0.5) * SIGHT_CELL_M
    ay = (lo % width + 0.5) * SIGHT_CELL_M
    bx = (hi // width + 0.5) * SIGHT_CELL_M
    by = (hi % width + 0.5) * SIGHT_CELL_M
    ok = sight_line(ground, surface, cell_m, ax, ay, bx, by, observer_h, target_h, 512)
    if state[0] < (keys.size * 3) // 4:  # never fill the table (keep_room keeps it under half)
        keys[i] = 2 * key + (1 if ok else 0)
        state[0] += 1
    return ok


@njit(cache=True)
def seen_many(keys, state, width, ground, surface, cell_m, observer_h, target_h, x1, y1, x2, y2):
    """Return :func:`seen` for arrays of point pairs."""
    out = np.empty(x1.size, dtype=np.bool_)
    for k in range(x1.size):
        out[k] = seen(keys, state, width, ground, surface, cell_m, observer_h, target_h, x1[k], y1[k], x2[k], y2[k])
    return out


@njit(cache=True)
def _rehash(keys, new_keys):
    mask = new_keys.size - 1
    for j in range(keys.size):
        if keys[j] != _EMPTY:
            i = _slot(keys[j] >> 1, mask)
            while new_keys[i] != _EMPTY:
                i = (i + 1) & mask
            new_keys[i] = keys[j]


class SightLines:
    """The sight lines of one terrain, cached for the runs of a process.

    Kept in the terrain's extras (a terrain changed by a new crossing has its own).
    ``args`` are what the kernels take to look a line up (the cache's table, its key
    width, the ground and sight surface, the cell size, the eye and target heights); call
    :meth:`keep_room` after a kernel that may have added lines.
    """

    __slots__ = ("args", "keys", "state", "terrain")

    def __init__(self, terrain, capacity: int = 1 << 18) -> None:
        g = terrain.grid
        self.terrain = terrain
        surface = terrain.extras.get("sight_surface_m")
        if not isinstance(surface, np.ndarray):
            surface = terrain.elevation_m
        self._tables(capacity)
        width = int(max(g.width_m, g.height_m) // SIGHT_CELL_M) + 1
        if 2 * (width * width + width) ** 2 >= 2**62:  # 2 * key + seen must fit in an int64
            msg = f"a map of {width} sight cells a side is too large for the sight-line cache"
            raise ValueError(msg)
        self.args = (
            self.keys, self.state, width, np.ascontiguousarray(terrain.elevation_m), np.ascontiguousarray(surface),
            float(g.cell_m), float(terrain.extras.get("observer_height_m", 2.0)), float(terrain.extras.get("target_height_m", 1.5)),
        )

    def _tables(self, capacity: int) -> None:
        self.keys = np.full(capacity, _EMPTY, dtype=np.int64)
        self.state = np.full(1 + RECENT, _EMPTY, dtype=np.int64)
        self.state[0] = 0  # the lines in the table

    @classmethod
    def of(cls, terrain) -> SightLines:
        """Return the terrain's sight lines (made on first use and kept in its extras)."""
        s = terrain.extras.get("_sight_lines")
        if s is None or s.terrain is not terrain:
            s = cls(terrain)
            terrain.extras["_sight_lines"] = s
        return s

    def keep_room(self) -> None:
        """Grow the cache's table once it is half full (or empty it past CACHE_LIMIT lines)."""
        n = int(self.state[0])
        if 2 * n < self.keys.size:
            return
        if n >= CACHE_LIMIT:
            self._tables(self.keys.size)
        else:
            keys = self.keys
            self._tables(4 * keys.size)
            _rehash(keys, self.keys)
            self.state[0] = n
        self.args = (self.keys, self.state, *self.args[2:])

    def many(self, x1: np.ndarray, y1: np.ndarray, x2: np.ndarray, y2: np.ndarray) -> np.ndarray:
        """Return whether each pair of points can see each other (bool array)."""
        f = np.float64
        out = seen_many(*self.args, np.asarray(x1, f), np.asarray(y1, f), np.asarray(x2, f), np.asarray(y2, f))
        self.keep_room()
        return out

    def __len__(self) -> int:
        return int(self.state[0])
