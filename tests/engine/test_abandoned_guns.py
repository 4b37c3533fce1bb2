"""Guns left behind (systems/abandoned_guns.py): a battery or anti-aircraft unit that falls
back loses the guns its remaining men cannot serve; a rifle unit's regimental guns and a
unit at full strength keep theirs."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khasan_sim.api import Simulation
from khasan_sim.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(ROOT / "tests" / "data" / "tiny" / "tiny.yaml")


def _abandoned(e, uid: str) -> list[dict]:
    return [dict(ev.fields) for ev in e.log.events if ev.kind == "guns_lost" and ev.get("unit") == uid and ev.get("cause") == "abandoned"]


def test_a_battery_that_lost_half_its_men_leaves_half_its_guns(tiny) -> None:
    sim = Simulation(tiny, seed=1)
    e = sim.engine
    b = e.units["tiny-battery"]  # 90 men, 4 howitzers: a crew of 22.5
    b.men = 50  # serves 2 (45 men), not 3
    e._retreat(b, cause="morale")
    got = _abandoned(e, "tiny-battery")
    assert [(g["weapon"], g["n"]) for g in got] == [("how-122", 2)]
    assert b.guns == {"how-122": 2} and b.guns_lost == 2
    assert sim.metrics()["soviet.guns.lost"] == 2


def test_a_full_battery_takes_its_guns_and_a_rifle_company_is_not_a_battery(tiny) -> None:
    e = Simulation(tiny, seed=1).engine
    b = e.units["tiny-battery"]
    e._retreat(b, cause="morale")
    assert not _abandoned(e, "tiny-battery") and b.guns == {"how-122": 4}
    jp = e.units["tiny-jp-coy"]
    jp.guns = {"gun-75": 2}  # as a rifle regiment's regimental guns
    jp.men = 10
    e._retreat(jp, cause="morale")
    assert not _abandoned(e, "tiny-jp-coy") and jp.guns == {"gun-75": 2}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(men=st.integers(0, 90), lost_before=st.integers(0, 3))
def test_guns_are_conserved_and_never_more_than_the_crews_after_a_fall_back(tiny, men: int, lost_before: int) -> None:
    e = Simulation(tiny, seed=1).engine
    b = e.units["tiny-battery"]
    b.guns = {"how-122": 4 - lost_before}
    b.guns_lost = lost_before
    b.men = men
    e._retreat(b, cause="morale")
    left = sum(b.guns.values())
    assert left + b.guns_lost == 4  # every gun is kept or lost, once
    assert left == min(4 - lost_before, int(men / 22.5 + 1e-9))  # what the crews left can serve
