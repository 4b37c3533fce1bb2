"""The search, with synthetic evaluators whose best values are known."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khasan_sim.calibrate.score import Score
from khasan_sim.calibrate.search import plan, search
from khasan_sim.calibrate.space import Dim, Point


def bowl(target: Sequence[float], width: Sequence[float]):
    """An evaluator whose loss is a bowl with its bottom at *target*; records every batch."""
    calls: list[tuple[str, list[Point]]] = []

    def evaluate(points: Sequence[Point], phase: str) -> list[Score]:
        calls.append((phase, list(points)))
        out = []
        for p in points:
            loss = sum(((x - t) / w) ** 2 for x, t, w in zip(p, target, width, strict=True))
            covered = int(loss < 0.01)
            out.append(Score(loss, covered, 1, loss, loss, 4))
        return out

    evaluate.calls = calls  # type: ignore[attr-defined]
    return evaluate


DIMS = (Dim("a", 0.0, 1.0), Dim("b", 1.0, 100.0, "log"))


def test_plan_splits_the_budget():
    assert plan(30, 5) == (18, 12)
    assert plan(10, 2) == (6, 4)
    assert plan(2, 3) == (2, 0)  # a tiny budget goes to the coarse search
    with pytest.raises(ValueError, match="at least 1"):
        plan(0, 2)
    with pytest.raises(ValueError, match="no parameter"):
        plan(5, 0)


def test_search_scores_current_first_then_coarse_then_refine():
    ev = bowl([0.3, 10.0], [0.1, 10.0])
    res = search(DIMS, ev, budget=20, seed=3, current=(0.9, 90.0))
    phases = [phase for phase, _ in ev.calls]
    assert phases[0] == "current" and ev.calls[0][1] == [(0.9, 90.0)]
    assert phases[1] == "coarse" and len(ev.calls[1][1]) == 12
    assert set(phases[2:]) == {"refine"}
    assert res.candidates[0] is res.current
    assert len(res.candidates) <= 21
    assert res.improved


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_search_finds_the_bottom_of_a_bowl(seed):
    ev = bowl([0.3, 10.0], [0.1, 10.0])
    res = search(DIMS, ev, budget=60, seed=seed, current=(0.9, 90.0))
    a, b = res.best.values
    assert abs(a - 0.3) < 0.05
    assert abs(b - 10.0) < 2.5
    coarse_best = min(c.score.loss for c in res.candidates if c.phase == "coarse")
    assert res.best.score.loss < coarse_best  # the refinement improved on the coarse search
    assert res.fitted is res.best


def test_search_keeps_current_values_when_nothing_is_better():
    ev = bowl([0.5, 10.0], [0.1, 10.0])
    res = search(DIMS, ev, budget=6, seed=1, current=(0.5, 10.0))
    assert not res.improved
    assert res.fitted is res.current


def test_candidates_are_scored_once():
    ev = bowl([0.5, 10.0], [0.1, 10.0])
    search(DIMS, ev, budget=25, seed=2, current=(0.5, 10.0))
    scored = [p for _, batch in ev.calls for p in batch]
    assert len(scored) == len(set(scored))


def test_bad_evaluator_is_reported():
    def short(points, phase):
        return []

    with pytest.raises(RuntimeError, match="returned 0 scores"):
        search(DIMS, short, budget=3, seed=1, current=(0.5, 10.0))


dims_strategy = st.lists(
    st.tuples(
        st.floats(min_value=0.001, max_value=10, allow_nan=False),
        st.floats(min_value=1.01, max_value=100, allow_nan=False),
        st.sampled_from(["linear", "log"]),
    ),
    min_size=1,
    max_size=4,
).map(lambda ts: tuple(Dim(f"k{i}", lo, lo * r, sc) for i, (lo, r, sc) in enumerate(ts)))


@settings(max_examples=40, deadline=None)
@given(dims_strategy, st.integers(min_value=0, max_value=2**32 - 1), st.integers(min_value=1, max_value=25), st.randoms(use_true_random=False))
def test_property_fitted_values_inside_bounds_and_budget_kept(dims, seed, budget, rnd):
    target = [rnd.uniform(d.low, d.high) for d in dims]
    ev = bowl(target, [d.high - d.low for d in dims])
    current = tuple(d.high * 2 for d in dims)  # outside the bounds: scored as it is, never a start
    res = search(dims, ev, budget=budget, seed=seed, current=current)
    assert len(res.candidates) - 1 <= budget
    for c in res.candidates[1:]:
        assert all(d.low <= v <= d.high for d, v in zip(dims, c.values, strict=True))
    assert res.improved
    assert all(d.low <= v <= d.high for d, v in zip(dims, res.fitted.values, strict=True))


@settings(max_examples=25, deadline=None)
@given(dims_strategy, st.integers(min_value=0, max_value=2**32 - 1), st.integers(min_value=1, max_value=20))
def test_property_same_seed_same_result(dims, seed, budget):
    target = [0.5 * (d.low + d.high) for d in dims]
    width = [d.high - d.low for d in dims]
    current = tuple(d.low for d in dims)
    a = search(dims, bowl(target, width), budget=budget, seed=seed, current=current)
    b = search(dims, bowl(target, width), budget=budget, seed=seed, current=current)
    assert [c.values for c in a.candidates] == [c.values for c in b.candidates]
    assert a.best.values == b.best.values


def test_other_seed_other_design():
    a = search(DIMS, bowl([0.3, 10.0], [0.1, 10.0]), budget=8, seed=1, current=(0.5, 10.0))
    b = search(DIMS, bowl([0.3, 10.0], [0.1, 10.0]), budget=8, seed=2, current=(0.5, 10.0))
    assert [c.values for c in a.candidates[1:]] != [c.values for c in b.candidates[1:]]
