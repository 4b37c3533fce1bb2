"""The front-end defects found in play (issue 17), each driven as a person would, headless."""

from __future__ import annotations

import time

import pygame
import pytest

from khasan_sim.engine.eventlog import LogEvent
from khasan_sim.ui import theme
from khasan_sim.ui.fogview import UNSEEN, FogView
from tests.ui.conftest import TINY, click, key, run_turn, step_until


def _app(sides, fog=False, process=False, size=(1280, 800)):
    from khasan_sim.ui.app import App
    from khasan_sim.ui.session import GameSession
    from khasan_sim.ui.settings import Settings

    s = GameSession(TINY, 1, player_sides=sides, process=process)
    app = App(s, settings=Settings(fog=fog), size=size, remember=False)
    app.step()
    return app


def _ev(kind, seq=1, **fields):
    return LogEvent(seq, 60 * seq, kind, tuple(fields.items()))


def screen_of(app, uid):
    u = app.current_frame().unit(uid)
    x, y = app.cam.to_screen(u.x, u.y)
    return int(x), int(y)


# ------------------------------------------------------------------ hot seat


def test_hot_seat_panel_names_the_side_giving_orders():
    app = _app(["soviet", "japanese"])
    try:
        key(app, pygame.K_RETURN)  # the Soviet player takes the computer
        app.step()
        assert app.ordering_side == "soviet"
        assert "<b>Soviet</b> side" in app.details.html_text
        key(app, pygame.K_RETURN)  # ends the Soviet orders: hand over
        assert app.phase == "handover"
        key(app, pygame.K_RETURN)  # the Japanese player takes it
        app.step()
        assert app.ordering_side == "japanese"
        assert "<b>Japanese</b> side" in app.details.html_text
        assert "Soviet" not in app.details.html_text
    finally:
        app.session.close()


def test_hot_seat_with_fog_gives_each_player_their_own_view():
    app = _app(["soviet", "japanese"], fog=True)
    try:
        assert app.fog, "fog of war is no longer refused in hot seat"
        s = app.session
        seen = {side: {u.id for u in s.sim.observe(side)} for side in ("soviet", "japanese")}
        assert "tiny-battery" not in seen["japanese"]  # the battery far behind the lines is out of Japanese sight
        key(app, pygame.K_RETURN)
        app.step()
        drawn = {uid for _, uid in app.unit_rects}
        assert app.viewer == "soviet" and {"2mb-3tb", "tiny-battery"} <= drawn and drawn <= seen["soviet"]
        if "tiny-jp-coy" in seen["soviet"]:  # an enemy in sight: its strength and morale stay hidden
            app.selected = "tiny-jp-coy"
            app.step()
            assert "hidden by the fog of war" in app.details.html_text and "Morale" not in app.details.html_text
            app.selected = None
        key(app, pygame.K_RETURN)  # hand over: the next player sees neither map nor log
        assert app.phase == "handover"
        app.step()
        assert app.log.items == []
        key(app, pygame.K_RETURN)
        app.step()
        drawn = {uid for _, uid in app.unit_rects}
        assert app.viewer == "japanese" and "tiny-jp-coy" in drawn and drawn <= seen["japanese"]
        assert "tiny-battery" not in drawn
        # while the turn runs both players look: only what both sides see
        s.set_speed(1.0)  # slow: the turn is still running when the map is looked at
        key(app, pygame.K_RETURN)
        assert app.phase == "running"
        app.step()
        both = set(app.current_frame().visible["soviet"]) & set(app.current_frame().visible["japanese"])
        assert {uid for _, uid in app.unit_rects} <= both
        s.set_speed(1e9)
        run_turn(app)
    finally:
        app.session.close()


# ------------------------------------------------------------------ fog leaks in the log


SIDES = {"2mb-3tb": "soviet", "tiny-battery": "soviet", "tiny-jp-coy": "japanese", "j-battery": "japanese"}


def test_fog_log_tells_nothing_of_enemies_out_of_sight_and_no_enemy_morale():
    fog = FogView("soviet", {"2mb-3tb", "tiny-battery", "tiny-jp-coy"}, SIDES, {"t1": "2mb-3tb", "jt": "j-battery"})
    unseen = _ev("morale_state", unit="j-battery", was="steady", state="shaken", morale=0.41)
    assert fog.line(unseen) is None and fog.fields(unseen) == []
    seen = _ev("morale_state", unit="tiny-jp-coy", was="steady", state="shaken", morale=0.41)
    line = fog.line(seen)
    assert line is not None and "tiny-jp-coy" in line and "0.41" not in line and "morale" not in line
    assert all(k not in ("morale", "was") for k, _ in fog.fields(seen))
    hit = _ev("casualties", unit="tiny-jp-coy", killed=12, wounded=30, missing=0, cause="artillery:tiny-battery")
    assert "12" not in fog.line(hit) and "30" not in fog.line(hit)  # an enemy's exact losses are not seen
    order = _ev("order", unit="tiny-jp-coy", order_kind="attack", source="doctrine")
    assert fog.line(order) is None  # nor its orders
    own = _ev("casualties", unit="2mb-3tb", killed=3, wounded=5, missing=0, cause="artillery:j-battery", firer="j-battery")
    line = fog.line(own)
    assert "3 killed" in line and "j-battery" not in line and UNSEEN in line
    assert ("firer", UNSEEN) in fog.fields(own)
    bogged = _ev("bogged", tank="jt", p_bog_per_100m=0.05)
    assert fog.line(bogged) is None  # a tank of an unseen enemy unit
    # without fog, everything
    clear = FogView(None, None, SIDES)
    assert "0.41" in clear.line(unseen) and ("firer", "j-battery") in clear.fields(own)


def test_fog_game_log_never_names_an_unseen_enemy(tmp_path):
    app = _app(["soviet"], fog=True)
    try:
        s = app.session
        s.set_speed(1e9)
        for _ in range(3):
            key(app, pygame.K_RETURN)
            run_turn(app)
        app._log_len = -1
        app._log_at = 0.0
        app.step()
        vis = app._visible(app.current_frame())
        hidden = [u.id for u in app.current_frame().units if u.side == "japanese" and u.id not in vis]
        text = "\n".join(t for _, t in app.log.items)
        for uid in hidden:
            assert uid not in text
        for _, t in app.log.items:
            if "tiny-jp-coy" in t:
                assert "morale" not in t and "killed" not in t
    finally:
        app.session.close()


# ------------------------------------------------------------------ labels


def test_labels_placed_by_priority_never_overlap():
    from khasan_sim.ui.labels import MapLabel, place_labels

    pygame.font.init()
    img = theme.halo_text("Zaozernaya 155", 12, (20, 20, 20), bold=True)
    unit = theme.halo_text("75ir-1bn", 10, (20, 20, 20))
    counter = pygame.Rect(100, 100, 40, 30)
    labels = [
        MapLabel(img, (105.0, 105.0), -1e8, keep=True),  # a height's name under a counter
        MapLabel(unit, (100.0, 131.0), -160, owner="75ir-1bn"),
        MapLabel(unit, (102.0, 133.0), -150, owner="75ir-2bn"),  # almost on the first unit label
    ]
    placed = place_labels(labels, [(counter, "75ir-1bn"), (pygame.Rect(100, 134, 40, 30), "75ir-2bn")])
    rects = [r for _, r in placed]
    assert not rects[0].colliderect(counter), "the height's name moved off the counter"
    for i, a in enumerate(rects):
        for b in rects[i + 1:]:
            assert not a.colliderect(b)


def test_a_heights_name_pushed_off_its_summit_is_tied_to_it_by_a_leader_line():
    """The battalions on Zaozernaya push its name east across the lake's shore; a leader
    line from the name's box to the summit keeps it from reading as a height across the
    lake. A name at its own place (beside the summit) has none."""
    from khasan_sim.ui.labels import MapLabel, leader_line, place_labels

    pygame.font.init()
    img = theme.halo_text("Zaozernaya 155", 12, (20, 20, 20), bold=True)
    summit = (100.0, 100.0)
    name = MapLabel(img, (summit[0] + 7, summit[1] - 14), -1e8, keep=True, anchor=summit)
    # counters standing on the summit, over the name's place and above and below it (the
    # place to its right, past the shore, is free)
    w, h = img.get_size()
    stack = [pygame.Rect(80, 86 + k * h, 27 + int(0.6 * w) - 1, h) for k in range(-1, 2)]
    (label, spot), = place_labels([name], [(r, f"u{k}") for k, r in enumerate(stack)])
    line = leader_line(label, spot)
    assert (spot.x, spot.y) != (107, 86), "the counters pushed the name off its place"
    assert line is not None
    (sx, sy), end = line
    assert end == summit
    assert spot.left <= sx < spot.right and spot.top <= sy < spot.bottom  # starts on the name's box
    # at its own place: no line
    (label, spot), = place_labels([name], [])
    assert leader_line(label, spot) is None
    # a name without a point (a zone's) never gets one
    assert leader_line(MapLabel(img, (0.0, 0.0), 1.0), pygame.Rect(300, 300, w, h)) is None


def test_battle_map_labels_do_not_overlap_at_the_default_zoom():
    from khasan_sim.api import Simulation  # noqa: F401 - the historical scenario loads through it
    from khasan_sim.scenario.builtin import historical_scenario
    from khasan_sim.ui.app import App
    from khasan_sim.ui.session import GameSession
    from khasan_sim.ui.settings import Settings

    s = GameSession(historical_scenario(), 1, player_sides=["soviet"])
    app = App(s, settings=Settings(), size=(1600, 1000), remember=False)
    app.step()
    placed = app.label_rects
    assert len(placed) > 20
    names = {r.topleft for r, owner, keep in placed if keep and owner is None}
    assert names, "the heights' names are drawn"
    movable = [(r, owner) for r, owner, keep in placed if not keep]
    for i, (a, _) in enumerate(movable):
        for b, _ in movable[i + 1:]:
            assert not a.colliderect(b), "two labels overlap"
    for r, owner in movable:
        for c, uid in app.unit_rects:
            assert uid == owner or not r.colliderect(c), f"the label of {owner} covers the counter of {uid}"
    s.close()


# ------------------------------------------------------------------ the event log


def test_air_strikes_name_their_target():
    from khasan_sim.ui.eventtext import describe

    a = _ev("strike", unit="air-sb", aircraft="SB", sorties=6, bombs_t=3.6, lost=0, x=5200.0, y=5400.0)
    b = _ev("strike", unit="air-sb", aircraft="SB", sorties=6, bombs_t=3.6, lost=0, x=6100.0, y=8300.0)
    assert describe(a) != describe(b), "two strikes on different targets read differently"
    assert "on Zaozernaya" in describe(a, lambda x, y: "Zaozernaya" if x < 6000 else None)
    assert "(6.1, 8.3) km" in describe(b, lambda x, y: None)


def test_log_line_tooltip_shows_the_whole_event_and_its_causes(tiny_app):
    app = tiny_app
    app.session.set_speed(1e9)
    key(app, pygame.K_RETURN)
    run_turn(app)
    app._log_len = -1
    app._log_at = 0.0
    app.step()
    assert app.log.items, "the log has lines after a turn"
    seq, text = app.log.items[0]
    pos = (app.log.rect.x + 10, app.log.rect.y + 2 + app.log.line_h // 2)
    tip = app.hover_tip(pos)
    assert tip is not None and tip[0] == ("title", text), "the tooltip starts with the whole line"
    ev = app.session.events(seq)[0]
    for k, _ in ev.fields:
        assert any(style == "text" and line.startswith(k.replace("_", " ") + ":") for style, line in tip), f"field {k} shown"
    box = app.draw_tip(tip, pos)
    assert app.screen.get_rect().contains(box)


# ------------------------------------------------------------------ the border rule


def test_route_preview_shows_the_border_rule_and_the_refusal_is_whole(tiny_app, monkeypatch):
    from khasan_sim.ui.app_orders import RefusedOrder

    app = tiny_app
    click(app, screen_of(app, "2mb-3tb"))
    bx, by = app.cam.to_screen(2500.0, 6000.0)  # across the border
    monkeypatch.setattr(pygame.mouse, "get_pos", lambda: (int(bx), int(by)))
    step_until(app, lambda: not app._preview_asked)
    app.preview = None
    app._preview_at = 0.0
    app.preview_target = None
    app._update_preview()
    step_until(app, lambda: app.preview is not None)
    assert isinstance(app.preview, RefusedOrder), "no normal route drawn for a refused order"
    assert "border" in app.preview.reason
    app.step()  # draws the refusal
    click(app, (int(bx), int(by)), button=3)
    assert app.session.pending() == []
    assert "no-border-crossing" in app.message
    lines = app._draw_banner(app.message, top=False)
    assert " ".join(lines) == app.message, "the message wraps, nothing is cut"
    for line in lines:
        assert theme.font(app.fs(15), True).size(line)[0] <= app.cam.rect.w - app.px(40)


# ------------------------------------------------------------------ replay


def test_replay_hides_the_order_buttons_and_gives_no_orders(tiny_app):
    app = tiny_app
    app.session.set_speed(1e9)
    key(app, pygame.K_RETURN)
    run_turn(app)
    order_buttons = ["end", "undo", "defend", "dig", "mode-auto", "mode-move", "mode-attack"]
    assert all(app.btn[k].visible for k in order_buttons)
    key(app, pygame.K_r)
    app.step()
    assert app.replay_t is not None
    assert not any(app.btn[k].visible for k in order_buttons)
    assert "Replay" in app.details.html_text and "Right click to order" not in app.details.html_text
    click(app, screen_of(app, "2mb-3tb"))
    tx, ty = app.cam.to_screen(7000.0, 7000.0)
    click(app, (int(tx), int(ty)), button=3)
    assert app.session.pending() == [] and "Replay" in app.message
    key(app, pygame.K_RETURN)
    assert app.phase == "orders", "Enter does not end a turn from the replay"
    key(app, pygame.K_ESCAPE)
    key(app, pygame.K_ESCAPE)
    app.step()
    assert app.replay_t is None and all(app.btn[k].visible for k in order_buttons)


# ------------------------------------------------------------------ closing the window


@pytest.mark.parametrize("how", ["quit", "window-close"])
def test_closing_the_window_ends_the_game_and_its_worker(how, monkeypatch):
    monkeypatch.setattr(pygame, "quit", lambda: None)  # the other tests of this process go on drawing
    app = _app(["soviet"], process=True)
    proc = app.session._process
    app.session.set_speed(1.0)  # a slow turn is still running when the window closes
    key(app, pygame.K_RETURN)
    assert app.phase == "running"
    event = pygame.QUIT if how == "quit" else pygame.WINDOWCLOSE
    pygame.event.post(pygame.event.Event(event, window=None))
    t0 = time.perf_counter()
    app.run()
    assert time.perf_counter() - t0 < 8.0
    assert not proc.is_alive(), "the simulation's process has ended"


def test_the_panel_says_who_gives_the_orders_when_the_player_only_watches():
    from types import SimpleNamespace

    from khasan_sim.ui.app_panel import watch_text

    assert watch_text(SimpleNamespace(command_post=None)) == "Watching the recorded orders"
    soviet_ai = SimpleNamespace(command_post=SimpleNamespace(commanders={"soviet": object()}))
    assert watch_text(soviet_ai) == "Watching: Soviet AI vs the Japanese doctrine"
    japanese_ai = SimpleNamespace(command_post=SimpleNamespace(commanders={"japanese": object()}))
    assert watch_text(japanese_ai) == "Watching: Japanese AI vs Soviet recorded orders"
    both = SimpleNamespace(command_post=SimpleNamespace(commanders={"soviet": object(), "japanese": object()}))
    assert watch_text(both) == "Watching: the commander AI plays both sides"
