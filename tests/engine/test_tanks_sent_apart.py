"""An attack order with ``tanks: N`` sends N of a tank unit's tanks apart against an
objective (the nearest ones that can move); the rest keep the unit's order. The
historical scenario uses it for the tanks Captain Menshov sent against Machine Gun Hill."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from khasan_sim.api import Simulation
from khasan_sim.errors import ScenarioError
from khasan_sim.scenario.load import load_scenario
from tests.engine.quiet_field import tank_company

# A tank company east of the lake moving north-east; at 08:20 two of its tanks are sent
# south, over open ground. Nobody is fighting.
ORDERS = """  - {{id: o-north, kind: attack, at: 1938-08-06T08:00, unit: coy, objective: north}}
  - {{id: o-two-south, kind: attack, at: 1938-08-06T08:20, unit: coy, objective: south, tanks: {n}}}
"""


def _scenario(tmp_path: Path, n: int = 2) -> Path:
    return tank_company(tmp_path, "tanks-apart", "[{model: bt-7, count: 4}]", ORDERS.format(n=n))


def test_the_tanks_sent_go_and_the_rest_keep_the_order(tmp_path: Path) -> None:
    sim = Simulation(load_scenario(_scenario(tmp_path)), seed=1)
    e = sim.engine
    sim.advance_to("1938-08-06T08:20")
    before = {t.id: (t.x, t.y) for t in e.units["coy"].tanks}
    goal = e.zone_centre["south"]
    sim.run_to_end()
    sent = [ev for ev in e.log.events if ev.kind == "tanks_sent"]
    assert len(sent) == 1
    f = dict(sent[0].fields)
    assert f["unit"] == "coy" and f["zone"] == "south" and f["asked"] == 2 and f["n"] == 2
    ids = f["tanks"].split(",")
    # the two nearest the objective at the order (ties by id)
    nearest = sorted(before, key=lambda t: (math.hypot(before[t][0] - goal[0], before[t][1] - goal[1]), t))[:2]
    assert sorted(ids) == sorted(nearest)
    tanks = {t.id: t for t in e.units["coy"].tanks}
    reached = {(dict(ev.fields)["tank"], dict(ev.fields)["zone"]) for ev in e.log.events if ev.kind == "tank_reached"}
    for tid, t in tanks.items():
        if tid in ids:
            assert (tid, "south") in reached and e.in_zone("south", t.x, t.y)
        else:
            assert (tid, "south") not in reached and (tid, "north") in reached
    assert e.units["coy"].objective == "north"  # the unit's own order stands


def test_a_new_order_takes_the_tanks_back(tmp_path: Path) -> None:
    f = _scenario(tmp_path)
    f.write_text(
        f.read_text(encoding="utf-8") + "  - {id: o-all-north, kind: move, at: 1938-08-06T09:00, unit: coy, to: north}\n",
        encoding="utf-8",
    )
    sim = Simulation(load_scenario(f), seed=1)
    sim.run_to_end()
    e = sim.engine
    assert all(e.in_zone("north", t.x, t.y) for t in e.units["coy"].tanks)


def test_more_tanks_than_the_unit_has_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"apart\.yaml.*tanks: 5 is more than the 4 tanks of 'coy'"):
        load_scenario(_scenario(tmp_path, n=5))


def test_tanks_of_a_unit_without_tanks_is_an_error(tmp_path: Path) -> None:
    f = _scenario(tmp_path)
    f.write_text(
        f.read_text(encoding="utf-8") + "  - {id: o-bad, kind: attack, at: 1938-08-06T09:00, unit: far, objective: south, tanks: 1}\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError, match=r"tanks: sends some of a unit's tanks, but 'far' has none"):
        load_scenario(f)


def test_the_historical_orders_send_six_tanks_against_machine_gun_hill() -> None:
    from khasan_sim.scenario.builtin import historical_scenario

    sim = Simulation(load_scenario(historical_scenario()), seed=2)
    sim.advance_to("1938-08-06T19:30")
    sent = [dict(ev.fields) for ev in sim.engine.log.events if ev.kind == "tanks_sent"]
    assert [(s["unit"], s["zone"]) for s in sent] == [("2mb-2tb", "machine-gun-hill")]
    assert 1 <= sent[0]["n"] <= 6
