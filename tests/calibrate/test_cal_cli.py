"""`khasan-sim calibrate` end to end on the tiny scenario (one worker, a few runs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from rich.console import Console

from khasan_sim.cli.main import main
from khasan_sim.scenario.load import load_scenario

BOG = "mobility.p_bog_per_100m.bt.swamp"
ROOT = Path(__file__).resolve().parents[2]


def cli(*argv: str) -> tuple[int, str]:
    console = Console(record=True, width=220, force_terminal=False)
    code = main(list(argv), console=console)
    return code, console.export_text()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.yaml"))}


def args(tiny: Path, *more: str) -> list[str]:
    cal = str(tiny.parent / "tiny-calibration.yaml")
    return ["calibrate", str(tiny), "--runs", "3", "--params", cal, "--budget", "6", "--workers", "1", "--quiet", *more]


def test_calibrate_writes_the_fit_into_the_parameter_files(tiny_copy):
    params = tiny_copy.parent / "params"
    before = snapshot(params)
    report = tiny_copy.parent / "report.json"
    code, out = cli(*args(tiny_copy, "--report", str(report)))
    assert code == 0, out
    for heading in ("parameter", "old", "new", "bounds", "entries covered", "before", "after"):
        assert heading in out
    doc = json.loads(report.read_text(encoding="utf-8"))
    assert doc["improved"] is True
    assert doc["best"]["loss"] < doc["current"]["loss"]
    assert len(doc["candidates"]) <= 7 and doc["candidates"][0]["phase"] == "current"
    after = snapshot(params)
    changed = sorted(name for name in before if before[name] != after[name])
    assert changed and set(changed) <= {"mobility.yaml", "vehicles.yaml"}
    assert [str(params / n) for n in changed] == sorted(doc["written"])
    sc = load_scenario(tiny_copy)
    for key, value in doc["fitted"].items():
        p = sc.params.param(key)
        assert p.value == value
        assert p.bounds[0] <= value <= p.bounds[1]
        if value != doc["current"]["values"][key]:
            assert p.fitted["entries"]
            assert p.fitted["out_of_fold"].startswith("3 folds: covered ")
            assert p.fitted["score"].startswith(f"covered {doc['current']['covered']}/4 -> {doc['best']['covered']}/4")
        else:  # a value that did not move is not rewritten and gets no note
            assert not p.fitted


def test_dry_run_writes_no_parameter_file_and_the_same_seed_gives_the_same_fit(tiny_copy):
    params = tiny_copy.parent / "params"
    before = snapshot(params)
    r1, r2 = tiny_copy.parent / "r1.json", tiny_copy.parent / "r2.json"
    assert cli(*args(tiny_copy, "--dry-run", "--report", str(r1)))[0] == 0
    assert cli(*args(tiny_copy, "--dry-run", "--report", str(r2)))[0] == 0
    assert snapshot(params) == before
    a, b = (json.loads(p.read_text(encoding="utf-8")) for p in (r1, r2))
    assert a["written"] == []
    for doc in (a, b):
        doc.pop("wall_seconds")
    assert a == b


def test_out_writes_an_override_file_and_leaves_the_parameter_files(tiny_copy):
    params = tiny_copy.parent / "params"
    before = snapshot(params)
    out = tiny_copy.parent / "fitted.yaml"
    md = tiny_copy.parent / "report.md"
    code, text = cli(*args(tiny_copy, "--out", str(out), "--report", str(md)))
    assert code == 0, text
    assert snapshot(params) == before
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert "value" in doc["mobility"]["p_bog_per_100m"]["bt"]["swamp"]
    assert md.read_text(encoding="utf-8").startswith("# Calibration of tiny")


def test_nothing_is_written_when_no_candidate_is_better(tiny_copy):
    cal = tiny_copy.parent / "flat.yaml"
    # the tanks' fire rate barely matters in the tiny scenario's six hours: nothing beats the current value
    cal.write_text(
        "scenario: tiny\nrecord: tiny-record.yaml\nparameters:\n"
        "  - {key: vehicles.bt-5.kills_per_min, bounds: [0.019, 0.021], reason: test, entries: [japanese-killed]}\n",
        encoding="utf-8",
    )
    params = tiny_copy.parent / "params"
    before = snapshot(params)
    code, out = cli("calibrate", str(tiny_copy), "--runs", "2", "--params", str(cal), "--budget", "2", "--workers", "1", "--quiet")
    assert code == 0
    assert "nothing to write" in out
    assert snapshot(params) == before


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("scenario: tiny", "scenario: khasan-1938-historical"), "for the scenario khasan-1938-historical, not tiny"),
        (lambda t: t.replace("key: vehicles.bt-5.kills_per_min", "key: vehicles.bt-5.kills_per_mni"), "did you mean vehicles.bt-5.kills_per_min"),
        (lambda t: t.replace("[japanese-killed]", "[no-such-entry]"), "no record entry 'no-such-entry'"),
    ],
)
def test_bad_calibrations_are_refused_before_any_run(tiny_copy, edit, message):
    cal = tiny_copy.parent / "tiny-calibration.yaml"
    cal.write_text(edit(cal.read_text(encoding="utf-8")), encoding="utf-8")
    code, out = cli(*args(tiny_copy))
    assert code == 2
    assert message in out


def test_a_record_of_another_scenario_is_refused(tiny_copy):
    rec = tiny_copy.parent / "tiny-record.yaml"
    rec.write_text(rec.read_text(encoding="utf-8").replace("scenario: tiny", "scenario: other"), encoding="utf-8")
    code, out = cli(*args(tiny_copy))
    assert code == 2
    assert "the record is about other, not tiny" in out


def test_help_lists_the_options():
    with pytest.raises(SystemExit):
        main(["calibrate", "--help"])


def test_the_out_of_fold_check_is_printed_and_reported(tiny_copy):
    report = tiny_copy.parent / "report.json"
    code, out = cli(*args(tiny_copy, "--dry-run", "--report", str(report)))
    assert code == 0, out
    assert "Out of fold (3 folds)" in out and "out of fold" in out
    assert "degrees of freedom: 0 fitted parameter(s) in the model for 4 record entries (at most 2" in out
    doc = json.loads(report.read_text(encoding="utf-8"))
    cv = doc["cross_validation"]
    assert len(cv["folds"]) == 3
    held = [i for f in cv["folds"] for i in f["held_out"]]
    assert sorted(held) == sorted(["tanks-reached", "tanks-bogged", "japanese-killed", "height-held"])
    assert cv["current"]["loss"] == pytest.approx(doc["current"]["loss"])
    assert cv["generalises"] == (cv["out_of_fold"]["loss"] <= cv["current"]["loss"] + 1e-12)
    assert doc["degrees_of_freedom"]["limit"] == 2


def test_a_fit_that_would_pass_half_the_record_in_fitted_parameters_is_not_written(tiny_copy):
    # the real parameter files, with the six fitted notes of the model: over the tiny
    # record's limit of 2 before any run, so the fit is refused before it starts
    params = tiny_copy.parent / "params"
    for f in sorted((ROOT / "scenarios" / "params").glob("*.yaml")):
        (params / f.name).write_bytes(f.read_bytes())
    before = snapshot(params)
    code, out = cli(*args(tiny_copy))
    assert code != 0, out
    assert "at most 2, half the entries" in out and "--dry-run" in out
    assert snapshot(params) == before


def test_a_fit_over_the_limit_is_refused_before_any_run_unless_dry():
    from khasan_sim.cli.cmd_calibrate import _check_degrees_of_freedom
    from khasan_sim.errors import KhasanSimError

    _check_degrees_of_freedom("f.yaml", ["a", "b"], ["a", "b"], 4, dry_run=False)  # a refit adds nothing
    _check_degrees_of_freedom("f.yaml", ["a"], ["b"], 4, dry_run=False)  # 2 of at most 2
    _check_degrees_of_freedom("f.yaml", ["a", "b"], ["c"], 4, dry_run=True)  # a dry run may look
    with pytest.raises(KhasanSimError, match="could give the model 3 fitted parameters"):
        _check_degrees_of_freedom("f.yaml", ["a", "b"], ["c"], 4, dry_run=False)


def test_why_a_fit_is_not_written():
    from types import SimpleNamespace

    from khasan_sim.cli.cmd_calibrate import _refusal

    good = SimpleNamespace(improved=True)
    ok_cv = SimpleNamespace(generalises=True, out_of_fold=SimpleNamespace(loss=0.5), current=SimpleNamespace(loss=0.6))
    bad_cv = SimpleNamespace(generalises=False, out_of_fold=SimpleNamespace(loss=0.7), current=SimpleNamespace(loss=0.6))
    moved = {"a": 1.0}
    assert _refusal(good, moved, ok_cv, [], False, [], ["a"], 4) == ""
    assert "nothing to write" in _refusal(SimpleNamespace(improved=False), moved, ok_cv, [], False, [], ["a"], 4)
    assert "does not generalise" in _refusal(good, moved, bad_cv, [], False, [], ["a"], 4)
    assert "--accept-bound" in _refusal(good, moved, ok_cv, [("a", "high")], False, [], ["a"], 4)
    assert _refusal(good, moved, ok_cv, [("a", "high")], True, [], ["a"], 4) == ""
    # refitting parameters already fitted adds no degree of freedom, even over the limit
    assert _refusal(good, moved, ok_cv, [], False, ["a", "b", "c"], ["a", "b", "c"], 4) == ""
    assert "at most 2" in _refusal(good, moved, ok_cv, [], False, ["b", "c"], ["a", "b", "c"], 4)


def test_the_markdown_report_says_what_became_of_the_fit_and_judges_it_out_of_fold(tiny_copy):
    md = tiny_copy.parent / "report.md"
    code, out = cli(*args(tiny_copy, "--dry-run", "--report", str(md)))
    assert code == 0, out
    text = md.read_text(encoding="utf-8")
    assert "## Out of fold" in text and "Whole record: current values loss" in text
    assert "Adopted" not in text  # a dry run writes nothing, whatever the fit scored
    if "nothing written" in out:  # refused (out of fold, a bound, the degrees of freedom) or no better
        assert "nothing written" in text  # with the reason: what the command printed
    else:
        assert "Passed every check; not written (--dry-run)." in text


def test_a_refused_fit_is_reported_as_refused_with_the_reason():
    from khasan_sim.cli.calibrate_report import report_markdown

    score = {"loss": 0.087, "covered": 12, "entries": 12}
    doc = {
        "scenario": "s", "calibration": "c.yaml", "record": "r.yaml", "seed": 1, "runs_per_candidate": 2, "budget": 1,
        "parameters": [{"key": "a.b", "bounds": [0.0, 1.0]}], "current": {**score, "values": {"a.b": 0.5}},
        "best": {**score, "loss": 0.05, "values": {"a.b": 1.0}}, "fitted": {"a.b": 1.0}, "improved": True,
        "dry_run": False, "written": [], "refused": "the fits score worse out of fold", "candidates": [],
        "on_bound": [{"key": "a.b", "bound": "upper"}],
        "degrees_of_freedom": {"fitted_before": ["a.b"], "fitted_after": ["a.b"], "record_entries": 12, "limit": 6},
    }
    text = report_markdown(doc)
    assert "Not written: the fits score worse out of fold." in text and "Adopted" not in text
    assert "`a.b` sits on the upper bound" in text and "Degrees of freedom: 1 fitted parameter(s) for 12" in text
