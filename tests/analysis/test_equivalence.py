"""The before/after equivalence check on synthetic samples whose answers are known."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khasan_sim.analysis.equivalence import (
    Thresholds,
    check_equivalence,
    compare_holders,
    compare_numeric,
    share_shift,
    split_halves,
)
from khasan_sim.record import parse_record
from khasan_sim.results import RunResult

DAY1, END = "1938-08-07T00:00", "1938-08-08T12:00"
NEVER = 44.0  # the record below runs 44 hours

RECORD = parse_record(
    {
        "scenario": "tiny",
        "start": "1938-08-06T16:00",
        "end": END,
        "entries": [
            {"id": "tanks", "metric": "unit.t.tanks_reached.line", "at": DAY1, "value": 10, "of": 43, "kind": "count"},
            {"id": "killed", "metric": "soviet.killed", "at": END, "range": [408, 970], "kind": "count"},
            {"id": "taken", "metric": "objective.hill.first_soviet_hold", "window": ["1938-08-06T22:00", DAY1], "kind": "time"},
            {"id": "held", "metric": "objective.hill.holder", "at": END, "value": "soviet", "kind": "holder"},
        ],
    },
    "tiny-record.yaml",
)


def make_runs(seed: int, n: int = 200, killed_shift: float = 0.0, killed_sd: float = 60.0, soviet_share: float = 0.75, hours_shift: float = 0.0) -> list[tuple[int, RunResult]]:
    """Runs of a tiny scenario: tanks ~ Binomial(43, 0.25), killed ~ Normal(600, sd), the hill
    taken at ~N(20, 5) h (never in 15%), held by the Soviets in *soviet_share* of runs."""
    rng = np.random.default_rng(seed)
    runs = []
    for i in range(n):
        taken = None if rng.random() < 0.15 else round(float(np.clip(rng.normal(20 + hours_shift, 5), 0.5, 43.5)), 1)
        u = rng.random()
        holder = "soviet" if u < soviet_share else ("japanese" if u < soviet_share + (1 - soviet_share) * 0.8 else None)
        snaps = {
            DAY1: {"unit.t.tanks_reached.line": int(rng.binomial(43, 0.25)), "soviet.killed": 100},
            END: {"soviet.killed": round(float(rng.normal(600 + killed_shift, killed_sd))), "objective.hill.first_soviet_hold": taken, "objective.hill.holder": holder},
        }
        runs.append((i, RunResult("tiny", 1000 * seed + i, None, snaps, 1, f"{i:064x}")))
    return runs


def by_id(eq):
    return {e.id: e for e in eq.entries}


# ------------------------------------------------------------------ whole studies


@pytest.mark.parametrize("seeds", [(1, 2), (3, 4), (5, 6)])
def test_two_draws_of_the_same_distribution_are_the_same_for_every_entry(seeds):
    eq = check_equivalence(RECORD, make_runs(seeds[0]), make_runs(seeds[1]), seed=7)
    assert [e.verdict for e in eq.entries] == ["same"] * 4, [e.reason for e in eq.entries]
    assert eq.same == 4
    assert eq.differs == []
    for e in eq.entries:
        assert e.runs_before == e.runs_after == 200
        assert 0.0 <= e.p_value <= 1.0


def test_a_shifted_count_is_flagged_with_its_sign_and_size():
    base = make_runs(1)
    up = by_id(check_equivalence(RECORD, base, make_runs(2, killed_shift=+60.0)))["killed"]
    down = by_id(check_equivalence(RECORD, base, make_runs(2, killed_shift=-60.0)))["killed"]
    # 60 men is one sd: about 30% of the 90% width (3.3 sd = 197 men)
    for e, sign in ((up, +1), (down, -1)):
        assert e.verdict == "differs", e.reason
        med = e.shift("median")
        assert sign * med.difference > 40 and sign * med.low > 0 and sign * med.high > 0
        assert med.low <= med.difference <= med.high
        assert 0.2 < sign * e.effect < 0.42
        assert e.p_value < 1e-4
        assert "median" in e.reason
    # the other entries are untouched
    others = [x for x in check_equivalence(RECORD, base, make_runs(2, killed_shift=60.0)).entries if x.id != "killed"]
    assert all(x.verdict == "same" for x in others)


def test_a_wider_spread_with_the_same_median_is_flagged_by_the_tails():
    e = by_id(check_equivalence(RECORD, make_runs(1), make_runs(2, killed_sd=120.0)))["killed"]
    assert e.verdict == "differs", e.reason
    assert e.shift("95th percentile").difference > 0 > e.shift("5th percentile").difference
    assert "percentile" in e.reason


def test_a_shifted_time_is_flagged_in_hours_and_never_is_kept():
    e = by_id(check_equivalence(RECORD, make_runs(1), make_runs(2, hours_shift=8.0)))["taken"]
    assert e.verdict == "differs", e.reason
    assert e.never == NEVER
    assert 5.0 < e.shift("median").difference < 11.0
    # 15% never: the 95th percentile is "never" in both, so it does not move
    assert e.before["p95"] == e.after["p95"] == NEVER


def test_holder_shares_are_compared_as_proportions():
    e = by_id(check_equivalence(RECORD, make_runs(1), make_runs(2, soviet_share=0.45)))["held"]
    assert e.verdict == "differs", e.reason
    s = e.shifts[0]
    assert s.statistic == "share soviet"
    assert -0.40 < s.difference < -0.20 and s.high < 0
    assert e.effect == s.difference
    assert e.test in ("Fisher", "chi-square") and e.p_value < 1e-4
    assert set(e.before) >= {"soviet", "japanese", "contested"}
    assert sum(e.before.values()) == pytest.approx(1.0)


def test_holders_degenerate_and_small_shifts():
    all_soviet = ["soviet"] * 100
    e = compare_holders("h", all_soviet, all_soviet)
    assert e.verdict == "same" and e.p_value == 1.0 and e.effect == 0.0
    # 80% against 77%: not resolved with 200 runs
    e = compare_holders("h", ["soviet"] * 160 + ["japanese"] * 40, ["soviet"] * 154 + ["japanese"] * 46)
    assert e.verdict == "same" and e.test == "Fisher"
    assert e.shifts[0].low < 0 < e.shifts[0].high


def test_newcombe_interval_matches_the_published_examples():
    # Newcombe (1998), Statistics in Medicine 17:873, table II, method 10 (hybrid score):
    # (a) 56/70 - 48/80 = 0.2000, interval 0.0524 to 0.3339
    d, low, high = share_shift(48, 80, 56, 70)
    assert (d, low, high) == pytest.approx((0.2, 0.0524, 0.3339), abs=1e-4)
    # (f) 0/10 - 0/20 = 0, interval -0.1611 to 0.2775 (here after - before, so mirrored)
    d, low, high = share_shift(0, 10, 0, 20)
    assert (d, low, high) == pytest.approx((0.0, -0.2775, 0.1611), abs=1e-4)


def test_a_resolved_shift_under_the_threshold_is_the_same():
    # a 3-man shift on a sd of 5 with 4,000 runs: resolved, but 0.6 sd is ~18% of the width,
    # so with a 25% threshold it is the same, with 10% it differs
    rng = np.random.default_rng(3)
    b = list(rng.normal(100, 5, 4000))
    a = list(rng.normal(103, 5, 4000))
    loose = compare_numeric("x", "count", b, a, resamples=500, thresholds=Thresholds(median_share=0.25, tail_share=0.5))
    assert loose.shift("median").resolved and loose.verdict == "same"
    assert "under 25%" in loose.reason
    strict = compare_numeric("x", "count", b, a, resamples=500)
    assert strict.verdict == "differs"


def test_the_same_seed_gives_the_same_figures():
    a, b = make_runs(1, n=80), make_runs(2, n=80)
    one = json.dumps(check_equivalence(RECORD, a, b, seed=11).to_json(), sort_keys=True)
    two = json.dumps(check_equivalence(RECORD, a, b, seed=11).to_json(), sort_keys=True)
    other = json.dumps(check_equivalence(RECORD, a, b, seed=12).to_json(), sort_keys=True)
    assert one == two
    assert one != other


def test_an_entry_missing_from_the_runs_is_not_judged():
    record = parse_record({**_doc(), "entries": [{"id": "gone", "metric": "no.such", "at": END, "value": 1, "kind": "count"}]})
    eq = check_equivalence(record, make_runs(1, n=20), make_runs(2, n=20))
    (e,) = eq.entries
    assert e.verdict == "not judged" and eq.same == 0
    assert "no metric 'no.such'" in e.reason


def _doc():
    return {"scenario": "tiny", "start": "1938-08-06T16:00", "end": END}


def test_split_halves_splits_by_run_index():
    runs = make_runs(1, n=11)
    even, odd = split_halves(runs)
    assert [i for i, _ in even] == [0, 2, 4, 6, 8, 10]
    assert [i for i, _ in odd] == [1, 3, 5, 7, 9]


def test_false_alarms_are_rare_when_nothing_changed():
    """Null pairs of 200 runs against 200 of lumpy, skewed and censored distributions:
    few are called "differs" (the thresholds of the module doc; measured, 0-2 in 100)."""
    rng = np.random.default_rng(2026)
    draws = {
        "count": (lambda n: rng.poisson(10, n), lambda n: rng.gamma(2, 30, n) + 500, lambda n: rng.binomial(43, 0.22, n)),
        "time": (lambda n: np.where(rng.random(n) < 0.2, np.nan, rng.normal(40, 15, n)),),
    }
    alarms, total = 0, 0
    for kind, makers in draws.items():
        for make in makers:
            for rep in range(25):
                b, a = ([None if np.isnan(x) else float(x) for x in make(200)] for _ in range(2))
                alarms += compare_numeric("x", kind, b, a, never=116.0, seed=rep, resamples=500).verdict == "differs"
                total += 1
    for _ in range(25):
        b, a = (list(rng.choice(["soviet", "japanese", "contested"], 200, p=[0.75, 0.2, 0.05])) for _ in range(2))
        alarms += compare_holders("h", b, a).verdict == "differs"
        total += 1
    assert alarms <= 3, f"{alarms} of {total}"


# ------------------------------------------------------------------ invariants


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=3000), min_size=1, max_size=120), st.integers(0, 2**31))
def test_a_count_sample_against_itself_is_the_same_with_no_shift(values, seed):
    e = compare_numeric("x", "count", values, list(values), seed=seed, resamples=200)
    assert e.verdict == "same"
    assert [s.difference for s in e.shifts] == [0.0, 0.0, 0.0]
    assert e.effect == 0.0
    assert e.test_statistic == 0.0 and e.p_value == pytest.approx(1.0)
    assert all(s.low <= 0.0 <= s.high for s in e.shifts)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(min_value=0, max_value=100, allow_nan=False)), min_size=1, max_size=80))
def test_a_time_sample_against_itself_is_the_same_with_no_shift(values):
    e = compare_numeric("t", "time", values, list(reversed(values)), never=116.0, resamples=200)
    assert e.verdict == "same" and e.effect == 0.0
    assert all(s.difference == 0.0 for s in e.shifts)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["soviet", "japanese", None]), min_size=1, max_size=150))
def test_a_holder_sample_against_itself_is_the_same_with_no_shift(values):
    e = compare_holders("h", values, list(values))
    assert e.verdict == "same" and e.effect == 0.0
    assert e.shifts[0].low <= 0.0 <= e.shifts[0].high
    assert e.p_value == pytest.approx(1.0)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=50), min_size=5, max_size=60), st.integers(1, 500))
def test_a_constant_shift_moves_every_quantile_by_it(values, k):
    e = compare_numeric("x", "count", values, [v + k for v in values], resamples=100)
    assert [s.difference for s in e.shifts] == pytest.approx([k, k, k])
