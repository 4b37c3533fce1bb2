"""A battery under fire serves its guns at 1 - suppression of its rate (engine/systems/
artillery.py), on the tiny scenario's howitzer battery."""

from __future__ import annotations

from pathlib import Path

import pytest

from khasan_sim.api import Simulation
from khasan_sim.scenario.load import load_scenario

TINY = Path(__file__).resolve().parents[2] / "tests" / "data" / "tiny" / "tiny.yaml"


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(TINY)


def _rounds_of_first_volley(tiny, suppression: float):
    e = Simulation(tiny, seed=3).engine
    b = e.units["tiny-battery"]
    b.suppression = suppression
    e.run_until(1.0)  # the preparation's first volley, at 16:00
    volleys = [ev for ev in e.log.events if ev.kind == "volley" and ev.get("unit") == b.id]
    silenced = [ev for ev in e.log.events if ev.kind == "battery_silenced"]
    return (volleys[0].get("rounds") if volleys else 0), silenced, e, b


def test_a_suppressed_battery_fires_fewer_rounds_in_proportion(tiny):
    full, silenced, _, _ = _rounds_of_first_volley(tiny, 0.0)
    half, _, _, _ = _rounds_of_first_volley(tiny, 0.5)
    assert full > 0 and not silenced
    assert half == pytest.approx(full / 2, abs=1)


def test_a_battery_pinned_by_fire_holds_its_volley_and_says_so_once(tiny):
    rounds, silenced, e, b = _rounds_of_first_volley(tiny, 1.0)
    assert rounds == 0
    assert [ev.get("unit") for ev in silenced] == [b.id]
    # still pinned at the next volley: no second message
    b.suppression = 1.0
    e.run_until(e.now + e.params.f("artillery.volley_min"))
    assert sum(ev.kind == "battery_silenced" for ev in e.log.events) == 1
    # the fire lifts: it fires again
    b.suppression = 0.0
    e.run_until(e.now + e.params.f("artillery.volley_min"))
    assert any(ev.kind == "volley" and ev.get("unit") == b.id for ev in e.log.events)
