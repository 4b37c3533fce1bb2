"""Loading valid scenarios: the tiny scenario, variants, tank expansion, digests, schema."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console

from khasan_sim.errors import ScenarioError
from khasan_sim.io import atomic_write_text
from khasan_sim.scenario.load import Scenario, TankSpec, expand_tanks, load_document, load_scenario
from khasan_sim.scenario.schema import ScenarioDoc, Training
from khasan_sim.scenario.summary import is_gun, summarize
from khasan_sim.scenario.variant import parse_path
from khasan_sim.scenario.yamlsrc import SourceMap, parse_yaml

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "tiny" / "tiny.yaml"
ELITE = ROOT / "tests" / "data" / "tiny" / "variants" / "elite.yaml"


@pytest.fixture(scope="module")
def tiny() -> Scenario:
    return load_scenario(TINY, with_terrain=False)


def test_tiny_loads(tiny: Scenario) -> None:
    """The tiny scenario is valid and its properties read from the document."""
    assert isinstance(tiny.doc, ScenarioDoc)
    assert tiny.id == "tiny"
    assert tiny.variant is None and tiny.variant_id is None and tiny.variant_path is None
    assert tiny.start.isoformat() == "1938-08-06T16:00:00"
    assert tiny.end > tiny.start
    assert list(tiny.units_by_id) == ["2mb-3tb", "tiny-battery", "tiny-jp-coy"]
    assert set(tiny.zones_by_id) == {"zaozernaya", "start-line"}
    assert tiny.path == TINY
    assert tiny.terrain is None
    assert len(tiny.params) > 0
    assert len(tiny.digest) == 64


def test_tank_expansion(tiny: Scenario) -> None:
    """Tank groups become vehicles: numbered ids or the listed ones, command tanks first."""
    assert tiny.tanks == (
        TankSpec("2mb-3tb-t01", "2mb-3tb", "bt-5", True),
        TankSpec("2mb-3tb-t02", "2mb-3tb", "bt-5", False),
        TankSpec("2mb-3tb-t03", "2mb-3tb", "bt-5", False),
        TankSpec("tiny-bt7-a", "2mb-3tb", "bt-7", False),
        TankSpec("tiny-bt7-b", "2mb-3tb", "bt-7", False),
    )
    assert tiny.tanks_of("tiny-jp-coy") == ()


def test_tank_numbering_continues_across_groups() -> None:
    """Unnamed vehicles are numbered through all of a unit's groups, zero-padded to the count."""
    doc = load_document(TINY)
    unit = doc.units[0].model_copy(update={"tanks": [
        doc.units[0].tanks[0].model_copy(update={"count": 2, "command": 2}),
        doc.units[0].tanks[0].model_copy(update={"model": "t-26", "count": 99, "command": 0}),
    ]})
    tanks = expand_tanks(doc.model_copy(update={"units": [unit]}))
    assert [t.id for t in tanks[:3]] == ["2mb-3tb-t001", "2mb-3tb-t002", "2mb-3tb-t003"]
    assert tanks[-1].id == "2mb-3tb-t101"
    assert [t.command for t in tanks[:3]] == [True, True, False]


def test_variant_applied() -> None:
    """replace, remove and add change the base; the base file itself is unchanged."""
    base = load_scenario(TINY, with_terrain=False)
    sc = load_scenario(TINY, ELITE, with_terrain=False)
    assert sc.variant_id == "tiny-elite"
    assert sc.variant_path == ELITE
    assert sc.units_by_id["2mb-3tb"].training is Training.ELITE
    assert base.units_by_id["2mb-3tb"].training is Training.FAIR
    assert sc.doc.rules.no_border_crossing == []
    assert [o.id for o in sc.doc.orders] == ["o-battery-prep", "o-3tb-attack", "o-jp-defend", "o-3tb-dig"]
    assert sc.units_by_id["tiny-jp-coy"].weapons["at37"] == 2
    assert "Elite" in sc.title


def test_variant_file_alone_loads_its_base() -> None:
    """Passing the variant file as the scenario loads its base (relative to the variant)."""
    a = load_scenario(ELITE, with_terrain=False)
    b = load_scenario(TINY, ELITE, with_terrain=False)
    assert a.digest == b.digest
    assert a.path.resolve() == TINY.resolve()


def test_digest_stable_and_changed_by_variant(tiny: Scenario) -> None:
    """The digest is the same for two loads and differs once a variant changes anything."""
    again = load_scenario(TINY, with_terrain=False)
    assert again.digest == tiny.digest
    assert load_scenario(TINY, ELITE, with_terrain=False).digest != tiny.digest


def test_digest_ignores_comments_and_layout(tmp_path: Path) -> None:
    """The digest hashes the validated content, not the text: comments do not change it."""
    text = TINY.read_text(encoding="utf-8")
    copy = tmp_path / "tiny.yaml"
    copy.write_text("# another comment\n" + text.replace("[[4800, 4900]", "[ [4800, 4900]"), encoding="utf-8")
    # the map and params resolve through the data root, as for the original
    assert load_scenario(copy, with_terrain=False).digest == load_scenario(TINY, with_terrain=False).digest


def test_variant_error_names_variant_file(tmp_path: Path) -> None:
    """A bad value set by a variant is reported at the variant's line, not the base's."""
    v = tmp_path / "v.yaml"
    v.write_text(
        f"variant: {{id: v, title: V, base: {TINY}}}\n"
        "replace:\n"
        "  - path: units[tiny-battery].men\n"
        "    value: -3\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(TINY, v, with_terrain=False)
    assert info.value.file == str(v)
    assert info.value.line == 4
    assert info.value.path == "units[1].men"


def test_a_variant_can_add_parameter_files_a_later_one_overriding(tmp_path: Path) -> None:
    """A variant that adds ``scenario.params`` (the built-in files, then its own) runs the
    scenario with its values: a later file overrides an earlier key (how
    bench/check_time_step.py runs the same study at another pulse length)."""
    from khasan_sim.scenario.params_file import default_param_files

    base = load_scenario(TINY, with_terrain=False)
    own = tmp_path / "pulse.params.yaml"
    own.write_text('engine:\n  pulse_min: {value: 2.5, unit: min, reason: "a test"}\n', encoding="utf-8")
    files = ", ".join(f'"{p}"' for p in [*default_param_files(), own])
    v = tmp_path / "v.yaml"
    v.write_text(
        f"variant: {{id: pulse-2.5, title: P, base: \"{TINY}\"}}\n"
        f"add:\n  - {{path: scenario.params, value: [{files}]}}\n",
        encoding="utf-8",
    )
    changed = load_scenario(TINY, v, with_terrain=False)
    assert base.params.f("engine.pulse_min") == 5
    assert changed.params.f("engine.pulse_min") == 2.5
    # every other parameter as the built-in files have it
    assert changed.params.f("engine.leg_m") == base.params.f("engine.leg_m")
    assert changed.digest != base.digest


def test_variant_for_another_base_is_refused(tmp_path: Path) -> None:
    """A variant whose base is another file than the scenario given is an error."""
    other = tmp_path / "other.yaml"
    other.write_text(TINY.read_text(encoding="utf-8"), encoding="utf-8")
    v = tmp_path / "v.yaml"
    v.write_text("variant: {id: v, title: V, base: other.yaml}\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"this variant is for 'other\.yaml'"):
        load_scenario(TINY, v, with_terrain=False)


def test_parse_path() -> None:
    """Variant paths: keys, [id] and [index]; nonsense is refused."""
    steps = parse_path("units[2mb-3tb].tanks[0].count")
    assert [(s.kind, s.name) for s in steps] == [
        ("key", "units"), ("id", "2mb-3tb"), ("key", "tanks"), ("index", "0"), ("key", "count")
    ]
    for bad in ("", "[3]", "units[0]men", ".units"):
        with pytest.raises(ValueError):
            parse_path(bad)


def test_source_map_lines() -> None:
    """Every path gets its 1-based line; a missing path answers with its nearest parent's."""
    data = parse_yaml("a: 1\nunits:\n  - id: x\n    men: 3\n  - id: y\n", "f.yaml")
    smap = SourceMap(data, "f.yaml")
    assert smap.lines()["units[0].men"] == 4
    assert smap.line(("units", 1)) == 5
    assert smap.line(("units", 1, "men")) == 5
    assert smap.line(("nowhere",)) == 1


def test_yaml_is_loaded_safely() -> None:
    """Python object tags are refused, not executed."""
    with pytest.raises(ScenarioError, match="not valid YAML"):
        parse_yaml("a: !!python/object/apply:os.system ['echo hi']\n", "evil.yaml")


def test_summary_counts(tiny: Scenario) -> None:
    """Forces by side count men, tanks by model and guns; machine guns are not guns."""
    s = summarize(tiny.doc, tiny.params)
    soviet, japanese = s.sides
    assert (soviet.units, soviet.men, dict(soviet.tanks), soviet.command_tanks) == (2, 240, {"bt-5": 3, "bt-7": 2}, 1)
    assert dict(soviet.guns) == {"how-122": 4}
    assert (japanese.men, dict(japanese.guns)) == (160, {})
    assert s.orders == 4
    assert is_gun("at45") and is_gun("gun-76") and not is_gun("hmg") and not is_gun("aa-mg")


def test_cli_check_prints_forces() -> None:
    """`scenario check` on a valid file prints the forces and returns 0."""
    import argparse

    from khasan_sim.cli import cmd_scenario

    buf = StringIO()
    args = argparse.Namespace(scenario_command="check", file=str(TINY), variant=str(ELITE), no_terrain=True, debug=False)
    assert cmd_scenario.run(args, Console(file=buf, width=160)) == 0
    out = buf.getvalue()
    assert "Forces by side" in out and "bt-5 3" in out and "how-122 4" in out and "tiny-elite" in out


@pytest.mark.parametrize(("name", "variant"), [("scenario.schema.json", False), ("variant.schema.json", True)])
def test_committed_schema_is_current(name: str, variant: bool) -> None:
    """The JSON Schemas under scenarios/schema match the models (re-export when they change)."""
    from khasan_sim.cli.cmd_scenario import schema_text

    committed = (ROOT / "scenarios" / "schema" / name).read_text(encoding="utf-8")
    assert committed == schema_text(variant), f"run: khasan-sim scenario schema {'--variant-schema ' if variant else ''}--out scenarios/schema/{name}"
    assert json.loads(committed)["additionalProperties"] is False


def test_atomic_write(tmp_path: Path) -> None:
    """An atomic write replaces the file whole and leaves no temporary files behind."""
    target = tmp_path / "sub" / "out.txt"
    atomic_write_text(target, "one")
    atomic_write_text(target, "two")
    assert target.read_text() == "two"
    assert [p.name for p in target.parent.iterdir()] == ["out.txt"]


def _tiny_on(tmp_path: Path, map_text: str | None) -> Path:
    """Copy the tiny scenario next to a map description of our own (None: no map file)."""
    if map_text is not None:
        (tmp_path / "map.yaml").write_text(map_text, encoding="utf-8")
    sc = tmp_path / "tiny.yaml"
    sc.write_text(TINY.read_text(encoding="utf-8").replace("map: assets/terrain/khasan.yaml", "map: map.yaml"), encoding="utf-8")
    return sc


def test_terrain_is_loaded_and_hashed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With terrain, load_terrain(map, params) is called; its grid bounds the map, its digest counts."""
    import types

    import khasan_sim.terrain as terrain_pkg
    from khasan_sim.terrain.types import Grid

    calls: list[tuple[Path, object]] = []

    def fake_load_terrain(path: Path, params: object, digest: str = "t1") -> object:
        calls.append((Path(path), params))
        return types.SimpleNamespace(grid=Grid(25.0, 400, 400), source_digest=digest, crossings=())

    monkeypatch.setattr(terrain_pkg, "load_terrain", fake_load_terrain, raising=False)
    sc_path = _tiny_on(tmp_path, "grid: {cell_m: 25, width_m: 10000, height_m: 10000}\n")
    sc = load_scenario(sc_path)
    assert calls and calls[0][0] == (tmp_path / "map.yaml").resolve()
    assert calls[0][1] is sc.params
    assert sc.grid.width_m == 10000 and sc.terrain is not None
    monkeypatch.setattr(terrain_pkg, "load_terrain", lambda p, q: fake_load_terrain(p, q, "t2"), raising=False)
    assert load_scenario(sc_path).digest != sc.digest


def test_bounds_from_the_map_description(tmp_path: Path) -> None:
    """Without terrain, the map's grid: sets the bounds (the battery at x=8000 m is off a 7.5 km map)."""
    sc_path = _tiny_on(tmp_path, "grid: {cell_m: 25, width_m: 7500, height_m: 7500}\n")
    with pytest.raises(ScenarioError, match=r"off the map \(expected 0 <= x < 7500") as info:
        load_scenario(sc_path, with_terrain=False)
    assert info.value.path == "units[1].position"


def test_missing_map_file(tmp_path: Path) -> None:
    """A map file that does not exist is an error at scenario.map when terrain is wanted."""
    sc_path = _tiny_on(tmp_path, None)
    with pytest.raises(ScenarioError, match=r"map file .* not found") as info:
        load_scenario(sc_path)
    assert (info.value.path, info.value.line) == ("scenario.map", 8)


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("moon: {value: hasty, unit: entrenchment, reason: x}", "unknown terrain class 'moon'"),
        ("rock: {value: bunker, unit: entrenchment, reason: x}", "value must be one of none, hasty, trenches"),
    ],
)
def test_a_dig_limit_must_name_a_terrain_class_and_a_level(entry, problem):
    """terrain.dig_limit.<class>: a bad class or level is one error naming the file, line and key."""
    from khasan_sim.model.params import ParamSet
    from khasan_sim.scenario.checks import check_dig_limits as _check_dig_limits
    from khasan_sim.scenario.params_file import parse_params

    text = "# how far men dig\nterrain:\n  dig_limit:\n    " + entry + "\n"
    params = ParamSet(parse_params(text, "my-terrain.yaml"))
    with pytest.raises(ScenarioError) as info:
        _check_dig_limits(params)
    key = "terrain.dig_limit." + entry.split(":")[0]
    assert (info.value.file, info.value.line, info.value.path) == ("my-terrain.yaml", 4, key)
    assert problem in info.value.problem
    good = "terrain:\n  dig_limit:\n    rock: {value: hasty, unit: entrenchment, reason: x}\n"
    _check_dig_limits(ParamSet(parse_params(good, "ok.yaml")))  # a known class and level pass


def test_a_bad_ceasefire_time_is_one_error_naming_the_file_line_and_field(tmp_path: Path) -> None:
    """rules.ceasefire.agreed must be a battle time: a bad one is reported where it stands."""
    text = TINY.read_text(encoding="utf-8").replace(
        "rules:\n", "rules:\n  ceasefire:\n    agreed: the end of the day\n", 1,
    )
    bad = tmp_path / "tiny-ceasefire.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(bad, with_terrain=False)
    assert info.value.file == str(bad)
    assert info.value.path == "rules.ceasefire.agreed"
    assert info.value.line == text.splitlines().index("    agreed: the end of the day") + 1
    good = tmp_path / "tiny-ok.yaml"
    good.write_text(text.replace("the end of the day", "1938-08-06T20:00"), encoding="utf-8")
    doc = load_scenario(good, with_terrain=False).doc
    assert doc.rules.ceasefire is not None and doc.rules.ceasefire.agreed.hour == 20
