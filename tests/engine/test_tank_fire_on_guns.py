"""Tank fire on gun positions: the guns the tanks' fire is expected to hit are spread over
an anti-tank position's guns, each lost with chance 1 - exp(-hits / guns) (the digest: the
2nd battalion "destroyed infantry and anti-tank positions"), and a lost anti-tank gun
fires no more. (The distance from which a stuck tank is observed is
held to its plain reference in tests/engine/test_kernel_zones_artillery.py.)"""

from __future__ import annotations

import math

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


def test_tank_fire_expected_to_hit_many_times_each_gun_wrecks_them_all(engine):
    at = engine.units["j-at37-zao"]
    tank = engine.units["2mb-2tb"].tanks[0]
    _, at_counts = engine._arms_now()
    k = engine._at_weapons.index("at37")
    assert at_counts[at.row, k] == 4
    engine._tank_fire_on_guns(at, tank, expected_guns=200.0)
    assert at.guns["at37"] == 0 and at.guns_lost == 4
    (ev,) = _guns_lost(engine, "j-at37-zao")
    assert ev.get("by_unit") == "2mb-2tb" and ev.get("cause") == f"tank-fire:{tank.id}" and ev.get("fire") == "tank"
    _, at_counts = engine._arms_now()
    assert at_counts[at.row, k] == 0  # a lost anti-tank gun fires no more


def test_fire_expected_to_hit_no_gun_wrecks_none_nor_fire_on_men_without_guns(engine):
    at = engine.units["j-at37-zao"]
    tank = engine.units["2mb-2tb"].tanks[0]
    engine._tank_fire_on_guns(at, tank, expected_guns=0.0)
    rifles = engine.units["j-75ir-1bn"]
    engine._tank_fire_on_guns(rifles, tank, expected_guns=200.0)  # not a gun position
    assert at.guns["at37"] == 4 and not _guns_lost(engine, "j-at37-zao") and not _guns_lost(engine, "j-75ir-1bn")



def test_guns_are_lost_at_the_rate_of_the_expected_hits_spread_over_them(engine):
    """One expected hit on four guns: each is lost with chance 1 - exp(-1/4) = 0.221, so
    0.885 of the four on average (over many independent positions)."""
    tank = engine.units["2mb-2tb"].tanks[0]
    at = engine.units["j-at37-zao"]
    lost = 0
    n = 400
    for _ in range(n):
        at.guns["at37"] = 4
        engine._tank_fire_on_guns(at, tank, expected_guns=1.0)
        lost += 4 - at.guns["at37"]
    mean = lost / n
    assert abs(mean - 4 * (1 - math.exp(-0.25))) < 4 * math.sqrt(4 * 0.221 * 0.779 / n)
