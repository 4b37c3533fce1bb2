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

Then, over N more replications, the time by kind of code: the compiled kernels (every
numba function the engine calls from Python, timed at the call, the timers' own cost
taken off), simpy's own scheduling (the replication's simpy events at the cost of a
timeout in a bare simpy loop measured in this process) and the rest, the Python of the
systems, the event log, the story watch and the results. Its last line is the floor of
the engine as it is built, systems in Python over compiled kernels: what a replication
would cost in bare-simpy timeouts if all of its Python cost nothing.
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

from numba.core.registry import CPUDispatcher

from khasan_sim.api import Simulation
from khasan_sim.engine.eventlog import EventLog
from khasan_sim.engine.kernel import Engine
from khasan_sim.scenario.builtin import historical_scenario
from khasan_sim.scenario.load import load_scenario
from khasan_sim.terrain import routes

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_replication import bare_simpy_rate

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


def _timed(
    acc: Counter, calls: Counter, name: str, f: Callable[..., Any], clock: Callable[[], int] = time.process_time_ns,
) -> Callable[..., Any]:
    """Return *f* wrapped with a timer adding its time on *clock* into ``acc[name]`` and
    its calls into ``calls[name]`` (CPU time for the systems; the kernels' wall time, as a
    kernel never waits: :func:`_time_kernels`)."""

    def wrapper(*a: Any, **k: Any) -> Any:
        t0 = clock()
        try:
            return f(*a, **k)
        finally:
            acc[name] += clock() - t0
            calls[name] += 1

    wrapper.__wrapped__ = f  # type: ignore[attr-defined]
    return wrapper


def _time_kernels(acc: Counter, calls: Counter) -> None:
    """Wrap every compiled kernel the engine's Python reaches through a module attribute
    with a timer adding its wall time (a kernel never waits) into *acc*. The kernels are
    compiled already (the warm-up ran them): compiled code that calls another kernel
    calls it directly, not through the wrapper."""
    wrapped: dict[int, Callable[..., Any]] = {}
    for name, module in list(sys.modules.items()):
        if not name.startswith("khasan_sim") or module is None:
            continue
        for attr, v in list(vars(module).items()):
            if isinstance(v, CPUDispatcher):
                if id(v) not in wrapped:
                    name = f"{v.py_func.__module__.rsplit('.', 1)[-1]}.{v.__name__}"
                    wrapped[id(v)] = _timed(acc, calls, name, v, clock=time.perf_counter_ns)
                setattr(module, attr, wrapped[id(v)])


def _timer_cost_ns() -> float:
    """Return what a kernel timer costs a call, in ns (timing a function that does nothing)."""
    acc: Counter = Counter()
    timed = _timed(acc, Counter(), "nothing", lambda: None, clock=time.perf_counter_ns)
    t0 = time.perf_counter_ns()
    for _ in range(100_000):
        timed()
    return (time.perf_counter_ns() - t0) / 100_000


def _simpy_steps(scenario: Any, seed: int) -> int:
    """Return the simpy events one replication processes (counted in an untimed run)."""
    sim = Simulation(scenario, seed=seed)
    env = sim.engine.env
    n = 0
    step = env.step

    def counted() -> None:
        nonlocal n
        n += 1
        step()

    env.step = counted  # this environment only (simpy's run loop calls self.step)
    sim.run_to_end()
    return n


def by_kind_of_code(scenario: Any, first: int, runs: int) -> None:
    """Print where a replication's CPU time goes by kind of code (see the docstring)."""
    steps = sum(_simpy_steps(scenario, seed) for seed in range(first, first + runs)) / runs
    acc: Counter = Counter()
    calls: Counter = Counter()
    _time_kernels(acc, calls)
    total = 0
    for seed in range(first, first + runs):
        sim = Simulation(scenario, seed=seed)
        t0 = time.process_time_ns()
        sim.run_to_end()
        total += time.process_time_ns() - t0
    _, bare_cpu = bare_simpy_rate()
    timer = _timer_cost_ns()
    n_calls = sum(calls.values()) / runs
    rep_ms = (total / runs - n_calls * timer) / 1e6  # the timers' own cost taken off
    kernel_ms = (sum(acc.values()) / runs - n_calls * timer) / 1e6
    simpy_ms = steps / bare_cpu * 1e3
    python_ms = rep_ms - kernel_ms - simpy_ms
    print()
    print(f"by kind of code ({runs} more replications; bare simpy {bare_cpu:,.0f} timeouts a CPU second):")
    print(f"{'kind of code':44s} {'ms/run':>8s} {'share':>7s} {'timeouts':>9s}")
    rows = (
        (f"compiled kernels ({n_calls:,.0f} calls)", kernel_ms),
        (f"simpy's scheduling ({steps:,.0f} events)", simpy_ms),
        ("Python: systems, event log, story, results", python_ms),
        ("a replication", rep_ms),
    )
    for label, ms in rows:
        print(f"{label:44s} {ms:8.1f} {100 * ms / rep_ms:6.1f}% {ms / 1e3 * bare_cpu:9,.0f}")
    top = sorted(acc, key=lambda k: -acc[k])[:6]
    print("  the kernels that take most: " + ", ".join(f"{k} {acc[k] / runs / 1e6:.1f} ms" for k in top))
    print(f"the floor of this design (its Python at no cost): {(kernel_ms + simpy_ms) / 1e3 * bare_cpu:,.0f} timeouts "
          f"a replication (goal 150,000)")


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
    for _, cls, name in TIMED:  # the systems' own methods back, for the timing by kind of code
        setattr(cls, name, getattr(cls, name).__wrapped__)
    by_kind_of_code(scenario, args.warm + args.runs, args.runs)


if __name__ == "__main__":
    main()
