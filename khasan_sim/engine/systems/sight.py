"""Sight: line of sight between points (a cache of 50 m cell pairs shared by the runs on one
terrain, with a sorted copy to look up many at once), the enemy pairs within reach that
can see each other, the pairs within close-assault range, and which units or tanks are
Soviet. The pulse's answers are kept while positions stay the same floats.

Reads: ``fire.close_assault_range_m``; otherwise only the terrain.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from khasan_sim.engine.state import TankState
from khasan_sim.terrain import visible_many

_FEW_PAIRS = 24  # below this many sight lines, keys are cheaper in Python than in numpy
_LOS_CACHE_LIMIT = 4_000_000  # sight lines kept between runs in one process (~0.5 GB at most)


def _pairs_in_range(
    ax: np.ndarray, ay: np.ndarray, a_soviet: np.ndarray, a_reach: np.ndarray,
    bx: np.ndarray, by: np.ndarray, b_soviet: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the (row, col, distance) of every enemy pair a -> b within a's reach, row-major.

    Squared distances pick the candidates cheaply (with a margin); the distance of each
    candidate is then the same ``np.hypot`` as everywhere else, so the answer does not
    depend on this shortcut.
    """
    dx = bx[None, :] - ax[:, None]
    dy = by[None, :] - ay[:, None]
    reach = a_reach * (1.0 + 1e-9) + 1e-6
    d2 = dx * dx
    d2 += dy * dy
    near = d2 <= (reach * reach)[:, None]
    near &= b_soviet[None, :] != a_soviet[:, None]
    # flat indices in row-major order, as np.nonzero gives them (and cheaper)
    at = np.flatnonzero(near)
    rows, cols = np.divmod(at, len(bx))
    dist = np.hypot(dx.ravel()[at], dy.ravel()[at])
    keep = dist <= a_reach[rows]
    return rows[keep], cols[keep], dist[keep]


class _SightIndex:
    """The sight-line cache's keys and answers as sorted arrays, to look up many at once.

    Each cached answer is a pure function of the terrain and its key, so a copy that lags
    behind the cache is never wrong, only incomplete: keys not in it are asked of the
    dict, and the copy is made again from the dict once a quarter more have been added.
    It belongs to one cache dict (*source*) and is made anew for another.
    """

    __slots__ = ("behind", "keys", "seen", "source")

    def __init__(self, source: dict[int, bool]) -> None:
        self.source = source
        self.rebuild()

    def rebuild(self) -> None:
        """Copy the cache into sorted arrays."""
        n = len(self.source)
        keys = np.fromiter(self.source.keys(), dtype=np.int64, count=n)
        seen = np.fromiter(self.source.values(), dtype=bool, count=n)
        order = np.argsort(keys)
        self.keys = keys[order]
        self.seen = seen[order]
        self.behind = 0


class SightSystem:
    """Sight: line of sight and the pairs that see each other."""

    def _close_pairs(self, x: np.ndarray, y: np.ndarray, sov: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Return which units are within close-assault range of each other (one row and
        column a unit, themselves included) and which of those pairs are enemies (None
        when there are none).

        Units mostly stand where they stood the pulse before: the answer is kept while
        the positions are the same floats and *sov* is the very array given last time
        (:meth:`_soviet_of` gives the same array again for the same units).
        """
        key = (x.tobytes(), y.tobytes())
        memo = self._close_memo
        if memo is not None and memo[0] is sov and memo[1] == key:
            return memo[2]
        reach = self.cp.close_assault_m
        dx = x[:, None] - x[None, :]
        dy = y[:, None] - y[None, :]
        near = dx * dx + dy * dy <= reach * reach
        across = near & (sov[:, None] != sov[None, :])
        near.flags.writeable = across.flags.writeable = False  # given again: no caller may change them
        out = (near, across if across.any() else None)
        self._close_memo = (sov, key, out)
        return out

    def _soviet_of(self, purpose: str, things: list[Any]) -> np.ndarray:
        """Return whether each of *things* (units, or tanks by their unit) is Soviet.

        Sides never change, so the answer for each *purpose* is kept while its list holds
        the same things (the same objects, in the same order).
        """
        memo = self._soviet_memo.get(purpose)
        if memo is not None and memo[0] == things:
            return memo[1]
        sov = self._soviet_unit
        out = np.array([sov[t.unit] if isinstance(t, TankState) else sov[t.id] for t in things], dtype=bool)
        out.flags.writeable = False  # given again: no caller may change it
        self._soviet_memo[purpose] = (list(things), out)
        return out

    def _los(self, pairs: list[tuple[float, float, float, float]]) -> list[bool]:
        """Return line of sight for point pairs (x1, y1, x2, y2), as :meth:`_los_arrays`."""
        if not pairs:
            return []
        if len(pairs) <= _FEW_PAIRS:
            return self._los_keys([self._los_key(*pr) for pr in pairs]).tolist()
        arr = np.asarray(pairs, dtype=float)
        return self._los_arrays(arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3]).tolist()

    def _los_key(self, x1: float, y1: float, x2: float, y2: float) -> int:
        """Return the cache key of a sight line: one integer per unordered pair of 50 m cells."""
        width = self._los_width
        # x-major cell numbers, so the lower key is the cell that is west (then south)
        a = int(x1 // 50.0) * width + int(y1 // 50.0)
        b = int(x2 // 50.0) * width + int(y2 // 50.0)
        return min(a, b) * (width * width + width) + max(a, b)

    def _los_arrays(self, x1: np.ndarray, y1: np.ndarray, x2: np.ndarray, y2: np.ndarray) -> np.ndarray:
        """Return line of sight between point pairs given as arrays (keys as :meth:`_los_key`)."""
        if len(x1) == 0:
            return np.zeros(0, dtype=bool)
        width = self._los_width
        a = (x1 // 50.0).astype(np.int64) * width + (y1 // 50.0).astype(np.int64)
        b = (x2 // 50.0).astype(np.int64) * width + (y2 // 50.0).astype(np.int64)
        keys = np.minimum(a, b) * (width * width + width) + np.maximum(a, b)
        # most keys are found in the sorted copy of the cache; the others go by the dict
        index = self._sight_index()
        if index.keys.size:
            pos = np.minimum(np.searchsorted(index.keys, keys), index.keys.size - 1)
            found = index.keys[pos] == keys
            seen = index.seen[pos]
            if found.all():
                return seen
            missed = ~found
            seen[missed] = self._los_keys(keys[missed].tolist())
        else:
            missed = np.ones(keys.size, dtype=bool)
            seen = self._los_keys(keys.tolist())
        index.behind += int(missed.sum())
        if index.behind > max(256, index.keys.size // 4):
            index.rebuild()
        return seen

    def _sight_index(self) -> _SightIndex:
        """Return the sorted copy of the sight-line cache (made anew when the cache is another)."""
        extras = self.terrain.extras
        index = extras.get("_los_cells_50m_sorted")
        if index is None or index.source is not self._los_cache:
            index = _SightIndex(self._los_cache)
            extras["_los_cells_50m_sorted"] = index
        return index

    def _los_keys(self, keys: list[int]) -> np.ndarray:
        """Return line of sight for cache keys, computing the missing ones.

        On a miss the sight line is computed between the two cells' centres, so the cached
        value is a pure function of the terrain and the key, whoever asked first.
        """
        cache = self._los_cache
        get = cache.get
        got = [get(k) for k in keys]
        if None in got:
            if len(cache) > _LOS_CACHE_LIMIT:
                cache.clear()
                got = [None] * len(keys)
            todo = list(dict.fromkeys(k for k, v in zip(keys, got, strict=True) if v is None))
            width = self._los_width
            n = width * width + width
            kt = np.array(todo, dtype=np.int64)
            lo_t, hi_t = kt // n, kt % n
            pa = (np.stack([lo_t // width, lo_t % width], axis=1) + 0.5) * 50.0
            pb = (np.stack([hi_t // width, hi_t % width], axis=1) + 0.5) * 50.0
            cache.update(zip(todo, visible_many(self.terrain, pa, pb).tolist(), strict=True))
            got = [cache[k] for k in keys]
        return np.array(got, dtype=bool)

    def _cells(self, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the raster cells of points, as :meth:`cell` does one (clipped to the map)."""
        g = self.terrain.grid
        # np.minimum/np.maximum rather than np.clip: the same cells without np.clip's
        # argument checks, which cost more than the work on a few dozen points
        r = np.minimum(np.maximum((ys // g.cell_m).astype(np.int64), 0), g.nrows - 1)
        c = np.minimum(np.maximum((xs // g.cell_m).astype(np.int64), 0), g.ncols - 1)
        return r, c

    def _seen_pairs(
        self, purpose: str, ax: np.ndarray, ay: np.ndarray, a_soviet: np.ndarray, a_reach: np.ndarray,
        bx: np.ndarray, by: np.ndarray, b_soviet: np.ndarray, close_m: float = 0.0, nearest: bool = False,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the (row, col, distance) of the enemy pairs a -> b within a's reach that can see
        each other (or are within *close_m*), row-major; with *nearest*, only each a's nearest
        (ties by the lower col, which is the lower id when b is in id order).

        The answer is a pure function of the positions, sides and reaches (sight lines are
        of the terrain), and from one pulse to the next they mostly stay put: the last
        answer for each *purpose* is kept and given again while its arguments and the
        sight-line cache are the same.
        """
        key = (ax.tobytes(), ay.tobytes(), a_soviet.tobytes(), a_reach.tobytes(), bx.tobytes(), by.tobytes(), b_soviet.tobytes(), close_m, nearest)
        memo = self._seen_memo.get(purpose)
        if memo is not None and memo[1] is self._los_cache and memo[0] == key:
            return memo[2]
        rows, cols, dist = _pairs_in_range(ax, ay, a_soviet, a_reach, bx, by, b_soviet)
        if rows.size:
            # line of sight for every candidate pair at once
            seen = self._los_arrays(ax[rows], ay[rows], bx[cols], by[cols])
            if close_m > 0:
                seen |= dist <= close_m
            rows, cols, dist = rows[seen], cols[seen], dist[seen]
            if nearest and rows.size:
                order = np.lexsort((cols, dist, rows))
                rows, cols, dist = rows[order], cols[order], dist[order]
                first = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
                rows, cols, dist = rows[first], cols[first], dist[first]
        for arr in (rows, cols, dist):
            arr.flags.writeable = False  # given again next pulse: no caller may change it
        out = (rows, cols, dist)
        self._seen_memo[purpose] = (key, self._los_cache, out)
        return out
