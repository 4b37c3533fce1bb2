"""Rules: night, fog, the artillery exclusion band, zone holders."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from khasan_sim.model import rules


def test_night_between_dusk_and_dawn():
    dawn, dusk = rules.minutes_of_day("06:45"), rules.minutes_of_day("21:55")
    assert rules.is_night(23 * 60, dawn, dusk)
    assert rules.is_night(3 * 60, dawn, dusk)
    assert not rules.is_night(16 * 60, dawn, dusk)


def test_visibility_is_the_worst_spell_in_force():
    spells = (rules.FogSpell(0, 60, True, 200.0),)
    assert rules.visibility_m(30, spells) == 200.0
    assert rules.visibility_m(90, spells) == 5000.0


def test_exclusion_band():
    assert rules.fire_mission_allowed(100.0, True, None) == (True, "")
    ok, why = rules.fire_mission_allowed(100.0, True, 500.0)
    assert not ok and "500 m" in why
    ok, why = rules.fire_mission_allowed(1000.0, False, 500.0)
    assert not ok and "across the border" in why
    assert rules.fire_mission_allowed(0.0, False, 0.0)[0]


def test_zone_holder_needs_strength_and_an_enemy_too_weak_to_contest():
    assert rules.zone_holder(100, 0, 20) == "soviet"
    assert rules.zone_holder(0, 100, 20) == "japanese"
    assert rules.zone_holder(100, 5, 20) == "soviet"  # a gun crew in a corner does not contest it
    assert rules.zone_holder(100, 20, 20) is None  # a platoon does
    assert rules.zone_holder(10, 0, 20) is None
    assert rules.zone_holder(10, 10, 20) is None


@given(st.floats(0, 5000), st.floats(0, 5000), st.floats(1, 200))
def test_a_zone_has_at_most_one_holder_and_the_holder_is_there_in_strength(sov, jap, hold_min):
    h = rules.zone_holder(sov, jap, hold_min)
    assert h in ("soviet", "japanese", None)
    if h == "soviet":
        assert sov >= hold_min > jap
    if h == "japanese":
        assert jap >= hold_min > sov
    # who holds does not depend on which side is called which
    swapped = rules.zone_holder(jap, sov, hold_min)
    assert swapped == {"soviet": "japanese", "japanese": "soviet", None: None}[h]


def test_zone_holders_agree_with_zone_holder():
    men = [0.0, 5.0, 19.999, 20.0, 150.0, float("nan")]
    pairs = [(s, j) for s in men for j in men]
    got = rules.zone_holders([s >= 20.0 for s, _ in pairs], [j >= 20.0 for _, j in pairs])
    assert got == [rules.zone_holder(s, j, 20.0) for s, j in pairs]
