"""Digging in: men who halt scrape in, then dig trenches as far as the ground in their
frontage allows; moving off leaves the position; a defend order keeps the digging going."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khasan_sim.api import Simulation
from khasan_sim.scenario.load import load_scenario
from khasan_sim.terrain.types import TerrainClass

TINY = Path(__file__).resolve().parents[2] / "tests" / "data" / "tiny" / "tiny.yaml"


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(TINY)


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


def _halt_on_rock(tiny, half_cells: int):
    """The tiny Japanese company halts at a point in a square of rock 2 x *half_cells* + 1
    cells wide, with trenches quick to dig (2 h); return the levels it dug and the unit."""
    import dataclasses

    quick = dataclasses.replace(tiny, params=tiny.params.with_values({"command.dig_in_hours.trenches": 2.0}))
    sim = Simulation(quick, seed=1, player_sides=["soviet", "japanese"])
    e = sim.engine
    halt = (5000.0, 4700.0)
    tc = e.terrain.terrain_class.copy()
    r, c = e.cell(*halt)
    k = half_cells
    tc[max(r - k, 0):r + k + 1, max(c - k, 0):c + k + 1] = int(TerrainClass.ROCK)
    e.terrain = dataclasses.replace(e.terrain, terrain_class=tc)
    sim.give({"kind": "move", "unit": "tiny-jp-coy", "to": halt})
    for _ in range(10):  # five hours: long enough for trenches (2 h here) anywhere else
        sim.advance_turn()
    u = sim.unit("tiny-jp-coy")
    assert e.cell(u.x, u.y) == (r, c)
    return [ev.get("level") for ev in sim.events() if ev.kind == "dug_in" and ev.get("unit") == "tiny-jp-coy"], u


def test_men_who_halt_on_rock_build_scrapes_but_no_trenches(tiny):
    """On rock men pile stones into sangars: they scrape in, as anywhere, but dig no trenches
    (rock over the whole of the unit's frontage)."""
    levels, u = _halt_on_rock(tiny, 10)
    assert levels == ["hasty"] and u.entrenchment == "hasty"


def test_men_whose_centre_stands_on_a_rocky_top_dig_trenches_on_the_ground_round_it(tiny):
    """A unit's men spread over its frontage: a knob of rock 125 m across under its centre
    does not stop them digging trenches in the open ground round it."""
    levels, u = _halt_on_rock(tiny, 2)
    assert levels == ["hasty", "trenches"] and u.entrenchment == "trenches"


def test_a_defend_order_does_not_undo_the_digging_of_men_who_halted(tiny):
    """Men halted and digging in, then told to defend where they stand, go on digging; men
    on the move halted by a defend order dig in where they stop."""
    import dataclasses

    quick = dataclasses.replace(tiny, params=tiny.params.with_values({"command.dig_in_hours.trenches": 2.0}))
    sim = Simulation(quick, seed=1, player_sides=["soviet", "japanese"])
    sim.give({"kind": "move", "unit": "tiny-jp-coy", "to": (5000.0, 4700.0)})
    for _ in range(4):  # arrived, scraped in, trenches begun
        sim.advance_turn()
    u = sim.unit("tiny-jp-coy")
    assert not u.moving and u.entrenchment == "hasty"
    sim.give({"kind": "defend", "unit": "tiny-jp-coy"})
    for _ in range(4):
        sim.advance_turn()
    assert u.entrenchment == "trenches" and u.activity == "defending"
    # on the move, then told to defend: it halts and digs in there
    sim.give({"kind": "move", "unit": "tiny-jp-coy", "to": (5600.0, 4700.0)})
    sim.advance_turn()
    assert u.moving and u.entrenchment == "none"
    sim.give({"kind": "defend", "unit": "tiny-jp-coy"})
    for _ in range(3):
        sim.advance_turn()
    assert not u.moving and u.entrenchment == "hasty"


def test_men_in_works_told_to_dig_in_keep_their_works(tiny):
    """Works (fortified) are better than anything men dig: a dig-in order leaves them."""
    sim = Simulation(tiny, seed=1, player_sides=["soviet", "japanese"])
    u = sim.unit("tiny-jp-coy")
    u.entrenchment = "fortified"
    sim.give({"kind": "dig_in", "unit": "tiny-jp-coy"})
    for _ in range(4):
        sim.advance_turn()
    assert u.entrenchment == "fortified"
    assert not [ev for ev in sim.events() if ev.kind == "dug_in" and ev.get("unit") == "tiny-jp-coy"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(share=st.floats(0.0, 1.0), seed=st.integers(0, 10**6))
def test_the_ground_of_the_frontage_decides_how_far_men_dig(tiny, share, seed):
    """Property: a unit digs no trenches where at least half of the cells within half its
    frontage are rock (sangars only), and digs them where fewer are: the limit follows
    the ground round it, whatever the cell under its centre."""
    import dataclasses

    e = Simulation(tiny, seed=1, player_sides=["soviet", "japanese"]).engine
    rng = np.random.default_rng(seed)
    x, y = 5000.0, 4700.0
    r, c = e.cell(x, y)
    g = e.terrain.grid
    k = int(e.params.f("engine.unit_frontage_m") / 2.0 / g.cell_m)
    tc = np.full_like(e.terrain.terrain_class, int(TerrainClass.OPEN))
    rocky = rng.random(tc.shape) < share
    tc[rocky] = int(TerrainClass.ROCK)
    e.terrain = dataclasses.replace(e.terrain, terrain_class=tc)
    rr, cc = np.ogrid[-k : k + 1, -k : k + 1]
    disc = rr * rr + cc * cc <= k * k
    window = rocky[r - k : r + k + 1, c - k : c + k + 1][disc]
    expected = "hasty" if window.sum() * 2 >= window.size else None
    assert e._dig_limit_in_frontage(x, y) == expected


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**6), corner=st.booleans())
def test_the_limit_worked_out_is_the_median_of_the_levels_round_the_unit(tiny, seed, corner):
    """The limit worked out from counts of sorted levels is ``int(np.median)`` of the levels
    the cells within half a frontage allow (a plain reference), also at the map's corner,
    where the cells on the map may be an even count; and runs on one terrain share it."""
    import dataclasses

    levels = ("none", "hasty", "trenches")
    e = Simulation(tiny, seed=1, player_sides=["soviet", "japanese"]).engine
    rng = np.random.default_rng(seed)
    tc = rng.integers(0, len(TerrainClass), size=e.terrain.terrain_class.shape).astype(e.terrain.terrain_class.dtype)
    e.terrain = dataclasses.replace(e.terrain, terrain_class=tc, extras=dict(e.terrain.extras))
    e._dig_limit = {int(TerrainClass.ROCK): "hasty", int(TerrainClass.SWAMP): "none"}
    g = e.terrain.grid
    x, y = (10.0, 10.0) if corner else (5000.0, 4700.0)
    r0, c0 = e.cell(x, y)
    k = int(e.params.f("engine.unit_frontage_m") / 2.0 / g.cell_m)
    r1, c1 = max(r0 - k, 0), max(c0 - k, 0)
    window = tc[r1 : r0 + k + 1, c1 : c0 + k + 1]
    rr, cc = np.ogrid[r1 - r0 : r1 - r0 + window.shape[0], c1 - c0 : c1 - c0 + window.shape[1]]
    got = [levels.index(e._dig_limit.get(int(c), "trenches")) for c in window[rr * rr + cc * cc <= k * k].tolist()]
    best = levels[int(np.median(got))]
    expected = best if best != "trenches" else None
    assert e._dig_limit_in_frontage(x, y) == expected
    other = Simulation(tiny, seed=2, player_sides=["soviet", "japanese"]).engine
    other.terrain, other._dig_limit = e.terrain, e._dig_limit
    assert e.cell(x, y) in other._dig_limits_shared()  # the second run reads the first one's
    assert other._dig_limit_in_frontage(x, y) == expected
