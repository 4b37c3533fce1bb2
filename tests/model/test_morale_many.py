"""The many-units morale update gives, element by element, the scalar function's floats."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from khasan_sim.model.morale import (
    STATES,
    MoraleState,
    Thresholds,
    decay_suppression,
    decay_suppression_many,
    morale_after,
    morale_after_many,
    morale_state,
    morale_state_many,
)

unit = st.tuples(
    st.floats(0.0, 1.0),  # morale
    st.floats(0.0, 0.5),  # loss share
    st.floats(0.0, 1.0),  # suppression
    st.sampled_from([0.0, 0.05, 0.1, 0.25]),  # shocks
    st.booleans(),  # resting
    st.floats(0.0, 1.0),  # baseline
    st.floats(0.0, 0.6),  # suppression floor
)


@settings(max_examples=200, deadline=None)
@given(
    units=st.lists(unit, min_size=1, max_size=12),
    minutes=st.sampled_from([1.0, 5.0, 30.0]),
    night=st.booleans(),
    weights=st.tuples(st.floats(0.5, 6.0), st.floats(0.02, 0.4), st.floats(0.0, 0.02), st.floats(0.01, 0.1)),
)
def test_many_is_the_scalar_update_for_each_unit(units, minutes, night, weights):
    kw = dict(zip(("loss_rate_weight", "suppression_weight_per_hour", "night_drift_per_hour", "recovery_per_hour"), weights, strict=True))
    cols = list(zip(*units, strict=True))
    got = morale_after_many(
        np.array(cols[0]), loss_share=np.array(cols[1]), suppression=np.array(cols[2]), minutes=minutes,
        is_night=night, shocks=np.array(cols[3]), resting=np.array(cols[4]), baseline=np.array(cols[5]),
        suppression_floor=np.array(cols[6]), **kw,
    ).tolist()
    want = [
        morale_after(m, loss_share=ls, suppression=s, minutes=minutes, is_night=night, shocks=sh, resting=r,
                     baseline=b, suppression_floor=f, **kw)
        for m, ls, s, sh, r, b, f in units
    ]
    assert got == want


state_case = st.tuples(
    st.floats(0.0, 1.0),  # morale
    st.floats(0.0, 1.0),  # suppression
    st.sampled_from(list(MoraleState)),  # previous state
    st.floats(0.0, 0.8),  # shaken
    st.floats(0.0, 0.6),  # retreat
    st.floats(0.0, 0.4),  # rout
    st.floats(0.0, 1.0),  # pin suppression
    st.floats(0.0, 0.3),  # rally margin
)


@settings(max_examples=300, deadline=None)
@given(units=st.lists(state_case, min_size=1, max_size=12))
def test_many_states_are_the_scalar_states(units):
    # thresholds hit exactly, where a < against a <= would show
    units = units + [(sh, pin, prev, sh, re, ro, pin, ra) for _, _, prev, sh, re, ro, pin, ra in units]
    cols = list(zip(*units, strict=True))
    got = morale_state_many(
        np.array(cols[0]), np.array(cols[1]), np.array([STATES.index(p) for p in cols[2]]),
        *(np.array(c) for c in cols[3:]),
    ).tolist()
    want = [
        morale_state(m, s, prev, Thresholds(shaken=sh, retreat=re, rout=ro, pin_suppression=pin, rally_margin=ra))
        for m, s, prev, sh, re, ro, pin, ra in units
    ]
    assert [STATES[k] for k in got] == want


@settings(max_examples=200, deadline=None)
@given(sup=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=12), minutes=st.sampled_from([0.0, 1.0, 5.0, 30.0]),
       half_life=st.floats(1.0, 120.0))
def test_many_decays_are_the_scalar_decays(sup, minutes, half_life):
    got = decay_suppression_many(np.array(sup), minutes, half_life).tolist()
    assert got == [decay_suppression(s, minutes, half_life) for s in sup]
