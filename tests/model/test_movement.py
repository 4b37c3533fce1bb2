"""Movement mechanics: bogging chances, ruts, infantry speed, legs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from khasan_sim.model import movement


def test_bog_chance_known_values():
    """Independent trials per 100 m: 200 m at 10 %/100 m is 1 - 0.9^2."""
    assert movement.bog_chance(200.0, 0.1) == pytest.approx(0.19)
    assert movement.bog_chance(0.0, 0.5) == 0.0
    assert movement.bog_chance(100.0, 0.0) == 0.0
    assert movement.bog_chance(50.0, 1.0) == 1.0


@given(st.floats(0, 5000), st.floats(0, 1), st.floats(0, 5000))
def test_bog_chance_is_a_probability_and_grows_with_distance(d1, p, extra):
    """The chance stays in [0, 1] and never falls when more soft ground is crossed."""
    a = movement.bog_chance(d1, p)
    b = movement.bog_chance(d1 + extra, p)
    assert 0.0 <= a <= b <= 1.0


@given(st.floats(0, 1), st.integers(0, 100), st.floats(0, 1), st.integers(0, 50))
def test_ruts_only_make_bogging_likelier(p, passes, rut, cap):
    """Each earlier pass raises the rate, up to the cap, never above 1."""
    r0 = movement.rutted_bog_rate(p, 0, rut, cap)
    r = movement.rutted_bog_rate(p, passes, rut, cap)
    assert r0 == pytest.approx(min(1.0, p))
    assert r0 <= r <= 1.0
    assert movement.rutted_bog_rate(p, passes + 1, rut, cap) >= r


def test_bogs_down_frequency_matches_chance():
    """Over many vehicles the share that bog matches the chance (binomial tolerance)."""
    rng = np.random.default_rng(3)
    n = 20_000
    hits = sum(movement.bogs_down(300.0, 0.1, rng) for _ in range(n))
    p = movement.bog_chance(300.0, 0.1)
    assert abs(hits / n - p) < 4 * np.sqrt(p * (1 - p) / n)


@given(st.floats(0, 1), st.booleans())
def test_infantry_speed_factor_in_unit_interval_and_zero_when_pinned(s, night):
    """Suppressed men slow down, pinned men stop, night slows further."""
    f = movement.infantry_speed_factor(s, night, 0.5, 0.55)
    assert 0.0 <= f <= 1.0
    if s >= 0.55:
        assert f == 0.0


@given(st.lists(st.floats(1, 400), min_size=1, max_size=60), st.floats(50, 500), st.data())
def test_split_legs_covers_every_segment_once(lengths, leg_m, data):
    """Legs partition the route in order; a marked segment is a leg of its own."""
    seg = np.array(lengths)
    breaks = np.array(data.draw(st.lists(st.booleans(), min_size=len(lengths), max_size=len(lengths))))
    legs = movement.split_legs(seg, leg_m, breaks)
    covered = [i for a, b in legs for i in range(a, b)]
    assert covered == list(range(len(lengths)))
    for a, b in legs:
        if any(breaks[a:b]):
            assert b - a == 1
        if b - a > 1:
            assert seg[a:b].sum() <= leg_m + 1e-9


@given(
    st.lists(st.tuples(st.floats(1, 400), st.floats(0.0, 40.0)), min_size=1, max_size=60),
    st.floats(50, 500), st.floats(1, 30),
)
def test_foot_legs_end_within_their_metres_and_their_minutes(segments, leg_m, leg_min):
    """Every segment is walked once, in order; a leg of several segments is at most
    leg_m long and at most leg_min minutes at the ground's pace."""
    seg = np.array([s for s, _ in segments])
    kmh = np.array([v for _, v in segments])
    legs = movement.foot_legs(seg, kmh, leg_m, leg_min)
    assert [i for a, b in legs for i in range(a, b)] == list(range(len(segments)))
    minutes = seg / (np.maximum(kmh, 0.05) * 1000.0 / 60.0)
    for a, b in legs:
        if b - a > 1:
            assert seg[a:b].sum() <= leg_m + 1e-9
            assert minutes[a:b].sum() <= leg_min * (1 + 1e-9)


def test_foot_legs_are_shorter_on_slow_ground():
    """At 1 km/h a 200 m leg would be 12 minutes: legs of 5 minutes hold about 83 m."""
    seg = np.full(20, 25.0)
    slow = movement.foot_legs(seg, np.full(20, 1.0), 200.0, 5.0)
    fast = movement.foot_legs(seg, np.full(20, 6.0), 200.0, 5.0)
    assert max(b - a for a, b in slow) == 3  # 75 m: 4.5 minutes
    assert max(b - a for a, b in fast) == 8  # 200 m: 2 minutes, the metres end it


_POINT = st.tuples(st.floats(-5000, 5000), st.floats(-5000, 5000))


@given(_POINT, _POINT, st.lists(_POINT, min_size=1, max_size=5), st.floats(100, 2000), st.floats(0, 2000))
def test_fall_back_point_never_goes_towards_the_nearest_enemy(at, home, enemies, leg_m, home_min_m):
    """A unit that breaks ends no nearer the enemy it fell back from than it was:
    straight back by leg_m, or home when home is far enough away and farther from
    every enemy than the unit is now."""
    gx, gy = movement.fall_back_point(at, home, enemies, leg_m, home_min_m)
    here = movement.nearest_enemy_m(at, enemies)
    if (gx, gy) == home and here >= 1.0:
        assert movement.nearest_enemy_m(home, enemies) >= here
    elif here >= 1.0:
        # the nearest enemy, measured as nearest_enemy_m measures (math.hypot: np.hypot may
        # differ from it in the last place)
        k = [math.hypot(ex - at[0], ey - at[1]) for ex, ey in enemies].index(here)
        ex, ey = enemies[k]
        assert np.hypot(gx - at[0], gy - at[1]) == pytest.approx(leg_m)
        assert np.hypot(gx - ex, gy - ey) == pytest.approx(here + leg_m)


def test_fall_back_point_goes_home_only_when_home_is_behind():
    """An attacker 1 km out falls back to its start line; a defender driven 1 km from
    its position, with the enemy now standing on it, does not go back there."""
    attacker = movement.fall_back_point((1000.0, 0.0), (0.0, 0.0), [(1200.0, 0.0)], 800.0, 500.0)
    assert attacker == (0.0, 0.0)
    defender = movement.fall_back_point((-1000.0, 0.0), (0.0, 0.0), [(0.0, 0.0)], 800.0, 500.0)
    assert defender == pytest.approx((-1800.0, 0.0))
    near_home = movement.fall_back_point((100.0, 0.0), (0.0, 0.0), [(300.0, 0.0)], 800.0, 500.0)
    assert near_home == pytest.approx((-700.0, 0.0))  # near home: straight back
    assert movement.fall_back_point((5.0, 5.0), (1.0, 2.0), [], 800.0, 500.0) == (1.0, 2.0)


def test_fall_back_point_does_not_go_home_past_another_enemy():
    """Home lies away from the nearest enemy but beside another one: the unit does not go
    there (else it would fall back from home again, and to and fro)."""
    at, home = (0.0, 0.0), (0.0, 1000.0)
    enemies = [(0.0, -300.0), (100.0, 1000.0)]
    goal = movement.fall_back_point(at, home, enemies, 800.0, 500.0)
    assert goal == pytest.approx((0.0, 800.0))  # straight away from the nearest instead
    assert movement.fall_back_point(at, home, enemies[:1], 800.0, 500.0) == home


def test_an_enemy_standing_on_the_unit_is_fallen_back_from_by_where_it_came_from():
    """An attack aimed at the very point a garrison holds gives no direction: the men go
    away from the attacker's start position, or home, or stay with nowhere to go."""
    at = (500.0, 500.0)
    goal = movement.fall_back_point(at, at, [at], 800.0, 500.0, enemies_from=[(1500.0, 500.0)])
    assert goal == pytest.approx((-300.0, 500.0))
    assert movement.fall_back_point(at, (0.0, 500.0), [at], 800.0, 500.0) == (0.0, 500.0)
    assert movement.fall_back_point(at, at, [at], 800.0, 500.0) == at


def _clamped_references():
    """The bog and speed rules as first written, with min and max (the model writes the
    clamps out, for speed: the same numbers)."""

    def bog_chance(d, p):
        if d <= 0.0 or p <= 0.0:
            return 0.0
        p = min(max(p, 0.0), 1.0)
        return 1.0 if p >= 1.0 else float(1.0 - (1.0 - p) ** (d / 100.0))

    def rutted(p, passes, rut, cap):
        return float(min(1.0, p * (1.0 + rut * min(max(passes, 0), cap))))

    def speed(s, night, nf, pin):
        s = min(max(s, 0.0), 1.0)
        under_fire = max(0.0, 1.0 - s / pin) if pin > 0 else 1.0
        return under_fire * (nf if night else 1.0)

    return bog_chance, rutted, speed


def _same(a, b) -> bool:
    return type(a) is type(b) and (a == b or (a != a and b != b)) and math.copysign(1.0, a) == math.copysign(1.0, b)


def test_written_out_clamps_give_the_min_max_numbers():
    bog_chance, rutted, speed = _clamped_references()
    values = [-1.0, -0.0, 0.0, 1e-9, 0.05, 0.5, 0.999, 1.0, 1.5, 2, 0, 1, -2, math.nan, math.inf, -math.inf]
    for a in values:
        for b in values:
            assert _same(movement.bog_chance(a, b), bog_chance(a, b)), (a, b)
    for p in values:
        for passes in (-3, 0, 1, 5, 50, -0.0, 2.5):
            for rut in (0.0, 0.1, -0.2, math.nan):
                for cap in (-1, 0, 3, 10):
                    assert _same(movement.rutted_bog_rate(p, passes, rut, cap), rutted(p, passes, rut, cap))
    for s in values:
        for night in (False, True):
            for nf in (0.5, 1.0, 0.0, math.nan):
                for pin in (0.55, 0.0, -1.0, 1, math.nan):
                    assert _same(movement.infantry_speed_factor(s, night, nf, pin), speed(s, night, nf, pin))
