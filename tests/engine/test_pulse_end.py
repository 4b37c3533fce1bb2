"""The pulse's end asked in one compiled call (systems/pulse_end.py) gives the event log the
parts give one by one: close quarters and morale, the counter-attacks under way, the morale
settled, falling back further, the zones' holders."""

from __future__ import annotations

import pytest

from khasan_sim.api import Simulation
from khasan_sim.engine.systems.pulse_end import PulseEndSystem
from khasan_sim.engine.systems.zones import ZonesSystem
from khasan_sim.scenario.builtin import historical_scenario
from khasan_sim.scenario.load import load_scenario


@pytest.fixture(scope="module")
def historical():
    return load_scenario(historical_scenario())


@pytest.mark.parametrize("seed", [2, 5])
def test_pulse_end_in_one_call_is_the_parts_one_by_one(historical, seed, monkeypatch):
    calls = {"parts": 0}
    parts = ZonesSystem._fall_back_and_hold

    def counted(self, dt):
        calls["parts"] += 1
        return parts(self, dt)

    monkeypatch.setattr(ZonesSystem, "_fall_back_and_hold", counted)
    sim = Simulation(historical, seed=seed)
    sim.run_to_end()
    in_one_call = sim.engine.log.digest()
    pulses = sim.engine.end_min / sim.engine.cp.pulse_min
    assert 0 < calls["parts"] < 0.2 * pulses  # most pulses take the one call; some not

    # the parts one by one: the holding part never asked with the morale
    made = PulseEndSystem._pulse_end_args
    monkeypatch.setattr(PulseEndSystem, "_pulse_end_args", lambda self: made(self)._replace(with_holding=None))
    calls["parts"] = 0
    sim = Simulation(historical, seed=seed)
    sim.run_to_end()
    assert calls["parts"] >= pulses - 1
    assert sim.engine.log.digest() == in_one_call
