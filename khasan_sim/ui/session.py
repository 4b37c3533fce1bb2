"""A game: one Simulation, the orders given through it, the runs that advance it, a tape.

No pygame here. The Simulation lives either

* in a worker process (``process=True``, the desktop game): the window's process keeps
  only what it draws (frames, a copy of the event log, the orders of this turn) and
  reaches the core through :class:`khasan_sim.api.Simulation`'s methods over a pipe
  (:mod:`khasan_sim.ui.worker`), so no frame ever waits for the simulation; or
* in this process (the default: headless use, tests, replaying saves for a class
  report), where :meth:`GameSession.start` runs it in a thread.

Either way runs go in bounded slices (:func:`khasan_sim.ui.runloop.run_slices`) and
orders are given only between runs, at a turn boundary, so the core sees one caller at
a time and a game is event for event the batch run of the same seed and orders.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import multiprocessing
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from khasan_sim.ui.frames import Frame, Tape, capture
from khasan_sim.ui.runloop import RunControl, run_slices
from khasan_sim.ui.worker import rebuild_error

SPEEDS: tuple[float, ...] = (2.0, 5.0, 10.0, 20.0, 40.0, 90.0, 1e9)
"""Simulated minutes per real second; the last is 'as fast as it goes'."""

READY_TIMEOUT_S = 120.0
"""How long the window waits for the worker process to load the scenario."""


def player_sides(side: str) -> tuple[str, ...]:
    """Return the sides a person commands for a ``--side`` or an exercise's ``play.side`` word."""
    return {"both": ("soviet", "japanese"), "none": ()}.get(side, (side,))


def speed_text(speed: float) -> str:
    """Return a speed in words."""
    return "max" if speed >= 1e8 else f"{speed:g} min/s"


class SimProxy:
    """The Simulation of a worker process, as the window sees it.

    The scenario (with its terrain, for the map) is loaded here too; the clock is the
    latest frame's. Every other attribute of :class:`khasan_sim.api.Simulation` is asked
    of the worker: a property is read, a method returns a function that calls it there.
    """

    def __init__(self, session: GameSession, scenario: Any, start: datetime, end: datetime, seed: int) -> None:
        self._session = session
        self.scenario = scenario
        self.start = start
        self.end = end
        self.seed = seed

    @property
    def terrain(self) -> Any:
        """Return the terrain layers (loaded in this process)."""
        return self.scenario.terrain

    @property
    def now_min(self) -> float:
        """Return simulated minutes since the start (of the latest news from the worker)."""
        return self._session._state["now_min"]

    @property
    def now(self) -> datetime:
        """Return the current battle time."""
        return self.start + timedelta(seconds=round(self.now_min * 60.0))

    @property
    def finished(self) -> bool:
        """Return True once the run has reached its end time."""
        return bool(self._session._state["finished"])

    @property
    def pending_orders(self) -> list[Any]:
        """Return the orders given and not yet carried out."""
        return list(self._session._state["pending"])

    @property
    def taken_over(self) -> frozenset[str]:
        """Return the units the player has ordered."""
        return frozenset(self._session._state["taken_over"])

    def events(self, since: int = 0) -> list[Any]:
        """Return the event log from *since* (this process's copy)."""
        return self._session.events(since)

    def __getattr__(self, name: str) -> Any:
        from khasan_sim.api import Simulation

        if name.startswith("_") or not hasattr(Simulation, name):
            raise AttributeError(name)
        if isinstance(getattr(Simulation, name), property):
            return self._session._call(name)
        return lambda *args, **kwargs: self._session._call(name, *args, **kwargs)


class GameSession:
    """One game of a scenario.

    Args:
        scenario: The scenario file.
        seed: The run seed.
        variant: A variant file or None.
        player_sides: The sides a person commands (their scenario orders are not played).
        tape_step_min: Simulated minutes between replay frames.
        process: Run the Simulation in a worker process (the desktop game).
    """

    def __init__(
        self,
        scenario: str | Path,
        seed: int = 1,
        *,
        variant: str | Path | None = None,
        player_sides: Iterable[str] = (),
        tape_step_min: float = 5.0,
        process: bool = False,
    ) -> None:
        self.scenario_path = str(scenario)
        self.variant_path = None if variant is None else str(variant)
        self.seed = int(seed)
        self.player_sides = tuple(s for s in ("soviet", "japanese") if s in set(player_sides))
        self.tape = Tape(tape_step_min)
        self.fog_sides: tuple[str, ...] = ()
        self.error: BaseException | None = None
        self.progress = 0.0
        self.max_slice_s = 0.0
        self.control = RunControl(speed=10.0)
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self._on_done: Callable[[], None] | None = None
        self._conn: Any = None
        self._process: Any = None
        self._running = False
        self._ids = itertools.count(1)
        self._waiting: dict[int, Callable[[Any, BaseException | None], None]] = {}
        self._events: list[Any] = []
        self._state: dict[str, Any] = {}
        if process:
            self._start_process()
        else:
            from khasan_sim.api import Simulation

            # units of the player's sides follow the recorded (scenario) orders until the player
            # orders them: the rest of the corps fights as in 1938, and a game in which the
            # player orders nobody is the same run, event for event, as a batch run of the seed
            self.sim: Any = Simulation(
                self.scenario_path, self.seed, variant=self.variant_path, player_sides=self.player_sides, follow_record=True
            )
            self._frame = capture(self.sim)
        self.tape.add(self._frame)
        self._player_units = [u.id for u in self._frame.units if u.side in self.player_sides]

    # ------------------------------------------------------------- the worker process

    def _start_process(self) -> None:
        from khasan_sim.scenario.load import load_scenario
        from khasan_sim.ui import worker

        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(
            target=worker.serve,
            args=(child, self.scenario_path, self.seed, self.variant_path, self.player_sides, self.tape.step_min),
            name="khasan-sim-simulation",
            daemon=True,
        )
        self._process.start()
        child.close()
        try:
            scenario = load_scenario(self.scenario_path, self.variant_path)  # the map's terrain, while the worker loads its own
            if not self._conn.poll(READY_TIMEOUT_S):
                msg = f"the simulation process did not start within {READY_TIMEOUT_S:.0f} s"
                raise RuntimeError(msg)
            _, info, err = self._conn.recv()
        except (EOFError, OSError) as exc:
            self.close()
            msg = f"the simulation process stopped while loading {self.scenario_path} ({exc or 'it exited'})"
            raise RuntimeError(msg) from None
        except BaseException:
            self.close()
            raise
        if err is not None:
            self.close()
            raise rebuild_error(err)
        self._frame = info["frame"]
        self._events = list(info["events"])
        self._state = info["state"]
        self.sim = SimProxy(self, scenario, info["start"], info["end"], self.seed)

    @property
    def in_process(self) -> bool:
        """Return True when the Simulation runs in a worker process."""
        return self._conn is not None

    def _send(self, *msg: Any) -> None:
        try:
            self._conn.send(msg)
        except (OSError, ValueError) as exc:
            raise RuntimeError(f"the simulation process has stopped ({exc})") from None

    def _recv(self, timeout: float | None) -> bool:
        """Take in one message from the worker; return False if none came within *timeout*."""
        try:
            if not self._conn.poll(timeout):
                return False
            msg = self._conn.recv()
        except (EOFError, OSError) as exc:
            self._running = False
            self.error = RuntimeError(f"the simulation process has stopped ({exc or 'it exited'})")
            raise self.error from None
        kind = msg[0]
        if kind == "frame":
            _, frame, to_tape, progress, events = msg
            self._events.extend(events)
            self._publish(frame, to_tape, progress)
        elif kind == "done":
            _, frame, events, err, slowest, state = msg
            self._events.extend(events)
            self._state = state
            self.max_slice_s = max(self.max_slice_s, slowest)
            self.error = None if err is None else rebuild_error(err)
            self._publish(frame, True, 1.0)
            self._running = False
            if self._on_done is not None and not self.control.stop:
                self._on_done()
        elif kind == "reply":
            _, rid, value, err, state = msg
            self._state = state
            cb = self._waiting.pop(rid, None)
            if cb is not None:
                cb(value, None if err is None else rebuild_error(err))
        return True

    def poll(self) -> None:
        """Take in what the worker process has sent (frames, events, answers); never waits."""
        if self._conn is None:
            return
        while self._recv(0):
            pass

    def _request(self, kind: str, *args: Any, done: Callable[[Any, BaseException | None], None]) -> None:
        rid = next(self._ids)
        self._waiting[rid] = done
        self._send(kind, rid, *args)

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call a Simulation method (or read a property) in the worker and wait for the answer."""
        box: list[Any] = []
        self._request("call", name, args, kwargs, done=lambda v, e: box.append((v, e)))
        while not box:
            self._recv(None)
        value, err = box[0]
        if err is not None:
            raise err
        return value

    def close(self) -> None:
        """End the worker process (a session in this process: stop its run)."""
        if self._conn is None:
            self.stop()
            return
        with contextlib.suppress(OSError, ValueError):  # the process has already gone
            self._conn.send(("quit",))
        if self._process is not None:
            self._process.join(3.0)
            if self._process.is_alive():
                self._process.terminate()
                self._process.join(2.0)
        self._conn.close()
        self._running = False

    # ----------------------------------------------------------------- reading

    @property
    def busy(self) -> bool:
        """Return True while a run is advancing the simulation."""
        if self._conn is not None:
            return self._running
        return self._worker is not None and self._worker.is_alive()

    def frame(self) -> Frame:
        """Return the latest frame (safe from the drawing thread)."""
        with self._lock:
            return self._frame

    def _publish(self, frame: Frame, to_tape: bool, progress: float) -> None:
        if to_tape:
            self.tape.add(frame)
        with self._lock:
            if not frame.visible and self._frame.visible:  # frames between turn ends keep the fog of the last one
                frame = replace(frame, visible=self._frame.visible)
            self._frame = frame
        self.progress = progress

    def refresh(self) -> Frame:
        """Capture a new frame now, with the fog of :attr:`fog_sides` (only while no run goes on)."""
        if self.busy:
            return self.frame()
        if self._conn is not None:
            box: list[Any] = []
            self._request("capture", self.fog_sides, done=lambda v, e: box.append(v))
            while not box:
                self._recv(None)
            f = box[0]
        else:
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
        """Return the event log from *since* (safe while running)."""
        if self._conn is not None:
            return self._events[since:]
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
        self.sim.take_over([uid for uid in self._player_units if uid not in keep])

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

    def plan_route(self, unit_id: str, to_xy: tuple[float, float], via: list[tuple[float, float]],
                   done: Callable[[Any, BaseException | None], None]) -> None:
        """Plan a route as the core would, off the drawing loop; *done* gets (route, error).

        With a worker process the answer comes with a later :meth:`poll`; otherwise now.
        """
        if self._conn is not None:
            self._request("call", "plan_route", (unit_id, tuple(to_xy)), {"via": list(via)}, done=done)
            return
        try:
            r = self.sim.plan_route(unit_id, tuple(to_xy), via=list(via))
        except Exception as exc:
            done(None, exc)
            return
        done(r, None)

    def check_order(self, order: dict[str, Any], done: Callable[[str | None, BaseException | None], None]) -> None:
        """Ask whether *order* would be allowed now, off the drawing loop; *done* gets (why not or None, error).

        With a worker process the answer comes with a later :meth:`poll`; otherwise now.
        """
        if self._conn is not None:
            self._request("call", "check_order", (order,), {}, done=done)
            return
        try:
            why = self.sim.check_order(order)
        except Exception as exc:
            done(None, exc)
            return
        done(why, None)

    # ---------------------------------------------------------------- advancing

    def next_boundary(self) -> float:
        """Return the minute of the next turn boundary."""
        t = self.sim.now_min
        tm = self.turn_min
        return min((math.floor(t / tm + 1e-9) + 1) * tm, self.end_min)

    @property
    def speed(self) -> float:
        """Return the speed in simulated minutes per real second."""
        return self.control.speed

    @property
    def paused(self) -> bool:
        """Return True while the run is held."""
        return self.control.paused

    @paused.setter
    def paused(self, value: bool) -> None:
        self.control.paused = bool(value)
        if self._conn is not None:
            self._send("pause", bool(value))

    def set_speed(self, speed: float) -> None:
        """Change the speed (takes effect from now)."""
        self.control.speed = float(speed)
        self.control.rebase = True
        if self._conn is not None:
            self._send("speed", float(speed))

    def _run_here(self, until_min: float, paced: bool, max_events: int) -> None:
        try:
            slowest = run_slices(self.sim, until_min, control=self.control, publish=self._publish,
                                 tape_step_min=self.tape.step_min, paced=paced, max_events=max_events)
            self.max_slice_s = max(self.max_slice_s, slowest)
        except BaseException as exc:
            self.error = exc
        finally:
            if not self.control.stop:
                self._publish(capture(self.sim, self.fog_sides), True, 1.0)
            if self._on_done is not None and not self.control.stop:
                self._on_done()

    def start(self, until_min: float, *, paced: bool = True, on_done: Callable[[], None] | None = None, max_events: int = 60) -> None:
        """Advance to *until_min* in bounded slices, at :attr:`speed`, without waiting."""
        if self.busy:
            return
        self.error = None
        self.progress = 0.0
        self.control.stop = False
        self._on_done = on_done
        if self._conn is not None:
            self._running = True
            self._send("run", float(until_min), bool(paced), int(max_events), tuple(self.fog_sides))
            return
        self._worker = threading.Thread(target=self._run_here, args=(until_min, paced, max_events), name="khasan-sim-worker", daemon=True)
        self._worker.start()

    def run_blocking(self, until_min: float) -> None:
        """Advance to *until_min* now and wait (headless use and tests), recording the tape."""
        if self._conn is not None:
            self.start(until_min, paced=False, max_events=5000)
            while self._running:
                self._recv(None)
        else:
            self.control.stop = False
            self._on_done = None
            self._run_here(until_min, False, 5000)
        if self.error is not None:
            raise self.error

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the run; return True when it has finished."""
        if self._conn is not None:
            t_end = None if timeout is None else time.perf_counter() + timeout
            while self._running:
                left = None if t_end is None else t_end - time.perf_counter()
                if left is not None and left <= 0:
                    break
                self._recv(left)
            return not self._running
        if self._worker is not None:
            self._worker.join(timeout)
        return not self.busy

    def stop(self) -> None:
        """Stop the run at the end of its current slice."""
        self.control.stop = True
        if self._conn is not None:
            if self._running:
                self._send("stop")
                self.wait(10.0)
        elif self._worker is not None:
            self._worker.join(5.0)
        self.control.stop = False
