"""The engine on the tiny scenario: invariants, determinism, rules."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khasan_sim.api import Simulation
from khasan_sim.engine.state import TANK_DESTROYED
from khasan_sim.errors import IllegalOrderError, SimulationFinished
from khasan_sim.scenario.load import load_scenario
from khasan_sim.terrain.types import TerrainClass

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "tiny" / "tiny.yaml"


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(TINY)


def check_invariants(sim: Simulation) -> None:
    """The invariants every state of every run must satisfy."""
    t = sim.terrain
    for u in sim.units():
        assert u.men + u.killed + u.wounded + u.missing == u.men_start, u.id
        assert 0.0 <= u.morale <= 1.0
        assert 0.0 <= u.suppression <= 1.0
        if u.is_air:
            continue
        r, c = t.grid.cell(u.x, u.y)
        assert TerrainClass(t.terrain_class[r, c]) not in (TerrainClass.WATER, TerrainClass.RIVER), (u.id, u.x, u.y)
        if u.side == "soviet" and "soviet" in sim.engine.no_crossing:
            assert t.soviet_side[r, c], f"{u.id} crossed the border at ({u.x:.0f}, {u.y:.0f})"
    for k in sim.tanks():
        if k.status == TANK_DESTROYED:
            continue
        r, c = t.grid.cell(k.x, k.y)
        assert TerrainClass(t.terrain_class[r, c]) not in (TerrainClass.WATER, TerrainClass.RIVER)
        # a tank never climbs above its limit, nor onto rock
        assert t.slope_deg[r, c] < t.max_slope_deg[k.mobility], (k.id, float(t.slope_deg[r, c]))
        assert TerrainClass(t.terrain_class[r, c]) is not TerrainClass.ROCK, k.id
        if sim.unit(k.unit).side == "soviet" and "soviet" in sim.engine.no_crossing:
            assert t.soviet_side[r, c], f"{k.id} crossed the border"


def test_tiny_runs_to_the_end_with_metrics(tiny):
    sim = Simulation(tiny, seed=1)
    res = sim.run_to_end()
    assert sim.finished
    assert "1938-08-06T22:00" in res.snapshots
    snap = res.snapshots["1938-08-06T22:00"]
    assert snap["unit.2mb-3tb.tanks_start"] == 5
    assert snap["soviet.artillery.rounds"] > 0
    assert "unit.tiny-battery.tanks_start" not in snap  # tank metrics only for tank units
    assert res.events > 0 and len(res.events_digest) == 64
    check_invariants(sim)


def test_same_seed_same_digest_other_seed_other_digest(tiny):
    a = Simulation(tiny, seed=7).run_to_end()
    b = Simulation(tiny, seed=7).run_to_end()
    c = Simulation(tiny, seed=8).run_to_end()
    assert a.events_digest == b.events_digest
    assert a.snapshots == b.snapshots
    assert a.events_digest != c.events_digest


def test_digest_same_in_a_fresh_process_with_another_hash_seed(tiny):
    here = Simulation(tiny, seed=3).run_to_end().events_digest
    code = (
        "from khasan_sim.api import Simulation;"
        f"print(Simulation({str(TINY)!r}, seed=3).run_to_end().events_digest)"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True, cwd=ROOT)
    assert out.stdout.strip() == here


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.floats(1, 120), min_size=1, max_size=6))
def test_any_split_of_advances_gives_the_same_run(tiny, spans):
    """Advancing in any slices gives the same digest and snapshots as one call; invariants hold throughout."""
    whole = Simulation(tiny, seed=5).run_to_end()
    sim = Simulation(tiny, seed=5)
    last_t = -1
    for s in spans:
        if sim.finished:
            break
        evs = sim.advance_minutes(s)
        ts = [e.t_s for e in evs]
        assert ts == sorted(ts) and (not ts or ts[0] >= last_t)  # time never runs backwards
        if ts:
            last_t = ts[-1]
        check_invariants(sim)
    res = sim.run_to_end()
    assert res.events_digest == whole.events_digest
    assert res.snapshots == whole.snapshots


def test_bounded_slices_match_one_long_run(tiny):
    whole = Simulation(tiny, seed=2).run_to_end()
    sim = Simulation(tiny, seed=2)
    while sim.advance(max_events=37):
        pass
    assert sim.result().events_digest == whole.events_digest
    assert sim.result().snapshots == whole.snapshots


def test_turns_are_thirty_minutes(tiny):
    sim = Simulation(tiny, seed=1)
    sim.advance_turn()
    assert sim.now.strftime("%H:%M") == "16:30"
    sim.advance_turn()
    assert sim.now.strftime("%H:%M") == "17:00"


def test_border_rule_forbids_moving_soviets_across(tiny):
    sim = Simulation(tiny, seed=1)
    t = sim.terrain
    rows, cols = np.nonzero(~t.soviet_side & (t.terrain_class == int(TerrainClass.OPEN)))
    x, y = t.grid.centre(int(rows[len(rows) // 2]), int(cols[len(cols) // 2]))
    with pytest.raises(IllegalOrderError, match="border"):
        sim.give({"kind": "move", "unit": "2mb-3tb", "to": (x, y)})


def test_undo_takes_back_the_last_order(tiny):
    sim = Simulation(tiny, seed=1)
    sim.give({"kind": "dig_in", "unit": "tiny-jp-coy"})
    assert len(sim.pending_orders) == 1
    sim.undo()
    assert sim.pending_orders == []


def test_player_order_moves_the_unit(tiny):
    sim = Simulation(tiny, seed=1, player_sides=["soviet"])
    u = sim.unit("2mb-3tb")
    x0, y0 = u.x, u.y
    sim.give({"kind": "move", "unit": "2mb-3tb", "to": (7500.0, 6500.0)})
    sim.advance_turn()
    sim.advance_turn()
    u = sim.unit("2mb-3tb")
    assert (u.x, u.y) != (x0, y0)
    assert any(e.kind == "order" and e.get("source") == "player" for e in sim.events())


def test_finished_run_refuses_to_advance(tiny):
    sim = Simulation(tiny, seed=1)
    sim.run_to_end()
    with pytest.raises(SimulationFinished, match="create a new Simulation"):
        sim.advance_turn()


def test_two_simulations_in_one_process_do_not_interfere(tiny):
    a = Simulation(tiny, seed=4)
    b = Simulation(tiny, seed=4)
    a.advance_minutes(60)
    b.advance_minutes(30)
    a.run_to_end()
    assert a.result().events_digest == b.run_to_end().events_digest


def test_a_player_who_orders_nobody_plays_the_recorded_run(tiny):
    """follow_record: units of the player's side follow the scenario until ordered."""
    plain = Simulation(tiny, seed=6).run_to_end()
    sim = Simulation(tiny, seed=6, player_sides=["soviet"], follow_record=True)
    assert sim.run_to_end().events_digest == plain.events_digest
    # ordering one unit takes it over: its later scenario orders are not played
    sim = Simulation(tiny, seed=6, player_sides=["soviet"], follow_record=True)
    sim.give({"kind": "dig_in", "unit": "2mb-3tb"})
    sim.run_to_end()
    assert "2mb-3tb" in sim.taken_over
    scenario_orders = [dict(e.fields) for e in sim.events() if e.kind == "order" and dict(e.fields)["source"] == "scenario"]
    assert not any(f["unit"] == "2mb-3tb" for f in scenario_orders)
    assert any(f["unit"] == "tiny-battery" for f in scenario_orders)


def test_men_who_leave_their_trenches_are_in_the_open_and_dig_in_where_they_halt(tiny):
    """Entrenchment belongs to the ground: moving off loses it, halting digs anew."""
    # both sides commanded and nobody ordered to fire: a quiet move
    sim = Simulation(tiny, seed=1, player_sides=["soviet", "japanese"])
    assert sim.unit("tiny-jp-coy").entrenchment == "trenches"
    sim.give({"kind": "move", "unit": "tiny-jp-coy", "to": (5000.0, 4700.0)})
    sim.advance_turn()
    left = [e for e in sim.events() if e.kind == "left_position" and e.get("unit") == "tiny-jp-coy"]
    assert left and left[0].get("was") == "trenches"
    for _ in range(8):
        sim.advance_turn()
    kinds = [(e.kind, e.get("level")) for e in sim.events() if e.get("unit") == "tiny-jp-coy"]
    assert ("move_end", None) in kinds
    # halted, the company scrapes in within the hour, then digs trenches
    assert ("dug_in", "hasty") in kinds
    assert sim.unit("tiny-jp-coy").entrenchment in ("hasty", "trenches")


def test_only_sappers_may_be_ordered_to_build_a_crossing(tiny):
    sim = Simulation(tiny, seed=1, player_sides=["soviet"])
    assert sim.legal_orders("2mb-3tb")["build_crossing"] == "only sappers build crossings"
    order = sim._parse({"kind": "build_crossing", "unit": "2mb-3tb", "sites": [{"id": "x-new", "at": (6400.0, 6000.0)}]})
    assert "not an engineer" in sim.check_order(order)


def test_a_counter_attack_group_takes_its_share_and_the_books_still_balance(tiny):
    e = Simulation(tiny, seed=1).engine
    u = e.units["tiny-jp-coy"]
    u.men, u.killed, u.wounded = 150, 6, 4  # the company has lost 10 men already
    weapons_now = {w: n * u.men_share for w, n in u.weapons_start.items()}
    g = e._detach(u, 0.35, 20)
    assert g is not u and g.id == "tiny-jp-coy-group-1" and g.id in e.ground_ids
    assert g.men == round(150 * 0.35) and u.men == 150 - g.men
    for x in (u, g):
        assert x.men + x.killed + x.wounded + x.missing == x.men_start, x.id
    # the weapons in use are shared, not made: parent and group together fire as before
    for w, n in weapons_now.items():
        assert abs(u.weapons_start[w] * u.men_share + g.weapons_start[w] * g.men_share - n) <= 1.0, w
    assert (g.training, g.morale, g.state, g.entrenchment) == (u.training, u.morale, u.state, "none")
    assert any(ev.kind == "detached" and ev.get("parent") == u.id for ev in e.log.events)
    # a unit that would leave too few behind goes as a whole
    assert e._detach(g, 0.35, 40) is g


def test_losing_a_zone_shakes_its_holders_only_when_the_enemy_occupies_it(tiny):
    e = Simulation(tiny, seed=1).engine
    jp = e.units["tiny-jp-coy"]
    sov = e.units["tiny-battery"]
    sov.type = "rifle"  # stand-in attacker that can hold ground
    assert e.holder["zaozernaya"] == "japanese"
    sov.x, sov.y = jp.x + 20.0, jp.y
    e._update_zones()
    assert e.holder["zaozernaya"] is None and jp.shocks == 0.0  # contested: nobody shaken yet
    jp.x, jp.y = 5000.0, 4000.0  # the Japanese leave; the Soviets occupy the height
    e._update_zones()
    assert e.holder["zaozernaya"] == "soviet"
    assert jp.shocks == e.params.f("morale.zone_lost")


def test_within_close_assault_range_men_fight_without_a_clear_sight_line(tiny, monkeypatch):
    e = Simulation(tiny, seed=1, player_sides=["soviet", "japanese"]).engine
    jp = e.units["tiny-jp-coy"]
    sov = e.units["tiny-battery"]
    sov.type, sov.weapons_start = "rifle", {"rifle": 80, "lmg": 4}
    # nothing can be seen anywhere
    monkeypatch.setattr(type(e), "_los_arrays", lambda self, x1, y1, x2, y2: np.zeros(len(x1), dtype=bool))
    sov.x, sov.y = jp.x + 400.0, jp.y
    e._direct_fire(5.0)
    assert jp.suppression == 0.0 and sov.suppression == 0.0  # 400 m apart, unseen: no fire
    sov.x, sov.y = jp.x + 100.0, jp.y
    e._direct_fire(5.0)
    assert jp.suppression > 0.0 and sov.suppression > 0.0  # in the trench line: both sides fire


def test_a_position_broken_into_by_superior_numbers_wears_its_holders_morale(tiny):
    e = Simulation(tiny, seed=1, player_sides=["soviet", "japanese"]).engine
    jp = e.units["tiny-jp-coy"]
    sov = e.units["tiny-battery"]
    sov.type = "rifle"  # stand-in assault troops
    ref = e.params.f("morale.penetration_reference_ratio")
    sov.men = sov.men_start = int(ref + 1) * jp.men  # beyond the reference ratio
    rate = e.params.f("morale.penetration_shock_per_hour")
    assert rate > 0
    sov.x, sov.y = jp.x + 400.0, jp.y  # outside close-assault range: nothing
    e._penetration(5.0)
    assert jp.shocks == 0.0 and sov.shocks == 0.0
    sov.x, sov.y = jp.x + 100.0, jp.y  # in the trench line, outnumbered past the reference ratio
    e._penetration(5.0)
    ratio = sov.men / jp.men
    assert jp.shocks == pytest.approx(rate * 5.0 / 60.0 * (ratio - 1.0) / (ref - 1.0))
    assert jp.shocks > rate * 5.0 / 60.0
    assert sov.shocks == 0.0  # the stronger side is not worn
    # men falling back do not break into anybody's position
    jp.shocks = 0.0
    sov.state = sov.state.__class__.RETREATING
    e._penetration(5.0)
    assert jp.shocks == 0.0


def test_an_attack_ordered_while_falling_back_is_carried_out_once_the_men_rally(tiny):
    from khasan_sim.model.morale import MoraleState

    sim = Simulation(tiny, seed=1, player_sides=["soviet", "japanese"])
    e = sim.engine
    u = e.units["2mb-3tb"]
    u.state, u.activity = MoraleState.RETREATING, "retreating"
    sim.give({"kind": "attack", "unit": "2mb-3tb", "objective": "zaozernaya"})
    sim.advance_minutes(1)
    kinds = [ev.kind for ev in sim.events() if ev.get("unit") == "2mb-3tb"]
    assert "order_deferred" in kinds
    assert u.activity == "retreating" and u.deferred_order is not None  # not sent forward yet
    # the men rally: the order they were given is carried out then, not lost
    e._settle_morale(u, 0.9, MoraleState.STEADY, u.suppression)
    assert u.activity == "attacking" and u.objective == "zaozernaya" and u.deferred_order is None
    assert any(ev.kind == "order_resumed" and ev.get("unit") == "2mb-3tb" for ev in e.log.events)
    # a new order replaces one still waiting
    u.state, u.activity = MoraleState.RETREATING, "retreating"
    sim.give({"kind": "attack", "unit": "2mb-3tb", "objective": "zaozernaya"})
    sim.advance_minutes(1)
    assert u.deferred_order is not None
    sim.give({"kind": "dig_in", "unit": "2mb-3tb"})
    sim.advance_minutes(1)
    assert u.deferred_order is None
