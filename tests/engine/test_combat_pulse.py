"""The combat pulse after direct fire in one compiled call (systems/combat_pulse.py) gives
the event log the parts give one by one: direct fire, observed fire, the pulse's end. And
each place where the pulse leaves the one call for the parts (a knock-out in direct fire,
a stuck tank without a draw, a tank hit by observed fire) is met in a run, so each is held
to the parts."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khasan_sim.api import Simulation
from khasan_sim.engine.kernels import combat_pulse as kernel
from khasan_sim.engine.systems import combat_pulse
from khasan_sim.engine.systems.combat_pulse import CombatPulseSystem
from khasan_sim.scenario.builtin import historical_scenario
from khasan_sim.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parents[2]


def _parts_one_by_one(self, dt: float) -> None:
    """The pulse after the fire missions as the engine made it before the one call."""
    self._direct_fire(dt)
    self._observed_fire(dt)
    self._after_the_fire(dt)


def _digest(scenario, seed: int) -> str:
    sim = Simulation(scenario, seed=seed)
    sim.run_to_end()
    return sim.engine.log.digest()


@pytest.fixture(scope="module")
def historical():
    return load_scenario(historical_scenario())


def test_each_stop_is_met_and_the_log_is_the_parts_one_by_one(historical, monkeypatch):
    stops: Counter[int] = Counter()
    call = kernel.after_direct_fire
    after = CombatPulseSystem._after_direct_fire

    def counted(args):
        stopped = call(args)
        stops[stopped] += 1
        return stopped

    def knocked_out_counted(self, dt, n_hit, n_ko, half_full):
        stops["knock-outs"] += 1 if n_ko else 0
        return after(self, dt, n_hit, n_ko, half_full)

    monkeypatch.setattr(combat_pulse.kernel, "after_direct_fire", counted)
    monkeypatch.setattr(CombatPulseSystem, "_after_direct_fire", knocked_out_counted)
    in_one_call = _digest(historical, 3)
    pulses = sum(v for k, v in stops.items() if k != "knock-outs")
    # every place the pulse leaves the call is met; most pulses go through to the end
    assert stops["knock-outs"] > 0
    assert set(stops) == {"knock-outs", kernel.STOPPED_FOR_DRAWS, kernel.STOPPED_AFTER_OBSERVED_FIRE, kernel.THROUGH_TO_THE_END}
    assert stops[kernel.THROUGH_TO_THE_END] > 0.8 * pulses

    monkeypatch.setattr(CombatPulseSystem, "_fire_and_end", _parts_one_by_one)
    assert _digest(historical, 3) == in_one_call


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**31 - 1), variant=st.sampled_from(["border-open", "round-the-swamp", "air-strike-in-fog", None]))
def test_one_call_and_parts_give_the_same_log(historical, monkeypatch, seed, variant):
    scenario = historical if variant is None else load_scenario(ROOT / "scenarios" / "khasan_1938" / "variants" / f"{variant}.yaml")
    in_one_call = _digest(scenario, seed)
    with monkeypatch.context() as m:
        m.setattr(CombatPulseSystem, "_fire_and_end", _parts_one_by_one)
        assert _digest(scenario, seed) == in_one_call
