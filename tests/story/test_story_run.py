"""A real run of the historical scenario: its result carries the story section, the watch
changes nothing in the run, and `compare` and `run` show the story checks."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from khasan_sim.api import Simulation
from khasan_sim.cli.main import main
from khasan_sim.cli.story_tables import print_run_story
from khasan_sim.results import RunResult
from khasan_sim.rng import replication_seed
from khasan_sim.runner.study import RunRecord, StudyFile
from khasan_sim.scenario.builtin import historical_scenario
from khasan_sim.scenario.load import load_scenario
from khasan_sim.story import watch
from khasan_sim.story.spec import load_story


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(historical_scenario())


@pytest.fixture(scope="module")
def played(scenario):
    sim = Simulation(scenario, seed=1)
    return sim, sim.run_to_end()


def console() -> tuple[Console, io.StringIO]:
    buf = io.StringIO()
    return Console(file=buf, width=200, force_terminal=False, color_system=None), buf


def test_the_result_carries_every_check(played):
    _, result = played
    story = load_story()
    section = result.to_json()["story"]
    assert section["file"] == "scenarios/record/story.yaml"
    assert section["observe_digest"] == story.observe_digest
    assert section["start"] == "1938-08-06T16:00" and section["now"] == "1938-08-11T12:00"
    assert set(section["observations"]) == {c.id for c in story.checks}
    for cid, ob in section["observations"].items():
        assert ob["settled"] is True, cid
        assert "cannot_show" in ob or ob["observe_key"] == story.check(cid).observe_key
    back = RunResult.from_json(json.loads(result.to_json_text()))
    assert back.story == section


def test_the_watch_only_reads(played, scenario, monkeypatch):
    _, result = played
    monkeypatch.setattr(watch, "attach", lambda engine, story=None: None)
    bare = Simulation(scenario, seed=1)
    assert bare._story is None
    plain = bare.run_to_end()
    assert plain.story is None
    assert plain.events_digest == result.events_digest
    assert plain.events == result.events
    assert plain.snapshots == result.snapshots


def test_the_tiny_scenario_has_no_story():
    from pathlib import Path

    tiny = Path(__file__).resolve().parents[1] / "data" / "tiny" / "tiny.yaml"
    sim = Simulation(load_scenario(tiny), seed=1)
    assert sim.result().story is None


def test_run_prints_the_story_checks(played):
    _, result = played
    out, buf = console()
    print_run_story(out, result)
    text = buf.getvalue()
    assert "The story of the digest, in this run" in text
    assert "recon-company-stopped-in-valley" in text and "had to slow and then stop" in text
    assert "cannot show" in text


def test_compare_shows_the_story_beside_the_record(played, scenario, tmp_path):
    from khasan_sim.runner.batch import study_spec

    _, result = played
    spec = study_spec(scenario, study_seed=5, runs=3)
    path = tmp_path / "s.sqlite"
    doc = result.to_json()
    records = [
        RunRecord(i, replication_seed(5, i), "ok", json.dumps(doc), None, 0.1, "w")
        for i in range(3)
    ]
    with StudyFile.create(path, spec) as study:
        study.record_runs(records)
    out, buf = console()
    html_path = tmp_path / "r.html"
    assert main(["compare", str(path), "--json", "-"], console=out) == 0
    story = json.loads(buf.getvalue())["story"]
    assert len(story["checks"]) == len(load_story().checks)
    first = story["checks"][0]
    assert {"words", "threshold", "reason", "share_holds", "verdicts"} <= set(first)
    assert first["runs"] == 3 and first["share_holds"] in (0.0, 1.0)
    out, buf = console()
    assert main(["compare", str(path), "--html", str(html_path)], console=out) == 0
    text = buf.getvalue()
    assert "The story checks beside the study" in text and "share of runs holding" in text
    page = html_path.read_text(encoding="utf-8")
    assert "The story checks: what the history digest says, run by run" in page
    assert "had to slow and then stop" in page
