"""The objective: coverage plus the mean discrepancy, on runs with known values."""

from __future__ import annotations

import pytest

from khasan_sim.analysis.compare import compare_entry, crps_sample_range
from khasan_sim.calibrate.score import Score, better, discrepancy, score_runs
from khasan_sim.record import parse_record
from khasan_sim.results import RunResult

END = "1938-08-06T22:00"
RECORD = parse_record(
    {
        "scenario": "tiny",
        "start": "1938-08-06T16:00",
        "end": END,
        "entries": [
            {"id": "count", "metric": "a.count", "at": END, "value": 10, "kind": "count", "sources": ["t"]},
            {"id": "range", "metric": "b.count", "at": END, "range": [100, 200], "kind": "count", "sources": ["t"]},
            {"id": "held", "metric": "objective.hill.holder", "at": END, "value": "soviet", "kind": "holder", "sources": ["t"]},
            {"id": "taken", "metric": "objective.hill.first_soviet_hold", "window": ["1938-08-06T18:00", END], "kind": "time", "sources": ["t"]},
            {"id": "absent", "metric": "c.none", "at": END, "value": 1, "kind": "count", "sources": ["t"]},
        ],
    },
    "test-record",
)


def runs(a, b, holders, taken):
    out = []
    for i, (x, y, h, t) in enumerate(zip(a, b, holders, taken, strict=True)):
        snap = {"a.count": x, "b.count": y, "objective.hill.holder": h, "objective.hill.first_soviet_hold": t}
        out.append((i, RunResult("tiny", i, None, {END: snap}, 1, "0" * 64)))
    return out


def test_score_of_known_runs():
    rs = runs([9, 10, 11, 10], [150, 160, 90, 300], ["soviet", "soviet", "japanese", None], [3.0, 5.5, None, 1.0])
    s = score_runs(RECORD, rs)
    assert s.entries == 5 and s.runs == 4
    assert set(s.covered_ids) == {"count", "range", "held", "taken"}
    assert s.covered == 4
    per = dict(s.per_entry)
    assert per["count"] == pytest.approx(crps_sample_range([9, 10, 11, 10], 10, 10) / 10)
    assert per["range"] == pytest.approx(crps_sample_range([150, 160, 90, 300], 100, 200) / 150)
    assert per["held"] == pytest.approx((1 - 0.5) ** 2)  # soviet in 2 of 4 runs
    assert per["taken"] == pytest.approx((1 - 0.5) ** 2)  # 3.0 and 5.5 h are inside 2-6 h
    assert per["absent"] == 1.0  # no run could be judged
    assert s.crps == pytest.approx((per["count"] + per["range"]) / 2)
    assert s.discrepancy == pytest.approx(sum(per.values()) / 5)
    assert s.loss == pytest.approx((1 - 4 / 5) + s.discrepancy)
    assert "covered 4/5" in s.text()


def test_runs_on_the_record_score_near_zero_but_for_what_cannot_be_judged():
    rs = runs([10] * 4, [150] * 4, ["soviet"] * 4, [4.0] * 4)
    s = score_runs(RECORD, rs)
    per = dict(s.per_entry)
    assert per["count"] == 0.0 and per["held"] == 0.0 and per["taken"] == 0.0
    assert per["range"] == pytest.approx(25 / 150)  # E|150 - Y|, Y uniform on 100-200, over 150
    assert s.loss == pytest.approx(1 / 5 + (1 + 25 / 150) / 5)  # 'absent' is neither covered nor near


def test_sharper_and_nearer_scores_better():
    near = score_runs(RECORD, runs([10, 10, 11, 9], [150] * 4, ["soviet"] * 4, [4.0] * 4))
    wide = score_runs(RECORD, runs([0, 10, 30, 2], [150] * 4, ["soviet"] * 4, [4.0] * 4))
    assert better(near, wide) and not better(wide, near)
    assert near.covered == wide.covered


def test_discrepancy_of_an_unjudged_entry_is_one():
    cmp = compare_entry(RECORD.entry("absent"), runs([1], [1], ["soviet"], [1.0]))
    assert discrepancy(cmp) == 1.0


def test_better_breaks_ties_on_coverage():
    a = Score(1.0, 3, 5, None, 0.4, 4)
    b = Score(1.0, 2, 5, None, 0.2, 4)
    assert better(a, b)
    assert not better(a, a)
