"""The historical scenario: it loads on the real terrain, uses METRICS.md's fixed names,
and its totals agree with the history digest where the digest gives figures."""

from __future__ import annotations

from datetime import datetime

import pytest

from khasan_sim.scenario.builtin import historical_scenario
from khasan_sim.scenario.load import load_scenario
from khasan_sim.terrain import TerrainClass

FIXED_ZONES = {"zaozernaya", "bezymyannaya", "machine-gun-hill", "bogomolnaya", "height-194", "japanese-forward-line", "novoselka", "zarechye"}
FIXED_UNITS = {"2mb-2tb", "2mb-3tb", "2mb-recon-tank-coy", "40rd-118rr", "40rd-119rr", "40rd-120rr", "32rd-94rr", "32rd-95rr", "32rd-96rr"}


@pytest.fixture(scope="module")
def sc():
    return load_scenario(historical_scenario())


def test_fixed_names_of_metrics_md(sc):
    assert set(sc.zones_by_id) >= FIXED_ZONES
    assert set(sc.units_by_id) >= FIXED_UNITS
    assert set(sc.doc.sides) == {"soviet", "japanese"}


def test_times_match_the_digest(sc):
    assert sc.start == datetime(1938, 8, 6, 16, 0)  # the air strike, once the fog lifted
    assert sc.end == datetime(1938, 8, 11, 12, 0)  # the ceasefire at noon


def test_tank_battalions_as_the_digest_counts_them(sc):
    assert len(sc.tanks_of("2mb-3tb")) == 43  # "of the 43 tanks in this attack"
    assert len(sc.tanks_of("2mb-recon-tank-coy")) == 19
    models = {t.model for t in sc.tanks}
    assert models <= {"bt-5", "bt-7"}
    # the command tanks with rail aerials exist in every battalion
    for unit in ("2mb-2tb", "2mb-3tb"):
        assert any(t.command for t in sc.tanks_of(unit))


def test_the_air_strike_of_6_august(sc):
    aircraft: dict[str, int] = {}
    for u in sc.doc.units:
        for model, n in u.aircraft.items():
            aircraft[model] = aircraft.get(model, 0) + n
    assert aircraft.get("sb", 0) + aircraft.get("tb-3", 0) == 180  # 180 bombers, 60 and 120
    assert sorted((aircraft.get("sb", 0), aircraft.get("tb-3", 0))) == [60, 120]
    assert sum(aircraft.values()) == 216  # "another account: 216 aircraft"
    strikes = [o for o in sc.doc.orders if o.kind == "air_strike"]
    assert strikes and min(o.at for o in strikes) == datetime(1938, 8, 6, 16, 0)


def test_preparation_and_attack_times(sc):
    prep = [o for o in sc.doc.orders if o.kind == "fire_mission" and o.mission == "preparation" and o.at.date() == sc.start.date()]
    assert prep and any(o.duration_min == 45 for o in prep)  # the 45-minute preparation
    attacks = {o.at.strftime("%H:%M") for o in sc.doc.orders if o.kind == "attack" and o.at.date() == sc.start.date()}
    assert "16:55" in attacks  # the general attack


def test_soviet_strength_is_near_the_digests_23000(sc):
    men = sum(u.men for u in sc.doc.units if u.side == "soviet")
    assert 0.8 * 23_000 <= men <= 1.05 * 23_000


def test_every_ground_unit_starts_on_ground_it_can_stand_on_and_on_its_side(sc):
    t = sc.terrain
    for u in sc.doc.units:
        if u.position is None:  # air units
            continue
        r, c = t.grid.cell(*u.position)
        assert TerrainClass(t.terrain_class[r, c]) not in (TerrainClass.WATER, TerrainClass.RIVER), u.id
        assert t.speed_kmh["foot"][r, c] > 0, u.id
        assert bool(t.soviet_side[r, c]) == (u.side == "soviet") or (u.side == "japanese" and t.border_distance_m[r, c] < 300), u.id


def test_every_unit_says_where_its_numbers_come_from(sc):
    assert all(u.source for u in sc.doc.units)


def test_variants_load(sc):
    folder = historical_scenario().parent / "variants"
    files = sorted(folder.glob("*.yaml"))
    assert len(files) >= 6
    for f in files:
        v = load_scenario(historical_scenario(), f)
        assert v.variant_id and v.digest != sc.digest


def test_a_unit_in_the_lake_is_refused_with_file_line_and_field(tmp_path):
    """A unit placed in Lake Khasan gets one message naming the file, line and field."""
    from khasan_sim.scenario.load import ScenarioError

    src = historical_scenario()
    text = src.read_text(encoding="utf-8").replace("position: [5010, 5100]", "position: [4770, 6506]", 1)
    (tmp_path / "lake.yaml").write_text(text.replace("../../assets/", str(src.parents[2] / "assets") + "/"), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "lake.yaml")
    msg = str(info.value)
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "position: [4770, 6506]" in s)
    assert f"lake.yaml:{line}: units[" in msg and "is in the lake" in msg and "\n" not in msg, msg
