"""Frames per second of the desktop game at 1280 x 800 while the historical scenario runs.

Plays the historical scenario with the recorded orders (no player side), the worker
thread advancing it at a fixed speed in bounded slices, every unit and tank drawn, and
measures the frame loop: frames per second, the median and the slowest frame, and how
many frames took longer than 50 ms. A second pass pans and zooms while it runs.

    SDL_VIDEODRIVER=dummy python bench/bench_fps.py [--seconds 20] [--speed 40]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def measure(app, seconds: float, pan: bool) -> list[float]:
    import pygame

    frames = []
    t_end = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < t_end:
        t0 = time.perf_counter()
        if pan:
            app.cam.pan_px(3 if (i // 120) % 2 == 0 else -3, 1)
            if i % 90 == 0:
                app.cam.zoom_at(1.25 if (i // 90) % 2 == 0 else 0.8)
        app.step(1 / 60)
        pygame.display.flip()
        frames.append(time.perf_counter() - t0)
        if app.phase != "running" and not app.session.sim.finished:
            app.start_run()
        i += 1
    return frames


def report(name: str, frames: list[float]) -> None:
    ms = sorted(f * 1000 for f in frames)
    total = sum(frames)
    print(f"{name}: {len(frames) / total:6.1f} fps (unthrottled)   median {statistics.median(ms):5.1f} ms   "
          f"p99 {ms[int(len(ms) * 0.99) - 1]:5.1f} ms   max {ms[-1]:5.1f} ms   frames over 50 ms: {sum(m > 50 for m in ms)} of {len(ms)}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--speed", type=float, default=40.0, help="simulated minutes per second")
    args = ap.parse_args()

    from khasan_sim.scenario.builtin import historical_scenario
    from khasan_sim.ui.app import App
    from khasan_sim.ui.session import GameSession
    from khasan_sim.ui.settings import Settings

    t0 = time.perf_counter()
    session = GameSession(historical_scenario(), 1)
    app = App(session, settings=Settings(speed=args.speed), size=(1280, 800), remember=False)
    app.autoplay = True
    print(f"start-up (scenario, terrain, map picture, window): {time.perf_counter() - t0:.1f} s")
    app.cam.battle_view()
    app.step()
    session.set_speed(args.speed)
    app.start_run()
    n_units = sum(1 for u in session.frame().units if not u.is_air)
    print(f"historical scenario, 1280x800, {n_units} units and {len(session.frame().tanks)} tanks drawn, sim at {args.speed:g} min/s")
    report("running, still view ", measure(app, args.seconds, pan=False))
    report("running, pan and zoom", measure(app, args.seconds, pan=True))
    print(f"simulated to {session.sim.now:%d %b %H:%M}; slowest engine slice {session.max_slice_s * 1000:.0f} ms (in the worker, not in a frame)")
    session.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
