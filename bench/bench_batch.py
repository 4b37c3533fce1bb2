"""Benchmark: batch studies of a scenario - runs/s on 1 and 2 workers, parallel efficiency,
and the per-run overhead of the study file and of the Dask path against the local pool.

Run: ``python bench/bench_batch.py [--scenario FILE] [--runs N] [--no-dask]``. Prints its
figures; asserts nothing. Not run by the tests.

What it measures, each with real replications of the scenario:

1. one replication in this process, no pool, no file (the run's own cost);
2. a study on the local pool with 1 worker and with 2 workers, stored in a study file:
   runs/s over the whole study (pool start and scenario loading included) and in the
   steady state (from the K-th finished run to the last, K the worker count);
   parallel efficiency = steady rate(2) / (2 x steady rate(1));
3. the study file's per-run overhead: storing N real results in batches of 50 (timed
   directly), and the difference between the 2-worker pool with and without the file;
4. the Dask path's per-run overhead: the same study on a LocalCluster of the same number
   of worker processes, against the local pool (cluster start-up not counted);
5. the projected wall time of 1,000 replications on 2 workers (goal: under 2 minutes).

Goals (issue 15): 1,000 replications of the historical scenario in under 2 minutes on this
2-core machine; parallel efficiency of 2 workers against 1 of at least 0.9.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from khasan_sim.api import Simulation
from khasan_sim.rng import replication_seed
from khasan_sim.runner.batch import run_study, study_spec, study_tasks
from khasan_sim.runner.pool import local_runs
from khasan_sim.runner.replication import Replications
from khasan_sim.runner.study import RunRecord, StudyFile
from khasan_sim.scenario.builtin import historical_scenario
from khasan_sim.scenario.load import load_scenario


class Stamps:
    """A progress receiver that notes when each run finished."""

    def __init__(self) -> None:
        self.t0 = 0.0
        self.times: list[float] = []

    def start(self, total: int, already: int) -> None:
        self.t0 = time.perf_counter()

    def advance(self, ok: int, errors: int) -> None:
        now = time.perf_counter()
        self.times.extend([now] * (ok + errors))

    def stop(self) -> None:
        pass


def rates(t0: float, times: list[float], workers: int) -> tuple[float, float]:
    """Return (runs/s over the whole study, runs/s in the steady state)."""
    n = len(times)
    whole = n / (times[-1] - t0) if n else 0.0
    k = min(workers, n - 1)
    steady = (n - k) / (times[-1] - times[k - 1]) if n > k >= 1 and times[-1] > times[k - 1] else whole
    return whole, steady


def pool_without_file(source: Replications, tasks: list[tuple[int, int]], workers: int) -> tuple[float, list[float]]:
    """Run the tasks on the local pool and drop the results; return (t0, finish times)."""
    t0 = time.perf_counter()
    times = []
    for _ in local_runs(source, tasks, workers):
        times.append(time.perf_counter())
    return t0, times


def study(path: Path, scenario, source: Replications, runs: int, *, workers: int = 1, scheduler=None) -> tuple[float, list[float], float]:
    """Run a fresh study; return (t0, finish times, wall seconds)."""
    spec = study_spec(scenario, study_seed=1, runs=runs)
    stamps = Stamps()
    with StudyFile.create(path, spec) as f:
        session = run_study(f, source, workers=workers, scheduler=scheduler, progress=stamps)
    if session.errors:
        print(f"  warning: {session.errors} run(s) raised: {session.new_errors[0].error.splitlines()[-1]}")
    return stamps.t0, stamps.times, session.wall_seconds


def file_cost(path: Path, scenario, text: str, runs: int) -> float:
    """Return the seconds per run of storing *runs* results of this size in batches of 50."""
    spec = study_spec(scenario, study_seed=1, runs=runs)
    records = [RunRecord(i, replication_seed(1, i), "ok", text, None, 1.0, "bench") for i in range(runs)]
    with StudyFile.create(path, spec) as f:
        t0 = time.perf_counter()
        for i in range(0, runs, 50):
            f.record_runs(records[i : i + 50])
        return (time.perf_counter() - t0) / runs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario", default=str(historical_scenario()))
    ap.add_argument("--runs", type=int, default=12, help="replications per configuration (default 12)")
    ap.add_argument("--no-dask", action="store_true", help="skip the Dask measurement")
    args = ap.parse_args()
    n = args.runs

    print(f"scenario {args.scenario}; {n} replications per configuration; {os.cpu_count()} cores")
    t = time.perf_counter()
    scenario = load_scenario(args.scenario)
    print(f"load the scenario: {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    result = Simulation(scenario, replication_seed(1, 0)).run_to_end()
    one = time.perf_counter() - t
    text = json.dumps(result.to_json(), separators=(",", ":"))
    print(f"one replication in this process: {one:.2f} s ({result.events:,} events; result JSON {len(text) / 1024:.1f} KiB)")

    source = Replications(str(scenario.path), None, (), scenario.digest)
    tasks = study_tasks(1, list(range(n)))
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        figures = {}
        for workers in (1, 2):
            t0, times, wall = study(tmpdir / f"local{workers}.sqlite", scenario, source, n, workers=workers)
            whole, steady = rates(t0, times, workers)
            figures[workers] = (whole, steady, wall)
            print(f"local pool, {workers} worker(s), study file: {whole:.3f} runs/s overall ({wall:.1f} s), {steady:.3f} runs/s steady")
        efficiency = figures[2][1] / (2 * figures[1][1]) if figures[1][1] else float("nan")
        efficiency_whole = figures[2][0] / (2 * figures[1][0]) if figures[1][0] else float("nan")
        print(f"parallel efficiency, 2 workers against 1: {efficiency:.2f} steady, {efficiency_whole:.2f} overall (goal >= 0.9)")

        per_run = file_cost(tmpdir / "cost.sqlite", scenario, text, max(n, 200))
        t0, times = pool_without_file(source, tasks, 2)
        wall_nofile = times[-1] - t0
        print(
            f"study file overhead: {1000 * per_run:.2f} ms per run stored (timed directly, batches of 50); "
            f"pool with file {figures[2][2]:.1f} s vs without {wall_nofile:.1f} s for {n} runs "
            f"({1000 * (figures[2][2] - wall_nofile) / n:+.1f} ms per run, noisy)"
        )

        if not args.no_dask:
            try:
                from distributed import LocalCluster
            except ImportError:
                print("dask path: skipped (pip install 'dask[distributed]')")
            else:
                t = time.perf_counter()
                with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
                    start = time.perf_counter() - t
                    t0, times, wall = study(tmpdir / "dask.sqlite", scenario, source, n, scheduler=cluster.scheduler_address)
                whole, steady = rates(t0, times, 2)
                print(
                    f"dask LocalCluster, 2 worker processes (start-up {start:.1f} s, not counted): {whole:.3f} runs/s overall "
                    f"({wall:.1f} s), {steady:.3f} runs/s steady; overhead against the local pool "
                    f"{1000 * (wall - figures[2][2]) / n:+.1f} ms per run overall, "
                    f"{1000 * (1 / steady - 1 / figures[2][1]):+.1f} ms per run steady"
                )

        steady2 = figures[2][1]
        startup = max(0.0, figures[2][2] - n / steady2) if steady2 else 0.0
        projected = startup + 1000 / steady2 if steady2 else float("inf")
        print(f"projected 1,000 replications on 2 workers: {projected / 60:.1f} min (goal < 2 min)")


if __name__ == "__main__":
    main()
