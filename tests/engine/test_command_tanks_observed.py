"""Observed artillery fire singles out command tanks: a stuck command tank, its handrail
radio aerial in the observer's view, is ranged in ``fire.command_tank_weight`` times as
fast as a stuck line tank beside it (digest: the command tanks "were among the first hit:
they carried handrail radio antennas that made them stand out")."""

from __future__ import annotations

import dataclasses

from khasan_sim.api import Simulation
from khasan_sim.engine.state import TANK_BOGGED
from khasan_sim.scenario.builtin import historical_scenario
from khasan_sim.scenario.load import load_scenario

AT_XING_2 = (5000.0, 9040.0)  # at the 2nd crossing, in view of Bezymyannaya


def _knocked_out_stuck_pair(command_weight: float, seed: int) -> tuple[bool, bool]:
    """Bog one command tank and one line tank of the 3rd battalion side by side in view of
    the Japanese posts at 17:00 and say which of them observed fire knocked out by 18:30."""
    sc = load_scenario(historical_scenario())
    # the observed fire's fall with the observer's distance held near its close-up rate
    # (the crossing is about 2 km from the posts: 1 / (1 + (2 / 3)^2) = 0.69 of it)
    values = {
        "artillery.observed_fire_kill_per_hour": 0.02,
        "artillery.observed_fire_half_distance_m": 3000.0,
        "fire.command_tank_weight": command_weight,
    }
    sc = dataclasses.replace(sc, params=sc.params.with_values(values))
    sim = Simulation(sc, seed=seed)
    sim.advance_to("1938-08-06T17:00")
    alive = [t for t in sim.tanks() if t.unit == "2mb-3tb" and t.status == "operational"]
    command = next(t for t in alive if t.command)
    line = next(t for t in alive if not t.command)
    for t in (command, line):
        t.x, t.y, t.status, t.moving = AT_XING_2[0], AT_XING_2[1], TANK_BOGGED, False
    sim.advance_to("1938-08-06T18:30")
    hit = {
        dict(e.fields)["tank"]
        for e in sim.events()
        if e.kind == "tank_knocked_out" and str(dict(e.fields).get("cause", "")).startswith("observed-artillery")
    }
    return command.id in hit, line.id in hit


def test_observers_range_in_on_the_command_tank_first():
    # about 0.014/h for a line tank (2% over the hour and a half), 200 times that for the command tank
    command_hit, line_hit = _knocked_out_stuck_pair(200.0, seed=21)
    assert command_hit and not line_hit


def test_without_the_weight_the_command_tank_is_no_likelier_hit():
    # weight 1: both at 0.02/h, so neither is hit in this run
    command_hit, line_hit = _knocked_out_stuck_pair(1.0, seed=21)
    assert not command_hit and not line_hit
