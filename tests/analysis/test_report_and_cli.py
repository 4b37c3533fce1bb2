"""The HTML report and the `compare` and `export` commands."""

from __future__ import annotations

import base64
import io
import json
import re

import pytest
from rich.console import Console

from khasan_sim.analysis.compare import compare_studies, compare_study, load_study
from khasan_sim.analysis.report import render_html, short_times
from khasan_sim.cli.main import main
from tests.analysis.conftest import write_study


def run_cli(argv: list[str]) -> tuple[int, str]:
    buf = io.StringIO()
    code = main(argv, console=Console(file=buf, width=160, force_terminal=False, color_system=None))
    return code, buf.getvalue()


def pngs(text: str) -> list[bytes]:
    return [base64.b64decode(b) for b in re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", text)]


def test_report_shows_the_score_every_entry_and_its_plots(known_study, record):
    study = load_study(known_study)
    text = render_html(compare_study(study, record), study, record)
    assert text.startswith("<!DOCTYPE html>")
    assert "<b>3 of 6</b>recorded outcomes covered (50%)" in text
    for e in record.entries:
        assert e.id in text
    images = pngs(text)
    # 5 judged entries, the first-hold curves and the losses over time
    assert len(images) == 7
    assert all(img.startswith(b"\x89PNG") for img in images)
    assert "test &lt;b&gt;bold&lt;/b&gt;" in text  # sources are escaped
    assert "Not judged" in text
    assert "<script" not in text


def test_report_against_another_study(tmp_path, record):
    this = load_study(write_study(tmp_path / "v.sqlite", shift=5, variant="more"))
    base = load_study(write_study(tmp_path / "b.sqlite"))
    diff = compare_studies(this, base, record, resamples=200)
    text = render_html(compare_study(this, record), this, record, difference=diff, other=base, other_comparison=compare_study(base, record))
    assert "This study against b.sqlite" in text
    assert "paired by seed: both studies have study seed 1" in text and "(common random numbers)" in text
    assert "variant more" in text


def test_short_times():
    assert short_times("1938-08-06T22:00 .. 1938-08-09T00:00 (6.0-56.0 h)") == "6 Aug 22:00 .. 9 Aug 00:00 (6.0-56.0 h)"


def test_compare_command_prints_json_and_writes_html(tmp_path, known_study, record_file):
    html_path = tmp_path / "report.html"
    json_path = tmp_path / "cmp.json"
    code, out = run_cli(["compare", str(known_study), "--record", str(record_file), "--json", str(json_path), "--html", str(html_path)])
    assert code == 0, out
    assert "3 of 6 recorded outcomes covered (50%)" in out
    assert "count-value" in out and "✓" in out and "✗" in out
    assert f"report written to {html_path}" in out
    doc = json.loads(json_path.read_text())
    assert doc["score"]["covered"] == 3
    assert [e["id"] for e in doc["entries"]][:2] == ["count-value", "count-range"]
    assert html_path.read_text().count("data:image/png;base64,") == 7

    code, out = run_cli(["compare", str(known_study), "--record", str(record_file), "--json", "-"])
    assert code == 0
    assert json.loads(out)["score"]["covered_share"] == 0.5


def test_compare_against(tmp_path, record_file):
    variant = write_study(tmp_path / "variant.sqlite", shift=5, variant="more")
    base = write_study(tmp_path / "base.sqlite")
    code, out = run_cli(["compare", str(variant), "--record", str(record_file), "--against", str(base), "--json", "-", "--resamples", "100"])
    assert code == 0
    doc = json.loads(out)
    d = next(x for x in doc["against"]["differences"] if x["name"] == "count-value" and x["statistic"] == "mean")
    assert d["difference"] == pytest.approx(5.0) and d["significant"] is True
    code, out = run_cli(["compare", str(variant), "--record", str(record_file), "--against", str(base), "--resamples", "100"])
    assert code == 0 and "This study minus" in out and "+5.00 *" in out
    assert "Runs compared paired by seed" in out


def test_compare_errors_are_one_line(tmp_path, record_file):
    code, out = run_cli(["compare", str(tmp_path / "absent.sqlite"), "--record", str(record_file)])
    assert code == 2 and "no such study file" in out
    empty = write_study(tmp_path / "empty.sqlite", runs=3, stored=0)
    code, out = run_cli(["compare", str(empty), "--record", str(record_file)])
    assert code == 2 and "no run with a result to compare" in out
    code, out = run_cli(["compare", str(empty), "--record", str(tmp_path / "no-record.yaml")])
    assert code == 2 and "no such file" in out


def test_export_command(tmp_path, known_study):
    code, out = run_cli(["export", str(known_study), "--format", "csv", "--out", str(tmp_path / "x.csv")])
    assert code == 0
    assert "100 run(s), 300 row(s)" in out
    code, out = run_cli(["export", str(known_study), "--format", "jsonl", "--out", "-"])
    assert code == 0 and len(out.splitlines()) == 100


def test_a_recorded_range_narrower_than_a_bar_is_drawn_over_the_bars():
    """526 killed (525 by another count) on an axis of hundreds: a line on top, not a
    hairline band behind the bars; a wide range stays a band behind them."""
    from matplotlib.figure import Figure

    from khasan_sim.analysis.report import RECORDED, mark_recorded_range

    ax = Figure().subplots()
    mark_recorded_range(ax, 525.0, 526.0, 400.0)
    assert len(ax.lines) == 1 and not ax.patches
    line = ax.lines[0]
    assert line.get_xdata()[0] == pytest.approx(525.5) and line.get_zorder() > 2 and line.get_color() == RECORDED
    wide = Figure().subplots()
    mark_recorded_range(wide, 2725.0, 3279.0, 1500.0)
    assert not wide.lines and len(wide.patches) == 1 and wide.patches[0].get_zorder() < 2


# ------------------------------------------------------------------ issue 17: the compare report's defects


def test_compare_against_says_when_study_seeds_differ_and_runs_are_unpaired(tmp_path, record, record_file):
    variant = write_study(tmp_path / "variant.sqlite", study_seed=7, shift=5, variant="more")
    base = write_study(tmp_path / "base.sqlite", study_seed=1)
    code, out = run_cli(["compare", str(variant), "--record", str(record_file), "--against", str(base), "--resamples", "100"])
    flat = " ".join(out.split())
    assert code == 0
    assert "Runs compared NOT paired: the studies have different study seeds (7 and 1)" in flat
    assert "compared as independent samples" in flat and "same --seed" in flat
    code, out = run_cli(["compare", str(variant), "--record", str(record_file), "--against", str(base), "--resamples", "100", "--json", "-"])
    doc = json.loads(out)["against"]
    assert doc["paired"] is False and (doc["this_study_seed"], doc["other_study_seed"]) == (7, 1)
    diff = compare_studies(load_study(variant), load_study(base), record, resamples=100)
    text = render_html(compare_study(load_study(variant), record), load_study(variant), record, difference=diff)
    assert "NOT paired: the studies have different study seeds (7 and 1)" in text


def test_compare_against_writes_plain_figures_never_exponents(tmp_path, record, record_file):
    from khasan_sim.analysis.report import stat_text

    assert stat_text(2468.5, "median") == "2,468" and stat_text(2468.5, "median", True) == "+2,468"
    assert stat_text(12.345, "mean") == "12.3" and stat_text(-0.5, "mean", True) == "-0.50"
    assert stat_text(0.35, "share held by soviet") == "35%" and stat_text(-0.1, "share in window", True) == "-10 points"
    variant = write_study(tmp_path / "variant.sqlite", shift=2000, variant="more")
    base = write_study(tmp_path / "base.sqlite")
    code, out = run_cli(["compare", str(variant), "--record", str(record_file), "--against", str(base), "--resamples", "100"])
    assert code == 0 and not re.search(r"\de[+-]\d", out)
    assert "+2,000 *" in out


def test_compare_against_says_whether_a_difference_is_worth_attention(tmp_path, record):
    from khasan_sim.analysis.compare import Difference
    from khasan_sim.analysis.report import worth_attention_text

    # 632 against 639 Soviet killed: a real (paired) difference of 1%, below the 5% worth attention
    small = Difference("soviet-killed", "soviet.killed", "median", 632, 639, -7, -9, -5, 100, 100, True)
    assert small.significant and worth_attention_text(small) == "no (< 5% of the baseline)"
    big = Difference("soviet-killed", "soviet.killed", "median", 700, 639, 61, 50, 70, 100, 100, True)
    assert worth_attention_text(big) == "yes (≥ 5% of the baseline)"
    share = Difference("held", "objective.zaozernaya.holder", "share held by soviet", 0.5, 0.45, 0.05, 0.01, 0.09, 100, 100, True)
    assert worth_attention_text(share) == "no (< 10 percentage points)"


def test_a_narrow_recorded_range_between_two_runs_is_one_percentile():
    from khasan_sim.analysis.compare import EntryComparison
    from khasan_sim.analysis.report import position_text

    c = EntryComparison("japanese-killed", "japanese.killed", "count", "end", "525-526", 100, 0,
                        percentile_range=(12.0, 12.4))
    assert position_text(c) == "12th percentile"  # not "12th–12th percentile"
    c.percentile_range = (12.0, 30.0)
    assert position_text(c) == "12th–30th percentile"
