"""Artillery and air: rounds, shares, posture, suppression over killing, AA."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from khasan_sim.model import air, artillery


def test_volley_limited_by_ammunition():
    assert artillery.volley_rounds(4, 2.0, 5.0, 1000) == 40
    assert artillery.volley_rounds(4, 2.0, 5.0, 10) == 10
    assert artillery.volley_rounds(4, 2.0, 5.0, 0) == 0


@given(st.floats(0, 5000), st.floats(10, 2000), st.floats(10, 500), st.floats(1, 1e6))
def test_share_of_rounds_is_a_share_and_falls_with_distance(d, r, disp, area):
    s = artillery.share_of_rounds(d, r, disp, area)
    assert 0.0 <= s <= 1.0
    assert artillery.share_of_rounds(d + 100, r, disp, area) <= s + 1e-12


def test_share_integrates_to_one_over_the_plane():
    """Rounds are conserved: summing the share over a fine ring grid gives ~1."""
    r, disp = 250.0, 120.0
    total = 0.0
    for d in np.arange(2.5, 3000, 5.0):
        ring = 2 * math.pi * d * 5.0
        total += artillery.share_of_rounds(d, r, disp, ring)
    assert total == pytest.approx(1.0, abs=0.02)


@given(st.floats(0, 500), st.floats(50, 1000), st.integers(1, 2000))
def test_fires_monotone_in_posture(rounds, lethal, men):
    """Expected casualties fall open > prone > trench > dugout, while suppression stays high."""
    area = 160_000.0
    post = [1.0, 0.35, 0.08, 0.03]
    cas = [artillery.expected_area_casualties(rounds, lethal, p, men, area) for p in post]
    assert cas == sorted(cas, reverse=True)
    sup_open = artillery.area_suppression(rounds, 0.02, 1.0)
    sup_trench = artillery.area_suppression(rounds, 0.02, 0.5)
    assert 0.0 <= sup_trench <= sup_open <= 1.0


def test_preparation_on_dug_in_troops_suppresses_more_than_it_kills():
    """45 minutes of a 12-gun 122 mm battalion on a dug-in battalion: heavy suppression, small losses."""
    rounds = artillery.volley_rounds(12, 1.5, 45, 10_000)
    on_unit = rounds * artillery.share_of_rounds(0, 250, 120, 160_000)
    killed = artillery.expected_area_casualties(on_unit, 450, 0.03, 800, 160_000)
    assert artillery.area_suppression(on_unit, 0.02, 0.5) > 0.8
    assert killed < 0.05 * 800


@given(st.floats(0, 2000), st.floats(10, 1000))
def test_bombs_within_radius_is_a_share(r, cep):
    s = air.share_within(r, cep)
    assert 0.0 <= s <= 1.0


def test_half_the_bombs_within_the_cep():
    assert air.share_within(250.0, 250.0) == pytest.approx(0.5)


@given(st.floats(0, 1e5), st.floats(10, 1000), st.floats(0.01, 1.0), st.integers(0, 3000))
def test_area_casualties_never_exceed_the_men_and_rise_with_rounds(rounds, lethal, posture, men):
    """Poisson coverage: no more casualties than men, more rounds never fewer casualties."""
    a = artillery.expected_area_casualties(rounds, lethal, posture, men, 160_000.0)
    b = artillery.expected_area_casualties(rounds * 2 + 1, lethal, posture, men, 160_000.0)
    assert 0.0 <= a <= b <= men
    small = artillery.expected_area_casualties(1.0, lethal, posture, men, 160_000.0)
    assert small == pytest.approx(lethal * posture * men / 160_000.0, rel=0.01)


@given(
    posture=st.floats(0.0, 1.0), moving=st.booleans(), since=st.floats(0.0, 1e4),
    within=st.floats(0.0, 60.0), share=st.floats(0.0, 1.0),
)
def test_men_already_under_fire_have_taken_cover_and_men_on_the_move_cannot(posture, moving, since, within, share):
    f = artillery.taken_cover_factor(posture, moving, since, within, share)
    if moving:
        assert f == max(posture, 1.0)  # an attack going forward is hit as men in the open
    elif since <= within:
        assert f == pytest.approx(posture * share) and f <= posture  # down in cover: never more exposed
    else:
        assert f == posture  # caught at their posts by the first rounds


def test_a_bombardment_kills_most_in_its_first_rounds():
    """The rafale (model-anchors 4.2): of ten volleys on a dug-in company, the first, which
    catches the men at their posts, kills more than any later one once they have taken cover."""
    men, area, lethal, rounds = 150, 150.0 * 150.0, 25.0, 40
    first = artillery.expected_area_casualties(rounds, lethal, artillery.taken_cover_factor(0.08, False, 1e9, 15.0, 0.35), men, area)
    later = artillery.expected_area_casualties(rounds, lethal, artillery.taken_cover_factor(0.08, False, 5.0, 15.0, 0.35), men, area)
    assert first > 2.5 * later > 0
