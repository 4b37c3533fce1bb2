"""`khasan-sim map`: draw the terrain of a scenario (or a terrain description) to a PNG."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console

from khasan_sim.cli.argtypes import add_force, finite_numbers, scenario_inputs


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``map`` subcommand."""
    p = sub.add_parser(
        "map",
        help="draw the map (relief, swamps, border, zones, units) to a PNG",
        description="Draw the terrain of a scenario, with its zones and starting units, or of a bare terrain description.",
    )
    p.add_argument(
        "file",
        nargs="?",
        default=None,
        help="scenario or terrain description (default: the historical scenario)",
    )
    p.add_argument("--variant", default=None, help="variant file applied to the scenario")
    p.add_argument("--png", required=True, help="output PNG path")
    p.add_argument(
        "--extent", default=None, help="xmin,xmax,ymin,ymax in metres (default: the whole map)"
    )
    p.add_argument("--no-units", action="store_true", help="leave the units off")
    add_force(p)
    p.set_defaults(handler=run)


def _is_terrain_description(path: Path) -> bool:
    from khasan_sim.scenario.yamlsrc import load_yaml

    data = load_yaml(path)
    return isinstance(data, dict) and "border" in data and "areas" in data


def run(args: argparse.Namespace, console: Console) -> int:
    """Draw the map and say where it went."""
    from khasan_sim.boundary.outputs import check_output
    from khasan_sim.render.mapimage import draw_map
    from khasan_sim.scenario.builtin import historical_scenario
    from khasan_sim.scenario.load import load_scenario
    from khasan_sim.scenario.params_file import default_param_files, load_params
    from khasan_sim.terrain import load_terrain

    path = Path(args.file) if args.file else historical_scenario()
    given = [("scenario or terrain description", path), ("variant", args.variant)]
    check_output(args.png, kind="png", inputs=given, force=args.force, option="--png")
    extent = _extent(args.extent) if args.extent else None
    if _is_terrain_description(path):
        params = load_params(default_param_files())
        check_output(
            args.png,
            kind="png",
            inputs=[("parameter file", f) for f in default_param_files()],
            force=args.force,
            option="--png",
        )
        terrain = load_terrain(path, params)
        _extent_on_map(extent, terrain.grid, args.extent)
        out = draw_map(terrain, args.png, extent_m=extent)
    else:
        sc = load_scenario(path, args.variant)
        check_output(
            args.png, kind="png", inputs=scenario_inputs(sc), force=args.force, option="--png"
        )
        _extent_on_map(extent, sc.terrain.grid, args.extent)
        units = () if args.no_units else sc.doc.units
        out = draw_map(
            sc.terrain, args.png, zones=sc.doc.zones, units=units, title=sc.title, extent_m=extent
        )
    console.print(f"map written to {out}")
    return 0


def _extent(text: str) -> list[float]:
    """Parse --extent: four finite numbers xmin,xmax,ymin,ymax with min < max."""
    from khasan_sim.errors import KhasanSimError

    try:
        x0, x1, y0, y1 = finite_numbers(text, 4, "--extent", "2000,9000,3000,10000")
    except argparse.ArgumentTypeError as exc:
        raise KhasanSimError(f"{exc} (xmin,xmax,ymin,ymax in metres)") from None
    if not (x0 < x1 and y0 < y1):
        msg = f"--extent {text!r}: expected xmin < xmax and ymin < ymax (in metres)"
        raise KhasanSimError(msg)
    return [x0, x1, y0, y1]


def _extent_on_map(extent: list[float] | None, grid: Any, text: str | None) -> None:
    """Refuse an extent that shows nothing of the map."""
    from khasan_sim.errors import KhasanSimError

    if extent is None:
        return
    x0, x1, y0, y1 = extent
    if x1 <= 0 or y1 <= 0 or x0 >= grid.width_m or y0 >= grid.height_m:
        msg = f"--extent {text}: off the map (the map runs 0..{grid.width_m:.0f} m east and 0..{grid.height_m:.0f} m north)"
        raise KhasanSimError(msg)
