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


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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

    cell_m: float = Field(gt=0, le=100)
    width_m: float = Field(gt=0)
    height_m: float = Field(gt=0)


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


def read_description(path: Path) -> tuple[TerrainDoc, str]:
    """Read and validate a terrain description; return it and its text.

    Raises:
        ScenarioError: The file is not valid YAML or breaks the schema (file, line, field).
    """
    from khasan_sim.boundary.validate import validate_model
    from khasan_sim.boundary.yamlsrc import SourceMap, parse_yaml

    text = path.read_text(encoding="utf-8")
    data = parse_yaml(text, path.name)
    smap = SourceMap(data, path.name)
    return validate_model(TerrainDoc, data, smap), text
