"""End to end: the historical scenario played from 6 August 16:00 to the ceasefire.

Asserts what a historian would check in any single run (not the recorded figures, which
are judged over many runs by `khasan-sim compare`): the run ends at the ceasefire with
daily snapshots, men are conserved, no tank stands on rock or on a slope above its limit,
the swamp bogs tanks on the first evening, the preparation suppresses more than it kills,
Zaozernaya changes hands, the Japanese counter-attack, and Soviet troops stay on their side.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_engine import check_invariants

from khasan_sim.api import Simulation
from khasan_sim.scenario.builtin import historical_scenario
from khasan_sim.scenario.load import load_scenario

HEIGHTS_GARRISONS = ("j-75ir-1bn", "j-75ir-2bn", "j-mg-zao", "j-mg-bez", "j-75ir-1bn-fwd", "j-75ir-2bn-fwd")


@pytest.fixture(scope="module")
def played():
    sc = load_scenario(historical_scenario())
    sim = Simulation(sc, seed=1)
    japanese_men = sum(u.men for u in sim.units() if u.side == "japanese")
    peak_suppression: dict[str, float] = dict.fromkeys(HEIGHTS_GARRISONS, 0.0)
    # the preparation: step through it in 5-minute slices
    while sim.now.strftime("%H:%M") < "16:55":
        sim.advance_minutes(5)
        check_invariants(sim)
        for uid in HEIGHTS_GARRISONS:
            peak_suppression[uid] = max(peak_suppression[uid], sim.unit(uid).suppression)
    lost_by_1655 = sum(u.killed + u.wounded + u.missing for u in sim.units() if u.side == "japanese")
    sim.advance_to("1938-08-07T00:00")
    check_invariants(sim)
    result = sim.run_to_end()
    check_invariants(sim)
    return sim, result, japanese_men, lost_by_1655, peak_suppression


def test_the_run_ends_at_the_ceasefire_with_daily_snapshots(played):
    sim, result, *_ = played
    assert sim.finished and sim.now.isoformat(timespec="minutes") == "1938-08-11T12:00"
    assert result.labels[-1] == "1938-08-11T12:00"
    for day in ("07", "08", "09", "10", "11"):
        assert f"1938-08-{day}T00:00" in result.snapshots


def test_the_preparation_suppresses_more_than_it_kills(played):
    _, _, japanese_men, lost_by_1655, peak = played
    assert lost_by_1655 < 0.10 * japanese_men
    assert np.mean(list(peak.values())) > 0.2


def test_the_swamp_bogs_tanks_on_the_first_evening(played):
    _, result, *_ = played
    first_night = result.snapshot("1938-08-07T00:00")
    bogged_events = [e for e in played[0].events() if e.kind == "bogged" and e.t_s < 8 * 3600]
    assert len(bogged_events) >= 5
    assert first_night["unit.2mb-3tb.tanks_reached.japanese-forward-line"] < 43


def test_zaozernaya_changes_hands_and_the_japanese_counter_attack(played):
    sim, result, *_ = played
    holders = [dict(e.fields)["holder"] for e in sim.events() if e.kind == "zone_holder" and dict(e.fields)["zone"] == "zaozernaya"]
    assert len(holders) >= 2
    assert result.final["japanese.counterattacks"] > 0


def test_losses_are_of_the_right_order(played):
    _, result, *_ = played
    f = result.final
    soviet = f["soviet.killed"] + f["soviet.wounded"] + f["soviet.missing"]
    japanese = f["japanese.killed"] + f["japanese.wounded"] + f["japanese.missing"]
    assert 500 < soviet < 8000 and 200 < japanese < 5000
    assert f["soviet.killed"] < f["soviet.wounded"] and f["japanese.killed"] < f["japanese.wounded"]


def test_a_run_does_not_depend_on_the_runs_before_it_in_the_process():
    """The shared sight and path caches are pure: seed 1 after other seeds is seed 1 fresh."""
    sc = load_scenario(historical_scenario())
    for key in ("_sight_lines", "_planners"):
        sc.terrain.extras.pop(key, None)
    fresh = Simulation(sc, seed=11)
    fresh.advance_to("1938-08-07T02:00")
    for other in (12, 13):
        Simulation(sc, seed=other).advance_to("1938-08-07T02:00")
    again = Simulation(sc, seed=11)
    again.advance_to("1938-08-07T02:00")
    assert again.events_digest() == fresh.events_digest()


def _bog_one_tank_at_the_crossings(rate_per_h: float):
    import dataclasses

    from khasan_sim.engine.state import TANK_BOGGED

    sc = load_scenario(historical_scenario())
    sc = dataclasses.replace(sc, params=sc.params.with_values({"artillery.observed_fire_kill_per_hour": rate_per_h}))
    sim = Simulation(sc, seed=21)
    sim.advance_to("1938-08-06T17:00")
    tank = next(t for t in sim.tanks() if t.unit == "2mb-3tb" and t.status != "destroyed")
    tank.x, tank.y, tank.status, tank.moving = 5000.0, 9040.0, TANK_BOGGED, False  # at xing-2, in view of Bezymyannaya
    sim.advance_to("1938-08-06T18:30")
    return tank, sim


def test_observed_fire_knocks_out_a_tank_stuck_in_view():
    tank, sim = _bog_one_tank_at_the_crossings(20.0)
    causes = [dict(e.fields).get("cause", "") for e in sim.events() if e.kind == "tank_knocked_out" and dict(e.fields).get("tank") == tank.id]
    assert any(c.startswith("observed-artillery:j-") for c in causes), causes


def test_no_observed_fire_when_its_rate_is_zero():
    _tank, sim = _bog_one_tank_at_the_crossings(0.0)
    causes = [dict(e.fields).get("cause", "") for e in sim.events() if e.kind == "tank_knocked_out"]
    assert not any(c.startswith("observed-artillery") for c in causes)
