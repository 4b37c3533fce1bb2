"""Direct fire: volumes, casualties conserved and split, tank kills, command tanks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from khasan_sim.model import fire


def test_range_factor_full_to_half_range_then_linear():
    assert fire.range_factor(0, 1000) == 1.0
    assert fire.range_factor(500, 1000) == 1.0
    assert fire.range_factor(750, 1000) == pytest.approx(0.5)
    assert fire.range_factor(1000, 1000) == 0.0


def test_more_shooters_more_fire():
    """Aimed fire grows with the shooters (square-law behaviour)."""
    k = {"rifle": 0.002}
    r = {"rifle": 400.0}
    assert fire.fire_volume({"rifle": 200}, k, r, 100) == pytest.approx(2 * fire.fire_volume({"rifle": 100}, k, r, 100))


@given(
    st.integers(0, 3000), st.floats(0, 5000), st.floats(0.05, 0.4), st.floats(0, 0.5),
    st.floats(0.01, 1.0), st.integers(0, 2**32 - 1),
)
def test_casualties_never_exceed_men_and_split_adds_up(men, expected, kf, mf, cap, seed):
    """Men are conserved: killed + wounded + missing is at most the men present and the cap."""
    c = fire.draw_casualties(men, expected, kf, mf, cap, np.random.default_rng(seed))
    assert min(c.killed, c.wounded, c.missing) >= 0
    assert c.total == c.killed + c.wounded + c.missing
    assert c.total <= men
    assert c.total <= int(np.ceil(cap * men))


@given(st.floats(0, 10), st.floats(0, 1), st.floats(0, 1))
def test_entrenched_targets_take_fewer_casualties(vol, sup, vis):
    """Casualties fall monotonically with the target's exposure (cover, entrenchment)."""
    open_ = fire.expected_casualties(vol, 5, 1.0, sup, vis, 1.0)
    trench = fire.expected_casualties(vol, 5, 1.0, sup, vis, 0.25)
    assert trench <= open_
    assert fire.expected_casualties(vol, 5, 1.0, 1.0, vis, 1.0) == 0.0


def test_killed_share_close_to_parameter():
    """Over many draws the killed share of those hit matches killed_fraction."""
    rng = np.random.default_rng(1)
    k = h = 0
    for _ in range(2000):
        c = fire.draw_casualties(800, 20.0, 0.25, 0.0, 1.0, rng)
        k += c.killed
        h += c.total
    assert k / h == pytest.approx(0.25, abs=0.02)


@given(st.lists(st.booleans(), min_size=1, max_size=30), st.floats(1, 10))
def test_command_tanks_draw_more_fire(is_cmd, w):
    """Weights sum to one and a command tank is never less likely to be fired at than a plain one."""
    cmd = np.array(is_cmd)
    p = fire.target_weights(cmd, np.ones(len(cmd)), w)
    assert p.sum() == pytest.approx(1.0)
    if cmd.any() and (~cmd).any():
        assert p[cmd].min() >= p[~cmd].max()


@given(st.floats(0, 1), st.floats(0, 60), st.floats(0, 3), st.floats(0, 1), st.floats(0, 2))
def test_tank_kill_probability_is_a_probability(k, t, e, v, a):
    assert 0.0 <= fire.tank_kill_probability(k, t, e, v, a) <= 1.0


@given(st.floats(1, 5000), st.floats(1, 5000), st.floats(1, 5000))
def test_frontage_share_is_a_share_that_grows_with_the_target_and_shrinks_with_the_shooter(shooter, target, other):
    f = fire.frontage_share(shooter, target)
    assert 0.0 < f <= 1.0
    if target >= shooter:
        assert f == 1.0  # a small unit firing at a bigger one uses all its weapons
    lo, hi = sorted((target, other))
    assert fire.frontage_share(shooter, lo) <= fire.frontage_share(shooter, hi)
    lo, hi = sorted((shooter, other))
    assert fire.frontage_share(hi, target) <= fire.frontage_share(lo, target)


def test_a_regiment_on_a_company_brings_a_quarter_of_its_rifles_to_bear():
    assert fire.frontage_share(2500, 150) == pytest.approx(0.245, abs=0.001)
    assert fire.frontage_share(0, 150) == 0.0 and fire.frontage_share(150, 0) == 0.0


@given(
    st.floats(0.0, 60.0), st.floats(0.0, 60.0), st.floats(0.1, 1.0), st.floats(1.0, 40.0),
)
def test_a_moving_tank_is_as_exposed_as_a_standing_one_at_a_crawl_and_less_the_faster_it_goes(v1, v2, moving, evasive):
    slow, fast = sorted((v1, v2))
    e_slow = fire.moving_tank_exposure(slow, moving, evasive)
    e_fast = fire.moving_tank_exposure(fast, moving, evasive)
    assert moving - 1e-12 <= e_fast <= e_slow <= 1.0 + 1e-12
    assert fire.moving_tank_exposure(0.0, moving, evasive) == pytest.approx(1.0)
    assert fire.moving_tank_exposure(evasive, moving, evasive) == pytest.approx(moving)


def test_a_bt_crawling_through_swamp_is_laid_on_almost_as_one_standing_still():
    # the 3 km/h of the digest's swamp against the 15 km/h at which the whole 0.6 applies
    assert fire.moving_tank_exposure(3.0, 0.6, 15.0) == pytest.approx(0.92)
    assert fire.moving_tank_exposure(25.0, 0.6, 15.0) == pytest.approx(0.6)
