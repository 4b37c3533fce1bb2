"""Sappers making crossings: how much work a crossing takes, how fast a party does it, and
the ground once it stands.

A crossing over the soft-banked stream is a job of so many man-hours (timber cut and
carried, a low bridge or a log ford, corduroy over the soft banks); a party of sappers
works it off at a rate set by the men who can work at one site at once, slowed at night
and under fire. When it is done the stream cells at the site become a track across it,
exactly as the terrain's own sapper crossings are laid in (``terrain.load.rasterise``),
and vehicles can use it: routes, queues and ruts as at any crossing.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from khasan_sim.terrain.mobility import class_table, mobility_layers
from khasan_sim.terrain.raster import cell_centres
from khasan_sim.terrain.types import Crossing, Terrain, TerrainClass

# extras that belong to one terrain's rasters and must not be carried to a changed one
_NOT_CARRIED = ("_planners", "_with_built_crossings", "_built_from", "_built", "_pulse_rasters", "_dig_limits")


def crossing_effort_man_h(base_man_h: float, spread: float, z: float) -> float:
    """Return the man-hours one crossing takes: *base_man_h* times a lognormal factor.

    Args:
        base_man_h: The median effort.
        spread: The standard deviation of the effort's logarithm (0: always the median).
        z: A standard normal draw (from the engine's seeded stream).
    """
    return max(float(base_man_h), 0.0) * math.exp(max(float(spread), 0.0) * float(z))


def work_rate_man_h_per_h(
    men: float,
    sites: int,
    party_max: float,
    suppression: float,
    night: bool,
    night_factor: float,
) -> float:
    """Return the man-hours per hour done at each of *sites* sites worked at once.

    The unit's men are shared between the sites; no more than *party_max* can work at
    one site at a time (the rest carry, rest and relieve). Work goes at *night_factor*
    of the day rate in the dark, and a suppressed party works only the unsuppressed
    share of the time.
    """
    if sites <= 0 or men <= 0:
        return 0.0
    working = min(float(men) / sites, max(float(party_max), 0.0))
    rate = working * (1.0 - min(max(float(suppression), 0.0), 1.0))
    if night:
        rate *= min(max(float(night_factor), 0.0), 1.0)
    return rate


def stream_cells_at(terrain: Terrain, x_m: float, y_m: float, radius_m: float) -> np.ndarray:
    """Return a mask of the stream cells within *radius_m* of a site (what a crossing there covers)."""
    xs, ys = cell_centres(terrain.grid)
    near = np.hypot(xs - x_m, ys - y_m) <= radius_m
    return near & (terrain.terrain_class == TerrainClass.STREAM)


def terrain_with_crossings(
    terrain: Terrain,
    added: Iterable[Crossing],
    radius_m: float,
    mobility: Mapping[str, Any],
    ground: Mapping[str, Any],
) -> Terrain:
    """Return the terrain with more sapper crossings: their stream cells laid as a track.

    Only the cells the new crossings cover change (terrain class, cover, concealment,
    soft ground, speed and bogging chance of every mobility class, sight surface); the
    crossings list and the crossing index grow, so routes plan over them and the engine
    queues vehicles at them. The result is remembered on the original terrain, keyed by
    the set of crossings added, so the runs of a study share it (and its route planners).

    Args:
        terrain: The terrain now (the original, or one returned by this function).
        added: The crossings to add; one already there is ignored.
        radius_m: Stream cells within this distance of a crossing's point are covered.
        mobility: The ``mobility`` parameters as nested plain values.
        ground: The ``terrain`` parameters as nested plain values.
    """
    root: Terrain = terrain.extras.get("_built_from", terrain)  # type: ignore[assignment]
    have = tuple(terrain.extras.get("_built", ()))  # type: ignore[arg-type]
    known = {c.id for c in root.crossings} | {c.id for c in have}
    built = have + tuple(c for c in added if c.id not in known)
    if built == have:
        return terrain
    cache = root.extras.setdefault("_with_built_crossings", {})
    assert isinstance(cache, dict)
    key = (tuple(sorted(built, key=lambda c: c.id)), float(radius_m))
    hit = cache.get(key)
    if hit is not None:
        return hit
    cls = root.terrain_class.copy()
    index = np.asarray(root.extras["crossing_index"]).copy()
    changed = np.zeros(cls.shape, dtype=bool)
    ordered = key[0]
    for i, c in enumerate(ordered, start=len(root.crossings)):
        on = stream_cells_at(root, c.x_m, c.y_m, radius_m)
        cls[on] = TerrainClass.ROAD
        index[on] = i
        changed |= on
    cells = cls[changed]

    def patched(layer: np.ndarray, values: np.ndarray) -> np.ndarray:
        out = np.array(layer, copy=True)
        out[changed] = values
        return out

    # the layers a terrain class decides, as build_terrain derives them, on the changed cells only
    layers: dict[str, Any] = {"terrain_class": cls}
    layers["soft"] = patched(root.soft, class_table(ground.get("soft", {}))[cells] > 0)
    for name in ("cover", "concealment"):
        layers[name] = patched(getattr(root, name), class_table(ground.get(name, {}))[cells])
    speeds, bogs, _ = mobility_layers(cells, root.slope_deg[changed], layers["soft"][changed], mobility)
    layers["speed_kmh"] = {mob: patched(layer, speeds[mob]) for mob, layer in root.speed_kmh.items()}
    layers["p_bog_per_100m"] = {mob: patched(layer, bogs[mob]) for mob, layer in root.p_bog_per_100m.items()}
    sight = patched(root.extras["sight_surface_m"], root.elevation_m[changed] + class_table(ground.get("canopy_m", {}))[cells])
    extras = {k: v for k, v in root.extras.items() if k not in _NOT_CARRIED}
    if not np.array_equal(sight, root.extras["sight_surface_m"]):
        extras.pop("_sight_lines", None)  # lines of sight over the changed cells differ
    extras.update({"crossing_index": index, "sight_surface_m": sight, "_built_from": root, "_built": ordered})
    out = dataclasses.replace(root, crossings=root.crossings + ordered, extras=extras, **layers)
    cache[key] = out
    return out
