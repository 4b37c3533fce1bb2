"""Branch studies from the command line: `batch SCENARIO --seed S --at TIME` and `batch --from SAVE`."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest
from rich.console import Console

from khasan_sim.cli.main import main
from khasan_sim.rng import branch_seed
from khasan_sim.runner.branches import BranchOrigin
from khasan_sim.runner.study import StudyFile

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny" / "tiny.yaml"
ELITE = TINY.parent / "variants" / "elite.yaml"
MOMENT = "1938-08-06T18:00"
ORDER = {"kind": "withdraw", "unit": "2mb-3tb", "to": "start-line"}


def run_cli(*argv: object) -> tuple[int, list[str]]:
    buf = io.StringIO()
    code = main([str(a) for a in argv], console=Console(file=buf, width=300, force_terminal=False, color_system=None))
    return code, [ln for ln in buf.getvalue().splitlines() if ln.strip()]


def stored(path: Path) -> tuple[object, list]:
    with StudyFile.open(path, readonly=True) as study:
        return study.spec, list(study.records())


def write_game_save(path: Path, scenario: Path = TINY) -> Path:
    """Play the tiny scenario as the Soviet side to 18:00 with one order at 17:00; save it."""
    from khasan_sim.api import Simulation
    from khasan_sim.saves import SaveGame

    sim = Simulation(str(scenario), 9, player_sides=["soviet"], follow_record=True)
    sim.advance_minutes(60)
    sim.give(ORDER)
    sim.advance_minutes(60)
    save = SaveGame(
        scenario=str(scenario), seed=9, variant=None, player_sides=["soviet"], now_min=sim.now_min,
        orders=[{"at_min": 60.0, "order": ORDER}], events_digest=sim.events_digest(),
        followers=sorted(u.id for u in sim.units() if u.side == "soviet" and u.id not in sim.taken_over),
    )
    path.write_text(json.dumps(save.to_json()))
    return path


def test_at_makes_a_study_of_branches_of_the_run_with_the_seed(tmp_path):
    out = tmp_path / "at.sqlite"
    code, lines = run_cli("batch", TINY, "--seed", 4, "--at", MOMENT, "--runs", 3, "--workers", 1, "--out", out, "--quiet")
    assert code == 0, lines
    spec, records = stored(out)
    origin = BranchOrigin.from_text(spec.branch)
    assert (origin.source, origin.moment, origin.moment_min, origin.save) == ("seed", MOMENT, 120.0, None)
    assert spec.study_seed == 4
    assert [r.seed for r in records] == [branch_seed(4, 120.0, i) for i in range(3)]
    results = [r.result for r in records]
    assert all(doc["seed"] == 4 and doc["meta"]["branch"]["moment"] == MOMENT for doc in results)
    assert len({doc["events_digest"] for doc in results}) == 3
    # the study is a study like any other: compare reads it
    code, lines = run_cli("compare", out)
    assert code == 0, lines
    assert any(f"branches of the run with the study seed from {MOMENT}" in ln for ln in lines), lines
    code, lines = run_cli("study", "check", out)
    assert code == 0 and f"its runs are branches of the run with the study seed from {MOMENT}" in lines[0], lines
    # resuming the same study runs nothing; another moment is another study
    code, lines = run_cli("batch", TINY, "--seed", 4, "--at", MOMENT, "--runs", 3, "--out", out, "--resume")
    assert code == 0 and "nothing to run" in lines[-1], lines
    before = stored(out)
    code, lines = run_cli("batch", TINY, "--seed", 4, "--at", "1938-08-06T19:00", "--runs", 3, "--out", out, "--resume")
    assert code == 2 and len(lines) == 1 and "branch origin" in lines[0], lines
    code, lines = run_cli("batch", TINY, "--seed", 4, "--runs", 3, "--out", out, "--resume")
    assert code == 2 and "a plain study" in lines[0], lines
    assert stored(out) == before


def test_from_makes_a_study_of_branches_of_a_saved_game(tmp_path):
    save = write_game_save(tmp_path / "game.json")
    out = tmp_path / "from.sqlite"
    code, lines = run_cli("batch", "--from", save, "--runs", 2, "--workers", 1, "--out", out)
    assert code == 0, lines
    assert "branches of the saved game" in lines[0]
    spec, records = stored(out)
    origin = BranchOrigin.from_text(spec.branch)
    assert (origin.source, origin.moment, origin.save) == ("save", MOMENT, str(save.resolve()))
    assert spec.study_seed == 9
    assert [r.seed for r in records] == [branch_seed(9, 120.0, i) for i in range(2)]
    # the branches are the game's: its order at 17:00 is in their shared history
    from khasan_sim.api import run_branches

    here = run_branches(str(TINY), 9, MOMENT, 2, orders=[(60.0, ORDER)], player_sides=["soviet"])
    assert [r.result["events_digest"] for r in records] == [b.result.events_digest for b in here]


def assert_refused(code: int, lines: list[str], *words: str, out: Path) -> None:
    assert code == 2, lines
    assert len(lines) == 1, lines
    assert "Traceback" not in lines[0]
    for w in words:
        assert w in lines[0], lines[0]
    assert not out.exists(), "nothing is written"


@pytest.mark.parametrize("at", ["1938-08-06T15:59", "1938-08-06T22:00", "1938-08-09T12:00"])
def test_a_time_outside_the_scenario_is_refused(tmp_path, at):
    out = tmp_path / "s.sqlite"
    code, lines = run_cli("batch", TINY, "--at", at, "--runs", 2, "--out", out)
    assert_refused(code, lines, "--at", "outside the scenario", out=out)


def test_a_save_of_another_scenario_is_refused(tmp_path):
    save = write_game_save(tmp_path / "game.json")
    out = tmp_path / "s.sqlite"
    code, lines = run_cli("batch", ELITE, "--from", save, "--runs", 2, "--out", out)
    assert_refused(code, lines, str(save), "a save of scenario", out=out)


def test_a_damaged_or_foreign_save_is_refused(tmp_path):
    out = tmp_path / "s.sqlite"
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something-else"}')
    code, lines = run_cli("batch", "--from", bad, "--runs", 2, "--out", out)
    assert_refused(code, lines, str(bad), "not a khasan-sim save", out=out)
    save = write_game_save(tmp_path / "game.json")
    doc = json.loads(save.read_text())
    doc["orders"][0]["order"]["unit"] = "no-such-unit"
    save.write_text(json.dumps(doc))
    code, lines = run_cli("batch", "--from", save, "--runs", 2, "--out", out)
    assert_refused(code, lines, str(save), "do not replay", out=out)


def test_arguments_that_do_not_fit_together_are_refused(tmp_path):
    save = write_game_save(tmp_path / "game.json")
    out = tmp_path / "s.sqlite"
    code, lines = run_cli("batch", "--from", save, "--at", MOMENT, "--runs", 2, "--out", out)
    assert_refused(code, lines, "--at", "--from", out=out)
    code, lines = run_cli("batch", "--from", save, "--seed", 3, "--runs", 2, "--out", out)
    assert_refused(code, lines, "--seed 3", "seed 9", out=out)
    code, lines = run_cli("batch", "--at", MOMENT, "--runs", 2, "--out", out)
    assert_refused(code, lines, "SCENARIO", out=out)
    code, lines = run_cli("batch", "--runs", 2, "--out", out)
    assert_refused(code, lines, "SCENARIO", out=out)


def test_a_plain_study_of_before_branch_studies_still_opens(tmp_path):
    """Study files made before the branch column existed are plain studies."""
    out = tmp_path / "plain.sqlite"
    code, lines = run_cli("batch", TINY, "--runs", 1, "--workers", 1, "--out", out, "--quiet")
    assert code == 0, lines
    cols = "id, scenario, scenario_digest, variant, study_seed, runs_requested, code_version, params_digest, snapshot_at, scenario_path, variant_path, created"
    with sqlite3.connect(out) as conn:  # the study table as it was before
        conn.executescript(f"CREATE TABLE old AS SELECT {cols} FROM study; DROP TABLE study; ALTER TABLE old RENAME TO study;")
    spec, records = stored(out)
    assert spec.branch is None and len(records) == 1
    code, lines = run_cli("batch", TINY, "--runs", 2, "--workers", 1, "--out", out, "--resume", "--quiet")
    assert code == 0, lines


def test_compare_pairs_branch_studies_only_with_branches_of_the_same_moment(tmp_path):
    from khasan_sim.analysis.compare import compare_studies
    from khasan_sim.analysis.loading import load_study

    paths = {}
    for name, extra in (("plain", []), ("at18", ["--at", MOMENT]), ("at18b", ["--at", MOMENT]), ("at19", ["--at", "1938-08-06T19:00"])):
        paths[name] = tmp_path / f"{name}.sqlite"
        code, lines = run_cli("batch", TINY, "--seed", 4, *extra, "--runs", 2, "--workers", 1, "--out", paths[name], "--quiet")
        assert code == 0, lines
    studies = {k: load_study(p) for k, p in paths.items()}
    assert compare_studies(studies["at18"], studies["at18b"], None, resamples=50).paired
    assert not compare_studies(studies["at18"], studies["plain"], None, resamples=50).paired
    assert not compare_studies(studies["at18"], studies["at19"], None, resamples=50).paired


def test_salvage_keeps_the_runs_of_a_branch_study(tmp_path):
    out = tmp_path / "at.sqlite"
    code, lines = run_cli("batch", TINY, "--seed", 4, "--at", MOMENT, "--runs", 2, "--workers", 1, "--out", out, "--quiet")
    assert code == 0, lines
    copy = tmp_path / "salvaged.sqlite"
    code, lines = run_cli("study", "salvage", out, "--out", copy)
    assert code == 0, lines
    (spec, records), (spec2, records2) = stored(out), stored(copy)
    assert spec2.branch == spec.branch
    assert [(r.index, r.seed, r.result_json) for r in records2] == [(r.index, r.seed, r.result_json) for r in records]
