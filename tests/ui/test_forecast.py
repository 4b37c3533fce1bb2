"""The Forecast key: futures from here in the background, in a panel of their own (headless)."""

from __future__ import annotations

import pygame
import pytest

from tests.ui.conftest import key, run_turn, step_until


@pytest.fixture
def few_runs(monkeypatch):
    monkeypatch.setattr("khasan_sim.ui.forecast.FORECAST_RUNS", 3)


def test_the_forecast_key_runs_branches_while_the_window_keeps_drawing(tiny_app, few_runs):
    app = tiny_app
    key(app, pygame.K_RETURN)
    run_turn(app)
    assert app.phase == "orders"
    frames = len(app.frame_times)
    key(app, pygame.K_p)
    task = app.forecast_task
    assert task is not None and app.forecast_shown
    step_until(app, lambda: task.finished, timeout=180)
    assert task.error is None, task.error
    assert len(app.frame_times) - frames > 10, "the window drew frames while the branches ran"
    f = task.result
    assert f.runs == 3 and f.moment == "1938-08-06T16:30"
    assert [h.zone for h in f.heights] == ["zaozernaya"]
    assert 0.0 <= f.heights[0].soviet <= 1.0
    assert {s.key for s in f.losses} >= {"soviet.killed", "japanese.killed"}
    assert all(s.low <= s.median <= s.high for s in f.losses)
    app.step()  # the panel draws the result
    key(app, pygame.K_ESCAPE)
    assert not app.forecast_shown


def test_shift_p_pairs_the_forecast_with_the_order_under_the_mouse(tiny_app, few_runs):
    app = tiny_app
    app.selected = "2mb-3tb"
    app.mode = "withdraw"
    pygame.mouse.set_pos(app.cam.rect.center)
    key(app, pygame.K_p, pygame.KMOD_SHIFT)
    task = app.forecast_task
    assert task is not None
    step_until(app, lambda: task.finished, timeout=240)
    assert task.error is None, task.error
    f = task.result
    assert f.changed is not None and f.changed.startswith("2mb-3tb: withdraw")
    assert len(f.changed_heights) == len(f.heights) and len(f.differences) == len(f.losses)
    app.step()


def test_shift_p_without_a_drafted_order_says_what_to_do(tiny_app):
    app = tiny_app
    app.selected = None
    key(app, pygame.K_p, pygame.KMOD_SHIFT)
    assert app.forecast_task is None
    assert "select one of your units" in app.message


def test_the_help_lists_the_forecast_key():
    from khasan_sim.ui.app_overlays import HELP

    assert any(k.startswith("P") and "forecast" in v for k, v in HELP)


def test_forecast_rows_show_chances_spreads_and_paired_differences():
    from khasan_sim.analysis.forecast import summarize
    from khasan_sim.ui.forecast import forecast_lines

    def result(holder, killed):
        return {"snapshots": {"1938-08-06T22:00": {"objective.zaozernaya.holder": holder, "soviet.killed": killed}}}

    base = [result("soviet", 10), result("japanese", 20), result(None, 30), result("soviet", 40)]
    changed = [result("soviet", 12), result("soviet", 20), result(None, 35), result("japanese", 40)]
    f = summarize("1938-08-06T18:00", base, [("zaozernaya", "Zaozernaya hill, 155 m")], changed, "2mb-3tb: attack zaozernaya")
    assert f.heights[0].soviet == 0.5 and f.changed_heights[0].soviet == 0.5
    assert (f.changed_heights[0].gained, f.changed_heights[0].lost) == (1, 1)
    killed = next(d for d in f.differences if d.key == "soviet.killed")
    assert killed.median == 1.0  # the paired differences 2, 0, 5, 0
    rows = forecast_lines(f)
    assert ("Zaozernaya hill", "50%", "50%  (+1 / -1 branches)") in rows
    assert any(r[0] == "Soviet killed" and r[1].startswith("25") for r in rows)
