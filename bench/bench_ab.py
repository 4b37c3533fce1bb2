"""Benchmark: is one version of the engine faster than another? A warm replication's CPU
time under two git revisions, measured in turns, with the difference and its interval.

Run: ``python bench/bench_ab.py REV_A [REV_B] [--rounds R] [--runs N] [--warm K]``
(``REV_B`` defaults to the working tree). Prints its figures; asserts nothing.

Why: on a shared machine a replication's CPU time wanders by several percent from one
minute to the next (6 December: 141 to 155 ms for the same code within ten minutes),
more than most single changes to the engine gain or lose. Timing one version, then the
other, reads that drift as a difference. Here each revision is checked out into a
temporary git worktree once, and the two are timed in alternating fresh processes,
*R* rounds (A, B, A, B, ...): each round gives a pair measured a minute apart, and the
difference is the median of the pairs' ratios, with a 90% bootstrap interval over the
rounds. A process plays *K* replications first (numba's cache, the route and sight
memos: a warm batch worker) and times the *N* after them (seeds 100 on, the same in
both).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

# what each timing process runs (from the revision's tree, on its PYTHONPATH)
_CHILD = """
import sys, time
import simpy
from khasan_sim.api import Simulation
from khasan_sim.scenario.builtin import historical_scenario
from khasan_sim.scenario.load import load_scenario
warm, runs = int(sys.argv[1]), int(sys.argv[2])
sc = load_scenario(historical_scenario())
for s in range(warm):
    Simulation(sc, seed=s).run_to_end()
c0 = time.process_time()
for s in range(100, 100 + runs):
    Simulation(sc, seed=s).run_to_end()
rep = (time.process_time() - c0) / runs
env = simpy.Environment()
def ticker(env, dt):
    while True:
        yield env.timeout(dt)
for i in range(10):
    env.process(ticker(env, 1.0 + i * 0.1))
c0 = time.process_time()
for _ in range(200_000):
    env.step()
rate = 200_000 / (time.process_time() - c0)
print(rep, rate)
"""


def _worktree(rev: str, where: Path) -> Path:
    """Check *rev* out into a new worktree under *where*; return its path."""
    path = where / rev.replace("/", "_")
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(path), rev], check=True)
    return path


def _time(tree: Path, warm: int, runs: int) -> tuple[float, float]:
    """Return a warm replication's CPU seconds and the bare simpy timeouts a CPU second,
    measured in a fresh process on *tree*'s code."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(warm), str(runs)], cwd=tree, env=env, check=True, capture_output=True, text=True,
    ).stdout.split()
    return float(out[0]), float(out[1])


def _interval(ratios: np.ndarray, seed: int = 0, n: int = 2000) -> tuple[float, float]:
    """Return the 90% bootstrap interval of the median of *ratios*."""
    rng = np.random.default_rng(seed)
    medians = np.median(rng.choice(ratios, size=(n, ratios.size), replace=True), axis=1)
    return float(np.quantile(medians, 0.05)), float(np.quantile(medians, 0.95))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rev_a", help="the revision measured against (a commit, branch or tag)")
    ap.add_argument("rev_b", nargs="?", default=None, help="the revision measured (default: the working tree)")
    ap.add_argument("--rounds", type=int, default=6, help="pairs of timing processes (default 6)")
    ap.add_argument("--runs", type=int, default=20, help="replications timed in each process (default 20)")
    ap.add_argument("--warm", type=int, default=10, help="replications played first in each process (default 10)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="khasan-ab-") as tmp:
        made: list[Path] = []
        try:
            tree_a = _worktree(args.rev_a, Path(tmp))
            made.append(tree_a)
            if args.rev_b is None:
                tree_b, label_b = ROOT, "working tree"
            else:
                tree_b = _worktree(args.rev_b, Path(tmp) / "b")
                made.append(tree_b)
                label_b = args.rev_b
            # a first process on each compiles its kernels into its numba cache (not timed)
            for tree in (tree_a, tree_b):
                _time(tree, 1, 1)
            a_ms, b_ms, a_cost, b_cost = [], [], [], []
            for r in range(args.rounds):
                for tree, ms, cost in ((tree_a, a_ms, a_cost), (tree_b, b_ms, b_cost)):
                    rep, rate = _time(tree, args.warm, args.runs)
                    ms.append(rep * 1e3)
                    cost.append(rep * rate)
                print(f"round {r + 1}: A {a_ms[-1]:.1f} ms ({a_cost[-1]:,.0f} timeouts), B {b_ms[-1]:.1f} ms ({b_cost[-1]:,.0f})", flush=True)
        finally:
            for tree in made:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)

    # the rounds' ratios of the costs in bare-simpy timeouts: each process's CPU time times
    # the bare loop's rate in that same process, so a host that runs slower for a while
    # (both versions' processes in a round alike) weighs less than in the milliseconds
    ratios = np.array(b_cost) / np.array(a_cost)
    lo, hi = _interval(ratios)
    print()
    print(f"A = {args.rev_a}, B = {label_b}; {args.rounds} rounds of {args.runs} warm replications (after {args.warm})")
    print(f"CPU ms a replication, median of rounds   : A {statistics.median(a_ms):7.1f}   B {statistics.median(b_ms):7.1f}")
    print(f"bare-simpy timeouts a replication, median: A {statistics.median(a_cost):7.0f}   B {statistics.median(b_cost):7.0f}")
    print(f"B against A, median of the rounds' ratios of the cost in timeouts: {100 * (np.median(ratios) - 1):+.1f}%  "
          f"(90% bootstrap interval {100 * (lo - 1):+.1f}% to {100 * (hi - 1):+.1f}%)")


if __name__ == "__main__":
    main()
