"""Benchmark: one full replication of the historical scenario on one core, its cost in
bare-simpy timeouts, and the engine's event rate next to a bare simpy loop of timeouts
measured in the same run.

Run: ``python bench/bench_replication.py [--runs N]``. Prints its figures; asserts nothing.

The cost in bare-simpy timeouts is a warm replication's CPU seconds times the bare simpy
timeouts a second measured in the same run: a figure of the work that does not depend on
how fast this machine happens to be today. Goal (issue 15): at most 150,000 bare-simpy
timeouts a replication (about 0.1 s on this machine).
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


def bare_simpy_rate(n_events: int = 200_000) -> float:
    """Return timeouts per second of a bare simpy loop (10 processes ticking)."""
    env = simpy.Environment()

    def ticker(env: simpy.Environment, dt: float):
        while True:
            yield env.timeout(dt)

    for i in range(10):
        env.process(ticker(env, 1.0 + i * 0.1))
    t0 = time.perf_counter()
    steps = 0
    while steps < n_events:
        env.step()
        steps += 1
    return steps / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--scenario", default=str(historical_scenario()))
    args = ap.parse_args()

    t0 = time.perf_counter()
    scenario = load_scenario(args.scenario)
    t_load = time.perf_counter() - t0

    t0 = time.perf_counter()
    res = Simulation(scenario, seed=0).run_to_end()
    t_first = time.perf_counter() - t0

    times, cpu, rates, engine_steps = [], [], [], []
    for seed in range(1, args.runs + 1):
        sim = Simulation(scenario, seed=seed)
        t0 = time.perf_counter()
        c0 = time.process_time()
        r = sim.run_to_end()
        dt = time.perf_counter() - t0
        cpu.append(time.process_time() - c0)
        times.append(dt)
        rates.append(r.events / dt)
        engine_steps.append(r.events)
    bare = bare_simpy_rate()
    med = statistics.median(times)
    med_cpu = statistics.median(cpu)
    print(f"scenario load (terrain cached or built)  : {t_load:8.3f} s")
    print(f"first replication (cold route/LOS cache) : {t_first:8.3f} s   events={res.events}")
    print(f"replication, median of {args.runs:<3d}              : {med:8.3f} s   (min {min(times):.3f}, max {max(times):.3f}) wall")
    print(f"replication CPU time, median             : {med_cpu:8.3f} s   (wall minus time waiting for a shared core)")
    print(f"replication cost in bare-simpy timeouts  : {med_cpu * bare:10.0f}   goal <= 150,000")
    print(f"engine events per replication (median)   : {statistics.median(engine_steps):8.0f}")
    print(f"engine events/s (median)                 : {statistics.median(rates):10.0f}")
    print(f"bare simpy timeouts/s                    : {bare:10.0f}")
    print(f"engine rate / bare rate                  : {statistics.median(rates) / bare:8.3f}")


if __name__ == "__main__":
    main()
