"""Slow work for the menu in a spawned process, so the window keeps drawing (no pygame).

A :class:`Job` runs one of this module's job functions in its own process; the job
reports progress and lines of text over a pipe and ends with its result or its error.
:meth:`Job.poll` takes in what has come and never waits; :meth:`Job.cancel` ends the
process (a study keeps the runs it has stored and a later run goes on from there).
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from khasan_sim.ui.worker import ErrorInfo, error_info, rebuild_error


class Reporter:
    """What a job function is given to report with."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def progress(self, key: str, label: str, done: int, total: int) -> None:
        """Part *key* (*label*) has *done* of *total* steps done."""
        self._conn.send(("progress", key, label, int(done), int(total)))

    def say(self, line: str) -> None:
        """A line for the person."""
        self._conn.send(("say", str(line)))


def _entry(conn: Any, target: Any, args: tuple[Any, ...]) -> None:
    report = Reporter(conn)
    try:
        result = target(report, *args)
    except BaseException as exc:
        conn.send(("done", None, error_info(exc)))
    else:
        conn.send(("done", result, None))
    conn.close()


@dataclass
class Job:
    """A job function running in a spawned process.

    Attributes:
        title: What it does, in words.
        parts: Progress by part: key -> (label, done, total).
        lines: The lines it said.
        result: Its result once finished (None before, or on error).
        error: Its error, if it failed.
        finished: True once it has ended (done, failed or cancelled).
        taken: Set by the reader once it has acted on the end.
    """

    title: str
    parts: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    result: Any = None
    error: BaseException | None = None
    finished: bool = False
    taken: bool = False
    _conn: Any = None
    _process: Any = None

    @classmethod
    def start(cls, title: str, target: Any, *args: Any) -> Job:
        """Start *target(reporter, *args)* in a new process."""
        ctx = multiprocessing.get_context("spawn")
        conn, child = ctx.Pipe(duplex=False)
        job = cls(title)
        job._conn = conn
        # not a daemon: a study runs its replications in a worker pool of its own (the window
        # ends a job that is still running when it closes, see Menu.close)
        job._process = ctx.Process(target=_entry, args=(child, target, args), name="khasan-sim-job", daemon=False)
        job._process.start()
        child.close()
        return job

    @property
    def fraction(self) -> float:
        """Return the share done over every part reported so far (0 when none)."""
        total = sum(t for _, _, t in self.parts.values())
        return sum(min(d, t) for _, d, t in self.parts.values()) / total if total else 0.0

    def poll(self) -> None:
        """Take in what the job has reported; never waits."""
        if self.finished or self._conn is None:
            return
        try:
            while self._conn.poll(0):
                msg = self._conn.recv()
                if msg[0] == "progress":
                    _, key, label, done, total = msg
                    self.parts[key] = (label, done, total)
                elif msg[0] == "say":
                    self.lines.append(msg[1])
                elif msg[0] == "done":
                    self._finish(msg[1], msg[2])
                    return
        except (EOFError, OSError):
            self._finish(None, ("builtins", "RuntimeError", "the job's process stopped without an answer"))

    def _finish(self, result: Any, err: ErrorInfo | None) -> None:
        self.result = result
        self.error = None if err is None else rebuild_error(err)
        self.finished = True
        if self._process is not None:
            self._process.join(2.0)
        self._conn.close()

    def wait(self, timeout: float) -> bool:
        """Wait up to *timeout* seconds for the end (tests); return True when finished."""
        import time

        t_end = time.perf_counter() + timeout
        while not self.finished and time.perf_counter() < t_end:
            if self._conn.poll(min(0.2, max(0.0, t_end - time.perf_counter()))):
                self.poll()
            elif self._process is not None and not self._process.is_alive():
                self.poll()
                if not self.finished:
                    self._finish(None, ("builtins", "RuntimeError", "the job's process stopped without an answer"))
        return self.finished

    def cancel(self) -> None:
        """End the job's process now."""
        if self.finished:
            return
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
            self._process.join(3.0)
        self.finished = True
        self.error = RuntimeError("cancelled")
        if self._conn is not None:
            self._conn.close()


# ------------------------------------------------------------------ job functions


class _PipeProgress:
    """A study's progress (:class:`khasan_sim.runner.progress.StudyProgress`) sent to the window."""

    def __init__(self, report: Reporter, key: str, label: str) -> None:
        self.report, self.key, self.label = report, key, label
        self.done = self.total = 0

    def start(self, total: int, already: int) -> None:
        self.done, self.total = already, total
        self.report.progress(self.key, self.label, self.done, self.total)

    def advance(self, ok: int, errors: int) -> None:
        self.done += ok + errors
        self.report.progress(self.key, self.label, self.done, self.total)

    def stop(self) -> None:
        self.report.progress(self.key, self.label, self.done, self.total)


def _exercise_and_record(exercise_path: str) -> tuple[Any, Any]:
    from khasan_sim.exercises.format import load_exercise
    from khasan_sim.exercises.report import require_record
    from khasan_sim.record import RecordError, load_record, record_missing

    ex = load_exercise(exercise_path, check_variants=False)
    try:
        record = load_record()
    except RecordError as exc:
        if not record_missing(exc):
            raise
        record = None
    require_record(ex, record)
    return ex, record


def small_study(report: Reporter, exercise_path: str, out: str, runs: int, workers: int = 1) -> str:
    """Run (or extend) the exercise's baseline and variant studies into *out*; return the folder."""
    from khasan_sim.exercises.studies import run_studies, study_plans

    ex, record = _exercise_and_record(exercise_path)
    for plan in study_plans(ex, Path(out)):
        report.progress(plan.key, plan.label, 0, runs)
    run_studies(ex, Path(out), runs, workers=workers, record=record,
                progress=lambda plan: _PipeProgress(report, plan.key, plan.label), say=report.say)
    return out


def placement(report: Reporter, exercise_path: str, studies: str, result_json: dict[str, Any], variant_path: str | None, finished: bool) -> Any:
    """Return where a game falls among its exercise study's runs (:func:`~khasan_sim.ui.exercises.place_result`)."""
    from khasan_sim.ui.exercises import place_result

    ex, record = _exercise_and_record(exercise_path)
    report.say(f"reading the studies in {studies}")
    return place_result(ex, Path(studies), result_json, variant_path, record=record, finished=finished)


def class_results(report: Reporter, exercise_path: str, folder: str, studies: str) -> Any:
    """Play out and place every save of a class folder; write the class report; return what the menu shows."""
    from khasan_sim.exercises.classroom import class_report
    from khasan_sim.exercises.report import load_figures
    from khasan_sim.io import atomic_write_text
    from khasan_sim.ui.exercises import ClassPlacement, class_rows, game_data_dir

    ex, record = _exercise_and_record(exercise_path)
    html, games = class_report(ex, Path(folder), Path(studies), record, workers=1, say=report.say)
    figs = load_figures(ex, Path(studies), record)
    out = Path(studies) / "class-report.html"
    try:
        atomic_write_text(out, html)
    except OSError:
        out = atomic_write_text(game_data_dir() / f"class-report-{ex.id}.html", html)
    return ClassPlacement(ex.id, folder, tuple(mf.metric.label for mf in figs.metrics), class_rows(figs.metrics, games), str(out))
