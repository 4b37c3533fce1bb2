"""`khasan-sim scenario`: check a scenario file, or export the JSON Schema for editors.

``khasan-sim scenario check FILE [--variant V] [--no-terrain]`` validates the file
(and variant) and prints the forces by side, the zones, the rules in force and the
orders. ``khasan-sim scenario schema [--out PATH] [--variant-schema]`` writes the
JSON Schema of the scenario (or variant) format.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from khasan_sim.errors import KhasanSimError

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def register(subparsers: Any) -> None:
    """Add the ``scenario`` command and its ``check`` and ``schema`` subcommands."""
    p = subparsers.add_parser("scenario", help="check a scenario file or export its JSON Schema")
    sub = p.add_subparsers(dest="scenario_command", metavar="SUBCOMMAND")
    check = sub.add_parser("check", help="validate a scenario (and variant) and print its forces")
    check.add_argument("file", help="scenario YAML file (or a variant file)")
    check.add_argument("--variant", metavar="V", help="variant YAML file to apply")
    check.add_argument(
        "--no-terrain", action="store_true", help="skip building the terrain rasters"
    )
    check.set_defaults(handler=run)
    schema = sub.add_parser("schema", help="write the JSON Schema of the scenario format")
    schema.add_argument(
        "--out", metavar="PATH", help="write to PATH (atomically) instead of standard output"
    )
    schema.add_argument(
        "--variant-schema", action="store_true", help="the schema of variant files instead"
    )
    schema.add_argument(
        "--force", action="store_true", help="replace an existing file of another kind at --out"
    )
    schema.set_defaults(handler=run)
    p.set_defaults(handler=run, scenario_command=None)


def run(args: argparse.Namespace, console: Console) -> int:
    """Run ``scenario check`` or ``scenario schema``; return the exit status."""
    if args.scenario_command == "check":
        try:
            return _check(args, console)
        except KhasanSimError as exc:
            if getattr(args, "debug", False):
                raise
            # printed here rather than by cli.main so that square brackets in the
            # message (paths like units[tiny-jp-coy], points [x, y]) are not taken
            # for rich markup and swallowed
            err = Console(stderr=True) if console.file is sys.stdout else console
            err.print(
                f"[red]error:[/red] {escape(str(exc))}",
                markup=True,
                highlight=False,
                soft_wrap=True,
            )
            return 2
    if args.scenario_command == "schema":
        return _schema(args, console)
    console.print(
        "usage: khasan-sim scenario {check FILE [--variant V] | schema [--out PATH]}",
        highlight=False,
    )
    return 1


def json_schema(variant: bool = False) -> dict[str, Any]:
    """Return the JSON Schema of the scenario format (or of variant files)."""
    from khasan_sim.scenario.schema import ScenarioDoc, VariantDoc

    model = VariantDoc if variant else ScenarioDoc
    body = model.model_json_schema(by_alias=True)
    title = "khasan_sim variant" if variant else "khasan_sim scenario"
    return {
        "$schema": SCHEMA_DIALECT,
        "title": title,
        **{k: v for k, v in body.items() if k != "title"},
    }


def schema_text(variant: bool = False) -> str:
    """Return the JSON Schema as stable, indented JSON text ending in a newline."""
    return json.dumps(json_schema(variant), indent=2, ensure_ascii=False) + "\n"


def _schema(args: argparse.Namespace, console: Console) -> int:
    from khasan_sim.boundary.outputs import check_output
    from khasan_sim.io import atomic_write_text

    check_output(args.out, kind="json", force=args.force, option="--out")
    text = schema_text(args.variant_schema)
    if args.out:
        atomic_write_text(args.out, text)
        console.print(f"wrote {args.out}", highlight=False)
    else:
        console.print(text, markup=False, highlight=False, soft_wrap=True, end="")
    return 0


def _terrain_available() -> bool:
    try:
        from khasan_sim.terrain import load_terrain  # type: ignore[attr-defined]  # noqa: F401
    except ImportError:
        return False
    return True


def _counts(counter: Any) -> str:
    return ", ".join(f"{k} {n}" for k, n in sorted(counter.items())) or "-"


def _check(args: argparse.Namespace, console: Console) -> int:
    from khasan_sim.scenario.load import load_scenario
    from khasan_sim.scenario.summary import summarize

    with_terrain = not args.no_terrain and _terrain_available()
    sc = load_scenario(args.file, args.variant, with_terrain=with_terrain)
    s = summarize(sc.doc, sc.params, title=sc.title, digest=sc.digest)

    console.print(
        f"[bold]{escape(s.title)}[/bold]  ({s.id}{', variant ' + sc.variant_id if sc.variant_id else ''})",
        highlight=False,
    )
    console.print(
        f"{s.start.isoformat(timespec='minutes')} to {s.end.isoformat(timespec='minutes')}, "
        f"map {escape(sc.doc.scenario.map)} ({sc.grid.width_m / 1000:.1f} x {sc.grid.height_m / 1000:.1f} km"
        f"{'' if with_terrain else ', terrain not built'})",
        highlight=False,
    )

    forces = Table(title="Forces by side", title_justify="left")
    for col, just in (
        ("side", "left"),
        ("controller", "left"),
        ("units", "right"),
        ("men", "right"),
        ("tanks", "left"),
        ("guns", "left"),
        ("aircraft", "left"),
        ("orders", "right"),
    ):
        forces.add_column(col, justify=just)  # type: ignore[arg-type]
    for f in s.sides:
        tanks = _counts(f.tanks)
        if f.command_tanks:
            tanks += f" ({f.command_tanks} command)"
        total_tanks = sum(f.tanks.values())
        total_guns = sum(f.guns.values())
        forces.add_row(
            escape(f.name or f.side),
            f.controller,
            str(f.units),
            f"{f.men:,}",
            f"{total_tanks}: {tanks}" if total_tanks else "-",
            f"{total_guns}: {_counts(f.guns)}" if total_guns else "-",
            _counts(f.aircraft),
            str(f.orders),
        )
    console.print(forces)

    if s.zones:
        zones = Table(title="Zones", title_justify="left")
        for col in ("id", "name", "kind", "vertices"):
            zones.add_column(col)
        for zid, name, kind, n in s.zones:
            zones.add_row(zid, escape(name), kind, str(n))
        console.print(zones)

    rules = Table(title="Rules in force", title_justify="left")
    rules.add_column("rule")
    rules.add_column("setting")
    for rule, setting in s.rules or [("(none)", "")]:
        rules.add_row(rule, escape(setting))
    console.print(rules)

    if s.orders and s.first_order is not None and s.last_order is not None:
        console.print(
            f"{s.orders} orders from {s.first_order.isoformat(timespec='minutes')} to "
            f"{s.last_order.isoformat(timespec='minutes')} ({_counts(s.order_kinds)})",
            highlight=False,
        )
    else:
        console.print("no orders", highlight=False)
    console.print(f"{len(sc.tanks)} tanks; digest {s.digest[:16]}", highlight=False)
    console.print("[green]ok[/green]: the scenario is valid", highlight=False)
    return 0
