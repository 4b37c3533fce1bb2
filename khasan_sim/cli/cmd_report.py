"""`khasan-sim report`: the after-action report of one run, as a printable HTML page.

::

    khasan-sim report RUN.json|SAVE.json --html PATH [--study STUDY.sqlite] [--record FILE]
                      [--scenario FILE [--variant FILE]] [--force]

RUN.json is what ``khasan-sim run ... --json`` writes; a SAVE is the game's save file.
The run is replayed through the simulation from its scenario, seed and orders (the
replayed event log is checked against the recorded digest), and told day by day with its
key moments, maps of the situation at them, the losses beside the record and, with
``--study``, the run's place among the study's runs.
"""

from __future__ import annotations

import argparse
import sys

from rich.console import Console

from khasan_sim.cli.argtypes import add_force


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``report`` command to the command line."""
    p = subparsers.add_parser(
        "report",
        help="write the after-action report of one run or saved game (HTML)",
        description=(
            "Tell one run as an after-action report: the battle day by day, the key moments chosen from "
            "its events with their causes, maps of the situation at them, the losses over time beside the "
            "record, and the run against each recorded outcome. RUN.json is what `khasan-sim run --json` "
            "writes; a save is the game's save file. With --study, where the run sits among a study's runs."
        ),
    )
    p.add_argument("file", metavar="RUN.json|SAVE", help="a run result (`khasan-sim run --json`) or a saved game")
    p.add_argument("--html", required=True, metavar="PATH", help="the HTML report to write")
    p.add_argument("--study", metavar="STUDY.sqlite", help="a study (`khasan-sim batch`) to place the run in")
    p.add_argument("--record", metavar="FILE", help="recorded outcomes (default ../shared/record/khasan-1938.yaml)")
    p.add_argument("--scenario", metavar="FILE", help="replay on this scenario file instead of the one the run names")
    p.add_argument("--variant", metavar="FILE", help="with --scenario: the variant file")
    add_force(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, console: Console) -> int:
    """Write the report; return the exit status (0).

    Raises:
        KhasanSimError: The run, save, study or record cannot be used (exit status 2).
    """
    from khasan_sim.analysis.aar_report import render_aar_html
    from khasan_sim.analysis.aar_source import ReportInputError, load_run
    from khasan_sim.analysis.report import write_html
    from khasan_sim.boundary.outputs import check_output
    from khasan_sim.record import RecordError, load_record, record_missing

    if args.variant is not None and args.scenario is None:
        raise ReportInputError("--variant: give it with --scenario FILE (a run names its own variant)")
    inputs = [("run or save", args.file), ("study file", args.study), ("record", args.record),
              ("scenario", args.scenario), ("variant", args.variant)]
    check_output(args.html, kind="html", inputs=inputs, force=args.force, option="--html")
    study = None
    if args.study is not None:
        from khasan_sim.analysis.compare import load_study
        from khasan_sim.runner.study import check_study

        check_study(args.study)
        study = load_study(args.study)
        if not study.runs:
            raise ReportInputError(f"{args.study}: no run with a result to place this run among")
    try:
        record = load_record(args.record)
    except RecordError as exc:
        if args.record is not None or not record_missing(exc):
            raise
        record = None
    console.print(f"[dim]replaying {args.file} ...[/dim]")
    replayed = load_run(args.file, scenario=args.scenario, variant=args.variant)
    if record is not None and record.scenario != replayed.result.scenario:
        record = None  # the record is of another battle
    command = "khasan-sim " + " ".join(sys.argv[1:]) if sys.argv and sys.argv[0].endswith("khasan-sim") else ""
    text = render_aar_html(replayed, record, study=study, command=command)
    out = write_html(args.html, text)
    console.print(f"after-action report written to {out}")
    return 0
