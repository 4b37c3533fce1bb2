"""Progress of a study: a rich progress bar on a terminal, plain lines otherwise.

Both show the runs done out of the runs of the study, the errors, the rate (runs per
second, this session) and the time left. Plain lines come at most every few seconds
and at every tenth of the study, so a log file stays short.
"""

from __future__ import annotations

import time
from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class StudyProgress(Protocol):
    """Receives the progress of a study."""

    def start(self, total: int, already: int) -> None:
        """The study has *total* runs, *already* of them stored before this session."""

    def advance(self, ok: int, errors: int) -> None:
        """*ok* more runs finished with a result and *errors* more raised."""

    def stop(self) -> None:
        """The session is over (finished or interrupted)."""


class SilentProgress:
    """Shows nothing."""

    def start(self, total: int, already: int) -> None:
        """Ignore."""

    def advance(self, ok: int, errors: int) -> None:
        """Ignore."""

    def stop(self) -> None:
        """Ignore."""


def duration_text(seconds: float) -> str:
    """Return a duration in words: ``42 s``, ``3 min 05 s``, ``1 h 02 min``."""
    s = max(0, round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {(s % 3600) // 60:02d} min"


class PlainProgress:
    """Plain progress lines, for logs and pipes.

    Args:
        console: Where to print.
        every_seconds: The shortest time between two lines (the last line always shows).
    """

    def __init__(self, console: Console, every_seconds: float = 5.0) -> None:
        self.console = console
        self.every_seconds = every_seconds
        self.total = 0
        self.done = 0
        self.errors = 0
        self._session_done = 0
        self._t0 = 0.0
        self._last_print = 0.0
        self._last_tenth = 0
        self._printed_done = -1

    def start(self, total: int, already: int) -> None:
        """Print the starting line."""
        self.total, self.done = total, already
        self._t0 = self._last_print = time.perf_counter()
        self._last_tenth = self._tenth()
        left = total - already
        self._print(f"runs: {already}/{total} stored, {left} to run")

    def _tenth(self) -> int:
        return (10 * self.done) // self.total if self.total else 10

    def advance(self, ok: int, errors: int) -> None:
        """Count finished runs; print a line when due."""
        self.done += ok + errors
        self.errors += errors
        self._session_done += ok + errors
        now = time.perf_counter()
        tenth = self._tenth()
        if now - self._last_print >= self.every_seconds or tenth > self._last_tenth:
            self._last_print = now
            self._last_tenth = tenth
            self._printed_done = self.done
            self._print(self.line(now))

    def line(self, now: float) -> str:
        """Return the progress line at *now* (a perf_counter reading)."""
        elapsed = max(now - self._t0, 1e-9)
        rate = self._session_done / elapsed
        left = self.total - self.done
        text = f"runs: {self.done}/{self.total}"
        if self.errors:
            text += f" ({self.errors} failed)"
        text += f", {rate:.2f} runs/s"
        if left > 0 and rate > 0:
            text += f", about {duration_text(left / rate)} left"
        return text

    def stop(self) -> None:
        """Print the last line if it was not printed."""
        if self._session_done and self._printed_done != self.done:
            self._printed_done = self.done
            self._print(self.line(time.perf_counter()))

    def _print(self, text: str) -> None:
        self.console.print(text, highlight=False, markup=False, soft_wrap=True)


class BarProgress:
    """A rich progress bar: runs done, errors, rate and time left."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._progress = Progress(
            TextColumn("[bold]runs"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[failed]}", style="red"),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("elapsed,"),
            TimeRemainingColumn(),
            TextColumn("left"),
            console=console,
            transient=False,
        )
        self._task = None
        self._errors = 0
        self._session = 0
        self._t0 = 0.0

    def start(self, total: int, already: int) -> None:
        """Show the bar."""
        self._t0 = time.perf_counter()
        self._task = self._progress.add_task("study", total=total, completed=already, failed="", rate="")
        self._progress.start()

    def advance(self, ok: int, errors: int) -> None:
        """Move the bar on."""
        self._errors += errors
        self._session += ok + errors
        rate = self._session / max(time.perf_counter() - self._t0, 1e-9)
        failed = f"{self._errors} failed" if self._errors else ""
        if self._task is not None:
            self._progress.update(self._task, advance=ok + errors, failed=failed, rate=f"{rate:.2f} runs/s")

    def stop(self) -> None:
        """Leave the bar as it is on screen."""
        self._progress.stop()


def make_progress(console: Console, *, quiet: bool = False) -> StudyProgress:
    """Return a bar on a terminal, plain lines otherwise, or nothing when *quiet*."""
    if quiet:
        return SilentProgress()
    if console.is_terminal and not console.is_dumb_terminal:
        return BarProgress(console)
    return PlainProgress(console)
