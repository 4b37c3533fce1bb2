"""Mobility layers: speed and bogging chance of each mobility class on every cell.

Speed is the minimum of the limiting speeds (NRMM's rule, model-anchors 3.6): the
terrain class's speed for the class, cut by the slope. Infantry follows Tobler's hiking
function on slopes; vehicles lose speed linearly with the gradient and stop at their
climbing limit. Rock, water and the river are no-go for vehicles by their class speed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from khasan_sim.terrain.types import MOBILITY_CLASSES, TerrainClass

CLASS_KEYS: tuple[str, ...] = tuple(c.name.lower() for c in TerrainClass)


def class_table(values: Mapping[str, float], default: float = 0.0) -> np.ndarray:
    """Return a lookup array indexed by TerrainClass value from a ``{class name: value}`` map."""
    table = np.full(len(CLASS_KEYS), default, dtype=np.float32)
    for i, name in enumerate(CLASS_KEYS):
        if name in values:
            table[i] = float(values[name])
    return table


def tobler_factor(slope_deg: np.ndarray, k: float) -> np.ndarray:
    """Return Tobler's walking speed on a slope relative to the flat (uphill, the slower way).

    ``exp(-k |S + 0.05|) / exp(-k * 0.05)`` with S = tan(slope): 1 on the flat, 0.55 at 10 deg.
    """
    s = np.tan(np.radians(slope_deg))
    return np.exp(-k * np.abs(s + 0.05)) / math.exp(-k * 0.05)


def vehicle_slope_factor(slope_deg: np.ndarray, max_slope_deg: float, exponent: float) -> np.ndarray:
    """Return a vehicle's speed on a slope relative to the flat: 0 at or above its limit."""
    ratio = np.tan(np.radians(slope_deg)) / math.tan(math.radians(max_slope_deg))
    return np.where(ratio < 1.0, np.clip(1.0 - ratio, 0.0, 1.0) ** exponent, 0.0)


def speed_layer(
    terrain_class: np.ndarray,
    slope_deg: np.ndarray,
    class_speed_kmh: Mapping[str, float],
    max_slope_deg: float,
    *,
    foot: bool,
    tobler_k: float,
    vehicle_exponent: float,
) -> np.ndarray:
    """Return the speed (km/h) of one mobility class on every cell; 0 where it cannot go."""
    base = class_table(class_speed_kmh)[terrain_class]
    factor = tobler_factor(slope_deg, tobler_k) if foot else vehicle_slope_factor(slope_deg, max_slope_deg, vehicle_exponent)
    speed = base * factor
    speed = np.where(slope_deg >= max_slope_deg, 0.0, speed)
    return speed.astype(np.float32)


def bog_layer(terrain_class: np.ndarray, soft: np.ndarray, p_bog_by_class: Mapping[str, float]) -> np.ndarray:
    """Return the chance of bogging per 100 m on every cell (0 on firm ground)."""
    p = class_table(p_bog_by_class)[terrain_class]
    return np.where(soft, p, 0.0).astype(np.float32)


def mobility_layers(
    terrain_class: np.ndarray, slope_deg: np.ndarray, soft: np.ndarray, params: Mapping[str, object]
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, float]]:
    """Return speed, bogging chance and slope limit for every mobility class.

    Args:
        terrain_class: TerrainClass values per cell.
        slope_deg: Slope per cell.
        soft: Soft-ground mask.
        params: The ``mobility`` subtree of the parameters as nested plain values
            (``speed_kmh.<class>.<terrain>``, ``p_bog_per_100m.<class>.<terrain>``,
            ``max_slope_deg.<class>``, ``slope_speed.*``).
    """
    speed_p = params["speed_kmh"]
    bog_p = params.get("p_bog_per_100m", {})
    slope_p = params["max_slope_deg"]
    sl = params["slope_speed"]
    speeds: dict[str, np.ndarray] = {}
    bogs: dict[str, np.ndarray] = {}
    limits: dict[str, float] = {}
    for mob in MOBILITY_CLASSES:
        limits[mob] = float(slope_p[mob])
        speeds[mob] = speed_layer(
            terrain_class,
            slope_deg,
            speed_p[mob],
            limits[mob],
            foot=(mob == "foot"),
            tobler_k=float(sl["foot_tobler_k"]),
            vehicle_exponent=float(sl["vehicle_exponent"]),
        )
        bogs[mob] = bog_layer(terrain_class, soft, bog_p.get(mob, {}))
    return speeds, bogs, limits
