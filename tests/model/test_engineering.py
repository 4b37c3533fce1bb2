"""Sappers making crossings: effort, work rate, and the ground once a crossing stands."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from khasan_sim.model import engineering
from khasan_sim.terrain import Crossing, plan_route
from khasan_sim.terrain.load import nest
from khasan_sim.terrain.types import TerrainClass

ROOT = Path(__file__).resolve().parents[2]

men = st.floats(0.0, 3000.0)
sup = st.floats(0.0, 1.0)


@given(st.floats(1.0, 5000.0), st.floats(0.0, 1.0), st.floats(-4.0, 4.0), st.floats(0.0, 2.0))
def test_effort_is_positive_and_grows_with_the_draw(base, spread, z, dz):
    a = engineering.crossing_effort_man_h(base, spread, z)
    b = engineering.crossing_effort_man_h(base, spread, z + dz)
    assert 0.0 < a <= b
    assert engineering.crossing_effort_man_h(base, 0.0, z) == pytest.approx(base)
    assert engineering.crossing_effort_man_h(base, spread, 0.0) == pytest.approx(base)  # the median


@given(men, men, st.integers(1, 4), st.floats(1.0, 400.0), sup, sup, st.floats(0.0, 1.0))
def test_work_rate_monotone(m1, m2, sites, party, s1, s2, night_factor):
    """More men never slow the work, more suppression never speeds it, night never beats day."""
    lo_m, hi_m = sorted((m1, m2))
    lo_s, hi_s = sorted((s1, s2))
    r = engineering.work_rate_man_h_per_h
    assert r(lo_m, sites, party, lo_s, False, night_factor) <= r(hi_m, sites, party, lo_s, False, night_factor) + 1e-9
    assert r(hi_m, sites, party, hi_s, False, night_factor) <= r(hi_m, sites, party, lo_s, False, night_factor) + 1e-9
    day = r(hi_m, sites, party, lo_s, False, night_factor)
    assert 0.0 <= r(hi_m, sites, party, lo_s, True, night_factor) <= day
    assert day <= party + 1e-9  # no more than a party's worth at one site
    assert r(hi_m, sites, party, 1.0, False, night_factor) == 0.0  # fully suppressed: no work


def test_work_rate_shares_the_men_between_sites():
    r = engineering.work_rate_man_h_per_h
    assert r(420, 2, 150, 0.0, False, 0.5) == 150.0  # capped at the party size
    assert r(200, 2, 150, 0.0, False, 0.5) == 100.0
    assert r(200, 2, 150, 0.0, True, 0.5) == 50.0
    assert r(0, 2, 150, 0.0, False, 0.5) == 0.0
    assert r(200, 0, 150, 0.0, False, 0.5) == 0.0


@pytest.fixture(scope="module")
def scenario():
    from khasan_sim.scenario.load import load_scenario

    return load_scenario(ROOT / "scenarios" / "khasan_1938" / "historical.yaml")


SITE = Crossing("xing-9", 6050.0, 9564.0, 1, "test")


def _with_site(scenario, sites=(SITE,)):
    p = scenario.params
    return engineering.terrain_with_crossings(
        scenario.terrain, sites, p.f("engineering.crossing_radius_m"), nest(p.subtree("mobility")), nest(p.subtree("terrain"))
    )


def test_a_new_crossing_changes_only_the_stream_cells_at_its_site(scenario):
    base = scenario.terrain
    before = base.terrain_class.copy()
    t = _with_site(scenario)
    assert base.terrain_class.tolist() == before.tolist()  # the original is not touched
    assert [c.id for c in t.crossings] == [c.id for c in base.crossings] + ["xing-9"]
    changed = t.terrain_class != base.terrain_class
    assert changed.any()
    assert (base.terrain_class[changed] == TerrainClass.STREAM).all()
    assert (t.terrain_class[changed] == TerrainClass.ROAD).all()
    xs, ys = np.meshgrid((np.arange(base.grid.ncols) + 0.5) * base.grid.cell_m, (np.arange(base.grid.nrows) + 0.5) * base.grid.cell_m)
    assert (np.hypot(xs[changed] - SITE.x_m, ys[changed] - SITE.y_m) <= 30.0).all()
    assert (t.extras["crossing_index"][changed] == len(base.crossings)).all()
    # vehicles can now cross there, and nowhere else changed for them
    assert (base.speed_kmh["bt"][changed] == 0).all() and (t.speed_kmh["bt"][changed] > 0).all()
    assert np.array_equal(t.speed_kmh["bt"][~changed], base.speed_kmh["bt"][~changed])
    assert not t.soft[changed].any()


def test_derived_terrains_are_shared_and_grow(scenario):
    one = _with_site(scenario)
    assert _with_site(scenario) is one  # the runs of a study share it and its route planners
    other = Crossing("xing-8", 5175.0, 9066.0, 1, "test")
    two = engineering.terrain_with_crossings(one, (other,), 30.0, nest(scenario.params.subtree("mobility")), nest(scenario.params.subtree("terrain")))
    assert [c.id for c in two.crossings][-2:] == ["xing-8", "xing-9"]
    assert _with_site(scenario, (other, SITE)) is two  # same set, same terrain, whatever the order built
    assert engineering.terrain_with_crossings(two, (SITE,), 30.0, {}, {}) is two  # nothing new: unchanged


def test_routes_use_the_new_crossing(scenario):
    base = scenario.terrain
    start, goal = (6300.0, 9300.0), (6000.0, 9900.0)  # either side of the stream, upstream of xing-1..3
    far = ~base.soviet_side
    old = plan_route(base, "bt", start, goal, forbidden=far)
    new = plan_route(_with_site(scenario), "bt", start, goal, forbidden=far)
    assert "xing-9" not in old.crossings
    assert new.crossings == ("xing-9",)
    assert new.time_min < old.time_min
