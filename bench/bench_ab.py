"""Benchmark: is one version of the engine faster than another? A warm replication's CPU
time under two git revisions, replication by replication, with the difference and its
interval.

Run: ``python bench/bench_ab.py REV_A [REV_B] [--processes P] [--seeds N] [--warm K]``
(``REV_B`` defaults to the working tree). Prints its figures; asserts nothing.

Why: on a shared machine a replication's CPU time wanders by several percent from one
minute to the next (6 December: 141 to 155 ms for the same code within ten minutes),
more than most single changes to the engine gain or lose. Timing one version, then the
other, reads that drift as a difference. And a process has a speed of its own: two
processes of the same code, playing the same seeds in turn, differed by -1.6% to +1.2%
(6 December, 60 seeds each; where its code and data happen to lie in memory).

So: each revision is checked out into a temporary git worktree, and *P* pairs of
processes are started, one process on each revision, both warmed up at once (*K*
replications: numba's cache, the route and sight memos, as in a batch worker). Then the
two play the same *N* seeds in turn, one replication at a time (which goes first
alternates), so that each pair of replications is timed within a third of a second of
each other and the host's drift falls on both alike. A pair of processes gives the median
of its replications' ratios of CPU time, which carries the two processes' own speeds;
the difference is the median over the *P* pairs of processes, with a 90% bootstrap
interval over them, so that the processes' own speeds are in the interval instead of
posing as a difference. With the defaults (10 pairs of 12 seeds, about two minutes) the
interval is about ±1%: the same code against itself gave +0.4% (-0.4% to +0.9%; the pairs
of processes from -3.7% to +1.8%).

(Until the tenth session of 6 December the tool timed the versions in alternating fresh
processes of twelve replications each, a round a minute: an interval of about ±3% after
ten rounds.)
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

# what each timing process runs (from the revision's tree, on its PYTHONPATH): it warms up,
# says "ready", then for each seed it reads plays one replication and writes its CPU
# seconds; on "rate" it writes a bare simpy loop's timeouts a CPU second
_CHILD = """
import sys, time
import simpy
from khasan_sim.api import Simulation
from khasan_sim.scenario.builtin import historical_scenario
from khasan_sim.scenario.load import load_scenario
sc = load_scenario(historical_scenario())
for s in range(int(sys.argv[1])):
    Simulation(sc, seed=s).run_to_end()
def ticker(env, dt):
    while True:
        yield env.timeout(dt)
print("ready", flush=True)
for line in sys.stdin:
    word = line.strip()
    if word == "rate":
        env = simpy.Environment()
        for i in range(10):
            env.process(ticker(env, 1.0 + i * 0.1))
        c0 = time.process_time()
        for _ in range(200_000):
            env.step()
        print(200_000 / (time.process_time() - c0), flush=True)
        continue
    c0 = time.process_time()
    Simulation(sc, seed=int(word)).run_to_end()
    print(time.process_time() - c0, flush=True)
"""


class _Timer:
    """A warm timing process on one revision's tree (:data:`_CHILD`)."""

    def __init__(self, tree: Path, warm: int) -> None:
        env = {**os.environ, "PYTHONPATH": str(tree)}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(warm)], cwd=tree, env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        )

    def ready(self) -> None:
        """Wait for the warm-up to end."""
        if self._read() != "ready":
            raise RuntimeError("the timing process did not start")

    def ask(self, word: str) -> float:
        """Send *word* (a seed, or ``rate``) and return the figure written back."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(word + "\n")
        self.proc.stdin.flush()
        return float(self._read())

    def _read(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the timing process ended (exit code {self.proc.wait()})")
        return line.strip()

    def close_when_ready(self) -> None:
        """Wait for the warm-up to end, then close."""
        self.ready()
        self.close()

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)


def _worktree(rev: str, where: Path) -> Path:
    """Check *rev* out into a new worktree under *where*; return its path."""
    path = where / rev.replace("/", "_")
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(path), rev], check=True)
    return path


def _interval(values: np.ndarray, seed: int = 0, n: int = 2000) -> tuple[float, float]:
    """Return the 90% bootstrap interval of the median of *values*."""
    rng = np.random.default_rng(seed)
    medians = np.median(rng.choice(values, size=(n, values.size), replace=True), axis=1)
    return float(np.quantile(medians, 0.05)), float(np.quantile(medians, 0.95))


def _pair(tree_a: Path, tree_b: Path, seeds: list[int], warm: int) -> tuple[list[float], list[float], float]:
    """Play *seeds* on a new process on each tree in turn (after *warm* replications each,
    played at once); return each one's CPU seconds a replication and the bare simpy
    loop's timeouts a CPU second (the median of the two processes')."""
    timers = [_Timer(tree_a, warm), _Timer(tree_b, warm)]
    try:
        for t in timers:
            t.ready()
        a, b = timers
        a_s, b_s = [], []
        for k, seed in enumerate(seeds):
            first, second = (a, b) if k % 2 == 0 else (b, a)
            x, y = first.ask(str(seed)), second.ask(str(seed))
            a_s.append(x if first is a else y)
            b_s.append(y if first is a else x)
        rate = statistics.median([a.ask("rate"), b.ask("rate")])
    finally:
        for t in timers:
            t.close()
    return a_s, b_s, rate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rev_a", help="the revision measured against (a commit, branch or tag)")
    ap.add_argument("rev_b", nargs="?", default=None, help="the revision measured (default: the working tree)")
    ap.add_argument("--processes", type=int, default=10, help="pairs of timing processes (default 10)")
    ap.add_argument("--seeds", type=int, default=12, help="seeds each pair of processes plays on both (default 12)")
    ap.add_argument("--warm", type=int, default=8, help="replications played first in each process (default 8)")
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
            # one process on each first, one after the other: each compiles its kernels into
            # its tree's numba cache (not timed), so that the pairs' warm-ups only load them
            for tree in (tree_a, tree_b):
                _Timer(tree, 1).close_when_ready()
            a_ms, b_ms, ratios, costs = [], [], [], []
            for p in range(args.processes):
                seeds = list(range(100 + p * args.seeds, 100 + (p + 1) * args.seeds))
                a_s, b_s, rate = _pair(tree_a, tree_b, seeds, args.warm)
                a_ms.append(1e3 * statistics.median(a_s))
                b_ms.append(1e3 * statistics.median(b_s))
                ratios.append(float(np.median(np.array(b_s) / np.array(a_s))))
                costs.append((statistics.median(a_s) * rate, statistics.median(b_s) * rate))
                print(f"processes {p + 1}: A {a_ms[-1]:.1f} ms, B {b_ms[-1]:.1f} ms a replication; "
                      f"B against A {100 * (ratios[-1] - 1):+.1f}% (median of {len(seeds)} pairs)", flush=True)
        finally:
            for tree in made:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)

    r = np.array(ratios)
    lo, hi = _interval(r)
    print()
    print(f"A = {args.rev_a}, B = {label_b}; {args.processes} pairs of processes, each playing {args.seeds} seeds on both "
          f"in turn (after {args.warm} replications)")
    print(f"CPU ms a replication, median of the processes: A {statistics.median(a_ms):7.1f}   B {statistics.median(b_ms):7.1f}")
    print(f"bare-simpy timeouts a replication, median    : A {statistics.median(c[0] for c in costs):7.0f}   "
          f"B {statistics.median(c[1] for c in costs):7.0f}")
    print(f"B against A, median over the pairs of processes of their median ratio of CPU time: {100 * (np.median(r) - 1):+.1f}%  "
          f"(90% bootstrap interval {100 * (lo - 1):+.1f}% to {100 * (hi - 1):+.1f}%)")


if __name__ == "__main__":
    main()
