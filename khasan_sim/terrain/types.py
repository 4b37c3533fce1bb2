"""The ground as numpy layers: the types every other package reads.

Grid convention: the local grid of ../shared/history/geography.md, metres, x east,
y north, origin (0, 0) at the south-west corner. Cell (row, col) covers
``x in [col*cell_m, (col+1)*cell_m)`` and ``y in [row*cell_m, (row+1)*cell_m)``:
row 0 is the southern edge (flip rows to draw north up).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np

MOBILITY_CLASSES: tuple[str, ...] = ("foot", "bt", "t26", "towed")
"""Mobility classes: infantry on foot; light fast tracked BT-5/BT-7; tracked T-26;
wheeled vehicles and towed guns."""


class TerrainClass(IntEnum):
    """What covers a cell. The numbers are the values stored in ``Terrain.terrain_class``."""

    OPEN = 0
    SCRUB = 1
    SWAMP = 2
    WATER = 3  # the lakes: impassable to every mobility class
    RIVER = 4  # the Tumen: impassable to every mobility class
    VILLAGE = 5
    ROAD = 6  # tracks and roads, and the sapper crossings over the stream
    ROCK = 7  # steep rocky ground (Machine Gun Hill): no-go for vehicles
    STREAM = 8  # the stream south-west of Novoselka: fordable on foot, vehicles only at crossings


@dataclass(frozen=True, slots=True)
class Grid:
    """A square-celled raster grid on the local metre grid."""

    cell_m: float
    nrows: int
    ncols: int

    @property
    def width_m(self) -> float:
        """Return the east-west extent in metres."""
        return self.ncols * self.cell_m

    @property
    def height_m(self) -> float:
        """Return the north-south extent in metres."""
        return self.nrows * self.cell_m

    def contains(self, x_m: float, y_m: float) -> bool:
        """Return True if the point lies on the map."""
        return 0.0 <= x_m < self.width_m and 0.0 <= y_m < self.height_m

    def cell(self, x_m: float, y_m: float) -> tuple[int, int]:
        """Return the (row, col) of the cell holding the point, clipped to the map."""
        r = min(max(int(y_m // self.cell_m), 0), self.nrows - 1)
        c = min(max(int(x_m // self.cell_m), 0), self.ncols - 1)
        return r, c

    def centre(self, row: int, col: int) -> tuple[float, float]:
        """Return the (x, y) in metres of a cell's centre."""
        return (col + 0.5) * self.cell_m, (row + 0.5) * self.cell_m


@dataclass(frozen=True, slots=True)
class Crossing:
    """A sapper crossing or bridge: a bottleneck where vehicles queue."""

    id: str
    x_m: float
    y_m: float
    capacity: int
    source: str


@dataclass(frozen=True, slots=True)
class Label:
    """A named place to print on maps (summit, village, outpost)."""

    name: str
    x_m: float
    y_m: float
    kind: str
    elevation_m: float | None = None


@dataclass(frozen=True)
class Terrain:
    """All raster layers of the map plus the few vector features the model needs.

    Attributes:
        grid: The raster grid.
        elevation_m: Ground height above sea level, float32 (nrows, ncols).
        slope_deg: Steepest slope of each cell in degrees, float32.
        terrain_class: TerrainClass values, uint8.
        cover: Protection from fire, 0 (none) to 1 (complete), float32.
        concealment: Protection from observation, 0 to 1, float32.
        soft: True where the ground is soft (swamp, wet meadow, stream banks): bool.
        speed_kmh: Mobility class -> speed on each cell (0 = impassable), float32.
        p_bog_per_100m: Mobility class -> chance of bogging per 100 m crossed, float32.
        max_slope_deg: Mobility class -> steepest slope the class can climb.
        soviet_side: True for cells on the Soviet side of the border line, bool.
        border_distance_m: Distance of each cell centre to the border line, float32.
        border: The border line as an (n, 2) array of metres.
        crossings: Sapper crossings and bridges.
        labels: Named places for maps.
        source_digest: sha256 of the terrain description and mobility parameters.
    """

    grid: Grid
    elevation_m: np.ndarray
    slope_deg: np.ndarray
    terrain_class: np.ndarray
    cover: np.ndarray
    concealment: np.ndarray
    soft: np.ndarray
    speed_kmh: dict[str, np.ndarray]
    p_bog_per_100m: dict[str, np.ndarray]
    max_slope_deg: dict[str, float]
    soviet_side: np.ndarray
    border_distance_m: np.ndarray
    border: np.ndarray
    crossings: tuple[Crossing, ...] = ()
    labels: tuple[Label, ...] = ()
    source_digest: str = ""
    extras: dict[str, object] = field(default_factory=dict)
