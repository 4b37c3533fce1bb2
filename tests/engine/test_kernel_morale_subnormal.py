"""The morale kernel with a suppression decayed to the least subnormal double (where it stays
for good: kernels/morale.py works its terms out once a call) agrees with the scalar
mechanics (model.morale), as it does for any other suppression."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khasan_sim.engine import world as w
from khasan_sim.engine.kernels import morale as mk
from khasan_sim.model import morale

LEAST = 5e-324  # the least subnormal double
SUPPRESSIONS = [LEAST, 2 * LEAST, 7 * LEAST, 1e-310, 2.2250738585072014e-308, 0.0, 1e-300]
MORALES = [0.0, 0.5, 0.7, 2.0 ** -900, 2.0 ** -901, 1e-310, LEAST]
WEIGHTS = [0.3, 2.0, -0.5, 1e300]
SUBNORMAL = st.sampled_from(SUPPRESSIONS)


@settings(max_examples=300, deadline=None)
@given(
    m=st.one_of(st.floats(0, 1), st.sampled_from(MORALES)), s=SUBNORMAL,
    lost=st.integers(0, 300), men=st.integers(0, 900), shocks=st.sampled_from([0.0, 0.1]), night=st.booleans(),
    weight=st.sampled_from(WEIGHTS), dt=st.sampled_from([5.0, 0.0, 1.0]), floor=st.sampled_from([0.0, 0.5]),
)
def test_morale_kernel_with_a_subnormal_suppression_is_the_scalar_mechanics(m, s, lost, men, shocks, night, weight, dt, floor):
    _agrees(m, s, lost, men, shocks, night, weight, dt, floor)


@pytest.mark.parametrize("floor", [0.0, 0.5])
def test_every_morale_near_the_subnormals_with_every_small_suppression(floor):
    """Each tiny morale with each tiny suppression and wear, whatever hypothesis draws."""
    for m, s, weight, dt in itertools.product(MORALES, SUPPRESSIONS, WEIGHTS, (5.0, 1.0)):
        _agrees(m, s, 0, 100, 0.0, False, weight, dt, floor)


def _agrees(m, s, lost, men, shocks, night, weight, dt, floor):
    units = w.Table(w.U_NF, w.U_NI, capacity=1)
    u = units.add_row()
    th = morale.Thresholds(shaken=floor, retreat=0.35 * floor, rout=0.2 * floor, pin_suppression=0.6, rally_margin=0.1)
    units.f[u, [w.U_MORALE, w.U_MORALE_START, w.U_SUPPRESSION, w.U_SHOCKS, w.U_LAST_FIRE]] = m, 0.8, s, shocks, 50.0
    units.f[u, [w.U_SHAKEN, w.U_RETREAT, w.U_ROUT, w.U_PIN, w.U_RALLY]] = th.shaken, th.retreat, th.rout, 0.6, 0.1
    units.i[u, [w.U_MEN, w.U_PULSE_LOSS, w.U_STATE, w.U_TRAINING, w.U_HAS_TANKS]] = men, lost, 0, 1, 1
    sens = np.array([1.3, 1.0, 0.8, 0.6])
    pulse = np.zeros(mk.N_MORALE)
    pulse[[mk.M_DT, mk.M_NIGHT, mk.M_NOW, mk.M_REST_AFTER, mk.M_HALF_LIFE]] = dt, float(night), 100.0, 60.0, 10.0
    pulse[[mk.M_LOSS_WEIGHT, mk.M_SUPPRESSION_WEIGHT, mk.M_NIGHT_DRIFT, mk.M_RECOVERY]] = 2.0, weight, 0.01, 0.05
    out = np.zeros(mk.N_OUT)
    at = mk.settle_morale(units.f, units.i, np.array([u]), 0, sens, pulse, out)
    before = men + lost
    ref_m = morale.morale_after(
        m, loss_share=(lost / before if before > 0 else 0.0) * sens[1], suppression=s, minutes=dt, is_night=night,
        shocks=shocks, resting=False, baseline=0.8, suppression_floor=floor,
        loss_rate_weight=2.0, suppression_weight_per_hour=weight, night_drift_per_hour=0.01, recovery_per_hour=0.05,
    )
    ref_s = morale.decay_suppression(s, dt, 10.0)
    got_m, got_s = (units.f[u, w.U_MORALE], units.f[u, w.U_SUPPRESSION]) if at == -1 else (out[mk.O_MORALE], out[mk.O_DECAYED])
    assert got_m == ref_m and np.signbit(got_m) == np.signbit(ref_m)
    assert got_s == ref_s and np.signbit(got_s) == np.signbit(ref_s)
    if at != -1:  # the suppression's term: the same bits as worked out plainly
        h = dt / 60.0
        m0 = m - 2.0 * max((lost / before if before > 0 else 0.0) * sens[1], 0.0)
        worn = m0 - (max(floor, m0 - weight * min(max(s, 0.0), 1.0) * h) if m0 > floor else m0)
        assert out[mk.O_SUPPRESSION] == -worn and np.signbit(out[mk.O_SUPPRESSION]) == np.signbit(-worn)


def test_the_least_subnormal_suppression_stays_there():
    """Why the kernel keeps its terms: the decay of a pulse rounds it back to itself."""
    assert morale.decay_suppression(LEAST, 5.0, 10.0) == LEAST
