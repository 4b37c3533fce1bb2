"""Progress of a study: plain lines for logs, a bar on a terminal."""

from __future__ import annotations

import io

from rich.console import Console

from khasan_sim.runner.progress import (
    BarProgress,
    PlainProgress,
    SilentProgress,
    duration_text,
    make_progress,
)


def test_plain_lines_say_runs_failures_rate_and_time_left():
    buf = io.StringIO()
    progress = PlainProgress(Console(file=buf, width=200), every_seconds=3600)
    progress.start(100, 20)
    for i in range(30):
        progress.advance(0 if i == 4 else 1, 1 if i == 4 else 0)
    progress.stop()
    lines = buf.getvalue().splitlines()
    assert lines[0] == "runs: 20/100 stored, 80 to run"
    # one line per tenth of the study reached (30 and 40 of 100), the last once
    assert [ln.split(",")[0] for ln in lines[1:]] == ["runs: 30/100 (1 failed)", "runs: 40/100 (1 failed)", "runs: 50/100 (1 failed)"]
    assert "runs/s" in lines[-1] and "left" in lines[-1]


def test_the_choice_of_progress():
    assert isinstance(make_progress(Console(file=io.StringIO(), force_terminal=True)), BarProgress)
    assert isinstance(make_progress(Console(file=io.StringIO(), force_terminal=False)), PlainProgress)
    assert isinstance(make_progress(Console(file=io.StringIO()), quiet=True), SilentProgress)


def test_the_bar_draws_and_stops():
    buf = io.StringIO()
    bar = BarProgress(Console(file=buf, force_terminal=True, width=140))
    bar.start(10, 2)
    bar.advance(7, 1)
    bar.stop()
    text = buf.getvalue()
    assert "10/10" in text and "1 failed" in text and "runs/s" in text


def test_duration_text():
    assert duration_text(42.4) == "42 s"
    assert duration_text(185) == "3 min 05 s"
    assert duration_text(3720) == "1 h 02 min"
