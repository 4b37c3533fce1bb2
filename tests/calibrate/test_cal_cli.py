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
