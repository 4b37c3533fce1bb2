"""Advancing a Simulation in bounded slices, paced to a speed, publishing frames (no pygame).

One loop serves both places a game's simulation can run: a worker process (the desktop
game: the window's process only draws) and the calling thread (headless use, tests,
replaying saves). It drives the core only through :class:`khasan_sim.api.Simulation`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from khasan_sim.ui.frames import Frame, capture


@dataclass
class RunControl:
    """What the person can change while a run goes on.

    Attributes:
        stop: End the run at the end of the current slice.
        paused: Hold the run (the loop sleeps).
        speed: Simulated minutes per real second (>= 1e8: as fast as it goes).
        rebase: The speed changed: pace from now on.
        poll: Called between slices to take in the person's changes (a worker's pipe).
    """

    stop: bool = False
    paused: bool = False
    speed: float = 10.0
    rebase: bool = False
    poll: Callable[[], None] = lambda: None


Publish = Callable[[Frame, bool, float], None]
"""Receives (frame, for the replay tape?, progress 0..1) after a slice."""


def run_slices(
    sim: Any,
    until_min: float,
    *,
    control: RunControl,
    publish: Publish,
    tape_step_min: float,
    paced: bool,
    max_events: int,
    frame_interval_s: float = 1 / 60,
) -> float:
    """Advance *sim* to *until_min* in slices of at most *max_events* engine events.

    Frames for the tape are captured at every *tape_step_min* mark before the end; while
    paced, a frame of the moment is also published at most every *frame_interval_s*.
    These frames carry no fog of war (it is worked out by the caller's capture at the
    turn's end). Returns the slowest slice in seconds.
    """
    step = tape_step_min
    start_real = time.perf_counter()
    start_sim = sim.now_min
    paused_s = 0.0
    last_pub = 0.0
    slowest = 0.0
    while True:
        control.poll()
        if control.stop or sim.now_min >= until_min - 1e-9 or sim.finished:
            break
        if control.paused:
            t0 = time.perf_counter()
            time.sleep(0.02)
            paused_s += time.perf_counter() - t0
            continue
        if control.rebase:
            control.rebase = False
            start_real, start_sim, paused_s = time.perf_counter(), sim.now_min, 0.0
        if paced and control.speed < 1e8:
            elapsed = time.perf_counter() - start_real - paused_s
            target = min(until_min, start_sim + elapsed * control.speed)
            if target <= sim.now_min + 1e-6:
                time.sleep(0.005)
                continue
        else:
            target = until_min
        mark = (math.floor(sim.now_min / step + 1e-9) + 1) * step
        limit = min(target, mark, until_min)
        t0 = time.perf_counter()
        more = sim.advance(max_events=max_events, until_min=limit)
        slowest = max(slowest, time.perf_counter() - t0)
        now = sim.now_min
        progress = (now - start_sim) / max(until_min - start_sim, 1e-9)
        at_mark = not more and abs(now - mark) < 1e-6
        at_end = not more and abs(now - until_min) < 1e-6
        if at_mark and not at_end:
            publish(capture(sim), True, progress)
            last_pub = time.perf_counter()
        elif paced and time.perf_counter() - last_pub >= frame_interval_s:
            publish(capture(sim), False, progress)
            last_pub = time.perf_counter()
    return slowest
