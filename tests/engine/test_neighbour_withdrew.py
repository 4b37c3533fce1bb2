"""A unit falling back shakes its neighbours (``morale.neighbour_withdrew``, McQuie's
"adjacent friendly unit withdrew": a flank laid open) only if it held ground: a tank
company, a battery or a staff falling back lays no flank open."""

from __future__ import annotations

from pathlib import Path

import pytest

from khasan_sim.api import Simulation
from khasan_sim.scenario.load import load_scenario
from tests.engine.quiet_field import RULES, head

BODY = """units:
  - id: coy
    side: soviet
    name: Tank company
    type: tank
    position: [7800, 5400]
    men: 30
    tanks: [{model: bt-7, count: 6, command: 1}]
  - {id: left, side: soviet, name: Left rifle company, type: rifle, position: [7600, 5400], men: 150, weapons: {rifle: 120}}
  - {id: right, side: soviet, name: Right rifle company, type: rifle, position: [8000, 5400], men: 150, weapons: {rifle: 120}}
  - {id: far, side: japanese, name: Far away, type: rifle, position: [2000, 3000], men: 100, weapons: {rifle: 90}}
zones:
  - {id: north, name: North-east, kind: area, polygon: [[9100, 6000], [9500, 6000], [9500, 6400], [9100, 6400]]}
"""


@pytest.fixture
def line(tmp_path: Path):
    f = tmp_path / "neighbours.yaml"
    f.write_text(head("neighbours-test", "neighbours") + BODY + RULES + "orders: []\n", encoding="utf-8")
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
