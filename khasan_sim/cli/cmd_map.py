"""`khasan-sim map`: draw the terrain of a scenario (or a terrain description) to a PNG."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``map`` subcommand."""
    p = sub.add_parser(
        "map",
        help="draw the map (relief, swamps, border, zones, units) to a PNG",
        description="Draw the terrain of a scenario, with its zones and starting units, or of a bare terrain description.",
    )
    p.add_argument("file", nargs="?", default=None, help="scenario or terrain description (default: the historical scenario)")
    p.add_argument("--variant", default=None, help="variant file applied to the scenario")
    p.add_argument("--png", required=True, help="output PNG path")
    p.add_argument("--extent", default=None, help="xmin,xmax,ymin,ymax in metres (default: the whole map)")
    p.add_argument("--no-units", action="store_true", help="leave the units off")
    p.set_defaults(handler=run)


def _is_terrain_description(path: Path) -> bool:
    from khasan_sim.scenario.yamlsrc import load_yaml

    data = load_yaml(path)
    return isinstance(data, dict) and "border" in data and "areas" in data


def run(args: argparse.Namespace, console: Console) -> int:
    """Draw the map and say where it went."""
    from khasan_sim.errors import KhasanSimError
    from khasan_sim.render.mapimage import draw_map
    from khasan_sim.scenario.builtin import historical_scenario
    from khasan_sim.scenario.load import load_scenario
    from khasan_sim.scenario.params_file import default_param_files, load_params
    from khasan_sim.terrain import load_terrain

    extent = None
    if args.extent:
        try:
            extent = [float(v) for v in args.extent.split(",")]
        except ValueError:
            extent = []
        if len(extent) != 4:
            msg = f"--extent '{args.extent}': expected four numbers xmin,xmax,ymin,ymax in metres"
            raise KhasanSimError(msg)
    path = Path(args.file) if args.file else historical_scenario()
    if _is_terrain_description(path):
        terrain = load_terrain(path, load_params(default_param_files()))
        out = draw_map(terrain, args.png, extent_m=extent)
    else:
        sc = load_scenario(path, args.variant)
        units = () if args.no_units else sc.doc.units
        out = draw_map(sc.terrain, args.png, zones=sc.doc.zones, units=units, title=sc.title, extent_m=extent)
    console.print(f"map written to {out}")
    return 0
