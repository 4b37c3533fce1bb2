"""Heights taken, when, and at what price: one line per study, to compare pairings.

    khasan-sim batch scenarios/khasan_1938/historical.yaml --runs 200 --out historical.sqlite
    khasan-sim batch scenarios/khasan_1938/historical.yaml --soviet ai --runs 200 --out soviet-ai.sqlite
    python examples/pairing_table.py historical.sqlite soviet-ai.sqlite

For each study (its pairing is in its variant id): for each height, the share of runs in
which the Soviets hold it at the end and the median hour they first took it (of the runs
in which they did); the losses of each side (killed, wounded and missing) at the end,
median and 5-95 % range.
"""

from __future__ import annotations

import sys

import numpy as np

from khasan_sim.runner.study import StudyFile

HEIGHTS = ("zaozernaya", "bezymyannaya", "machine-gun-hill", "bogomolnaya")


def _q(values: list[float]) -> str:
    a = np.asarray(values, dtype=float)
    return f"{np.median(a):,.0f} ({np.quantile(a, 0.05):,.0f}-{np.quantile(a, 0.95):,.0f})"


def summarise(path: str) -> None:
    """Print one study's lines."""
    with StudyFile.open(path, readonly=True) as study:
        results = study.results()
        name = study.spec.variant or "base (recorded orders vs doctrine)"
    ends = [r.snapshots[max(r.snapshots)] for r in results]
    print(f"{path}: {name}, {len(ends)} runs")
    for z in HEIGHTS:
        held = np.mean([m.get(f"objective.{z}.holder") == "soviet" for m in ends])
        firsts = [m[f"objective.{z}.first_soviet_hold"] for m in ends if m.get(f"objective.{z}.first_soviet_hold") is not None]
        when = f"first taken after {np.median(firsts):5.1f} h (median of {len(firsts)} runs)" if firsts else "never taken"
        print(f"  {z:17s} Soviet at the end in {held:4.0%} of runs; {when}")
    for side in ("soviet", "japanese"):
        lost = [m[f"{side}.killed"] + m[f"{side}.wounded"] + m[f"{side}.missing"] for m in ends]
        print(f"  {side:9s} losses (killed + wounded + missing) {_q(lost)}")


if __name__ == "__main__":
    for p in sys.argv[1:]:
        summarise(p)
