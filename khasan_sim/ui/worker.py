"""The game's Simulation in a process of its own, so the window's process only draws.

A turn of the historical scenario can hold the interpreter for a second and more at a
time (route planning for many orders at once, a combat pulse over every unit); in a
thread beside the drawing loop that shows as frames of 50 ms and more. Here the
Simulation lives in a spawned process that talks over a pipe:

* requests ``("call", id, name, args, kwargs)`` run a method (or read a property) of
  :class:`khasan_sim.api.Simulation` and answer ``("reply", id, value, error, state)``;
* ``("run", until_min, paced, max_events, fog_sides)`` advances it with
  :func:`~khasan_sim.ui.runloop.run_slices`, streaming ``("frame", frame, to_tape,
  progress, events)`` and ending with ``("done", frame, events, error, slowest, state)``;
  ``pause``, ``speed`` and ``stop`` messages act between slices, and calls are answered
  between slices too;
* ``("quit",)`` ends the process.

Errors travel as (module, class, message) and are raised again on the other side with
the same class. No pygame is imported here.
"""

from __future__ import annotations

import importlib
import time
from typing import Any

from khasan_sim.ui.frames import capture
from khasan_sim.ui.runloop import RunControl, run_slices

ErrorInfo = tuple[str, str, str]


def error_info(exc: BaseException) -> ErrorInfo:
    """Return an exception as (module, class name, message), for the pipe."""
    return type(exc).__module__, type(exc).__qualname__, str(exc)


def rebuild_error(info: ErrorInfo) -> BaseException:
    """Return the exception described by :func:`error_info` (a RuntimeError if its class is unknown)."""
    module, name, message = info
    try:
        cls = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        cls = None
    if isinstance(cls, type) and issubclass(cls, BaseException):
        exc = cls.__new__(cls)
        BaseException.__init__(exc, message)
        return exc
    return RuntimeError(f"{name}: {message}")


def state_of(sim: Any) -> dict[str, Any]:
    """Return what the window keeps of the simulation between requests."""
    return {
        "pending": sim.pending_orders,
        "taken_over": sim.taken_over,
        "now_min": sim.now_min,
        "finished": sim.finished,
    }


class _Server:
    def __init__(self, conn: Any, sim: Any, tape_step_min: float) -> None:
        self.conn = conn
        self.sim = sim
        self.tape_step_min = tape_step_min
        self.sent = 0
        self.control = RunControl(poll=self.poll)
        self.running = False
        self.quit = False

    def events(self) -> list[Any]:
        evs = self.sim.events(self.sent)
        self.sent += len(evs)
        return evs

    def call(self, rid: int, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        try:
            attr = getattr(self.sim, name)
            value = attr(*args, **kwargs) if callable(attr) else attr
            err = None
        except Exception as exc:
            value, err = None, error_info(exc)
        self.conn.send(("reply", rid, value, err, state_of(self.sim)))

    def handle(self, msg: tuple[Any, ...]) -> None:
        kind = msg[0]
        if kind == "call":
            self.call(*msg[1:])
        elif kind == "capture":
            self.conn.send(("reply", msg[1], capture(self.sim, tuple(msg[2])), None, state_of(self.sim)))
        elif kind == "pause":
            self.control.paused = bool(msg[1])
        elif kind == "speed":
            self.control.speed = float(msg[1])
            self.control.rebase = True
        elif kind == "stop":
            self.control.stop = True
        elif kind == "quit":
            self.control.stop = True
            self.quit = True
        elif kind == "run":
            if self.running:  # a run asked for from within a run: ignore
                return
            self.run(*msg[1:])

    def poll(self) -> None:
        while self.conn.poll():
            self.handle(self.conn.recv())

    def publish(self, frame: Any, to_tape: bool, progress: float) -> None:
        self.conn.send(("frame", frame, to_tape, progress, self.events()))

    def run(self, until_min: float, paced: bool, max_events: int, fog_sides: tuple[str, ...]) -> None:
        self.running = True
        self.control.stop = False
        err = None
        slowest = 0.0
        try:
            slowest = run_slices(self.sim, until_min, control=self.control, publish=self.publish,
                                 tape_step_min=self.tape_step_min, paced=paced, max_events=max_events)
        except Exception as exc:
            err = error_info(exc)
        finally:
            self.running = False
        frame = capture(self.sim, tuple(fog_sides))
        self.conn.send(("done", frame, self.events(), err, slowest, state_of(self.sim)))
        self.control.stop = False

    def serve(self) -> None:
        while not self.quit:
            try:
                msg = self.conn.recv()
            except (EOFError, OSError):  # the window's process has gone
                return
            self.handle(msg)


def _warm_kernels(scenario: str, variant: str | None) -> None:
    """The first game after an install: compile the kernels now, on two cores
    (runner/warmup.py), while the window says it is loading, rather than at the first
    turn on one."""
    from khasan_sim.runner.warmup import warm_kernels_before
    from khasan_sim.scenario.load import load_scenario

    warm_kernels_before(lambda: load_scenario(scenario, variant))


def serve(
    conn: Any, scenario: str, seed: int, variant: str | None, player_sides: tuple[str, ...], tape_step_min: float,
    commanders: dict[str, str] | None = None,
) -> None:
    """The worker process: build the Simulation, answer ``ready``, then serve requests until ``quit``."""
    from khasan_sim.api import Simulation

    t0 = time.perf_counter()
    try:
        _warm_kernels(scenario, variant)
        sim = Simulation(scenario, seed, variant=variant, player_sides=player_sides, follow_record=True, commanders=commanders)
    except Exception as exc:
        conn.send(("ready", None, error_info(exc)))
        return
    server = _Server(conn, sim, tape_step_min)
    info = {
        "start": sim.start,
        "end": sim.end,
        "frame": capture(sim),
        "events": server.events(),
        "state": state_of(sim),
        "seconds": time.perf_counter() - t0,
    }
    conn.send(("ready", info, None))
    server.serve()
