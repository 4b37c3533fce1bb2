"""The model's parameters with their sources, and where a game falls among a study's runs."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from khasan_sim.analysis.compare import EntryComparison
from khasan_sim.analysis.luck import game_position
from khasan_sim.analysis.trust import fitted_parameters
from khasan_sim.api import mechanism_sources, parameter_sources
from khasan_sim.scenario.params_file import default_param_files, load_params

PARAMS = load_params(default_param_files())


def test_every_parameter_is_listed_with_its_source_line_and_fitted_mark():
    rows = parameter_sources(PARAMS)
    assert [r.key for r in rows] == sorted(PARAMS)
    fitted = {f.key for f in fitted_parameters(PARAMS)}
    assert {r.key for r in rows if r.fitted} == fitted and fitted
    for r in rows:
        p = PARAMS.param(r.key)
        assert (r.value, r.unit, r.source) == (p.value, p.unit, p.source)
        assert r.source and r.file.endswith(".yaml") and isinstance(r.line, int)
        assert r.fitted == bool(r.fitted_note)
        # the line read is the parameter's own line in its file
        with open(p.file, encoding="utf-8") as fh:
            line = fh.read().splitlines()[r.line - 1]
        assert r.key.split(".")[-1] + ":" in line or "value:" in line


def test_a_mechanism_lists_its_parameters_narrowed_to_one_class():
    m, rows = mechanism_sources(PARAMS, "route", containing="bt")
    keys = [r.key for r in rows]
    assert "mobility.speed_kmh.bt.swamp" in keys and "mobility.speed_kmh.foot.swamp" not in keys
    assert "mobility.max_slope_deg.bt" in keys and "mobility.max_slope_deg.foot" not in keys
    assert "mobility.slope_speed.vehicle_exponent" in keys  # names no class: kept
    assert all(k.startswith(m.prefixes) for k in keys)
    _, bog = mechanism_sources(PARAMS, "bog", containing="t26")
    assert [r.key for r in bog if r.key.startswith("mobility.")] == ["mobility.p_bog_per_100m.t26.swamp"]
    assert any(r.key.startswith("bogging.") for r in bog)


def _entry(kind, values):
    return EntryComparison(id="e", metric="m", kind=kind, when="", recorded="", runs=len(values), unjudged=0, values=list(values))


def test_a_game_is_placed_among_the_runs_as_compare_places_the_record():
    c = _entry("count", [10, 20, 30, 40])
    assert game_position(c, 25).percentile == 50.0
    assert game_position(c, 30).percentile == 62.5  # mid-rank: half of the equal run
    assert "above all 4 runs" in game_position(c, 99).text
    assert "below all 4 runs" in game_position(c, 1).text
    assert "50th percentile of 4 runs" in game_position(c, 25).text
    t = _entry("time", [5.0, 10.0, None, None])
    never = game_position(t, None)
    assert never.percentile == 75.0 and "never, as in 50% of 4 runs" in never.text
    assert game_position(t, 7.0).percentile == 25.0
    h = _entry("holder", ["soviet", "soviet", "japanese", None])
    pos = game_position(h, "soviet")
    assert pos.share_same == 0.5 and pos.percentile is None and pos.text == "soviet as in 50% of 4 runs"
    assert game_position(h, None).text.startswith("contested as in 25%")
    assert game_position(_entry("count", []), 3) is None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 50), min_size=1, max_size=40), st.integers(0, 50))
def test_the_percentile_grows_with_the_game_value(values, y):
    c = _entry("count", values)
    p = game_position(c, y).percentile
    assert 0.0 <= p <= 100.0
    assert game_position(c, y + 1).percentile >= p
    x = np.asarray(values)
    assert math.isclose(p, 100 * (np.sum(x < y) + 0.5 * np.sum(x == y)) / x.size)
