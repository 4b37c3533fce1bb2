"""The front end's exercise entry: `play --exercise` opens on the briefing; saves carry the exercise."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def _headless(tmp_path, monkeypatch):
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    monkeypatch.setenv("KHASAN_UI_CONFIG", str(tmp_path / "config"))
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    pytest.importorskip("pygame")
    pytest.importorskip("pygame_gui")


def test_app_opens_on_the_briefing_and_saves_the_exercise(tmp_path):
    from khasan_sim.exercises.play import briefing_lines, exercise_setup
    from khasan_sim.ui.app import App
    from khasan_sim.ui.saves import read_save, write_save
    from khasan_sim.ui.session import GameSession
    from khasan_sim.ui.settings import Settings

    ex, scenario, variant, side = exercise_setup("8-two-commanders")
    assert side == "both"
    session = GameSession(scenario, 1, variant=variant, player_sides=("soviet", "japanese"))
    session.exercise = ex.id
    session.briefing = briefing_lines(ex, variant)
    app = App(session, settings=Settings(), size=(1024, 700), remember=False, save_dir=tmp_path)
    assert app.phase == "handover" and app.overlay == "briefing"  # hot seat: hand-over screen, then the briefing
    app.step(1 / 60)
    app.phase = "orders"
    app.draw()  # the briefing overlay draws
    out = write_save(session, tmp_path / "game.json")
    assert read_save(out).settings["exercise"] == "8-two-commanders"


def test_play_command_with_an_exercise_writes_a_screenshot(tmp_path):
    from khasan_sim.cli.main import main

    png = tmp_path / "briefing.png"
    assert main(["play", "--exercise", "1-tanks-and-the-swamp", "--turns", "0", "--screenshot", str(png), "--overlay", "briefing"]) == 0
    assert png.stat().st_size > 10_000
