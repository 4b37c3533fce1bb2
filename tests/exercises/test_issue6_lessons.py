"""Exercises 9 (wait for the sappers), 4 (the strike in fog) and 10 (the column and its
commanders) run real small studies.

Two runs per study, full battles: the figures come from the runs, and the variants do
what they say (no tanks at the line on 6 August when they wait; fewer Japanese killed
by the bombs when they fall in fog).
"""

from __future__ import annotations

from khasan_sim.cli.main import main
from khasan_sim.exercises.format import find_exercise, load_exercise
from khasan_sim.exercises.report import load_figures
from khasan_sim.record import load_record

RUNS = 2


def _run(name: str, out) -> object:
    assert main(["exercise", "run", name, "--runs", str(RUNS), "--workers", "1", "--out", str(out), "--quiet"]) == 0
    assert (out / "report.html").is_file()
    ex = load_exercise(find_exercise(name))
    return load_figures(ex, out, load_record())


def test_wait_for_the_sappers_study(tmp_path):
    figs = _run("9-wait-for-the-sappers", tmp_path / "ex9")
    assert [v for v, _, _ in figs.variants] == ["wait-for-sappers"]
    day6 = figs.figures("tanks-3tb-reached")
    assert day6.baseline.runs == RUNS and day6.baseline.mean > 0
    assert day6.variants[0].dist.values == [0] * RUNS  # the battalion waited: nobody at the line on 6 Aug
    day7 = figs.figures("tanks-3tb-reached-7-aug").variants[0].dist
    assert day7.runs == RUNS and min(day7.values) > 0  # it went in on 7 Aug
    sappers = figs.figures("sappers-left-7-aug")
    assert all(0 < v <= 420 for v in sappers.variants[0].dist.values)
    text = (tmp_path / "ex9" / "report.html").read_text(encoding="utf-8")
    assert "Wait for two more crossings" in text and "engineering.yaml" in text


def test_strike_in_fog_study(tmp_path):
    figs = _run("4-the-air-strike", tmp_path / "ex4")
    keys = [v for v, _, _ in figs.variants]
    assert keys == ["no-air-strike", "air-strike-on-guns", "air-strike-in-fog"]
    killed = figs.figures("japanese-killed-6-aug")
    base = killed.baseline.by_run
    fog = killed.variants[keys.index("air-strike-in-fog")].dist.by_run
    none = killed.variants[keys.index("no-air-strike")].dist.by_run
    # paired by seed: the bombs in fog kill fewer than in clear air, but more than no bombs
    assert all(none[i] < fog[i] < base[i] for i in base)
    # the risk to the aircraft is as it is: the same AA draws, the same damage
    damaged = figs.figures("soviet-aircraft-damaged")
    assert damaged.variants[keys.index("air-strike-in-fog")].dist.by_run == damaged.baseline.by_run


def test_the_column_and_its_commanders_study(tmp_path):
    figs = _run("10-the-column-and-its-commanders", tmp_path / "ex10")
    assert [v for v, _, _ in figs.variants] == ["2tb-deployed"]
    out = figs.figures("tanks-2tb-knocked-out")
    for d in (out.baseline, out.variants[0].dist):
        assert d.runs == RUNS and all(0 <= v <= 45 for v in d.values)
    reached = figs.figures("tanks-2tb-zaozernaya")
    assert max(reached.baseline.values) > 0 and max(reached.variants[0].dist.values) > 0  # both columns get there
    text = (tmp_path / "ex10" / "report.html").read_text(encoding="utf-8")
    assert "2nd battalion deployed" in text and "command_tank_weight" in text
