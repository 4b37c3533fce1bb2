"""Tank fire on gun positions (6 December): the tanks' fire wrecks the guns of an
anti-tank position it hits (the digest: the 2nd battalion "destroyed infantry and
anti-tank positions"), and a lost anti-tank gun fires no more. (The distance from which a stuck tank is observed is
held to its plain reference in tests/engine/test_kernel_zones_artillery.py.)"""

from __future__ import annotations

import pytest

from khasan_sim.api import Simulation
from khasan_sim.scenario.builtin import historical_scenario
from khasan_sim.scenario.load import load_scenario


@pytest.fixture()
def engine():
    return Simulation(load_scenario(historical_scenario()), seed=3).engine


def _guns_lost(engine, unit):
    return [e for e in engine.log.events if e.kind == "guns_lost" and e.get("unit") == unit]


def test_anti_tank_guns_are_guns_that_can_be_lost(engine):
    at = engine.units["j-at37-zao"]
    assert at.guns == {"at37": 4}


def test_tank_fire_that_hits_every_man_of_a_gun_position_wrecks_its_guns(engine):
    at = engine.units["j-at37-zao"]
    tank = engine.units["2mb-2tb"].tanks[0]
    _, at_counts = engine._arms_now()
    k = engine._at_weapons.index("at37")
    assert at_counts[at.row, k] == 4
    engine._tank_fire_on_guns(at, tank, p_man_hit=1.0, tank_share=1.0)
    assert at.guns["at37"] == 0 and at.guns_lost == 4
    (ev,) = _guns_lost(engine, "j-at37-zao")
    assert ev.get("by_unit") == "2mb-2tb" and ev.get("cause") == f"tank-fire:{tank.id}" and ev.get("fire") == "tank"
    _, at_counts = engine._arms_now()
    assert at_counts[at.row, k] == 0  # a lost anti-tank gun fires no more


def test_fire_that_no_tank_gave_or_that_hits_no_one_wrecks_no_gun(engine):
    at = engine.units["j-at37-zao"]
    tank = engine.units["2mb-2tb"].tanks[0]
    engine._tank_fire_on_guns(at, tank, p_man_hit=0.0, tank_share=1.0)
    engine._tank_fire_on_guns(at, tank, p_man_hit=1.0, tank_share=0.0)
    rifles = engine.units["j-75ir-1bn"]
    engine._tank_fire_on_guns(rifles, tank, p_man_hit=1.0, tank_share=1.0)  # not a gun position
    assert at.guns["at37"] == 4 and not _guns_lost(engine, "j-at37-zao") and not _guns_lost(engine, "j-75ir-1bn")

