"""A small study produces a report whose figures come from the study."""

from __future__ import annotations

import re

import pytest

from khasan_sim.cli.main import main
from khasan_sim.exercises.figures import reading
from khasan_sim.exercises.report import load_figures, render_exercise_html, scenario_times
from khasan_sim.record import load_record

from .conftest import EXERCISE


def test_figures_come_from_the_studies(known_studies, exercise1):
    figs = load_figures(exercise1, known_studies, load_record())
    reached = figs.figures("tanks-3tb-reached")
    # baseline: 5 + i % 5 over 40 runs -> values 5..9, median 7; the variant +10 in every run
    assert reached.baseline.runs == 40
    assert reached.baseline.median == 7
    assert reached.variants[0].dist.median == 17
    d = reached.variants[0].headline
    assert d.statistic == "median" and d.paired  # the table shows medians: the difference is of the medians too
    assert d.difference == pytest.approx(10.0) and d.low == pytest.approx(10.0) and d.significant
    killed = figs.figures("soviet-killed").variants[0].headline
    assert killed.difference == 0 and not killed.significant
    taken = figs.figures("bezymyannaya-taken").variants[0].headline
    assert taken.statistic == "median hours" and taken.difference == pytest.approx(2.0)
    # against the record: 10 of 43 tanks at the line lies inside the baseline's 5..9? no: above every run
    assert reached.baseline.versus_record is not None and reached.baseline.versus_record.covered is False

    words = " ".join(reading(figs))
    assert "“Round the stream valley” the runs show a higher figure" in words
    assert "+10.0 (+10.0 to +10.0)" in words
    assert "in the Soviet side's favour" in words
    assert "Soviet killed, 6-11 August: “Round the stream valley” and the baseline give the same figure" in words
    assert "it comes later than in the baseline" in words
    assert "do not match the record" in words
    assert "not a statement of what would have happened" in words


def test_report_html_shows_briefing_figures_and_plots(known_studies, exercise1):
    figs = load_figures(exercise1, known_studies, load_record())
    start, _ = scenario_times(exercise1)
    text = render_exercise_html(figs, start=start, command="khasan-sim exercise run 1-tanks-and-the-swamp --runs 40")
    assert "<h2>Briefing</h2>" in text and exercise1.doc.briefing.question in text.replace("&#x27;", "'")
    assert "<h2>The answer in figures</h2>" in text and "<h2>What the numbers say</h2>" in text
    assert "For the teacher" in text and "Shumakov" in text
    assert "7 (5 – 9)" in text and "17 (15 – 19)" in text  # medians and 90% intervals of the studies
    assert "+10.0 (+10.0 to +10.0)" in text
    assert len(re.findall(r"<img alt=", text)) == len(exercise1.doc.metrics)
    assert "@media print" in text
    assert "40 runs" in text and "paired by seed" in text


def test_cli_run_writes_the_report(tmp_path, monkeypatch, exercise1):
    """`exercise run` runs both studies (the runs stubbed with known results) and writes report.html."""
    import json

    from khasan_sim.runner import batch
    from khasan_sim.runner.batch import StudySession
    from khasan_sim.runner.study import RunRecord

    from .conftest import known_result

    calls = []

    def fake_run_study(study, source, *, workers=None, progress=None, **kw):
        calls.append((study.spec.variant, study.spec.runs, source.variant_path))
        recs = [RunRecord(i, s, "ok", json.dumps(known_result(i, s, study.spec.variant))) for i, s in batch.study_tasks(study.spec.study_seed, study.missing_indices())]
        study.record_runs(recs)
        return StudySession("local", 1, len(recs), ok=len(recs), counts=study.counts())

    monkeypatch.setattr(batch, "run_study", fake_run_study)
    out = tmp_path / "ex"
    assert main(["exercise", "run", EXERCISE, "--runs", "4", "--out", str(out), "--quiet"]) == 0
    assert [c[0] for c in calls] == [None, "round-the-swamp"]
    assert calls[1][2].endswith("round-the-swamp.yaml")
    text = (out / "report.html").read_text(encoding="utf-8")
    assert "4 simulated runs per study" in text
    assert "with 4 runs per study a rare difference could still be missed" in text  # small studies are called small
    assert "only 4 runs per study: confirm it with more runs" in text
    # a second run with more runs extends the studies, keeping the first runs
    assert main(["exercise", "run", EXERCISE, "--runs", "6", "--out", str(out), "--quiet"]) == 0
    assert [c[1] for c in calls[2:]] == [6, 6]
    assert "6 simulated runs per study" in (out / "report.html").read_text(encoding="utf-8")


def test_report_without_studies_is_one_clear_error(tmp_path, capsys):
    assert main(["exercise", "run", EXERCISE, "--runs", "4", "--out", str(tmp_path), "--report-only"]) == 2
    err = capsys.readouterr()
    text = err.out + err.err
    assert "no study for historical (baseline)" in text and "Traceback" not in text


def test_no_record_file_is_one_clear_error_before_any_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KHASAN_RECORD", str(tmp_path / "no-record.yaml"))
    assert main(["exercise", "run", EXERCISE, "--runs", "4", "--out", str(tmp_path / "ex")]) == 2
    err = capsys.readouterr()
    assert "no record file was found" in err.out + err.err and "KHASAN_RECORD" in err.out + err.err
    assert not (tmp_path / "ex").exists()
