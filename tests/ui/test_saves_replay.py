"""Save and load round trip, damaged saves, settings, replay scrubbing, the headless command."""

from __future__ import annotations

import json

import pytest

from khasan_sim.errors import SaveFileError
from tests.ui.conftest import TINY


def _played():
    from khasan_sim.ui.session import GameSession

    s = GameSession(TINY, 3, player_sides=["soviet"])
    s.give({"kind": "move", "unit": "2mb-3tb", "to": [7000, 7000]})
    s.run_blocking(s.next_boundary())
    s.give({"kind": "fire_mission", "unit": "tiny-battery", "target": "zaozernaya", "mission": "support", "duration_min": 20})
    s.run_blocking(s.next_boundary())
    s.give({"kind": "attack", "unit": "2mb-3tb", "objective": "zaozernaya", "route": [[6000, 5600]]})
    return s


def test_save_load_round_trip(tmp_path):
    from khasan_sim.ui.saves import read_save, restore, write_save

    s = _played()
    path = write_save(s, tmp_path / "game.json")
    doc = json.loads(path.read_text())
    assert doc["format"] == "khasan-sim-save" and len(doc["orders"]) == 2 and len(doc["pending"]) == 1  # the player's own orders; the recorded ones replay from the scenario
    s2 = restore(read_save(path))
    assert s2.sim.now_min == s.sim.now_min
    assert s2.sim.events_digest() == s.sim.events_digest()
    assert [o.kind for o in s2.sim.pending_orders] == ["attack"]
    # both go on the same way
    s.run_blocking(180)
    s2.run_blocking(180)
    assert s2.sim.events_digest() == s.sim.events_digest()
    assert s2.sim.unit("2mb-3tb").x == s.sim.unit("2mb-3tb").x


def test_the_core_replay_plays_a_save_as_the_game_does(tmp_path):
    """khasan_sim.saves.replay (what the classroom report uses, below the front end) gives
    the run the game's own restore gives, and both go on the same way."""
    from khasan_sim.saves import replay
    from khasan_sim.ui.saves import read_save, restore, write_save

    s = _played()
    save = read_save(write_save(s, tmp_path / "game.json"))
    sim = replay(save)
    s2 = restore(save)
    assert sim.now_min == s.sim.now_min
    assert sim.events_digest() == s.sim.events_digest() == s2.sim.events_digest()
    assert [o.kind for o in sim.pending_orders] == ["attack"]
    assert sim.taken_over == s2.sim.taken_over
    while sim.advance(5000, 180):
        pass
    s2.run_blocking(180)
    assert sim.events_digest() == s2.sim.events_digest()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a khasan-sim save"),
        (b'{"format": "something-else"}', "not a khasan-sim save"),
        (b'{"format": "khasan-sim-save", "version": 1, "scenario": "x.yaml"', "damaged"),
        (b'{"format": "khasan-sim-save", "version": 1, "scenario": "x.yaml", "seed": -4, "now_min": 0}', "damaged"),
        (b'{"format": "khasan-sim-save", "version": 99}', "version"),
    ],
)
def test_damaged_or_foreign_saves(tmp_path, content, words):
    from khasan_sim.ui.saves import read_save

    p = tmp_path / "bad.json"
    p.write_bytes(content)
    with pytest.raises(SaveFileError) as exc:
        read_save(p)
    assert words in str(exc.value) and str(p) in str(exc.value)


def test_app_save_load_keeps_going_on_a_bad_file(tiny_app, tmp_path):
    app = tiny_app
    out = app.save()
    assert out is not None and out.exists()
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json")
    before = app.session
    app.load(bad)
    assert "Cannot load" in app.message and app.session is before
    app.load(out)
    app.loading.join(30)
    app.step()
    assert app.session is not before and app.phase == "orders"


def test_settings_remembered(tmp_path):
    from khasan_sim.ui.settings import Settings

    s = Settings(width=1920, height=1080, speed=40.0, fog=True)
    s.save(tmp_path)
    back = Settings.load(tmp_path)
    assert (back.width, back.height, back.speed, back.fog) == (1920, 1080, 40.0, True)
    (tmp_path / "settings.json").write_text("garbage")
    assert Settings.load(tmp_path) == Settings()


def test_replay_scrub_shows_the_state_of_that_time():
    from khasan_sim.api import Simulation
    from khasan_sim.ui.session import GameSession

    s = GameSession(TINY, 2)
    s.run_blocking(s.end_min)
    assert s.sim.finished and s.tape.end_min == pytest.approx(s.end_min)
    for t in (45.0, 200.0, 95.0):  # forward and back
        f = s.tape.at(t)
        assert f.t_min == pytest.approx(t)
        ref = Simulation(TINY, 2)
        ref.advance_to(ref.start + __import__("datetime").timedelta(minutes=t))
        for u in ref.units():
            v = f.unit(u.id)
            assert (v.x, v.y, v.men, v.state) == (u.x, u.y, u.men, u.state.value)


def test_replay_in_the_app(tiny_app):
    import pygame

    from tests.ui.conftest import key

    app = tiny_app
    app.session.run_blocking(120)
    app.step()
    key(app, pygame.K_r)
    assert app.replay_t == 0.0
    tl = app.timeline_rect()
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(tl.x + tl.w // 2, tl.centery), button=1))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=(tl.x + tl.w // 2, tl.centery), button=1))
    app.step()
    assert 0 < app.replay_t <= 120
    f = app.current_frame()
    assert f.t_min <= app.replay_t + 1e-9 and f is app.session.tape.at(app.replay_t)
    key(app, pygame.K_ESCAPE)
    assert app.replay_t is None


def test_headless_screenshot_command(tmp_path):
    from khasan_sim.cli.main import main

    out = tmp_path / "shot.png"
    assert main(["play", str(TINY), "--turns", "2", "--screenshot", str(out)]) == 0
    import pygame

    img = pygame.image.load(str(out))
    assert img.get_size() == (1280, 800)


def test_compare_rows():
    from khasan_sim.ui.comparing import now_rows, record_rows
    from khasan_sim.ui.session import GameSession

    s = GameSession(TINY, 1)
    s.run_blocking(120)
    rows = now_rows(s.sim.metrics(), s.zones())
    assert rows[0].label == "soviet losses"
    _rec, note = record_rows(s.sim.result())
    assert note


def test_the_classroom_plays_a_save_on_to_the_end(tmp_path):
    """The classroom report replays a save below the front end and plays it on."""
    from khasan_sim.exercises.classroom import play_out
    from khasan_sim.ui.saves import read_save, write_save

    s = _played()
    save = read_save(write_save(s, tmp_path / "game.json"))
    doc, how = play_out(str(TINY), None, save, "game.json")
    assert "played on to the ceasefire" in how
    assert doc["seed"] == 3 and doc["events"] > 0
