"""Hostile parameter files and terrain descriptions: one line naming file, line and key, never a run."""

from __future__ import annotations

import pytest

from tests.boundary.conftest import assert_refused, make_workspace

PULSE = "  pulse_min: {value: 5, unit: min,"
BURN = "tank_burn_fraction: {value: 0.45, unit: fraction, bounds: [0.2, 0.7],"
FOG = "fog_visibility_m: {value: 300, unit: m,"
LOSS = "max_loss_fraction_per_pulse: {value: 0.15, unit: fraction,"
SWAMP = "      swamp:   {value: 1.5, unit: km/h,"
OPEN = "      open:    {value: 4.0, unit: km/h,"
RIFLE_RANGE = "    range_m: {value: 400, unit: m,"
SLOPE = "    foot:  {value: 40.0, unit: deg,"
DIG = "  dig_in_on_halt: {value: 1, unit: flag,"
MOBILITY = "    mobility: {value: bt, unit: class,"

# (case id, file, old text, new text, what the message must name)
PARAM_CASES = [
    (
        "missing-parameter",
        "combat.yaml",
        PULSE,
        "  pulse_minute: {value: 5, unit: min,",
        "engine.pulse_min",
    ),
    (
        "nan",
        "combat.yaml",
        FOG,
        "fog_visibility_m: {value: .nan, unit: m,",
        "fire.fog_visibility_m",
    ),
    (
        "inf",
        "combat.yaml",
        FOG,
        "fog_visibility_m: {value: .inf, unit: m,",
        "fire.fog_visibility_m",
    ),
    (
        "minus-inf",
        "combat.yaml",
        FOG,
        "fog_visibility_m: {value: -.inf, unit: m,",
        "fire.fog_visibility_m",
    ),
    (
        "word-for-number",
        "combat.yaml",
        FOG,
        "fog_visibility_m: {value: lots, unit: m,",
        "fire.fog_visibility_m",
    ),
    (
        "word-nan",
        "combat.yaml",
        FOG,
        "fog_visibility_m: {value: nan, unit: m,",
        "fire.fog_visibility_m",
    ),
    (
        "bool-value",
        "combat.yaml",
        FOG,
        "fog_visibility_m: {value: yes, unit: m,",
        "fire.fog_visibility_m",
    ),
    (
        "list-value",
        "combat.yaml",
        FOG,
        "fog_visibility_m: {value: [1, 2], unit: m,",
        "fire.fog_visibility_m",
    ),
    (
        "null-value",
        "combat.yaml",
        FOG,
        "fog_visibility_m: {value: null, unit: m,",
        "fire.fog_visibility_m",
    ),
    (
        "probability-minus-50",
        "combat.yaml",
        BURN,
        "tank_burn_fraction: {value: -50, unit: fraction,",
        "fire.tank_burn_fraction",
    ),
    (
        "fraction-above-1",
        "combat.yaml",
        BURN,
        "tank_burn_fraction: {value: 1.5, unit: fraction,",
        "fire.tank_burn_fraction",
    ),
    (
        "loss-fraction-1e300",
        "combat.yaml",
        LOSS,
        "max_loss_fraction_per_pulse: {value: 1e300, unit: fraction,",
        "fire.max_loss_fraction_per_pulse",
    ),
    (
        "loss-fraction-1.0e300",
        "combat.yaml",
        LOSS,
        "max_loss_fraction_per_pulse: {value: 1.0e+300, unit: fraction,",
        "fire.max_loss_fraction_per_pulse",
    ),
    (
        "negative-speed",
        "mobility.yaml",
        OPEN,
        "      open:    {value: -4.0, unit: km/h,",
        "mobility.speed_kmh.foot.open",
    ),
    (
        "huge-speed",
        "mobility.yaml",
        OPEN,
        "      open:    {value: 4.0e12, unit: km/h,",
        "mobility.speed_kmh.foot.open",
    ),
    (
        "negative-range",
        "weapons.yaml",
        RIFLE_RANGE,
        "    range_m: {value: -400, unit: m,",
        "weapons.rifle.range_m",
    ),
    ("pulse-zero", "combat.yaml", PULSE, "  pulse_min: {value: 0, unit: min,", "engine.pulse_min"),
    (
        "pulse-negative",
        "combat.yaml",
        PULSE,
        "  pulse_min: {value: -5, unit: min,",
        "engine.pulse_min",
    ),
    (
        "pulse-tiny",
        "combat.yaml",
        PULSE,
        "  pulse_min: {value: 0.0001, unit: min,",
        "engine.pulse_min",
    ),
    (
        "leg-zero",
        "combat.yaml",
        "  leg_m: {value: 200, unit: m,",
        "  leg_m: {value: 0, unit: m,",
        "engine.leg_m",
    ),
    (
        "foot-leg-zero",
        "combat.yaml",
        "  foot_leg_min: {value: 5, unit: min,",
        "  foot_leg_min: {value: 0, unit: min,",
        "engine.foot_leg_min",
    ),
    (
        "volley-zero",
        "combat.yaml",
        "  volley_min: {value: 5, unit: min,",
        "  volley_min: {value: 0, unit: min,",
        "artillery.volley_min",
    ),
    (
        "unknown-field",
        "combat.yaml",
        FOG,
        "fog_visibility_m: {valeu: 3, value: 300, unit: m,",
        "valeu",
    ),
    ("no-unit", "combat.yaml", FOG, "fog_visibility_m: {value: 300,", "fire.fog_visibility_m"),
    (
        "unknown-unit",
        "combat.yaml",
        FOG,
        "fog_visibility_m: {value: 300, unit: furlongs,",
        "fire.fog_visibility_m.unit",
    ),
    (
        "wrong-unit",
        "combat.yaml",
        PULSE,
        "  pulse_min: {value: 5, unit: m,",
        "engine.pulse_min.unit",
    ),
    (
        "numeric-unit",
        "combat.yaml",
        FOG,
        "fog_visibility_m: {value: 300, unit: 5,",
        "fire.fog_visibility_m.unit",
    ),
    (
        "no-source",
        "combat.yaml",
        '  engagement_range_m: {value: 1500, unit: m, reason: "beyond',
        '  engagement_range_m: {value: 1500, unit: m, note: "beyond',
        "engine.engagement_range_m",
    ),
    (
        "bounds-reversed",
        "combat.yaml",
        "bounds: [0.2, 0.7],",
        "bounds: [0.7, 0.2],",
        "fire.tank_burn_fraction.bounds",
    ),
    (
        "bounds-nan",
        "combat.yaml",
        "bounds: [0.2, 0.7],",
        "bounds: [.nan, 0.7],",
        "fire.tank_burn_fraction.bounds",
    ),
    (
        "bounds-one",
        "combat.yaml",
        "bounds: [0.2, 0.7],",
        "bounds: [0.2],",
        "fire.tank_burn_fraction.bounds",
    ),
    (
        "bounds-words",
        "combat.yaml",
        "bounds: [0.2, 0.7],",
        "bounds: [low, high],",
        "fire.tank_burn_fraction.bounds",
    ),
    (
        "outside-bounds",
        "combat.yaml",
        BURN,
        "tank_burn_fraction: {value: 0.9, unit: fraction, bounds: [0.2, 0.7],",
        "fire.tank_burn_fraction",
    ),
    (
        "swamp-outside-bounds",
        "mobility.yaml",
        SWAMP,
        "      swamp:   {value: 9.0, unit: km/h,",
        "mobility.speed_kmh.foot.swamp",
    ),
    (
        "angle-200",
        "mobility.yaml",
        SLOPE,
        "    foot:  {value: 200.0, unit: deg,",
        "mobility.max_slope_deg.foot",
    ),
    (
        "flag-2",
        "combat.yaml",
        DIG,
        "  dig_in_on_halt: {value: 2, unit: flag,",
        "command.dig_in_on_halt",
    ),
    (
        "number-for-word",
        "vehicles.yaml",
        MOBILITY,
        "    mobility: {value: 3, unit: class,",
        "vehicles.bt-5.mobility",
    ),
    (
        "entrenchment-word",
        "terrain.yaml",
        "    rock:    {value: hasty,",
        "    rock:    {value: deep,",
        "terrain.dig_limit.rock",
    ),
    ("group-a-number", "combat.yaml", "fire:\n", "fire: 5\nfire_old:\n", "fire"),
    (
        "duplicate-key",
        "combat.yaml",
        FOG,
        "fog_visibility_m: {value: 300, value: 400, unit: m,",
        "value",
    ),
    (
        "python-tag",
        "combat.yaml",
        FOG,
        "fog_visibility_m: {value: !!python/object/apply:os.system [echo hi], unit: m,",
        "combat.yaml",
    ),
    ("not-yaml", "combat.yaml", FOG, "fog_visibility_m: {value: [300, unit: m,", "combat.yaml"),
    ("empty-group", "combat.yaml", "fire:\n", "nothing: {}\nfire:\n", "nothing"),
]


@pytest.mark.parametrize(
    ("file", "old", "new", "name"), [c[1:] for c in PARAM_CASES], ids=[c[0] for c in PARAM_CASES]
)
def test_a_broken_parameter_file_is_refused_naming_it(cli, workspace, file, old, new, name):
    workspace.edit(workspace.param_file(file), old, new)
    before = workspace.fingerprint()
    outcome = cli("scenario", "check", workspace.scenario, "--no-terrain")
    assert_refused(outcome, file, name, before=before, folder=workspace.root)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("", "mapping"),
        ("- a\n- b\n", "mapping"),
        ("just words\n", "mapping"),
        ("\x00\x01\x02 binary", "combat.yaml"),
    ],
    ids=["empty", "a-list", "a-word", "binary"],
)
def test_a_parameter_file_that_is_not_a_mapping_is_refused(cli, workspace, content, words):
    workspace.param_file("combat.yaml").write_bytes(content.encode("latin-1"))
    outcome = cli("scenario", "check", workspace.scenario, "--no-terrain")
    assert_refused(outcome, "combat.yaml", words)


def test_a_missing_parameter_names_the_file_that_should_hold_it(cli, workspace):
    workspace.edit(workspace.scenario, f'"{workspace.params / "aircraft.yaml"}", ', "")
    outcome = cli("scenario", "check", workspace.scenario, "--no-terrain")
    assert_refused(outcome, "aircraft.yaml", "missing required parameter")


def test_a_parameter_list_naming_a_folder_is_refused(cli, workspace):
    workspace.edit(
        workspace.scenario, f'"{workspace.params / "combat.yaml"}"', f'"{workspace.params}"'
    )
    outcome = cli("scenario", "check", workspace.scenario, "--no-terrain")
    assert_refused(outcome, "params")


def test_the_unit_seconds_is_converted_to_minutes(cli, workspace):
    workspace.edit(workspace.param_file("combat.yaml"), PULSE, "  pulse_min: {value: 300, unit: s,")
    outcome = cli("scenario", "check", workspace.scenario, "--no-terrain")
    assert outcome.code == 0, outcome.err
    from khasan_sim.scenario.load import load_scenario

    assert load_scenario(workspace.scenario, with_terrain=False).params.f("engine.pulse_min") == 5.0


def test_a_refused_parameter_never_runs(cli, workspace, tmp_path):
    workspace.edit(workspace.param_file("combat.yaml"), PULSE, "  pulse_min: {value: 0, unit: min,")
    out = tmp_path / "run.json"
    outcome = cli("run", workspace.scenario, "--json", out, "--quiet")
    assert_refused(outcome, "engine.pulse_min")
    assert not out.exists()


# ------------------------------------------------------------------ terrain

GRID = "grid: {cell_m: 25, width_m: 12000, height_m: 12000}"
PLAIN = "plain_elevation_m: {value: 4.0,"

TERRAIN_CASES = [
    ("grid-1m-over-1000km", GRID, "grid: {cell_m: 1, width_m: 1000000, height_m: 1000000}", "grid"),
    ("grid-too-many-cells", GRID, "grid: {cell_m: 1, width_m: 100000, height_m: 100000}", "grid"),
    ("cell-zero", GRID, "grid: {cell_m: 0, width_m: 12000, height_m: 12000}", "grid.cell_m"),
    ("cell-negative", GRID, "grid: {cell_m: -25, width_m: 12000, height_m: 12000}", "grid.cell_m"),
    ("cell-bigger-than-map", GRID, "grid: {cell_m: 100, width_m: 20, height_m: 20}", "grid"),
    ("width-nan", GRID, "grid: {cell_m: 25, width_m: .nan, height_m: 12000}", "grid.width_m"),
    ("width-word", GRID, "grid: {cell_m: 25, width_m: wide, height_m: 12000}", "grid.width_m"),
    (
        "grid-unknown-field",
        GRID,
        "grid: {cell_m: 25, width_m: 12000, height_m: 12000, depth_m: 5}",
        "depth_m",
    ),
    ("grid-missing", GRID, "grids: {cell_m: 25, width_m: 12000, height_m: 12000}", "grids"),
    ("plain-inf", PLAIN, "plain_elevation_m: {value: .inf,", "plain_elevation_m.value"),
    ("plain-word", PLAIN, "plain_elevation_m: {value: low,", "plain_elevation_m.value"),
    ("not-yaml", GRID, "grid: {cell_m: 25, width_m: [12000, height_m: 12000}", "khasan"),
    ("python-tag", GRID, "grid: !!python/object/apply:os.system [echo hi]", "terrain.yaml"),
]


@pytest.mark.parametrize(
    ("old", "new", "name"), [c[1:] for c in TERRAIN_CASES], ids=[c[0] for c in TERRAIN_CASES]
)
def test_a_broken_terrain_description_is_refused_naming_it(cli, tmp_path, old, new, name):
    ws = make_workspace(tmp_path, own_terrain=True)
    ws.edit(ws.terrain, old, new)
    before = ws.fingerprint()
    outcome = cli("scenario", "check", ws.scenario)
    assert_refused(outcome, "terrain.yaml", before=before, folder=ws.root)
    if name != "khasan":
        assert name in outcome.err


@pytest.mark.parametrize(
    ("content", "words"),
    [("", "mapping"), ("- 1\n- 2\n", "mapping"), ("a: [" * 200 + "]" * 200, "nested")],
    ids=["empty", "a-list", "nested-200-deep"],
)
def test_a_terrain_description_that_is_not_one_is_refused(cli, tmp_path, content, words):
    ws = make_workspace(tmp_path, own_terrain=True)
    ws.terrain.write_text(content, encoding="utf-8")
    outcome = cli("scenario", "check", ws.scenario)
    assert_refused(outcome, "terrain.yaml", words)


def test_a_map_drawn_from_a_broken_terrain_is_refused(cli, tmp_path):
    ws = make_workspace(tmp_path, own_terrain=True)
    ws.edit(ws.terrain, GRID, "grid: {cell_m: 1, width_m: 100000, height_m: 100000}")
    outcome = cli("map", ws.terrain, "--png", tmp_path / "map.png")
    assert_refused(outcome, "terrain.yaml", "cells")
    assert not (tmp_path / "map.png").exists()
