"""The story checks on the compare screen: judged on the game's result, drawn headless."""

from __future__ import annotations

from types import SimpleNamespace

import pygame

from khasan_sim.results import RunResult
from khasan_sim.story.spec import load_story
from khasan_sim.ui import story_screen


def result_with(observations: dict) -> RunResult:
    story = {"start": "1938-08-06T16:00", "now": "1938-08-07T00:00", "observations": observations}
    return RunResult(
        "khasan-1938-historical", 1, None, {"1938-08-07T00:00": {}}, 1, "0" * 64, story=story
    )


def test_story_lines_of_a_game_in_progress():
    story = load_story()
    c = story.check("recon-company-stopped-in-valley")
    d = story.check("soviets-lost-more-men")
    obs = {
        c.id: {"value": 0.6, "settled": True, "observe_key": c.observe_key},
        d.id: {"value": 1.5, "settled": False, "observe_key": d.observe_key},
    }
    lines, summary = story_screen.story_lines(result_with(obs))
    by = {line.label: line for line in lines}
    assert len(lines) == len(story.checks)
    assert by["recon company stopped in valley"].verdict == "holds"
    assert (
        by["recon company stopped in valley"].observed == "60%"
        and by["recon company stopped in valley"].threshold == ">= 50%"
    )
    assert by["soviets lost more men"].verdict == "not yet"
    assert summary.startswith("1 hold, 0 fail, 1 not yet")


def test_no_story_for_another_scenario():
    assert story_screen.story_lines(RunResult("tiny", 1, None, {}, 0, "0" * 64))[0] == []


def test_draw_fits_the_rectangle():
    pygame.font.init()
    screen = pygame.Surface((1280, 800))
    app = SimpleNamespace(screen=screen, px=lambda v: max(1, round(v)), fs=lambda v: v)
    data = story_screen.story_lines(result_with({}))
    story_screen.draw(
        app, pygame.Rect(40, 500, 560, 160), data
    )  # too small for all: says how many more
    story_screen.draw(
        app, pygame.Rect(40, 500, 560, 10), data
    )  # too small for anything: draws nothing
    drawn = [screen.get_at((x, y)) for x in range(40, 600, 2) for y in range(500, 660, 2)]
    assert any(p != pygame.Color(0, 0, 0) for p in drawn)
