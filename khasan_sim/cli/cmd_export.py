"""`khasan-sim export`: a study's runs as JSONL, CSV or Parquet.

::

    khasan-sim export STUDY.sqlite --format jsonl|csv|parquet --out PATH

JSONL has one run result per line in the METRICS.md form; CSV and Parquet have one row
per run and snapshot time, a column per metric. ``--out -`` prints JSONL or CSV.
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
    add_force(p)
    p.set_defaults(handler=run)


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
    from khasan_sim.analysis.export import export_study
    from khasan_sim.boundary.outputs import check_output
    from khasan_sim.runner.study import check_study

    check_output(args.out, kind=args.format, inputs=[("study file", args.study)], force=args.force)
    check_study(args.study)
    to_stdout = args.out == "-"
    try:
        summary = export_study(
            args.study, args.format, args.out, stdout=console.file if to_stdout else None
        )
    except BrokenPipeError:  # `khasan-sim export ... --out - | head`: the reader has had enough
        _silence_stdout()
        return 0
    if not to_stdout:
        line = f"{summary.path}: {summary.runs:,} run(s), {summary.rows:,} {'line' if summary.format == 'jsonl' else 'row'}(s)"
        if summary.columns:
            line += f", {summary.columns} columns"
        if summary.skipped_errors:
            line += f"; {summary.skipped_errors} run(s) that raised left out"
        console.print(line, highlight=False, markup=False, soft_wrap=True)
    return 0
