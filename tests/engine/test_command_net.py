"""A tank battalion's control net (engine/systems/tank_losses.py, setup.march_order):
only command tanks carried radios, so a battalion's control breaks down when every tank
of its headquarters, or most of its company commanders' tanks, are out of action; a battalion
moves by companies, each commander at the head of his company and the headquarters behind
the first."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from khasan_sim.api import Simulation
from khasan_sim.engine.systems.setup import march_order
from khasan_sim.errors import ScenarioError
from khasan_sim.scenario.load import TankSpec, load_scenario
from tests.engine.quiet_field import tank_company

BATTALION = "[{model: bt-7, count: 12, command: 5, headquarters: 2}]"  # 2 headquarters, 3 companies
ORDERS = "  - {id: o-north, kind: move, at: 1938-08-06T08:00, unit: coy, to: north}\n"


def _battalion(tmp_path: Path, name: str) -> Simulation:
    return Simulation(load_scenario(tank_company(tmp_path, name, BATTALION, ORDERS)), seed=3)


def test_losing_most_company_commanders_breaks_control_without_the_headquarters(tmp_path: Path) -> None:
    sim = _battalion(tmp_path, "net-companies")
    e = sim.engine
    u = e.units["coy"]
    hq = [t for t in u.tanks if t.headquarters]
    leaders = [t for t in u.tanks if t.command and not t.headquarters]
    assert len(hq) == 2 and len(leaders) == 3
    g = np.random.default_rng(0)
    for t in leaders[:1] + hq[:1]:
        e._knock_out(t, g, "test")
        assert u.command_intact  # one company cut off, a deputy lost: the net still reaches most companies
    e._knock_out(leaders[1], g, "test")
    assert not u.command_intact  # two companies of three no longer hear the battalion
    lost = [ev for ev in sim.events() if ev.kind == "command_lost"]
    assert [(ev.get("unit"), ev.get("lost")) for ev in lost] == [("coy", "company commanders")]
    from khasan_sim.ui.eventtext import describe

    assert describe(lost[0]) == (
        "coy loses control (most of its company commanders' tanks out of action: the radio tanks),"
        " and its tanks stop where they stand"
    )


@given(st.lists(st.booleans(), min_size=1, max_size=5), st.lists(st.booleans(), min_size=0, max_size=4))
def test_control_holds_while_the_hub_and_most_spokes_are_in_action(spokes_out: list[bool], hub_out: list[bool]) -> None:
    from types import SimpleNamespace

    from khasan_sim.engine.state import TANK_DAMAGED, TANK_OPERATIONAL
    from khasan_sim.engine.systems.tank_losses import _control_broken

    def tank(out: bool, hq: bool) -> SimpleNamespace:
        return SimpleNamespace(command=True, headquarters=hq, status=TANK_DAMAGED if out else TANK_OPERATIONAL)

    tanks = [tank(o, False) for o in spokes_out] + [tank(o, True) for o in hub_out]
    tanks.append(SimpleNamespace(command=False, headquarters=False, status=TANK_DAMAGED))  # line tanks do not count
    lost = _control_broken(tanks)
    if hub_out and all(hub_out):
        assert lost == "headquarters"
    elif hub_out:
        assert lost == ("company commanders" if 2 * sum(spokes_out) > len(spokes_out) else "")
    else:
        assert lost == ("command tanks" if all(spokes_out) else "")


def test_losing_the_whole_headquarters_breaks_control(tmp_path: Path) -> None:
    sim = _battalion(tmp_path, "net-hq")
    e = sim.engine
    u = e.units["coy"]
    g = np.random.default_rng(0)
    hq = [t for t in u.tanks if t.headquarters]
    e._knock_out(hq[0], g, "test")
    assert u.command_intact
    e._knock_out(hq[1], g, "test")
    assert not u.command_intact


def test_a_company_without_a_headquarters_loses_control_with_its_last_command_tank(tmp_path: Path) -> None:
    f = tank_company(tmp_path, "net-coy", "[{model: bt-7, count: 6, command: 2}]", ORDERS)
    sim = Simulation(load_scenario(f), seed=3)
    e = sim.engine
    u = e.units["coy"]
    cmd = [t for t in u.tanks if t.command]
    assert not any(t.headquarters for t in u.tanks)
    e._knock_out(cmd[0], np.random.default_rng(0), "test")
    assert u.command_intact
    e._knock_out(cmd[1], np.random.default_rng(0), "test")
    assert not u.command_intact


def test_the_battalion_marches_by_companies_each_behind_its_commander(tmp_path: Path) -> None:
    u = _battalion(tmp_path, "net-march").engine.units["coy"]
    column = sorted(u.tanks, key=lambda t: t.column)
    kinds = ["hq" if t.headquarters else "cmd" if t.command else "line" for t in column]
    # 7 line tanks in three shares of 2, 2 and 3; the headquarters behind the first company
    assert kinds == ["cmd", "line", "line", "hq", "hq", "cmd", "line", "line", "cmd", "line", "line", "line"]


def _specs(n_line: int, n_hq: int, n_leaders: int) -> list[TankSpec]:
    cmd = [TankSpec(f"c{k}", "u", "bt-7", True, k < n_hq) for k in range(n_hq + n_leaders)]
    return cmd + [TankSpec(f"l{k}", "u", "bt-7", False) for k in range(n_line)]


@given(st.integers(0, 40), st.integers(0, 4), st.integers(0, 4))
def test_march_order_is_a_permutation_with_companies_led_by_their_commanders(n_line: int, n_hq: int, n_leaders: int) -> None:
    specs = _specs(n_line, n_hq, n_leaders)
    place = march_order(specs)
    assert sorted(place) == list(range(len(specs)))
    if n_hq and n_leaders:
        by_place = [specs[i] for i in sorted(range(len(specs)), key=place.__getitem__)]
        assert by_place[0].command and not by_place[0].headquarters  # the first company's commander leads
        # line tanks keep their order of battle
        line_places = [place[i] for i, t in enumerate(specs) if not t.command]
        assert line_places == sorted(line_places)
    else:
        assert place == list(range(len(specs)))


def test_more_headquarters_than_command_tanks_is_refused_with_the_field(tmp_path: Path) -> None:
    f = tank_company(tmp_path, "net-bad", "[{model: bt-7, count: 6, command: 1, headquarters: 2}]", ORDERS)
    with pytest.raises(ScenarioError, match="headquarters"):
        load_scenario(f)


def test_the_game_panel_says_which_radio_tanks_are_in_action_and_when_control_broke(tmp_path: Path) -> None:
    from khasan_sim.ui.frames import capture

    sim = _battalion(tmp_path, "net-panel")
    e = sim.engine
    u = e.units["coy"]
    assert capture(sim).unit("coy").command == "intact (headquarters 2 of 2, company commanders 3 of 3 in action)"
    g = np.random.default_rng(0)
    for t in [t for t in u.tanks if t.headquarters]:
        e._knock_out(t, g, "test")
    assert capture(sim).unit("coy").command == "broken down (headquarters 0 of 2, company commanders 3 of 3 in action)"
