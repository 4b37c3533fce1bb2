"""The terrain description file (assets/terrain/*.yaml): its schema and its reader.

The description is the human-editable source of the rasters: heights as radial
profiles, ridges as crest lines, areas of each terrain class as polygons, ellipses or
buffered lines, the sapper crossings, the named places and the border line.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from khasan_sim.terrain.types import TerrainClass

Point = tuple[float, float]


MAX_CELLS = 4_000_000
"""Most cells a map's raster may have (2,000 x 2,000; Khasan's is 480 x 480): each layer
is a numpy array of that many cells, and a run keeps about twenty of them."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Sourced(_Strict):
    """A number with the reason it has its value."""

    value: float
    source: str = Field(min_length=3)


class Height(_Strict):
    """A hill: height above sea level as a function of distance from its summit."""

    id: str
    name: str
    at: Point
    profile: list[tuple[float, float]] = Field(min_length=2)
    source: str = Field(min_length=3)

    @field_validator("profile")
    @classmethod
    def _distances_rise(cls, v: list[tuple[float, float]]) -> list[tuple[float, float]]:
        d = [p[0] for p in v]
        if d[0] != 0 or any(b <= a for a, b in pairwise(d)):
            msg = "distances must start at 0 and increase"
            raise ValueError(msg)
        return v


class Ridge(_Strict):
    """A crest line whose flanks fall to the plain over *half_width_m*."""

    id: str
    name: str
    crest: list[tuple[float, float, float]] = Field(min_length=2)
    half_width_m: float = Field(gt=0)
    source: str = Field(min_length=3)


class Ellipse(_Strict):
    """An ellipse: centre, semi-axes (along, across the long axis), bearing of the long axis."""

    centre: Point
    semi_axes: tuple[float, float]
    bearing_deg: float = 0.0

    @field_validator("semi_axes")
    @classmethod
    def _positive(cls, v: tuple[float, float]) -> tuple[float, float]:
        if min(v) <= 0:
            msg = "semi-axes must be positive"
            raise ValueError(msg)
        return v


CLASS_NAMES = tuple(c.name.lower() for c in TerrainClass)


class Area(_Strict):
    """An area of one terrain class: exactly one of polygon, ellipse or line."""

    id: str
    terrain_class: Literal[
        "open", "scrub", "swamp", "water", "river", "village", "road", "rock", "stream"
    ] = Field(alias="class")
    polygon: list[Point] | None = None
    ellipse: Ellipse | None = None
    line: list[Point] | None = None
    width_m: float | None = Field(default=None, gt=0)
    elevation_m: float | None = None
    max_elevation_m: float | None = None
    source: str = Field(min_length=3)

    @model_validator(mode="after")
    def _one_shape(self) -> Area:
        shapes = [s for s in ("polygon", "ellipse", "line") if getattr(self, s) is not None]
        if len(shapes) != 1:
            msg = "give exactly one of polygon, ellipse or line"
            raise ValueError(msg)
        if self.polygon is not None and len(self.polygon) < 3:
            msg = "a polygon needs at least 3 points"
            raise ValueError(msg)
        if self.line is not None:
            if len(self.line) < 2:
                msg = "a line needs at least 2 points"
                raise ValueError(msg)
            if self.width_m is None:
                msg = "a line needs width_m"
                raise ValueError(msg)
        return self


class CrossingDoc(_Strict):
    """A sapper crossing or bridge."""

    id: str
    at: Point
    capacity: int = Field(ge=1)
    source: str = Field(min_length=3)


class Place(_Strict):
    """A named place to print on maps."""

    name: str
    at: Point
    kind: str


class Border(_Strict):
    """The border line, from one map edge to another, and which side is Soviet."""

    line: list[Point] = Field(min_length=2)
    soviet_side: Literal["east", "west"]
    source: str = Field(min_length=3)


class GridDoc(_Strict):
    """The raster grid."""

    cell_m: float = Field(ge=1, le=100)
    width_m: float = Field(gt=0, le=200_000)
    height_m: float = Field(gt=0, le=200_000)

    @model_validator(mode="after")
    def _not_too_many_cells(self) -> GridDoc:
        cols, rows = round(self.width_m / self.cell_m), round(self.height_m / self.cell_m)
        if cols < 1 or rows < 1:
            msg = "cell_m is larger than the map: the grid has no cells"
            raise ValueError(msg)
        if cols * rows > MAX_CELLS:
            msg = (
                f"cell_m {self.cell_m:g} over {self.width_m:g} x {self.height_m:g} m makes {cols:,} x {rows:,} "
                f"cells, more than the {MAX_CELLS:,} a map may have (each of its ~20 layers is an array "
                "of that many cells): use larger cells or a smaller map"
            )
            raise ValueError(msg)
        return self


class TerrainDoc(_Strict):
    """A whole terrain description."""

    name: str
    grid: GridDoc
    plain_elevation_m: Sourced
    bank_gradient: Sourced
    heights: list[Height] = []
    ridges: list[Ridge] = []
    areas: list[Area] = []
    crossings: list[CrossingDoc] = []
    crossing_radius_m: float = Field(default=30.0, gt=0)
    places: list[Place] = []
    border: Border


def read_description(path: Path, display: str | None = None) -> tuple[TerrainDoc, str]:
    """Read and validate a terrain description; return it and its text.

    Raises:
        ScenarioError: The file is not valid YAML or breaks the schema (file, line, field).
    """
    from khasan_sim.boundary.paths import display_path
    from khasan_sim.boundary.validate import validate_model
    from khasan_sim.boundary.yamlsrc import SourceMap, parse_yaml, read_text_limited

    name = display or display_path(path)
    text = read_text_limited(path, name, what="terrain description")
    data = parse_yaml(text, name)
    if not isinstance(data, dict):
        from khasan_sim.errors import ScenarioError

        msg = "a terrain description must be a mapping (name:, grid:, border:, areas:, ...)"
        raise ScenarioError(name, 1, "", msg)
    smap = SourceMap(data, name)
    return validate_model(TerrainDoc, data, smap), text
