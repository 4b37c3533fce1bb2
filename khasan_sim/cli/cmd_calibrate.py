"""`khasan-sim calibrate`: fit parameters listed in a calibration file to the record.

::

    khasan-sim calibrate SCENARIO --runs N --params CALIBRATION.yaml [--seed S] [--workers K]
                         [--budget B] [--folds K] [--record FILE] [--out PARAMFILE]
                         [--report PATH] [--accept-bound] [--dry-run] [--quiet]

Scores the current parameter values and up to B candidates (a seeded Latin hypercube
over the bounds, then a coordinate search from the best), each on the same N
replication seeds derived from S, against every entry of the record; see
:mod:`khasan_sim.calibrate` for the method. Prints the fitted values beside the old
ones and the score before and after (in sample), then judges the fitting out of fold
(:mod:`khasan_sim.calibrate.folds`: the same search on two thirds of the record's
entries, scored on the third left out, rotated over K folds), and writes the fitted
values into the parameter files they came from (only their ``value:`` text changes,
with a ``fitted:`` note), or to a new override file with ``--out``, or nowhere with
``--dry-run``.

Nothing is written when no candidate beats the current values; when the fits score
worse out of fold than the current values (the fit does not generalise); when a value
to write sits on a bound of its range (a sign of a missing mechanism: ``--accept-bound``
writes it anyway, saying so); or when the fit would give the model more fitted
parameters than half the record's entries.

Exit status: 0 on success (fitted values written, or nothing better found); 2 on a bad
file or argument; 130 on Ctrl-C (nothing written).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from khasan_sim.cli.argtypes import add_force, scenario_inputs, usable_workers
from khasan_sim.cli.argtypes import count as _count
from khasan_sim.cli.argtypes import seed as _seed
from khasan_sim.cli.calibrate_report import fmt as _fmt
from khasan_sim.cli.calibrate_report import report_markdown
from khasan_sim.errors import KhasanSimError

DEFAULT_SEED = 1
DEFAULT_BUDGET = 30
DEFAULT_FOLDS = 3


def _folds(text: str) -> int:
    k = _count(text)
    if k < 2:
        msg = f"expected at least 2 folds (got {text})"
        raise argparse.ArgumentTypeError(msg)
    return k


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``calibrate`` command to the command line."""
    p = subparsers.add_parser(
        "calibrate",
        help="fit the parameters listed in a calibration file to the record",
        description=(
            "Fit the model parameters listed in a calibration file (each with its bounds, its reason "
            "and the record entries that drive it) to the recorded outcomes: a seeded Latin-hypercube "
            "search over the bounds, then a coordinate search from the best, each candidate scored on the "
            "same N replication seeds (share of the record covered plus the mean relative CRPS). The "
            "fitted values are written back into the parameter files with the fit's score."
        ),
    )
    p.add_argument("scenario", metavar="SCENARIO", help="scenario file")
    p.add_argument("--runs", type=_count, required=True, metavar="N", help="replications per candidate")
    p.add_argument("--params", required=True, metavar="FILE", help="calibration file: the parameters to fit (e.g. scenarios/calibration/historical.yaml)")
    p.add_argument("--seed", type=_seed, default=DEFAULT_SEED, metavar="S", help=f"seed of the design and of the replications (default {DEFAULT_SEED})")
    p.add_argument("--workers", type=_count, default=None, metavar="K", help="worker processes (default: the machine's cores; 1 runs in this process)")
    p.add_argument("--budget", type=_count, default=DEFAULT_BUDGET, metavar="B", help=f"candidates to score besides the current values (default {DEFAULT_BUDGET})")
    p.add_argument("--folds", type=_folds, default=DEFAULT_FOLDS, metavar="K", help=f"folds of the out-of-fold check: fit on the other folds' record entries, score on the fold left out (default {DEFAULT_FOLDS})")
    p.add_argument("--accept-bound", dest="accept_bound", action="store_true", help="write fitted values that sit on a bound of their range (a sign of a missing mechanism) anyway")
    p.add_argument("--record", metavar="FILE", default=None, help="record file (default: the calibration file's, else ../shared/record/khasan-1938.yaml)")
    p.add_argument("--out", metavar="PARAMFILE", default=None, help="write the fitted values to this new parameter file instead of the parameter files")
    p.add_argument("--report", metavar="PATH", default=None, help="write every candidate and its score: JSON, or Markdown for a .md path")
    p.add_argument("--dry-run", dest="dry_run", action="store_true", help="fit and report, but write no parameter file")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    add_force(p)
    p.set_defaults(handler=run)


# ------------------------------------------------------------------ progress


class _Progress:
    """Progress of a calibration: a rich bar on a terminal, a line per batch otherwise."""

    def __init__(self, console: Console, total_runs: int, *, quiet: bool) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.console = console
        self.quiet = quiet
        self.best: Any = None
        self.scored = 0
        self._bar = None
        self._task: Any = None
        if not quiet and console.is_terminal and not console.is_dumb_terminal:
            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("runs"),
                TimeElapsedColumn(),
                TextColumn("left"),
                TimeRemainingColumn(),
                console=console,
            )
            self._task = self._bar.add_task("calibrating", total=total_runs)
            self._bar.start()

    def batch_start(self, phase: str, candidates: int, runs: int) -> None:
        if self._bar is not None:
            self._bar.update(self._task, description=f"{phase}: {candidates} candidate(s)")

    def run_done(self) -> None:
        if self._bar is not None:
            self._bar.advance(self._task)

    def batch_done(self, phase: str, scores: Sequence[Any]) -> None:
        from khasan_sim.calibrate.score import better

        self.scored += len(scores)
        batch_best = None
        for s in scores:
            if batch_best is None or better(s, batch_best):
                batch_best = s
        if batch_best is not None and (self.best is None or better(batch_best, self.best)):
            self.best = batch_best
        if self.quiet or batch_best is None:
            return
        text = f"{phase}: {len(scores)} candidate(s) scored, best of the batch {batch_best.text()}"
        if phase != "current" and self.best is not None:
            text += f"; best so far {self.best.text()}"
        (self._bar.console if self._bar is not None else self.console).print(text, highlight=False, markup=False, soft_wrap=True)

    def stop(self) -> None:
        if self._bar is not None:
            task = self._bar.tasks[0]
            self._bar.update(self._task, total=task.completed, description="done")
            self._bar.stop()


# ------------------------------------------------------------------ helpers


def _snapshot_labels(scenario: Any, record: Any) -> list[str]:
    """Return the snapshot labels the record reads that a run does not take anyway."""
    from khasan_sim.clock import Clock, format_time, parse_time

    start, end = parse_time(scenario.start), parse_time(scenario.end)
    clock = Clock(start, end)
    default = {clock.label(m) for m in clock.day_ends()} | {format_time(end)}
    wanted = {format_time(t) for t in record.snapshot_times() if start <= t <= end}
    return sorted(wanted - default)


def fit_notes(spec: Any, result: Any, runs: int, today: str, cv: Any = None) -> dict[str, dict[str, Any]]:
    """Return the ``fitted:`` note of each fitted parameter (with the out-of-fold
    judgement when *cv*, the cross-validation, is given)."""
    before, after = result.current.score, result.fitted.score
    score = (
        f"covered {before.covered}/{before.entries} -> {after.covered}/{after.entries}, "
        f"loss {before.loss:.3f} -> {after.loss:.3f}"
    )
    method = (
        f"khasan-sim calibrate: latin hypercube + coordinate search, {len(result.candidates)} candidates "
        f"x {runs} runs, seed {result.seed}"
    )
    notes = {}
    by_key = {fp.key: fp for fp in spec.params}
    for d in result.dims:
        notes[d.key] = {
            "date": today,
            "score": score,
            "method": method,
            "entries": list(by_key[d.key].entries),
            "within": [_num(d.low), _num(d.high)],
        }
        if cv is not None:
            oof = cv.out_of_fold
            notes[d.key]["out_of_fold"] = (
                f"{cv.k} folds: covered {oof.covered}/{oof.entries}, loss {oof.loss:.3f} "
                f"(current values {cv.current.covered}/{cv.current.entries}, {cv.current.loss:.3f})"
            )
    return notes


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else float(x)


def _report_json(args: argparse.Namespace, scenario: Any, record: Any, spec: Any, result: Any, written: Sequence[str], wall: float) -> dict[str, Any]:
    from khasan_sim.calibrate.space import as_mapping

    def cand(c: Any) -> dict[str, Any]:
        s = c.score
        return {
            "index": c.index,
            "phase": c.phase,
            "values": as_mapping(result.dims, c.values),
            "loss": s.loss,
            "covered": s.covered,
            "entries": s.entries,
            "crps_relative_mean": s.crps,
            "discrepancy_mean": s.discrepancy,
            "covered_ids": list(s.covered_ids),
            "discrepancy_by_entry": dict(s.per_entry),
        }

    return {
        "scenario": scenario.id,
        "scenario_digest": scenario.digest,
        "calibration": spec.file,
        "record": record.file,
        "seed": result.seed,
        "runs_per_candidate": args.runs,
        "budget": result.budget,
        "coarse_candidates": result.coarse,
        "refinement_starts": result.starts,
        "parameters": [
            {"key": d.key, "bounds": [d.low, d.high], "scale": d.scale, "integer": d.integer, "reason": fp.reason, "entries": list(fp.entries)}
            for d, fp in zip(result.dims, spec.params, strict=True)
        ],
        "current": cand(result.current),
        "best": cand(result.best),
        "improved": result.improved,
        "fitted": as_mapping(result.dims, result.fitted.values),
        "dry_run": bool(args.dry_run),
        "written": list(written),
        "wall_seconds": wall,
        "candidates": [cand(c) for c in result.candidates],
    }


def _adds_past_limit(before: Any, after: Any, entries: int) -> bool:
    """Whether going from the fitted parameters *before* to *after* adds one and leaves more
    than half the record's *entries* fitted (refitting those already fitted adds none)."""
    return len(after) > entries // 2 and len(after) > len(before)


def _refusal(result: Any, moved: dict[str, Any], cv: Any, bound: list[tuple[str, str]], accept_bound: bool, dof_before: list[str], dof_after: list[str], entries: int) -> str:
    """Return why the fit is not written, or "" to write it."""
    limit = entries // 2
    if not result.improved or not moved:
        return "no candidate scored better than the current values: nothing to write"
    if not cv.generalises:
        return (
            f"the fits score worse out of fold (loss {cv.out_of_fold.loss:.3f}) than the current values "
            f"(loss {cv.current.loss:.3f}): the fit does not generalise beyond the entries it was fitted to; nothing written"
        )
    if bound and not accept_bound:
        keys = ", ".join(k for k, _ in bound)
        return f"{keys} on a bound of its range: nothing written (look for the missing mechanism; --accept-bound writes it anyway)"
    if _adds_past_limit(dof_before, dof_after, entries):
        new = ", ".join(sorted(set(dof_after) - set(dof_before)))
        return (
            f"the fit would give the model {len(dof_after)} fitted parameters for {entries} record entries "
            f"(at most {limit}, half the entries) by fitting {new}: fix it a priori from a source instead, "
            "or first fix some of the fitted parameters from sources; nothing written"
        )
    return ""


def _check_degrees_of_freedom(file: Any, fitted: list[str], keys: list[str], entries: int, *, dry_run: bool) -> None:
    """Refuse before any run a fit whose every parameter moving would put the model over the
    limit of fitted parameters (half the record's entries) while adding to its count: the
    write would be refused at the end anyway. A dry run is let through (to see the fit)."""
    limit = entries // 2
    after = set(fitted) | set(keys)
    if dry_run or not _adds_past_limit(fitted, after, entries):
        return
    new = ", ".join(sorted(after - set(fitted)))
    msg = (
        f"{file}: fitting {new} could give the model {len(after)} fitted parameters for {entries} record entries "
        f"(at most {limit}, half the entries; {len(fitted)} now), and such a fit is not written: fix those a priori "
        "from a source, or list fewer; --dry-run fits and reports without writing"
    )
    raise KhasanSimError(msg)


def _print_cross_validation(console: Console, cv: Any, before: Any, after: Any) -> None:
    table = Table(title=f"Out of fold ({cv.k} folds): each fold's entries scored by the values fitted without them (loss, lower is better)", title_justify="left")
    table.add_column("fold")
    table.add_column("entries held out")
    table.add_column("fitted on the rest: before", justify="right")
    table.add_column("after (in sample)", justify="right")
    table.add_column("held out: current", justify="right")
    table.add_column("fitted (out of fold)", justify="right")
    for n, f in enumerate(cv.folds, 1):
        table.add_row(
            str(n), ", ".join(f.held_out), f"{f.train_before.loss:.3f}", f"{f.train_after.loss:.3f}",
            f"{f.held_out_before.loss:.3f}", f"{f.held_out_after.loss:.3f}",
        )
    console.print(table)
    oof = cv.out_of_fold
    console.print(
        f"whole record: current values loss {cv.current.loss:.3f} ({cv.current.covered}/{cv.current.entries} covered); "
        f"the fit in sample {after.loss:.3f} ({after.covered}/{after.entries}); "
        f"out of fold {oof.loss:.3f} ({oof.covered}/{oof.entries})"
        + ("" if cv.generalises else ": worse than the current values, the fit does not generalise"),
        highlight=False,
        markup=False,
        soft_wrap=True,
    )


def _cv_json(cv: Any, dims: Any) -> dict[str, Any]:
    from khasan_sim.calibrate.space import as_mapping

    def sc(s: Any) -> dict[str, Any]:
        return {"loss": s.loss, "covered": s.covered, "entries": s.entries, "crps_relative_mean": s.crps}

    return {
        "folds": [
            {
                "held_out": list(f.held_out),
                "fitted": as_mapping(dims, f.fitted),
                "improved": f.improved,
                "candidates": f.candidates,
                "train_before": sc(f.train_before),
                "train_after": sc(f.train_after),
                "held_out_before": sc(f.held_out_before),
                "held_out_after": sc(f.held_out_after),
            }
            for f in cv.folds
        ],
        "current": sc(cv.current),
        "out_of_fold": sc(cv.out_of_fold),
        "generalises": cv.generalises,
    }


# ------------------------------------------------------------------ run


def run(args: argparse.Namespace, console: Console) -> int:
    """Run the calibration and report; return the exit status.

    Raises:
        KhasanSimError: A file is missing or malformed, the calibration does not fit the
            scenario or the record, a replication raised, or the fitted values cannot be written.
    """
    from khasan_sim.boundary.outputs import check_output
    from khasan_sim.calibrate.folds import MemoEvaluate, cross_validate, fitted_keys, on_bound
    from khasan_sim.calibrate.runs import Evaluator
    from khasan_sim.calibrate.search import plan, search
    from khasan_sim.calibrate.space import as_mapping
    from khasan_sim.calibrate.spec import load_calibration
    from khasan_sim.calibrate.writeback import override_text, plan_in_place, write_in_place
    from khasan_sim.io import atomic_write_text
    from khasan_sim.record import load_record
    from khasan_sim.runner.pool import default_workers
    from khasan_sim.runner.progress import duration_text
    from khasan_sim.scenario.load import load_scenario

    def check_outputs(inputs: list[tuple[str, Any]]) -> None:
        check_output(args.out, kind="yaml", inputs=inputs, force=args.force, option="--out")
        report_kind = "markdown" if args.report and Path(args.report).suffix.lower() == ".md" else "json"
        check_output(args.report, kind=report_kind, inputs=[*inputs, ("--out file", args.out)], force=args.force, option="--report")

    check_outputs([("scenario", args.scenario), ("calibration file", args.params), ("record", args.record)])
    spec = load_calibration(args.params)
    scenario = load_scenario(args.scenario)
    check_outputs([*scenario_inputs(scenario), ("calibration file", args.params), ("record", args.record or spec.record)])
    if spec.scenario is not None and spec.scenario != scenario.id:
        msg = f"{spec.file}: this calibration is for the scenario {spec.scenario}, not {scenario.id} ({args.scenario})"
        raise KhasanSimError(msg)
    record = load_record(args.record or spec.record)
    if record.scenario != scenario.id:
        msg = f"{record.file}: the record is about {record.scenario}, not {scenario.id}: calibrate a scenario against its own record"
        raise KhasanSimError(msg)
    spec.check_record([e.id for e in record.entries])
    entry_ids = [e.id for e in record.entries]
    if args.folds > len(entry_ids):
        msg = f"--folds {args.folds}: the record {record.file} has only {len(entry_ids)} entries to fold"
        raise KhasanSimError(msg)
    dims = spec.dims(scenario.params)
    _check_degrees_of_freedom(spec.file, fitted_keys(scenario.params), [d.key for d in dims], len(entry_ids), dry_run=args.dry_run)
    current = tuple(scenario.params.value(d.key) for d in dims)
    workers = usable_workers(args.workers, args.runs * (1 + args.budget), None if args.quiet else console.print) or default_workers()
    coarse, refine = plan(args.budget, len(dims))
    # the fit, then each fold's search (their current values and design are the fit's:
    # only their refinements are new runs)
    total_runs = args.runs * (1 + args.budget + args.folds * refine)

    if not args.quiet:
        console.print(
            f"{scenario.id}: fitting {len(dims)} parameter(s) to the {len(record.entries)} entries of {record.file}; "
            f"the current values and up to {args.budget} candidates ({coarse} in a Latin hypercube, {refine} in the "
            f"refinement) x {args.runs} replications (seed {args.seed}), then the same search in each of {args.folds} "
            f"folds of the record for the out-of-fold check: up to {total_runs} runs on {workers} worker(s)",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    progress = _Progress(console, total_runs, quiet=args.quiet)
    evaluator = Evaluator(
        scenario,
        record,
        dims,
        runs=args.runs,
        seed=args.seed,
        workers=workers,
        snapshot_at=_snapshot_labels(scenario, record),
        progress=progress,
    )
    memo = MemoEvaluate(evaluator)
    t0 = time.perf_counter()
    try:
        result = search(dims, memo, budget=args.budget, seed=args.seed, current=current)
        cv = cross_validate(dims, memo, entry_ids=entry_ids, k=args.folds, budget=args.budget, seed=args.seed, current=current)
    finally:
        progress.stop()
    wall = time.perf_counter() - t0

    before, after = result.current.score, result.fitted.score
    fitted = as_mapping(dims, result.fitted.values)
    old = {d.key: scenario.params.value(d.key) for d in dims}

    table = Table(title=f"Calibration of {scenario.id}", title_justify="left")
    table.add_column("parameter")
    table.add_column("old", justify="right")
    table.add_column("new", justify="right")
    table.add_column("bounds", justify="right")
    for d in dims:
        changed = fitted[d.key] != old[d.key]
        table.add_row(d.key, _fmt(old[d.key]), _fmt(fitted[d.key]) if changed else "=", f"{_fmt(d.low)} - {_fmt(d.high)}" + (" (log)" if d.scale == "log" else ""))
    console.print(table)

    scores = Table(title="Score against the record (same replication seeds)", title_justify="left")
    scores.add_column("")
    scores.add_column("before", justify="right")
    scores.add_column("after", justify="right")
    scores.add_row("entries covered", f"{before.covered}/{before.entries}", f"{after.covered}/{after.entries}")
    scores.add_row("loss (lower is better)", f"{before.loss:.3f}", f"{after.loss:.3f}")
    scores.add_row("mean relative CRPS (counts)", _fmt(before.crps) if before.crps is not None else "n/a", _fmt(after.crps) if after.crps is not None else "n/a")
    console.print(scores)

    entries = Table(title="Record entries covered", title_justify="left")
    entries.add_column("entry")
    entries.add_column("before", justify="center")
    entries.add_column("after", justify="center")
    for e in record.entries:
        entries.add_row(e.id, "✓" if e.id in before.covered_ids else "✗", "✓" if e.id in after.covered_ids else "✗")
    console.print(entries)
    console.print(
        f"{len(result.candidates)} candidates x {args.runs} runs in {duration_text(wall)} "
        f"({evaluator.runs_done} runs, {evaluator.seconds / max(evaluator.runs_done, 1):.2f} s per run in the workers)",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )

    _print_cross_validation(console, cv, before, after)

    # only the values that moved are written (an unchanged value keeps its text and has no note)
    moved = {k: v for k, v in fitted.items() if v != old[k]}
    bound = [(k, side) for k, side in on_bound(dims, result.fitted.values) if k in moved]
    dof_before = fitted_keys(scenario.params)
    dof_after = sorted(set(dof_before) | set(moved))
    limit = len(entry_ids) // 2
    console.print(
        f"degrees of freedom: {len(dof_before)} fitted parameter(s) in the model for {len(entry_ids)} record entries "
        f"(at most {limit}: half the entries)" + (f"; {len(dof_after)} after this fit" if len(dof_after) != len(dof_before) else ""),
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
    for key, side in bound:
        console.print(
            f"{key} = {_fmt(fitted[key])} sits on the {side} bound of its range: the record pushes it as far as its "
            "sources allow, the sign of a missing mechanism rather than a fitted value",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    refusal = _refusal(result, moved, cv, bound, args.accept_bound, dof_before, dof_after, len(entry_ids))

    written: list[str] = []
    if refusal:
        console.print(refusal, highlight=False, markup=False, soft_wrap=True)
    else:
        notes = {k: v for k, v in fit_notes(spec, result, args.runs, _dt.date.today().isoformat(), cv).items() if k in moved}
        if args.dry_run:
            console.print("--dry-run: no parameter file written", highlight=False, markup=False)
        elif args.out:
            header = [
                f"Fitted by khasan-sim calibrate {scenario.id} --params {spec.file} --runs {args.runs} --seed {args.seed}",
                f"--budget {args.budget}: {before.text()} -> {after.text()}.",
                "List this file after the standard parameter files in scenario.params to use these values.",
            ]
            text = override_text(scenario.params, moved, notes, header)
            written.append(str(atomic_write_text(args.out, text)))
        else:
            edits = plan_in_place(scenario.params, moved, notes)
            written.extend(str(p) for p in write_in_place(edits))
        for w in written:
            console.print(f"wrote {w}", highlight=False, markup=False, soft_wrap=True)
        if result.fitted.score.loss > 0 and not args.dry_run:
            console.print(
                "in-sample figures: check out of sample with `khasan-sim batch SCENARIO --seed <another> ...` and `khasan-sim compare`",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )

    if args.report:
        doc = _report_json(args, scenario, record, spec, result, written, wall)
        doc["cross_validation"] = _cv_json(cv, dims)
        doc["on_bound"] = [{"key": k, "bound": side} for k, side in bound]
        doc["degrees_of_freedom"] = {"fitted_before": dof_before, "fitted_after": dof_after, "record_entries": len(entry_ids), "limit": limit}
        doc["refused"] = refusal
        path = Path(args.report)
        text = report_markdown(doc) if path.suffix.lower() == ".md" else json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
        atomic_write_text(path, text)
        console.print(f"report written to {path}", highlight=False, markup=False, soft_wrap=True)
    return 0
