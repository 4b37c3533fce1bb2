"""The many-exchanges direct-fire functions give, element by element, the scalar functions' floats."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from khasan_sim.model.fire import (
    expected_casualties,
    expected_casualties_many,
    fire_volume,
    fire_volume_many,
    range_factor,
    range_factor_many,
)

distance = st.floats(0.0, 3000.0)
reach = st.one_of(st.just(0.0), st.floats(0.0, 2500.0))


@settings(max_examples=200, deadline=None)
@given(pairs=st.lists(st.tuples(distance, reach), min_size=1, max_size=20))
def test_range_factor_many_is_the_scalar_factor(pairs):
    d, r = (np.array(c) for c in zip(*pairs, strict=True))
    # at exactly the range and exactly half of it, where a shortcut would show
    d = np.concatenate([d, r, 0.5 * r])
    r = np.concatenate([r, r, r])
    assert range_factor_many(d, r).tolist() == [range_factor(a, b) for a, b in zip(d.tolist(), r.tolist(), strict=True)]


weapon_names = ["at-gun", "hmg", "lmg", "mortar", "rifle", "smg"]


@settings(max_examples=200, deadline=None)
@given(
    shooters=st.lists(
        st.tuples(
            st.lists(st.one_of(st.just(0.0), st.floats(0.0, 400.0)), min_size=len(weapon_names), max_size=len(weapon_names)),
            st.floats(0.0, 1.0),  # men share
            distance,
        ),
        min_size=1, max_size=12,
    ),
    kills=st.lists(st.one_of(st.just(0.0), st.floats(0.0, 0.2)), min_size=len(weapon_names), max_size=len(weapon_names)),
    ranges=st.lists(reach, min_size=len(weapon_names), max_size=len(weapon_names)),
)
def test_fire_volume_many_is_the_scalar_volume_of_each_shooter(shooters, kills, ranges):
    kill_d = dict(zip(weapon_names, kills, strict=True))
    range_d = dict(zip(weapon_names, ranges, strict=True))
    counts = np.array([c for c, _, _ in shooters]) * np.array([s for _, s, _ in shooters])[:, None]
    got = fire_volume_many(counts, np.array(kills), np.array(ranges), np.array([d for _, _, d in shooters])).tolist()
    want = [
        fire_volume({w: n * share for w, n in zip(weapon_names, c, strict=True)}, kill_d, range_d, d)
        for c, share, d in shooters
    ]
    assert got == want


@settings(max_examples=200, deadline=None)
@given(
    exchanges=st.lists(
        st.tuples(st.floats(0.0, 50.0), st.floats(0.0, 2.0), st.floats(-0.5, 1.5), st.floats(0.0, 1.0)),
        min_size=1, max_size=20,
    ),
    minutes=st.sampled_from([1.0, 5.0]),
    visibility=st.floats(0.0, 1.0),
)
def test_expected_casualties_many_is_the_scalar_expectation(exchanges, minutes, visibility):
    vol, acc, sup, ex = (np.array(c) for c in zip(*exchanges, strict=True))
    got = expected_casualties_many(vol, minutes, acc, sup, visibility, ex).tolist()
    want = [expected_casualties(v, minutes, a, s, visibility, e) for v, a, s, e in exchanges]
    assert got == want
