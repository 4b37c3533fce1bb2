"""A unit thrown off the ground it was ordered to take or hold goes back for it once it has
rallied (systems/orders.py ``_resume_mission``); the side the Japanese doctrine commands
goes back by its counter-attacks instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from khasan_sim.api import Simulation
from khasan_sim.model.morale import MoraleState
from khasan_sim.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(ROOT / "tests" / "data" / "tiny" / "tiny.yaml")


def _resumed(e, uid: str) -> bool:
    return any(ev.kind == "order_resumed" and ev.get("unit") == uid for ev in e.log.events)


def _break_and_rally(e, u) -> None:
    u.state, u.activity = MoraleState.RETREATING, "retreating"
    u.objective = None  # as _retreat leaves it
    e._settle_morale(u, 0.9, MoraleState.STEADY, u.suppression)


def test_a_rallied_unit_takes_up_its_attack_again(tiny) -> None:
    sim = Simulation(tiny, seed=1, player_sides=["soviet", "japanese"])
    e = sim.engine
    u = e.units["2mb-3tb"]
    sim.give({"kind": "attack", "unit": "2mb-3tb", "objective": "zaozernaya"})
    sim.advance_minutes(1)
    assert e.holder.get("zaozernaya") != "soviet"
    _break_and_rally(e, u)
    assert _resumed(e, "2mb-3tb")
    assert u.activity == "attacking" and u.objective == "zaozernaya" and u.moving


def test_a_unit_on_the_ground_it_holds_stays(tiny) -> None:
    sim = Simulation(tiny, seed=1, player_sides=["soviet", "japanese"])
    e = sim.engine
    u = e.units["2mb-3tb"]
    sim.give({"kind": "defend", "unit": "2mb-3tb"})  # where it stands: no zone to go back to
    sim.advance_minutes(1)
    _break_and_rally(e, u)
    assert not _resumed(e, "2mb-3tb") and u.activity == "holding"


def test_the_side_the_japanese_doctrine_commands_does_not_go_back_by_itself(tiny) -> None:
    sim = Simulation(tiny, seed=1)
    e = sim.engine
    assert e.controllers["japanese"] == "japanese-doctrine"
    sim.advance_minutes(1)  # its defend order for Zaozernaya is given at the start
    jp = e.units["tiny-jp-coy"]
    assert jp.order is not None and jp.order.kind == "defend" and jp.order.zone == "zaozernaya"
    jp.x, jp.y = jp.x - 1500.0, jp.y  # driven off the height
    _break_and_rally(e, jp)
    assert not _resumed(e, "tiny-jp-coy") and not jp.moving
