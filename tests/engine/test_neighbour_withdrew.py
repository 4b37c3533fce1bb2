"""A unit falling back shakes its neighbours (``morale.neighbour_withdrew``, McQuie's
"adjacent friendly unit withdrew": a flank laid open) only if it held ground: a tank
company, a battery or a staff falling back lays no flank open."""

from __future__ import annotations

from pathlib import Path

import pytest

from khasan_sim.api import Simulation
from khasan_sim.scenario.load import load_scenario
from tests.engine.quiet_field import tank_company

NEIGHBOURS = """  - {id: left, side: soviet, name: Left rifle company, type: rifle, position: [7600, 5400], men: 150, weapons: {rifle: 120}}
  - {id: right, side: soviet, name: Right rifle company, type: rifle, position: [8000, 5400], men: 150, weapons: {rifle: 120}}
"""


@pytest.fixture
def line(tmp_path: Path):
    f = tank_company(tmp_path, "neighbours", "[{model: bt-7, count: 6, command: 1}]", "  []\n", neighbours=NEIGHBOURS)
    return Simulation(load_scenario(f), seed=5).engine


def test_a_rifle_company_falling_back_shakes_the_units_beside_it(line) -> None:
    shock = line.params.f("morale.neighbour_withdrew")
    assert shock > 0
    line._retreat(line.units["left"], cause="morale")
    assert line.units["right"].shocks == pytest.approx(shock)  # 400 m off: a neighbour
    assert line.units["coy"].shocks == pytest.approx(shock)
    assert line.units["left"].shocks == 0.0  # not its own neighbour
    assert line.units["far"].shocks == 0.0  # the other side


def test_a_tank_company_falling_back_lays_no_flank_open(line) -> None:
    line._retreat(line.units["coy"], cause="morale")
    assert line.units["left"].shocks == 0.0 and line.units["right"].shocks == 0.0
    assert any(ev.kind == "retreat" and ev.get("unit") == "coy" for ev in line.log.events)  # it did fall back
