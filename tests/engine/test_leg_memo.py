"""The leg memos' numbers are those of the plain numpy expressions they stand for: a
tank leg's sums are np.sum's over its segments, its bog rate np.max's, and its worst
segment the first at that rate (the bogging event names that segment's ground); a foot
leg's minutes np.sum's. The memos sum with np.add.reduce (what np.sum runs), without
np.sum's Python wrapper."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from khasan_sim.api import Simulation
from khasan_sim.engine.systems.common import ARRAY_SUM
from khasan_sim.model import movement
from khasan_sim.scenario.load import load_scenario
from tests.engine.test_crossing_blocked import SCENARIO


def test_array_sum_is_np_sum_bit_for_bit():
    rng = np.random.default_rng(7)
    for _ in range(3000):
        a = rng.random(int(rng.integers(1, 300))) * rng.choice([1e-3, 1.0, 1e4])
        i = int(rng.integers(0, a.size))
        j = int(rng.integers(i + 1, a.size + 1))
        assert float(ARRAY_SUM(a[i:j], None)) == float(np.sum(a[i:j]))


def _engine(tmp_path: Path):
    path = tmp_path / "legs.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    return Simulation(load_scenario(path), 1).engine


def test_tank_legs_are_the_numpy_sums_of_their_segments(tmp_path):
    e = _engine(tmp_path)
    t = e.units["coy"].tanks[0]
    # over the stream and its soft banks, west of the company
    route = e._route(t.mobility, "soviet", (t.x, t.y), (5000.0, 9400.0), [])
    legs = e._tank_legs(route)
    seg_len, p_bog = route.seg_length_m, route.seg_p_bog_per_100m
    seg_min = seg_len / (np.maximum(route.seg_speed_kmh, 0.05) * 1000.0 / 60.0)
    assert [(g.a, g.b) for g in legs] == movement.split_legs(seg_len, e.cp.leg_m, breaks=np.array([bool(c) for c in route.seg_crossing]))
    assert any(g.soft_m > 0 for g in legs)
    for g in legs:
        a, b = g.a, g.b
        assert g.minutes == float(np.sum(seg_min[a:b]))
        assert g.length_m == float(np.sum(seg_len[a:b]))
        soft = route.seg_soft[a:b]
        assert g.soft_m == (float(np.sum(seg_len[a:b][soft])) if soft.any() else 0.0)
        if g.soft_m > 0:
            assert g.p_bog_per_100m == float(np.max(p_bog[a:b]))
            assert g.bog_seg == a + int(np.argmax(p_bog[a:b]))
        else:
            assert g.p_bog_per_100m == 0.0
    assert e._tank_legs(route) is legs  # kept per process


def test_foot_legs_are_the_numpy_sums_of_their_segments(tmp_path):
    e = _engine(tmp_path)
    route = e._route("foot", "soviet", (6100.0, 9200.0), (5000.0, 9400.0), [])
    legs = e._foot_legs(route)
    seg_min = route.seg_length_m / (np.maximum(route.seg_speed_kmh, 0.05) * 1000.0 / 60.0)
    spans = movement.foot_legs(route.seg_length_m, route.seg_speed_kmh, e.cp.leg_m, e.cp.foot_leg_min)
    assert len(legs) == len(spans)
    for (minutes, x, y), (a, b) in zip(legs, spans, strict=True):
        assert minutes == float(np.sum(seg_min[a:b]))
        assert (x, y) == tuple(route.points_m[b].tolist())
