"""`khasan-sim run`: one seeded run of a scenario, summarised beside the record.

::

    khasan-sim run SCENARIO [--seed N] [--variant FILE] [--snapshot-at TIME]...
                   [--json PATH|-] [--record FILE] [--quiet]

The summary (rich tables, plain text when piped) shows losses, tanks per tank unit,
objectives by day, counterattacks, ammunition and bombs, and each recorded outcome
beside the run's value. ``--json PATH`` writes the result (METRICS.md form);
``--json -`` prints only the JSON.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from typing import Any

from rich.console import Console

from khasan_sim.cli.argtypes import add_force, add_snapshot_at, scenario_inputs
from khasan_sim.cli.argtypes import seed as _seed
from khasan_sim.cli.run_tables import render_summary
from khasan_sim.clock import Clock, format_time, parse_time
from khasan_sim.errors import KhasanSimError
from khasan_sim.results import META_CODE_VERSION

# ---------------------------------------------------------------- the API, lazily
# Imported on first use so that `khasan-sim --help` stays fast; tests replace these names.


def load_scenario(path: str, variant: str | None = None) -> Any:
    """Load a scenario (see :func:`khasan_sim.scenario.load.load_scenario`)."""
    from khasan_sim.scenario.load import load_scenario as _load

    return _load(path, variant=variant)


def Simulation(scenario: Any, seed: int = 1) -> Any:  # noqa: N802 - stands in for the class
    """Create a simulation (see :class:`khasan_sim.api.Simulation`)."""
    from khasan_sim.api import Simulation as _Simulation

    return _Simulation(scenario, seed=seed)


# ------------------------------------------------------------------- arguments


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``run`` command to the command line."""
    p = subparsers.add_parser(
        "run",
        help="run a scenario once and summarise it beside the record",
        description=(
            "Run SCENARIO once with a seed and print a summary: losses, tanks, objectives, "
            "counterattacks, ammunition, and each recorded outcome beside the run's value. "
            "A single run is one draw; compare distributions with `khasan-sim batch`."
        ),
    )
    p.add_argument("scenario", metavar="SCENARIO", help="scenario file or name")
    p.add_argument("--seed", type=_seed, default=1, metavar="N", help="run seed (default 1)")
    p.add_argument(
        "--variant", metavar="FILE", default=None, help="variant file applied to the scenario"
    )
    add_snapshot_at(p)
    p.add_argument(
        "--json",
        metavar="PATH|-",
        default=None,
        help="write the result as JSON; '-' prints only the JSON",
    )
    p.add_argument(
        "--record",
        metavar="FILE",
        default=None,
        help="recorded outcomes (default ../shared/record/khasan-1938.yaml)",
    )
    p.add_argument(
        "--events",
        metavar="PATH",
        default=None,
        help="also write every event with its causes, one row each: PATH.parquet as Parquet, "
        "else JSON lines (schema: docs/events.md)",
    )
    p.add_argument("--quiet", action="store_true", help="print one line instead of the tables")
    add_force(p)
    p.set_defaults(handler=run)


# ------------------------------------------------------------------------- run


def _resolve_record(path: str | None) -> tuple[Any, str]:
    """Return (record or None, note): a named file must load; the default may be absent."""
    from khasan_sim.record import RecordError, load_record

    if path is not None:
        return load_record(path), ""  # the user named it: a problem is an error, before the run
    try:
        return load_record(None), ""
    except RecordError as exc:
        return None, f"record: not shown ({exc})"


def run(args: argparse.Namespace, console: Console) -> int:
    """Run the scenario once and report; return the exit status.

    Raises:
        KhasanSimError: A file is missing or malformed, or a snapshot time is outside
            the scenario.
    """
    from khasan_sim.analysis.events_export import check_events_output, write_run_events
    from khasan_sim.boundary.outputs import check_output

    given = [("scenario", args.scenario), ("variant", args.variant), ("record", args.record)]
    check_output(args.json, kind="json", inputs=given, force=args.force, option="--json")
    check_events_output(args.events, inputs=given, force=args.force)
    record, record_note = _resolve_record(args.record)
    scenario = load_scenario(args.scenario, variant=args.variant)
    check_output(
        args.json, kind="json", inputs=scenario_inputs(scenario), force=args.force, option="--json"
    )
    start, end = parse_time(scenario.start), parse_time(scenario.end)
    for t in args.snapshot_at:
        if not start <= t <= end:
            msg = f"--snapshot-at {format_time(t)}: outside the scenario (expected {format_time(start)} .. {format_time(end)}, got {format_time(t)})"
            raise KhasanSimError(msg)
    if record is not None and record.scenario != scenario.id:
        record_note = f"record: not shown (it is for {record.scenario}; this run is {scenario.id})"
        record = None

    # Snapshots: those asked for, plus any the record reads that a run does not take anyway.
    default = {format_time(Clock(start, end).to_time(m)) for m in Clock(start, end).day_ends()} | {
        format_time(end)
    }
    wanted = set(args.snapshot_at)
    if record is not None:
        wanted |= {
            t
            for t in record.snapshot_times()
            if start <= t <= end and format_time(t) not in default
        }
    snapshot_at = sorted(wanted)

    from khasan_sim.runner.warmup import warm_kernels

    warm_kernels(scenario)  # the first run after an install: compile on two cores
    t0 = time.perf_counter()
    sim = Simulation(scenario, seed=args.seed)
    result = sim.run_to_end(snapshot_at=snapshot_at)
    wall = time.perf_counter() - t0
    if args.events:  # before --json -, which ends the command
        n = write_run_events(sim, args.events)
        if args.json != "-":
            console.print(f"{n:,} logged events, with their causes, written to {args.events}", highlight=False, markup=False, soft_wrap=True)
    if META_CODE_VERSION not in result.meta:
        from khasan_sim import __version__

        result = dataclasses.replace(result, meta={**result.meta, META_CODE_VERSION: __version__})

    if args.json == "-":
        result.write("-", stdout=console.file)
        return 0
    written = result.write(args.json) if args.json else None

    judgements = []
    if record is not None:
        from khasan_sim.record import judge_run

        judgements = judge_run(record, result)

    if args.quiet:
        line = f"{result.scenario} seed {result.seed}: {result.events:,} events, digest {result.events_digest[:12]}, {wall:.1f} s"
        if judgements:
            judged = [j for j in judgements if j.inside is not None]
            line += f"; record: {sum(bool(j.inside) for j in judged)} of {len(judged)} inside"
        if written is not None:
            line += f"; written to {written}"
        console.print(line, highlight=False, markup=False, soft_wrap=True)
        return 0

    render_summary(
        console,
        result,
        start=start,
        title=getattr(scenario, "title", "") or "",
        wall_seconds=wall,
        requested=[format_time(t) for t in args.snapshot_at],
        record=record,
        judgements=judgements,
        record_note=record_note,
    )
    if written is not None:
        console.print(f"Result written to {written}", highlight=False, markup=False, soft_wrap=True)
    return 0


# -------------------------------------------------------------------- formatting
