"""The search space: Latin-hypercube designs and the mapping of the unit cube to bounded values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khasan_sim.calibrate.space import (
    Dim,
    as_mapping,
    inside,
    latin_hypercube,
    round_significant,
    unit_of,
    values_at,
)


def test_latin_hypercube_puts_one_point_in_each_slice_of_each_axis():
    design = latin_hypercube(8, 3, np.random.default_rng(5))
    assert design.shape == (8, 3)
    assert ((design >= 0) & (design < 1)).all()
    for j in range(3):
        assert sorted((design[:, j] * 8).astype(int)) == list(range(8))


def test_latin_hypercube_same_seed_same_design_other_seed_other_design():
    a = latin_hypercube(6, 2, np.random.default_rng(1))
    b = latin_hypercube(6, 2, np.random.default_rng(1))
    c = latin_hypercube(6, 2, np.random.default_rng(2))
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_latin_hypercube_refuses_empty_designs():
    with pytest.raises(ValueError, match="at least one point"):
        latin_hypercube(0, 2, np.random.default_rng(1))


def test_round_significant():
    assert round_significant(0.123456) == 0.123
    assert round_significant(1234.5) == 1230.0
    assert round_significant(0.00012345) == 0.000123
    assert round_significant(0.0) == 0.0


def test_linear_and_log_dims_map_ends_and_middle():
    lin = Dim("a", 0.2, 0.8)
    assert lin.value(0.0) == 0.2
    assert lin.value(1.0) == 0.8
    assert lin.value(0.5) == 0.5
    log = Dim("b", 0.01, 1.0, "log")
    assert log.value(0.5) == pytest.approx(0.1)
    assert log.unit(0.1) == pytest.approx(0.5)


def test_integer_dim_gives_whole_numbers_inside_bounds():
    d = Dim("c", 3, 30, integer=True)
    values = {d.value(u) for u in np.linspace(0, 1, 101)}
    assert all(float(v).is_integer() and 3 <= v <= 30 for v in values)
    assert as_mapping([d], [12.0]) == {"c": 12}
    assert isinstance(as_mapping([d], [12.0])["c"], int)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("k", 1.0, 1.0), "low below high"),
        (("k", 2.0, 1.0), "low below high"),
        (("k", 0.0, 1.0, "log"), "positive lower bound"),
        (("k", 0.2, 0.8, "linear", True), "no whole number"),
    ],
)
def test_bad_dims_are_refused(args, message):
    with pytest.raises(ValueError, match=message):
        Dim(*args)


def test_values_at_needs_one_coordinate_per_dim():
    with pytest.raises(ValueError, match="needs 2 coordinates"):
        values_at([Dim("a", 0, 1), Dim("b", 0, 1)], [0.5])


bounds = st.tuples(
    st.floats(min_value=1e-6, max_value=1e4, allow_nan=False),
    st.floats(min_value=1.001, max_value=1e3, allow_nan=False),
).map(lambda t: (t[0], t[0] * t[1]))


@settings(max_examples=200, deadline=None)
@given(bounds, st.sampled_from(["linear", "log"]), st.floats(min_value=-0.5, max_value=1.5, allow_nan=False))
def test_property_every_value_lies_inside_its_bounds(b, scale, u):
    d = Dim("k", b[0], b[1], scale)
    v = d.value(u)
    assert b[0] <= v <= b[1]
    assert inside([d], [v])
    assert 0.0 <= d.unit(v) <= 1.0


@settings(max_examples=100, deadline=None)
@given(bounds, st.sampled_from(["linear", "log"]), st.floats(min_value=0, max_value=1))
def test_property_value_is_rounded_and_stable(b, scale, u):
    d = Dim("k", b[0], b[1], scale)
    v = d.value(u)
    # mapping a value back to the cube and out again gives the same value
    assert d.value(d.unit(v)) == pytest.approx(v, rel=2e-3)
    if v not in (b[0], b[1]):
        assert round_significant(v) == v
    assert math.isfinite(v)


def test_unit_of_and_values_at_round_trip():
    dims = [Dim("a", 0.1, 0.9), Dim("b", 1.0, 100.0, "log")]
    p = values_at(dims, [0.25, 0.75])
    assert values_at(dims, unit_of(dims, p)) == p
