"""Sappers build a crossing in a run, and tanks ordered after it stands cross there."""

from __future__ import annotations

from pathlib import Path

import pytest

from khasan_sim.api import Simulation
from khasan_sim.errors import ScenarioError
from khasan_sim.scenario.load import load_scenario
from tests.engine.quiet_field import ROOT, RULES, head

# Sappers and two tank companies south-east of the stream, upstream of the three sapper
# crossings; nobody is fighting. The sappers make a crossing at xing-9 (on the stream,
# 800 m upstream of xing-1). Company A sets off across the stream before it can stand,
# company B long after.
HEAD = head("build-crossing-test", "Sappers make a crossing")
BODY = """units:
  - {{id: sappers, side: soviet, name: Sapper battalion, type: engineer, position: [6300, 9300], men: {men}, weapons: {{rifle: 300}}}}
  - id: coy-a
    side: soviet
    name: Tank company A
    type: tank
    position: [6400, 9200]
    men: 20
    tanks: [{{model: bt-7, count: 4}}]
  - id: coy-b
    side: soviet
    name: Tank company B
    type: tank
    position: [6450, 9150]
    men: 20
    tanks: [{{model: bt-7, count: 4}}]
  - {{id: jp-coy, side: japanese, name: Far away, type: rifle, position: [2000, 3000], men: 100, weapons: {{rifle: 90}}}}
{rules}orders:
  - id: o-build
    kind: {kind}
    at: 1938-08-06T08:00
    unit: {builder}
    sites:
      - {{id: xing-9, at: [{x}, 9564]}}
  - {{id: o-a, kind: move, at: 1938-08-06T08:30, unit: coy-a, to: [6000, 9900]}}
  - {{id: o-b, kind: move, at: 1938-08-06T16:00, unit: coy-b, to: [6000, 9900]}}
{extra}
"""


def scenario(tmp_path: Path, *, men: int = 300, x: int = 6050, builder: str = "sappers", extra: str = "", kind: str = "build_crossing"):
    path = tmp_path / f"build-{men}-{x}-{builder}-{len(extra)}.yaml"
    path.write_text(HEAD + BODY.format(men=men, x=x, builder=builder, extra=extra, kind=kind, rules=RULES), encoding="utf-8")
    return load_scenario(path)


def _events(sim: Simulation, kind: str) -> list:
    return [e for e in sim.engine.log.events if e.kind == kind]


def test_the_crossing_is_built_and_tanks_ordered_later_use_it(tmp_path):
    sc = scenario(tmp_path)
    sim = Simulation(sc, 1)
    sim.run_to_end()
    built = _events(sim, "crossing_built")
    assert [e.get("crossing") for e in built] == ["xing-9"]
    start = _events(sim, "crossing_work_start")[0]
    # about effort / (men at the site) hours of daylight work: 600 man-h / 150 men ~ 4 h (lognormal)
    p = sc.params
    hours = (built[0].t_min - start.t_min) / 60.0
    effort = start.get("effort_man_h")
    assert hours == pytest.approx(effort / p.f("engineering.party_max_men"), abs=p.f("engine.pulse_min") / 60.0 + 1e-6)
    assert 0.5 < hours < 8.0 and built[0].t_min < 8 * 60.0  # before company B sets off
    e = sim.engine
    assert "xing-9" in {c.id for c in e.terrain.crossings}
    assert "xing-9" not in {c.id for c in sc.terrain.crossings}  # the scenario's terrain is not changed
    # company B set off after the crossing stood: its four tanks crossed there and arrived
    assert e.crossing_passes["xing-9"] == 4
    assert all(abs(t.x - 6000) < 60 and abs(t.y - 9900) < 60 for t in sim.tanks() if t.unit == "coy-b")
    # the same trip planned now goes over the new crossing
    assert e._route("bt", "soviet", (6400.0, 9200.0), (6000.0, 9900.0), []).crossings == ("xing-9",)


def test_company_ordered_before_the_crossing_stands_does_not_use_it(tmp_path):
    sim = Simulation(scenario(tmp_path), 1)
    sim.advance_minutes(60)
    assert not _events(sim, "crossing_built")
    assert sum(sim.engine.crossing_passes.values()) == 4  # company A, by the old crossings
    sim.run_to_end()
    passes = sim.engine.crossing_passes
    assert passes["xing-9"] == 4  # company B only
    assert sum(v for k, v in passes.items() if k != "xing-9") == 4  # company A, one old crossing per tank


def test_fewer_men_build_slower(tmp_path):
    full = Simulation(scenario(tmp_path, men=300), 2)
    few = Simulation(scenario(tmp_path, men=75), 2)
    full.run_to_end()
    few.run_to_end()
    t_full = _events(full, "crossing_built")[0].t_min
    built_few = _events(few, "crossing_built")
    assert not built_few or built_few[0].t_min > t_full


def test_a_new_order_stops_the_work(tmp_path):
    extra = "  - {id: o-stop, kind: defend, at: 1938-08-06T09:00, unit: sappers}"
    sim = Simulation(scenario(tmp_path, extra=extra), 1)
    sim.run_to_end()
    assert not _events(sim, "crossing_built")
    assert [e.get("crossings") for e in _events(sim, "crossing_work_stopped")] == ["xing-9"]
    assert "xing-9" not in sim.engine.crossings


def test_no_crossing_where_there_is_no_stream(tmp_path):
    sim = Simulation(scenario(tmp_path, x=6600), 1)  # 6600, 9564 lies 300 m off the stream
    sim.run_to_end()
    refused = _events(sim, "order_refused")
    assert refused and "no stream" in refused[0].get("reason")
    assert not _events(sim, "crossing_built")


def test_only_engineers_build(tmp_path):
    with pytest.raises(ScenarioError, match="a build_crossing is for engineer units, but 'coy-a' is tank"):
        scenario(tmp_path, builder="coy-a")


def test_same_seed_same_run(tmp_path):
    sc = scenario(tmp_path)
    a, b = Simulation(sc, 5).run_to_end(), Simulation(sc, 5).run_to_end()
    assert a.events_digest == b.events_digest


def test_wait_for_sappers_variant_builds_overnight_and_the_tanks_cross_there():
    """The exercise's variant: two crossings made in the dark of 6/7 Aug, used by the 06:45 attack."""
    sc = load_scenario(ROOT / "scenarios" / "khasan_1938" / "historical.yaml", ROOT / "scenarios" / "khasan_1938" / "variants" / "wait-for-sappers.yaml")
    sim = Simulation(sc, 3)
    sim.advance_to("1938-08-07T09:00")
    built = {e.get("crossing"): e.t_min for e in _events(sim, "crossing_built")}
    assert set(built) == {"xing-4", "xing-5"}
    dusk, attack = 5 * 60.0, (14 * 60.0 + 45.0)  # 21:00 on 6 Aug and 06:45 on 7 Aug, minutes from 16:00
    assert all(dusk < t < attack for t in built.values())
    assert not [e for e in _events(sim, "order") if e.get("unit") == "2mb-3tb" and e.t_min < attack]  # it waited
    # the battalion's columns: one per crossing near the one its route takes (four of the five here)
    passes = sim.engine.crossing_passes
    assert passes["xing-4"] > 0 and passes["xing-5"] > 0
    assert all(passes[x] > 0 for x in ("xing-1", "xing-2", "xing-4", "xing-5"))


def test_a_retreating_unit_does_not_start_the_work(tmp_path):
    from khasan_sim.model.morale import MoraleState

    sim = Simulation(scenario(tmp_path), 1)
    sim.engine.units["sappers"].state = MoraleState.RETREATING  # broken before the order comes
    sim.advance_minutes(30)
    refused = _events(sim, "order_refused")
    assert [e.get("reason") for e in refused] == ["retreating"]
    assert not _events(sim, "crossing_work_start")


def test_a_crossing_that_changes_what_can_be_seen_leaves_the_old_sight_lines_behind(tmp_path):
    """Laying a crossing makes new ground: it has its own sight lines (kernels/sight.py keeps
    them per terrain), which the run reads from then on, and the old ground keeps its own."""
    sim = Simulation(scenario(tmp_path), 1)
    old = sim.engine._sight()
    sim.run_to_end()
    e = sim.engine
    assert _events(sim, "crossing_built")
    assert e._sight() is e.terrain.extras["_sight_lines"] and e._sight() is not old
    assert old.terrain is sim.scenario.terrain and e._sight().terrain is e.terrain


def test_a_route_asked_again_is_the_first_answer_between_the_same_cells(tmp_path):
    # routes are kept for the run by cells (the first answer between two cells answers
    # every later question between them) and, asked again from the same points, under the
    # points; a crossing built forgets both
    sim = Simulation(scenario(tmp_path), 1)
    e = sim.engine
    first = e._route("bt", "soviet", (6400.0, 9200.0), (6000.0, 9900.0), [])
    assert e._route("bt", "soviet", (6400.0, 9200.0), (6000.0, 9900.0), []) is first
    cell_m = e.terrain.grid.cell_m
    same_cell = (6400.0 + 0.4 * cell_m, 9200.0)
    assert e.cell(*same_cell) == e.cell(6400.0, 9200.0)
    assert e._route("bt", "soviet", same_cell, (6000.0, 9900.0), []) is first
    assert e._route("bt", "soviet", same_cell, (6000.0, 9900.0), []) is first
    sim.run_to_end()  # the crossing is built
    after = e._route("bt", "soviet", (6400.0, 9200.0), (6000.0, 9900.0), [])
    assert after is not first and after.crossings == ("xing-9",)
