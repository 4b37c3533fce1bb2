"""Writing fitted values: in place (only the fitted lines change, checked first) or to an override file."""

from __future__ import annotations

import pytest

from khasan_sim.calibrate.writeback import (
    WriteBackError,
    check_edit,
    edit_text,
    override_text,
    plan_in_place,
    write_in_place,
)
from khasan_sim.calibrate.yamledit import changed_lines
from khasan_sim.model.params import Param, ParamSet
from khasan_sim.scenario.load import load_scenario
from khasan_sim.scenario.params_file import load_params

BOG = "mobility.p_bog_per_100m.bt.swamp"
KPM = "vehicles.bt-5.kills_per_min"
NOTE = {"date": "2025-01-02", "score": "covered 2/4 -> 3/4, loss 1.324 -> 0.695", "entries": ["tanks-reached"], "within": [0.02, 0.3]}


def test_in_place_changes_only_the_fitted_lines_of_their_files(tiny_copy):
    params_dir = tiny_copy.parent / "params"
    before = {p.name: p.read_bytes() for p in params_dir.glob("*.yaml")}
    sc = load_scenario(tiny_copy)
    edits = plan_in_place(sc.params, {BOG: 0.25, KPM: 0.03}, {BOG: NOTE, KPM: NOTE})
    assert sorted(e.path.name for e in edits) == ["mobility.yaml", "vehicles.yaml"]
    assert all(e.path.read_bytes() == before[e.path.name] for e in edits)  # planning writes nothing
    written = write_in_place(edits)
    assert sorted(p.name for p in written) == ["mobility.yaml", "vehicles.yaml"]
    for p in params_dir.glob("*.yaml"):
        text_before, text_after = before[p.name].decode(), p.read_text(encoding="utf-8")
        n = len(changed_lines(text_before, text_after))
        assert n == {"mobility.yaml": 1, "vehicles.yaml": 1}.get(p.name, 0), p.name
    again = load_scenario(tiny_copy)
    assert again.params.value(BOG) == 0.25 and again.params.value(KPM) == 0.03
    assert again.params.param(BOG).fitted == NOTE
    assert again.params.param(BOG).bounds == (0.02, 0.30)
    # every other parameter is as it was
    for key in sc.params:
        if key not in (BOG, KPM):
            assert again.params.value(key) == sc.params.value(key), key


def test_an_existing_fitted_note_is_replaced(tiny_copy):
    sc = load_scenario(tiny_copy)
    (first,) = plan_in_place(sc.params, {BOG: 0.05}, {BOG: {"score": "first"}})
    write_in_place([first])
    sc = load_scenario(tiny_copy)
    (edit,) = plan_in_place(sc.params, {BOG: 0.06}, {BOG: NOTE})
    line = next(ln for ln in edit.after.splitlines() if "value: 0.06," in ln)
    assert line.count("fitted:") == 1 and "first" not in line
    assert len(changed_lines(edit.before, edit.after)) == 1


def test_a_file_changed_meanwhile_is_not_overwritten(tiny_copy):
    sc = load_scenario(tiny_copy)
    edits = plan_in_place(sc.params, {BOG: 0.25}, {})
    path = edits[0].path
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited by hand\n", encoding="utf-8")
    with pytest.raises(WriteBackError, match="changed while the calibration ran"):
        write_in_place(edits)
    assert path.read_text(encoding="utf-8").endswith("# edited by hand\n")


def test_check_edit_catches_an_edit_that_touched_another_parameter():
    text = "a:\n  x: {value: 1.0, unit: u, reason: r}\n  y: {value: 2.0, unit: u, reason: r}\n"
    good = edit_text(text, {"a.x": 1.5}, {})
    check_edit(text, good, {"a.x": 1.5}, "f")
    bad = good.replace("value: 2.0", "value: 2.5")
    with pytest.raises(WriteBackError, match=r"changed a\.y, which was not fitted"):
        check_edit(text, bad, {"a.x": 1.5}, "f")
    with pytest.raises(WriteBackError, match="reads back as"):
        check_edit(text, good, {"a.x": 1.25}, "f")
    with pytest.raises(WriteBackError, match="does not load"):
        check_edit(text, good.replace("unit: u, reason: r}\n  y", "reason: r}\n  y"), {"a.x": 1.5}, "f")


def test_a_parameter_without_a_file_needs_out():
    params = ParamSet({"a.x": Param("a.x", 1.0, "u", "r", (0.0, 2.0))})
    with pytest.raises(WriteBackError, match="--out"):
        plan_in_place(params, {"a.x": 1.5}, {})


def test_override_file_holds_only_the_fitted_leaves_and_overrides_the_defaults(tiny_copy):
    sc = load_scenario(tiny_copy)
    text = override_text(sc.params, {BOG: 0.25, KPM: 0.03}, {BOG: NOTE}, ["fitted for a test"])
    assert text.startswith("# fitted for a test\n")
    assert "mobility:\n  p_bog_per_100m:\n    bt:\n      swamp: {value: 0.25, unit: 1/100m, source: " in text
    assert "vehicles:\n  bt-5:\n    kills_per_min: {value: 0.03, unit: casualties/tank/min, bounds: [0.005, 0.06], reason: " in text
    out = tiny_copy.parent / "fitted.yaml"
    out.write_text(text, encoding="utf-8")
    files = sorted((tiny_copy.parent / "params").glob("*.yaml"))
    merged = load_params([*files, out])
    assert merged.value(BOG) == 0.25 and merged.value(KPM) == 0.03
    assert merged.param(BOG).source == sc.params.param(BOG).source
    assert merged.param(BOG).fitted == NOTE
    assert merged.value("fire.killed_fraction") == sc.params.value("fire.killed_fraction")
