"""Play as a person would: select with the mouse, order with a right click, end the turn."""

from __future__ import annotations

import math

import pygame
import pytest

from tests.ui.conftest import click, key, run_turn, step_until


def screen_of(app, uid):
    u = app.current_frame().unit(uid)
    x, y = app.cam.to_screen(u.x, u.y)
    return int(x), int(y)


def test_select_move_end_turn(tiny_app):
    app = tiny_app
    app.session.set_speed(1e9)  # as fast as it goes
    click(app, screen_of(app, "2mb-3tb"))
    assert app.selected == "2mb-3tb"
    start = app.current_frame().unit("2mb-3tb")
    tx, ty = app.cam.to_screen(7000.0, 7000.0)
    click(app, (int(tx), int(ty)), button=3)
    pending = app.session.pending()
    assert len(pending) == 1
    o = pending[0]
    assert o.kind == "move" and o.unit == "2mb-3tb"
    assert math.hypot(o.to[0] - 7000, o.to[1] - 7000) < 2 / app.cam.scale
    step_until(app, lambda: app.planned.get("2mb-3tb"))  # the planned route is drawn once the worker has planned it
    key(app, pygame.K_RETURN)
    run_turn(app)
    assert app.phase == "orders"
    sim = app.session.sim
    assert sim.now_min == pytest.approx(30.0)
    u = sim.unit("2mb-3tb")
    assert u.order is not None and u.order.kind == "move"
    moved = math.hypot(u.x - start.x, u.y - start.y)
    assert moved > 300, "the battalion moved towards its goal"
    assert math.hypot(u.x - 7000, u.y - 7000) < math.hypot(start.x - 7000, start.y - 7000)
    assert app.current_frame().t_min == pytest.approx(30.0)


def test_l_sends_a_tank_attack_in_deployed(tiny_app):
    app = tiny_app
    click(app, screen_of(app, "2mb-3tb"))
    key(app, pygame.K_a)
    zx, zy = app.cam.to_screen(6500.0, 6000.0)  # the start line, a zone to attack
    click(app, (int(zx), int(zy)), button=3)
    key(app, pygame.K_l)
    assert app.deployed and "deployed" in app.message
    click(app, (int(zx), int(zy)), button=3)
    first, second = app.session.pending()
    assert first.kind == second.kind == "attack"
    assert (first.formation, second.formation) == ("column", "deployed")


def test_undo_and_refused_order(tiny_app):
    app = tiny_app
    click(app, screen_of(app, "2mb-3tb"))
    tx, ty = app.cam.to_screen(7200.0, 6500.0)
    click(app, (int(tx), int(ty)), button=3)
    assert len(app.session.pending()) == 1
    key(app, pygame.K_BACKSPACE)
    assert app.session.pending() == []
    # across the border: the rule in force refuses it and says why
    bx, by = app.cam.to_screen(2500.0, 6000.0)
    click(app, (int(bx), int(by)), button=3)
    assert app.session.pending() == []
    assert "border" in app.message


def test_waypoint_and_route_preview(tiny_app, monkeypatch):
    app = tiny_app
    click(app, screen_of(app, "2mb-3tb"))
    wx, wy = app.cam.to_screen(7000.0, 5000.0)
    click(app, (int(wx), int(wy)), button=3, shift=True)
    assert len(app.waypoints) == 1
    tx, ty = app.cam.to_screen(7500.0, 4500.0)
    monkeypatch.setattr(pygame.mouse, "get_pos", lambda: (int(tx), int(ty)))  # the dummy video driver keeps no pointer
    step_until(app, lambda: not app._preview_asked)  # a preview asked for before is answered first
    app.preview = None
    app._preview_at = 0.0
    app.preview_target = None
    app._update_preview()
    step_until(app, lambda: app.preview is not None)
    assert app.preview.time_min > 0
    click(app, (int(tx), int(ty)), button=3)
    o = app.session.pending()[0]
    assert len(o.route) == 1


def test_enemy_cannot_be_ordered_and_artillery_fires(tiny_app):
    app = tiny_app
    click(app, screen_of(app, "tiny-jp-coy"))
    assert app.selected == "tiny-jp-coy"
    tx, ty = app.cam.to_screen(5500.0, 5500.0)
    click(app, (int(tx), int(ty)), button=3)
    assert app.session.pending() == []
    click(app, screen_of(app, "tiny-battery"))
    assert app.selected == "tiny-battery"
    zx, zy = app.cam.to_screen(5600.0, 5800.0)
    click(app, (int(zx), int(zy)), button=3)
    o = app.session.pending()[0]
    assert o.kind == "fire_mission"


def test_hot_seat_handover_hides_the_map(tmp_path):
    from khasan_sim.ui.app import App
    from khasan_sim.ui.session import GameSession
    from khasan_sim.ui.settings import Settings
    from tests.ui.conftest import TINY

    s = GameSession(TINY, 1, player_sides=["soviet", "japanese"])
    app = App(s, settings=Settings(), size=(1280, 800), remember=False)
    app.step()
    assert app.phase == "handover"
    key(app, pygame.K_RETURN)
    assert app.phase == "orders" and app.ordering_side == "soviet"
    key(app, pygame.K_RETURN)
    assert app.phase == "handover" and app.order_sides[app.side_idx] == "japanese"
    # the hand-over screen shows no counters
    assert app.unit_rects == [] or all(True for _ in app.unit_rects)
    key(app, pygame.K_RETURN)
    assert app.ordering_side == "japanese"
    s.set_speed(1e9)
    key(app, pygame.K_RETURN)
    run_turn(app)
    assert app.phase == "handover" and s.sim.now_min == pytest.approx(30.0)


def test_fog_hides_unseen_enemies(tmp_path):
    from khasan_sim.ui.app import App
    from khasan_sim.ui.session import GameSession
    from khasan_sim.ui.settings import Settings
    from tests.ui.conftest import TINY

    s = GameSession(TINY, 1, player_sides=["soviet"])
    app = App(s, settings=Settings(fog=True), size=(1280, 800), remember=False)
    app.step()
    f = app.current_frame()
    seen = {u.id for u in s.sim.observe("soviet")}
    drawn = {uid for _, uid in app.unit_rects}
    for u in f.units:
        if u.side == "japanese":
            assert (u.id in drawn) == (u.id in seen)
    key(app, pygame.K_v)
    assert not app.fog
    drawn = {uid for _, uid in app.unit_rects}
    assert "tiny-jp-coy" in drawn


def test_overlays_and_keys_do_not_break(tiny_app):
    app = tiny_app
    for k in (pygame.K_h, pygame.K_ESCAPE, pygame.K_c, pygame.K_ESCAPE, pygame.K_PLUS, pygame.K_MINUS, pygame.K_LEFT, pygame.K_HOME, pygame.K_TAB, pygame.K_t, pygame.K_RIGHTBRACKET, pygame.K_LEFTBRACKET):
        key(app, k)
    assert app.overlay is None
    key(app, pygame.K_c)
    assert app.overlay == "compare"
    app.step()
    pygame.event.post(pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=1, flipped=False, precise_x=0.0, precise_y=1.0))
    app.step()


def test_unordered_units_follow_the_record(tmp_path):
    from khasan_sim.ui.session import GameSession
    from tests.ui.conftest import TINY

    s = GameSession(TINY, 1, player_sides=["soviet"])
    assert s.followers == {"2mb-3tb", "tiny-battery"}
    s.give({"kind": "dig_in", "unit": "2mb-3tb"})
    assert "2mb-3tb" not in s.followers
    s.run_blocking(60)
    played = [dict(e.fields) for e in s.sim.events() if e.kind == "order"]
    assert {"unit": "tiny-battery", "order_kind": "fire_mission", "source": "scenario"}.items() <= next(
        f for f in played if f["unit"] == "tiny-battery"
    ).items()  # the recorded preparation
    assert not any(f["unit"] == "2mb-3tb" and f["order_kind"] == "attack" for f in played)  # taken over by the player


def test_a_game_without_orders_is_the_batch_run_of_its_seed():
    """A player who orders nobody sees exactly the run a Monte Carlo study has for that seed."""
    from khasan_sim.api import Simulation
    from khasan_sim.ui.session import GameSession
    from tests.ui.conftest import TINY

    s = GameSession(TINY, 3, player_sides=["soviet"])
    s.run_blocking(s.end_min)
    assert s.sim.events_digest() == Simulation(TINY, 3).run_to_end().events_digest


def test_the_worker_process_plays_the_same_run_as_this_process():
    """The desktop game's worker process gives the same events, digest and replay tape as a run in this process."""
    from khasan_sim.ui.session import GameSession
    from tests.ui.conftest import TINY

    worker = GameSession(TINY, 3, player_sides=["soviet"], process=True)
    here = GameSession(TINY, 3, player_sides=["soviet"])
    try:
        for s in (worker, here):
            s.give({"kind": "move", "unit": "2mb-3tb", "to": [7000, 7000]})
            s.set_speed(1e9)
            s.start(s.next_boundary(), paced=True, max_events=40)  # in slices, as the window runs it
            assert s.wait(60)
            s.give({"kind": "fire_mission", "unit": "tiny-battery", "target": "zaozernaya", "mission": "support", "duration_min": 20})
            s.run_blocking(s.end_min)
        assert worker.sim.events_digest() == here.sim.events_digest()
        assert [e.seq for e in worker.events()] == [e.seq for e in here.events()]
        assert [f.t_min for f in worker.tape._frames] == [f.t_min for f in here.tape._frames]
        assert worker.frame().unit("2mb-3tb") == here.frame().unit("2mb-3tb")
        assert worker.sim.finished and [o.kind for _, o in worker.sim.given_orders] == ["move", "fire_mission"]
    finally:
        worker.close()
