"""Benchmark: one full replication of the historical scenario on one core, its cost in
bare-simpy timeouts, and the engine's event rate next to a bare simpy loop of timeouts
measured in the same run.

Run: ``python bench/bench_replication.py [--runs N] [--warm K]``. Prints its figures;
asserts nothing.

The cost in bare-simpy timeouts is a warm replication's CPU seconds times the bare simpy
timeouts a CPU second measured in the same run: a figure of the work that does not depend
on how fast this machine happens to be today. Both are CPU time: on a shared machine the
wall-time rate of the bare loop falls with the load while a replication's CPU time does
not, and a CPU time times a wall-time rate would make the cost look smaller the busier
the machine (5 December, load 13 to 15 on 2 cores: 130,000 that way, 410,000 in CPU time
a few minutes later). Goal (issue 15): at most 150,000 bare-simpy timeouts a replication
(about 0.1 s on this machine).

The process plays K replications first (seeds 0..K-1, default 1: the first, cold one) and
times the N after them. With one warm-up the per-process memos (routes, A* paths, sight
lines) still miss often, as in a short study; with ``--warm 20`` the figure is that of a
batch worker some way into a long study, where route planning costs a few percent
instead of about 12%.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import simpy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from khasan_sim.api import Simulation
from khasan_sim.scenario.builtin import historical_scenario
from khasan_sim.scenario.load import load_scenario


def bare_simpy_rate(n_events: int = 200_000) -> tuple[float, float]:
    """Return timeouts a second of a bare simpy loop (10 processes ticking): per second of
    wall time and per second of this process's CPU time."""
    env = simpy.Environment()

    def ticker(env: simpy.Environment, dt: float):
        while True:
            yield env.timeout(dt)

    for i in range(10):
        env.process(ticker(env, 1.0 + i * 0.1))
    t0 = time.perf_counter()
    c0 = time.process_time()
    steps = 0
    while steps < n_events:
        env.step()
        steps += 1
    return steps / (time.perf_counter() - t0), steps / (time.process_time() - c0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warm", type=int, default=1, help="replications played before the timed ones (the first is the cold one)")
    ap.add_argument("--scenario", default=str(historical_scenario()))
    args = ap.parse_args()

    t0 = time.perf_counter()
    scenario = load_scenario(args.scenario)
    t_load = time.perf_counter() - t0

    t0 = time.perf_counter()
    res = Simulation(scenario, seed=0).run_to_end()
    t_first = time.perf_counter() - t0
    for seed in range(1, args.warm):
        Simulation(scenario, seed=seed).run_to_end()
    first = max(args.warm, 1)

    times, cpu, rates, engine_steps = [], [], [], []
    for seed in range(first, first + args.runs):
        sim = Simulation(scenario, seed=seed)
        t0 = time.perf_counter()
        c0 = time.process_time()
        r = sim.run_to_end()
        dt = time.perf_counter() - t0
        cpu.append(time.process_time() - c0)
        times.append(dt)
        rates.append(r.events / dt)
        engine_steps.append(r.events)
    bare, bare_cpu = bare_simpy_rate()
    med = statistics.median(times)
    med_cpu = statistics.median(cpu)
    print(f"scenario load (terrain cached or built)  : {t_load:8.3f} s")
    print(f"first replication (cold route/LOS cache) : {t_first:8.3f} s   events={res.events}")
    print(f"warm-up replications before the timed    : {first:8d}")
    print(f"replication, median of {args.runs:<3d}              : {med:8.3f} s   (min {min(times):.3f}, max {max(times):.3f}) wall")
    print(f"replication CPU time, median             : {med_cpu:8.3f} s   (wall minus time waiting for a shared core)")
    print(f"replication cost in bare-simpy timeouts  : {med_cpu * bare_cpu:10.0f}   goal <= 150,000 (CPU time x CPU-time rate)")
    print(f"engine events per replication (median)   : {statistics.median(engine_steps):8.0f}")
    print(f"engine events/s (median)                 : {statistics.median(rates):10.0f}")
    print(f"bare simpy timeouts/s                    : {bare:10.0f}   wall ({bare_cpu:.0f} a CPU second)")
    print(f"engine rate / bare rate                  : {statistics.median(rates) / bare:8.3f}")


if __name__ == "__main__":
    main()
