"""Frame times of the desktop game (1280 x 800 by default) while the historical scenario is computed.

Three measurements, every unit and tank drawn:

1. *recorded orders*: no player side, the simulation running at a fixed speed (still
   view, then panning and zooming);
2. *many new orders*: the Soviet player orders every Soviet ground unit to a new place
   at a turn boundary (so the core plans all their routes at once), ends the turn and
   the turn is computed as fast as it goes; repeated for a few turns;
3. *route preview*: a unit selected in the orders phase and the mouse moving over the
   map, so that the preview route is planned again and again.

For each it prints the frame rate (unthrottled), the median, 99th percentile and
slowest frame, and the number of frames over 50 ms (the goal: none while a turn is
computed, 60 fps).

    SDL_VIDEODRIVER=dummy python bench/bench_fps.py [--seconds 10] [--speed 40] [--order-turns 3] [--size 1920x1080] [--thread]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SLOW_MS = 50.0
CPU: list[float] = []
"""The drawing thread's own CPU time of each frame (what the frame costs without waiting)."""


def frame(app, pan: int = 0) -> float:
    """Draw one frame as the game's loop does; return its time in seconds."""
    import pygame

    t0 = time.perf_counter()
    c0 = time.thread_time()
    if pan:
        app.cam.pan_px(3 if (pan // 120) % 2 == 0 else -3, 1)
        if pan % 90 == 0:
            app.cam.zoom_at(1.25 if (pan // 90) % 2 == 0 else 0.8)
    app.step(1 / 60)
    pygame.display.flip()
    CPU.append(time.thread_time() - c0)
    return time.perf_counter() - t0


def watch(app, seconds: float, pan: bool) -> list[float]:
    """Frames while the recorded orders run (a new turn is started whenever one ends)."""
    CPU.clear()
    frames = []
    t_end = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < t_end:
        frames.append(frame(app, i + 1 if pan else 0))
        if app.phase not in ("running", "finished"):
            app.start_run()
        i += 1
    return frames


def new_orders(app, rng_seed: int) -> int:
    """Order every Soviet ground unit to a new place nearby; return how many orders were taken."""
    import numpy as np

    rng = np.random.default_rng(rng_seed)
    n = 0
    for u in app.current_frame().units:
        if u.side != "soviet" or u.is_air or u.type == "artillery" or u.men <= 0:
            continue
        for _ in range(6):  # a place on this side of the border, 1-3 km away
            ang, dist = rng.uniform(0, 2 * math.pi), rng.uniform(1000, 3000)
            x, y = u.x + dist * math.cos(ang), u.y + dist * math.sin(ang)
            before = len(app.session.pending())
            app.give({"kind": "move", "unit": u.id, "to": [round(x, 1), round(y, 1)]})
            if len(app.session.pending()) > before:
                n += 1
                break
    return n


def ordered_turns(app, turns: int, timeout_s: float = 120.0) -> tuple[list[float], int, float]:
    """Frames while turns full of new orders are computed: (frames, orders given, seconds computing)."""
    frames: list[float] = []
    cpu: list[float] = []
    given = 0
    busy_s = 0.0
    for k in range(turns):
        for _ in range(3):
            frame(app)
        assert app.phase == "orders", app.phase
        given += new_orders(app, k)
        app.end_turn()
        CPU.clear()
        t0 = time.perf_counter()
        while app.phase == "running" and time.perf_counter() - t0 < timeout_s:
            frames.append(frame(app))
        busy_s += time.perf_counter() - t0
        cpu += CPU
    CPU[:] = cpu
    return frames, given, busy_s


def preview(app, seconds: float) -> list[float]:
    """Frames with a unit selected and the mouse sweeping the map (the route preview replanned)."""
    import pygame

    uid = next(u.id for u in app.current_frame().units if u.side == "soviet" and u.tanks_start)
    app.selected = uid
    app.mouse_seen = True
    r = app.cam.rect
    CPU.clear()
    frames = []
    t_end = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < t_end:
        a = i / 90.0
        pygame.mouse.set_pos((int(r.centerx + 0.4 * r.w * math.cos(a)), int(r.centery + 0.4 * r.h * math.sin(1.7 * a))))
        frames.append(frame(app))
        i += 1
    app.selected = None
    return frames


def report(name: str, frames: list[float]) -> None:
    if not frames:
        print(f"{name}: no frames")
        return
    ms = sorted(f * 1000 for f in frames)
    cpu = sorted(c * 1000 for c in CPU[-len(frames):])
    CPU.clear()
    total = sum(frames)
    print(f"{name}: {len(frames) / total:6.1f} fps (unthrottled)   median {statistics.median(ms):5.1f} ms   "
          f"p99 {ms[max(int(len(ms) * 0.99) - 1, 0)]:5.1f} ms   max {ms[-1]:6.1f} ms   "
          f"frames over {SLOW_MS:.0f} ms: {sum(m > SLOW_MS for m in ms)} of {len(ms)}   "
          f"(drawing thread's CPU a frame: median {statistics.median(cpu):4.1f} ms, max {cpu[-1]:5.1f} ms)", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10.0, help="seconds of each timed watch")
    ap.add_argument("--speed", type=float, default=40.0, help="simulated minutes per second while watching")
    ap.add_argument("--order-turns", type=int, default=3, help="turns of new orders for every Soviet ground unit")
    ap.add_argument("--size", default="1280x800", help="window size WxH (e.g. 1920x1080)")
    ap.add_argument("--thread", action="store_true", help="run the simulation in a thread of the window's process (as before the worker process)")
    args = ap.parse_args()
    size = tuple(int(v) for v in args.size.lower().split("x"))

    from khasan_sim.scenario.builtin import historical_scenario
    from khasan_sim.ui.app import App
    from khasan_sim.ui.session import GameSession
    from khasan_sim.ui.settings import Settings

    t0 = time.perf_counter()
    session = GameSession(historical_scenario(), 1, process=not args.thread)
    app = App(session, settings=Settings(speed=args.speed), size=size, remember=False)
    app.autoplay = True
    print(f"start-up (scenario, terrain, map picture, window): {time.perf_counter() - t0:.1f} s")
    app.cam.battle_view()
    app.step()
    session.set_speed(args.speed)
    app.start_run()
    n_units = sum(1 for u in session.frame().units if not u.is_air)
    print(f"historical scenario, {size[0]}x{size[1]}, {n_units} units and {len(session.frame().tanks)} tanks drawn")
    report(f"recorded orders at {args.speed:g} min/s, still view  ", watch(app, args.seconds, pan=False))
    report(f"recorded orders at {args.speed:g} min/s, pan and zoom", watch(app, args.seconds, pan=True))
    session.close()

    session = GameSession(historical_scenario(), 1, player_sides=["soviet"], process=not args.thread)
    app = App(session, settings=Settings(speed=1e9), size=size, remember=False)
    app.overlay = None
    app.cam.battle_view()
    frames, given, busy = ordered_turns(app, args.order_turns)
    report(f"{args.order_turns} turns of new orders ({given} orders), max speed  ", frames)
    print(f"  ({busy:.1f} s computing those turns)")
    report("orders phase, route preview under the moving mouse ", preview(app, args.seconds / 2))
    session.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
