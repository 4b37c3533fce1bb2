"""Every exercise of the pack loads, and each of its variants loads and plays a while."""

from __future__ import annotations

import pytest

from khasan_sim.errors import ScenarioError
from khasan_sim.exercises.format import find_exercise, load_exercise, pack
from khasan_sim.record import load_record

PACK = pack()


def test_the_pack_has_the_issues_exercises():
    names = [p.stem for p in PACK]
    assert len(names) >= 7
    exercises = [load_exercise(p, check_variants=False) for p in PACK]
    lessons = {e.doc.exercise.lesson for e in exercises}
    assert {"terrain", "border", "preparation", "training", "doctrine", "own-orders"} <= lessons
    ids = {v for e in exercises for v in e.variant_ids}
    assert {"round-the-swamp", "border-open", "no-artillery-restriction", "early-artillery-ban", "no-air-strike",
            "trained-rifles", "japanese-reinforce-heights", "japanese-abandon-mgh",
            "wait-for-sappers", "air-strike-in-fog"} <= ids
    assert any(e.doc.play.own_orders for e in exercises)
    assert any(e.doc.play.side == "both" for e in exercises)  # hot seat


def test_the_pack_is_in_the_order_of_the_exercises_numbers():
    numbers = [int(p.stem.split("-", 1)[0]) for p in PACK]
    assert numbers == sorted(numbers) and 10 in numbers  # 10 after 9, not after 1


@pytest.mark.parametrize("path", PACK, ids=[p.stem for p in PACK])
def test_exercise_loads_with_its_variants_and_record(path):
    record = load_record()
    ex = load_exercise(path, record=record)  # every variant read by the scenario loader
    assert ex.id == path.stem
    d = ex.doc
    assert d.briefing.situation and d.briefing.question and d.briefing.constraints
    assert d.teacher.what_happened and d.teacher.evidence and d.teacher.sources
    assert all(q.metrics for q in d.questions)
    for m in d.metrics:
        if m.record is not None:
            record.entry(m.record)


def _variant_files():
    seen = {}
    for p in PACK:
        ex = load_exercise(p, check_variants=False)
        for vid, vp in zip(ex.variant_ids, ex.variant_paths, strict=True):
            seen[vid] = (ex, vp)
    return seen


VARIANTS = _variant_files()


@pytest.mark.parametrize("vid", sorted(VARIANTS))
def test_variant_plays_a_while_and_has_the_exercise_metrics(vid):
    from khasan_sim.api import Simulation
    from khasan_sim.scenario.load import load_scenario

    ex, vp = VARIANTS[vid]
    scenario = load_scenario(ex.scenario_path, vp)
    assert scenario.variant_id == vid
    sim = Simulation(scenario, 1)
    sim.advance_minutes(60)
    metrics = sim.metrics()
    for m in ex.doc.metrics:
        if m.metric is not None:
            assert m.metric in metrics, f"{ex.id}: metric {m.metric} is not a metric of a run"


def test_exercise_errors_name_file_line_and_field(tmp_path):
    good = find_exercise("1-tanks-and-the-swamp").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.replace("lesson: terrain", "lesson: weather"), encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_exercise(bad, check_variants=False)
    line = good.splitlines().index("  lesson: terrain") + 1
    assert str(err.value).startswith(f"{bad}:{line}: exercise.lesson: expected one of")

    bad.write_text(good.replace("record: tanks-3tb-knocked-out", "record: tanks-lost"), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"metrics\[1\]\.record: no record entry 'tanks-lost'"):
        load_exercise(bad, check_variants=False, record=load_record())

    bad.write_text(good.replace("metrics: [tanks-3tb-knocked-out]", "metrics: [tanks-3tb-lost]"), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"questions\[1\]\.metrics\[0\]: no metric 'tanks-3tb-lost'"):
        load_exercise(bad, check_variants=False)

    bad.write_text(good.replace("round-the-swamp.yaml", "round-the-lake.yaml"), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"variants\[0\]\.file: variant file '.*round-the-lake.yaml' not found"):
        load_exercise(bad, check_variants=False)


def test_unknown_exercise_suggests_a_name():
    with pytest.raises(ScenarioError, match="did you mean '2-the-border'"):
        find_exercise("2-the-bordr")
