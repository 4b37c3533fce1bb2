"""Anti-aircraft fire on a sortie: the envelope by height, the fire shared by the formation,
the draws bounded and reproducible."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from khasan_sim.model import anti_aircraft as aa

HEAVY = aa.AAWeapon("aa-gun", 4.0, 1000.0, 7000.0, 15.0, 3000.0, 0.3, 500.0)
MG = aa.AAWeapon("aa-mg", 6.0, 300.0, 1500.0, 250.0, 30000.0, 0.15, 0.0)
BOMBER = aa.AircraftPass(altitude_m=3000.0, speed_kmh=400.0, span_m=20.3, reference_span_m=20.0, passes=1)
HEAVY_BOMBER = aa.AircraftPass(altitude_m=3000.0, speed_kmh=200.0, span_m=41.8, reference_span_m=20.0, passes=1)
FIGHTER = aa.AircraftPass(altitude_m=100.0, speed_kmh=300.0, span_m=9.75, reference_span_m=20.0, passes=2)


def test_time_in_envelope_is_the_chord_flown_at_speed():
    # 5 km slant reach at 3 km height, straight overhead: 2 x 4 km flown at 240 km/h (4 km/min)
    assert aa.time_in_envelope_min(0.0, 3000.0, 5000.0, 240.0) == pytest.approx(2.0)
    assert aa.time_in_envelope_min(0.0, 3000.0, 2500.0, 240.0) == 0.0  # above the weapon's reach
    assert aa.time_in_envelope_min(4500.0, 3000.0, 5000.0, 240.0) == 0.0  # too far to the side


def test_machine_guns_cannot_reach_bombers_at_medium_height():
    assert aa.expected_damaged(MG, BOMBER) == 0.0
    assert aa.expected_damaged(MG, FIGHTER) > 0.0


def test_heavy_guns_do_not_follow_low_fighters():
    assert aa.expected_damaged(HEAVY, FIGHTER) == 0.0
    assert aa.expected_damaged(HEAVY, BOMBER) > 0.0


def test_a_slow_big_bomber_takes_more_hits_than_a_fast_medium_one():
    slow, fast = aa.expected_damaged(HEAVY, HEAVY_BOMBER), aa.expected_damaged(HEAVY, BOMBER)
    # twice as long in the envelope and twice the span
    assert slow == pytest.approx(fast * 2.0 * 41.8 / 20.3)


def test_expected_damage_follows_rounds_over_rounds_per_damaged():
    # 4 guns x 15 rpm x minutes in reach, over 3,000 rounds per downed x 0.3 lost share
    minutes = aa.time_in_envelope_min(1000.0, 3000.0, 7000.0, 400.0)
    assert aa.expected_damaged(HEAVY, BOMBER) == pytest.approx(4 * 15 * minutes / 900.0 * 20.3 / 20.0)


def test_more_aircraft_share_the_same_fire():
    """A gun fires at one aircraft at a time: a bigger formation has a smaller chance for
    each aircraft, and about the same number damaged."""
    few = aa.draw_sortie_losses(10, HEAVY_BOMBER, [HEAVY], np.random.default_rng(1))
    many = aa.draw_sortie_losses(100, HEAVY_BOMBER, [HEAVY], np.random.default_rng(1))
    assert many.chance_damaged < few.chance_damaged
    assert many.chance_damaged * 100 == pytest.approx(few.chance_damaged * 10, rel=0.1)


def test_no_weapons_in_reach_no_draw():
    rng = np.random.default_rng(3)
    before = rng.bit_generator.state
    out = aa.draw_sortie_losses(60, BOMBER, [MG], rng)
    assert (out.damaged, out.lost) == (0, 0)
    assert rng.bit_generator.state == before


def test_lost_share_is_weighted_by_the_weapons_that_did_the_damage():
    out = aa.draw_sortie_losses(36, FIGHTER, [HEAVY, MG], np.random.default_rng(5))
    assert out.lost_share == pytest.approx(0.15)  # only the machine guns reach the fighters
    assert out.expected_each[0] == 0.0 and out.expected_each[1] > 0.0


@given(
    st.integers(0, 300),
    st.floats(0, 20),
    st.floats(0, 8000),
    st.floats(50, 6000),
    st.integers(0, 2**32 - 1),
)
def test_sortie_losses_bounded_and_reproducible(n, weapons, distance, altitude, seed):
    gun = aa.AAWeapon("aa-gun", weapons, distance, 7000.0, 15.0, 3000.0, 0.3, 500.0)
    flight = aa.AircraftPass(altitude, 300.0, 20.0, 20.0, 1)
    a = aa.draw_sortie_losses(n, flight, [gun, MG], np.random.default_rng(seed))
    b = aa.draw_sortie_losses(n, flight, [gun, MG], np.random.default_rng(seed))
    assert 0 <= a.lost <= a.damaged <= n
    assert 0.0 <= a.chance_damaged <= 1.0 and 0.0 <= a.lost_share <= 1.0
    assert (a.damaged, a.lost) == (b.damaged, b.lost)
