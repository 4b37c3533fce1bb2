"""Rules: night, fog, the artillery exclusion band, zone holders."""

from __future__ import annotations

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


def test_zone_holder_needs_sole_presence():
    assert rules.zone_holder(100, 0, 20) == "soviet"
    assert rules.zone_holder(0, 100, 20) == "japanese"
    assert rules.zone_holder(100, 5, 20) is None
    assert rules.zone_holder(10, 0, 20) is None
