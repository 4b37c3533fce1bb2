"""A tank's speed on the leg it drives is kept in the tank table (its exposure to aimed
fire reads it: fire.moving_tank_exposure); a tank waiting for its turn to set off, or
queued at a crossing, stands at 0."""

from __future__ import annotations

from pathlib import Path

from khasan_sim.api import Simulation
from khasan_sim.scenario.load import load_scenario
from tests.engine.quiet_field import tank_company

# A column of four BT-7 east of the lake sets off north-east over open ground at 08:00,
# and is turned south at 08:30.
ORDERS = """  - {id: o-north, kind: move, at: 1938-08-06T08:00, unit: coy, to: north}
  - {id: o-south, kind: move, at: 1938-08-06T08:30, unit: coy, to: south}
"""


def test_a_tank_drives_at_its_legs_speed_and_stands_at_0_until_it_sets_off(tmp_path: Path) -> None:
    f = tank_company(tmp_path, "tank-speed", "[{model: bt-7, count: 4}]", ORDERS)
    sim = Simulation(load_scenario(f), seed=1)
    sim.advance_to("1938-08-06T08:01")  # the first has set off; the last sets off 3 minutes after it
    tanks = sorted(sim.engine.units["coy"].tanks, key=lambda t: t.column)
    first, last = tanks[0], tanks[-1]
    assert first.moving and last.moving  # both under way, the last still waiting its turn
    assert last.speed_kmh == 0.0
    bt_open = sim.engine.params.f("mobility.speed_kmh.bt.open")
    assert 0.0 < first.speed_kmh <= bt_open + 1e-9  # open ground, slowed only by slopes
    sim.advance_to("1938-08-06T08:05")
    assert 0.0 < last.speed_kmh <= bt_open + 1e-9
    # a new order at 08:30: the last tank waits its turn again, standing, not at its old speed
    sim.advance_to("1938-08-06T08:31")
    assert last.moving and last.speed_kmh == 0.0
    assert first.speed_kmh > 0.0
