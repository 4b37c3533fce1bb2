"""Suppression and morale: bounds, decay, thresholds by training."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from khasan_sim.model import morale
from khasan_sim.model.morale import MoraleState, Thresholds

unit = st.floats(0, 1)


@given(unit, st.floats(0, 600), st.floats(1, 60))
def test_suppression_decays_and_stays_in_unit_interval(s, minutes, hl):
    d = morale.decay_suppression(s, minutes, hl)
    assert 0.0 <= d <= s + 1e-12


def test_suppression_half_life():
    assert morale.decay_suppression(0.8, 10, 10) == pytest.approx(0.4)


@given(unit, unit)
def test_adding_suppression_stays_in_bounds(a, b):
    s = morale.add_suppression(a, b)
    assert max(a, b) - 1e-12 <= s <= 1.0


@given(unit, st.floats(0, 1), unit, st.floats(0, 60), st.booleans(), st.floats(0, 1), st.booleans(), unit)
def test_morale_stays_in_unit_interval(m, loss, sup, minutes, night, shocks, resting, base):
    out = morale.morale_after(
        m, loss_share=loss, suppression=sup, minutes=minutes, is_night=night, shocks=shocks,
        resting=resting, baseline=base, loss_rate_weight=2.5, suppression_weight_per_hour=0.12,
        night_drift_per_hour=0.005, recovery_per_hour=0.04,
    )
    assert 0.0 <= out <= 1.0


def test_losses_lower_morale_and_rest_restores_it():
    kw = {"suppression": 0.0, "minutes": 5, "is_night": False, "shocks": 0.0, "baseline": 0.8, "loss_rate_weight": 2.5,
          "suppression_weight_per_hour": 0.12, "night_drift_per_hour": 0.0, "recovery_per_hour": 0.04}
    hit = morale.morale_after(0.8, loss_share=0.1, resting=False, **kw)
    assert hit == pytest.approx(0.55)
    rested = morale.morale_after(hit, loss_share=0.0, resting=True, **{**kw, "minutes": 60})
    assert rested == pytest.approx(0.59)


def test_elite_units_hold_where_poor_units_break():
    """Japanese (elite) thresholds are lower than poorly trained Soviet rifle units'."""
    poor = Thresholds(0.45, 0.32, 0.18, 0.55, 0.1)
    elite = Thresholds(0.20, 0.10, 0.04, 0.55, 0.1)
    assert morale.morale_state(0.3, 0.0, MoraleState.STEADY, poor) is MoraleState.RETREATING
    assert morale.morale_state(0.3, 0.0, MoraleState.STEADY, elite) is MoraleState.STEADY


def test_states_in_order_and_hysteresis():
    th = Thresholds(0.4, 0.3, 0.15, 0.5, 0.1)
    assert morale.morale_state(0.9, 0.6, MoraleState.STEADY, th) is MoraleState.PINNED
    assert morale.morale_state(0.35, 0.0, MoraleState.STEADY, th) is MoraleState.SHAKEN
    assert morale.morale_state(0.1, 0.0, MoraleState.STEADY, th) is MoraleState.ROUTED
    # a retreating unit does not rally until clear of the threshold by the margin
    assert morale.morale_state(0.35, 0.0, MoraleState.RETREATING, th) is MoraleState.RETREATING
    assert morale.morale_state(0.45, 0.0, MoraleState.RETREATING, th) is MoraleState.STEADY


def test_a_unit_gives_ground_up_only_for_a_cause():
    """Below its breaking levels with nothing of the enemy's touching it, a unit holds,
    shaken; pressed, it falls back; already falling back, it goes on."""
    th = Thresholds(0.4, 0.3, 0.15, 0.5, 0.1)
    assert morale.morale_state(0.25, 0.0, MoraleState.STEADY, th, pressed=False) is MoraleState.SHAKEN
    assert morale.morale_state(0.1, 0.0, MoraleState.SHAKEN, th, pressed=False) is MoraleState.SHAKEN
    assert morale.morale_state(0.25, 0.0, MoraleState.STEADY, th, pressed=True) is MoraleState.RETREATING
    assert morale.morale_state(0.1, 0.0, MoraleState.SHAKEN, th, pressed=True) is MoraleState.ROUTED
    assert morale.morale_state(0.25, 0.0, MoraleState.RETREATING, th, pressed=False) is MoraleState.RETREATING
    assert morale.morale_state(0.1, 0.0, MoraleState.ROUTED, th, pressed=False) is MoraleState.ROUTED


@given(st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.floats(0.0, 0.6), st.floats(1.0, 600.0))
def test_suppression_alone_never_breaks_a_unit(m0, sup, floor, minutes):
    """Suppression wears morale down to the floor (the shaken threshold) and no further."""
    from khasan_sim.model.morale import morale_after

    m = morale_after(
        m0, loss_share=0.0, suppression=sup, minutes=minutes, is_night=False, shocks=0.0, resting=False,
        baseline=m0, loss_rate_weight=2.5, suppression_weight_per_hour=0.12, night_drift_per_hour=0.0,
        recovery_per_hour=0.0, suppression_floor=floor,
    )
    assert m <= m0 + 1e-12
    assert m >= min(m0, floor) - 1e-12


@given(st.floats(0, 5000), st.floats(0, 5000), st.floats(1.5, 6.0), st.floats(0, 1), st.floats(0, 60))
def test_penetration_wear_is_never_negative_and_grows_with_the_enemy(own, enemy, ref, rate, minutes):
    s = float(morale.penetration_shock(own, enemy, reference_ratio=ref, shock_per_hour=rate, minutes=minutes))
    assert s >= 0.0
    more = float(morale.penetration_shock(own, enemy * 1.5 + 1.0, reference_ratio=ref, shock_per_hour=rate, minutes=minutes))
    assert more >= s
    if enemy <= max(own, 1.0):
        assert s == 0.0  # no wear at even numbers or fewer


def test_penetration_wear_reaches_its_rate_at_the_reference_ratio_and_grows_in_proportion():
    kw = {"reference_ratio": 3.0, "shock_per_hour": 0.12, "minutes": 30.0}
    assert float(morale.penetration_shock(100, 300, **kw)) == pytest.approx(0.06)
    assert float(morale.penetration_shock(100, 200, **kw)) == pytest.approx(0.03)
    # a company caught by a regiment, ten to one, breaks far faster than a battalion at three
    assert float(morale.penetration_shock(100, 1000, **kw)) == pytest.approx(0.27)
