"""Adjusted counter-battery fire: the share of rounds in the gun line falls with range,
and a located battery under adjusted fire loses guns far faster than under area fire."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from khasan_sim.model import artillery, counter_battery


def test_share_in_gun_line_is_the_normal_range_error_within_its_depth():
    # probable error 20 m (4 km x 0.005), line 40 m deep: half-depth = one PE -> 50 %
    assert counter_battery.share_in_gun_line(4000.0, 0.005, 40.0) == pytest.approx(0.5, abs=1e-4)
    assert counter_battery.share_in_gun_line(4000.0, 0.0, 40.0) == 1.0
    assert counter_battery.share_in_gun_line(4000.0, 0.005, 0.0) == 0.0


@given(st.floats(100, 20000), st.floats(100, 20000), st.floats(0.001, 0.01), st.floats(5, 200))
def test_longer_range_puts_fewer_rounds_in_the_gun_line(r1, r2, share, depth):
    near, far = sorted((r1, r2))
    a = counter_battery.share_in_gun_line(near, share, depth)
    b = counter_battery.share_in_gun_line(far, share, depth)
    assert 0.0 <= b <= a <= 1.0


def test_gun_line_area():
    assert counter_battery.gun_line_area_m2(4, 20.0, 40.0) == 3200.0


def test_adjusted_fire_on_a_located_battery_beats_area_fire():
    rounds = 200.0
    area = artillery.point_target_hit_chance(rounds, 40.0, 160_000.0, 0.6)
    adjusted = counter_battery.adjusted_gun_hit_chance(rounds, 7000.0, 40.0, 0.6, 4, 20.0, 40.0, 0.004)
    assert adjusted > 5 * area
    in_line = rounds * counter_battery.share_in_gun_line(7000.0, 0.004, 40.0)
    assert adjusted == pytest.approx(1.0 - (1.0 - 40.0 / 3200.0 * 0.6) ** in_line)


@given(st.floats(0, 5000), st.floats(100, 20000), st.integers(1, 8))
def test_adjusted_chance_is_a_probability_rising_with_rounds(rounds, rng_m, guns):
    a = counter_battery.adjusted_gun_hit_chance(rounds, rng_m, 40.0, 0.6, guns, 20.0, 40.0, 0.004)
    b = counter_battery.adjusted_gun_hit_chance(rounds * 2 + 1, rng_m, 40.0, 0.6, guns, 20.0, 40.0, 0.004)
    assert 0.0 <= a <= b <= 1.0
    assert not math.isnan(a)
