"""The Khasan terrain: geography of the digest, mobility, line of sight, routes, cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khasan_sim.errors import KhasanSimError
from khasan_sim.scenario.params_file import default_param_files, load_params
from khasan_sim.terrain import TerrainClass, line_of_sight, load_terrain, plan_route, visible_many
from khasan_sim.terrain.mobility import tobler_factor, vehicle_slope_factor
from khasan_sim.terrain.raster import slope_deg

ROOT = Path(__file__).resolve().parents[2]
MAP = ROOT / "assets" / "terrain" / "khasan.yaml"

ZAOZERNAYA = (5012.0, 5095.0)
BEZYMYANNAYA = (3779.0, 7104.0)
MACHINE_GUN_HILL = (5800.0, 4450.0)
LAKE_CENTRE = (4770.0, 6506.0)


@pytest.fixture(scope="module")
def params():
    return load_params(default_param_files())


@pytest.fixture(scope="module")
def terrain(params):
    return load_terrain(MAP, params)


def at(terrain, layer, xy):
    r, c = terrain.grid.cell(*xy)
    return layer[r, c]


def test_grid_is_12_km_at_25_m(terrain):
    g = terrain.grid
    assert (g.width_m, g.height_m, g.cell_m) == (12000, 12000, 25)
    assert terrain.elevation_m.shape == (480, 480)


def test_heights_stand_where_the_sources_put_them(terrain):
    """Summits carry their recorded heights (within a cell's smoothing) and are local maxima."""
    assert 145 <= at(terrain, terrain.elevation_m, ZAOZERNAYA) <= 156
    assert 70 <= at(terrain, terrain.elevation_m, BEZYMYANNAYA) <= 78
    assert 95 <= at(terrain, terrain.elevation_m, MACHINE_GUN_HILL) <= 106
    r, c = terrain.grid.cell(*ZAOZERNAYA)
    window = terrain.elevation_m[r - 8 : r + 9, c - 8 : c + 9]
    assert window.max() == pytest.approx(terrain.elevation_m[r, c], abs=3)


def test_the_lake_lies_east_of_the_hills_and_the_border(terrain):
    """Digest: the two border hills stand just west of the lake; the lake is Soviet."""
    assert at(terrain, terrain.terrain_class, LAKE_CENTRE) == TerrainClass.WATER
    assert at(terrain, terrain.soviet_side, LAKE_CENTRE)
    # walking east from Zaozernaya's summit reaches the water within a kilometre
    xs = np.arange(ZAOZERNAYA[0], ZAOZERNAYA[0] + 1000, 25)
    classes = [at(terrain, terrain.terrain_class, (x, ZAOZERNAYA[1] + 400)) for x in xs]
    assert TerrainClass.WATER in classes
    # the summits are on the border line
    assert at(terrain, terrain.border_distance_m, ZAOZERNAYA) < 30
    assert at(terrain, terrain.border_distance_m, BEZYMYANNAYA) < 30
    # Homoku is on the Manchurian side, Novoselka on the Soviet side
    assert not at(terrain, terrain.soviet_side, (3000, 7300))
    assert at(terrain, terrain.soviet_side, (6300, 10100))


def test_swamp_lies_between_lake_and_hills_and_along_the_stream(terrain):
    swamp = terrain.terrain_class == TerrainClass.SWAMP
    assert swamp.sum() * 25 * 25 > 3e6  # several square kilometres of wet ground
    assert at(terrain, swamp, (5900, 4750))  # the valley between Machine Gun Hill and Zaozernaya
    assert at(terrain, swamp, (5600, 9450))  # the stream meadows
    assert np.all(terrain.soft[swamp])


def test_machine_gun_hill_is_rock_that_stops_tanks(terrain):
    assert at(terrain, terrain.terrain_class, MACHINE_GUN_HILL) == TerrainClass.ROCK
    for mob in ("bt", "t26", "towed"):
        assert at(terrain, terrain.speed_kmh[mob], MACHINE_GUN_HILL) == 0
    assert at(terrain, terrain.speed_kmh["foot"], MACHINE_GUN_HILL) > 0


def test_a_bt_in_the_swamp_moves_at_3_kmh(terrain):
    flat_swamp = (terrain.terrain_class == TerrainClass.SWAMP) & (terrain.slope_deg < 0.5)
    speeds = terrain.speed_kmh["bt"][flat_swamp]
    assert speeds.max() <= 3.0 and np.median(speeds) > 2.9
    assert np.all(terrain.p_bog_per_100m["bt"][flat_swamp] > 0)
    assert np.all(terrain.p_bog_per_100m["bt"][~terrain.soft] == 0)


def test_water_is_impassable_to_every_class(terrain):
    wet = np.isin(terrain.terrain_class, [TerrainClass.WATER, TerrainClass.RIVER])
    for mob, speed in terrain.speed_kmh.items():
        assert np.all(speed[wet] == 0), mob


def test_no_class_climbs_beyond_its_limit(terrain):
    for mob, speed in terrain.speed_kmh.items():
        assert np.all(speed[terrain.slope_deg >= terrain.max_slope_deg[mob]] == 0), mob


def test_vehicles_cross_the_stream_only_at_crossings(terrain):
    stream = terrain.terrain_class == TerrainClass.STREAM
    assert np.all(terrain.speed_kmh["bt"][stream] == 0)
    idx = terrain.extras["crossing_index"]
    assert set(np.unique(idx[idx >= 0])) == {0, 1, 2}
    assert np.all(terrain.speed_kmh["bt"][idx >= 0] > 0)


@settings(max_examples=50, deadline=None)
@given(st.floats(0, 60), st.floats(0, 60))
def test_slope_slows_every_mover_monotonically(a, b):
    lo, hi = sorted((a, b))
    assert tobler_factor(np.array(hi), 3.5) <= tobler_factor(np.array(lo), 3.5) + 1e-12
    assert vehicle_slope_factor(np.array(hi), 32, 1.0) <= vehicle_slope_factor(np.array(lo), 32, 1.0) + 1e-12


@settings(max_examples=30, deadline=None)
@given(st.floats(-0.5, 0.5), st.floats(-0.5, 0.5), st.floats(1, 100))
def test_slope_of_a_plane_is_its_gradient(gx, gy, c):
    """slope_deg of a tilted plane is atan of its gradient everywhere."""
    y, x = np.mgrid[0:20, 0:20] * 25.0
    plane = c + gx * x + gy * y
    s = slope_deg(plane, 25.0)
    assert np.allclose(s, np.degrees(np.arctan(np.hypot(gx, gy))), atol=1e-3)


@settings(max_examples=40, deadline=None)
@given(st.tuples(st.floats(100, 11900), st.floats(100, 11900)), st.tuples(st.floats(100, 11900), st.floats(100, 11900)))
def test_line_of_sight_is_symmetric_for_equal_heights(terrain, a, b):
    assert line_of_sight(terrain, a, b, 2.0, 2.0) == line_of_sight(terrain, b, a, 2.0, 2.0)


def test_the_ridge_hides_the_floodplain_from_the_lake_shore(terrain):
    east = (5550.0, 5300.0)  # Soviet lowland east of Zaozernaya, beside the lake's south half
    west = (3700.0, 5100.0)  # Tumen floodplain behind the hill
    assert not line_of_sight(terrain, east, west)
    # the summit sees both
    assert line_of_sight(terrain, ZAOZERNAYA, east)
    assert line_of_sight(terrain, ZAOZERNAYA, west)
    vis = visible_many(terrain, np.array([east, ZAOZERNAYA]), np.array([west, west]))
    assert vis.tolist() == [False, True]


def test_routes_avoid_water_and_keep_to_their_side(terrain):
    start, goal = (6500.0, 8600.0), (5600.0, 4900.0)  # east of the lake, north to south
    forbidden = ~terrain.soviet_side
    r = plan_route(terrain, "foot", start, goal, forbidden=forbidden)
    assert r.reachable and r.length_m > 3500
    rows = (r.points_m[:, 1] // 25).astype(int)
    cols = (r.points_m[:, 0] // 25).astype(int)
    assert not np.any(np.isin(terrain.terrain_class[rows, cols], [TerrainClass.WATER, TerrainClass.RIVER]))
    assert np.all(terrain.soviet_side[rows[1:-1], cols[1:-1]])
    assert r.time_min == pytest.approx(float(np.sum(r.seg_length_m / (r.seg_speed_kmh * 1000 / 60))))


def test_tanks_cross_the_stream_at_a_crossing(terrain):
    south, north = (5700.0, 8900.0), (4300.0, 9300.0)
    r = plan_route(terrain, "bt", south, north)
    assert r.reachable and r.crossings and r.crossings[0].startswith("xing-")
    foot = plan_route(terrain, "foot", south, north)
    assert foot.length_m <= r.length_m + 1


def test_a_goal_on_rock_is_snapped_for_tanks(terrain):
    r = plan_route(terrain, "bt", (7000.0, 4750.0), MACHINE_GUN_HILL)
    assert r.snapped
    end = r.points_m[-1]
    assert at(terrain, terrain.speed_kmh["bt"], end) > 0
    assert np.hypot(*(end - np.array(MACHINE_GUN_HILL))) < 400


def test_bad_description_names_file_line_and_field(tmp_path, params):
    bad = tmp_path / "bad.yaml"
    text = MAP.read_text(encoding="utf-8").replace("semi_axes: [2000, 355]", "semi_axes: [2000, -355]")
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(KhasanSimError) as info:
        load_terrain(bad, params, use_cache=False)
    msg = str(info.value)
    assert "bad.yaml" in msg and "semi" in msg
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "-355" in s)
    assert f":{line}" in msg or f"line {line}" in msg


def test_cache_gives_the_same_layers(tmp_path, params, monkeypatch):
    monkeypatch.setenv("KHASAN_CACHE", str(tmp_path))
    from khasan_sim.terrain import load as tload

    monkeypatch.setattr(tload, "_MEMO", {})
    first = load_terrain(MAP, params)
    assert list(tmp_path.glob("terrain-*.npz"))
    tload._MEMO.clear()
    second = load_terrain(MAP, params)
    assert second.extras["from_cache"] and not first.extras["from_cache"]
    assert second.source_digest == first.source_digest
    for layer in ("elevation_m", "slope_deg", "terrain_class", "soviet_side"):
        assert np.array_equal(getattr(first, layer), getattr(second, layer))
    assert np.array_equal(first.speed_kmh["bt"], second.speed_kmh["bt"])
    # a damaged cache file is rebuilt, not trusted
    for f in tmp_path.glob("terrain-*.npz"):
        f.write_bytes(b"not a zip")
    tload._MEMO.clear()
    third = load_terrain(MAP, params)
    assert not third.extras["from_cache"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(100, 11900), st.floats(100, 11900), st.floats(100, 11900), st.floats(100, 11900)), min_size=1, max_size=12))
def test_line_of_sight_of_a_pair_does_not_depend_on_its_batch(terrain, pairs):
    """Each pair is answered as if asked alone: caches filled from batches stay history-free."""
    arr = np.array(pairs)
    together = visible_many(terrain, arr[:, :2], arr[:, 2:])
    alone = [bool(visible_many(terrain, arr[i : i + 1, :2], arr[i : i + 1, 2:])[0]) for i in range(len(arr))]
    assert together.tolist() == alone
