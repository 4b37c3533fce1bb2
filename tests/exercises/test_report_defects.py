"""Issue 17's defects of the exercise report: practical size, one statistic, readable plots, students' copy."""

from __future__ import annotations

from pathlib import Path

import pytest
from matplotlib.figure import Figure

from khasan_sim.analysis.practical import load_rules, practical_size
from khasan_sim.cli.main import main
from khasan_sim.errors import ScenarioError
from khasan_sim.exercises.figures import reading
from khasan_sim.exercises.report import (
    difference_axes,
    distribution_axes,
    load_figures,
    metric_table,
    render_exercise_html,
    scenario_times,
)
from khasan_sim.record import load_record

from .conftest import EXERCISE, write_known_study


@pytest.fixture
def small_difference(tmp_path) -> Path:
    """Soviet killed 632 + i with the variant against 639 + i in the baseline: a real 1% difference."""
    out = tmp_path / "ex1"
    out.mkdir()
    write_known_study(out / "baseline.sqlite", None, killed=639)
    write_known_study(out / "round-the-swamp.sqlite", "round-the-swamp", killed=632)
    return out


def test_practical_size_is_data_with_a_reason():
    size = practical_size("soviet.killed", "median")
    assert size is not None and size.unit == "percent of the baseline" and size.reason
    assert size.threshold(639) == pytest.approx(31.95)
    assert not size.worth_attention(-7, 639) and size.worth_attention(-40, 639)
    assert practical_size("unit.2mb-3tb.tanks_reached.japanese-forward-line", "median").unit == "tanks"
    assert practical_size("objective.bezymyannaya.first_soviet_hold", "median hours").unit == "hours"
    assert practical_size("objective.zaozernaya.holder", "share held by soviet").unit == "percentage points"
    assert all(r.reason for r in load_rules())


def test_a_malformed_practical_size_file_names_file_line_and_field(tmp_path):
    bad = tmp_path / "practical.yaml"
    bad.write_text("rules:\n  - metric: '*'\n    value: -1\n    unit: tanks\n    reason: x\n")
    with pytest.raises(ScenarioError) as exc:
        load_rules(str(bad))
    assert str(bad) in str(exc.value) and ":3:" in str(exc.value) and "value" in str(exc.value)


def test_a_real_but_tiny_difference_is_not_called_one_worth_attention(small_difference, exercise1):
    figs = load_figures(exercise1, small_difference, load_record())
    d = figs.figures("soviet-killed").variants[0].headline
    assert d.significant and d.difference == pytest.approx(-7)  # paired seeds: the interval is exactly -7
    words = " ".join(reading(figs))
    sentence = next(s for s in reading(figs) if s.startswith("Soviet killed"))
    assert "a real but negligible difference" in sentence and "5% of the baseline" in sentence
    assert "the model supports a real difference" not in sentence
    assert "published loss figures" in words  # the reason, from the data file
    start, _ = scenario_times(exercise1)
    text = render_exercise_html(figs, start=start)
    assert "The smallest difference worth attention" in text
    assert "below the smallest difference worth attention, 32.9 (5% of the baseline)" in text


def test_the_table_difference_is_of_the_statistic_the_table_shows(known_studies, exercise1):
    figs = load_figures(exercise1, known_studies, load_record())
    for mid in ("tanks-3tb-reached", "tanks-3tb-knocked-out", "soviet-killed"):
        mf = figs.figures(mid)
        d = mf.variants[0].headline
        assert d.statistic == "median"
        assert d.difference == pytest.approx(mf.variants[0].dist.median - mf.baseline.median)
    table = metric_table(figs, ["tanks-3tb-reached"])
    assert "difference of the medians" in table and "variant − baseline" in table


def test_plot_axes_use_readable_labels_and_whole_variant_names(known_studies, exercise1):
    figs = load_figures(exercise1, known_studies, load_record())
    mf = figs.figures("tanks-3tb-reached")
    long_name = "Round the stream valley by the northern track, after the sappers"
    mf.variants[0].label = long_name
    fig = Figure()
    ax = fig.add_subplot()
    distribution_axes(ax, mf, "6 Aug 16:00")
    assert "unit.2mb-3tb" not in ax.get_xlabel() and "tanks that reached" in ax.get_xlabel().replace("\n", " ")
    fig2 = Figure()
    ax2 = fig2.add_subplot()
    difference_axes(ax2, mf)
    names = [t.get_text().replace("\n", " ") for t in ax2.get_yticklabels()]
    assert names == [long_name]  # folded onto lines, never cut
    assert "difference of the medians" in ax2.get_xlabel().replace("\n", " ")


def test_students_report_leaves_out_the_teachers_notes(known_studies, exercise1):
    figs = load_figures(exercise1, known_studies, load_record())
    start, _ = scenario_times(exercise1)
    answer = exercise1.doc.teacher.what_happened[:60]
    full = render_exercise_html(figs, start=start)
    students = render_exercise_html(figs, start=start, students=True)
    assert "For the teacher" in full and answer in full
    assert ".teacher { page-break-before: always; break-before: page; }" in full  # the notes print on their own page
    assert "For the teacher" not in students and answer not in students
    assert "<h2>Briefing</h2>" in students and "The answer in figures" in students


def test_exercise_run_students_writes_the_students_copy(known_studies, exercise1):
    assert main(["exercise", "run", EXERCISE, "--runs", "40", "--out", str(known_studies), "--report-only", "--students"]) == 0
    text = (known_studies / "report-students.html").read_text(encoding="utf-8")
    assert "For the teacher" not in text and "<h2>Briefing</h2>" in text
    assert not (known_studies / "report.html").exists()
