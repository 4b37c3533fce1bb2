"""`khasan-sim exercise`: classroom what-if exercises.

::

    khasan-sim exercise list
    khasan-sim exercise show NAME
    khasan-sim exercise run NAME --runs N [--workers K] [--out DIR] [--seed S]
    khasan-sim exercise class NAME FOLDER [--studies DIR] [--out REPORT.html]

``list`` shows the pack (scenarios/exercises/); ``show`` prints the briefing, the
questions and the teacher's notes; ``run`` runs the historical baseline and each of the
exercise's variants as Monte Carlo studies (same study seed: paired runs) into DIR and
writes DIR/report.html; ``class`` reads a folder of students' save files, plays each
game to the ceasefire, and writes a report placing each game in the studies'
distributions.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from khasan_sim.cli.argtypes import add_force, usable_workers
from khasan_sim.cli.argtypes import count as _count
from khasan_sim.cli.argtypes import runs as _runs
from khasan_sim.cli.argtypes import seed as _seed
from khasan_sim.errors import KhasanSimError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``exercise`` command."""
    p = sub.add_parser(
        "exercise",
        help="classroom what-if exercises: list, show the briefing, run the studies and report, report a class",
        description="Classroom what-if exercises built on the history digest's lessons (scenarios/exercises/).",
    )
    ss = p.add_subparsers(dest="exercise_command", metavar="ACTION")
    ls = ss.add_parser("list", help="list the exercises of the pack")
    ls.set_defaults(handler=run_list)
    sh = ss.add_parser("show", help="print an exercise's briefing, questions and teacher's notes")
    sh.add_argument(
        "name", metavar="NAME", help="the exercise (its id from `exercise list`, or a file)"
    )
    sh.add_argument(
        "--students", action="store_true", help="only what the students see (no teacher's notes)"
    )
    sh.set_defaults(handler=run_show)
    rn = ss.add_parser(
        "run", help="run the baseline and the variants as studies and write the HTML report"
    )
    rn.add_argument("name", metavar="NAME", help="the exercise")
    rn.add_argument(
        "--runs",
        type=_runs,
        required=True,
        metavar="N",
        help="replications per study (4 for a quick look in class, 100+ for firm answers)",
    )
    rn.add_argument(
        "--workers",
        type=_count,
        default=None,
        metavar="K",
        help="worker processes (default: all cores)",
    )
    rn.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help="folder for the study files and report.html (default exercise-NAME)",
    )
    rn.add_argument(
        "--seed",
        type=_seed,
        default=None,
        metavar="S",
        help="study seed shared by all the studies (default 1938)",
    )
    rn.add_argument(
        "--report-only",
        action="store_true",
        help="do not run: write the report from the studies in DIR",
    )
    rn.add_argument("--quiet", action="store_true", help="no progress bar")
    rn.add_argument(
        "--students",
        action="store_true",
        help="write the students' report (DIR/report-students.html): the same without the teacher's notes",
    )
    rn.set_defaults(handler=run_run)
    cl = ss.add_parser(
        "class", help="place each student's saved game in the studies' distributions"
    )
    cl.add_argument("name", metavar="NAME", help="the exercise")
    cl.add_argument("folder", metavar="FOLDER", help="folder of the students' save files (*.json)")
    cl.add_argument(
        "--studies",
        default=None,
        metavar="DIR",
        help="folder of the exercise's studies (default exercise-NAME)",
    )
    cl.add_argument(
        "--out",
        default=None,
        metavar="REPORT.html",
        help="the class report (default DIR/class-report.html)",
    )
    cl.add_argument(
        "--runs",
        type=_runs,
        default=None,
        metavar="N",
        help="run the studies first if they are missing (N runs each)",
    )
    cl.add_argument(
        "--workers",
        type=_count,
        default=None,
        metavar="K",
        help="worker processes for --runs and for replaying the games (default 1)",
    )
    add_force(cl)
    cl.set_defaults(handler=run_class)
    p.set_defaults(handler=lambda args, console: _usage(p, console))


def _usage(p: argparse.ArgumentParser, console: Console) -> int:
    console.print(p.format_help(), markup=False, highlight=False)
    return 0


def _load(name: str) -> Any:
    from khasan_sim.exercises.format import find_exercise, load_exercise

    return load_exercise(find_exercise(name), check_variants=False)


def _record() -> Any:
    from khasan_sim.record import RecordError, load_record, record_missing

    try:
        return load_record()
    except RecordError as exc:
        if record_missing(exc):
            return None
        raise


def run_list(args: argparse.Namespace, console: Console) -> int:
    """Print the pack."""
    from khasan_sim.exercises.format import exercises_dir, load_exercise, pack

    files = pack()
    if not files:
        raise KhasanSimError(f"{exercises_dir()}: no exercises found")
    table = Table(
        title="Classroom exercises (Lake Khasan, 6-11 August 1938)",
        title_justify="left",
        caption="`khasan-sim exercise show NAME` prints the briefing; `exercise run NAME --runs 4` runs it and writes a report.",
        caption_justify="left",
    )
    table.add_column("NAME", no_wrap=True, style="bold")
    table.add_column("title, and the what-ifs it compares with 1938")
    table.add_column("play as")
    for f in files:
        ex = load_exercise(f, check_variants=False)
        d = ex.doc
        variants = "; ".join(v.label for v in d.variants) or "students' own orders"
        side = {"both": "both sides (hot seat)", "none": "watch"}.get(d.play.side, d.play.side)
        cell = Text(d.exercise.title)
        cell.append(f"\n{variants}", style="dim")
        table.add_row(ex.id, cell, side)
    console.print(table)
    return 0


def run_show(args: argparse.Namespace, console: Console) -> int:
    """Print the briefing (and the teacher's notes)."""
    ex = _load(args.name)
    d = ex.doc
    b = d.briefing
    body = Text()
    body.append("Situation\n", style="bold")
    body.append(b.situation + "\n\n")
    body.append("The question\n", style="bold")
    body.append(b.question + "\n\n", style="bold yellow")
    body.append("Constraints\n", style="bold")
    for c in b.constraints:
        body.append(f"  • {c}\n")
    if d.variants:
        body.append("\nWhat changes from 1938\n", style="bold")
        for v, vid in zip(d.variants, ex.variant_ids, strict=True):
            body.append(f"  • {v.label} ({vid})\n")
    if b.task:
        body.append("\nYour task\n", style="bold")
        body.append(b.task + "\n")
    body.append("\nQuestions\n", style="bold")
    for i, q in enumerate(d.questions, 1):
        body.append(f"  {i}. {q.text}\n")
    console.print(
        Panel(
            body,
            title=f"[bold]{d.exercise.title}[/bold]",
            subtitle=f"{ex.id} · about {d.exercise.minutes} min",
            expand=False,
        )
    )
    if args.students:
        return 0
    t = d.teacher
    notes = Text()
    notes.append("What happened\n", style="bold")
    notes.append(t.what_happened + "\n\n")
    notes.append("What the evidence shows\n", style="bold")
    notes.append(t.evidence + "\n")
    if t.discussion:
        notes.append("\nFor discussion\n", style="bold")
        for q in t.discussion:
            notes.append(f"  • {q}\n")
    notes.append("\nSources\n", style="bold")
    for s in t.sources:
        notes.append(f"  • {s}\n")
    notes.append("\nMetrics\n", style="bold")
    for m in d.metrics:
        notes.append(f"  • {m.label}: {m.metric or 'record entry ' + str(m.record)}\n")
    console.print(Panel(notes, title="For the teacher", expand=False, border_style="dim"))
    side = {"both": "both"}.get(d.play.side, d.play.side)
    console.print(
        f"Run it: khasan-sim exercise run {ex.id} --runs 4    ·    play it: khasan-sim play --exercise {ex.id}"
        + ("    (hot seat)" if side == "both" else ""),
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    return 0


def _command_line() -> str:
    return (
        "khasan-sim " + " ".join(shlex.quote(a) for a in sys.argv[1:])
        if sys.argv
        and sys.argv[0]
        .replace("\\", "/")
        .endswith(("khasan-sim", "run_sim.py", "khasan_sim/__main__.py"))
        else ""
    )


def run_run(args: argparse.Namespace, console: Console) -> int:
    """Run the studies and write the report."""
    from khasan_sim.exercises.report import load_figures, render_exercise_html, scenario_times
    from khasan_sim.exercises.studies import DEFAULT_SEED, default_out, run_studies
    from khasan_sim.io import atomic_write_text
    from khasan_sim.runner.progress import make_progress

    ex = _load(args.name)
    record = _record()
    out = Path(args.out) if args.out else default_out(ex)
    if out.exists() and not out.is_dir():
        raise KhasanSimError(
            f"--out {out}: is a file (expected a folder for the studies and report.html)"
        )
    args.workers = usable_workers(args.workers, 2 * args.runs, console.print)
    from khasan_sim.exercises.report import require_record

    require_record(ex, record)
    if not args.report_only:

        def say(line: str) -> None:
            console.print(line, markup=False, highlight=False, soft_wrap=True)

        done = run_studies(
            ex,
            out,
            args.runs,
            seed=DEFAULT_SEED if args.seed is None else args.seed,
            workers=args.workers,
            record=record,
            progress=lambda plan: make_progress(console, quiet=args.quiet),
            say=say,
        )
        for d in done:
            if d.errors:
                console.print(
                    f"  {d.plan.label}: {d.errors} run(s) raised (see {d.plan.path})",
                    markup=False,
                    highlight=False,
                )
    figs = load_figures(ex, out, record)
    start, _ = scenario_times(ex)
    path = out / ("report-students.html" if args.students else "report.html")
    atomic_write_text(path, render_exercise_html(figs, start=start, command=_command_line(), students=args.students))
    from khasan_sim.exercises.figures import reading

    for line in reading(figs):
        console.print(f"  • {line}", markup=False, highlight=False, soft_wrap=True)
    console.print(
        f"report written to {path}  (open it in a browser; print to PDF from there)",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    return 0


def run_class(args: argparse.Namespace, console: Console) -> int:
    """Write the class report."""
    from khasan_sim.exercises.classroom import class_report
    from khasan_sim.exercises.studies import default_out, run_studies, study_plans
    from khasan_sim.io import atomic_write_text

    ex = _load(args.name)
    record = _record()
    studies = Path(args.studies) if args.studies else default_out(ex)
    from khasan_sim.exercises.report import require_record

    require_record(ex, record)
    folder = Path(args.folder)
    if not folder.is_dir():
        raise KhasanSimError(f"{folder}: no such folder (expected a folder of save files)")
    out = Path(args.out) if args.out else studies / "class-report.html"
    from khasan_sim.boundary.outputs import check_output

    saves = [("saved game", f) for f in sorted(folder.iterdir()) if f.is_file()]
    check_output(
        out,
        kind="html",
        inputs=[("folder of saves", folder), *saves],
        force=args.force,
        option="--out",
    )
    args.workers = usable_workers(args.workers, max(1, len(saves)), console.print)
    missing = [p for p in study_plans(ex, studies) if not p.path.is_file()]
    if missing and args.runs:
        run_studies(
            ex,
            studies,
            args.runs,
            workers=args.workers,
            record=record,
            say=lambda line: console.print(line, markup=False, highlight=False, soft_wrap=True),
        )

    def say(line: str) -> None:
        console.print(line, markup=False, highlight=False, soft_wrap=True)

    text, games = class_report(ex, folder, studies, record, workers=args.workers or 1, say=say)
    atomic_write_text(out, text)
    table = Table(title=f"{ex.title}: the class", title_justify="left")
    for col in ("save", "played", "outcome (place among its study's runs)"):
        table.add_column(col)
    for g in games:
        table.add_row(
            g.name, g.played, g.summary + (f"\n[dim]{g.note}[/dim]" if g.status == "ok" else "")
        )
    console.print(table)
    console.print(f"class report written to {out}", markup=False, highlight=False, soft_wrap=True)
    return 0
