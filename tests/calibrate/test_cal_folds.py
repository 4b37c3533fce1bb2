"""The out-of-fold judgement of a fit: folds, restricted and pooled scores, the
cross-validation with synthetic evaluators, values on their bounds, degrees of freedom."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khasan_sim.calibrate.folds import (
    MemoEvaluate,
    cross_validate,
    fitted_keys,
    make_folds,
    on_bound,
)
from khasan_sim.calibrate.score import Score, _score, pooled
from khasan_sim.calibrate.space import Dim, Point
from khasan_sim.model.params import Param, ParamSet

IDS = tuple(f"e{i}" for i in range(12))


@settings(max_examples=60, deadline=None)
@given(n=st.integers(2, 30), data=st.data())
def test_folds_partition_the_entries_evenly_and_keep_their_order(n, data):
    ids = [f"entry-{i}" for i in range(n)]
    k = data.draw(st.integers(2, n))
    seed = data.draw(st.integers(0, 2**32 - 1))
    folds = make_folds(ids, k, seed)
    assert len(folds) == k
    assert sorted(i for f in folds for i in f) == sorted(ids)  # each entry in exactly one fold
    sizes = [len(f) for f in folds]
    assert max(sizes) - min(sizes) <= 1 and min(sizes) >= 1
    for f in folds:
        assert list(f) == [i for i in ids if i in f]
    assert make_folds(ids, k, seed) == folds  # seeded


def test_folds_refuse_too_few_or_too_many():
    with pytest.raises(ValueError, match="2 to 3 folds"):
        make_folds(["a", "b", "c"], 1, 0)
    with pytest.raises(ValueError, match="2 to 3 folds"):
        make_folds(["a", "b", "c"], 4, 0)
    with pytest.raises(ValueError, match="distinct"):
        make_folds(["a", "a"], 2, 0)


def _full(disc: dict[str, float], covered: Sequence[str], counts: Sequence[str] = ()) -> Score:
    return _score(tuple((i, disc[i]) for i in disc), tuple(covered), tuple(counts), 10)


@settings(max_examples=60, deadline=None)
@given(
    disc=st.lists(st.floats(0.0, 3.0), min_size=12, max_size=12),
    cov=st.lists(st.booleans(), min_size=12, max_size=12),
    cnt=st.lists(st.booleans(), min_size=12, max_size=12),
    k=st.integers(2, 12),
    seed=st.integers(0, 1000),
)
def test_a_score_restricted_to_each_fold_pools_back_to_the_whole(disc, cov, cnt, k, seed):
    d = dict(zip(IDS, disc, strict=True))
    whole = _full(d, [i for i, c in zip(IDS, cov, strict=True) if c], [i for i, c in zip(IDS, cnt, strict=True) if c])
    assert whole.on(IDS) == whole
    parts = [whole.on(f) for f in make_folds(IDS, k, seed)]
    back = pooled(parts)
    assert back.loss == pytest.approx(whole.loss)
    assert back.covered == whole.covered and back.entries == 12
    if whole.crps is None:
        assert back.crps is None
    else:
        assert back.crps == pytest.approx(whole.crps)


def test_restricting_to_an_unknown_entry_is_an_error():
    with pytest.raises(KeyError, match="nope"):
        _full({"a": 0.1}, ["a"]).on(["nope"])
    with pytest.raises(ValueError, match="share"):
        pooled([_full({"a": 0.1}, []), _full({"a": 0.2}, [])])


DIMS = (Dim("x", 0.0, 1.0),)


def entry_evaluator(targets: dict[str, float], calls: list[int] | None = None):
    """A synthetic evaluator: entry *i* is matched exactly when x == targets[i]; its
    discrepancy grows with the distance; covered within 0.05."""

    def evaluate(points: Sequence[Point], phase: str) -> list[Score]:
        if calls is not None:
            calls.append(len(points))
        out = []
        for (x,) in points:
            disc = {i: min(1.0, abs(x - t) * 4) for i, t in targets.items()}
            out.append(_full(disc, [i for i, t in targets.items() if abs(x - t) < 0.05]))
        return out

    return evaluate


def test_a_parameter_every_entry_agrees_on_generalises():
    targets = dict.fromkeys(IDS[:6], 0.7)
    cv = cross_validate(DIMS, MemoEvaluate(entry_evaluator(targets)), entry_ids=IDS[:6], k=3, budget=12, seed=4, current=(0.1,))
    assert cv.generalises
    assert cv.out_of_fold.loss < cv.current.loss - 0.5  # the fits help the entries held out
    for f in cv.folds:
        assert f.improved and abs(f.fitted[0] - 0.7) < 0.1


def test_a_parameter_the_entries_pull_apart_does_not_generalise():
    # each entry wants its own value: a fit on some entries says nothing of the others
    targets = dict(zip(IDS[:6], (0.05, 0.25, 0.45, 0.6, 0.8, 0.95), strict=True))
    cur = (0.5,)
    cv = cross_validate(DIMS, MemoEvaluate(entry_evaluator(targets)), entry_ids=IDS[:6], k=3, budget=12, seed=4, current=cur)
    for f in cv.folds:  # in sample, each fold's fit looks better...
        assert f.train_after.loss <= f.train_before.loss
    assert not cv.generalises  # ...out of fold it is worse than the current value
    assert cv.out_of_fold.loss > cv.current.loss


def test_the_folds_reuse_the_runs_of_the_candidates_already_scored():
    calls: list[int] = []
    memo = MemoEvaluate(entry_evaluator(dict.fromkeys(IDS[:6], 0.7), calls))
    from khasan_sim.calibrate.search import search

    search(DIMS, memo, budget=8, seed=2, current=(0.1,))
    before = sum(calls)
    cross_validate(DIMS, memo, entry_ids=IDS[:6], k=2, budget=8, seed=2, current=(0.1,))
    # the current value and the coarse design are the fit's: only refinements are new
    assert sum(calls) - before < 2 * 8
    assert len(memo.scores) == before + (sum(calls) - before)


def test_on_bound_names_values_at_the_edges_of_their_range():
    dims = (Dim("a", 0.0, 1.0), Dim("b", 1.0, 100.0, "log"), Dim("c", 0.0, 10.0))
    assert on_bound(dims, (0.0, 100.0, 5.0)) == [("a", "low"), ("b", "high")]
    assert on_bound(dims, (0.5, 10.0, 9.95)) == [("c", "high")]
    assert on_bound(dims, (0.5, 10.0, 5.0)) == []


def test_fitted_keys_counts_the_parameters_with_a_fitted_note():
    ps = ParamSet(
        {
            "a": Param("a", 1.0, "m", "s"),
            "b": Param("b", 2.0, "m", "s", (0.0, 3.0), {"date": "2026-11-27"}),
            "c": Param("c", 2.0, "m", "s", (0.0, 3.0), {}),
        }
    )
    assert fitted_keys(ps) == ["b"]
