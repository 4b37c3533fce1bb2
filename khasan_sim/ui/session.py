"""A game: one Simulation, the orders given through it, a worker that advances it, a tape.

No pygame here. The drawing thread calls :meth:`GameSession.frame` and never touches the
Simulation while the worker runs; orders are given only between runs (at a turn
boundary), so the core sees one thread at a time.
"""

from __future__ import annotations

import math
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from khasan_sim.ui.frames import Frame, Tape, capture

SPEEDS: tuple[float, ...] = (2.0, 5.0, 10.0, 20.0, 40.0, 90.0, 1e9)
"""Simulated minutes per real second; the last is 'as fast as it goes'."""


def speed_text(speed: float) -> str:
    """Return a speed in words."""
    return "max" if speed >= 1e8 else f"{speed:g} min/s"


class GameSession:
    """One game of a scenario.

    Args:
        scenario: The scenario file.
        seed: The run seed.
        variant: A variant file or None.
        player_sides: The sides a person commands (their scenario orders are not played).
        tape_step_min: Simulated minutes between replay frames.
    """

    def __init__(
        self,
        scenario: str | Path,
        seed: int = 1,
        *,
        variant: str | Path | None = None,
        player_sides: Iterable[str] = (),
        tape_step_min: float = 5.0,
    ) -> None:
        from khasan_sim.api import Simulation

        self.scenario_path = str(scenario)
        self.variant_path = None if variant is None else str(variant)
        self.seed = int(seed)
        self.player_sides = tuple(s for s in ("soviet", "japanese") if s in set(player_sides))
        # units of the player's sides follow the recorded (scenario) orders until the player
        # orders them: the rest of the corps fights as in 1938, and a game in which the
        # player orders nobody is the same run, event for event, as a batch run of the seed
        self.sim = Simulation(
            self.scenario_path, self.seed, variant=self.variant_path, player_sides=self.player_sides, follow_record=True
        )
        self.tape = Tape(tape_step_min)
        self._player_units = [u.id for u in self.sim.units() if u.side in self.player_sides]
        self.fog_sides: tuple[str, ...] = ()
        self._lock = threading.Lock()
        self._frame = capture(self.sim)
        self.tape.add(self._frame)
        self._worker: threading.Thread | None = None
        self._stop = threading.Event()
        self.paused = False
        self.speed = 10.0
        self.error: BaseException | None = None
        self.progress = 0.0
        self.max_slice_s = 0.0
        self._rebase = False

    # ----------------------------------------------------------------- reading

    @property
    def busy(self) -> bool:
        """Return True while the worker is advancing the simulation."""
        return self._worker is not None and self._worker.is_alive()

    def frame(self) -> Frame:
        """Return the latest frame (safe from the drawing thread)."""
        with self._lock:
            return self._frame

    def refresh(self) -> Frame:
        """Capture a new frame now (only while the worker is idle)."""
        if self.busy:
            return self.frame()
        f = capture(self.sim, self.fog_sides)
        with self._lock:
            self._frame = f
        return f

    @property
    def now_min(self) -> float:
        """Return the simulated minutes of the latest frame."""
        return self.frame().t_min

    @property
    def end_min(self) -> float:
        """Return the scenario's length in minutes."""
        return (self.sim.end - self.sim.start).total_seconds() / 60.0

    @property
    def turn_min(self) -> float:
        """Return the turn length in minutes."""
        return float(self.sim.scenario.doc.scenario.turn_minutes)

    def zones(self) -> list[Any]:
        """Return the scenario's zones."""
        return list(self.sim.scenario.doc.zones)

    def events(self, since: int = 0) -> list[Any]:
        """Return the event log from *since* (appends are atomic; safe while running)."""
        return self.sim.events(since)

    # ----------------------------------------------------------------- orders

    @property
    def followers(self) -> set[str]:
        """Return the player's units that still follow the recorded orders of 1938."""
        try:
            pending = {u for o in self.sim.pending_orders for u in o.unit_ids}
            taken = self.sim.taken_over | pending
        except RuntimeError:  # the run thread is just flushing orders: ask again next frame
            return set()
        return {uid for uid in self._player_units if uid not in taken}

    @followers.setter
    def followers(self, keep: set[str]) -> None:
        self.sim.take_over(u.id for u in self.sim.units() if u.side in self.player_sides and u.id not in keep)

    def give(self, order: dict[str, Any]) -> Any:
        """Give an order now (between runs); the unit stops following the record. Raises OrderError."""
        if self.busy:
            msg = "the simulation is running: orders wait for the next turn"
            raise RuntimeError(msg)
        return self.sim.give(order)

    def undo(self) -> Any | None:
        """Take back the last order not yet carried out."""
        if self.busy:
            return None
        return self.sim.undo()

    def pending(self) -> list[Any]:
        """Return the orders given this turn."""
        return self.sim.pending_orders

    # ---------------------------------------------------------------- advancing

    def next_boundary(self) -> float:
        """Return the minute of the next turn boundary."""
        t = self.sim.now_min
        tm = self.turn_min
        return min((math.floor(t / tm + 1e-9) + 1) * tm, self.end_min)

    def _run(self, until_min: float, paced: bool, on_done: Callable[[], None] | None, max_events: int) -> None:
        sim = self.sim
        step = self.tape.step_min
        start_real = time.perf_counter()
        start_sim = sim.now_min
        paused_s = 0.0
        try:
            while not self._stop.is_set() and sim.now_min < until_min - 1e-9 and not sim.finished:
                if self.paused:
                    t0 = time.perf_counter()
                    time.sleep(0.02)
                    paused_s += time.perf_counter() - t0
                    continue
                if self._rebase:
                    self._rebase = False
                    start_real, start_sim, paused_s = time.perf_counter(), sim.now_min, 0.0
                if paced and self.speed < 1e8:
                    elapsed = time.perf_counter() - start_real - paused_s
                    target = min(until_min, start_sim + elapsed * self.speed)
                    if target <= sim.now_min + 1e-6:
                        time.sleep(0.005)
                        continue
                else:
                    target = until_min
                mark = (math.floor(sim.now_min / step + 1e-9) + 1) * step
                limit = min(target, mark, until_min)
                t0 = time.perf_counter()
                more = sim.advance(max_events=max_events, until_min=limit)
                self.max_slice_s = max(self.max_slice_s, time.perf_counter() - t0)
                at_mark = not more and abs(sim.now_min - mark) < 1e-6
                if at_mark or (not more and abs(sim.now_min - until_min) < 1e-6):
                    f = capture(sim, self.fog_sides if not at_mark or abs(sim.now_min - until_min) < 1e-6 else ())
                    self.tape.add(f)
                    with self._lock:
                        self._frame = f
                elif paced:
                    f = capture(sim)
                    with self._lock:
                        self._frame = Frame(f.t_min, f.units, f.tanks, f.holders, f.n_events, f.night, self._frame.visible)
                self.progress = (sim.now_min - start_sim) / max(until_min - start_sim, 1e-9)
                if paced:
                    time.sleep(0.001)  # let the drawing thread in
        except BaseException as exc:
            self.error = exc
        finally:
            if not self._stop.is_set():
                f = capture(sim, self.fog_sides)
                self.tape.add(f)
                with self._lock:
                    self._frame = f
            if on_done is not None and not self._stop.is_set():
                on_done()

    def start(self, until_min: float, *, paced: bool = True, on_done: Callable[[], None] | None = None, max_events: int = 60) -> None:
        """Advance to *until_min* in a worker thread, in bounded slices, at :attr:`speed`."""
        if self.busy:
            return
        self.error = None
        self.progress = 0.0
        self._stop.clear()
        if sys.getswitchinterval() > 0.002:
            sys.setswitchinterval(0.002)
        self._worker = threading.Thread(target=self._run, args=(until_min, paced, on_done, max_events), name="khasan-sim-worker", daemon=True)
        self._worker.start()

    def run_blocking(self, until_min: float) -> None:
        """Advance to *until_min* in this thread (headless use and tests), recording the tape."""
        self._run(until_min, False, None, 5000)
        if self.error is not None:
            raise self.error

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the worker; return True when it has finished."""
        if self._worker is not None:
            self._worker.join(timeout)
        return not self.busy

    def stop(self) -> None:
        """Stop the worker at the end of its current slice."""
        self._stop.set()
        if self._worker is not None:
            self._worker.join(5.0)
        self._stop.clear()

    def set_speed(self, speed: float) -> None:
        """Change the speed (takes effect from now)."""
        self.speed = float(speed)
        self._rebase = True
