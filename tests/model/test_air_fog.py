"""Bombing and strafing in fog: accuracy never better than in clear weather, and monotone."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from khasan_sim.model import air

CLEAR, BLIND = 4000.0, 4.0
vis = st.floats(0.0, 20_000.0, allow_nan=False)


@given(vis, st.floats(100.0, 10_000.0), st.floats(1.0, 20.0))
def test_fog_factor_lies_between_clear_and_blind(v, clear, blind):
    f = air.fog_cep_factor(v, clear, blind)
    assert 1.0 <= f <= blind + 1e-12


@given(vis, vis, st.floats(100.0, 10_000.0), st.floats(1.0, 20.0))
def test_poorer_visibility_never_aims_better(v1, v2, clear, blind):
    lo, hi = sorted((v1, v2))
    assert air.fog_cep_factor(lo, clear, blind) >= air.fog_cep_factor(hi, clear, blind) - 1e-12
    assert air.strafe_share_seen(lo, 600.0) <= air.strafe_share_seen(hi, 600.0)


def test_fog_factor_ends():
    assert air.fog_cep_factor(CLEAR, CLEAR, BLIND) == 1.0
    assert air.fog_cep_factor(8000.0, CLEAR, BLIND) == 1.0
    assert air.fog_cep_factor(0.0, CLEAR, BLIND) == BLIND
    assert air.fog_cep_factor(150.0, CLEAR, BLIND) == pytest.approx(1.0 + 3.0 * (1.0 - 150.0 / 4000.0))
    assert air.fog_cep_factor(100.0, CLEAR, 0.5) == 1.0  # a factor below 1 is never an improvement


@given(vis, st.floats(10.0, 2000.0), st.floats(50.0, 600.0), st.floats(1.0, 10.0))
def test_fewer_bombs_near_the_aim_in_fog_than_in_clear_weather(v, radius, cep, blind):
    """Accuracy is never better in fog: the share within any radius and the bombs on a unit at the aim."""
    fog = cep * air.fog_cep_factor(v, CLEAR, blind)
    clear = cep * air.fog_cep_factor(CLEAR, CLEAR, blind)
    assert air.share_within(radius, fog) <= air.share_within(radius, clear) + 1e-12
    assert air.bombs_on_unit(100.0, 0.0, fog, 160_000.0) <= air.bombs_on_unit(100.0, 0.0, clear, 160_000.0) + 1e-9


@given(vis, st.floats(1.0, 5000.0))
def test_strafe_share_is_a_share(v, sight):
    s = air.strafe_share_seen(v, sight)
    assert 0.0 <= s <= 1.0
    if v >= sight:
        assert s == 1.0
