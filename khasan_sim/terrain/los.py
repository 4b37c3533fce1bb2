"""Line of sight over the elevation model.

The ground plus the growth on it (scrub, village roofs: ``terrain.canopy_m``) must stay
below the straight line from the observer's eye to the target at every point sampled
between them (every half cell), the heights of the line's ends and of the samples read
bilinearly between the cell centres (:func:`_surface_at`). The observer's and target's
own cells do not block.
Symmetric by construction: the line and the samples are the same either way.
"""

from __future__ import annotations

import numpy as np

from khasan_sim.terrain.types import Terrain


def _heights(terrain: Terrain) -> np.ndarray:
    h = terrain.extras.get("sight_surface_m")
    if isinstance(h, np.ndarray):
        return h
    return terrain.elevation_m


def visible_many(
    terrain: Terrain,
    a: np.ndarray,
    b: np.ndarray,
    observer_h: float | None = None,
    target_h: float | None = None,
    max_samples: int = 512,
) -> np.ndarray:
    """Return, for each pair of points, whether b can be seen from a (bool array of n).

    Args:
        terrain: The terrain.
        a: Observer positions, (n, 2) metres.
        b: Target positions, (n, 2) metres.
        observer_h: Eye height above the ground (default ``terrain.observer_height_m``).
        target_h: Height of the visible part of the target (default ``terrain.target_height_m``).
        max_samples: Cap on the samples per line (lines longer than this many half cells
            are sampled more coarsely). Each line's samples depend only on its own ends.
    """
    a = np.asarray(a, dtype=np.float64).reshape(-1, 2)
    b = np.asarray(b, dtype=np.float64).reshape(-1, 2)
    n = len(a)
    if n == 0:
        return np.zeros(0, dtype=bool)
    oh = float(terrain.extras.get("observer_height_m", 2.0)) if observer_h is None else observer_h
    th = float(terrain.extras.get("target_height_m", 1.5)) if target_h is None else target_h
    g = terrain.grid
    ground = terrain.elevation_m
    surface = _heights(terrain)

    def cells(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # np.minimum/np.maximum rather than np.clip: the same whole numbers without
        # np.clip's argument checks, which cost more than the work on a few lines
        r = np.minimum(np.maximum((p[..., 1] // g.cell_m).astype(np.int64), 0), g.nrows - 1)
        c = np.minimum(np.maximum((p[..., 0] // g.cell_m).astype(np.int64), 0), g.ncols - 1)
        return r, c

    ra, ca = cells(a)
    rb, cb = cells(b)
    za = _surface_at(ground, g.cell_m, a[:, 0], a[:, 1]) + oh
    zb = _surface_at(ground, g.cell_m, b[:, 0], b[:, 1]) + th
    # every line is sampled every half cell along its own length, so a pair's answer does
    # not depend on the other pairs asked with it (nor on a cache filled by other runs)
    step = 0.5 * g.cell_m
    dist = np.hypot(*(b - a).T)
    n_in = np.minimum(np.maximum(np.ceil(dist / step).astype(np.int64) - 1, 0), max_samples)  # interior samples per line
    k = int(n_in.max()) if n else 0
    if k == 0:
        return np.ones(n, dtype=bool)
    j = np.arange(1, k + 1, dtype=np.float64)
    t = j[None, :] / (n_in[:, None] + 1.0)  # (n, k): evenly spaced interior points of each line
    inside = j[None, :] <= n_in[:, None]
    t = np.where(inside, t, 0.0)
    pts = a[:, None, :] + (b - a)[:, None, :] * t[:, :, None]
    r, c = cells(pts)
    line = za[:, None] + (zb - za)[:, None] * t
    own = ((r == ra[:, None]) & (c == ca[:, None])) | ((r == rb[:, None]) & (c == cb[:, None]))
    blocked = (_surface_at(surface, g.cell_m, pts[..., 0], pts[..., 1]) > line) & ~own & inside
    return ~blocked.any(axis=1)


def _surface_at(surface: np.ndarray, cell_m: float, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Return the surface's height at points, interpolated bilinearly between the centres
    of the four cells round each point (edges held flat): the raster holds one height per
    cell, at its centre; read cell by cell, a slope becomes steps of slope x cell width
    (6.7 m for 15 degrees on 25 m cells), and the step above a man on a slope hid him
    from anyone above him, however steeply they looked down."""
    nrows, ncols = surface.shape
    fy = y / cell_m - 0.5
    fx = x / cell_m - 0.5
    r0 = np.floor(fy)
    c0 = np.floor(fx)
    wy = fy - r0
    wx = fx - c0
    r0 = r0.astype(np.int64)
    c0 = c0.astype(np.int64)
    ra = np.minimum(np.maximum(r0, 0), nrows - 1)
    rb = np.minimum(np.maximum(r0 + 1, 0), nrows - 1)
    ca = np.minimum(np.maximum(c0, 0), ncols - 1)
    cb = np.minimum(np.maximum(c0 + 1, 0), ncols - 1)
    def at(r: np.ndarray, c: np.ndarray) -> np.ndarray:  # the cells' heights as doubles (not the whole raster)
        return surface[r, c].astype(np.float64)

    top = at(ra, ca) * (1.0 - wx) + at(ra, cb) * wx
    bottom = at(rb, ca) * (1.0 - wx) + at(rb, cb) * wx
    return top * (1.0 - wy) + bottom * wy


def line_of_sight(terrain: Terrain, a: tuple[float, float], b: tuple[float, float], observer_h: float | None = None, target_h: float | None = None) -> bool:
    """Return whether point b can be seen from point a over the ground."""
    return bool(visible_many(terrain, np.array([a]), np.array([b]), observer_h, target_h)[0])
