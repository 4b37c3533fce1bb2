"""The many-units morale update gives, element by element, the scalar function's floats."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from khasan_sim.model.morale import morale_after, morale_after_many

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
