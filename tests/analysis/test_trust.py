"""How far to trust the model: degrees of freedom, values on bounds, fits judged out of fold."""

from __future__ import annotations

from pathlib import Path

from khasan_sim.analysis.trust import fitted_parameters, trust_of
from khasan_sim.model.params import Param, ParamSet
from khasan_sim.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parents[2]


def _ps():
    return ParamSet(
        {
            "a": Param("a", 0.5, "m", "s", (0.0, 1.0), {"date": "2026-11-27", "entries": ["x"]}),
            "b": Param("b", 0.999, "m", "s", (0.0, 1.0), {"date": "2026-12-05", "entries": ["y"], "out_of_fold": "3 folds: covered 4/4"}),
            "c": Param("c", 3.0, "h", "s", None, {"within": [3, 72]}),
            "d": Param("d", 3.0, "h", "s", (0.0, 9.0)),
        }
    )


def test_fitted_parameters_are_those_with_a_note_and_their_bounds_are_read():
    got = {f.key: f for f in fitted_parameters(_ps())}
    assert set(got) == {"a", "b", "c"}
    assert got["a"].on_bound is None and got["b"].on_bound == "high" and got["c"].on_bound == "low"
    assert got["c"].bounds == (3.0, 72.0)  # from the fit's own range when the file gives none
    assert got["b"].out_of_fold and got["a"].out_of_fold is None


def test_the_trust_lines_say_the_degrees_of_freedom_first():
    t = trust_of(_ps(), 4, covered=4, crps=0.1, runs=200, story_held=3, story_total=5, cannot_show=[("z", "no mechanism")])
    assert t.limit == 2 and t.over_limit
    lines = t.lines()
    assert lines[0].startswith("Degrees of freedom: 3 parameters fitted to the 4 entries") and "over the limit" in lines[0]
    assert any("b (high)" in line and "c (low)" in line for line in lines)
    assert any("Judged out of fold: 1 of the 3" in line for line in lines)
    assert any("covers 4 of the 4" in line for line in lines)
    # the checks a run cannot show are not counted among those that could hold
    assert any("3 of the 4 a run can show hold" in line and "1 more the model cannot show" in line for line in lines)
    assert t.to_json()["story_checks_showable"] == 4


def test_the_historical_model_today():
    sc = load_scenario(ROOT / "scenarios" / "khasan_1938" / "historical.yaml")
    t = trust_of(sc.params, 12)
    assert len(t.fitted) <= 6 and not t.over_limit  # issue 16: at most half the record's entries
    assert not t.on_bound
    assert all(f.out_of_fold for f in t.fitted)  # every fit judged out of fold


def test_cannot_show_counts_checks_no_run_could_show_beside_those_without_a_mechanism():
    from types import SimpleNamespace

    from khasan_sim.analysis.story import CANNOT, FAILS, HOLDS, CheckAcrossRuns
    from khasan_sim.analysis.trust_report import cannot_show_of

    def check(cid, lacks=None):
        return SimpleNamespace(id=cid, model_lacks=lacks)

    story = SimpleNamespace(
        checks=[
            CheckAcrossRuns(check("lacking", "no armoured train"), 10, {CANNOT: 10}),
            CheckAcrossRuns(check("never-shown"), 10, {CANNOT: 10}),
            CheckAcrossRuns(check("judged"), 10, {HOLDS: 3, FAILS: 7}),
            CheckAcrossRuns(check("sometimes-shown"), 10, {CANNOT: 6, FAILS: 4}),
        ]
    )
    got = dict(cannot_show_of(story))
    assert set(got) == {"lacking", "never-shown"}
    assert got["lacking"] == "no armoured train" and "no run" in got["never-shown"]
