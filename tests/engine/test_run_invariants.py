"""Invariants of a whole run of the historical scenario, checked at every turn: time never
runs backwards, no tank stands where its mobility class cannot go (water, the rock of
Machine Gun Hill, slopes past its limit), morale and suppression stay in [0, 1], and every
man is accounted for (present, killed, wounded or missing)."""

from __future__ import annotations

import itertools

import pytest

from khasan_sim.api import Simulation
from khasan_sim.scenario.builtin import historical_scenario
from khasan_sim.scenario.load import load_scenario


@pytest.fixture(scope="module")
def checked_run():
    sc = load_scenario(historical_scenario())
    sim = Simulation(sc, seed=4)
    e = sim.engine
    terrain = sc.terrain
    turns = 0
    while not sim.finished:
        sim.advance_turn()
        turns += 1
        for u in sim.units():
            assert 0.0 <= u.morale <= 1.0, u
            assert 0.0 <= u.suppression <= 1.0, u
            assert u.men >= 0 and u.men + u.killed + u.wounded + u.missing == u.men_start, u
        for t in sim.tanks():
            r, c = terrain.grid.cell(t.x, t.y)
            # a tank stands only where its class can move (knocked-out ones where they were hit)
            assert terrain.speed_kmh[t.mobility][r, c] > 0, (t, sim.now)
    seen_times = [ev.t_s for ev in sim.events()]
    return sim, e, seen_times, turns


def test_the_run_reaches_the_ceasefire_and_time_never_runs_backwards(checked_run):
    sim, e, times, turns = checked_run
    assert turns > 200 and sim.finished and e.now == pytest.approx(e.end_min)
    assert times and all(a <= b for a, b in itertools.pairwise(times))
