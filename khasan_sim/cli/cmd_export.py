"""`khasan-sim export`: a study's runs as JSONL, CSV or Parquet.

::

    khasan-sim export STUDY.sqlite --format jsonl|csv|parquet --out PATH
    khasan-sim export STUDY.sqlite --events --format jsonl|parquet --out PATH [--run N ...]

JSONL has one run result per line in the METRICS.md form; CSV and Parquet have one row
per run and snapshot time, a column per metric. ``--out -`` prints JSONL or CSV.

With ``--events``, every event of every run (or of the runs named by ``--run``), one row
per event with its causes (docs/events.md). A study keeps no event logs: each run is
replayed from its seed, and the replay's digest checked against the one stored
(analysis/events_export.py).
"""

from __future__ import annotations

import argparse

from rich.console import Console

from khasan_sim.cli.argtypes import add_force


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``export`` command to the command line."""
    from khasan_sim.analysis.export import FORMATS

    p = subparsers.add_parser(
        "export",
        help="write a study's runs as JSONL, CSV or Parquet",
        description=(
            "Write the runs of a study file: JSONL (one run result per line, METRICS.md form), "
            "or CSV / Parquet (one row per run and snapshot time, a column per metric). "
            "Runs that raised have no result and are left out."
        ),
    )
    p.add_argument("study", metavar="STUDY.sqlite", help="the study file (from `khasan-sim batch`)")
    p.add_argument(
        "--format", dest="format", choices=FORMATS, required=True, help="jsonl, csv or parquet"
    )
    p.add_argument(
        "--out", required=True, metavar="PATH", help="the file to write ('-' prints jsonl or csv)"
    )
    p.add_argument(
        "--events",
        action="store_true",
        help="write the runs' events with their causes instead (jsonl or parquet, one row per "
        "event; each run replayed from its seed, about half a second a run)",
    )
    p.add_argument(
        "--run", dest="runs", type=_run_index, action="append", default=[], metavar="N",
        help="with --events: only run N of the study (repeatable)",
    )
    add_force(p)
    p.set_defaults(handler=run)


def _run_index(text: str) -> int:
    """Parse a run index (a whole number >= 0)."""
    try:
        n = int(text)
    except ValueError:
        n = -1
    if n < 0:
        msg = f"expected a run index (a whole number >= 0), got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return n


def _silence_stdout() -> None:
    """Point standard output at /dev/null so that Python's final flush does not fail again."""
    import os
    import sys

    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file (tests)
        pass
    finally:
        os.close(devnull)


def run(args: argparse.Namespace, console: Console) -> int:
    """Export the study; return the exit status.

    Raises:
        KhasanSimError: The study file is missing or damaged, or pyarrow is missing for parquet.
    """
    from khasan_sim.analysis.events_export import EVENT_FORMATS, export_study_events
    from khasan_sim.analysis.export import export_study
    from khasan_sim.boundary.outputs import check_output
    from khasan_sim.errors import KhasanSimError
    from khasan_sim.runner.study import check_study

    if args.events and args.format not in EVENT_FORMATS:
        msg = f"--events --format {args.format}: events are written as {' or '.join(EVENT_FORMATS)} (one row per event)"
        raise KhasanSimError(msg)
    if args.runs and not args.events:
        raise KhasanSimError("--run N: only with --events (the study's results are exported whole)")
    check_output(args.out, kind=args.format, inputs=[("study file", args.study)], force=args.force)
    check_study(args.study)
    to_stdout = args.out == "-"
    try:
        if args.events:
            summary = export_study_events(
                args.study, args.format, args.out, run_indices=args.runs, stdout=console.file if to_stdout else None
            )
        else:
            summary = export_study(
                args.study, args.format, args.out, stdout=console.file if to_stdout else None
            )
    except BrokenPipeError:  # `khasan-sim export ... --out - | head`: the reader has had enough
        _silence_stdout()
        return 0
    if not to_stdout:
        rows = "event(s)" if args.events else f"{'line' if summary.format == 'jsonl' else 'row'}(s)"
        line = f"{summary.path}: {summary.runs:,} run(s), {summary.rows:,} {rows}"
        if args.events:
            line += " (replayed from their seeds; digests checked)"
        if summary.columns:
            line += f", {summary.columns} columns"
        if summary.skipped_errors:
            line += f"; {summary.skipped_errors} run(s) that raised left out"
        console.print(line, highlight=False, markup=False, soft_wrap=True)
    return 0
