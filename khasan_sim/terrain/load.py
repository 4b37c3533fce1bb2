"""Building the terrain: description + parameters -> numpy layers, cached on disk.

``load_terrain(map_path, params)`` reads the description, rasterises it, derives the
mobility layers from the parameters and returns a :class:`Terrain`. The rasters are
kept in an ``.npz`` file in the cache folder, keyed by the sha256 of the description,
the terrain and mobility parameters and the rasteriser's version, so a run does not
pay for them again; in one process the same key returns the same object.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from scipy import ndimage

from khasan_sim.terrain.describe import TerrainDoc, read_description
from khasan_sim.terrain.mobility import class_table, mobility_layers
from khasan_sim.terrain.raster import (
    cell_centres,
    distance_to_polyline,
    ellipse_mask,
    line_mask,
    polygon_mask,
    radial_height,
    ridge_height,
    side_mask,
    slope_deg,
)
from khasan_sim.terrain.types import MOBILITY_CLASSES, Crossing, Grid, Label, Terrain, TerrainClass

RASTER_VERSION = "1"
"""Bump when the rasterising code changes what it makes from the same inputs."""

_MEMO: dict[str, Terrain] = {}


def nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    """Turn ``{"a.b.c": v}`` into ``{"a": {"b": {"c": v}}}``."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        node = out
        *head, last = key.split(".")
        for part in head:
            node = node.setdefault(part, {})
        node[last] = value
    return out


def _area_mask(grid: Grid, area: Any) -> np.ndarray:
    if area.polygon is not None:
        return polygon_mask(grid, area.polygon)
    if area.ellipse is not None:
        e = area.ellipse
        return ellipse_mask(grid, e.centre, e.semi_axes, e.bearing_deg)
    return line_mask(grid, area.line, float(area.width_m))


def rasterise(doc: TerrainDoc) -> dict[str, np.ndarray]:
    """Return the description's base layers: elevation, terrain class and crossing index."""
    grid = Grid(doc.grid.cell_m, round(doc.grid.height_m / doc.grid.cell_m), round(doc.grid.width_m / doc.grid.cell_m))
    plain = doc.plain_elevation_m.value
    elev = np.full((grid.nrows, grid.ncols), plain, dtype=np.float64)
    for h in doc.heights:
        np.maximum(elev, radial_height(grid, h.at, h.profile), out=elev)
    for r in doc.ridges:
        np.maximum(elev, ridge_height(grid, r.crest, r.half_width_m, plain), out=elev)
    cls = np.full((grid.nrows, grid.ncols), TerrainClass.OPEN, dtype=np.uint8)
    level = np.full((grid.nrows, grid.ncols), np.nan)
    for a in doc.areas:
        m = _area_mask(grid, a)
        if a.max_elevation_m is not None:
            m &= elev <= a.max_elevation_m
        cls[m] = TerrainClass[a.terrain_class.upper()]
        if a.elevation_m is not None:
            level[m] = a.elevation_m
    elev = bank_limited(elev, level, doc.bank_gradient.value, grid.cell_m)
    # sapper crossings: the stream cells near each crossing become a track across it
    xing = np.full((grid.nrows, grid.ncols), -1, dtype=np.int16)
    x, y = cell_centres(grid)
    for i, c in enumerate(doc.crossings):
        near = np.hypot(x - c.at[0], y - c.at[1]) <= doc.crossing_radius_m
        on = near & (cls == TerrainClass.STREAM)
        cls[on] = TerrainClass.ROAD
        xing[on] = i
    return {"elevation_m": elev.astype(np.float32), "terrain_class": cls, "crossing_index": xing}


def bank_limited(elev: np.ndarray, level: np.ndarray, gradient: float, cell_m: float) -> np.ndarray:
    """Set water surfaces to their level and keep the land near them from rising faster than *gradient*.

    Args:
        elev: Ground elevation before the water is laid in.
        level: The water level on water cells, NaN elsewhere.
        gradient: Steepest rise of a bank, metres per metre.
        cell_m: Cell size.
    """
    wet = ~np.isnan(level)
    if not wet.any():
        return elev
    dist, (ri, ci) = ndimage.distance_transform_edt(~wet, sampling=cell_m, return_indices=True)
    cap = level[ri, ci] + gradient * dist
    out = np.minimum(elev, cap)
    out[wet] = level[wet]
    return out


def _digest(text: str, params: Any) -> str:
    items = [(k, v) for k, v in params.digest_items() if k.startswith(("mobility.", "terrain."))]
    payload = json.dumps({"v": RASTER_VERSION, "text": text, "params": items}, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _cache_file(digest: str) -> Path:
    from khasan_sim.boundary.paths import cache_dir

    return cache_dir() / f"terrain-{digest[:24]}.npz"


def _read_cache(path: Path) -> dict[str, np.ndarray] | None:
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except (OSError, ValueError, KeyError, EOFError):
        return None  # a missing or damaged cache file is rebuilt


def _write_cache(path: Path, layers: Mapping[str, np.ndarray]) -> None:
    from khasan_sim.io import atomic_write_bytes

    buf = io.BytesIO()
    np.savez_compressed(buf, **layers)
    with contextlib.suppress(OSError):  # a read-only cache folder only costs the rasterising next time
        atomic_write_bytes(path, buf.getvalue())


def build_terrain(doc: TerrainDoc, params: Any, digest: str, layers: Mapping[str, np.ndarray] | None = None) -> Terrain:
    """Build the Terrain from a description, parameters and (optionally) cached layers."""
    grid = Grid(doc.grid.cell_m, round(doc.grid.height_m / doc.grid.cell_m), round(doc.grid.width_m / doc.grid.cell_m))
    fresh = layers is None
    if layers is None:
        layers = dict(rasterise(doc))
        border = np.asarray(doc.border.line, dtype=float)
        x, y = cell_centres(grid)
        layers["soviet_side"] = side_mask(grid, border, doc.border.soviet_side)
        layers["border_distance_m"] = distance_to_polyline(x, y, border).astype(np.float32)
        layers["slope_deg"] = slope_deg(layers["elevation_m"], grid.cell_m)
    tp = nest(params.subtree("terrain"))
    mp = nest(params.subtree("mobility"))
    cls = layers["terrain_class"]
    cover = class_table(tp.get("cover", {}))[cls]
    concealment = class_table(tp.get("concealment", {}))[cls]
    soft = class_table(tp.get("soft", {}))[cls] > 0
    canopy = class_table(tp.get("canopy_m", {}))[cls]
    speeds, bogs, limits = mobility_layers(cls, layers["slope_deg"], soft, mp)
    crossings = tuple(Crossing(c.id, c.at[0], c.at[1], c.capacity, c.source) for c in doc.crossings)
    labels = [Label(h.name, h.at[0], h.at[1], "height", float(h.profile[0][1])) for h in doc.heights]
    labels += [Label(p.name, p.at[0], p.at[1], p.kind) for p in doc.places]
    terrain = Terrain(
        grid=grid,
        elevation_m=layers["elevation_m"],
        slope_deg=layers["slope_deg"],
        terrain_class=cls,
        cover=cover,
        concealment=concealment,
        soft=soft,
        speed_kmh=speeds,
        p_bog_per_100m=bogs,
        max_slope_deg=limits,
        soviet_side=layers["soviet_side"].astype(bool),
        border_distance_m=layers["border_distance_m"],
        border=np.asarray(doc.border.line, dtype=float),
        crossings=crossings,
        labels=tuple(labels),
        source_digest=digest,
        extras={
            "name": doc.name,
            "crossing_index": layers["crossing_index"],
            "sight_surface_m": (layers["elevation_m"] + canopy).astype(np.float32),
            "observer_height_m": float(tp.get("observer_height_m", 2.0)),
            "target_height_m": float(tp.get("target_height_m", 1.5)),
            "from_cache": not fresh,
        },
    )
    return terrain


CACHED_LAYERS = ("elevation_m", "terrain_class", "crossing_index", "soviet_side", "border_distance_m", "slope_deg")


def base_layers(terrain: Terrain) -> dict[str, np.ndarray]:
    """Return the layers that do not depend on the parameters (what the cache file holds).

    :func:`build_terrain` rebuilds a terrain from them with other mobility or terrain
    parameters without rasterising the description again.
    """
    return {k: np.asarray(terrain.extras["crossing_index"] if k == "crossing_index" else getattr(terrain, k)) for k in CACHED_LAYERS}


@functools.cache
def _known_paths() -> None:
    """Once a process (the cache makes later calls nothing), at its first terrain: read the
    path searches of earlier processes (terrain/path_store.py) and have those of this one
    written at its exit (a pool worker, which ends without running exit handlers, saves as
    it goes: runner/replication.py)."""
    import atexit

    from khasan_sim.terrain import path_store

    atexit.register(_save_paths_at_exit)
    with contextlib.suppress(Exception):  # the store only saves searches: never a reason to fail
        path_store.load_known_paths()


def _save_paths_at_exit() -> None:
    from khasan_sim.terrain import path_store

    with contextlib.suppress(Exception):
        path_store.save_new_paths()


def load_terrain(map_path: str | Path, params: Any, *, use_cache: bool = True) -> Terrain:
    """Read a terrain description and return its rasterised terrain.

    Args:
        map_path: The description file (e.g. ``assets/terrain/khasan.yaml``).
        params: The run's ParamSet (its ``terrain.*`` and ``mobility.*`` entries are used).
        use_cache: Reuse rasters from the cache folder and from this process.

    Raises:
        ScenarioError: The description is malformed (file, line, field).
    """
    path = Path(map_path)
    doc, text = read_description(path)
    digest = _digest(text, params)
    if use_cache:
        _known_paths()
    if use_cache and digest in _MEMO:
        return _MEMO[digest]
    layers = None
    cache = _cache_file(digest) if use_cache else None
    if cache is not None and cache.is_file():
        layers = _read_cache(cache)
        if layers is not None and not all(k in layers for k in CACHED_LAYERS):
            layers = None
    terrain = build_terrain(doc, params, digest, layers)
    if cache is not None and layers is None:
        _write_cache(cache, base_layers(terrain))
    if use_cache:
        _MEMO[digest] = terrain
    return terrain


__all__ = ["MOBILITY_CLASSES", "load_terrain", "nest", "rasterise"]
