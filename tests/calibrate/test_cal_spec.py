"""The calibration file: parameters, bounds, reasons and the record entries they answer to."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from khasan_sim.calibrate.spec import CalibrationFileError, load_calibration, parse_calibration
from khasan_sim.record import load_record
from khasan_sim.scenario.params_file import default_param_files, load_params

ROOT = Path(__file__).resolve().parents[2]
PARAMS = load_params(default_param_files())


def spec_of(doc):
    return parse_calibration(doc, "cal.yaml")


def one(**kw):
    item = {"key": "fire.killed_fraction", "reason": "why", "entries": ["soviet-killed"], **kw}
    return {"parameters": [item]}


def test_the_tiny_calibration_file_reads_and_fits_its_record():
    spec = load_calibration(ROOT / "tests" / "data" / "calibrate" / "tiny-calibration.yaml")
    assert spec.scenario == "tiny"
    assert spec.record is not None and spec.record.name == "tiny-record.yaml"
    dims = spec.dims(PARAMS)
    assert [d.key for d in dims] == ["mobility.p_bog_per_100m.bt.swamp", "vehicles.bt-5.kills_per_min"]
    assert (dims[0].low, dims[0].high, dims[0].scale) == (0.02, 0.30, "log")  # the parameter file's bounds
    assert (dims[1].low, dims[1].high) == (0.01, 0.04)
    spec.check_record([e.id for e in load_record(spec.record).entries])


def test_the_historical_calibration_file_fits_the_scenario_and_the_record():
    spec = load_calibration(ROOT / "scenarios" / "calibration" / "historical.yaml")
    assert spec.scenario == "khasan-1938-historical"
    dims = spec.dims(PARAMS)
    assert dims
    for d, fp in zip(dims, spec.params, strict=True):
        own = PARAMS.param(d.key).bounds
        assert own is None or own[0] <= d.low < d.high <= own[1]
        assert fp.reason and fp.entries
    record = load_record(ROOT.parent / "shared" / "record" / "khasan-1938.yaml") if (ROOT.parent / "shared" / "record" / "khasan-1938.yaml").is_file() else None
    if record is not None:
        spec.check_record([e.id for e in record.entries])


def test_integer_parameters_are_searched_in_whole_numbers():
    key = next(k for k in PARAMS if isinstance(PARAMS.value(k), int) and PARAMS.param(k).bounds is not None)
    spec = spec_of({"parameters": [{"key": key, "reason": "r", "entries": ["e"]}]})
    assert spec.dims(PARAMS)[0].integer


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([], "must be a mapping"),
        ({"parameters": []}, "non-empty list"),
        ({"parameters": [], "extra": 1}, "unknown field"),
        (one(bounds=[0.3, 0.2]), "low below high"),
        (one(bounds=[0.2]), r"expected \[low, high\]"),
        (one(scale="cubic"), "one of linear, log"),
        (one(reason=""), "says why"),
        (one(entries=[]), "non-empty list of record entry ids"),
        (one(colour="red"), "unknown field"),
        ({"parameters": [{"reason": "r", "entries": ["e"]}]}, "dotted parameter key"),
        ({"parameters": [one()["parameters"][0], one()["parameters"][0]]}, "listed twice"),
        ({"scenario": 3, "parameters": one()["parameters"]}, "scenario id"),
    ],
)
def test_malformed_files_are_refused_with_the_place(doc, message):
    with pytest.raises(CalibrationFileError, match=message):
        spec_of(doc)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (one(key="fire.killed_fractoin"), "did you mean fire.killed_fraction"),
        (one(bounds=[0.1, 0.3]), r"reach outside the parameter file's bounds \[0.18, 0.33\]"),
        (one(key="vehicles.bt-5.mobility"), "not a number"),
        (one(key="engine.pulse_min"), "no bounds here nor in"),
        (one(key="fire.killed_fraction", bounds=[0.2, 0.3], scale="log"), None),
    ],
)
def test_parameters_are_checked_against_the_parameter_files(doc, message):
    spec = spec_of(doc)
    if message is None:
        assert spec.dims(PARAMS)[0].scale == "log"
        return
    with pytest.raises(CalibrationFileError, match=message):
        spec.dims(PARAMS)


def test_entries_must_be_in_the_record():
    spec = spec_of(one(entries=["soviet-killed", "no-such-entry"]))
    with pytest.raises(CalibrationFileError, match="no record entry 'no-such-entry'"):
        spec.check_record(["soviet-killed"])


def test_missing_and_broken_files(tmp_path):
    with pytest.raises(CalibrationFileError, match="no such calibration file"):
        load_calibration(tmp_path / "none.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("parameters: [", encoding="utf-8")
    with pytest.raises(CalibrationFileError, match="not valid YAML"):
        load_calibration(bad)
    ok = tmp_path / "ok.yaml"
    ok.write_text(yaml.safe_dump({"record": "rec.yaml", **one()}), encoding="utf-8")
    assert load_calibration(ok).record == tmp_path / "rec.yaml"


def test_at_most_six_parameters_are_fitted_to_the_record_and_six_yaml_names_them():
    """Issue 16's discipline: at most six of the model's parameters are fitted to the
    record's 12 entries, none on a bound of its range; six.yaml is the calibration that
    fits them; every other bounded parameter gives its source or reason."""
    from khasan_sim.calibrate.folds import fitted_keys, on_bound
    from khasan_sim.scenario.load import load_scenario

    sc = load_scenario(ROOT / "scenarios" / "khasan_1938" / "historical.yaml")
    spec = load_calibration(ROOT / "scenarios" / "calibration" / "six.yaml")
    dims = spec.dims(sc.params)
    fitted = set(fitted_keys(sc.params))
    assert len(fitted) <= 6
    assert fitted <= {d.key for d in dims}
    assert not on_bound(dims, tuple(sc.params.f(d.key) for d in dims))
    for key in sc.params:
        p = sc.params.param(key)
        assert p.source, key
