"""Benchmark: the least a combat pulse can cost in numpy, against what it costs.

Run: ``python bench/bench_pulse_floor.py [--at HOURS] [--repeat N]``. Prints its figures;
asserts nothing. Not run by the tests.

It plays the historical scenario (seed 1) to *--at* hours, reads the units and tanks as
they stand into arrays once, then times only the array work every pulse must do however
the code around it is built: the enemy pairs within reach (``_pairs_in_range``), their
sight lines (the warm sight-line cache), each firer's nearest visible enemy, the morale
update of every unit (``morale_after_many``, ``morale_state_many``,
``decay_suppression_many``) and the men holding each zone. No random draw, no event, and
no object read (as if the engine held its state in arrays). Beside it, the whole run of
the same seed: the pulse's array work times the run's pulses is the floor of this model in
numpy, before a single casualty is drawn or a route planned.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from khasan_sim.api import Simulation
from khasan_sim.engine import kernel
from khasan_sim.model import morale
from khasan_sim.scenario.builtin import historical_scenario
from khasan_sim.scenario.load import load_scenario


def state_arrays(e: kernel.Engine) -> dict[str, Any]:
    """The figures a pulse reads, as arrays (as if the engine held them so)."""
    ground = [u for u in e._ground_units() if u.men > 0]
    targets = [u for u in ground if not u.tanks]
    live = [t for t in e.all_tanks if t.can_fire]
    tx = np.array([u.x for u in targets])
    ty = np.array([u.y for u in targets])
    tsov = np.array([u.side == "soviet" for u in targets])
    return {
        "tx": tx, "ty": ty, "tsov": tsov,
        "fx": np.concatenate((tx, [t.x for t in live])),
        "fy": np.concatenate((ty, [t.y for t in live])),
        "fsov": np.concatenate((tsov, [e.units[t.unit].side == "soviet" for t in live])),
        "morale": np.array([u.morale for u in ground]),
        "suppression": np.array([u.suppression for u in ground]),
        "holding": e._holding_men(),  # rows, cols, men and side of the units holding ground
    }


def essentials(e: kernel.Engine, a: dict[str, Any]) -> None:
    """The array work of one pulse on state already held as arrays."""
    tx, ty, tsov, fx, fy, fsov = a["tx"], a["ty"], a["tsov"], a["fx"], a["fy"], a["fsov"]
    reach = np.full(fx.size, e.cp.engagement_range_m)
    rows, cols, dist = kernel._pairs_in_range(fx, fy, fsov, reach, tx, ty, tsov)
    seen = e._los_arrays(fx[rows], fy[rows], tx[cols], ty[cols]) | (dist <= e.cp.close_assault_m)
    rows, cols, dist = rows[seen], cols[seen], dist[seen]
    order = np.lexsort((cols, dist, rows))
    rows = rows[order]
    np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
    m, sup = a["morale"], a["suppression"]
    n = m.size
    new = morale.morale_after_many(
        m, loss_share=np.zeros(n), suppression=sup, minutes=5.0, is_night=False, shocks=np.zeros(n),
        resting=np.zeros(n, dtype=bool), baseline=m, suppression_floor=np.full(n, 0.5), **e.cp.morale_weights,
    )
    morale.morale_state_many(new, sup, np.zeros(n), *(np.full(n, v) for v in (0.5, 0.3, 0.15, 0.6, 0.1)))
    morale.decay_suppression_many(sup, 5.0, 30.0)
    e._presence_all(a["holding"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--at", type=float, default=40.0, help="hours into the run (default 40: 8 August 08:00)")
    ap.add_argument("--repeat", type=int, default=400)
    args = ap.parse_args()
    scenario = load_scenario(historical_scenario())
    Simulation(scenario, seed=0).run_to_end()  # warm the process's sight and path caches
    t0 = time.perf_counter()
    whole = Simulation(scenario, seed=1)
    whole.run_to_end()
    run_s = time.perf_counter() - t0
    pulses = int(whole.engine.end_min // whole.engine.cp.pulse_min)
    sim = Simulation(scenario, seed=1)
    e = sim.engine
    e.run_until(args.at * 60.0)
    a = state_arrays(e)
    essentials(e, a)
    t0 = time.perf_counter()
    for _ in range(args.repeat):
        essentials(e, a)
    floor_ms = (time.perf_counter() - t0) / args.repeat * 1e3
    print(f"state at {args.at:.0f} h: {a['morale'].size} ground units with men, {a['fx'].size - a['tx'].size} tanks that can fire, "
          f"{a['tx'].size} targets")
    print(f"a pulse's array work alone (state held as arrays, no draws): {floor_ms:6.3f} ms -> {floor_ms * pulses / 1e3:5.2f} s for the run's {pulses} pulses")
    print(f"the whole run, seed 1 (pulses, moves, routes, fire missions) : {run_s:6.2f} s  -> {run_s / pulses * 1e3:5.3f} ms a pulse")


if __name__ == "__main__":
    main()
