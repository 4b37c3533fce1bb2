"""Benchmark: a forecast - N branches of a run from a moment, in the local worker pool.

Run: ``python bench/bench_forecast.py [--scenario FILE] [--at TIME] [--runs N] [--workers K]``.
Prints its figures; asserts nothing. Not run by the tests.

What it measures, with real branches of the historical scenario's run (seed 1):

1. one branch in this process after a warm-up: the shared history replayed to the moment,
   and the whole branch (history and future), in CPU seconds;
2. the game's forecast as the Forecast key runs it (:func:`khasan_sim.runner.branches.forecast`):
   wall time from the call to the summary, worker start-up and scenario loading included,
   and the CPU time of this process and of its workers (the machine is shared: the CPU
   time says what the wall time would be on an idle machine);
3. the same with one order changed at the moment (paired branches: twice the runs).

Goal (issue 17): 40 branches from 7 August 12:00 in under 10 s on 2 cores.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from khasan_sim.branching import point_of_run, start_branch
from khasan_sim.clock import Clock
from khasan_sim.runner.branches import forecast
from khasan_sim.scenario.load import load_scenario

HISTORICAL = Path(__file__).resolve().parents[1] / "scenarios" / "khasan_1938" / "historical.yaml"
CHANGED = {"kind": "withdraw", "unit": "2mb-3tb", "to": "podgornaya"}


def cpu_seconds() -> tuple[float, float]:
    """Return (CPU seconds of this process, of its finished children)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def timed_forecast(point: object, scenario: object, runs: int, workers: int, changed: dict | None) -> None:
    """Run one forecast and print its wall and CPU time."""
    c0 = cpu_seconds()
    t0 = time.perf_counter()
    f = forecast(point, scenario, runs, changed_order=changed, changed_text=None if changed is None else "changed", workers=workers)
    wall = time.perf_counter() - t0
    deadline = time.perf_counter() + 60  # the workers' CPU counts once they have ended and been reaped
    while multiprocessing.active_children() and time.perf_counter() < deadline:
        time.sleep(0.05)
    c1 = cpu_seconds()
    me, kids = c1[0] - c0[0], c1[1] - c0[1]
    what = f"{runs} branches" if changed is None else f"{runs} pairs of branches ({2 * runs} runs)"
    print(f"{what} from {f.moment} on {workers} workers: {wall:.1f} s wall; CPU {me + kids:.1f} s "
          f"({kids:.1f} s in the workers and their forks, {me:.1f} s here) -> {(me + kids) / workers:.1f} s on {workers} idle cores (CPU / {workers})")
    chances = ", ".join(f"{h.zone} {h.soviet:.0%}" for h in f.heights)
    print(f"  Soviet at the ceasefire: {chances}")


def main() -> None:
    """Print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(HISTORICAL))
    ap.add_argument("--at", default="1938-08-07T12:00")
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-changed", action="store_true", help="skip the paired forecast")
    args = ap.parse_args()
    scenario = load_scenario(args.scenario)
    moment = Clock(scenario.start, scenario.end).to_minutes(args.at)
    point = point_of_run(str(scenario.path), 1, moment)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (shared)")
    start_branch(point, 0, scenario=scenario).run_to_end()  # warm-up (compiled kernels, caches)
    t = time.process_time()
    sim = start_branch(point, 1, scenario=scenario)
    prefix = time.process_time() - t
    sim.run_to_end()
    print(f"one branch here: history to {args.at} {prefix:.2f} s CPU, whole branch {time.process_time() - t:.2f} s CPU")
    timed_forecast(point, scenario, args.runs, args.workers, None)
    if not args.no_changed:
        timed_forecast(point, scenario, args.runs, args.workers, CHANGED)


if __name__ == "__main__":
    main()
