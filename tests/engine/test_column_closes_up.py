"""A tank unit that loses its command stops where it stands, but a column's tail strung out
behind its stopped head closes up on it first (``command.close_up_m``): the line tanks had
no radio and followed the tank ahead."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from khasan_sim.api import Simulation
from khasan_sim.scenario.load import load_scenario
from tests.engine.quiet_field import tank_company

# A company of six BT-7 in one column (a minute between tanks), its commander's tank first,
# sets off north-east over open ground at 08:00; nobody is in reach.
ORDERS = """  - {id: o-north, kind: move, at: 1938-08-06T08:00, unit: coy, to: north}
  - {id: o-south, kind: move, at: 1938-08-06T09:00, unit: coy, to: south}
"""
NORTH = "[[9600, 6600], [10000, 6600], [10000, 7000], [9600, 7000]]"  # far enough for the column to string out


def test_the_column_closes_up_on_its_stopped_head_and_stops(tmp_path: Path) -> None:
    f = tank_company(tmp_path, "close-up", "[{model: bt-7, count: 6, command: 1}]", ORDERS, north=NORTH)
    sim = Simulation(load_scenario(f), seed=3)
    e = sim.engine
    sim.advance_to("1938-08-06T08:04")
    tanks = sorted(e.units["coy"].tanks, key=lambda t: t.column)
    head_tank, tail = tanks[0], tanks[-1]
    assert head_tank.command and all(t.moving for t in tanks)
    assert math.hypot(head_tank.x - tail.x, head_tank.y - tail.y) > 3 * e.params.f("command.close_up_m")
    e._knock_out(head_tank, np.random.default_rng(0), "test")  # its commander's tank: command lost
    assert not e.units["coy"].command_intact
    assert tail.moving  # far behind the stopped head: it drives on
    sim.advance_to("1938-08-06T08:30")
    close_up = e.params.f("command.close_up_m")
    assert not any(t.moving for t in tanks)
    for t in tanks[1:]:  # each stopped within close_up_m of a tank of the company stopped ahead
        assert min(math.hypot(t.x - o.x, t.y - o.y) for o in tanks if o is not t) <= close_up + 1e-6
    closed = [ev for ev in sim.events() if ev.kind == "closed_up"]
    assert closed and {ev.get("tank") for ev in closed} <= {t.id for t in tanks[1:]}
    assert all(ev.get("unit") == "coy" for ev in closed)
    # a later order (or a retreat) is a move of its own, not closing up: the tanks that can
    # move go all the way
    sim.advance_to("1938-08-06T10:00")
    assert not [ev for ev in sim.events() if ev.kind == "closed_up" and ev.t_min > 60.0]
    south = e.zone_centre["south"]
    for t in tanks[1:]:
        assert math.hypot(t.x - south[0], t.y - south[1]) < 400.0


def test_a_deployed_attack_sets_its_tanks_off_closer_together_than_a_column(tmp_path: Path) -> None:
    spread = {}
    for formation in ("column", "deployed"):
        orders = f"  - {{id: o-go, kind: attack, at: 1938-08-06T08:00, unit: coy, objective: north, formation: {formation}}}\n"
        f = tank_company(tmp_path, f"formation-{formation}", "[{model: bt-7, count: 6, command: 1}]", orders, north=NORTH)
        sim = Simulation(load_scenario(f), seed=3)
        e = sim.engine
        sim.advance_to("1938-08-06T08:07")  # every tank set off (the last of a column after 5 min)
        tanks = sorted(e.units["coy"].tanks, key=lambda t: t.column)
        assert all(t.moving for t in tanks)
        spread[formation] = math.hypot(tanks[0].x - tanks[-1].x, tanks[0].y - tanks[-1].y)
    # head to tail: five intervals of a minute in column, of a third of a minute deployed
    # (positions move leg by leg, so only roughly in that ratio)
    assert e.params.f("engine.deployed_spacing_min") < e.params.f("engine.tank_spacing_min")
    assert spread["deployed"] < 0.6 * spread["column"]
