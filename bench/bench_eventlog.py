"""Benchmark: the event log's cost over the events of one recorded historical replication.

Records the appends of one run (seed 1), then replays them into fresh logs and times:
the appends alone, appends then one ``digest()`` (a batch run), appends then ``events`` and
``digest()`` (a run that is read), and appends with ``digest()`` read every 100 events (the
UI). ``--compare PATH`` times another eventlog module too (e.g. an older eventlog.py saved
with ``git show REV:khasan_sim/engine/eventlog.py > old.py``) and checks it gives the same
digest.

Run: ``python bench/bench_eventlog.py [--repeat N] [--compare old.py]``. Times are CPU seconds (the least of the repeats), so a busy machine
shares its cores without inflating them much. Prints its figures;
asserts nothing.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from khasan_sim.api import Simulation
from khasan_sim.engine import eventlog
from khasan_sim.scenario.builtin import historical_scenario
from khasan_sim.scenario.load import load_scenario


def record() -> tuple[list[tuple[float, str, dict[str, Any]]], str]:
    """Return the appends of one historical run (seed 1) and the run's digest."""
    sim = Simulation(load_scenario(historical_scenario()), seed=1)
    log = sim.engine.log
    seen: list[tuple[float, str, dict[str, Any]]] = []
    add = log.add  # what the engine writes through (``append`` packs the fields and calls it)

    def rec(t_min: float, kind: str, fields: dict[str, Any]) -> Any:
        seen.append((t_min, kind, dict(fields)))
        return add(t_min, kind, fields)

    log.add = rec  # type: ignore[method-assign]  # an instance attribute shadows the method
    digest = sim.run_to_end().events_digest
    if not seen:
        msg = "recorded no events: the engine no longer writes through EventLog.add"
        raise SystemExit(msg)
    return seen, digest


def timings(mod: Any, events: list[tuple[float, str, dict[str, Any]]], repeat: int) -> dict[str, float]:
    """Return the least seconds (of *repeat*) of each way of using a log of module *mod*."""

    def appends() -> Any:
        log = mod.EventLog()
        for t, kind, fields in events:
            log.append(t, kind, **fields)
        return log

    def batch() -> None:
        appends().digest()

    def read() -> None:
        log = appends()
        _ = log.events
        log.digest()

    def ui() -> None:
        log = mod.EventLog()
        for i, (t, kind, fields) in enumerate(events):
            log.append(t, kind, **fields)
            if i % 100 == 99:
                log.digest()
                _ = log.events[-10:]
        log.digest()

    out = {}
    for name, fn in (("append only", appends), ("append + digest", batch), ("append + events + digest", read), ("UI: digest+events every 100", ui)):
        ts = []
        for _ in range(repeat):
            t0 = time.process_time()
            fn()
            ts.append(time.process_time() - t0)
        out[name] = min(ts)  # the least disturbed by a busy machine
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--compare", help="path of another eventlog.py to time beside this one")
    args = ap.parse_args()
    events, want = record()
    mods: dict[str, Any] = {"this eventlog": eventlog}
    if args.compare:
        spec = importlib.util.spec_from_file_location("eventlog_compare", args.compare)
        assert spec is not None and spec.loader is not None
        other = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = other  # dataclasses look their module up there
        spec.loader.exec_module(other)
        mods[f"{args.compare}"] = other
    print(f"events in the recorded run: {len(events)}")
    for label, mod in mods.items():
        log = mod.EventLog()
        for t, kind, fields in events:
            log.append(t, kind, **fields)
        same = "same digest as the run" if log.digest() == want else "DIGEST DIFFERS from the run"
        print(f"{label}: {same}")
        for name, sec in timings(mod, events, args.repeat).items():
            print(f"  {name:30s}: {sec * 1e3:7.2f} ms a run  ({sec / len(events) * 1e6:5.2f} us an event)")


if __name__ == "__main__":
    main()
