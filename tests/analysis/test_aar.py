"""The after-action report: key moments chosen from events, the days, the study place, the page."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from khasan_sim.analysis.aar_moments import (
    MAPPED_MOMENTS,
    day_phases,
    key_moments,
    losses_series,
)
from khasan_sim.analysis.aar_report import causes_html, render_aar_html, study_html, study_places
from khasan_sim.analysis.aar_source import ReplayedRun, UnitInfo
from khasan_sim.analysis.compare import load_study
from khasan_sim.cli.main import main
from khasan_sim.engine.eventlog import EventLog
from khasan_sim.results import RunResult
from tests.analysis.conftest import known_result

START = datetime(1938, 8, 6, 16, 0)


def _zone(zid: str, kind: str, x: float, y: float) -> SimpleNamespace:
    return SimpleNamespace(id=zid, name=f"{zid.title()} hill, 100 m", kind=kind, polygon=[(x, y), (x + 100, y), (x, y + 100)])


def fake_run(events: list[tuple[float, str, dict]]) -> ReplayedRun:
    """A replayed run from hand-made events (minutes, kind, fields) on a two-height scenario."""
    log = EventLog()
    for t_min, kind, fields in events:
        log.append(t_min, kind, **fields)
    zones = [_zone("zao", "height", 1000, 1000), _zone("bez", "height", 3000, 3000), _zone("valley", "area", 0, 0)]
    scenario = SimpleNamespace(doc=SimpleNamespace(zones=zones), zones_by_id={z.id: z for z in zones}, variant_id=None, title="Test")
    units = {
        "s1": UnitInfo("s1", "1st Rifles", "soviet", "rifle"),
        "s2": UnitInfo("s2", "2nd Tanks", "soviet", "tank"),
        "j1": UnitInfo("j1", "Japanese Guns", "japanese", "artillery"),
        "j2": UnitInfo("j2", "Japanese Company", "japanese", "rifle"),
    }
    result = RunResult.from_json({
        "scenario": "test", "seed": 1, "variant": None, "events": len(log), "events_digest": "0" * 64,
        "snapshots": {"1938-08-08T00:00": {"soviet.killed": 0}},
    })
    return ReplayedRun(Path("run.json"), "run", SimpleNamespace(seed=1, orders=[], scenario="t.yaml", variant=None),
                       scenario, list(log.events), result, units, START, 2 * 24 * 60.0, True, "0" * 64)


EVENTS = [
    (10, "casualties", {"unit": "s1", "killed": 3, "wounded": 5, "missing": 0, "cause": "artillery:j1"}),
    (20, "bogged", {"unit": "s2", "tank": "s2-t1", "x": 500.0, "y": 600.0, "p_bog_per_100m": 0.1, "soft_m": 150.0, "ground": "swamp"}),
    (25, "bogged", {"unit": "s2", "tank": "s2-t2", "x": 510.0, "y": 610.0, "p_bog_per_100m": 0.1, "soft_m": 50.0}),
    (30, "tank_knocked_out", {"unit": "s2", "tank": "s2-t3", "cause": "artillery:j1", "damage": "burnt_out"}),
    (30, "crew_bailed_out", {"unit": "s2", "tank": "s2-t3", "crew": 3, "hit": 2}),
    (40, "morale_state", {"unit": "j2", "state": "routed", "was": "retreating", "morale": 0.1}),
    (45, "morale_state", {"unit": "s1", "state": "routed", "was": "shaken", "morale": 0.2}),
    (70, "casualties", {"unit": "s1", "killed": 20, "wounded": 40, "missing": 1, "cause": "direct-fire", "firing_unit": "j2", "range_m": 350.0}),
    (75, "casualties", {"unit": "j2", "killed": 2, "wounded": 3, "missing": 0, "cause": "artillery:s1"}),
    (500, "zone_holder", {"zone": "zao", "holder": "soviet", "was": "none"}),
    (520, "zone_holder", {"zone": "zao", "holder": "japanese", "was": "soviet"}),
    (540, "zone_holder", {"zone": "zao", "holder": "soviet", "was": "japanese"}),
    (1950, "counterattack", {"unit": "j2", "side": "japanese", "zone": "zao"}),
    (1960, "counterattack_called_off", {"unit": "j2", "zone": "zao", "reason": "losses", "men": 90, "set_out": 100}),
    (2000, "zone_holder", {"zone": "bez", "holder": "soviet", "was": "japanese"}),
]


def test_key_moments_are_chosen_from_the_events_with_their_causes():
    run = fake_run(EVENTS)
    moments = key_moments(run)
    titles = [m.title for m in moments]
    assert [m.t_s for m in moments] == sorted(m.t_s for m in moments)
    bog = next(m for m in moments if m.kind == "bogged")
    assert bog.t_s == 20 * 60 and "s2-t1" in bog.text and bog.where == (500.0, 600.0)
    # every field beyond who/where/when is a cause, including ones this module does not know
    assert ("ground", "swamp") in bog.causes and ("p_bog_per_100m", 0.1) in bog.causes
    assert any("hold Zao hill" in t for t in titles) and any("hold Bez hill" in t for t in titles)
    lost = [m for m in moments if m.kind == "height_lost"]
    assert len(lost) == 1 and "Zao hill" in lost[0].title and "Japanese side holds it" in lost[0].text
    routs = [m for m in moments if m.kind == "rout"]
    assert {m.unit for m in routs} == {"j2", "s1"}
    tank = next(m for m in moments if m.kind == "tank")
    assert "artillery (Japanese Guns)" in tank.text
    heavy = [m for m in moments if m.kind == "losses"]
    assert [m.t_s for m in heavy] == [0, 3600]  # the two hours with losses, in time order
    assert "61 Soviet and 5 Japanese" in heavy[1].text and "17:00–18:00" in heavy[1].title and heavy[1].size == 66
    assert ("cause", "Soviet losses to direct fire: 61") in heavy[1].causes
    mapped = [m for m in moments if m.mapped]
    assert 0 < len(mapped) <= MAPPED_MOMENTS
    assert {m.kind for m in mapped} >= {"height", "bogged"}  # each height first held is mapped first


def test_causes_are_shown_generically():
    text = causes_html([("firing_unit", "j2"), ("range_m", 350.0), ("cover", "trenches"), ("chance", 0.12345)])
    assert "firing unit j2" in text and "range m 350" in text and "cover trenches" in text and "chance 0.123" in text
    assert causes_html([]) == ""


def test_days_split_the_losses_and_follow_the_holders():
    run = fake_run(EVENTS)
    days = day_phases(run, key_moments(run))
    assert [d.label for d in days] == ["6 August", "7 August", "8 August"]
    first, second = days[0], days[1]
    assert first.losses["soviet"]["killed"] == 23 and first.losses["japanese"]["wounded"] == 3
    assert first.bogged["soviet"] == 2 and first.knocked_out["soviet"] == 1
    assert first.routs == {"japanese": 1, "soviet": 1}
    assert first.holders_at_end["zao"] == "none"  # first held at 00:20 on 7 August
    assert second.firsts == [("zao", 500 * 60)] and second.changes["zao"] == 3
    assert second.holders_at_end["zao"] == "soviet" and second.holders_at_end["bez"] == "japanese"
    assert days[2].counterattacks["japanese"] == 1 and days[2].called_off["losses"] == 1
    assert days[2].holders_at_end["bez"] == "soviet"
    # every moment is told on its day
    assert sum(len(d.moments) for d in days) == len(key_moments(run))


def test_losses_series_counts_every_man_including_tank_crews():
    run = fake_run(EVENTS)
    s = losses_series(run)
    assert s["soviet"]["lost"][1][-1] == 8 + 61 + 2  # the crew hit counts in the total
    assert s["soviet"]["killed"][1][-1] == 23
    assert s["japanese"]["lost"][1][-1] == 5
    hours = s["soviet"]["lost"][0]
    assert hours == sorted(hours) and hours[-1] == 48.0


def test_study_place_is_the_runs_percentile(record, known_study):
    study = load_study(known_study)
    run = fake_run([])
    run.result = RunResult.from_json(known_result(50, 7))
    places = {p.entry_id: p for p in study_places(run, record, study)}
    assert places["count-value"].place == "50th percentile"  # a.count 51 among 1..100: 50 below, one equal: 50.5
    assert places["count-value"].run_value == "51"
    assert "100 runs, median 50" in places["count-value"].study
    assert places["hill-held"].place.startswith("40% of the study's runs")  # japanese in runs 40-79
    assert "not-in-runs" not in places
    html = "".join(study_html(run, record, study))
    assert "Where this run sits among the study's runs" in html and "study seed 1" in html
    assert "compare different battles" not in html  # the same scenario, no variant
    run.result = RunResult.from_json(known_result(50, 7, variant="more"))
    assert "compare different battles" in "".join(study_html(run, record, study))


# ------------------------------------------------------------------ the whole report, on a real run


@pytest.fixture(scope="module")
def real_run(tmp_path_factory) -> Path:
    """Seed 1 of the historical scenario, written as `run --json` writes it."""
    from khasan_sim.api import Simulation
    from khasan_sim.scenario.builtin import historical_scenario

    sim = Simulation(str(historical_scenario()), 1)
    result = sim.run_to_end()
    path = tmp_path_factory.mktemp("aar") / "run.json"
    result.write(path)
    return path


@pytest.fixture(scope="module")
def real_report(real_run) -> Path:
    out = real_run.parent / "aar.html"
    assert main(["report", str(real_run), "--html", str(out)]) == 0
    return out


def test_report_tells_the_run_with_maps_and_sections(real_run, real_report):
    text = real_report.read_text(encoding="utf-8")
    for section in ("After-action report", "Day by day", "The situation at the key moments",
                    "Losses over time, beside the record", "This run against the record", "How this report was made"):
        assert section in text
    for day in ("6 August", "7 August", "11 August"):
        assert f"<h3>{day}</h3>" in text
    assert len(re.findall(r"<figure><img alt='[^']+' src='data:image/png;base64,", text)) == MAPPED_MOMENTS
    assert "the first tank bogs down" in text
    result = json.loads(real_run.read_text())
    final = result["snapshots"]["1938-08-11T12:00"]
    assert f"Soviet {final['soviet.killed']:,} killed" in text  # the brief gives the run's own figures
    assert "(the same as the recorded run)" in text and result["events_digest"][:12] in text
    assert "<h2>For discussion</h2>" in text and "Soviet tanks bogged down" in text


def test_report_renders_in_headless_chromium(real_report, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("no chromium here")
    shot = tmp_path / "aar.png"
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
         f"--screenshot={shot}", "--window-size=1200,3000", real_report.as_uri()],
        check=False, capture_output=True, timeout=120,
    )
    assert shot.is_file() and shot.stat().st_size > 50_000


def test_a_changed_run_is_refused_and_nothing_written(real_run, tmp_path, capsys):
    doc = json.loads(real_run.read_text())
    doc["events_digest"] = "f" * 64
    bad = tmp_path / "changed.json"
    bad.write_text(json.dumps(doc))
    out = tmp_path / "aar.html"
    assert main(["report", str(bad), "--html", str(out)]) == 2
    assert "events_digest: the replayed run differs" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(("content", "message"), [
    ("not json", "not a run result or a save"),
    ('{"format": "khasan-sim-save", "version": 1}', "damaged save file"),
    ('{"scenario": "nowhere", "seed": 1, "variant": null, "snapshots": {}, "events": 0, "events_digest": ""}', "no packaged scenario has the id 'nowhere'"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, content, message):
    src = tmp_path / "in.json"
    src.write_text(content)
    out = tmp_path / "aar.html"
    assert main(["report", str(src), "--html", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and str(src) in " ".join(err.split()) and not out.exists()


def test_a_saved_game_is_told_to_its_moment(tmp_path):
    from khasan_sim.saves import SaveGame
    from khasan_sim.scenario.builtin import historical_scenario

    order = {"at_min": 60.0, "order": {"kind": "defend", "unit": "2mb-3tb"}}
    save = SaveGame(scenario=str(historical_scenario()), seed=3, variant=None, player_sides=["soviet"], now_min=300.0,
                    orders=[order], label="test")
    path = tmp_path / "game.json"
    path.write_text(json.dumps(save.to_json()))
    out = tmp_path / "aar.html"
    assert main(["report", str(path), "--html", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "a game saved before the end" in text and "6 Aug 21:00" in text
    assert "<h3>7 August</h3>" not in text and "1 player orders" in text
    # the maps replay the game to each moment with the orders given by then
    from khasan_sim.analysis.aar_source import load_run

    run = load_run(path)
    assert run.kind == "save" and not run.finished and run.end_min == 300.0
    assert any(e.kind == "order" and e.get("unit") == "2mb-3tb" and e.t_s == 3600 for e in run.events)


def test_render_without_record_has_no_record_sections():
    run = fake_run(EVENTS)
    run.scenario.terrain = None
    html = render_aar_html(run, None)
    assert "Day by day" in html and "This run against the record" not in html


def test_a_run_names_its_scenario_and_variant_by_id():
    from khasan_sim.analysis.aar_source import ReportInputError, find_scenario, find_variant
    from khasan_sim.scenario.builtin import historical_scenario

    scenario = find_scenario("khasan-1938-historical", "run.json")
    assert scenario == historical_scenario()
    assert find_variant(scenario, "round-the-swamp", "run.json").name == "round-the-swamp.yaml"
    with pytest.raises(ReportInputError, match=r"run.json: variant: no variant beside historical.yaml has the id 'nowhere'"):
        find_variant(scenario, "nowhere", "run.json")


def test_a_crossing_blocked_is_a_key_moment_with_the_tanks_held_behind_it():
    events = [
        (20, "crossing_blocked", {"unit": "s2", "tank": "s2-t1", "crossing": "xing-1", "x": 500.0, "y": 600.0}),
        (21, "held_at_crossing", {"unit": "s2", "tank": "s2-t4", "crossing": "xing-1", "by": "s2-t1", "x": 550.0, "y": 600.0}),
        (22, "held_at_crossing", {"unit": "s2", "tank": "s2-t7", "crossing": "xing-1", "by": "s2-t1", "x": 550.0, "y": 600.0}),
        (90, "crossing_cleared", {"unit": "s2", "tank": "s2-t1", "crossing": "xing-1", "status": "operational"}),
        (95, "held_at_crossing", {"unit": "s2", "tank": "s2-t9", "crossing": "xing-1", "by": "s2-t1", "x": 550.0, "y": 600.0}),
    ]
    moments = key_moments(fake_run(events))
    m = next(m for m in moments if m.kind == "crossing")
    assert m.t_s == 20 * 60 and m.where == (500.0, 600.0)
    assert "s2-t1" in m.text and "xing-1" in m.text and "2 tanks behind it wait there" in m.text
    assert ("held_up", 2) in m.causes


def test_the_day_the_ceasefire_is_agreed_says_so():
    from khasan_sim.analysis.aar_report import day_paragraph

    run = fake_run([*EVENTS, (1960, "ceasefire_agreed", {"rule": "each side keeps the positions it holds: no new attacks"})])
    days = day_phases(run, key_moments(run))
    assert [d.ceasefire_s for d in days] == [None, None, 1960 * 60]
    from khasan_sim.analysis.aar_moments import clock

    hhmm = clock(run, 1960 * 60)[-5:]
    assert f"Ceasefire agreed at {hhmm}: from then neither side launches a new attack." in day_paragraph(run, days[2])
    assert "Ceasefire" not in day_paragraph(run, days[1])
