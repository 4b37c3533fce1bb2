"""`khasan-sim batch`: a Monte Carlo study, many seeded runs in parallel, stored in a study file.

::

    khasan-sim batch SCENARIO --runs N --out STUDY.sqlite [--variant FILE] [--seed S]
                     [--workers K] [--snapshot-at TIME]... [--resume] [--retry-errors]
                     [--scheduler ADDRESS] [--quiet]
    khasan-sim batch --from SAVE.json --runs N --out STUDY.sqlite ...
    khasan-sim batch SCENARIO --seed S --at TIME --runs N --out STUDY.sqlite ...

The last two run branches (:mod:`khasan_sim.branching`): futures of a saved game from its
moment, or of the run with seed S from TIME, sharing its history up to there.

Replication ``i`` runs with the seed ``replication_seed(S, i)``; K worker processes
(default: the machine's cores) run them, or the workers of a Dask cluster with
``--scheduler``. Each finished run goes into the study file (SQLite) in batches; an
interrupted study is finished with ``--resume``, which runs only what is missing.

Exit status: 0 when every run is stored with a result; 1 when the study is complete but
some runs raised (their seeds and errors are in the file); 3 when a worker process died
and runs are missing (finish them with ``--resume``); 130 on Ctrl-C or SIGTERM (same).
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import threading
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from khasan_sim.cli.argtypes import add_snapshot_at, battle_time, usable_workers
from khasan_sim.cli.argtypes import count as _count
from khasan_sim.cli.argtypes import runs as _runs
from khasan_sim.cli.argtypes import seed as _seed
from khasan_sim.cli.batch_branches import branch_plan, wants_branches
from khasan_sim.clock import Clock, format_time, parse_time
from khasan_sim.errors import KhasanSimError

EXIT_OK = 0
EXIT_RUNS_FAILED = 1
EXIT_WORKERS_LOST = 3
EXIT_INTERRUPTED = 130
DEFAULT_SEED = 1
_ERRORS_LISTED = 5


# ---------------------------------------------------------------- the API, lazily
# Imported on first use so that `khasan-sim --help` stays fast; tests replace these names.


def load_scenario(path: str, variant: str | None = None) -> Any:
    """Load a scenario (see :func:`khasan_sim.scenario.load.load_scenario`)."""
    from khasan_sim.scenario.load import load_scenario as _load

    return _load(path, variant=variant)


def replications_for(scenario: Any, snapshot_at: Sequence[str], commanders: dict[str, str] | None = None) -> Any:
    """Return the :class:`~khasan_sim.runner.replication.Replications` of a loaded scenario."""
    from khasan_sim.runner.replication import Replications

    return Replications(
        str(Path(scenario.path).resolve()),
        None if scenario.variant_path is None else str(Path(scenario.variant_path).resolve()),
        snapshot_at,
        scenario.digest,
        commanders=commanders,
    )


# ------------------------------------------------------------------- arguments


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``batch`` command to the command line."""
    p = subparsers.add_parser(
        "batch",
        help="run a Monte Carlo study: many seeded runs in parallel, stored in a study file",
        description=(
            "Run N replications of SCENARIO (or of a variant) with seeds derived from --seed, "
            "in parallel, and store every run's result in an SQLite study file as it finishes. "
            "An interrupted study is finished with --resume. Compare the study with the record "
            "with `khasan-sim compare STUDY`. With --from SAVE (a saved game) or --at TIME (the "
            "run with --seed), the runs are branches: they share that run's history up to its "
            "moment and differ after it."
        ),
    )
    p.add_argument(
        "scenario",
        metavar="SCENARIO",
        nargs="?",
        default=None,
        help="scenario file (a variant file is accepted too); optional with --from",
    )
    p.add_argument(
        "--from",
        dest="from_save",
        metavar="SAVE.json",
        default=None,
        help="branches of a saved game from its moment: its history, then N futures",
    )
    p.add_argument(
        "--at",
        type=battle_time,
        default=None,
        metavar="TIME",
        help="branches of the run with --seed that share its history up to TIME, e.g. 1938-08-07T12:00",
    )
    p.add_argument(
        "--runs",
        type=_runs,
        default=None,
        metavar="N",
        help="replications (required unless --resume)",
    )
    p.add_argument("--out", required=True, metavar="STUDY.sqlite", help="the study file to write")
    p.add_argument(
        "--variant", metavar="FILE", default=None, help="variant file applied to the scenario"
    )
    p.add_argument(
        "--seed",
        type=_seed,
        default=None,
        metavar="S",
        help=f"study seed (default {DEFAULT_SEED}, or the study file's on --resume)",
    )
    p.add_argument(
        "--workers",
        type=_count,
        default=None,
        metavar="K",
        help="worker processes (default: the machine's cores)",
    )
    add_snapshot_at(p)
    p.add_argument(
        "--resume",
        action="store_true",
        help="finish an interrupted study: run only the missing replications",
    )
    p.add_argument(
        "--retry-errors",
        dest="retry_errors",
        action="store_true",
        help="with --resume: run again the replications that raised",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="run on a Dask cluster, e.g. tcp://10.0.0.5:8786 (pip install 'khasan-sim[cluster]')",
    )
    p.add_argument("--quiet", action="store_true", help="no progress, one line at the end")
    _add_pairing(p)
    p.set_defaults(handler=run)


# ------------------------------------------------------------ who commands (the pairing)


def _add_pairing(p: argparse.ArgumentParser) -> None:
    """The pairing options: who commands each side (the study records it in its variant id)."""
    g = p.add_argument_group("pairing (who commands each side; recorded in the study)")
    g.add_argument("--soviet", choices=("historical", "ai"), default="historical",
                   help="the Soviet side: the recorded orders of 1938 (default) or the commander AI")
    g.add_argument("--japanese", choices=("doctrine", "ai"), default="doctrine",
                   help="the Japanese side: the doctrine controller (default) or the commander AI")
    g.add_argument("--level", choices=("easy", "normal", "hard"), default="normal", help="the commander AI's level (default normal)")


def _pairing_of(args: argparse.Namespace) -> dict[str, str]:
    """Return the sides the AI commands, with its level (empty: the scenario's own controllers)."""
    from khasan_sim.ai.driver import Pairing

    return Pairing(getattr(args, "soviet", "historical"), getattr(args, "japanese", "doctrine"), getattr(args, "level", "normal")).ai_sides


# ------------------------------------------------------------------------- run


def _record_times(scenario_id: str) -> list[datetime]:
    """Return the times the default record reads snapshots at, if it is about *scenario_id*."""
    from khasan_sim.record import RecordError, load_record

    try:
        record = load_record(None)
    except RecordError:
        return []
    return record.snapshot_times() if record.scenario == scenario_id else []


def _snapshot_labels(scenario: Any, asked: Sequence[datetime]) -> list[str]:
    """Return the extra snapshot labels every run takes.

    Those asked for (checked against the scenario's times), and those the record reads
    that a run does not take anyway (day ends and the end are always taken).
    """
    start, end = parse_time(scenario.start), parse_time(scenario.end)
    for t in asked:
        if not start <= t <= end:
            msg = f"--snapshot-at {format_time(t)}: outside the scenario (expected {format_time(start)} .. {format_time(end)}, got {format_time(t)})"
            raise KhasanSimError(msg)
    clock = Clock(start, end)
    default = {clock.label(m) for m in clock.day_ends()} | {format_time(end)}
    wanted = {format_time(t) for t in asked}
    wanted |= {format_time(t) for t in _record_times(scenario.id) if start <= t <= end}
    return sorted(wanted - default)


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM (``kill PID``) like Ctrl-C while the study runs: store what finished, stop."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"):
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _stored_spec(path: Path) -> Any:
    """Return the spec of the study file at *path*, or None if there is none."""
    from khasan_sim.runner.study import StudyFile

    if not path.exists():
        return None
    with StudyFile.open(path, readonly=True) as study:
        return study.spec


def run(args: argparse.Namespace, console: Console) -> int:
    """Run (or resume) the study and report; return the exit status.

    Raises:
        KhasanSimError: A file is missing or malformed, the study file exists without
            --resume or holds another study, or the Dask scheduler cannot be reached.
    """
    from khasan_sim.runner.batch import run_study, study_spec
    from khasan_sim.runner.pool import default_workers
    from khasan_sim.runner.progress import duration_text, make_progress
    from khasan_sim.runner.study import StudyFile, first_line

    out = Path(args.out)
    if args.retry_errors and not args.resume:
        msg = "--retry-errors: only with --resume (it runs again the replications of a study that raised)"
        raise KhasanSimError(msg)
    stored = _stored_spec(out) if args.resume else None
    if args.runs is None and stored is None:
        msg = "--runs N is required (the number of replications)" + (
            f"; {out} does not exist yet" if args.resume else ""
        )
        raise KhasanSimError(msg)

    plan = None
    commanders = _pairing_of(args)
    if wants_branches(args):
        if commanders:
            msg = "--soviet/--japanese: not with --from or --at (branches keep the commanders of the run they branch from)"
            raise KhasanSimError(msg)
        plan = branch_plan(args, load_scenario, stored.study_seed if stored is not None else DEFAULT_SEED)
        scenario = plan.scenario
    elif args.scenario is None:
        msg = "give the SCENARIO file (or --from SAVE.json for branches of a saved game)"
        raise KhasanSimError(msg)
    else:
        scenario = load_scenario(args.scenario, variant=args.variant)
        if commanders:
            from khasan_sim.ai.driver import with_pairing

            scenario = with_pairing(scenario, commanders)
    asked_labels = _snapshot_labels(scenario, args.snapshot_at)
    if stored is not None and not args.snapshot_at:
        asked_labels = list(stored.snapshot_at)
    if plan is not None:
        seed = plan.seed
    else:
        seed = (
            args.seed
            if args.seed is not None
            else (stored.study_seed if stored is not None else DEFAULT_SEED)
        )
    runs = args.runs if args.runs is not None else stored.runs
    spec = study_spec(
        scenario, study_seed=seed, runs=runs, snapshot_at=asked_labels,
        branch=None if plan is None else plan.origin.to_text(),
    )

    with StudyFile.open_or_create(out, spec, resume=args.resume) as study:
        if args.retry_errors:
            forgotten = study.forget_errors()
            if forgotten and not args.quiet:
                console.print(
                    f"running again the {forgotten} replication(s) that raised",
                    highlight=False,
                    markup=False,
                )
        before = study.counts()
        if before.missing == 0:
            console.print(
                _summary_line(out, study.counts(), None),
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
            return EXIT_RUNS_FAILED if before.errors else EXIT_OK
        say = (
            None
            if args.quiet
            else (lambda text: console.print(text, highlight=False, markup=False, soft_wrap=True))
        )
        workers = (
            usable_workers(args.workers, before.missing, say)
            if not args.scheduler
            else args.workers
        )
        if not args.quiet:
            local = min(workers or default_workers(), before.missing)
            where = (
                f"the Dask cluster at {args.scheduler}"
                if args.scheduler
                else f"{local} local worker(s)"
            )
            title = scenario.id + (
                f" (variant {scenario.variant_id})" if scenario.variant_id else ""
            )
            what = "replications" if plan is None else f"{plan.origin.describe()}"
            console.print(
                f"{title}: {before.missing} of {runs} {what} to run on {where}, study seed {seed}; writing {out}",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
        snap = study.spec.snapshot_at
        if plan is not None:
            source = plan.source(snap)
        elif commanders:
            source = replications_for(scenario, snap, commanders)
        else:
            source = replications_for(scenario, snap)
        with _terminate_as_interrupt():
            session = run_study(
                study,
                source,
                workers=workers,
                scheduler=args.scheduler,
                progress=make_progress(console, quiet=args.quiet),
            )
        counts = session.counts or study.counts()

    line = _summary_line(out, counts, session)
    line += f"; {session.ok + session.errors} run(s) in {duration_text(session.wall_seconds)} ({session.rate:.2f} runs/s on {session.workers} {session.backend} worker(s))"
    console.print(line, highlight=False, markup=False, soft_wrap=True)
    for record in session.new_errors[:_ERRORS_LISTED]:
        console.print(
            f"  run {record.index} (seed {record.seed}) raised: {first_line(record.error)}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    if len(session.new_errors) > _ERRORS_LISTED:
        console.print(
            f"  ... and {len(session.new_errors) - _ERRORS_LISTED} more (see the runs table of {out})",
            highlight=False,
            markup=False,
        )
    if session.interrupted:
        console.print(
            f"interrupted: {counts.missing} replication(s) missing; finish with the same command and --resume",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        return EXIT_INTERRUPTED
    if session.lost is not None:
        console.print(
            f"stopped: {session.lost}; {counts.missing} replication(s) missing; finish with the same command and --resume",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        return EXIT_WORKERS_LOST
    return EXIT_RUNS_FAILED if counts.errors else EXIT_OK


def _summary_line(out: Path, counts: Any, session: Any) -> str:
    """Return the line that says how far the study is."""
    text = f"{out}: {counts.ok} of {counts.requested} replications stored"
    if counts.errors:
        text += f", {counts.errors} raised (seeds and errors in the file)"
    if counts.missing:
        text += f", {counts.missing} missing"
    elif session is None:
        text += "; the study is complete, nothing to run"
    return text
