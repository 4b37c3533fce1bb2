"""The comparison with the record on a synthetic study whose answers are known by hand."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from khasan_sim.analysis.compare import (
    compare_studies,
    compare_study,
    crps_sample,
    crps_sample_range,
    load_study,
    midrank_percentile,
)
from tests.analysis.conftest import RUNS, write_study

# ------------------------------------------------------------------ CRPS


def crps_by_integration(sample: np.ndarray, y: float) -> float:
    """CRPS as its definition: the integral of (F(x) - 1{x >= y})^2 over x, F the sample's CDF."""
    xs = np.sort(np.concatenate([sample, [y]]))
    total = 0.0
    for a, b in itertools.pairwise(xs):
        mid = 0.5 * (a + b)
        f = np.mean(sample <= mid)
        step = 1.0 if mid >= y else 0.0
        total += (f - step) ** 2 * (b - a)
    return total


def test_crps_of_a_two_point_sample_by_hand():
    # mean|x - 0| = 0.5; mean|x - x'| over the 4 pairs = 0.5; CRPS = 0.5 - 0.25
    assert crps_sample([0.0, 1.0], 0.0) == pytest.approx(0.25)
    assert crps_sample([3.0, 3.0, 3.0], 3.0) == 0.0
    assert crps_sample([5.0], 2.0) == pytest.approx(3.0)  # one point: the distance


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_crps_matches_its_integral_definition(seed):
    rng = np.random.default_rng(seed)
    sample = rng.poisson(20, size=57).astype(float)
    y = float(rng.integers(5, 35))
    assert crps_sample(sample, y) == pytest.approx(crps_by_integration(sample, y), rel=1e-9)


def test_range_crps_is_the_point_crps_averaged_over_the_range():
    rng = np.random.default_rng(4)
    sample = rng.normal(100, 15, size=40)
    lo, hi = 90.0, 130.0
    ys = lo + (np.arange(4000) + 0.5) * (hi - lo) / 4000  # midpoints
    averaged = np.mean([crps_sample(sample, y) for y in ys])
    assert crps_sample_range(sample, lo, hi) == pytest.approx(averaged, rel=1e-6)
    # all mass inside a range of width 4, at its middle: E|12 - Y| = (2^2 + 2^2) / (2 * 4) = 1
    assert crps_sample_range([12.0] * 10, 10.0, 14.0) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="no simulated values"):
        crps_sample([], 1.0)


def test_midrank_percentile():
    x = np.arange(1.0, 101.0)
    assert midrank_percentile(x, 10) == pytest.approx(9.5)
    assert midrank_percentile(x, 0) == 0.0
    assert midrank_percentile(x, 1000) == 100.0


# ------------------------------------------------------------------ one study


@pytest.fixture
def comparison(known_study, record):
    return compare_study(load_study(known_study), record)


def entry(comparison, entry_id):
    return next(e for e in comparison.entries if e.id == entry_id)


def test_count_with_a_value(comparison):
    e = entry(comparison, "count-value")  # runs have 1..100, record 10
    assert e.runs == RUNS and e.unjudged == 0
    assert e.median == pytest.approx(50.5)
    assert e.mean == pytest.approx(50.5)
    assert e.low == pytest.approx(5.95)  # numpy linear quantiles of 1..100
    assert e.high == pytest.approx(95.05)
    assert e.percentile == pytest.approx(9.5)
    assert e.share_inside == pytest.approx(0.01)
    assert e.covered is True
    assert e.crps == pytest.approx(crps_sample(np.arange(1, 101), 10))
    assert e.crps_relative == pytest.approx(e.crps / 10)


def test_count_with_a_range_beyond_the_interval(comparison):
    e = entry(comparison, "count-range")  # [96, 200] starts above the 95th percentile 95.05
    assert e.covered is False
    assert e.percentile is None
    assert e.percentile_range == pytest.approx((95.5, 100.0))
    assert e.share_inside == pytest.approx(0.05)
    assert e.crps_relative == pytest.approx(e.crps / 148)


def test_count_between_two_snapshots(comparison):
    e = entry(comparison, "count-between")  # every run: 12 attacks on day 2, record 10-14
    assert (e.median, e.low, e.high) == (12.0, 12.0, 12.0)
    assert e.covered is True
    assert e.share_inside == 1.0
    assert e.crps == pytest.approx(1.0)


def test_time_window_share(comparison):
    e = entry(comparison, "hill-taken")  # never in 20 runs; 8.0..39.6 h; window 6-32 h
    assert e.share_inside == pytest.approx(0.61)
    assert e.share_never == pytest.approx(0.2)
    assert e.covered is True
    # sorted: 8.0, 8.4, ..., 39.6 (runs 20-99), then 20 nevers: the 50th is run 69's, the 5th run 24's
    assert e.median == pytest.approx(0.4 * 69)
    assert e.low == pytest.approx(0.4 * 24)
    assert e.high is None  # the 95th percentile is "never"
    assert e.percentile_range == pytest.approx((0.0, 60.5))  # 60 runs below 32 h (20-79), one at it
    assert e.crps is None


def test_holder_shares(comparison):
    e = entry(comparison, "hill-held")
    assert e.shares == pytest.approx({"soviet": 0.4, "japanese": 0.4, "contested": 0.2})
    assert e.share_inside == pytest.approx(0.4)
    assert e.covered is False


def test_an_entry_no_run_has_is_not_judged_and_not_covered(comparison):
    e = entry(comparison, "not-in-runs")
    assert e.runs == 0 and e.unjudged == RUNS
    assert e.covered is None
    assert "no metric 'c.nothing'" in e.note
    assert any("not-in-runs: not judged" in n for n in comparison.notes)


def test_overall_score(comparison):
    # covered: count-value, count-between, hill-taken; not: count-range, hill-held, not-in-runs
    assert comparison.covered == 3
    assert comparison.covered_share == pytest.approx(0.5)
    expected = np.mean([entry(comparison, i).crps_relative for i in ("count-value", "count-range", "count-between")])
    assert comparison.crps_relative_mean == pytest.approx(expected)
    doc = comparison.to_json()
    assert doc["score"] == {"entries": 6, "covered": 3, "covered_share": 0.5, "crps_relative_mean": pytest.approx(expected)}
    assert "values" not in doc["entries"][0]


def test_failed_and_missing_runs_are_left_out_and_said(tmp_path, record):
    path = write_study(tmp_path / "partial.sqlite", failing=(3, 4), runs=120, stored=100)
    comparison = compare_study(load_study(path), record)
    assert (comparison.runs_ok, comparison.runs_failed, comparison.runs_missing) == (98, 2, 20)
    assert entry(comparison, "count-value").runs == 98
    notes = " | ".join(comparison.notes)
    assert "2 run(s) raised and are left out (first: run 3" in notes
    assert "RuntimeError: run 3 broke" in notes
    assert "20 of 120 replications are not in the file" in notes


def test_a_study_of_another_scenario_is_said(known_study, record):
    from dataclasses import replace

    other = replace(record, scenario="khasan-1938-historical")
    comparison = compare_study(load_study(known_study), other)
    assert comparison.notes[0] == "the record is about khasan-1938-historical; this study is of tiny"


# ------------------------------------------------------------------ two studies


def difference(diff, name, statistic):
    return next(d for d in diff.differences if d.name == name and d.statistic == statistic)


def test_paired_difference_of_a_constant_shift_is_exact(tmp_path, record):
    base = load_study(write_study(tmp_path / "base.sqlite", study_seed=1))
    shifted = load_study(write_study(tmp_path / "shifted.sqlite", study_seed=1, shift=5, variant="more"))
    diff = compare_studies(shifted, base, record, seed=3, resamples=500)
    assert diff.paired is True
    for stat in ("median", "mean"):
        d = difference(diff, "count-value", stat)
        assert (d.difference, d.low, d.high) == pytest.approx((5.0, 5.0, 5.0))
        assert d.significant
    d = difference(diff, "final soviet.killed", "mean")
    assert d.difference == pytest.approx(5.0) and d.low == pytest.approx(5.0)
    d = difference(diff, "hill-held", "share held by soviet")
    assert (d.this, d.other, d.difference, d.low, d.high) == (0.4, 0.4, 0.0, 0.0, 0.0)
    assert not d.significant
    # every record entry that the runs have, and the headline losses present in both
    names = {d.name for d in diff.differences}
    assert "not-in-runs" not in names
    assert {"count-value", "count-between", "hill-taken", "hill-held", "final soviet.killed", "final japanese.wounded"} <= names
    assert "final soviet.missing" not in names


def test_independent_difference_has_a_seeded_bootstrap_interval(tmp_path, record):
    base = load_study(write_study(tmp_path / "base.sqlite", study_seed=1))
    shifted = load_study(write_study(tmp_path / "other-seed.sqlite", study_seed=2, shift=20))
    diff = compare_studies(shifted, base, record, seed=7, resamples=800)
    assert diff.paired is False
    d = difference(diff, "count-value", "mean")
    assert d.difference == pytest.approx(20.0)
    assert d.low < 20.0 < d.high
    # the standard error of a difference of two means of 1..100: sqrt(2 * 833.25 / 100) = 4.08
    assert 4.08 * 2 * 1.6 < d.high - d.low < 4.08 * 2 * 2.4
    again = compare_studies(shifted, base, record, seed=7, resamples=800)
    assert difference(again, "count-value", "mean") == d
    other_seed = compare_studies(shifted, base, record, seed=8, resamples=800)
    assert difference(other_seed, "count-value", "mean").low != d.low
    json_doc = diff.to_json()
    assert json_doc["differences"][0]["significant"] in (True, False)
    assert not math.isnan(json_doc["differences"][0]["low"])
