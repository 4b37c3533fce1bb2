"""Benchmark: where a warm replication's CPU time goes, system by system.

Run: ``python bench/bench_systems.py [--runs N] [--warm K]``. Prints its figures; asserts
nothing. The process first plays K replications (seeds 0..K-1) so that its per-process
memos (routes, paths, sight lines, random-stream seeds) are as warm as a batch worker's
after K runs, then times N more (seeds K..K+N-1), each system's CPU time summed over
its calls.

The figures are inclusive (a system that calls another counts the other's time too:
route planning is inside the orders and the doctrine that start moves), so the column
does not add up to the total. The timing wrappers cost about a microsecond a call
(~25,000 calls a run): the total here is a few percent above bench_replication's.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from khasan_sim.api import Simulation
from khasan_sim.engine.eventlog import EventLog
from khasan_sim.engine.kernel import Engine
from khasan_sim.scenario.builtin import historical_scenario
from khasan_sim.scenario.load import load_scenario
from khasan_sim.terrain import routes

# (what it is, the class, the method): the pulse's systems in their order, then the rest
TIMED: tuple[tuple[str, type, str], ...] = (
    ("pulse: artillery missions", Engine, "_fire_missions"),
    ("pulse: direct fire", Engine, "_direct_fire"),
    ("pulse: observed fire", Engine, "_observed_fire"),
    ("pulse: after the fire", Engine, "_after_the_fire"),  # close quarters, morale, falling back, zones
    ("  of which counter-attack checks", Engine, "_check_counterattacks"),
    ("  of which state changes settled", Engine, "_settle_morale"),
    ("  of which zones changing hands", Engine, "_change_holders"),
    ("turn: command and doctrine", Engine, "_command_turn"),
    ("orders applied", Engine, "apply_order"),
    ("route planning (Engine._route)", Engine, "_route"),
    ("  of which A* searches", routes._Planner, "_solve"),
    ("tank recovery look-over", Engine, "_look_over"),
    ("event log digest", EventLog, "digest"),
)


def _timed(acc: Counter, calls: Counter, name: str, f: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*a: Any, **k: Any) -> Any:
        t0 = time.process_time_ns()
        try:
            return f(*a, **k)
        finally:
            acc[name] += time.process_time_ns() - t0
            calls[name] += 1

    return wrapper


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--warm", type=int, default=10, help="replications played first to warm the process's memos")
    ap.add_argument("--scenario", default=str(historical_scenario()))
    args = ap.parse_args()

    scenario = load_scenario(args.scenario)
    for seed in range(args.warm):
        Simulation(scenario, seed=seed).run_to_end()
    acc: Counter = Counter()
    calls: Counter = Counter()
    for label, cls, name in TIMED:
        setattr(cls, name, _timed(acc, calls, label, getattr(cls, name)))
    total = 0
    for seed in range(args.warm, args.warm + args.runs):
        sim = Simulation(scenario, seed=seed)
        t0 = time.process_time_ns()
        sim.run_to_end()
        total += time.process_time_ns() - t0
    n = args.runs
    print(f"replications timed: {n} (after {args.warm} warm-up runs); CPU a replication: {total / n / 1e6:7.1f} ms")
    print(f"{'system (inclusive)':36s} {'ms/run':>8s} {'share':>7s} {'calls/run':>10s} {'us/call':>8s}")
    for label, _, _ in TIMED:
        ms = acc[label] / n / 1e6
        c = calls[label] / n
        print(f"{label:36s} {ms:8.1f} {ms * 1e6 / (total / n) * 100:6.1f}% {c:10.0f} {(ms * 1e3 / c if c else 0.0):8.1f}")


if __name__ == "__main__":
    main()
