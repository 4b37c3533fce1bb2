"""`khasan-sim study`: check a study file, or salvage the intact runs of a damaged one.

::

    khasan-sim study check STUDY.sqlite
    khasan-sim study salvage BROKEN.sqlite --out NEW.sqlite
"""

from __future__ import annotations

import argparse

from rich.console import Console


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``study`` command and its ``check`` and ``salvage`` subcommands."""
    p = subparsers.add_parser(
        "study", help="check a study file, or salvage the intact runs of a damaged one"
    )
    sub = p.add_subparsers(dest="study_command", metavar="SUBCOMMAND")
    check = sub.add_parser(
        "check", help="check a study file (integrity, format, header) and say how far it is"
    )
    check.add_argument("study", metavar="STUDY.sqlite", help="the study file")
    check.set_defaults(handler=run)
    salvage = sub.add_parser(
        "salvage",
        help="copy every intact run of a damaged study into a new study file",
        description=(
            "Read a damaged study file without trusting it and copy every run that reads back whole into "
            "a new study with the same header; finish the new study with `khasan-sim batch ... --out NEW --resume`."
        ),
    )
    salvage.add_argument(
        "study", metavar="BROKEN.sqlite", help="the damaged study file (only read)"
    )
    salvage.add_argument(
        "--out", required=True, metavar="NEW.sqlite", help="the new study file (must not exist)"
    )
    salvage.set_defaults(handler=run)
    p.set_defaults(handler=run, study_command=None)


def run(args: argparse.Namespace, console: Console) -> int:
    """Run ``study check`` or ``study salvage``; return the exit status."""
    if args.study_command == "check":
        return _check(args, console)
    if args.study_command == "salvage":
        return _salvage(args, console)
    console.print(
        "usage: khasan-sim study {check STUDY.sqlite | salvage BROKEN.sqlite --out NEW.sqlite}",
        highlight=False,
    )
    return 2


def _check(args: argparse.Namespace, console: Console) -> int:
    from khasan_sim.runner.study import StudyFile

    with StudyFile.open(args.study, readonly=True) as study:
        spec, counts = study.spec, study.counts()
    variant = f", variant {spec.variant}" if spec.variant else ""
    line = (
        f"{args.study}: a study of {spec.scenario}{variant}, seed {spec.study_seed}: "
        f"{counts.ok} of {counts.requested} runs stored"
        + (f", {counts.errors} raised" if counts.errors else "")
        + (f", {counts.missing} missing" if counts.missing else "")
        + "; the file is intact"
    )
    if spec.branch is not None:
        from khasan_sim.runner.branches import BranchOrigin

        line += f"; its runs are {BranchOrigin.from_text(spec.branch).describe()}"
    console.print(line, highlight=False, markup=False, soft_wrap=True)
    return 0


def _salvage(args: argparse.Namespace, console: Console) -> int:
    from khasan_sim.boundary.outputs import check_output
    from khasan_sim.runner.salvage import salvage_study

    check_output(args.out, kind="study", inputs=[("study file", args.study)], option="--out")
    s = salvage_study(args.study, args.out)
    line = (
        f"{s.out}: {s.saved} of {s.requested} runs saved ({s.saved_ok} with a result, {s.saved_errors} that raised), "
        f"{s.lost} lost" + (f", {s.missing} never stored" if s.missing else "")
    )
    if s.lost or s.missing:
        line += f"; run them with `khasan-sim batch SCENARIO --out {s.out} --resume`"
    console.print(line, highlight=False, markup=False, soft_wrap=True)
    return 0
