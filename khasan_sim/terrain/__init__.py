"""The ground of the battle: terrain description, raster layers, line of sight, routes.

Pure numpy (plus scikit-image and scipy for raster work); no simulation, no UI.
"""

from khasan_sim.terrain.load import load_terrain
from khasan_sim.terrain.los import line_of_sight, visible_many
from khasan_sim.terrain.routes import Route, plan_route
from khasan_sim.terrain.types import MOBILITY_CLASSES, Crossing, Grid, Label, Terrain, TerrainClass

__all__ = [
    "MOBILITY_CLASSES",
    "Crossing",
    "Grid",
    "Label",
    "Route",
    "Terrain",
    "TerrainClass",
    "line_of_sight",
    "load_terrain",
    "plan_route",
    "visible_many",
]
