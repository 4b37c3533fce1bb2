"""Rasterising the terrain description: shapes to cell masks, heights to elevation.

Pure numpy (and scikit-image for polygon fill). Every function takes plain arrays and
the grid and returns a new array; nothing here reads files.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise

import numpy as np
from skimage.draw import polygon as fill_polygon

from khasan_sim.terrain.types import Grid


def cell_centres(grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """Return the x and y of every cell centre as (nrows, ncols) float arrays."""
    xs = (np.arange(grid.ncols) + 0.5) * grid.cell_m
    ys = (np.arange(grid.nrows) + 0.5) * grid.cell_m
    x, y = np.meshgrid(xs, ys)
    return x, y


def polygon_mask(grid: Grid, points: Sequence[Sequence[float]]) -> np.ndarray:
    """Return the cells whose centres lie inside a polygon given in metres."""
    pts = np.asarray(points, dtype=float)
    rows = pts[:, 1] / grid.cell_m - 0.5
    cols = pts[:, 0] / grid.cell_m - 0.5
    mask = np.zeros((grid.nrows, grid.ncols), dtype=bool)
    rr, cc = fill_polygon(rows, cols, shape=mask.shape)
    mask[rr, cc] = True
    return mask


def ellipse_mask(grid: Grid, centre: Sequence[float], semi_axes: Sequence[float], bearing_deg: float) -> np.ndarray:
    """Return the cells inside an ellipse whose long axis points at *bearing_deg* (from north)."""
    x, y = cell_centres(grid)
    b = math.radians(bearing_deg)
    ux, uy = math.sin(b), math.cos(b)  # unit vector along the long axis
    dx, dy = x - centre[0], y - centre[1]
    along = dx * ux + dy * uy
    across = -dx * uy + dy * ux
    return (along / semi_axes[0]) ** 2 + (across / semi_axes[1]) ** 2 <= 1.0


def distance_to_polyline(x: np.ndarray, y: np.ndarray, line: Sequence[Sequence[float]]) -> np.ndarray:
    """Return the distance in metres from each point (x, y arrays) to a polyline."""
    pts = np.asarray(line, dtype=float)
    best = np.full(np.shape(x), np.inf)
    for (ax, ay), (bx, by) in pairwise(pts):
        vx, vy = bx - ax, by - ay
        seg2 = vx * vx + vy * vy
        if seg2 == 0:
            d = np.hypot(x - ax, y - ay)
        else:
            t = np.clip(((x - ax) * vx + (y - ay) * vy) / seg2, 0.0, 1.0)
            d = np.hypot(x - (ax + t * vx), y - (ay + t * vy))
        np.minimum(best, d, out=best)
    return best


def line_mask(grid: Grid, line: Sequence[Sequence[float]], width_m: float) -> np.ndarray:
    """Return the cells within half of *width_m* of a polyline.

    The half-width is at least 0.75 of a cell so that a line is never thinner than one
    4-connected cell chain: a stream or a river cannot be slipped through diagonally.
    """
    x, y = cell_centres(grid)
    half = max(width_m / 2.0, 0.75 * grid.cell_m)
    return distance_to_polyline(x, y, line) <= half


def radial_height(grid: Grid, at: Sequence[float], profile: Sequence[Sequence[float]]) -> np.ndarray:
    """Return the height of a hill on every cell: its profile interpolated by distance.

    Beyond the profile's last distance the hill adds nothing (-inf, so it loses a max).
    """
    x, y = cell_centres(grid)
    d = np.hypot(x - at[0], y - at[1])
    prof = np.asarray(profile, dtype=float)
    h = np.interp(d, prof[:, 0], prof[:, 1])
    return np.where(d <= prof[-1, 0], h, -np.inf)


def ridge_height(grid: Grid, crest: Sequence[Sequence[float]], half_width_m: float, plain_m: float) -> np.ndarray:
    """Return the height of a ridge: the crest height, falling to the plain across its flanks.

    The crest height is interpolated along each crest segment; the flank falls as
    ``plain + (crest - plain) * (1 - d / half_width) ** 1.5`` with the distance d from the crest.
    """
    x, y = cell_centres(grid)
    pts = np.asarray(crest, dtype=float)
    best_d = np.full(x.shape, np.inf)
    crest_h = np.full(x.shape, plain_m)
    for a, b in pairwise(pts):
        vx, vy = b[0] - a[0], b[1] - a[1]
        seg2 = vx * vx + vy * vy
        t = np.clip(((x - a[0]) * vx + (y - a[1]) * vy) / seg2, 0.0, 1.0)
        d = np.hypot(x - (a[0] + t * vx), y - (a[1] + t * vy))
        closer = d < best_d
        best_d = np.where(closer, d, best_d)
        crest_h = np.where(closer, a[2] + t * (b[2] - a[2]), crest_h)
    frac = np.clip(1.0 - best_d / half_width_m, 0.0, 1.0) ** 1.5
    h = plain_m + (crest_h - plain_m) * frac
    return np.where(best_d <= half_width_m, h, -np.inf)


def slope_deg(elevation_m: np.ndarray, cell_m: float) -> np.ndarray:
    """Return the steepest slope of each cell in degrees (central differences)."""
    gy, gx = np.gradient(elevation_m.astype(np.float64), cell_m)
    return np.degrees(np.arctan(np.hypot(gx, gy))).astype(np.float32)


def side_mask(grid: Grid, border: Sequence[Sequence[float]], side: str) -> np.ndarray:
    """Return the cells on one side (``east`` or ``west``) of a border running edge to edge.

    The border must start and end on the map's edges; the side is closed round the map's
    corners on that side.
    """
    pts = [tuple(map(float, p)) for p in border]
    w, h = grid.width_m, grid.height_m
    # walk from the border's end round the corners of the chosen side back to its start
    corners = [(w, h), (w, 0.0)] if side == "east" else [(0.0, h), (0.0, 0.0)]
    start, end = pts[0], pts[-1]
    if start[1] > end[1]:  # border runs north to south: corners in the other order
        corners = corners[::-1]
    ring = [*pts, (end[0], h if end[1] >= h / 2 else 0.0), *corners, (start[0], h if start[1] >= h / 2 else 0.0)]
    big = [(x if 0 < x < w else (x - 1 if x <= 0 else x + 1), y if 0 < y < h else (y - 1 if y <= 0 else y + 1)) for x, y in ring]
    return polygon_mask(grid, big)
