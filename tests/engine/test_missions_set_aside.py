"""Fire missions whose rounds are all fired are set aside between the pulse they are spent
and the pulse they end or their battery runs dry (systems/artillery.py ``_fire_missions``):
the run is the one in which they are stepped at every pulse, event for event."""

from __future__ import annotations

from pathlib import Path

import pytest

from khasan_sim.api import Simulation
from khasan_sim.scenario.load import load_scenario

TINY = Path(__file__).resolve().parents[2] / "tests" / "data" / "tiny" / "tiny.yaml"


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(TINY)


def _events(tiny, seed: int, set_aside: bool) -> tuple[list[tuple], int]:
    """Play the tiny battery's three missions (a small one spent at once, one that fires
    until the battery runs dry, another small one begun after it) and return the events
    and how many times a mission set aside was taken up again by its battery running dry."""
    sim = Simulation(tiny, seed=seed, player_sides=["soviet", "japanese"])
    e = sim.engine
    e._idle_steps = set_aside
    woken = []
    wake = e._wake

    def counting_wake(missions):
        woken.extend(m for m in missions if e.now < m.end - 1e-9)
        wake(missions)

    e._wake = counting_wake
    e.units["tiny-battery"].ammunition = 150
    sim.give({"kind": "fire_mission", "unit": "tiny-battery", "mission": "support", "target": "zaozernaya", "duration_min": 240, "rounds": 12})
    sim.advance_minutes(12)
    sim.give({"kind": "fire_mission", "unit": "tiny-battery", "mission": "barrage", "target": "zaozernaya", "duration_min": 240})
    sim.advance_minutes(1)
    sim.give({"kind": "fire_mission", "unit": "tiny-battery", "mission": "support", "target": "zaozernaya", "duration_min": 240, "rounds": 6})
    sim.advance_minutes(300)
    return [(ev.kind, tuple(ev.fields)) for ev in e.log.events] + [("digest", e.log.digest())], len(woken)


@pytest.mark.parametrize("seed", [1, 2])
def test_missions_set_aside_leave_the_run_as_it_was(tiny, seed):
    stepped, _ = _events(tiny, seed, set_aside=False)
    aside, woken = _events(tiny, seed, set_aside=True)
    assert woken >= 1  # the battery ran dry with missions set aside
    kinds = [k for k, _ in aside]
    assert kinds.count("out_of_ammunition") >= 2  # the missions set aside said so, in their places
    assert aside == stepped
