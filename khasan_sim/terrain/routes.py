"""Path finding over the terrain's cost raster (A* over the cells, terrain/pathfind.py).

The cost of a cell is the time to cross a metre of it (the inverse of the mobility
class's speed there); cells a class cannot enter, and cells a rule forbids (the far side
of the border), are impassable. A goal that cannot be reached is moved to the nearest
cell that can: the route says so (``snapped``).

A route given with an order (its waypoints) is an axis the commander ordered, not a
suggestion: with ``follow_axis`` each leg, from the start through the waypoints to the
goal, keeps to the straight line between its ends across any ground the class can enter
(soft ground included: it is slow and it bogs, but the drivers do not pick firmer ground
off the axis) and turns aside only round ground it cannot enter (water, the stream away
from its crossings, rock, slopes beyond its limit, the far side of the border), the
shortest way round. Without it (an order with no route) the quickest way is planned.

Routes are memoised per process (``plan_route`` is a pure function of its inputs), so the
replications a batch worker runs on one loaded scenario plan each distinct question once.
Below the routes, the A* searches are kept per planner (:func:`planner_key`) and handed to
terrain/path_store.py, which keeps them on disk for later processes.
The memo's key is what the answer depends on: a digest of the terrain's layers that routes
read (speeds, bogging, soft ground, crossing index and crossings), the mobility class, the
exact start, waypoints and goal, whether the axis is followed, and a digest of the
forbidden mask. A terrain changed by a
built crossing has other layers, so another digest. The memo holds at most
``ROUTE_MEMO_SIZE`` routes (least recently used out first); ``route_memo(False)`` turns it
off within a block. Routes' arrays are read-only: a memoised route is shared by its callers.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import ndimage

from khasan_sim.terrain.pathfind import cheapest_path
from khasan_sim.terrain.types import Terrain

_EIGHT = np.ones((3, 3), dtype=bool)

AXIS_OFFSET_COST = 0.02
"""On a leg that keeps to the ordered axis, a cell costs ``1 + AXIS_OFFSET_COST x`` its
distance from the axis in cells (a cell 100 m off the axis 8 % more than one on it).
Not a behaviour knob: on the 8-neighbour grid many paths are equally short (a diagonal
run then a straight one, or the reverse); this picks the one along the axis, and round an
obstacle the one that hugs it and comes back to the axis."""


@dataclass(frozen=True)
class Route:
    """A planned route: points and, for each segment between them, what the ground is.

    Attributes:
        points_m: (n, 2) positions in metres, from the start to the (possibly snapped) goal.
        seg_length_m: Length of each of the n-1 segments.
        seg_speed_kmh: Speed of the mobility class on each segment.
        seg_soft: True where the segment enters soft ground.
        seg_p_bog_per_100m: Chance of bogging per 100 m on each segment.
        seg_crossing: Crossing id where the segment enters a sapper crossing, else "".
        length_m: Total length.
        time_min: Time to travel it at the segment speeds (no night, no fire).
        reachable: False when no passable route leaves the start at all.
        snapped: True when the goal (or a waypoint) was moved to the nearest reachable cell.
    """

    points_m: np.ndarray
    seg_length_m: np.ndarray
    seg_speed_kmh: np.ndarray
    seg_soft: np.ndarray
    seg_p_bog_per_100m: np.ndarray
    seg_crossing: tuple[str, ...]
    length_m: float
    time_min: float
    reachable: bool
    snapped: bool = False

    @property
    def soft_m(self) -> float:
        """Return the metres of soft ground on the route."""
        return float(np.sum(self.seg_length_m[self.seg_soft]))

    @property
    def crossings(self) -> tuple[str, ...]:
        """Return the crossings the route uses, in order."""
        return tuple(c for c in self.seg_crossing if c)


def _empty(start: tuple[float, float]) -> Route:
    z = np.zeros(0)
    return Route(np.array([start], dtype=float), z, z, z.astype(bool), z, (), 0.0, 0.0, False)


def _frozen(route: Route) -> Route:
    """Return *route* with its arrays made read-only (it may be shared through the memo)."""
    for a in (route.points_m, route.seg_length_m, route.seg_speed_kmh, route.seg_soft, route.seg_p_bog_per_100m):
        a.setflags(write=False)
    return route


# ---------------------------------------------------------------- the memo

ROUTE_MEMO_SIZE = 4096
"""Most routes the per-process memo keeps: a historical run asks 120-170 questions, about
60 % of them already asked in a warm process (about 50 new a run); a route averages 3.4 kB,
so the full memo holds about 14 MB."""

_memo: OrderedDict[tuple[object, ...], Route] = OrderedDict()
_memo_lock = threading.Lock()
_memo_on = True
_memo_stats = {"hits": 0, "misses": 0}
# digests of terrains and forbidden masks, by object: (weak reference, digest). The layers
# are never changed in place (a changed terrain is a new object, see terrain_with_crossings).
_digests: dict[int, tuple[weakref.ref, str]] = {}


def _digest_of(obj: object, make: Callable[[], str]) -> str:
    key = id(obj)
    hit = _digests.get(key)
    if hit is not None and hit[0]() is obj:
        return hit[1]
    d = make()
    _digests[key] = (weakref.ref(obj, lambda _r, k=key: _digests.pop(k, None)), d)
    return d


def _hash_arrays(h: Any, *arrays: np.ndarray) -> None:
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(f"{a.dtype.str}{a.shape};".encode())
        h.update(a.data)


def terrain_route_digest(terrain: Terrain) -> str:
    """Return a digest of everything on *terrain* that a planned route depends on."""

    def make() -> str:
        h = hashlib.sha256()
        g = terrain.grid
        h.update(f"{g.cell_m!r},{g.nrows},{g.ncols};".encode())
        for name in ("speed_kmh", "p_bog_per_100m"):
            layers = getattr(terrain, name)
            for mob in sorted(layers):
                h.update(f"{name}.{mob};".encode())
                _hash_arrays(h, layers[mob])
        _hash_arrays(h, terrain.soft)
        xmap = terrain.extras.get("crossing_index")
        if isinstance(xmap, np.ndarray):
            _hash_arrays(h, xmap)
        else:
            h.update(b"no-crossing-index;")
        h.update(repr(tuple(c.id for c in terrain.crossings)).encode())
        return h.hexdigest()

    return _digest_of(terrain, make)


def _mask_digest(mask: np.ndarray | None) -> str | None:
    if mask is None:
        return None

    def make() -> str:
        h = hashlib.sha256()
        _hash_arrays(h, np.asarray(mask, dtype=bool))
        return h.hexdigest()

    return _digest_of(mask, make)


def _point(p: tuple[float, float]) -> tuple[float, float]:
    x, y = p
    return float(x), float(y)


def set_route_memo(on: bool) -> bool:
    """Turn the per-process route memo on or off; return whether it was on."""
    global _memo_on
    was, _memo_on = _memo_on, bool(on)
    return was


@contextmanager
def route_memo(on: bool) -> Iterator[None]:
    """Within the block, plan routes with the memo on or off (``with route_memo(False): ...``)."""
    was = set_route_memo(on)
    try:
        yield
    finally:
        set_route_memo(was)


def clear_route_memo() -> None:
    """Forget every memoised route and reset the hit counts."""
    with _memo_lock:
        _memo.clear()
        _memo_stats.update(hits=0, misses=0)


def route_memo_info() -> dict[str, int]:
    """Return the memo's ``hits``, ``misses`` (questions planned while on) and ``size``."""
    with _memo_lock:
        return {**_memo_stats, "size": len(_memo)}


# ---------------------------------------------------------------- the paths searched

PATHS_KEPT = 20_000
"""Most paths kept for one planner (one terrain, mobility class and forbidden mask): when
full, the oldest quarter goes (a historical run searches some 25 new paths in a warm
process; a 200-run study leaves some 4,000 for the busiest planner)."""

# the cells of the paths searched, by planner: "terrain digest:mobility:mask digest" ->
# {(start cell, end cell, axis): (n, 2) int16 cells}. Shared by the planners of equal
# terrains in this process, and filled by terrain/path_store.py from earlier processes
# (a path is a pure function of the key and the search's code, which names the store).
_planner_paths: dict[str, dict[tuple[tuple[int, int], tuple[int, int], bool], np.ndarray]] = {}
# the paths searched in this process and not yet handed over (:func:`take_new_paths`), by planner
_new_paths: dict[str, list[tuple[tuple[int, int], tuple[int, int], bool]]] = {}


def planner_key(terrain: Terrain, mobility: str, forbidden: np.ndarray | None) -> str:
    """Return the key of the paths of a planner: what its cost raster depends on."""
    return f"{terrain_route_digest(terrain)}:{mobility}:{_mask_digest(forbidden) or '-'}"


def add_known_paths(key: str, paths: dict[tuple[tuple[int, int], tuple[int, int], bool], np.ndarray]) -> int:
    """Add paths searched before (by another process) to planner *key*'s table; return how
    many were new to it. Each path must be what the search gives for its key (read-only
    (n, 2) int16 cells)."""
    table = _planner_paths.setdefault(key, {})
    n = 0
    for k, cells in paths.items():
        if len(table) >= PATHS_KEPT:
            break
        if k not in table:
            cells.setflags(write=False)
            table[k] = cells
            n += 1
    return n


def pending_new_paths() -> int:
    """Return how many paths were searched in this process since :func:`take_new_paths`."""
    return sum(len(v) for v in _new_paths.values())


def take_new_paths() -> dict[str, dict[tuple[tuple[int, int], tuple[int, int], bool], np.ndarray]]:
    """Return the paths searched in this process since the last call, by planner key (and
    forget that they are new)."""
    out = {}
    for key, keys in _new_paths.items():
        table = _planner_paths.get(key, {})
        got = {k: table[k] for k in keys if k in table}
        if got:
            out[key] = got
    _new_paths.clear()
    return out


class _Planner:
    """Cost raster, connected components and path search of one mobility class and rule."""

    def __init__(self, terrain: Terrain, mobility: str, forbidden: np.ndarray | None) -> None:
        self.speed = terrain.speed_kmh[mobility]
        passable = self.speed > 0
        if forbidden is not None:
            passable &= ~forbidden
        self.passable = passable
        # minutes per metre; impassable cells are infinitely expensive
        with np.errstate(divide="ignore"):
            self.cost = np.where(passable, 60.0 / (np.maximum(self.speed, 1e-6) * 1000.0), np.inf)
        finite = self.cost[np.isfinite(self.cost)]
        # the cheapest cell's cost: the guide of the path search (never overestimates)
        self.cheapest = float(finite.min()) if finite.size else 1.0
        self.labels, _ = ndimage.label(passable, structure=_EIGHT)
        self._nearest: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._key = planner_key(terrain, mobility, forbidden)
        self._paths = _planner_paths.setdefault(self._key, {})

    def nearest_in(self, label: int, cell: tuple[int, int]) -> tuple[int, int]:
        """Return the cell of component *label* nearest to *cell*."""
        idx = self._nearest.get(label)
        if idx is None:
            _, inds = ndimage.distance_transform_edt(self.labels != label, return_indices=True)
            idx = (inds[0].astype(np.int32), inds[1].astype(np.int32))
            self._nearest[label] = idx
        return int(idx[0][cell]), int(idx[1][cell])

    def solve(self, start: tuple[int, int], end: tuple[int, int], axis: bool = False) -> list[tuple[int, int]]:
        """Return the cells of the cheapest path from *start* to *end* (both included):
        the quickest, or with *axis* the shortest along the straight line between them.

        Paths are remembered (a pure function of the two cells), so Monte Carlo runs in
        one process plan each distinct leg once.
        """
        return list(map(tuple, self.path_cells(start, end, axis).tolist()))  # (row, col) of ints

    def path_cells(self, start: tuple[int, int], end: tuple[int, int], axis: bool = False) -> np.ndarray:
        """Return ``solve``'s path as an (n, 2) array of (row, col), read-only (remembered)."""
        key = (start, end, axis)
        hit = self._paths.get(key)
        if hit is None:
            if len(self._paths) >= PATHS_KEPT:  # the oldest quarter out (not all: a table
                # filled from the store would empty at its first search)
                for old in list(itertools.islice(self._paths, PATHS_KEPT // 4)):
                    del self._paths[old]
            hit = self._solve(start, end, axis).astype(np.int16)
            hit.setflags(write=False)
            self._paths[key] = hit
            _new_paths.setdefault(self._key, []).append(key)
        return hit

    def _axis_cost(self, start: tuple[int, int], end: tuple[int, int], r0: int, r1: int, c0: int, c1: int) -> np.ndarray:
        """Return the cost window of a leg that keeps to its axis: 1 a cell on the axis,
        rising with the distance from it (``AXIS_OFFSET_COST``), infinite where the class
        cannot go."""
        rows = np.arange(r0, r1, dtype=np.float64)[:, None]
        cols = np.arange(c0, c1, dtype=np.float64)[None, :]
        ar, ac = float(start[0]), float(start[1])
        dr, dc = float(end[0]) - ar, float(end[1]) - ac
        n2 = dr * dr + dc * dc
        if n2 > 0:
            s = np.clip(((rows - ar) * dr + (cols - ac) * dc) / n2, 0.0, 1.0)
        else:
            s = np.zeros((r1 - r0, c1 - c0))
        off = np.hypot(rows - (ar + s * dr), cols - (ac + s * dc))
        return np.where(self.passable[r0:r1, c0:c1], 1.0 + AXIS_OFFSET_COST * off, np.inf)

    def _solve(self, start: tuple[int, int], end: tuple[int, int], axis: bool = False) -> np.ndarray:
        """Solve in a window round the two cells first (most legs are local), then the whole map.

        The window's path is kept only if it does not touch the window's edge, where a
        better path could have left it; otherwise the whole map is solved.
        """
        n_r, n_c = self.cost.shape
        span = max(abs(start[0] - end[0]), abs(start[1] - end[1]))
        margin = max(60, span // 2)
        r0, r1 = max(0, min(start[0], end[0]) - margin), min(n_r, max(start[0], end[0]) + margin + 1)
        c0, c1 = max(0, min(start[1], end[1]) - margin), min(n_c, max(start[1], end[1]) + margin + 1)
        if (r1 - r0) * (c1 - c0) < 0.6 * n_r * n_c:
            path = self._solve_in(start, end, r0, r1, c0, c1, axis)
            if path is not None:
                rows, cols = path[:, 0], path[:, 1]
                inner = (r0 == 0 or rows.min() > r0) and (r1 == n_r or rows.max() < r1 - 1) and (c0 == 0 or cols.min() > c0) and (c1 == n_c or cols.max() < c1 - 1)
                if inner:
                    return path
        path = self._solve_in(start, end, 0, n_r, 0, n_c, axis)
        return path if path is not None else np.array([start, end], dtype=np.int64)

    def _solve_in(
        self, start: tuple[int, int], end: tuple[int, int], r0: int, r1: int, c0: int, c1: int, axis: bool = False,
    ) -> np.ndarray | None:
        """Return the cells of the cheapest path within rows r0:r1, cols c0:c1 as an (n, 2)
        array of (row, col) on the map, or None when the goal cannot be reached there."""
        if axis:
            cost = self._axis_cost(start, end, r0, r1, c0, c1)
            cheapest, way_out = 1.0, 1.0
        else:
            cost = self.cost[r0:r1, c0:c1]  # a view: the search copies it
            cheapest, way_out = self.cheapest, 60.0 / 1000.0  # leave an impassable start cell at 1 km/h
        s = (start[0] - r0, start[1] - c0)
        e = (end[0] - r0, end[1] - c0)
        if not np.isfinite(cost[s]):
            cost = cost.copy()
            cost[s] = way_out
        rows, cols, total = cheapest_path(cost, s[0], s[1], e[0], e[1], cheapest)
        if not np.isfinite(total):
            return None
        return np.stack((rows + r0, cols + c0), axis=1)


def _planner(terrain: Terrain, mobility: str, forbidden: np.ndarray | None) -> _Planner:
    cache = terrain.extras.setdefault("_planners", {})
    assert isinstance(cache, dict)
    key = (mobility, id(forbidden) if forbidden is not None else None)
    hit = cache.get(key)
    if hit is not None and hit[0] is forbidden:
        return hit[1]
    p = _Planner(terrain, mobility, forbidden)
    cache[key] = (forbidden, p)
    return p


def plan_route(
    terrain: Terrain,
    mobility: str,
    start: tuple[float, float],
    goal: tuple[float, float],
    waypoints: tuple[tuple[float, float], ...] = (),
    forbidden: np.ndarray | None = None,
    follow_axis: bool = False,
) -> Route:
    """Plan the quickest route for a mobility class from *start* through *waypoints* to *goal*.

    Args:
        terrain: The terrain.
        mobility: A mobility class (``foot``, ``bt``, ``t26``, ``towed``).
        start: Start position in metres.
        goal: Goal position in metres.
        waypoints: Positions to pass through, in order.
        forbidden: Cells the mover may not enter (e.g. the far side of the border).
        follow_axis: Keep each leg to the straight line between its ends (an ordered
            route's axis) instead of the quickest way; see the module's docstring.

    Returns:
        The route; ``reachable`` is False if the start is boxed in. Its arrays are
        read-only: the same route object answers the same question again in this process.
    """
    if not _memo_on:
        return _frozen(_plan_route(terrain, mobility, start, goal, tuple(waypoints), forbidden, follow_axis))
    key = (
        terrain_route_digest(terrain), str(mobility), _point(start), _point(goal),
        tuple(_point(w) for w in waypoints), _mask_digest(forbidden), bool(follow_axis),
    )
    with _memo_lock:
        hit = _memo.get(key)
        if hit is not None:
            _memo.move_to_end(key)
            _memo_stats["hits"] += 1
            return hit
    route = _frozen(_plan_route(terrain, mobility, start, goal, tuple(waypoints), forbidden, follow_axis))
    with _memo_lock:
        _memo_stats["misses"] += 1
        _memo[key] = route
        while len(_memo) > ROUTE_MEMO_SIZE:
            _memo.popitem(last=False)
    return route


def _plan_route(
    terrain: Terrain,
    mobility: str,
    start: tuple[float, float],
    goal: tuple[float, float],
    waypoints: tuple[tuple[float, float], ...] = (),
    forbidden: np.ndarray | None = None,
    follow_axis: bool = False,
) -> Route:
    """Plan the route (``plan_route`` without the memo)."""
    g = terrain.grid
    pl = _planner(terrain, mobility, forbidden)
    cur = g.cell(*start)
    label = int(pl.labels[cur])
    if label == 0:
        # the start cell itself is impassable: step onto the nearest passable neighbour region
        near = [(r, c) for r in range(cur[0] - 1, cur[0] + 2) for c in range(cur[1] - 1, cur[1] + 2)
                if 0 <= r < g.nrows and 0 <= c < g.ncols and pl.labels[r, c] > 0]
        if not near:
            return _empty(start)
        label = int(pl.labels[near[0]])
    legs: list[np.ndarray] = [np.array([cur], dtype=np.int64)]
    last = cur
    snapped = False
    for target in (*waypoints, goal):
        tc = g.cell(*target)
        if pl.labels[tc] != label:
            tc = pl.nearest_in(label, tc)
            snapped = True
        if tc != last:
            legs.append(pl.path_cells(last, tc, bool(follow_axis))[1:])
            last = tc
    cells = np.concatenate(legs)  # int64, as the start's cell is (the legs' int16 cells promote)
    # the cells' centres (as TerrainGrid.centre): x from the column, y from the row
    pts = (cells[:, ::-1] + 0.5) * g.cell_m
    pts[0] = start
    if not snapped and g.cell(*goal) == last:
        pts[-1] = goal
    if len(pts) == 1:
        pts = np.vstack([pts, pts])
        cells = np.vstack([cells, cells])
    rows, cols = cells[:, 0], cells[:, 1]
    v = pl.speed[rows, cols].astype(float)
    # a cell's speed 0 (the start in impassable ground) takes the neighbour's speed
    va, vb = v[:-1], v[1:]
    va = np.where(va > 0, va, vb)
    vb = np.where(vb > 0, vb, va)
    seg_speed = np.where((va > 0) & (vb > 0), 2.0 / (1.0 / np.maximum(va, 1e-9) + 1.0 / np.maximum(vb, 1e-9)), 1.0)
    seg_len = np.hypot(*(pts[1:] - pts[:-1]).T)
    soft = terrain.soft[rows[1:], cols[1:]]
    bog = terrain.p_bog_per_100m[mobility][rows[1:], cols[1:]].astype(float)
    xmap = terrain.extras.get("crossing_index")
    if isinstance(xmap, np.ndarray):
        # a segment names the crossing it enters (not one it stays on)
        xi = xmap[rows, cols].astype(np.int64)
        xi[0] = -1
        seg_x = [""] * (len(rows) - 1)
        for k in ((xi[1:] >= 0) & (xi[1:] != xi[:-1])).nonzero()[0].tolist():  # a few a route
            seg_x[k] = terrain.crossings[xi[k + 1]].id
    else:
        seg_x = [""] * (len(rows) - 1)
    time_min = float(np.sum(seg_len / (seg_speed * 1000.0 / 60.0)))
    return Route(pts, seg_len, seg_speed, soft, bog, tuple(seg_x), float(seg_len.sum()), time_min, True, snapped)
