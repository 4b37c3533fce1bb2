"""The Forecast key's work, in the background (no pygame).

:class:`ForecastRun` runs the branches of a game from a moment in the worker pool
(:func:`khasan_sim.runner.branches.forecast`) from a thread of the window's process: the
thread only waits for the workers, so the window keeps drawing, and the scenario the game
already loaded is used as it is. :func:`branch_point` makes the branch point of a game
now, or of its replay at a past moment.
"""

from __future__ import annotations

import threading
import time
from typing import Any

FORECAST_RUNS = 40
"""Branches a forecast runs (issue 17: 40 branches in seconds on 2 cores)."""


def branch_point(session: Any, at_min: float | None = None) -> Any:
    """Return the branch point (a :class:`~khasan_sim.saves.SaveGame`) of a game between runs:
    now, with the orders given and pending; or, with *at_min*, at that past moment of its
    replay, with the orders given up to then."""
    from khasan_sim.ui.saves import from_session

    save = from_session(session)
    if at_min is None or at_min >= save.now_min - 1e-9:
        return save
    save.orders = [o for o in save.orders if o["at_min"] <= at_min + 1e-9]
    save.pending = []
    save.now_min = float(at_min)
    save.events_digest = ""
    save.followers = None  # the player's units follow the record until their orders, as they did
    return save


class _CancelledError(Exception):
    """The window closed while the forecast ran."""


class ForecastRun:
    """A forecast running in a background thread.

    Attributes:
        runs: Branches asked for.
        done: Branches finished so far.
        result: The :class:`~khasan_sim.analysis.forecast.Forecast` once finished.
        error: What went wrong, if it failed.
        finished: True once it has ended.
        seconds: How long it took (wall time), once finished.
    """

    def __init__(self, point: Any, scenario: Any, runs: int, changed_order: dict[str, Any] | None = None, changed_text: str | None = None, workers: int | None = None) -> None:
        self.runs = int(runs)
        self.done = 0
        self.result: Any = None
        self.error: BaseException | None = None
        self.finished = False
        self.seconds = 0.0
        self._stop = threading.Event()
        self._args = (point, scenario, changed_order, changed_text, workers)
        self._thread = threading.Thread(target=self._work, name="khasan-sim-forecast", daemon=True)
        self._thread.start()

    @property
    def fraction(self) -> float:
        """Return the share of the branches finished."""
        return self.done / self.runs if self.runs else 1.0

    def _progress(self, done: int, total: int) -> None:
        self.done = done
        if self._stop.is_set():
            raise _CancelledError

    def _work(self) -> None:
        from khasan_sim.runner.branches import forecast

        point, scenario, changed_order, changed_text, workers = self._args
        t0 = time.perf_counter()
        try:
            self.result = forecast(point, scenario, self.runs, changed_order=changed_order, changed_text=changed_text, workers=workers, on_progress=self._progress)
        except _CancelledError:
            self.error = RuntimeError("cancelled")
        except Exception as exc:
            self.error = exc
        finally:
            self.seconds = time.perf_counter() - t0
            self.finished = True

    def wait(self, timeout: float) -> bool:
        """Wait up to *timeout* seconds for the end (tests); return True when finished."""
        self._thread.join(timeout)
        return self.finished

    def cancel(self, timeout: float = 3.0) -> None:
        """Stop at the next finished branch (the pool's workers are ended) and wait up to
        *timeout* seconds for it; a worker still running then ends itself with this process."""
        self._stop.set()
        self._thread.join(timeout)
