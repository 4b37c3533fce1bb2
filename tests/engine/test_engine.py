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
from khasan_sim.engine.kernels.sight import SightLines
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
    e._weapons_changed(sov)
    # nothing can be seen anywhere: sight lines over ground raised a kilometre between the ends
    blind = SightLines(e.terrain)
    keys, state, width, ground, surface, *rest = blind.args
    blind.args = (keys, state, width, ground, surface + np.float32(1000.0), *rest)
    monkeypatch.setitem(e.terrain.extras, "_sight_lines", blind)
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


def test_a_broken_unit_falls_back_away_from_the_enemy_and_on_while_still_under_fire(tiny):
    from khasan_sim.model.morale import MoraleState

    e = Simulation(tiny, seed=1, player_sides=["soviet", "japanese"]).engine
    jp, battery, tanks = e.units["tiny-jp-coy"], e.units["tiny-battery"], e.units["2mb-3tb"]
    hx, hy = jp.home_x, jp.home_y
    # driven 1 km west of its position, which the enemy now holds: it breaks, and does
    # not go back east to its old trench but on to the west
    jp.x = hx - 1000.0
    battery.x, battery.y = hx, hy
    tanks.x, tanks.y = hx + 2000.0, hy
    e._settle_morale(jp, 0.01, MoraleState.RETREATING, 0.0)
    goal = [ev for ev in e.log.events if ev.kind == "retreat" and ev.get("unit") == jp.id][-1]
    assert goal.get("x") == pytest.approx(hx - 1800.0) and goal.get("y") == pytest.approx(hy)

    def sent_back_again(under_fire_min_ago: float, enemy_at_m: float) -> bool:
        e.stop(jp)
        jp.state, jp.activity = MoraleState.RETREATING, "retreating"
        jp.last_under_fire_min = e.now - under_fire_min_ago
        battery.x = jp.x + enemy_at_m
        before = len(e.log.events)
        e._keep_falling_back(5.0)
        return any(ev.kind == "retreat" for ev in e.log.events[before:]) and jp.moving

    # halted where it fell back to, still under fire with the enemy in rifle range: on it goes
    assert sent_back_again(0.0, 600.0)
    # out of the enemy's reach, or no longer under fire: it stays, and may rally there
    assert not sent_back_again(0.0, e.cp.engagement_range_m + 100.0)
    assert not sent_back_again(30.0, 600.0)


def _doctrine_ready(e):
    """The tiny Japanese company, grown to a battalion, stands off Zaozernaya just lost."""
    from khasan_sim.model.morale import MoraleState

    u = e.units["tiny-jp-coy"]
    u.men = u.men_start = 400
    u.x, u.y, u.state, u.morale = 5000.0, 5600.0, MoraleState.STEADY, 0.8
    e.holder["zaozernaya"] = "soviet"
    e.lost_at[("zaozernaya", "japanese")] = e.now
    return u


def _first_counter_attack(tiny):
    """The doctrine's first counter-attack on Zaozernaya: (engine, battalion, group)."""
    e = Simulation(tiny, seed=1, player_sides=["soviet"]).engine
    e.controllers["japanese"] = "japanese-doctrine"
    u = _doctrine_ready(e)
    e._japanese_doctrine()
    return e, u, e.units["tiny-jp-coy-group-1"]


def test_the_doctrine_sends_one_group_at_a_time_and_waits_between_attacks(tiny):
    e, u, g = _first_counter_attack(tiny)
    assert g.activity == "attacking" and g.objective == "zaozernaya" and e.group_parent[g.id] == u.id
    assert e.counterattacks["japanese"] == 1 and e.counterattack_men[g.id] == g.men
    e._japanese_doctrine()
    assert e.counterattacks["japanese"] == 1  # the first is still going in
    g.activity, g.objective = "holding", None  # it has ended, but the interval has not passed
    e._japanese_doctrine()
    assert e.counterattacks["japanese"] == 1
    e.counterattack_started["zaozernaya"] -= e.params.f("command.counterattack_interval_h") * 60.0
    e._japanese_doctrine()
    assert e.counterattacks["japanese"] == 1  # its first company is still out: one at a time
    e._rejoin(g, u)
    e._japanese_doctrine()
    assert e.counterattacks["japanese"] == 1  # the next company is assembled from the men back
    assert e.company_back[u.id] == e.now
    e.company_back[u.id] -= e.params.f("command.counterattack_interval_h") * 60.0
    e._japanese_doctrine()
    assert e.counterattacks["japanese"] == 2
    # the second group comes from the battalion, never from the first group
    assert "tiny-jp-coy-group-2" in e.units and not any("-group-1-group" in i for i in e.units)


def test_the_next_counter_attack_on_a_height_waits_an_interval_after_the_last_one_ended(tiny):
    e, _, g = _first_counter_attack(tiny)
    interval = e.params.f("command.counterattack_interval_h") * 60.0
    e.counterattack_started["zaozernaya"] -= 3 * interval  # it went in long ago ...
    g.activity, g.objective = "holding", None  # ... and is over only now
    e._call_off_counterattacks(e.params.f("command.counterattack_break_off_loss"))
    assert e.counterattack_ended["zaozernaya"] == e.now and g.id not in e.counterattack_men
    e._japanese_doctrine()
    assert e.counterattacks["japanese"] == 1  # the battalion is still assembling the next
    e.counterattack_ended["zaozernaya"] -= interval
    parent = e.units[e.group_parent[g.id]]
    e._rejoin(g, parent)
    e.company_back[parent.id] -= interval  # and its company came back an interval ago
    e._japanese_doctrine()
    assert e.counterattacks["japanese"] == 2 and "zaozernaya" not in e.counterattack_ended


def test_a_battalion_sends_its_next_company_an_interval_after_the_last_one_came_back(tiny):
    e, u, g = _first_counter_attack(tiny)
    interval = e.params.f("command.counterattack_interval_h") * 60.0
    g.activity, g.objective = "holding", None
    e._call_off_counterattacks(e.params.f("command.counterattack_break_off_loss"))
    e.counterattack_ended["zaozernaya"] -= 2 * interval  # the height's own wait is long over
    e._rejoin(g, u)
    assert e.company_back[u.id] == e.now
    e.company_back[u.id] -= interval - 1.0  # back a minute short of an interval ago
    e._japanese_doctrine()
    assert e.counterattacks["japanese"] == 1
    e.company_back[u.id] -= 1.0
    e._japanese_doctrine()
    assert e.counterattacks["japanese"] == 2
    assert e.company_out[u.id] != g.id  # the battalion's company out now is the new one


def test_no_counter_attack_goes_in_once_the_ceasefire_is_agreed(tiny):
    e = Simulation(tiny, seed=1, player_sides=["soviet"]).engine
    e.controllers["japanese"] = "japanese-doctrine"
    _doctrine_ready(e)
    e.ceasefire_min = e.now  # agreed now
    e._command_turn()
    e._command_turn()
    assert e.counterattacks["japanese"] == 0
    told = [ev for ev in e.log.events if ev.kind == "ceasefire_agreed"]
    assert len(told) == 1  # said once, at the first turn of the agreement
    e.ceasefire_min = e.now + 30.0  # not yet agreed: the doctrine strikes back
    e._command_turn()
    assert e.counterattacks["japanese"] >= 1


def test_a_counter_attack_that_has_lost_too_many_men_is_called_off_and_its_men_go_back(tiny):
    e, u, g = _first_counter_attack(tiny)
    share = e.params.f("command.counterattack_break_off_loss")
    set_out = g.men
    lost = int(set_out * share) - 1  # just short of the limit: the attack goes on
    g.men -= lost
    g.killed += lost
    e._call_off_counterattacks(share)
    assert g.activity == "attacking" and g.objective == "zaozernaya"
    g.men -= 2
    g.killed += 2
    e._call_off_counterattacks(share)
    assert g.activity == "withdrawing" and g.objective is None and g.moving
    assert g.id not in e.counterattack_men
    ev = [x for x in e.log.events if x.kind == "counterattack_called_off"]
    assert ev and ev[-1].get("unit") == g.id and ev[-1].get("set_out") == set_out
    # back beside its battalion, the group rejoins it: men and weapons go back into its
    # ranks, its dead and wounded stay counted where they fell
    before_men, before_start = u.men + g.men, u.men_start + g.men_start
    weapons_in_use = {w: u.weapons_start[w] * u.men_share + g.weapons_start[w] * g.men_share for w in u.weapons_start}
    morale_avg = (u.morale * u.men + g.morale * g.men) / (u.men + g.men)
    e.stop(g)
    g.x, g.y = u.x + 50.0, u.y
    e._bring_back_groups()
    assert g.men == 0 and g.activity == "rejoined" and u.men == before_men
    assert u.men_start + g.men_start == before_start
    assert g.killed == lost + 2 and u.morale == pytest.approx(morale_avg)
    for x in (u, g):
        assert x.men + x.killed + x.wounded + x.missing == x.men_start, x.id
    for w, n in weapons_in_use.items():
        assert abs(u.weapons_start[w] * u.men_share - n) <= 1.0, w
    assert any(x.kind == "rejoined" and x.get("parent") == u.id for x in e.log.events)


def test_a_group_holding_the_height_it_took_stays_there(tiny):
    e = Simulation(tiny, seed=1, player_sides=["soviet"]).engine
    u = _doctrine_ready(e)
    g = e._detach(u, 0.35, 100)
    g.x, g.y = 5000.0, 5100.0  # on Zaozernaya, which it holds again
    e.holder["zaozernaya"] = "japanese"
    g.activity = "holding"
    e._bring_back_groups()
    assert g.activity == "holding" and not g.moving and g.men > 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    men=st.integers(200, 1200),
    fraction=st.floats(0.1, 0.6),
    group_lost=st.floats(0.0, 0.9),
    group_wounded=st.floats(0.0, 1.0),
)
def test_detaching_a_group_and_merging_it_back_creates_and_loses_nobody(tiny, men, fraction, group_lost, group_wounded):
    e = Simulation(tiny, seed=1, player_sides=["soviet"]).engine
    u = _doctrine_ready(e)
    u.men = u.men_start = men
    weapons_start = dict(u.weapons_start)
    g = e._detach(u, fraction, 100)
    if g is u:
        return
    hit = int(g.men * group_lost)
    wounded = int(hit * group_wounded)
    g.men -= hit
    g.killed += hit - wounded
    g.wounded += wounded
    e._rejoin(g, u)
    assert u.men + g.men == men - hit and g.men == 0
    assert u.men_start + g.men_start == men
    for x in (u, g):
        assert x.men + x.killed + x.wounded + x.missing == x.men_start, x.id
    # no weapon is made or lost in the books: what the group lost stays with its dead
    for w, n in weapons_start.items():
        assert u.weapons_start[w] + g.weapons_start[w] == n, w


def test_the_doctrine_retakes_heights_only_and_keeps_weak_battalions_on_their_ground(tiny):
    e = Simulation(tiny, seed=1, player_sides=["soviet"]).engine
    e.controllers["japanese"] = "japanese-doctrine"
    u = _doctrine_ready(e)
    # ground that is not a height is not worth a company
    e.holder["zaozernaya"] = "japanese"
    e.lost_at.pop(("zaozernaya", "japanese"))
    e.holder["start-line"] = "soviet"
    e.lost_at[("start-line", "japanese")] = e.now
    e._japanese_doctrine()
    assert e.counterattacks["japanese"] == 0
    # a battalion that cannot spare a company and keep one goes nowhere
    u = _doctrine_ready(e)
    u.men = u.men_start = 180
    e._japanese_doctrine()
    assert e.counterattacks["japanese"] == 0 and u.activity != "attacking"
    u.men = u.men_start = 200
    e._japanese_doctrine()
    assert e.counterattacks["japanese"] == 1 and u.activity != "attacking"


def test_a_counter_attack_that_finds_the_height_held_in_strength_is_called_off(tiny):
    e, _, g = _first_counter_attack(tiny)
    sov = e.units["tiny-battery"]
    sov.type = "rifle"  # stand-in holders of the height
    ratio = e.params.f("morale.penetration_reference_ratio")
    sov.x, sov.y = g.x + 100.0, g.y  # within close-assault range
    sov.men = sov.men_start = int(ratio * g.men) - 1  # strong, but not that strong: on it goes
    e._call_off_counterattacks(e.params.f("command.counterattack_break_off_loss"))
    assert g.activity == "attacking"
    sov.men = sov.men_start = int(ratio * g.men) + 1
    e._call_off_counterattacks(e.params.f("command.counterattack_break_off_loss"))
    assert g.activity == "withdrawing" and g.objective is None
    ev = [x for x in e.log.events if x.kind == "counterattack_called_off"]
    assert ev[-1].get("reason") == "held in strength" and ev[-1].get("men") == ev[-1].get("set_out")
